//! bsmreport on a trail whose every count is known by construction: 19
//! records of three processes (a cat that opens, reads, seeks, writes and
//! closes; a login, su and logout; a daemon's connections), built with
//! bsm-writer. Each report is checked against the numbers the list below
//! implies, worked out by hand.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bsm_format::ProcessIds;
use bsm_format::tables::EventTable;
use bsm_writer::token::{self, EncodedToken};
use bsm_writer::{AuditTime, RecordBuilder};
use serde_json::{Value, json};

/// 2026-01-02 10:00:00 UTC.
const BASE: u64 = 1_767_348_000;
const UNSET: u32 = u32::MAX;
const EBADF: u8 = 9;
const EACCES: u8 = 13;
/// BSM's ECONNREFUSED (not Linux's 111).
const ECONNREFUSED: u8 = 146;

struct Who {
    auid: u32,
    euid: u32,
    pid: u32,
    terminal: (u32, Ipv4Addr),
}

const ALICE: Who = Who {
    auid: 1000,
    euid: 1000,
    pid: 100,
    terminal: (0, Ipv4Addr::UNSPECIFIED),
};
const BOB: Who = Who {
    auid: 1001,
    euid: 1001,
    pid: 200,
    terminal: (22, Ipv4Addr::new(192, 0, 2, 5)),
};
const BOB_AS_ROOT: Who = Who { euid: 0, ..BOB };
const DAEMON: Who = Who {
    auid: UNSET,
    euid: 0,
    pid: 300,
    terminal: (0, Ipv4Addr::UNSPECIFIED),
};

fn event(name: &str) -> u16 {
    EventTable::builtin()
        .by_name(name)
        .unwrap_or_else(|| panic!("{name} not in the table"))
        .number
}

/// A record: its tokens, then the subject and the return token.
fn record(
    name: &str,
    who: &Who,
    second: u64,
    tokens: Vec<EncodedToken>,
    status: u8,
    value: u32,
) -> Vec<u8> {
    let ids = ProcessIds {
        auid: who.auid,
        euid: who.euid,
        egid: who.euid,
        ruid: who.auid.min(who.euid),
        rgid: who.euid,
        pid: who.pid,
        sid: who.pid,
    };
    let mut builder = RecordBuilder::new(event(name)).at(AuditTime::new(BASE + second, 0));
    for token in tokens {
        builder.write(&token);
    }
    builder
        .with(token::subject32(ids, who.terminal.0, who.terminal.1).unwrap())
        .with(token::return32(status, value).unwrap())
        .close()
        .unwrap()
}

fn path(p: &str) -> EncodedToken {
    token::path(p).unwrap()
}

fn fd(n: u32) -> EncodedToken {
    token::arg32(1, "fd", n).unwrap()
}

fn peer(a: [u8; 4], port: u16) -> EncodedToken {
    token::sock_inet32(2, SocketAddrV4::new(Ipv4Addr::from(a), port)).unwrap()
}

