//! lxbsm.ko's event and class tables (kernel-source/lxbsm_tables.c,
//! lxbsm.h) against bsm-format's built-in audit_event and audit_class:
//! the module must write the numbers our tools read back as the same
//! events, in the same classes.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use bsm_format::tables::{ClassTable, EventTable};

fn kernel_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../kernel-source")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `#define LXBSM_AC_XX 0x...u` of lxbsm.h: class name (lower case) to bit.
fn kernel_classes() -> HashMap<String, u32> {
    kernel_file("lxbsm.h")
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("#define LXBSM_AC_")?;
            let mut words = rest.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            let value = words.next()?.strip_prefix("0x")?.trim_end_matches('u');
            Some((name, u32::from_str_radix(value, 16).ok()?))
        })
        .collect()
}

/// One `#define NAME value` of lxbsm.h, as a number.
fn kernel_define(name: &str) -> u32 {
    kernel_file("lxbsm.h")
        .lines()
        .find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next()? == "#define" && words.next()? == name)
                .then(|| words.next()?.trim_end_matches('u').parse().ok())?
        })
        .unwrap_or_else(|| panic!("no #define {name} in lxbsm.h"))
}

/// The module's events: `enum lx_event` of lxbsm_int.h, without LXE_COUNT.
fn kernel_event_ids() -> Vec<String> {
    let header = kernel_file("lxbsm_int.h");
    let start = header.find("enum lx_event {").expect("enum lx_event");
    let body = &header[start..];
    let body = &body[..body.find("};").expect("the enum's end")];
    body.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|word| word.starts_with("LXE_") && *word != "LXE_COUNT")
        .map(str::to_owned)
        .collect()
}

/// An `EV(LXE_..., number, CLASSES, "AUE_...")` row of lxbsm_tables.c.
#[derive(Debug)]
struct KernelEvent {
    id: String,
    number: u32,
    /// Class names, lower case; empty for 0.
    classes: Vec<String>,
    name: String,
}

fn kernel_events() -> Vec<KernelEvent> {
    let source = kernel_file("lxbsm_tables.c");
    let rows: Vec<KernelEvent> = source
        .lines()
        .filter_map(|line| {
            let args = line.trim().strip_prefix("EV(")?.strip_suffix("),")?;
            let fields: Vec<&str> = args.split(", ").collect();
            let [id, number, classes, name] = fields[..] else {
                panic!("an EV row of another shape: {line}");
            };
            let number = match number.parse() {
                Ok(number) => number,
                Err(_) => kernel_define(number),
            };
            let classes = if classes == "0" {
                Vec::new()
            } else {
                classes
                    .split(" | ")
                    .map(|class| class.to_ascii_lowercase())
                    .collect()
            };
            Some(KernelEvent {
                id: id.to_owned(),
                number,
                classes,
                name: name.trim_matches('"').to_owned(),
            })
        })
        .collect();
    let mut ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    ids.sort_unstable();
    let mut enum_ids = kernel_event_ids();
    enum_ids.sort_unstable();
    assert_eq!(ids, enum_ids, "one EV row per enum lx_event entry");
    rows
}

#[test]
fn the_modules_class_bits_are_audit_class_s() {
    let classes = ClassTable::builtin();
    let kernel = kernel_classes();
    assert!(kernel.len() >= 11, "{kernel:?}");
    for (name, bit) in &kernel {
        let class = classes
            .by_name(name)
            .unwrap_or_else(|| panic!("class {name} is not in audit_class"));
        assert_eq!(class.mask, *bit, "class {name}");
    }
}

#[test]
fn every_event_the_module_writes_is_audit_event_s_by_number_name_and_classes() {
    let events = EventTable::builtin();
    let classes = kernel_classes();
    for row in kernel_events() {
        let number = u16::try_from(row.number).expect("event numbers are 16 bits");
        let event = events
            .by_number(number)
            .unwrap_or_else(|| panic!("{} ({number}) is not in audit_event", row.name));
        assert_eq!(event.name, row.name, "event {number}");
        let mask: u32 = row.classes.iter().map(|class| classes[class]).sum();
        if row.classes.is_empty() {
            // deselected until told: audit_event's "no" (or no class), or
            // the loss notice, which preselection never drops
            assert!(
                event.mask == 0 || row.name == "AUE_audit_recovery",
                "{} has classes {} in audit_event, none in the module",
                row.name,
                event.classes
            );
        } else {
            assert_eq!(
                mask, event.mask,
                "{}: the module's classes {:?}, audit_event's {}",
                row.name, row.classes, event.classes
            );
        }
    }
}

#[test]
fn the_modules_own_events_do_not_take_a_number_audit_event_gives_another() {
    let events = EventTable::builtin();
    let loss = kernel_define("LXBSM_LOSS_EVENT");
    assert_eq!(
        events.by_number(loss as u16).map(|e| e.name.as_str()),
        Some("AUE_audit_recovery")
    );
    let uring = kernel_define("LXBSM_URING_EVENT");
    assert!(
        events.by_number(uring as u16).is_none(),
        "{uring} is audit_event's {:?}",
        events.by_number(uring as u16)
    );
}
