//! The praudit binary as a user runs it: flags, exit codes, damaged trails,
//! and input that would make OpenBSM's praudit hang.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn conformance(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance")
        .join(path)
}

fn praudit(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_praudit"))
        .args(args)
        .env("TZ", "UTC")
        .arg("--audit-event")
        .arg(conformance("etc/audit_event"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "praudit took too long"
    );
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// multi_trail.bsm twice: file token, 3 records, file token, again.
fn two_trails() -> Vec<u8> {
    let multi = std::fs::read(conformance("extra/multi_trail.bsm"))
        .expect("conformance corpus missing beside the checkout");
    [multi.clone(), multi].concat()
}

#[test]
fn every_mode_flag_gives_openbsm_output_for_a_multi_record_trail() {
    let trail = conformance("extra/multi_trail.bsm");
    let trail = trail.to_str().unwrap();
    for (suffix, flags) in [
        ("n", &["-n"][..]),
        ("nl", &["-n", "-l"][..]),
        ("nld", &["-n", "-l", "-d", "|"][..]),
        ("ns", &["-n", "-s"][..]),
        ("nx", &["-n", "-x"][..]),
        ("nxl", &["-n", "-x", "-l"][..]),
        ("r", &["-r"][..]),
        ("rl", &["-r", "-l"][..]),
    ] {
        let args: Vec<&str> = flags.iter().copied().chain([trail]).collect();
        let output = praudit(&args, b"");
        let expected =
            std::fs::read_to_string(conformance(&format!("extra/multi_trail.{suffix}.txt")))
                .unwrap();
        assert_eq!(text(&output.stdout), expected, "flags {flags:?}");
        assert!(output.status.success(), "flags {flags:?}");
        assert!(output.stderr.is_empty(), "flags {flags:?}");
    }
}

#[test]
fn standard_input_and_dash_are_read() {
    let trail = std::fs::read(conformance("extra/multi_trail.bsm")).unwrap();
    let expected = std::fs::read_to_string(conformance("extra/multi_trail.n.txt")).unwrap();
    assert_eq!(text(&praudit(&["-n"], &trail).stdout), expected);
    assert_eq!(text(&praudit(&["-n", "-"], &trail).stdout), expected);
}

#[test]
fn a_truncated_trail_prints_every_whole_record_names_the_offset_and_fails() {
    let trail = two_trails();
    let full = text(&praudit(&["-n"], &trail).stdout);
    // Cut the second copy's connect record (it starts at 52+112+103 = 267 in
    // each copy; the copy is 395 bytes long) in the middle.
    let cut = 395 + 267 + 30;
    let output = praudit(&["-n"], &trail[..cut]);
    assert_eq!(output.status.code(), Some(1));
    let printed = text(&output.stdout);
    // Everything up to the cut record: 1 + 6 + 6 + 6 + 1 lines of copy one
    // and 1 + 6 + 6 of copy two.
    let expected: String = full
        .lines()
        .take(20 + 13)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(printed, expected);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("stdin: damaged region at byte offset 662, 30 bytes"),
        "{stderr}"
    );
}

#[test]
fn a_flipped_byte_costs_only_its_record_and_is_reported() {
    let trail = two_trails();
    let full = text(&praudit(&["-n", "-l"], &trail).stdout);
    let lines: Vec<&str> = full.lines().collect();
    assert_eq!(lines.len(), 10);
    // Flip the first byte of the second record's trailer in copy one: the
    // execve record (164..267) loses its trailer id.
    let mut damaged = trail.clone();
    damaged[267 - 7] ^= 0xff;
    let output = praudit(&["-n", "-l"], &damaged);
    assert_eq!(output.status.code(), Some(1));
    let printed = text(&output.stdout);
    let expected: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, l)| *l)
        .collect();
    assert_eq!(printed.lines().collect::<Vec<_>>(), expected);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("byte offset 164, 103 bytes"), "{stderr}");
    assert!(stderr.contains("trailer"), "{stderr}");
}

#[test]
fn a_record_whose_only_fault_is_its_trailer_magic_is_printed_with_a_warning() {
    let trail = two_trails();
    let full = text(&praudit(&["-n", "-l"], &trail).stdout);
    // The execve record (164..267) of copy one: its trailer (id, magic,
    // size) starts at 260; the magic 0xb105 at 261 becomes 0xb106.
    let mut flawed = trail.clone();
    assert_eq!(flawed[260..263], [0x13, 0xb1, 0x05]);
    flawed[262] = 0x06;
    let output = praudit(&["-n", "-l"], &flawed);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        full,
        "every record, the flawed one too"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("record at byte offset 164 delivered despite")
            && stderr.contains("0xb106")
            && stderr.contains("byte offset 260"),
        "{stderr}"
    );
}

