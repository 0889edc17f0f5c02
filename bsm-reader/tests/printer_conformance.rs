//! The printer against OpenBSM praudit's own output for every file of the
//! conformance corpus (`shared/conformance`), in every mode the corpus has.
//!
//! Our output must be byte-identical to OpenBSM's, except where
//! `shared/docs/bsm-format.md` ("OpenBSM bugs we do NOT copy") says we
//! differ: each such file and mode is listed in [`DEVIATIONS`] with the
//! deviation's name and the exact text we print instead, and the test fails
//! if a listed file does not differ, or an unlisted one does.
//!
//! Besides: every XML output is well-formed (checked with quick-xml), and
//! every JSON output parses and agrees with the decoded tokens.

use std::fs;
use std::path::{Path, PathBuf};

use bsm_format::{Record, Splitter, Token, TrailItem, decode_token};
use bsm_reader::Sink;
use bsm_reader::printer::{Format, PrintContext, PrintOptions, Printer, Zone};

#[path = "../../bsm-format/tests/common/corpus.rs"]
mod corpus;
use corpus::{conformance_dir, is_bare_token};

/// Every `.bsm` file of the corpus, sorted; panics (never skips) if the
/// corpus is missing or incomplete.
fn corpus() -> Vec<PathBuf> {
    let files = corpus::corpus();
    assert!(
        files.len() >= 134,
        "conformance corpus incomplete: {} files",
        files.len()
    );
    files
}

fn stem(path: &Path) -> &str {
    path.file_stem()
        .and_then(|s| s.to_str())
        .expect("UTF-8 file name")
}

/// The `*_token*` files hold one token and no record.
/// The output-file suffixes of the corpus and the praudit flags behind them.
const MODES: [&str; 8] = ["n", "nl", "nld", "ns", "nx", "nxl", "r", "rl"];

fn options(mode: &str) -> PrintOptions {
    let mut options = PrintOptions::default();
    for flag in mode.chars() {
        match flag {
            'n' => options.numeric = true,
            'l' => options.one_line = true,
            'd' => options.delimiter = "|".into(),
            's' => options.short = true,
            'x' => options.format = Format::Xml,
            'r' => options.raw = true,
            other => panic!("unknown mode flag {other}"),
        }
    }
    options
}

/// The builtin event table (OpenBSM's sample, which the corpus used) and
/// UTC, whatever the host has.
fn context() -> PrintContext {
    PrintContext::new(None)
        .expect("builtin context")
        .with_zone(Zone::utc())
}

/// What we print for a corpus file: bare tokens through the bare-token
/// printer (no XML prologue, as libbsm's token printer), trails as praudit.
fn render(path: &Path, options: PrintOptions, context: &PrintContext) -> Vec<u8> {
    let bytes = fs::read(path).expect("corpus file");
    let mut printer = Printer::new(Vec::new(), options, context);
    if is_bare_token(path) {
        let (token, _) = decode_token(&bytes).expect("bare token decodes");
        printer.bare_token(&token).expect("print to a Vec");
        return printer.into_inner().expect("print to a Vec");
    }
    printer.begin().expect("print to a Vec");
    for item in Splitter::new(&bytes) {
        match item.expect("corpus trail splits") {
            TrailItem::Record(record) => printer.record(&record).expect("record prints"),
            TrailItem::File(file) => printer.file_token(&file).expect("print to a Vec"),
        }
    }
    printer.finish().expect("print to a Vec");
    printer.into_inner().expect("print to a Vec")
}

/// The mode suffixes of the `.txt` outputs next to `path`; each must be one
/// that [`options`] knows.
fn modes_present(path: &Path) -> Vec<String> {
    let prefix = format!("{}.", stem(path));
    let dir = path.parent().expect("corpus file in a directory");
    let mut modes: Vec<String> = fs::read_dir(dir)
        .expect("corpus directory")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| Some(name.strip_prefix(&prefix)?.strip_suffix(".txt")?.to_owned()))
        .collect();
    modes.sort();
    for mode in &modes {
        assert!(
            MODES.contains(&mode.as_str()),
            "{}: unknown output mode {mode}",
            stem(path)
        );
    }
    modes
}

