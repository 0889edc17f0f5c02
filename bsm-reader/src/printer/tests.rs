//! What the conformance corpus does not show: damaged records, odd records,
//! names, long group lists.

use super::*;
use bsm_format::{ErrorKind, NewGroups, ProcessIds, Subject32, U32List, ids};
use std::net::Ipv4Addr;

const SECONDS: [u8; 4] = 1_700_000_000u32.to_be_bytes();

/// A header32 token for a record of `size` bytes, event 0, time 1700000000.000.
fn header32(size: u32) -> Vec<u8> {
    let mut bytes = vec![ids::HEADER32];
    bytes.extend_from_slice(&size.to_be_bytes());
    bytes.extend_from_slice(&[11, 0, 0, 0, 0]);
    bytes.extend_from_slice(&SECONDS);
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    bytes
}

fn trailer(size: u32) -> Vec<u8> {
    let mut bytes = vec![ids::TRAILER, 0xb1, 0x05];
    bytes.extend_from_slice(&size.to_be_bytes());
    bytes
}

/// A record around `body`, sized to fit.
fn record_bytes(body: &[u8]) -> Vec<u8> {
    let size = (18 + body.len() + 7) as u32;
    let mut bytes = header32(size);
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(&trailer(size));
    bytes
}

/// A text token `ok`, then an arbitrary-data token with unit 7 (there is none).
fn damaged_body() -> Vec<u8> {
    vec![ids::TEXT, 0, 3, b'o', b'k', 0, ids::ARBITRARY, 2, 7, 1]
}

fn context() -> PrintContext {
    PrintContext::builtin().with_zone(Zone::utc())
}

fn options(format: Format, one_line: bool) -> PrintOptions {
    PrintOptions {
        format,
        one_line,
        numeric: true,
        ..PrintOptions::default()
    }
}

/// Prints the record in `bytes` (at trail offset 100).
fn print_record(
    bytes: &[u8],
    options: PrintOptions,
    context: &PrintContext,
) -> (String, Result<(), SinkError>) {
    let record = Record::parse(bytes, 100);
    assert!(record.is_ok(), "test record frames");
    let Ok(record) = record else {
        return (String::new(), Ok(()));
    };
    let mut printer = Printer::new(Vec::new(), options, context);
    let outcome = printer.record(&record);
    (
        String::from_utf8_lossy(&printer.into_inner().unwrap_or_default()).into_owned(),
        outcome,
    )
}

fn assert_damage_at_the_arbitrary_token(outcome: Result<(), SinkError>) {
    match outcome {
        Err(SinkError::Damaged { error, .. }) => {
            assert_eq!(error.token_id, Some(ids::ARBITRARY));
            assert_eq!(error.offset, 100 + 18 + 6);
            assert_eq!(error.kind, ErrorKind::DataUnit(7));
        }
        other => panic!("expected a token error, got {other:?}"),
    }
}

const HEADER_TEXT: &str = "header,35,11,indir system call,0,Tue Nov 14 22:13:20 2023, + 0 msec";
const RECORD_START: &str = "<record version=\"11\" event=\"indir system call\" modifier=\"0\" time=\"Tue Nov 14 22:13:20 2023\" msec=\" + 0 msec\" >";

#[test]
fn a_damaged_token_ends_the_text_record_after_the_tokens_before_it() {
    let bytes = record_bytes(&damaged_body());
    let context = context();
    let (text, outcome) = print_record(&bytes, options(Format::Text, false), &context);
    assert_eq!(text, format!("{HEADER_TEXT}\ntext,ok\n"));
    assert_damage_at_the_arbitrary_token(outcome);
    let (line, outcome) = print_record(&bytes, options(Format::Text, true), &context);
    assert_eq!(line, format!("{HEADER_TEXT},text,ok,\n"));
    assert_damage_at_the_arbitrary_token(outcome);
}

#[test]
fn a_damaged_token_still_closes_the_xml_record() {
    let bytes = record_bytes(&damaged_body());
    let context = context();
    let (xml, outcome) = print_record(&bytes, options(Format::Xml, false), &context);
    assert_eq!(xml, format!("{RECORD_START}\n<text>ok</text>\n</record>\n"));
    assert_damage_at_the_arbitrary_token(outcome);
    let (line, outcome) = print_record(&bytes, options(Format::Xml, true), &context);
    assert_eq!(line, format!("{RECORD_START}<text>ok</text></record>\n"));
    assert_damage_at_the_arbitrary_token(outcome);
}

#[test]
fn a_damaged_token_ends_the_json_token_list_with_an_error() {
    let bytes = record_bytes(&damaged_body());
    let (json, outcome) = print_record(&bytes, options(Format::Json, false), &context());
    assert_damage_at_the_arbitrary_token(outcome);
    let value: serde_json::Value = serde_json::from_str(json.trim_end()).unwrap_or_default();
    let tokens = value["tokens"].as_array().cloned().unwrap_or_default();
    assert_eq!(tokens.len(), 3);
    assert_eq!(tokens[1]["text"], "ok");
    assert!(
        tokens[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("offset 124"))
    );
    assert!(json.ends_with("}\n") && json.lines().count() == 1);
}