#[test]
fn pipe_mode_on_input_without_any_header_byte_ends_with_an_error() {
    // OpenBSM's praudit -p spins forever on this.
    let output = praudit(&["-p"], &vec![0x41; 1 << 20]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(
        text(&output.stderr).contains("damaged region at byte offset 0, 1048576 bytes"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn pipe_mode_skips_a_leading_partial_record_silently() {
    let trail = two_trails();
    let output = praudit(&["-n", "-l", "-p"], &trail[60..]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let full = text(&praudit(&["-n", "-l"], &trail).stdout);
    let expected: Vec<&str> = full.lines().skip(2).collect();
    assert_eq!(text(&output.stdout).lines().collect::<Vec<_>>(), expected);
}

#[test]
fn xml_of_a_damaged_trail_is_still_a_closed_document() {
    let trail = two_trails();
    let output = praudit(&["-n", "-x"], &trail[..500]);
    assert_eq!(output.status.code(), Some(1));
    let xml = text(&output.stdout);
    assert!(
        xml.starts_with("<?xml version='1.0' ?>\n<audit>\n"),
        "{xml}"
    );
    assert!(xml.ends_with("</audit>\n"), "{xml}");
}

#[test]
fn json_lines_parse_and_carry_the_records() {
    let trail = two_trails();
    let output = praudit(&["--json"], &trail);
    assert!(output.status.success());
    let out = text(&output.stdout);
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v.get("header").is_some())
        .collect();
    assert_eq!(records.len(), 6);
    assert_eq!(records[0]["time"], "2023-11-14T22:13:20.123Z");
    assert_eq!(records[1]["header"]["event"], 23);
}

#[test]
fn missing_files_are_named_and_the_rest_still_printed() {
    let trail = conformance("extra/multi_trail.bsm");
    let output = praudit(&["-n", "/nonexistent/trail", trail.to_str().unwrap()], b"");
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("/nonexistent/trail"));
    let expected = std::fs::read_to_string(conformance("extra/multi_trail.n.txt")).unwrap();
    assert_eq!(text(&output.stdout), expected);
}

#[test]
fn usage_errors_exit_64_as_auditreduce_and_help_explains_every_flag() {
    assert_eq!(praudit(&["-r", "-s"], b"").status.code(), Some(64));
    assert_eq!(praudit(&["-q"], b"").status.code(), Some(64));
    // a table named must be there: no silent fall-back to the built-in one
    let missing = Command::new(env!("CARGO_BIN_EXE_praudit"))
        .args(["--audit-event", "/nonexistent/audit_event", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(64));
    assert!(text(&missing.stderr).contains("/nonexistent/audit_event"));
    assert!(missing.stdout.is_empty());
    let help = praudit(&["--help"], b"");
    assert!(help.status.success());
    let help = text(&help.stdout);
    for flag in [
        "-l",
        "-r",
        "-s",
        "-n",
        "-x",
        "-d <DEL>",
        "-p",
        "-f",
        "--json",
        "--audit-event",
    ] {
        assert!(
            help.contains(flag),
            "--help does not explain {flag}:\n{help}"
        );
    }
}

/// A FIFO stands for a live source (a device such as /dev/lxbsm, or a
/// pipe from a daemon): with -f, each record is printed as it arrives, and
/// praudit waits for more until it is stopped.
#[test]
fn follow_prints_records_from_a_fifo_as_they_arrive() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("bsm-praudit-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("live");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success(),
        "mkfifo failed"
    );
    let record = std::fs::read(conformance("extra/return32_success_record.bsm")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_praudit"))
        .args(["-f", "-r", "-l"])
        .arg(&fifo)
        .env("TZ", "UTC")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines_tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    for round in 0..3 {
        writer.write_all(&record).unwrap();
        writer.flush().unwrap();
        let line = lines_rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("round {round}: no line while the FIFO stays open"));
        assert!(line.starts_with("20,"), "round {round}: {line}");
    }
    drop(writer);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "praudit -f must keep waiting after the writer closes"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Unix socket at `path` that serves `bytes` to one client, then closes.
fn serve_once(path: &Path, bytes: Vec<u8>) -> std::thread::JoinHandle<()> {
    let listener = std::os::unix::net::UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        let (mut client, _) = listener.accept().unwrap();
        client.write_all(&bytes).unwrap();
    })
}

fn scratch_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("praudit-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_live_socket_is_read_as_a_stream() {
    let dir = scratch_dir("socket");
    let socket = dir.join("live");
    let trail = conformance("extra/multi_trail.bsm");
    let server = serve_once(&socket, std::fs::read(&trail).unwrap());
    let from_socket = praudit(&["-n", socket.to_str().unwrap()], b"");
    server.join().unwrap();
    let expected = std::fs::read(conformance("extra/multi_trail.n.txt")).unwrap();
    assert!(
        from_socket.status.success(),
        "{}",
        text(&from_socket.stderr)
    );
    assert_eq!(text(&from_socket.stdout), text(&expected));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_socket_nobody_listens_on_is_a_clear_error() {
    let dir = scratch_dir("dead-socket");
    let socket = dir.join("live");
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    let output = praudit(&[socket.to_str().unwrap()], b"");
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains(socket.to_str().unwrap()), "{stderr}");
    assert!(stderr.contains("nobody listens"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