fn reference_output(path: &Path, mode: &str) -> Vec<u8> {
    let txt = path.with_file_name(format!("{}.{mode}.txt", stem(path)));
    fs::read(&txt).unwrap_or_else(|e| panic!("{}: {e}", txt.display()))
}

// ---------------------------------------------------------------------------
// The deviations.

/// The OpenBSM bugs of bsm-format.md that we do not copy, by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deviation {
    /// 1: header32_ex prints the XML form under -r and the text form under -x.
    Header32ExForms,
    /// 2: arbitrary data read in host byte order, int64 cut to 32 bits.
    ArbitraryByteOrder,
    /// 3: unescaped XML, raw NULs, tokens without an element.
    WellFormedXml,
    /// 5: group tokens of more than 16 gids.
    EveryGroupId,
}

/// How our output differs from OpenBSM's for one file and some modes.
enum Change {
    /// Each `(openbsm, ours)` pair: the first occurrence of `openbsm` in
    /// OpenBSM's output becomes `ours`.
    Replace(&'static [(&'static str, &'static str)]),
    /// Our whole output, when OpenBSM's is not a near miss.
    Whole(&'static str),
}

struct Expected {
    file: &'static str,
    modes: &'static [&'static str],
    deviation: Deviation,
    change: Change,
}

use Change::{Replace, Whole};
use Deviation::*;

const ALL_MODES: &[&str] = &["n", "nl", "nld", "ns", "nx", "nxl", "r", "rl"];
const XML_MODES: &[&str] = &["nx", "nxl"];

/// Every file and mode where we print what OpenBSM does not, with what we
/// print. The replacement texts are worked out by hand from the bytes of
/// the `.bsm` files (shown in each comment) and the rules in bsm-format.md.
const DEVIATIONS: &[Expected] = &[
    // header32_ex: under -r OpenBSM prints XML attributes after the token id;
    // we print the text form, as header64_ex (`121,55,11,72,0,10.0.0.7,...`).
    Expected {
        file: "header32_ex_record-IPv4",
        modes: &["r", "rl"],
        deviation: Header32ExForms,
        change: Replace(&[(
            "21version=\"11\" event=\"72\" modifier=\"0\" host=\"192.168.1.10\" time=\"1700000000\" msec=\"123\" >",
            "21,47,11,72,0,192.168.1.10,1700000000,123",
        )]),
    },
    Expected {
        file: "header32_ex_record-IPv6",
        modes: &["r", "rl"],
        deviation: Header32ExForms,
        change: Replace(&[(
            "21version=\"11\" event=\"72\" modifier=\"0\" host=\"2001:db8::42\" time=\"1700000000\" msec=\"123\" >",
            "21,59,11,72,0,2001:db8::42,1700000000,123",
        )]),
    },
    // Under -x OpenBSM prints the text form inside `<record `; we print the
    // attributes, as header64_ex's `<record ... host="10.0.0.7" ...>`.
    Expected {
        file: "header32_ex_record-IPv4",
        modes: XML_MODES,
        deviation: Header32ExForms,
        change: Replace(&[(
            "<record ,47,11,open(2) - read,0,192.168.1.10,Tue Nov 14 22:13:20 2023, + 123 msec",
            "<record version=\"11\" event=\"open(2) - read\" modifier=\"0\" host=\"192.168.1.10\" time=\"Tue Nov 14 22:13:20 2023\" msec=\" + 123 msec\" >",
        )]),
    },
    Expected {
        file: "header32_ex_record-IPv6",
        modes: XML_MODES,
        deviation: Header32ExForms,
        change: Replace(&[(
            "<record ,59,11,open(2) - read,0,2001:db8::42,Tue Nov 14 22:13:20 2023, + 123 msec",
            "<record version=\"11\" event=\"open(2) - read\" modifier=\"0\" host=\"2001:db8::42\" time=\"Tue Nov 14 22:13:20 2023\" msec=\" + 123 msec\" >",
        )]),
    },
    // Arbitrary data: the items are the bytes "ABCDEFGH..." (0x41 0x42 ...),
    // 4 items of the unit. OpenBSM reads each item in little-endian host
    // order (0x44434241 for "ABCD") and passes int64 items to a 32-bit
    // format; we read big-endian at full width. `binary` and `string` print
    // characters: every byte of an item (binary, space-separated items) or
    // of the data (string), where OpenBSM prints the low byte of its value.
    // Byte units are the same either way.
    Expected {
        file: "data_binary_short_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(" A C E G", " AB CD EF GH")]),
    },
    Expected {
        file: "data_binary_int32_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(" A E I M", " ABCD EFGH IJKL MNOP")]),
    },
    Expected {
        file: "data_binary_int64_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(" A I Q Y", " ABCDEFGH IJKLMNOP QRSTUVWX YZ[\\]^_`")]),
    },
    Expected {
        file: "data_string_short_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[("ACEG", "ABCDEFGH")]),
    },
    Expected {
        file: "data_string_int32_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[("AEIM", "ABCDEFGHIJKLMNOP")]),
    },
    Expected {
        // The bytes 0x41..0x60 end in `[\]^_` and a backquote: nothing to escape.
        file: "data_string_int64_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[("AIQY", "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`")]),
    },
    // decimal: shorts 0x4142=16706 0x4344=17220 0x4546=17734 0x4748=18248;
    // int32 0x41424344=1094861636, 0x45464748=1162233672, 0x494a4b4c=1229605708,
    // 0x4d4e4f50=1296977744; int64 0x4142434445464748=4702394921427289928,
    // 0x494a4b4c4d4e4f50=5280832617179597136, 0x5152535455565758=5859270313..
    Expected {
        file: "data_decimal_short_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(" 16961 17475 17989 18503", " 16706 17220 17734 18248")]),
    },
    Expected {
        file: "data_decimal_int32_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(
            " 1145258561 1212630597 1280002633 1347374669",
            " 1094861636 1162233672 1229605708 1296977744",
        )]),
    },
    Expected {
        file: "data_decimal_int64_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(
            " 1145258561 1280002633 1414746705 1549490777",
            " 4702394921427289928 5281116304131903312 5859837686836516696 6438559069541130080",
        )]),
    },
    Expected {
        file: "data_hex_short_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(" 4241 4443 4645 4847", " 4142 4344 4546 4748")]),
    },
    Expected {
        file: "data_hex_int32_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(
            " 44434241 48474645 4c4b4a49 504f4e4d",
            " 41424344 45464748 494a4b4c 4d4e4f50",
        )]),
    },
    Expected {
        file: "data_hex_int64_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(
            " 44434241 4c4b4a49 54535251 5c5b5a59",
            " 4142434445464748 494a4b4c4d4e4f50 5152535455565758 595a5b5c5d5e5f60",
        )]),
    },
    // octal: 0x4142=0o40502 0x4344=0o41504 0x4546=0o42506 0x4748=0o43510;
    // 0x41424344=0o10120441504, 0x45464748=0o10521443510,
    // 0x494a4b4c=0o11122445514, 0x4d4e4f50=0o11523447520; the int64 items
    // 0x4142434445464748=0o405022064210521443510, 0x494a4b4c4d4e4f50=
    // 0o445122264611523447520, 0x5152535455565758=0o505222465212525453530,
    // 0x595a5b5c5d5e5f60=0o545322665613527457540.
    Expected {
        file: "data_octal_short_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(" 41101 42103 43105 44107", " 40502 41504 42506 43510")]),
    },
    Expected {
        file: "data_octal_int32_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(
            " 10420641101 11021643105 11422645111 12023647115",
            " 10120441504 10521443510 11122445514 11523447520",
        )]),
    },
    Expected {
        file: "data_octal_int64_record",
        modes: ALL_MODES,
        deviation: ArbitraryByteOrder,
        change: Replace(&[(
            " 10420641101 11422645111 12424651121 13426655131",
            " 405022064210521443510 445122264611523447520 505222465212525453530 545322665613527457540",
        )]),
    },
    // XML: what OpenBSM leaves unescaped or without an element.
    Expected {
        // The text is `a&b<c>"d'e<TAB>f`.
        file: "text_xmlspecial_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "<text>a&b<c>\"d'e\tf</text>",
            "<text>a&amp;b&lt;c&gt;&quot;d'e&#9;f</text>",
        )]),
    },
    Expected {
        // The path is `/tmp/été/` then bytes 0x01 and 0x7f: XML 1.0 forbids
        // U+0001 even as a reference, and allows U+007F.
        file: "path_nonascii_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "<path>/tmp/été/\u{1}\u{7f}</path>",
            "<path>/tmp/été/\u{fffd}\u{7f}</path>",
        )]),
    },
    Expected {
        // The string data `SomeData`, a NUL, `a`: the NUL becomes U+FFFD.
        file: "data_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(">SomeData\0a</arbitrary>", ">SomeData\u{fffd}a</arbitrary>")]),
    },
    Expected {
        file: "data_token",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(">SomeData\0a</arbitrary>", ">SomeData\u{fffd}a</arbitrary>")]),
    },
    Expected {
        file: "ipc_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[("<IPCipc-type=", "<IPC ipc-type=")]),
    },
    Expected {
        file: "ipc_token",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[("<IPCipc-type=", "<IPC ipc-type=")]),
    },
    Expected {
        file: "arg_uuid_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "arg_uuid-num=\"4\" uuid=\"5a62ea53-d41c-11e6-c8a3-25009d4bb49c\" desc=\"test_arg_uuid_token\" ",
            "<arg_uuid arg_uuid-num=\"4\" uuid=\"5a62ea53-d41c-11e6-c8a3-25009d4bb49c\" desc=\"test_arg_uuid_token\" />",
        )]),
    },
    Expected {
        file: "arg_uuid_token",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "arg_uuid-num=\"4\" uuid=\"5a62ea53-d41c-11e6-c8a3-25009d4bb49c\" desc=\"test_arg_uuid_token\" ",
            "<arg_uuid arg_uuid-num=\"4\" uuid=\"5a62ea53-d41c-11e6-c8a3-25009d4bb49c\" desc=\"test_arg_uuid_token\" />",
        )]),
    },
    Expected {
        file: "ret_uuid_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "ret_uuid-num=\"5\" uuid=\"77b33643-d41d-11e6-c8a3-25009d4bb49c\" desc=\"test_ret_uuid_token\" ",
            "<ret_uuid ret_uuid-num=\"5\" uuid=\"77b33643-d41d-11e6-c8a3-25009d4bb49c\" desc=\"test_ret_uuid_token\" />",
        )]),
    },
    Expected {
        file: "ret_uuid_token",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "ret_uuid-num=\"5\" uuid=\"77b33643-d41d-11e6-c8a3-25009d4bb49c\" desc=\"test_ret_uuid_token\" ",
            "<ret_uuid ret_uuid-num=\"5\" uuid=\"77b33643-d41d-11e6-c8a3-25009d4bb49c\" desc=\"test_ret_uuid_token\" />",
        )]),
    },
    Expected {
        file: "privset_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "type=\"effective\" priv=\"file_dac_read,proc_setid\" ",
            "<privilege type=\"effective\" priv=\"file_dac_read,proc_setid\" />",
        )]),
    },
    Expected {
        file: "upriv_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "status=\"successful use of priv\" name=\"PRIV_VFS_ADMIN\" ",
            "<use_of_privilege status=\"successful use of priv\" name=\"PRIV_VFS_ADMIN\" />",
        )]),
    },
    Expected {
        file: "upriv_fail_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "status=\"failed use of priv\" name=\"PRIV_NET_RAW\" ",
            "<use_of_privilege status=\"failed use of priv\" name=\"PRIV_NET_RAW\" />",
        )]),
    },
    Expected {
        // gids 0, 20, 1000: OpenBSM closes the group after every gid.
        file: "newgroups_record",
        modes: XML_MODES,
        deviation: WellFormedXml,
        change: Replace(&[(
            "<group><gid>0</gid></group><gid>20</gid></group><gid>1000</gid></group>",
            "<group><gid>0</gid><gid>20</gid><gid>1000</gid></group>",
        )]),
    },
    Expected {
        // Token 0x33 (label), bytes de ad be ef: OpenBSM prints no element,
        // and its output has neither the prologue nor `<audit>`.
        file: "unknown_token_record",
        modes: &["nx"],
        deviation: WellFormedXml,
        change: Whole(concat!(
            "<?xml version='1.0' ?>\n<audit>\n",
            "<record version=\"11\" event=\"indir system call\" modifier=\"0\" ",
            "time=\"Tue Nov 14 22:13:20 2023\" msec=\" + 123 msec\" >\n",
            "<unknown id=\"0x33\">0xdeadbeef</unknown>\n",
            "</record>\n</audit>\n",
        )),
    },
    Expected {
        file: "unknown_token_record",
        modes: &["nxl"],
        deviation: WellFormedXml,
        change: Whole(concat!(
            "<?xml version='1.0' ?>\n<audit>\n",
            "<record version=\"11\" event=\"indir system call\" modifier=\"0\" ",
            "time=\"Tue Nov 14 22:13:20 2023\" msec=\" + 123 msec\" >",
            "<unknown id=\"0x33\">0xdeadbeef</unknown>",
            "</record>\n</audit>\n",
        )),
    },
];

