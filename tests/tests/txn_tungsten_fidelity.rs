//! Tungsten fidelity (issue 7, "How it is proven"): the workload behind the real
//! Tungsten 3.1.0 THL (`shared/fixtures/thl/README.md` §1), replayed on MariaDB 10.11
//! (`fixtures/tungsten/`, see its README), extracted by replog and compared with the
//! real THL transaction by transaction.
//!
//! The real log's seqno 0 is the heartbeat Tungsten writes when its master goes online
//! (an update of its own `tungsten_repltest.heartbeat` table); the replay ran without a
//! replicator, so it has none, and its transactions are extracted from seqno 1 on to
//! line up with the workload's (epoch 0, as the real log's online session started at 0).
//!
//! Everything both logs carry is compared: record headers and protobuf headers, the
//! eventId in its three parts, metadata (keys in order, then values), event options,
//! each change with its kind, statement texts, default schemas, times and options,
//! row changes with schema, table, action, column specs and every value as stored.
//! Each comparison that finds a difference records it under a name; every recorded
//! difference must be one of [`DIFFERENCES`], and every entry there must still occur,
//! so the table is exactly what separates the two logs. On top of that the values the
//! workload fixed are checked literally, so agreeing on a wrong value is no pass.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::Path;
use std::process::Command;

use replog::binlog::stream::{sequence_of, Stream};
use replog::input::OpenOptions;
use replog::thl::event::{
    Action, Change, ColumnSpec, Event, EventOption, OneRowChange, RowImages, StatementData, Value,
};
use replog::thl::{JavaStr, LogDir, ReadOptions};
use replog::txn::binlog::walk_transactions;
use replog::txn::event_id::EventId;
use replog::txn::extract::ExtractOptions;
use replog::txn::thl::ThlWalk;
use replog::txn::{OwnedTransaction, Transaction};
use replog::{Error, Flow};
use replog_tests::{project_fixture, require_corpus, shared_fixture};

/// One way the replay's THL differs from the real one, in the transactions (seqnos)
/// listed, and why.
struct Difference {
    what: &'static str,
    transactions: &'static [i64],
    reason: &'static str,
}

const ALL: &[i64] = &[1, 2, 3, 4, 5, 6, 7];
const STATEMENTS: &[i64] = &[1, 2, 6, 7];
const ROW_CHANGES: &[i64] = &[3, 4, 5];

/// Everything that separates the replay's extraction from the real THL.
const DIFFERENCES: &[Difference] = &[
    Difference {
        what: "eventId binlog file",
        transactions: ALL,
        reason: "the original master's log was mysql-bin.011743; the fresh replay server's \
                 first log is mysql-bin.000001",
    },
    Difference {
        what: "eventId position",
        transactions: ALL,
        reason: "MariaDB 10.11 lays the log out differently: a longer format description, \
                 GTID_LIST and BINLOG_CHECKPOINT at the start, a GTID event instead of a \
                 BEGIN query per transaction, ANNOTATE_ROWS before each rows event, \
                 and different event bodies",
    },
    Difference {
        what: "eventId session id",
        transactions: STATEMENTS,
        reason: "the thread id of the session that ran the statements: 52254 on the \
                 original master, a low number on the fresh replay server (row \
                 transactions are -1 in both)",
    },
    Difference {
        what: "extractedTstamp",
        transactions: ALL,
        reason: "Tungsten stores its wall clock when it extracted the event; replog stores \
                 the source time, so that a re-run writes the same bytes (README)",
    },
    Difference {
        what: "metadata gtid_domain_id, gtid_seqno after mysql_server_id",
        transactions: ALL,
        reason: "MariaDB gives every transaction a GTID (0-1-1 .. 0-1-7); the MySQL 5.x \
                 master of the original had none",
    },
    Difference {
        what: "event options",
        transactions: ROW_CHANGES,
        reason: "the extractor keeps the session variables of a row transaction's BEGIN \
                 query (the real THL: autocommit .. collation_server, and for the INSERT \
                 that stored NOW() time_zone='SYSTEM'); MariaDB logs no BEGIN query (its \
                 GTID event opens the transaction), so its row transactions have none",
    },
    Difference {
        what: "table id",
        transactions: ROW_CHANGES,
        reason: "the server's table-map id for all_mysql_types: a long-running master's \
                 counter versus a fresh server's",
    },
    Difference {
        what: "LOAD DATA file id",
        transactions: &[7],
        reason: "the server's LOAD DATA file counter (340 on the original master, 1 on the \
                 fresh replay server)",
    },
    Difference {
        what: "LOAD DATA file name",
        transactions: &[7],
        reason: "the original exported to /tmp/all_mysql_types.csv; the replay uses a \
                 relative name inside the throwaway server's secure_file_priv directory \
                 (the rest of the rewritten statement is the same text)",
    },
    Difference {
        what: "LOAD DATA file name end position",
        transactions: &[7],
        reason: "follows from the shorter file name (the start position is the same)",
    },
    Difference {
        what: "statement option time_zone",
        transactions: &[7],
        reason: "the original master ran in its operating system's zone (UTC-8), logged as \
                 'SYSTEM'; the replay server names the zone it was given \
                 (--default-time-zone=-08:00)",
    },
];