/// The 19 records, in time order.
fn trail() -> Vec<u8> {
    let exec_args = token::exec_args(&["cat", "/etc/motd"]).unwrap();
    let socket = token::socket_ex(
        2,
        1,
        "10.0.0.1:5000".parse().unwrap(),
        "198.51.100.7:443".parse().unwrap(),
    )
    .unwrap();
    [
        // alice's cat, pid 100
        record(
            "AUE_EXECVE",
            &ALICE,
            0,
            vec![exec_args, path("/bin/cat")],
            0,
            0,
        ),
        record("AUE_OPEN_R", &ALICE, 1, vec![path("/etc/motd")], 0, 3),
        // reads and the seek without a path: put to /etc/motd through fd 3
        record("AUE_READ", &ALICE, 2, vec![fd(3)], 0, 100),
        record("AUE_READ", &ALICE, 3, vec![fd(3)], 0, 50),
        record("AUE_READ", &ALICE, 4, vec![fd(3)], 0, 0),
        record("AUE_LSEEK", &ALICE, 5, vec![fd(3)], 0, 0),
        record("AUE_CLOSE", &ALICE, 6, vec![fd(3), path("/etc/motd")], 0, 0),
        record("AUE_OPEN_WC", &ALICE, 7, vec![path("/tmp/out")], 0, 4),
        record("AUE_WRITE", &ALICE, 8, vec![fd(4), path("/tmp/out")], 0, 10),
        record("AUE_WRITE", &ALICE, 9, vec![fd(4), path("/tmp/out")], 0, 10),
        // a descriptor never opened: "fd 9"
        record("AUE_WRITE", &ALICE, 10, vec![fd(9)], EBADF, u32::MAX),
        record("AUE_CLOSE", &ALICE, 11, vec![fd(4)], 0, 0),
        // bob, pid 200, from 192.0.2.5 port 22
        record("AUE_login", &BOB, 60, vec![], 0, 0),
        record("AUE_su", &BOB_AS_ROOT, 61, vec![], 0, 0),
        record(
            "AUE_OPEN_R",
            &BOB_AS_ROOT,
            62,
            vec![path("/etc/shadow")],
            EACCES,
            u32::MAX,
        ),
        // a daemon without an audit user, pid 300
        record("AUE_CONNECT", &DAEMON, 120, vec![fd(5), socket], 0, 0),
        record(
            "AUE_ACCEPT",
            &DAEMON,
            121,
            vec![fd(6), peer([203, 0, 113, 9], 5555)],
            0,
            7,
        ),
        record(
            "AUE_CONNECT",
            &DAEMON,
            122,
            vec![fd(8), peer([198, 51, 100, 7], 80)],
            ECONNREFUSED,
            u32::MAX,
        ),
        // the next hour
        record("AUE_logout", &BOB, 3605, vec![], 0, 0),
    ]
    .concat()
}

fn trail_file() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bsmreport-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("known.bsm");
    if !file.exists() {
        let temporary = dir.join(format!("known.{:?}", std::thread::current().id()));
        std::fs::write(&temporary, trail()).unwrap();
        std::fs::rename(&temporary, &file).unwrap();
    }
    file
}