/// What we must print for `file` in `mode`: OpenBSM's output, or its
/// listed deviation.
fn expected_output(file: &str, mode: &str, reference: &[u8]) -> (Vec<u8>, Option<Deviation>) {
    let mut listed = DEVIATIONS
        .iter()
        .filter(|d| d.file == file && d.modes.contains(&mode));
    let Some(entry) = listed.next() else {
        return (reference.to_vec(), None);
    };
    assert!(
        listed.next().is_none(),
        "{file}.{mode}: listed twice in DEVIATIONS"
    );
    let expected = match entry.change {
        Whole(text) => text.as_bytes().to_vec(),
        Replace(pairs) => {
            let mut text = reference.to_vec();
            for (openbsm, ours) in pairs {
                let at = find(&text, openbsm.as_bytes())
                    .unwrap_or_else(|| panic!("{file}.{mode}: OpenBSM's output lacks {openbsm:?}"));
                text.splice(at..at + openbsm.len(), ours.bytes());
            }
            text
        }
    };
    assert_ne!(
        expected, reference,
        "{file}.{mode}: listed as {:?} but the expected text equals OpenBSM's",
        entry.deviation
    );
    (expected, Some(entry.deviation))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[test]
fn every_file_in_every_mode_matches_openbsm_or_its_listed_deviation() {
    let context = context();
    let mut failures = Vec::new();
    let (mut identical, mut deviating) = (0, 0);
    for path in corpus() {
        let modes = modes_present(&path);
        // Every file of the corpus has all eight outputs.
        assert_eq!(
            modes.len(),
            MODES.len(),
            "{}: outputs {modes:?}",
            stem(&path)
        );
        for mode in modes.iter().map(String::as_str) {
            let reference = reference_output(&path, mode);
            let (expected, deviation) = expected_output(stem(&path), mode, &reference);
            let ours = render(&path, options(mode), &context);
            if ours != expected {
                failures.push(format!(
                    "{}.{mode} ({}):\n  expected {:?}\n  printed  {:?}",
                    stem(&path),
                    deviation.map_or("no deviation listed".to_owned(), |d| format!("{d:?}")),
                    String::from_utf8_lossy(&expected),
                    String::from_utf8_lossy(&ours),
                ));
            } else if deviation.is_some() {
                deviating += 1;
            } else {
                identical += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(identical + deviating, corpus().len() * MODES.len());
    eprintln!("{identical} outputs identical to OpenBSM's, {deviating} as listed deviations");
}

#[test]
fn every_listed_deviation_names_a_corpus_file_and_mode() {
    let names: Vec<String> = corpus().iter().map(|p| stem(p).to_owned()).collect();
    for entry in DEVIATIONS {
        assert!(
            names.iter().any(|n| n == entry.file),
            "{}: no such corpus file",
            entry.file
        );
        for mode in entry.modes {
            assert!(MODES.contains(mode), "{}: no mode {mode}", entry.file);
        }
        // Deviation 5 (more than 16 gids) has no corpus file; the unit
        // tests cover it.
        assert_ne!(entry.deviation, EveryGroupId);
    }
}

// ---------------------------------------------------------------------------
// XML: well-formed, one element per token.

/// What XML 1.0 allows in a document (its `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// An element at the first level under the root, with the number of
/// elements directly inside it.
#[derive(Debug, PartialEq, Eq)]
struct TopElement {
    name: String,
    children: usize,
}

/// Parses `xml` to the end with quick-xml, enforcing what quick-xml leaves
/// to its caller: one root element closed at the end, legal characters,
/// only predefined entities and legal character references, well-formed
/// attributes. Returns the elements under the root.
fn parse_xml(xml: &[u8]) -> Result<Vec<TopElement>, String> {
    use quick_xml::Reader;
    use quick_xml::events::{BytesStart, Event};

    let text = std::str::from_utf8(xml).map_err(|e| format!("not UTF-8: {e}"))?;
    if let Some(bad) = text.chars().find(|&c| !is_xml_char(c)) {
        return Err(format!(
            "character U+{:04X} is not allowed in XML 1.0",
            u32::from(bad)
        ));
    }
    let check_attributes = |element: &BytesStart<'_>| -> Result<(), String> {
        for attribute in element.attributes().with_checks(true) {
            let attribute = attribute.map_err(|e| format!("attribute: {e}"))?;
            attribute
                .unescape_value()
                .map_err(|e| format!("attribute value: {e}"))?;
        }
        Ok(())
    };
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut open: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut top = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Decl(_) if roots == 0 && open.is_empty() => {}
            Event::Start(ref element) | Event::Empty(ref element) => {
                check_attributes(element)?;
                let name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
                match open.len() {
                    0 => roots += 1,
                    1 => top.push(TopElement {
                        name: name.clone(),
                        children: 0,
                    }),
                    2 => {
                        if let Some(parent) = top.last_mut() {
                            parent.children += 1;
                        }
                    }
                    _ => {}
                }
                if roots > 1 {
                    return Err("more than one root element".into());
                }
                if matches!(event, Event::Start(_)) {
                    open.push(name);
                }
            }
            Event::End(_) => {
                open.pop().ok_or("end tag without a start tag")?;
            }
            Event::Text(ref content) => {
                let content = content.decode().map_err(|e| format!("text: {e}"))?;
                if open.is_empty() && !content.trim().is_empty() {
                    return Err(format!("text outside the root: {content:?}"));
                }
            }
            Event::GeneralRef(ref reference) => {
                if open.is_empty() {
                    return Err("reference outside the root".into());
                }
                match reference
                    .resolve_char_ref()
                    .map_err(|e| format!("reference: {e}"))?
                {
                    Some(c) if is_xml_char(c) => {}
                    Some(c) => return Err(format!("reference to U+{:04X}", u32::from(c))),
                    None => {
                        let name = reference.decode().map_err(|e| format!("reference: {e}"))?;
                        if !matches!(&*name, "amp" | "lt" | "gt" | "quot" | "apos") {
                            return Err(format!("undeclared entity &{name};"));
                        }
                    }
                }
            }
            Event::Eof => break,
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    if let Some(name) = open.last() {
        return Err(format!("<{name}> is never closed"));
    }
    if roots != 1 {
        return Err("no root element".into());
    }
    Ok(top)
}

/// The elements a trail's XML must have under `<audit>`: a `<record>` per
/// record holding one element per token between header and trailer, a
/// `<file>` per file token.
fn expected_xml_structure(bytes: &[u8]) -> Vec<TopElement> {
    Splitter::new(bytes)
        .map(|item| match item.expect("corpus trail splits") {
            TrailItem::Record(record) => TopElement {
                name: "record".into(),
                // The trailer closes <record> and has no element of its own.
                children: record.body().count(),
            },
            TrailItem::File(_) => TopElement {
                name: "file".into(),
                children: 0,
            },
        })
        .collect()
}

#[test]
fn xml_output_of_every_file_is_well_formed_with_an_element_per_token() {
    let context = context();
    for path in corpus() {
        let bytes = fs::read(&path).expect("corpus file");
        for mode in XML_MODES {
            let xml = render(&path, options(mode), &context);
            let name = format!("{}.{mode}", stem(&path));
            if is_bare_token(&path) {
                // A bare token is a fragment as libbsm's token printer shows
                // it: a header opens <record>, a trailer closes it. Checked
                // inside a document that supplies the other half.
                let (token, _) = decode_token(&bytes).expect("bare token decodes");
                let is_header = token.as_header().is_some();
                let is_trailer = matches!(token, Token::Trailer(_));
                let mut document = b"<audit>".to_vec();
                if is_trailer {
                    document.extend_from_slice(b"<record>");
                }
                document.extend_from_slice(&xml);
                if is_header {
                    document.extend_from_slice(b"</record>");
                }
                document.extend_from_slice(b"</audit>");
                let top = parse_xml(&document).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(top.len(), 1, "{name}: one element for one token");
            } else {
                let top = parse_xml(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    top,
                    expected_xml_structure(&bytes),
                    "{name}: one element per token"
                );
            }
        }
    }
}

#[test]
fn xml_checker_rejects_what_openbsm_prints_where_we_deviate() {
    // The checker itself must catch OpenBSM's broken outputs.
    for file in [
        "extra/text_xmlspecial_record",
        "extra/newgroups_record",
        "reference/ipc_record",
    ] {
        let xml =
            fs::read(conformance_dir().join(format!("{file}.nx.txt"))).expect("corpus output");
        assert!(parse_xml(&xml).is_err(), "{file}.nx.txt passed the checker");
    }
    assert!(parse_xml(b"<a>\x01</a>").is_err());
    assert!(parse_xml(b"<a>&#1;</a>").is_err());
    assert!(parse_xml(b"<a>&nbsp;</a>").is_err());
    assert!(parse_xml(b"<a><b></a>").is_err());
    assert!(parse_xml(b"<a>").is_err());
    assert!(parse_xml(b"<a/><b/>").is_err());
    assert!(parse_xml(b"<a x=\"1\" x=\"2\"/>").is_err());
    assert!(parse_xml(b"<a x=\"&#9;&amp;\">&#10;&lt;</a>").is_ok());
}

// ---------------------------------------------------------------------------
// JSON lines.

fn json_lines(output: &[u8]) -> Vec<serde_json::Value> {
    std::str::from_utf8(output)
        .expect("JSON output is UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn json_options() -> PrintOptions {
    PrintOptions {
        format: Format::Json,
        ..PrintOptions::default()
    }
}

fn to_json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("serialises")
}

/// A record's JSON line against the record: bsm-format's own serialisation
/// plus `event`, and the typed values spot-checked.
fn check_record_line(
    line: &serde_json::Value,
    record: &Record<'_>,
    context: &PrintContext,
    name: &str,
) {
    let mut without_event = line.clone();
    let event = without_event
        .as_object_mut()
        .and_then(|object| object.remove("event"))
        .unwrap_or_else(|| panic!("{name}: no event key"));
    assert_eq!(
        without_event,
        to_json(record),
        "{name}: record serialisation"
    );
    match context.event(record.event()) {
        Some(known) => {
            assert_eq!(event["name"], known.name.as_str(), "{name}");
            assert_eq!(event["description"], known.description.as_str(), "{name}");
            assert_eq!(event["classes"], known.classes.as_str(), "{name}");
        }
        None => assert!(event.is_null(), "{name}: unknown event"),
    }
    assert_eq!(line["offset"], record.offset(), "{name}");
    assert_eq!(line["header"]["event"], record.event(), "{name}");
    let tokens = line["tokens"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: tokens"));
    assert_eq!(tokens.len(), record.tokens().count(), "{name}: token count");
    for (value, token) in tokens.iter().zip(record.tokens()) {
        let token = token.expect("corpus tokens decode");
        assert_eq!(*value, to_json(&token), "{name}: token");
        match token {
            Token::Path(path) => assert_eq!(value["path"], *path.path.to_str_lossy(), "{name}"),
            Token::ExecArgs(exec) | Token::ExecEnv(exec) => {
                let strings: Vec<String> = exec
                    .strings
                    .iter()
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect();
                assert_eq!(
                    value["strings"],
                    to_json(&strings),
                    "{name}: exec strings as an array"
                );
            }
            _ => {}
        }
    }
    let time = record
        .time()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    assert_eq!(line["time"], to_json(&time), "{name}: time");
}

#[test]
fn json_output_of_every_file_parses_and_matches_the_tokens() {
    let context = context();
    for path in corpus() {
        let bytes = fs::read(&path).expect("corpus file");
        let name = stem(&path);
        let lines = json_lines(&render(&path, json_options(), &context));
        if is_bare_token(&path) {
            let (token, _) = decode_token(&bytes).expect("bare token decodes");
            assert_eq!(lines, vec![to_json(&token)], "{name}");
            continue;
        }
        let items: Vec<TrailItem<'_>> = Splitter::new(&bytes)
            .map(|item| item.expect("corpus trail splits"))
            .collect();
        assert_eq!(lines.len(), items.len(), "{name}: one line per item");
        for (line, item) in lines.iter().zip(&items) {
            match item {
                TrailItem::Record(record) => check_record_line(line, record, &context, name),
                TrailItem::File(file) => {
                    assert_eq!(line["file"], to_json(&file.token), "{name}");
                    assert!(line["time"].is_string(), "{name}: file time");
                }
            }
        }
    }
}

#[test]
fn json_spot_checks_on_the_multi_record_trail() {
    let path = conformance_dir().join("extra/multi_trail.bsm");
    let lines = json_lines(&render(&path, json_options(), &context()));
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["time"], "2023-11-14T22:13:20.000Z");
    assert_eq!(
        lines[0]["file"]["name"],
        "/var/audit/20231114221320.not_terminated"
    );
    assert_eq!(lines[1]["time"], "2023-11-14T22:13:20.123Z");
    assert_eq!(lines[1]["event"]["name"], "AUE_OPEN_R");
    assert_eq!(lines[1]["tokens"][2]["path"], "/etc/passwd");
    assert_eq!(lines[2]["event"]["name"], "AUE_EXECVE");
    assert_eq!(
        lines[2]["tokens"][2]["strings"],
        serde_json::json!(["/usr/bin/id", "-u"])
    );
    assert_eq!(lines[3]["tokens"][4]["status"], 146);
    assert_eq!(
        lines[4]["file"]["name"],
        "/var/audit/20231114221320.20231114221420"
    );
}