/// The file the original workload exported to and loaded (the real THL's LOAD DATA).
const REAL_LOAD_FILE: &str = "/tmp/all_mysql_types.csv";
/// The file name the replay's LOAD DATA reads (fixtures/tungsten/workload.sql).
const REPLAY_LOAD_FILE: &str = "all_mysql_types.csv";

/// The differences found, by (what, seqno), with the two values.
#[derive(Default)]
struct Comparison {
    found: BTreeMap<(String, i64), String>,
}

impl Comparison {
    /// Records a difference named `what` in transaction `seqno` unless the real THL's
    /// value and the replay's are equal.
    fn same<T: Debug + PartialEq>(&mut self, what: &str, seqno: i64, real: T, replay: T) {
        if real != replay {
            self.found
                .entry((what.to_string(), seqno))
                .or_insert_with(|| format!("real THL {real:?}, replay {replay:?}"));
        }
    }

    /// Fails on a difference the table does not explain, or an entry of the table that
    /// no longer occurs.
    fn check_against(&self, table: &[Difference]) {
        let listed: BTreeMap<(String, i64), &str> = table
            .iter()
            .flat_map(|d| {
                d.transactions
                    .iter()
                    .map(|&s| ((d.what.to_string(), s), d.reason))
            })
            .collect();
        let unexplained: Vec<String> = self
            .found
            .iter()
            .filter(|(key, _)| !listed.contains_key(key))
            .map(|((what, seqno), values)| format!("seqno {seqno}: {what}: {values}"))
            .collect();
        let stale: Vec<String> = listed
            .iter()
            .filter(|(key, _)| !self.found.contains_key(*key))
            .map(|((what, seqno), reason)| format!("seqno {seqno}: {what} ({reason})"))
            .collect();
        assert!(
            unexplained.is_empty() && stale.is_empty(),
            "differences not in DIFFERENCES:\n  {}\nDIFFERENCES entries that no longer \
             occur:\n  {}",
            unexplained.join("\n  "),
            stale.join("\n  ")
        );
    }
}

fn owned(txn: &Transaction<'_>) -> OwnedTransaction {
    OwnedTransaction {
        fragments: txn.fragments.iter().map(|r| r.to_owned_record()).collect(),
    }
}

/// The transactions of the real Tungsten 3.1.0 THL.
fn real_thl() -> Vec<OwnedTransaction> {
    let dir = LogDir::open(&shared_fixture("thl/tungsten-3.1.0")).unwrap();
    let names: Vec<String> = dir.file_names().to_vec();
    let mut txns = Vec::new();
    let mut reports = Vec::new();
    ThlWalk {
        read: ReadOptions::tungsten(),
        permissive: false,
        check_ahead: false,
        release_behind: true,
    }
    .walk(
        &dir,
        names.iter().map(String::as_str),
        &mut |txn: &Transaction<'_>| -> Result<Flow, Error> {
            txns.push(owned(txn));
            Ok(Flow::Continue)
        },
        &mut |e| reports.push(e.to_string()),
    )
    .unwrap();
    assert!(reports.is_empty(), "{reports:?}");
    txns
}

