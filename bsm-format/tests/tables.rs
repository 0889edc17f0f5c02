//! The lookup tables against OpenBSM's sample files and praudit's real output.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use bsm_format::tables::{
    ClassTable, EventTable, LineProblem, Preselection, TableError, errno, socket,
};
use proptest::prelude::*;

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
}

fn read_conformance(relative: &str) -> String {
    let path = conformance_dir().join(relative);
    fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The data lines of a table file, split on `:` independently of the library.
fn reference_lines(relative: &str) -> Vec<Vec<String>> {
    read_conformance(relative)
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| line.split(':').map(str::to_owned).collect())
        .collect()
}

fn reference_class_masks() -> HashMap<String, u32> {
    reference_lines("etc/audit_class")
        .into_iter()
        .map(|fields| {
            let mask = u32::from_str_radix(fields[0].trim_start_matches("0x"), 16).unwrap();
            (fields[1].clone(), mask)
        })
        .collect()
}

fn line_problem(error: TableError) -> (usize, LineProblem) {
    match error {
        TableError::Line { line, problem } => (line, problem),
        other => panic!("expected a line error, got {other:?}"),
    }
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("bsm-tables-{}-{name}", std::process::id()));
    fs::write(&path, contents).unwrap();
    path
}

// ---- audit_class ----

#[test]
fn builtin_classes_match_the_sample_file() {
    let reference = reference_lines("etc/audit_class");
    let builtin = ClassTable::builtin();
    assert_eq!(builtin.len(), reference.len());
    for (class, fields) in builtin.iter().zip(&reference) {
        assert_eq!(fields.len(), 3);
        let mask = u32::from_str_radix(fields[0].trim_start_matches("0x"), 16).unwrap();
        assert_eq!(class.mask, mask);
        assert_eq!(class.name, fields[1]);
        assert_eq!(class.description, fields[2]);
        assert_eq!(builtin.by_name(&class.name), Some(class));
        assert_eq!(builtin.by_mask(class.mask), Some(class));
    }
}

#[test]
fn known_classes() {
    let classes = ClassTable::builtin();
    let lo = classes.by_name("lo").unwrap();
    assert_eq!((lo.mask, lo.description.as_str()), (0x1000, "login_logout"));
    assert_eq!(classes.by_mask(0x4000_0000).unwrap().name, "ex");
    assert_eq!(classes.by_mask(u32::MAX).unwrap().name, "all");
    assert_eq!(classes.by_mask(0).unwrap().name, "no");
    assert!(classes.by_name("ua").is_none());
    assert!(classes.by_mask(0x8000).is_none());
}

#[test]
fn class_lines_accept_hex_decimal_comments_and_blank_lines() {
    let text = "# comment\n\n0x00000010:fc:file create\r\n4096:lo:login_logout\n";
    let classes = ClassTable::parse(text).unwrap();
    assert_eq!(classes.len(), 2);
    assert_eq!(classes.by_name("fc").unwrap().mask, 0x10);
    assert_eq!(classes.by_name("lo").unwrap().mask, 0x1000);
    assert_eq!(classes.by_name("fc").unwrap().description, "file create");
}

#[test]
fn bad_class_lines_name_the_line_and_the_problem() {
    let cases = [
        ("0xzz:fr:file read", LineProblem::BadMask("0xzz".into())),
        (
            "0x100000000:fr:file read",
            LineProblem::BadMask("0x100000000".into()),
        ),
        ("-1:fr:file read", LineProblem::BadMask("-1".into())),
        ("0x1:fr", LineProblem::MissingField("description")),
        ("0x1::file read", LineProblem::MissingField("name")),
        (
            "0x1:fr:file:read",
            LineProblem::TooManyFields {
                expected: 3,
                found: 4,
            },
        ),
    ];
    for (line, expected) in cases {
        let error = ClassTable::parse(&format!("# header\n{line}\n")).unwrap_err();
        assert!(error.to_string().starts_with("line 2: "), "{error}");
        assert_eq!(line_problem(error), (2, expected), "{line}");
    }
}

// ---- class flags ----