fn bsmreport(args: &[&str], trail: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bsmreport"))
        .args(args)
        .arg("--utc")
        .arg(trail)
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

/// The report as JSON rows; the run must succeed.
fn rows(args: &[&str]) -> Vec<Value> {
    let mut args = args.to_vec();
    args.push("--json");
    let out = bsmreport(&args, &trail_file());
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn at(second: u64) -> String {
    let base = chrono::DateTime::from_timestamp((BASE + second) as i64, 0).unwrap();
    base.format("%Y-%m-%d %H:%M:%S.000").to_string()
}

#[test]
fn summary_counts_records_span_users_processes_failures_and_hosts() {
    let summary: Vec<(String, Value)> = rows(&[])
        .into_iter()
        .map(|row| {
            (
                row["item"].as_str().unwrap().to_owned(),
                row["value"].clone(),
            )
        })
        .collect();
    let want = [
        ("records", json!(19)),
        ("first", json!("2026-01-02 10:00:00.000")),
        ("last", json!("2026-01-02 11:00:05.000")),
        ("events", json!(12)),
        ("users", json!(3)),
        ("processes", json!(3)),
        ("failures", json!(3)),
        ("hosts", json!(3)),
    ];
    let want: Vec<(String, Value)> = want.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    assert_eq!(summary, want);
}

#[test]
fn events_are_counted_with_their_failures() {
    let mut got: Vec<(String, u64, u64)> = rows(&["--events"])
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap().to_owned(),
                row["records"].as_u64().unwrap(),
                row["failed"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        ("AUE_ACCEPT", 1, 0),
        ("AUE_CLOSE", 2, 0),
        ("AUE_CONNECT", 2, 1),
        ("AUE_EXECVE", 1, 0),
        ("AUE_LSEEK", 1, 0),
        ("AUE_OPEN_R", 2, 1),
        ("AUE_OPEN_WC", 1, 0),
        ("AUE_READ", 3, 0),
        ("AUE_WRITE", 3, 1),
        ("AUE_login", 1, 0),
        ("AUE_logout", 1, 0),
        ("AUE_su", 1, 0),
    ];
    want.sort();
    let want: Vec<(String, u64, u64)> = want
        .into_iter()
        .map(|(n, r, f)| (n.to_owned(), r, f))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn users_are_counted_by_audit_and_effective_user() {
    let got: Vec<Value> = rows(&["--users"])
        .into_iter()
        .map(|row| json!([row["auid"], row["euid"], row["records"], row["failed"]]))
        .collect();
    // most records first, then by (auid, euid)
    assert_eq!(
        got,
        vec![
            json!([1000, 1000, 12, 1]),
            json!([-1, 0, 3, 1]),
            json!([1001, 0, 2, 1]),
            json!([1001, 1001, 2, 0]),
        ]
    );
    let unset = rows(&["--users"])
        .into_iter()
        .find(|row| row["auid"] == json!(-1))
        .unwrap();
    assert_eq!(unset["auid_name"], json!("unset"));
}

#[test]
fn logins_list_each_login_su_and_logout_with_its_terminal() {
    let got: Vec<Value> = rows(&["--logins"])
        .into_iter()
        .map(|row| {
            json!([
                row["time"],
                row["event"],
                row["auid"],
                row["euid"],
                row["terminal_port"],
                row["terminal_addr"],
                row["result"]
            ])
        })
        .collect();
    assert_eq!(
        got,
        vec![
            json!([at(60), "AUE_login", 1001, 1001, 22, "192.0.2.5", "success"]),
            json!([at(61), "AUE_su", 1001, 0, 22, "192.0.2.5", "success"]),
            json!([
                at(3605),
                "AUE_logout",
                1001,
                1001,
                22,
                "192.0.2.5",
                "success"
            ]),
        ]
    );
}

#[test]
fn failures_are_counted_by_event_and_error() {
    let mut got: Vec<Value> = rows(&["--failed"])
        .into_iter()
        .map(|row| json!([row["name"], row["status"], row["error"], row["records"]]))
        .collect();
    got.sort_by_key(|row| row.to_string());
    assert_eq!(
        got,
        vec![
            json!(["AUE_CONNECT", ECONNREFUSED, "ECONNREFUSED", 1]),
            json!(["AUE_OPEN_R", EACCES, "EACCES", 1]),
            json!(["AUE_WRITE", EBADF, "EBADF", 1]),
        ]
    );
}

#[test]
fn files_count_calls_and_bytes_through_the_descriptors_opened() {
    let got: Vec<Value> = rows(&["--files"])
        .into_iter()
        .map(|row| {
            json!([
                row["path"],
                row["records"],
                row["opens"],
                row["reads"],
                row["writes"],
                row["lseeks"],
                row["closes"],
                row["read_bytes"],
                row["written_bytes"],
                row["failed"]
            ])
        })
        .collect();
    assert_eq!(
        got,
        vec![
            json!(["/etc/motd", 6, 1, 3, 0, 1, 1, 150, 0, 0]),
            json!(["/tmp/out", 4, 1, 0, 2, 0, 1, 0, 20, 0]),
            json!(["/bin/cat", 1, 0, 0, 0, 0, 0, 0, 0, 0]),
            json!(["/etc/shadow", 1, 1, 0, 0, 0, 0, 0, 0, 1]),
        ]
    );
}

#[test]
fn executables_count_execs_users_and_arguments() {
    assert_eq!(
        rows(&["--executables"]),
        vec![
            json!({"path": "/bin/cat", "execs": 1, "failed": 0, "users": 1, "min_args": 2, "max_args": 2})
        ]
    );
}

#[test]
fn hosts_come_from_socket_and_terminal_tokens() {
    let got: Vec<Value> = rows(&["--hosts"])
        .into_iter()
        .map(|row| {
            json!([
                row["host"],
                row["records"],
                row["socket"],
                row["terminal"],
                row["first"],
                row["last"]
            ])
        })
        .collect();
    assert_eq!(
        got,
        vec![
            json!(["192.0.2.5", 4, 0, 4, at(60), at(3605)]),
            json!(["198.51.100.7", 2, 2, 0, at(120), at(122)]),
            json!(["203.0.113.9", 1, 1, 0, at(121), at(121)]),
        ]
    );
}

#[test]
fn time_histograms_fill_the_gaps() {
    assert_eq!(
        rows(&["--time"]),
        vec![
            json!({"start": "2026-01-02 10:00", "records": 18, "failed": 3}),
            json!({"start": "2026-01-02 11:00", "records": 1, "failed": 0}),
        ]
    );
    let minutes = rows(&["--time=minute"]);
    assert_eq!(minutes.len(), 61);
    let busy: Vec<Value> = minutes
        .into_iter()
        .filter(|row| row["records"] != json!(0))
        .map(|row| json!([row["start"], row["records"], row["failed"]]))
        .collect();
    assert_eq!(
        busy,
        vec![
            json!(["2026-01-02 10:00", 12, 1]),
            json!(["2026-01-02 10:01", 3, 1]),
            json!(["2026-01-02 10:02", 3, 1]),
            json!(["2026-01-02 11:00", 1, 0]),
        ]
    );
    assert_eq!(
        rows(&["--time=day"]),
        vec![json!({"start": "2026-01-02", "records": 19, "failed": 3})]
    );
}

fn io_row(
    pid: u32,
    command: Value,
    auid: u32,
    file: &str,
    calls: [u64; 7],
    span: (u64, u64),
) -> Value {
    json!({
        "pid": pid, "command": command, "auid": auid, "file": file,
        "opens": calls[0], "reads": calls[1], "writes": calls[2], "lseeks": calls[3],
        "closes": calls[4], "read_bytes": calls[5], "written_bytes": calls[6],
        "first": at(span.0), "last": at(span.1),
    })
}

#[test]
fn the_io_trace_is_per_process_and_file_with_a_total() {
    let cat = json!("/bin/cat");
    assert_eq!(
        rows(&["--io"]),
        vec![
            io_row(
                100,
                cat.clone(),
                1000,
                "/etc/motd",
                [1, 3, 0, 1, 1, 150, 0],
                (1, 6)
            ),
            io_row(
                100,
                cat.clone(),
                1000,
                "/tmp/out",
                [1, 0, 2, 0, 1, 0, 20],
                (7, 11)
            ),
            io_row(
                100,
                cat.clone(),
                1000,
                "fd 9",
                [0, 0, 1, 0, 0, 0, 0],
                (10, 10)
            ),
            io_row(100, cat, 1000, "(total)", [2, 3, 3, 1, 2, 150, 20], (1, 11)),
            io_row(
                200,
                Value::Null,
                1001,
                "/etc/shadow",
                [1, 0, 0, 0, 0, 0, 0],
                (62, 62)
            ),
            io_row(
                200,
                Value::Null,
                1001,
                "(total)",
                [1, 0, 0, 0, 0, 0, 0],
                (62, 62)
            ),
        ]
    );
}

#[test]
fn sort_and_top_order_and_cut_rows_and_io_keeps_processes_whole() {
    let top: Vec<Value> = rows(&["--files", "--sort", "read_bytes", "--top", "1"])
        .into_iter()
        .map(|row| row["path"].clone())
        .collect();
    assert_eq!(top, vec![json!("/etc/motd")]);
    let by_path: Vec<Value> = rows(&["--files", "--sort", "path"])
        .into_iter()
        .map(|row| row["path"].clone())
        .collect();
    assert_eq!(
        by_path,
        vec![
            json!("/bin/cat"),
            json!("/etc/motd"),
            json!("/etc/shadow"),
            json!("/tmp/out")
        ]
    );
    // pid 200's total opens 1 < pid 100's 2; within pid 100, opens 1, 1, 0
    let io: Vec<Value> = rows(&["--io", "--sort", "writes", "--top", "1"])
        .into_iter()
        .map(|row| json!([row["pid"], row["file"]]))
        .collect();
    assert_eq!(
        io,
        vec![
            json!([100, "/tmp/out"]),
            json!([100, "fd 9"]),
            json!([100, "/etc/motd"]),
            json!([100, "(total)"]),
        ]
    );
}

#[test]
fn selection_flags_apply_before_the_report() {
    let records = |args: &[&str]| {
        let mut args = args.to_vec();
        args.push("--summary");
        rows(&args)[0]["value"].clone()
    };
    assert_eq!(records(&["-u", "1001"]), json!(4));
    assert_eq!(records(&["-m", "AUE_READ,AUE_WRITE"]), json!(6));
    assert_eq!(records(&["-j", "300"]), json!(3));
    // the unset audit id, as praudit prints it or by name
    assert_eq!(records(&["-u", "-1"]), json!(3));
    assert_eq!(records(&["-u", "unset"]), json!(3));
    assert_eq!(
        records(&["-a", "20260102100100", "-b", "20260102100200"]),
        json!(3)
    );
}

#[test]
fn text_and_csv_have_a_header_and_one_line_per_row() {
    let out = bsmreport(&["--executables"], &trail_file());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "path      execs  failed  users  min_args  max_args\n/bin/cat      1       0      1         2         2\n"
    );
    let out = bsmreport(&["--executables", "--csv"], &trail_file());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "path,execs,failed,users,min_args,max_args\r\n/bin/cat,1,0,1,2,2\r\n"
    );
}

#[test]
fn a_bad_sort_key_or_report_combination_is_a_usage_error() {
    let trail = trail_file();
    let out = bsmreport(&["--events", "--sort", "bytes"], &trail);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown sort key 'bytes'"));
    assert_eq!(
        bsmreport(&["--events", "--files"], &trail).status.code(),
        Some(64)
    );
    assert_eq!(bsmreport(&["--time=week"], &trail).status.code(), Some(64));
}

#[test]
fn damage_is_reported_with_the_offset_and_the_intact_records_still_count() {
    let dir = trail_file().parent().unwrap().join("damaged");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("damaged.bsm");
    let mut bytes = trail();
    // garbage between the first record and the rest
    let first_len = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]) as usize;
    bytes.splice(first_len..first_len, [0xde, 0xad, 0xbe, 0xef]);
    std::fs::write(&file, &bytes).unwrap();
    let out = bsmreport(&["--json"], &file);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("byte offset {first_len}"))
            || stderr.contains(&first_len.to_string()),
        "{stderr}"
    );
    let first_row = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(first_row, r#"{"item":"records","value":19}"#);
}