#[test]
fn headers_and_trailers_inside_a_record_stay_well_formed_in_xml() {
    let mut body = header32(99);
    body.extend_from_slice(&trailer(42));
    let bytes = record_bytes(&body);
    let (xml, outcome) = print_record(&bytes, options(Format::Xml, false), &context());
    assert!(outcome.is_ok());
    assert_eq!(
        xml,
        format!(
            "{}\n<header size=\"99\" version=\"11\" event=\"indir system call\" modifier=\"0\" \
             time=\"Tue Nov 14 22:13:20 2023\" msec=\" + 0 msec\" />\n<trailer size=\"42\" />\n</record>\n",
            RECORD_START
        )
    );
}

#[test]
fn every_gid_of_a_long_group_list_prints() {
    // Deviation 5 of bsm-format.md: praudit stops at 16 gids and loses its place.
    let raw: Vec<u8> = (0u32..20).flat_map(u32::to_be_bytes).collect();
    let token = Token::NewGroups(NewGroups {
        gids: U32List::from_raw(&raw),
    });
    let context = context();
    let mut printer = Printer::new(Vec::new(), options(Format::Text, false), &context);
    assert!(printer.bare_token(&token).is_ok());
    let expected: Vec<String> = (0..20).map(|gid: u32| gid.to_string()).collect();
    assert_eq!(
        String::from_utf8_lossy(&printer.into_inner().unwrap_or_default()),
        format!("group,{}\n", expected.join(","))
    );
}

#[test]
fn names_from_account_files_are_escaped_in_xml() {
    let context = context()
        .with_passwd("a&b:x:1000:1000::/:/bin/sh\n")
        .with_group("<staff>:x:20:\n");
    let subject = Token::Subject32(Subject32 {
        ids: ProcessIds {
            auid: 1000,
            euid: 1000,
            egid: 20,
            ruid: 4_294_967_295,
            rgid: 20,
            pid: 1,
            sid: 2,
        },
        port: 3,
        addr: Ipv4Addr::new(10, 0, 0, 1),
    });
    let xml_options = PrintOptions {
        format: Format::Xml,
        ..PrintOptions::default()
    };
    let mut printer = Printer::new(Vec::new(), xml_options, &context);
    assert!(printer.bare_token(&subject).is_ok());
    assert_eq!(
        String::from_utf8_lossy(&printer.into_inner().unwrap_or_default()),
        "<subject audit-uid=\"a&amp;b\" uid=\"a&amp;b\" gid=\"&lt;staff&gt;\" ruid=\"-1\" \
         rgid=\"&lt;staff&gt;\" pid=\"1\" sid=\"2\" tid=\"3 10.0.0.1\" />\n"
    );
    let mut printer = Printer::new(Vec::new(), PrintOptions::default(), &context);
    assert!(printer.bare_token(&subject).is_ok());
    assert_eq!(
        String::from_utf8_lossy(&printer.into_inner().unwrap_or_default()),
        "subject,a&b,a&b,<staff>,-1,<staff>,1,2,3,10.0.0.1\n"
    );
}

#[test]
fn begin_and_finish_frame_the_xml_document() {
    let context = context();
    let xml_options = PrintOptions {
        format: Format::Xml,
        ..PrintOptions::default()
    };
    let mut printer = Printer::new(Vec::new(), xml_options, &context);
    assert!(printer.begin().is_ok() && printer.finish().is_ok());
    assert_eq!(
        printer.into_inner().unwrap_or_default(),
        b"<?xml version='1.0' ?>\n<audit>\n</audit>\n"
    );
    let mut printer = Printer::new(Vec::new(), PrintOptions::default(), &context);
    assert!(printer.begin().is_ok() && printer.finish().is_ok());
    assert!(printer.into_inner().unwrap_or_default().is_empty());
}

#[test]
fn write_failures_are_io_errors() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let bytes = record_bytes(&[]);
    let context = context();
    let mut printer = Printer::new(Broken, PrintOptions::default(), &context);
    let record = Record::parse(&bytes, 0);
    assert!(record.is_ok());
    if let Ok(record) = record {
        // Output is gathered; the failure shows when it is written.
        assert!(printer.record(&record).is_ok());
        assert!(printer.flush().is_err());
        assert!(printer.record(&record).is_ok());
        assert!(printer.into_inner().is_err());
    }
}

#[test]
fn output_is_written_in_blocks_and_on_drop() {
    let bytes = record_bytes(&[]);
    let context = context();
    let record = Record::parse(&bytes, 0);
    assert!(record.is_ok());
    let Ok(record) = record else { return };
    let mut out = Vec::new();
    {
        let mut printer = Printer::new(&mut out, options(Format::Text, false), &context);
        for _ in 0..1000 {
            assert!(printer.record(&record).is_ok());
        }
        // 1000 records of 79 bytes: one block of 64 KiB went out, the rest waits.
        assert!(out_len_of(&printer) >= 64 * 1024);
        assert!(out_len_of(&printer) < 79 * 1000);
    }
    let one = "header,25,11,indir system call,0,Tue Nov 14 22:13:20 2023, + 0 msec\ntrailer,25\n";
    assert_eq!(one.len(), 79);
    assert_eq!(out, one.repeat(1000).into_bytes());
}

fn out_len_of(printer: &Printer<'_, &mut Vec<u8>>) -> usize {
    printer.out.as_ref().map_or(0, |out| out.len())
}