#[test]
fn class_flags_parse_to_hand_computed_masks() {
    let classes = ClassTable::builtin();
    let cases = [
        ("lo", 0x1000, 0x1000),
        ("+ad", 0x800, 0),
        ("-fc", 0, 0x10),
        ("all,^fr", 0xffff_fffe, 0xffff_fffe),
        ("^-ex", 0, 0),
        ("all,^-ex", 0xffff_ffff, 0xbfff_ffff),
        ("all,^+fw", 0xffff_fffd, 0xffff_ffff),
        ("lo,+ad,-fc", 0x1800, 0x1010),
        ("lo,+ad,-fc,^fr,^-ex,^+fw, all", 0xffff_ffff, 0xffff_ffff),
        ("fr,fw,^-fr", 0x3, 0x2),
        (" lo , ,ex,", 0x4000_1000, 0x4000_1000),
        ("", 0, 0),
        ("no", 0, 0),
    ];
    for (flags, success, failure) in cases {
        assert_eq!(
            classes.parse_flags(flags).unwrap(),
            Preselection { success, failure },
            "{flags}"
        );
    }
}

#[test]
fn class_flags_reject_unknown_and_missing_class_names() {
    let classes = ClassTable::builtin();
    let error = classes.parse_flags("lo,+bogus").unwrap_err();
    assert!(matches!(&error, TableError::UnknownClass(name) if name == "bogus"));
    assert!(error.to_string().contains("bogus"));
    for flags in ["^", "+", "-", "lo,^+", "^-"] {
        assert!(
            matches!(
                classes.parse_flags(flags),
                Err(TableError::MissingClassName(_))
            ),
            "{flags}"
        );
    }
}

#[test]
fn class_flags_format_canonically() {
    let classes = ClassTable::builtin();
    let format = |success, failure| classes.format_flags(Preselection { success, failure });
    assert_eq!(format(0x1800, 0x1010), "-fc,+ad,lo");
    assert_eq!(format(u32::MAX, u32::MAX), "all");
    assert_eq!(format(u32::MAX, 0), "+all");
    assert_eq!(format(u32::MAX, 0x1000), "lo,+all");
    assert_eq!(format(0, 0), "");
    assert_eq!(format(0x4000_0001, 0x4000_0001), "fr,ex");
    // Bits that no class covers are left out.
    assert_eq!(format(0x8000, 0), "");
}

#[test]
fn preselection_matches_by_outcome() {
    let selection = ClassTable::builtin().parse_flags("lo,+ad,-fc").unwrap();
    assert!(selection.matches(0x1000, true));
    assert!(selection.matches(0x1000, false));
    assert!(selection.matches(0x800, true));
    assert!(!selection.matches(0x800, false));
    assert!(!selection.matches(0x10, true));
    assert!(selection.matches(0x10, false));
    assert!(selection.matches(0x1001, true));
    assert!(!selection.matches(0, true));
}

fn known_class_mask() -> impl Strategy<Value = u32> {
    let masks: Vec<u32> = ClassTable::builtin()
        .iter()
        .map(|class| class.mask)
        .collect();
    proptest::sample::subsequence(masks.clone(), 0..=masks.len())
        .prop_map(|chosen| chosen.into_iter().fold(0, |mask, class| mask | class))
}

proptest! {
    #[test]
    fn class_flags_round_trip(success in known_class_mask(), failure in known_class_mask()) {
        let classes = ClassTable::builtin();
        let selection = Preselection { success, failure };
        let flags = classes.format_flags(selection);
        prop_assert_eq!(classes.parse_flags(&flags).unwrap(), selection, "{}", flags);
    }

    #[test]
    fn class_flags_never_panic(flags in "[-+^, a-z]{0,40}") {
        let _ = ClassTable::builtin().parse_flags(&flags);
    }

    #[test]
    fn table_parsers_never_panic(text in "[0-9a-fx:#,\n A-Z_()-]{0,200}") {
        let _ = ClassTable::parse(&text);
        let _ = EventTable::parse(&text, ClassTable::builtin());
        let _ = EventTable::parse_lenient(&text, ClassTable::builtin());
    }
}

// ---- audit_event ----

#[test]
fn builtin_events_match_the_sample_file_field_by_field() {
    let reference = reference_lines("etc/audit_event");
    let class_masks = reference_class_masks();
    let events = EventTable::builtin();
    assert_eq!(events.len(), reference.len());
    assert_eq!(events.iter().count(), reference.len());
    for (event, fields) in events.iter().zip(&reference) {
        assert_eq!(fields.len(), 4, "{fields:?}");
        assert_eq!(event.number.to_string(), fields[0]);
        assert_eq!(event.name, fields[1]);
        assert_eq!(event.description, fields[2]);
        assert_eq!(event.classes, fields[3]);
        let mask = fields[3]
            .split(',')
            .filter_map(|name| class_masks.get(name))
            .fold(0, |mask, class| mask | class);
        assert_eq!(event.mask, mask, "{}", event.name);
    }
}