#[test]
fn reports_tallied_on_threads_equal_those_of_one_reader_in_order() {
    // 5,000 copies of the trail (about 10 MB, several 1 MiB pieces): the
    // threads' tallies of a mapped file, added up, must equal the tally of
    // the same bytes read in order from standard input.
    const COPIES: usize = 5000;
    let dir = trail_file().parent().unwrap().join("copies");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("copies.bsm");
    let bytes = trail().repeat(COPIES);
    std::fs::write(&file, &bytes).unwrap();
    for report in [
        "--summary",
        "--events",
        "--users",
        "--logins",
        "--failed",
        "--executables",
        "--hosts",
        "--time=minute",
        "--files",
        "--io",
    ] {
        let threaded = bsmreport(&[report, "--threads", "4", "--csv"], &file);
        assert!(threaded.status.success(), "{report}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_bsmreport"))
            .args([report, "--csv", "--utc", "-"])
            .env("TZ", "UTC")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = bytes.clone();
        let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
        let in_order = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert!(in_order.status.success(), "{report}");
        assert_eq!(
            String::from_utf8_lossy(&threaded.stdout),
            String::from_utf8_lossy(&in_order.stdout),
            "{report}"
        );
    }
    let events = rows(&["--events"]);
    let copies = bsmreport(&["--events", "--json", "--threads", "4"], &file);
    let copies: Vec<Value> = String::from_utf8(copies.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    for (one, many) in events.iter().zip(&copies) {
        assert_eq!(one["name"], many["name"]);
        assert_eq!(
            one["records"].as_u64().unwrap() * COPIES as u64,
            many["records"].as_u64().unwrap()
        );
    }
}

