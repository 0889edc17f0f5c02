//! lxbsm-submit: the record it makes (checked field by field against the
//! format), and its errors.

use bsm_format::{Record, Token};
use std::process::Command;

fn submit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lxbsm-submit"))
        .args(args)
        .output()
        .expect("run lxbsm-submit")
}

#[test]
fn print_gives_one_record_of_the_event_with_subject_texts_and_return() {
    let out = submit(&[
        "--event",
        "AUE_su",
        "--text",
        "su to root",
        "--text",
        "tty1",
        "--errno",
        "1",
        "--print",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record = Record::parse(&out.stdout, 0).expect("one record");
    assert_eq!(record.bytes().len(), out.stdout.len());
    // AUE_su is 6159 in audit_event.
    assert_eq!(record.event(), 6159);
    let tokens: Vec<Token<'_>> = record.body().map(Result::unwrap).collect();
    let [
        Token::Subject32Ex(subject),
        Token::Text(first),
        Token::Text(second),
        Token::Return32(ret),
    ] = tokens[..]
    else {
        panic!("tokens: {tokens:?}");
    };
    // The process that made it, whose pid is not known here.
    assert_ne!(subject.ids.pid, 0);
    assert_eq!(first.text.raw(), b"su to root\0");
    assert_eq!(second.text.raw(), b"tty1\0");
    // EPERM: BSM's 1 too; the value -1.
    assert_eq!((ret.status, ret.value), (1, u32::MAX));
}

#[test]
fn an_unknown_event_and_a_failed_write_fail_with_a_message() {
    let out = submit(&["--event", "AUE_nosuch", "--print"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("AUE_nosuch"));
    // /dev/full refuses every write (ENOSPC).
    let out = submit(&["--event", "32800", "--device", "/dev/full"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write to /dev/full"), "{stderr}");
}