#[test]
fn builtin_events_are_found_by_number_and_name() {
    let events = EventTable::builtin();
    let open_r = events.by_number(72).unwrap();
    assert_eq!(open_r.name, "AUE_OPEN_R");
    assert_eq!(open_r.description, "open(2) - read");
    assert_eq!((open_r.classes.as_str(), open_r.mask), ("fr", 0x1));
    assert_eq!(events.by_name("AUE_OPEN_R"), Some(open_r));

    let execve = events.by_number(23).unwrap();
    assert_eq!(
        (execve.name.as_str(), execve.description.as_str()),
        ("AUE_EXECVE", "execve(2)")
    );
    assert_eq!(
        (execve.classes.as_str(), execve.mask),
        ("pc,ex", 0x4000_0080)
    );

    let logout = events.by_number(6153).unwrap();
    assert_eq!(
        (logout.name.as_str(), logout.description.as_str()),
        ("AUE_logout", "logout - local")
    );
    assert_eq!(logout.mask, 0x1000);

    assert_eq!(events.by_number(0).unwrap().name, "AUE_NULL");
    assert_eq!(
        events.by_number(45030).map(|event| event.number),
        Some(45030)
    );
    assert!(events.by_number(2048).is_none());
    assert!(events.by_name("AUE_NO_SUCH_EVENT").is_none());
}

#[test]
fn repeated_event_numbers_resolve_to_the_first_line() {
    let events = EventTable::builtin();
    for (number, first, later) in [
        (301, "AUE_PORTFS", "AUE_DARWIN_GETFSSTAT"),
        (6168, "AUE_shutdown", "AUE_poweroff"),
        (6171, "AUE_ftpd_logout", "AUE_DARWIN_audit_startup"),
        (6172, "AUE_ssh", "AUE_DARWIN_audit_shutdown"),
    ] {
        assert_eq!(events.by_number(number).unwrap().name, first);
        assert_eq!(events.by_name(later).unwrap().number, number);
        assert_eq!(
            events.iter().filter(|event| event.number == number).count(),
            2
        );
    }
}

#[test]
fn the_sample_uses_a_class_the_sample_class_file_lacks() {
    let events = EventTable::builtin();
    let kadmind = events.by_number(6214).unwrap();
    assert_eq!(
        (kadmind.name.as_str(), kadmind.classes.as_str()),
        ("AUE_kadmind_auth", "ua")
    );
    assert_eq!(kadmind.mask, 0);

    let text = read_conformance("etc/audit_event");
    let error = EventTable::parse(&text, ClassTable::builtin()).unwrap_err();
    assert_eq!(
        line_problem(error),
        (666, LineProblem::UnknownClass("ua".into()))
    );
}

#[test]
fn lenient_parsing_keeps_the_known_classes() {
    let events =
        EventTable::parse_lenient("1:AUE_X:x:lo,nope,ex\n", ClassTable::builtin()).unwrap();
    assert_eq!(events.by_number(1).unwrap().mask, 0x4000_1000);
}

#[test]
fn event_descriptions_keep_their_punctuation() {
    let events = EventTable::builtin();
    let event = events.by_name("AUE_OPEN_RWTC").unwrap();
    assert_eq!(event.description, "open(2) - read,write,creat,trunc");
}