/// With --follow on a FIFO (a live source), the report so far is written
/// each time the input pauses, and bsmreport waits for more.
#[test]
fn follow_writes_the_report_so_far_at_each_pause() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    use std::time::Duration;
    let dir = trail_file().parent().unwrap().join("follow");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("live");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_bsmreport"))
        .args(["--follow", "--summary", "--csv", "--utc"])
        .arg(&fifo)
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
    // The trail twice, in two writes: each pause gives a report whose
    // record count covers what was written.
    for copies in 1..=2 {
        writer.write_all(&trail()).unwrap();
        writer.flush().unwrap();
        let want = format!("records,{}", 19 * copies);
        let mut seen = Vec::new();
        loop {
            let line = lines_rx
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no {want} line after {copies} writes: {seen:?}"));
            if line == want {
                break;
            }
            seen.push(line);
        }
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "--follow must keep waiting"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_shows_an_example_of_every_report() {
    let help = Command::new(env!("CARGO_BIN_EXE_bsmreport"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    let examples = &help[help.find("Examples").expect("an Examples section")..];
    for report in [
        "--events",
        "--users",
        "--logins",
        "--failed",
        "--files",
        "--executables",
        "--hosts",
        "--time",
        "--io",
    ] {
        assert!(
            examples
                .lines()
                .any(|line| line.trim_start().starts_with("bsmreport") && line.contains(report)),
            "no example of {report}"
        );
    }
}
