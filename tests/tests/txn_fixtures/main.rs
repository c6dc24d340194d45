//! Keeps the transaction fixtures (`fixtures/txn/`, see its README) honest: every binlog
//! `expected.json` lists exists and reads cleanly with [`Reader`] (every CRC32 verified),
//! and the transactions it describes are where it says: one MariaDB GTID event per
//! transaction, with sequence number `n`, in `binlog_file`, with the declared GTID flags,
//! and the transaction's last event ending at `end_pos`. [`extraction`] then extracts
//! each set as THL transactions and checks them against the same facts.
//!
//! The committed small set is always checked. When `mariadbd` is installed (always under
//! CI=true) both generator modes are also run into temporary directories: the small set
//! must come out with the committed expectations (apart from the session's thread id),
//! and the large set (with its 50,000-row transaction) must check the same way.

mod extraction;

use std::path::Path;
use std::process::Command;

use replog::binlog::events::mariadb_gtid::{
    FL_ALLOW_PARALLEL, FL_COMPLETED_XA, FL_DDL, FL_GROUP_COMMIT_ID, FL_PREPARED_XA, FL_STANDALONE,
    FL_TRANSACTIONAL, FL_WAITED,
};
use replog::binlog::{ChecksumAlg, Event, Reader};
use replog::input::LogBytes;
use replog_tests::project_fixture;
use serde_json::Value as Json;

const FLAG_NAMES: [(u8, &str); 8] = [
    (FL_STANDALONE, "standalone"),
    (FL_GROUP_COMMIT_ID, "group_commit_id"),
    (FL_TRANSACTIONAL, "transactional"),
    (FL_ALLOW_PARALLEL, "allow_parallel"),
    (FL_WAITED, "waited"),
    (FL_DDL, "ddl"),
    (FL_PREPARED_XA, "prepared_xa"),
    (FL_COMPLETED_XA, "completed_xa"),
];

fn load_json(path: &Path) -> Json {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// One transaction as the raw log shows it.
#[derive(Debug)]
struct Group {
    file: String,
    seq_no: u64,
    flags: Vec<&'static str>,
    /// End offset of the group's last event.
    end: u64,
    /// Events after the GTID event.
    events: usize,
}

/// Reads every file of the set in order; returns the groups (GTID event to the next
/// GTID, ROTATE, STOP or BINLOG_CHECKPOINT) and checks what every file ends with.
fn read_set(dir: &Path, files: &[String]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (k, name) in files.iter().enumerate() {
        let path = dir.join(name);
        assert!(
            path.is_file(),
            "{} is listed in expected.json but missing",
            path.display()
        );
        let bytes = LogBytes::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut reader = Reader::new(bytes.name(), bytes.bytes()).unwrap_or_else(|e| panic!("{e}"));
        let mut in_group = false;
        let mut last = "";
        while let Some(ev) = reader.next() {
            let ev = ev.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                ev.raw.checksum_ok,
                Some(true),
                "{name} @{}: CRC32 verified",
                ev.raw.offset
            );
            last = match &ev.event {
                Event::Rotate(_) => "rotate",
                Event::Stop(_) => "stop",
                _ => "other",
            };
            match &ev.event {
                Event::FormatDescription(_) => {
                    assert_eq!(reader.context().checksum, ChecksumAlg::Crc32, "{name}");
                    in_group = false;
                }
                Event::MariaGtid(g) => {
                    groups.push(Group {
                        file: name.clone(),
                        seq_no: g.seq_no,
                        flags: FLAG_NAMES
                            .iter()
                            .filter(|(bit, _)| g.flags & bit != 0)
                            .map(|&(_, n)| n)
                            .collect(),
                        end: ev.raw.end_offset(),
                        events: 0,
                    });
                    in_group = true;
                }
                Event::Rotate(_) | Event::Stop(_) | Event::BinlogCheckpoint(_) => {
                    in_group = false;
                }
                Event::GtidList(_) => in_group = false,
                _ if in_group => {
                    let g = groups.last_mut().unwrap();
                    g.end = ev.raw.end_offset();
                    g.events += 1;
                }
                other => panic!("{name} @{}: {other:?} outside a transaction", ev.raw.offset),
            }
        }
        let want = if k + 1 == files.len() {
            "stop"
        } else {
            "rotate"
        };
        assert_eq!(last, want, "{name}: last event");
    }
    groups
}