#[test]
fn bad_event_lines_name_the_line_and_the_problem() {
    let classes = ClassTable::builtin();
    let cases = [
        ("x72:AUE_X:x:fr", LineProblem::BadNumber("x72".into())),
        ("+72:AUE_X:x:fr", LineProblem::BadNumber("+72".into())),
        ("-1:AUE_X:x:fr", LineProblem::BadNumber("-1".into())),
        (
            "65536:AUE_X:x:fr",
            LineProblem::NumberOutOfRange("65536".into()),
        ),
        (
            "99999999999999999999:AUE_X:x:fr",
            LineProblem::NumberOutOfRange("99999999999999999999".into()),
        ),
        ("72:AUE_X", LineProblem::MissingField("description")),
        ("72:AUE_X:x", LineProblem::MissingField("classes")),
        ("72:AUE_X:x:", LineProblem::MissingField("classes")),
        (":AUE_X:x:fr", LineProblem::MissingField("number")),
        ("72: :x:fr", LineProblem::MissingField("name")),
        (
            "72:AUE_X:x:fr:more",
            LineProblem::TooManyFields {
                expected: 4,
                found: 5,
            },
        ),
        ("72:AUE_X:x:fr,zz", LineProblem::UnknownClass("zz".into())),
    ];
    for (line, expected) in cases {
        let text = format!("# header\n\n1:AUE_EXIT:exit(2):pc\n{line}\n");
        let error = EventTable::parse(&text, classes).unwrap_err();
        assert!(error.to_string().starts_with("line 4: "), "{error}");
        assert_eq!(line_problem(error), (4, expected), "{line}");
    }
    let error = EventTable::parse("72:AUE_X:x:zz\n", classes).unwrap_err();
    assert_eq!(error.to_string(), "line 1: unknown audit class `zz`");
}

#[test]
fn loading_reads_host_files_and_names_them_in_errors() {
    let classes = ClassTable::load(conformance_dir().join("etc/audit_class")).unwrap();
    assert_eq!(&classes, ClassTable::builtin());
    let events =
        EventTable::load_lenient(conformance_dir().join("etc/audit_event"), &classes).unwrap();
    assert_eq!(&events, EventTable::builtin());

    let strict = EventTable::load(conformance_dir().join("etc/audit_event"), &classes);
    assert!(matches!(strict, Err(TableError::InFile { .. })));

    let missing = conformance_dir().join("etc/no_such_table");
    let error = EventTable::load(&missing, &classes).unwrap_err();
    assert!(matches!(error, TableError::Read { .. }));
    assert!(error.to_string().contains("no_such_table"), "{error}");

    let bad = temp_file("audit_class", "0x1:fr:file read\nzz:fw:file write\n");
    let error = ClassTable::load(&bad).unwrap_err();
    let message = error.to_string();
    fs::remove_file(&bad).unwrap();
    assert!(message.contains(&*bad.to_string_lossy()), "{message}");
    assert!(message.contains("line 2: bad class mask `zz`"), "{message}");
}

// ---- errno ----

/// The status byte and value of each return32 token in a trail of header32 records and file
/// tokens. A return token sits right before the trailer.
fn return_tokens(trail: &[u8]) -> Vec<(u8, u32)> {
    let be_u32 = |at: usize| u32::from_be_bytes(trail[at..at + 4].try_into().unwrap());
    let mut returns = Vec::new();
    let mut at = 0;
    while at < trail.len() {
        match trail[at] {
            0x11 => {
                let name_len = usize::from(u16::from_be_bytes([trail[at + 9], trail[at + 10]]));
                at += 11 + name_len;
            }
            0x14 => {
                let size = be_u32(at + 1) as usize;
                let record = &trail[at..at + size];
                assert_eq!(&record[size - 7..size - 4], [0x13, 0xb1, 0x05], "trailer");
                let token = &record[size - 13..size - 7];
                if token[0] == 0x27 {
                    returns.push((token[1], be_u32(at + size - 11)));
                }
                at += size;
            }
            other => panic!("unexpected token 0x{other:02x} at {at}"),
        }
    }
    returns
}

/// The `return` lines praudit printed: `None` for success, else the text after `failure : `,
/// with the value.
fn praudit_returns(text: &str) -> Vec<(Option<String>, u32)> {
    text.lines()
        .filter_map(|line| line.strip_prefix("return,"))
        .map(|rest| {
            let (outcome, value) = rest.rsplit_once(',').unwrap();
            let description = match outcome {
                "success" => None,
                failure => Some(failure.strip_prefix("failure : ").unwrap().to_owned()),
            };
            (description, value.parse().unwrap())
        })
        .collect()
}

fn assert_descriptions_match_praudit(bsm_path: &PathBuf, text_path: &PathBuf) -> usize {
    let trail = fs::read(bsm_path).unwrap();
    let text = fs::read_to_string(text_path).unwrap();
    let decoded = return_tokens(&trail);
    let printed = praudit_returns(&text);
    assert_eq!(decoded.len(), printed.len(), "{}", bsm_path.display());
    assert!(!decoded.is_empty(), "{}", bsm_path.display());
    for ((status, value), (description, printed_value)) in decoded.into_iter().zip(printed) {
        assert_eq!(value, printed_value);
        match description {
            None => assert_eq!(status, 0),
            Some(description) => {
                let errno = errno::by_bsm(status)
                    .unwrap_or_else(|| panic!("{}: status {status}", bsm_path.display()));
                assert_eq!(errno.description, description, "{}", bsm_path.display());
                assert_eq!(errno::describe(status), description);
            }
        }
    }
    1
}