/// The transactions replog extracts from the binlogs in `dir` (named by its index file),
/// tagged as the real log's replicator tagged its own: service `repltest`, source id
/// `logos1`, epoch 0, from seqno 1 (after the real log's heartbeat).
fn extract_replay(dir: &Path) -> Vec<OwnedTransaction> {
    let files = sequence_of(&[dir.display().to_string()]).unwrap();
    // From seqno 1 in epoch 0: the real log's seqno 0 is Tungsten's own heartbeat.
    let options = ExtractOptions {
        first_seqno: 1,
        ..ExtractOptions::new("repltest", "logos1")
    };
    let mut txns = Vec::new();
    let mut reports = Vec::new();
    walk_transactions(
        &files,
        Stream::new(OpenOptions::default()),
        options,
        &mut |txn: &Transaction<'_>| -> Result<Flow, Error> {
            txns.push(owned(txn));
            Ok(Flow::Continue)
        },
        &mut |e| reports.push(e.to_string()),
    )
    .unwrap();
    assert!(reports.is_empty(), "{reports:?}");
    txns
}

/// The decoded events of a transaction, fragno order.
fn events(txn: &OwnedTransaction) -> Vec<Event<'_>> {
    txn.fragments
        .iter()
        .map(|r| r.record().unwrap().event().unwrap().decode().unwrap())
        .collect()
}

fn names<'a>(options: &[EventOption<'a>]) -> Vec<&'a str> {
    options.iter().map(|o| o.name).collect()
}