/// Checks a generated set; returns the number of transactions.
fn check_set(dir: &Path) -> usize {
    let doc = load_json(&dir.join("expected.json"));
    let files: Vec<String> = doc["binlog_files"]
        .as_array()
        .expect("binlog_files")
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    let index = std::fs::read_to_string(dir.join("mysql-bin.index")).expect("mysql-bin.index");
    let listed: Vec<String> = index
        .lines()
        .map(|l| l.trim_start_matches("./").to_string())
        .collect();
    assert_eq!(listed, files, "mysql-bin.index");

    let groups = read_set(dir, &files);
    let txns = doc["transactions"].as_array().expect("transactions");
    assert_eq!(groups.len(), txns.len(), "one GTID group per transaction");
    for (t, g) in txns.iter().zip(&groups) {
        let n = t["n"].as_u64().unwrap();
        let at = format!("transaction {n} ({})", t["kind"]);
        assert_eq!(g.seq_no, n, "{at}: GTID sequence number");
        assert_eq!(
            t["gtid"].as_str(),
            Some(format!("0-1-{n}").as_str()),
            "{at}: gtid"
        );
        assert_eq!(
            Some(g.file.as_str()),
            t["binlog_file"].as_str(),
            "{at}: binlog_file"
        );
        assert_eq!(Some(g.end), t["end_pos"].as_u64(), "{at}: end_pos");
        let flags: Vec<&str> = t["gtid_flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        let mut got = g.flags.clone();
        got.sort_unstable();
        assert_eq!(got, flags, "{at}: GTID flags");
        assert!(g.events > 0, "{at}: events after the GTID");
        // Row counts by table must add up for row-logged kinds.
        let rows: u64 = t["rows"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|by| by.as_object().unwrap().values())
            .map(|k| k.as_u64().unwrap())
            .sum();
        match t["kind"].as_str().unwrap() {
            "rows" | "mixed" | "xa_prepare" => assert!(rows > 0, "{at}: row changes"),
            _ => assert_eq!(rows, 0, "{at}: no row changes"),
        }
    }
    txns.len()
}

#[test]
fn committed_small_set_is_what_expected_json_says() {
    let n = check_set(&project_fixture("txn/small"));
    assert_eq!(n, 24, "fixtures/txn/README.md lists 24 transactions");
}

#[test]
fn committed_small_set_extracts_as_expected_json_says() {
    let dir = project_fixture("txn/small");
    extraction::check_extraction(&dir, &load_json(&dir.join("expected.json")));
}

fn generate(args: &[&str], out: &Path) {
    let script = project_fixture("txn/generate.sh");
    let run = Command::new("bash")
        .arg(&script)
        .args(args)
        .arg(out)
        .output()
        .expect("running bash fixtures/txn/generate.sh");
    assert!(
        run.status.success(),
        "generate.sh {args:?} failed ({}):\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
}

/// The expectations without what a regeneration may change: the session's thread id,
/// and the server's exact version (Debian's package moves: 10.11.19 wrote the committed
/// set, a machine with 10.11.14 writes the same transactions).
fn stable(mut doc: Json) -> Json {
    let server = doc["server"].as_object_mut().unwrap();
    server.remove("thread_id");
    server.remove("version");
    doc
}

#[test]
fn regenerated_sets_match() {
    if replog_tests::installed("mariadbd").is_none() {
        replog_tests::skip_unless_required!(
            "mariadbd is not installed",
            "install Debian's mariadb-server (.ci/run does)"
        );
    }
    let small = tempfile::tempdir().expect("a temporary directory");
    generate(&[], small.path());
    let committed = stable(load_json(&project_fixture("txn/small/expected.json")));
    let fresh = stable(load_json(&small.path().join("expected.json")));
    assert!(
        committed == fresh,
        "regenerated fixtures/txn/small/expected.json differs from the committed one \
         (diff {} against it)",
        small.path().join("expected.json").display()
    );
    check_set(small.path());
    extraction::check_extraction(small.path(), &fresh_full(small.path()));

    let large = tempfile::tempdir().expect("a temporary directory");
    generate(&["--large"], large.path());
    let n = check_set(large.path());
    let doc = load_json(&large.path().join("expected.json"));
    let big = &doc["transactions"][n - 2];
    assert_eq!(big["rows"]["app3.bulk"]["write"].as_u64(), Some(50_000));
    // Extraction at the reference fragment size (1,000,000 bytes) cuts the 3.3 MB
    // transaction into fragments; check_extraction checks their numbering and shard.
    let txns = extraction::check_extraction(large.path(), &doc);
    let fragments = txns[n - 2].fragments.len();
    assert!((3..=5).contains(&fragments), "{fragments} fragments");
}

fn fresh_full(dir: &Path) -> Json {
    load_json(&dir.join("expected.json"))
}