#[test]
fn errno_descriptions_match_praudit_for_every_errno_record() {
    let reference = conformance_dir().join("reference");
    let entries =
        fs::read_dir(&reference).unwrap_or_else(|error| panic!("{}: {error}", reference.display()));
    let mut checked = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = file_name.strip_suffix("_record.n.txt")
            && stem.starts_with('E')
        {
            let bsm = reference.join(format!("{stem}_record.bsm"));
            checked += assert_descriptions_match_praudit(&bsm, &path);
        }
    }
    assert!(checked >= 32, "only {checked} errno records found");

    let extra = conformance_dir().join("extra");
    assert_descriptions_match_praudit(
        &extra.join("multi_trail.bsm"),
        &extra.join("multi_trail.n.txt"),
    );
}

#[test]
fn errno_table_round_trips() {
    let mut previous = None;
    for entry in errno::ERRNOS {
        assert!(
            previous < Some(entry.bsm),
            "table out of order at {}",
            entry.name
        );
        previous = Some(entry.bsm);
        assert_eq!(errno::by_bsm(entry.bsm), Some(entry));
        assert_eq!(errno::by_name(entry.name), Some(entry));
        assert_eq!(errno::describe(entry.bsm), entry.description);
        assert!(entry.name.starts_with('E'), "{}", entry.name);
        assert!(!entry.description.is_empty());
        if let Some(linux) = entry.linux {
            let back = errno::from_linux(linux).unwrap();
            assert_eq!(back.linux, Some(linux));
            assert_eq!(back.description, entry.description);
        }
    }
    let bsm_numbers: Vec<u8> = errno::ERRNOS.iter().map(|entry| entry.bsm).collect();
    for bsm in 0..=u8::MAX {
        assert_eq!(errno::by_bsm(bsm).is_some(), bsm_numbers.contains(&bsm));
    }
}

#[test]
fn errno_known_values() {
    let check = |name: &str, bsm: u8, linux: Option<i32>, description: &str| {
        let entry = errno::by_name(name).unwrap();
        assert_eq!(
            (entry.bsm, entry.linux, entry.description),
            (bsm, linux, description)
        );
    };
    check("ESUCCESS", 0, Some(0), "Success");
    check("EPERM", 1, Some(1), "Operation not permitted");
    check("ENOENT", 2, Some(2), "No such file or directory");
    check("EAGAIN", 11, Some(11), "Resource temporarily unavailable");
    check("ENOMSG", 35, Some(42), "No message of desired type");
    check("EDEADLK", 45, Some(35), "Resource deadlock avoided");
    check("ENOTSUP", 48, Some(95), "Operation not supported");
    check("ENETUNREACH", 128, Some(101), "Network is unreachable");
    check("ECONNREFUSED", 146, Some(111), "Connection refused");
    check("ESTALE", 151, Some(116), "Stale file handle");
    check("EPROCLIM", 190, None, "Too many processes");
    check(
        "EKEYREJECTED",
        222,
        Some(129),
        "Key was rejected by service",
    );
    check("ECAPMODE", 224, None, "Not permitted in capability mode");
    check("EINTEGRITY", 225, None, "Integrity check failed");
    assert!(errno::by_name("BOGUS").is_none());
    assert!(errno::by_bsm(errno::UNKNOWN).is_none());
    assert_eq!(errno::describe(errno::UNKNOWN), "Unrecognized BSM error");
    assert_eq!(errno::describe(75), errno::UNRECOGNIZED_DESCRIPTION);
}

#[test]
fn errno_linux_aliases() {
    // EWOULDBLOCK is EAGAIN (11) on Linux; EDEADLOCK is EDEADLK (35).
    assert_eq!(errno::by_name("EWOULDBLOCK"), errno::by_name("EAGAIN"));
    assert_eq!(errno::from_linux(11).map(|entry| entry.bsm), Some(11));
    assert_eq!(errno::from_linux(35).map(|entry| entry.bsm), Some(45));
    assert_eq!(errno::by_name("EDEADLOCK").unwrap().linux, Some(35));
    assert_eq!(errno::by_name("EDEADLOCK").unwrap().bsm, 56);
    // EOPNOTSUPP and ENOTSUP are both 95; like libbsm we write BSM ENOTSUP.
    assert_eq!(errno::from_linux(95).map(|entry| entry.bsm), Some(48));
    assert_eq!(errno::by_name("EOPNOTSUPP").unwrap().bsm, 122);
}