/// Compares two lists of options: the names in order, then each value (a name that
/// occurs once on both sides).
fn compare_options(
    c: &mut Comparison,
    what: &str,
    seqno: i64,
    real: &[EventOption<'_>],
    replay: &[EventOption<'_>],
) {
    c.same(&format!("{what} names"), seqno, names(real), names(replay));
    for option in real {
        if let Some(other) = replay.iter().find(|o| o.name == option.name) {
            c.same(
                &format!("{what} {}", option.name),
                seqno,
                option.value,
                other.value,
            );
        }
    }
}

/// The kind of each change, as the workload produced it.
fn kinds(changes: &[Change<'_>]) -> Vec<&'static str> {
    changes
        .iter()
        .map(|change| match change {
            Change::Statement(_) => "statement",
            Change::Rows(_) => "row change",
            Change::RowId(_) => "row id",
            Change::FileFragment(_) => "file fragment",
            Change::FileQuery(_) => "LOAD DATA query",
            _ => "other",
        })
        .collect()
}

fn compare_statement(
    c: &mut Comparison,
    seqno: i64,
    real: &StatementData<'_>,
    replay: &StatementData<'_>,
) {
    c.same(
        "statement default schema",
        seqno,
        real.default_schema,
        replay.default_schema,
    );
    c.same("statement time", seqno, real.timestamp, replay.timestamp);
    c.same(
        "statement error code",
        seqno,
        real.error_code,
        replay.error_code,
    );
    // Both extractors keep statement texts as bytes (queryAsBytes, no `query`).
    c.same(
        "statement stored as bytes",
        seqno,
        (real.query.is_none(), real.query_as_bytes.is_some()),
        (replay.query.is_none(), replay.query_as_bytes.is_some()),
    );
    compare_options(c, "statement option", seqno, &real.options, &replay.options);
}

fn compare_specs(
    c: &mut Comparison,
    what: &str,
    seqno: i64,
    real: &[ColumnSpec<'_>],
    replay: &[ColumnSpec<'_>],
) {
    c.same(&format!("{what} count"), seqno, real.len(), replay.len());
    for (r, p) in real.iter().zip(replay) {
        c.same(&format!("{what} {}", r.index), seqno, r, p);
    }
}

fn compare_images(
    c: &mut Comparison,
    what: &str,
    seqno: i64,
    real: &RowImages<'_>,
    replay: &RowImages<'_>,
) {
    c.same(&format!("{what} rows"), seqno, real.len(), replay.len());
    for (row, (r, p)) in real.iter().zip(replay).enumerate() {
        c.same(&format!("{what} row {row} width"), seqno, r.len(), p.len());
        for (column, (rv, pv)) in r.iter().zip(p).enumerate() {
            // Stored fields (value type, int, long, float, double, string, bytes).
            c.same(
                &format!("{what} row {row} column {}", column + 1),
                seqno,
                rv,
                pv,
            );
        }
    }
}

fn compare_row_change(
    c: &mut Comparison,
    seqno: i64,
    real: &OneRowChange<'_>,
    replay: &OneRowChange<'_>,
) {
    c.same("schema", seqno, real.schema_name, replay.schema_name);
    c.same("table", seqno, real.table_name, replay.table_name);
    c.same("action", seqno, real.action, replay.action);
    c.same("table id", seqno, real.table_id, replay.table_id);
    compare_specs(c, "key spec", seqno, &real.key_spec, &replay.key_spec);
    compare_specs(
        c,
        "column spec",
        seqno,
        &real.column_spec,
        &replay.column_spec,
    );
    compare_images(c, "key image", seqno, &real.key_values, &replay.key_values);
    compare_images(
        c,
        "column image",
        seqno,
        &real.column_values,
        &replay.column_values,
    );
}

/// The LOAD DATA statement split at its file-name span: text before, the span
/// (` INFILE '<name>' INTO`), text after.
fn load_data_parts(text: &[u8], start: i32, end: i32) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (start, end) = (start as usize, end as usize);
    (
        text[..start].to_vec(),
        text[start..end].to_vec(),
        text[end..].to_vec(),
    )
}

fn compare_change(c: &mut Comparison, seqno: i64, real: &Change<'_>, replay: &Change<'_>) {
    match (real, replay) {
        (Change::Statement(r), Change::Statement(p)) => {
            compare_statement(c, seqno, r, p);
            c.same(
                "statement text",
                seqno,
                String::from_utf8_lossy(r.query_bytes()),
                String::from_utf8_lossy(p.query_bytes()),
            );
        }
        (Change::Rows(r), Change::Rows(p)) => {
            compare_options(c, "row change option", seqno, &r.options, &p.options);
            c.same(
                "row changes",
                seqno,
                r.row_changes.len(),
                p.row_changes.len(),
            );
            for (rc, pc) in r.row_changes.iter().zip(&p.row_changes) {
                compare_row_change(c, seqno, rc, pc);
            }
        }
        (Change::FileFragment(r), Change::FileFragment(p)) => {
            c.same("LOAD DATA file id", seqno, r.file_id, p.file_id);
            c.same("file fragment database", seqno, r.database, p.database);
            c.same("file fragment data", seqno, r.data, p.data);
        }
        (Change::FileQuery(r), Change::FileQuery(p)) => {
            c.same("LOAD DATA file id", seqno, r.file_id, p.file_id);
            compare_statement(c, seqno, &r.statement, &p.statement);
            c.same(
                "LOAD DATA file name start position",
                seqno,
                r.filename_start_pos,
                p.filename_start_pos,
            );
            c.same(
                "LOAD DATA file name end position",
                seqno,
                r.filename_end_pos,
                p.filename_end_pos,
            );
            let real_parts = load_data_parts(
                r.statement.query_bytes(),
                r.filename_start_pos,
                r.filename_end_pos,
            );
            let replay_parts = load_data_parts(
                p.statement.query_bytes(),
                p.filename_start_pos,
                p.filename_end_pos,
            );
            c.same(
                "LOAD DATA text before the file name",
                seqno,
                String::from_utf8_lossy(&real_parts.0),
                String::from_utf8_lossy(&replay_parts.0),
            );
            c.same(
                "LOAD DATA file name",
                seqno,
                String::from_utf8_lossy(&real_parts.1),
                String::from_utf8_lossy(&replay_parts.1),
            );
            c.same(
                "LOAD DATA text after the file name",
                seqno,
                String::from_utf8_lossy(&real_parts.2),
                String::from_utf8_lossy(&replay_parts.2),
            );
            // The span holds exactly the names the two workloads used.
            assert_eq!(
                (real_parts.1, replay_parts.1),
                (
                    format!(" INFILE '{REAL_LOAD_FILE}' INTO").into_bytes(),
                    format!(" INFILE '{REPLAY_LOAD_FILE}' INTO").into_bytes()
                ),
                "seqno {seqno}: the file-name spans"
            );
        }
        _ => unreachable!("kinds are compared before the changes"),
    }
}

/// Compares one fragment of the real THL with the replay's.
fn compare_fragment(c: &mut Comparison, real: &Event<'_>, replay: &Event<'_>) {
    let seqno = real.header.seqno;
    let (rr, pr) = (&real.record, &replay.record);
    c.same("record seqno", seqno, rr.seqno, pr.seqno);
    c.same("record fragno", seqno, rr.fragno, pr.fragno);
    c.same("record last fragment", seqno, rr.last_frag, pr.last_frag);
    c.same("record epoch", seqno, rr.epoch, pr.epoch);
    c.same(
        "record source id",
        seqno,
        rr.source_id.text(),
        pr.source_id.text(),
    );
    c.same(
        "record shard",
        seqno,
        rr.shard_id.text(),
        pr.shard_id.text(),
    );
    c.same(
        "record source time",
        seqno,
        rr.source_tstamp,
        pr.source_tstamp,
    );
    c.same(
        "record eventId equals header eventId",
        seqno,
        rr.event_id.text() == real.header.event_id,
        pr.event_id.text() == replay.header.event_id,
    );

    let (rh, ph) = (&real.header, &replay.header);
    c.same("header seqno", seqno, rh.seqno, ph.seqno);
    c.same("header fragno", seqno, rh.fragno, ph.fragno);
    c.same("header last fragment", seqno, rh.last_frag, ph.last_frag);
    c.same(
        "header source time",
        seqno,
        rh.source_tstamp,
        ph.source_tstamp,
    );
    c.same(
        "extractedTstamp",
        seqno,
        rh.extracted_tstamp,
        ph.extracted_tstamp,
    );
    c.same("header source id", seqno, rh.source_id, ph.source_id);
    c.same("header epoch", seqno, rh.epoch_number, ph.epoch_number);
    c.same("header shard", seqno, rh.shard_id, ph.shard_id);
    c.same(
        "header filtered",
        seqno,
        (rh.filtered_event, rh.seqno_end, rh.fragno_end),
        (ph.filtered_event, ph.seqno_end, ph.fragno_end),
    );
    let real_id = EventId::parse(rh.event_id).unwrap();
    let replay_id = EventId::parse(ph.event_id).unwrap();
    c.same("eventId binlog file", seqno, real_id.file, replay_id.file);
    c.same(
        "eventId position",
        seqno,
        real_id.position,
        replay_id.position,
    );
    c.same(
        "eventId session id",
        seqno,
        real_id.session,
        replay_id.session,
    );
    c.same(
        "eventId position width",
        seqno,
        rh.event_id.split([':', ';']).nth(1).map(str::len),
        ph.event_id.split([':', ';']).nth(1).map(str::len),
    );

    // MariaDB's GTID keys come right after mysql_server_id; the rest must be the real
    // log's keys in the real log's order.
    let real_metadata = &real.body.metadata;
    let mut replay_metadata = replay.body.metadata.clone();
    let gtid_keys = ["gtid_domain_id", "gtid_seqno"];
    let after_server_id = replay_metadata
        .get(1..3)
        .map(names)
        .is_some_and(|keys| keys == gtid_keys);
    if after_server_id {
        replay_metadata.drain(1..3);
    }
    c.same(
        "metadata gtid_domain_id, gtid_seqno after mysql_server_id",
        seqno,
        false,
        after_server_id,
    );
    compare_options(c, "metadata", seqno, real_metadata, &replay_metadata);
    let (real_options, replay_options) = (&real.body.options, &replay.body.options);
    c.same(
        "event options",
        seqno,
        format!("{:?}", real_options),
        format!("{:?}", replay_options),
    );

    let (real_changes, replay_changes) = (&real.body.changes, &replay.body.changes);
    c.same("changes", seqno, kinds(real_changes), kinds(replay_changes));
    if kinds(real_changes) == kinds(replay_changes) {
        for (r, p) in real_changes.iter().zip(replay_changes) {
            compare_change(c, seqno, r, p);
        }
    }
}

/// Compares the real THL's transactions 1.. with the replay's.
fn compare(real: &[OwnedTransaction], replay: &[OwnedTransaction]) -> Comparison {
    let mut c = Comparison::default();
    assert_eq!(
        real.len() - 1,
        replay.len(),
        "one replay transaction for each of the real log's after its heartbeat"
    );
    for (real, replay) in real[1..].iter().zip(replay) {
        let (real_events, replay_events) = (events(real), events(replay));
        let seqno = real_events[0].header.seqno;
        c.same("fragments", seqno, real_events.len(), replay_events.len());
        for (r, p) in real_events.iter().zip(&replay_events) {
            compare_fragment(&mut c, r, p);
        }
    }
    c
}

/// The column specs of all_mysql_types as the MySQL extractor writes them (spec §6.7):
/// (index, java.sql.Types code, length); every column signed, none named.
const TABLE_SPECS: [(i32, i32, i32); 24] = [
    (1, 4, 4),     // my_id int: INTEGER, 4 bytes
    (2, -7, 0),    // my_bit bit(1): BIT
    (3, 4, 1),     // my_tinyint
    (4, 4, 1),     // my_boolean tinyint(1)
    (5, 4, 2),     // my_smallint
    (6, 4, 3),     // my_mediumint
    (7, 4, 4),     // my_int
    (8, 4, 8),     // my_bigint
    (9, 3, 0),     // my_decimal_10_5: DECIMAL
    (10, 6, 0),    // my_float: FLOAT
    (11, 8, 0),    // my_double: DOUBLE
    (12, 91, 0),   // my_date: DATE
    (13, 91, 0),   // my_datetime: DATE as well
    (14, 93, 0),   // my_timestamp: TIMESTAMP
    (15, 92, 0),   // my_time: TIME
    (16, 4, 0),    // my_year: INTEGER, length 0
    (17, 12, 0),   // my_char_10: VARCHAR
    (18, 12, 0),   // my_varchar_10: VARCHAR
    (19, 2004, 0), // my_tinytext: BLOB
    (20, 2004, 0), // my_text
    (21, 2004, 0), // my_mediumtext
    (22, 2004, 0), // my_longtext
    (23, 1111, 0), // my_enum_abc: OTHER (1-byte index)
    (24, 4, 0),    // my_set_def: INTEGER, length 0
];

/// A row of all_mysql_types as the workload wrote it, as the THL stores it: `id`, the
/// BIT value, and the DECIMAL's unscaled value (scale 5).
fn workload_row(id: i32, bit: i32, unscaled: &[u8]) -> Vec<Value<'_>> {
    vec![
        Value::Int(id),
        Value::Bit(bit),
        Value::Int(5),
        Value::Int(0),
        Value::Int(500),
        Value::Int(50_000),
        Value::Int(50_000_000),
        Value::Long(6_666_666),
        Value::Decimal { unscaled, scale: 5 },
        Value::Float(10.55),
        Value::Double(500.11),
        // 2014-01-31 at midnight UTC (the 3.1.0 extractor's JVM ran in UTC).
        Value::Date {
            millis: 1_391_126_400_000,
        },
        // 2014-01-30 01:30:02, fields taken as UTC.
        Value::DateTime {
            millis: 1_391_045_402_000,
            extra_nanos: 0,
        },
        // NOW() at 2015-01-10 07:03:02 UTC.
        Value::Timestamp {
            millis: 1_420_873_382_000,
            extra_nanos: 0,
        },
        // 11:12:13 on 1970-01-01 UTC, with its (zero) fraction.
        Value::TimeWithNanos {
            millis: 40_333_000,
            extra_nanos: 0,
        },
        Value::Int(2013),
        Value::BinaryString(b"abcdef"),
        Value::BinaryString(b"abcdefgh"),
        Value::Blob(b"tiny text"),
        Value::Blob(b"text"),
        Value::Blob(b"medium text"),
        Value::Blob(b"long text"),
        // ENUM 'b' is member 2; SET 'e' is bit 1 (mask 2).
        Value::Int(2),
        Value::Long(2),
    ]
}

/// 10.50000 and 11.60000 as unscaled big-endian integers (1050000, 1160000).
const DECIMAL_10_5: &[u8] = &[0x10, 0x05, 0x90];
const DECIMAL_11_6: &[u8] = &[0x11, 0xb3, 0x40];

/// The specs and values of one log's row change `seqno` against the workload.
fn check_row_change(log: &str, txn: &OwnedTransaction) {
    let events = events(txn);
    let seqno = events[0].header.seqno;
    let [Change::Rows(rows)] = &events[0].body.changes[..] else {
        panic!("{log} seqno {seqno}: one row change");
    };
    let [change] = &rows.row_changes[..] else {
        panic!("{log} seqno {seqno}: one table");
    };
    let values = |image: &RowImages<'_>| -> Vec<Vec<String>> {
        image
            .iter()
            .map(|row| row.iter().map(|v| format!("{:?}", v.value())).collect())
            .collect()
    };
    let rendered = |rows: Vec<Vec<Value<'_>>>| -> Vec<Vec<String>> {
        rows.iter()
            .map(|row| row.iter().map(|v| format!("{v:?}")).collect())
            .collect()
    };
    let (action, keys, columns) = match seqno {
        3 => (
            Action::Insert,
            vec![],
            vec![
                workload_row(1, 1, DECIMAL_10_5),
                workload_row(2, 1, DECIMAL_10_5),
            ],
        ),
        4 => (
            Action::Update,
            vec![workload_row(1, 1, DECIMAL_10_5)],
            vec![workload_row(1, 0, DECIMAL_11_6)],
        ),
        5 => (
            Action::Delete,
            vec![workload_row(2, 1, DECIMAL_10_5)],
            vec![],
        ),
        _ => unreachable!(),
    };
    assert_eq!(
        (change.schema_name, change.table_name, change.action),
        ("test", "all_mysql_types", action),
        "{log} seqno {seqno}"
    );
    assert_eq!(
        values(&change.key_values),
        rendered(keys),
        "{log} seqno {seqno}: key image"
    );
    assert_eq!(
        values(&change.column_values),
        rendered(columns),
        "{log} seqno {seqno}: column image"
    );
    for specs in [&change.key_spec, &change.column_spec] {
        if specs.is_empty() {
            continue;
        }
        let got: Vec<(i32, i32, i32)> = specs
            .iter()
            .map(|s| (s.index, s.sql_type, s.length))
            .collect();
        assert_eq!(got, TABLE_SPECS, "{log} seqno {seqno}: specs");
        assert!(
            specs.iter().all(|s| s.signed && s.name.is_none()),
            "{log} seqno {seqno}: every column signed and unnamed"
        );
    }
}

/// What the real THL and the replay both hold, per transaction: shard, and the
/// statement texts the two servers logged alike.
fn check_transaction_facts(log: &str, txns: &[OwnedTransaction]) {
    let statements: Vec<(i64, String, String)> = txns
        .iter()
        .map(|t| {
            let events = events(t);
            let e = &events[0];
            let text = e
                .body
                .changes
                .iter()
                .find_map(|c| match c {
                    Change::Statement(s) => Some(String::from_utf8_lossy(s.query_bytes())),
                    _ => None,
                })
                .unwrap_or_default()
                .into_owned();
            (e.header.seqno, e.record.shard_id.text().to_string(), text)
        })
        .collect();
    let create = statements[1].2.clone();
    assert!(
        create.starts_with("CREATE TABLE `all_mysql_types` (\n  `my_id` int PRIMARY KEY")
            && create.ends_with(") ENGINE=InnoDB DEFAULT CHARSET=utf8"),
        "{log}: {create}"
    );
    let expected = [
        (
            1,
            "DROP TABLE IF EXISTS `all_mysql_types` /* generated by server */",
        ),
        (2, create.as_str()),
        (3, ""),
        (4, ""),
        (5, ""),
        (6, "TRUNCATE all_mysql_types"),
        (7, ""),
    ];
    let got: Vec<(i64, &str, &str)> = statements
        .iter()
        .map(|(s, shard, text)| (*s, shard.as_str(), text.as_str()))
        .collect();
    let want: Vec<(i64, &str, &str)> = expected
        .iter()
        .map(|(s, text)| (*s, "test", *text))
        .collect();
    assert_eq!(got, want, "{log}: seqno, shard, statement");
}

#[test]
fn replay_extracts_as_the_real_tungsten_log() {
    require_corpus!();
    let real = real_thl();
    let replay = extract_replay(&project_fixture("tungsten"));

    // The real log's seqno 0: the heartbeat the replay does not have.
    let heartbeat = events(&real[0]);
    assert_eq!(
        (
            heartbeat[0].header.seqno,
            heartbeat[0].metadata("heartbeat"),
            heartbeat[0].record.shard_id.text()
        ),
        (0, Some("MASTER_ONLINE"), "tungsten_repltest"),
    );

    check_transaction_facts("real THL", &real[1..]);
    check_transaction_facts("replay", &replay);
    for seqno in 3..=5 {
        check_row_change("real THL", &real[seqno]);
        check_row_change("replay", &replay[seqno - 1]);
    }
    compare(&real, &replay).check_against(DIFFERENCES);
}

/// Every fragment of `txns` in full (headers, metadata, options, changes), its eventId
/// without the session id.
fn without_session_ids(txns: &[OwnedTransaction]) -> Vec<String> {
    txns.iter()
        .flat_map(events)
        .map(|mut event| {
            let id = EventId::parse(event.header.event_id).unwrap();
            event.header.event_id = "";
            event.record.event_id = JavaStr::encode("").unwrap();
            format!("{}:{} {event:?}", id.file, id.position)
        })
        .collect()
}

#[test]
fn regenerated_replay_extracts_as_the_committed_one() {
    if replog_tests::installed("mariadbd").is_none() {
        replog_tests::skip_unless_required!(
            "mariadbd is not installed",
            "install Debian's mariadb-server (.ci/run does)"
        );
    }
    let out = tempfile::tempdir().expect("a temporary directory");
    let run = Command::new("bash")
        .arg(project_fixture("tungsten/generate.sh"))
        .arg(out.path())
        .output()
        .expect("running bash fixtures/tungsten/generate.sh");
    assert!(
        run.status.success(),
        "generate.sh failed ({}):\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    // Event times are fixed by the workload and replog writes the source time where
    // Tungsten writes its clock; what a regeneration changes in the binlog (format
    // description and STOP times, exec times, XIDs, binlog CRCs) never reaches the THL.
    // Only the session's thread id may: it counts the connections the server saw first
    // (server.sh's readiness pings), so the eventIds are compared without it.
    let committed = extract_replay(&project_fixture("tungsten"));
    let fresh = extract_replay(out.path());
    assert!(
        without_session_ids(&committed) == without_session_ids(&fresh),
        "the regenerated binlog in {} extracts to other THL records than the committed one",
        out.path().display()
    );
}