#[test]
fn every_linux_errno_but_two_has_a_bsm_number() {
    // 41 and 58 are unused on Linux; ERFKILL (132) and EHWPOISON (133) have no BSM number.
    for linux in 0..=131 {
        let mapped = errno::from_linux(linux);
        assert_eq!(
            mapped.is_some(),
            linux != 41 && linux != 58,
            "Linux errno {linux}"
        );
    }
    for linux in [-1, 132, 133, 134, 4096, i32::MIN, i32::MAX] {
        assert!(errno::from_linux(linux).is_none(), "Linux errno {linux}");
    }
}

// ---- sockets ----

#[test]
fn socket_domains_convert_both_ways() {
    for (bsm, linux, name) in [
        (0, 0, "PF_UNSPEC"),
        (1, 1, "PF_LOCAL"),
        (2, 2, "PF_INET"),
        (26, 10, "PF_INET6"),
        (24, 16, "PF_ROUTE"),
        (27, 15, "PF_KEY"),
        (16, 5, "PF_APPLETALK"),
        (522, 17, "PF_PACKET"),
        (516, 31, "PF_BLUETOOTH"),
        (534, 35, "PF_PHONET"),
    ] {
        assert_eq!(socket::domain_to_linux(bsm), Some(linux), "{name}");
        assert_eq!(socket::domain_from_linux(linux), Some(bsm), "{name}");
        assert_eq!(socket::domain_name(bsm), Some(name));
    }
    assert_eq!(socket::domain_name(3), Some("PF_IMPLINK"));
    assert_eq!(socket::domain_to_linux(3), None);
    assert_eq!(socket::domain_name(517), None);
    assert_eq!(socket::domain_name(socket::DOMAIN_UNKNOWN), None);
    // AF_BRIDGE (7) and AF_VSOCK (40) have no BSM number.
    assert_eq!(socket::domain_from_linux(7), None);
    assert_eq!(socket::domain_from_linux(40), None);
    assert_eq!(socket::domain_from_linux(u16::MAX), None);
    assert_eq!(socket::domain_to_linux(u16::MAX), None);
}

#[test]
fn socket_types_convert_both_ways() {
    for (bsm, linux, name) in [
        (2, 1, "SOCK_STREAM"),
        (1, 2, "SOCK_DGRAM"),
        (4, 3, "SOCK_RAW"),
        (5, 4, "SOCK_RDM"),
        (6, 5, "SOCK_SEQPACKET"),
    ] {
        assert_eq!(socket::type_to_linux(bsm), Some(linux), "{name}");
        assert_eq!(socket::type_from_linux(linux), Some(bsm), "{name}");
        assert_eq!(socket::type_name(bsm), Some(name));
    }
    assert_eq!(socket::type_to_linux(3), None);
    assert_eq!(socket::type_name(socket::TYPE_UNKNOWN), None);
    // SOCK_DCCP (6) and SOCK_PACKET (10) have no BSM number.
    assert_eq!(socket::type_from_linux(6), None);
    assert_eq!(socket::type_from_linux(10), None);
}

#[test]
fn socket_tables_round_trip() {
    for (table, to_linux, from_linux, name_of) in [
        (
            socket::DOMAINS,
            socket::domain_to_linux as fn(u16) -> Option<u16>,
            socket::domain_from_linux as fn(u16) -> Option<u16>,
            socket::domain_name as fn(u16) -> Option<&'static str>,
        ),
        (
            socket::TYPES,
            socket::type_to_linux,
            socket::type_from_linux,
            socket::type_name,
        ),
    ] {
        let mut previous = None;
        for constant in table {
            assert!(
                previous < Some(constant.bsm),
                "out of order at {}",
                constant.name
            );
            previous = Some(constant.bsm);
            assert_eq!(name_of(constant.bsm), Some(constant.name));
            assert_eq!(to_linux(constant.bsm), constant.linux);
            if let Some(linux) = constant.linux {
                assert_eq!(from_linux(linux), Some(constant.bsm), "{}", constant.name);
            }
        }
    }
}
