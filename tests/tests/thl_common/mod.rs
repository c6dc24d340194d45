//! Helpers shared by the `thl_*` tests: opening fixture logs and rendering values the
//! way spec 6.5 describes (with `-charset utf8`, display zone UTC).
#![allow(dead_code)] // each test crate uses a different subset

use replog::thl::event::{ColumnSpec, ColumnVal, Event, Value};
use replog::thl::{java_text, LogDir, LogIndex, ReadOptions, Record, ThlFile};
use replog_tests::shared_fixture;

/// The four fixture directories.
pub const DIRS: [&str; 4] = [
    "tungsten-2.2.1",
    "tungsten-3.1.0",
    "synthetic-4.1.0",
    "synthetic-4.1.0-nocrc",
];

/// synthetic-4.1.0's (first, last) seqno per file, from its README: base seqnos -1, 3,
/// 12 and 19, maximum seqno 22.
pub const SYNTHETIC_RANGES: [(i64, i64); 4] = [(0, 2), (3, 11), (12, 18), (19, 22)];

/// (first, last) seqno of every file an index lists.
pub fn seqno_ranges(index: &LogIndex) -> Vec<(i64, i64)> {
    index
        .entries()
        .iter()
        .map(|e| (e.start_seqno, e.end_seqno))
        .collect()
}

/// A fixture log directory.
pub fn log_dir(dir: &str) -> LogDir {
    LogDir::open(&shared_fixture(&format!("thl/{dir}"))).unwrap()
}

/// Every file of a fixture directory in index order, opened (leaked: tests only, so
/// records can borrow for `'static`).
pub fn files(dir: &str) -> Vec<&'static ThlFile> {
    let log = log_dir(dir);
    let index = log.index(ReadOptions::default()).unwrap();
    index
        .entries()
        .iter()
        .map(|e| &*Box::leak(Box::new(log.open_file(&e.file_name).unwrap())))
        .collect()
}

/// Every record of a fixture directory, CRCs verified, with its file name.
pub fn records(dir: &str) -> Vec<(&'static str, Record<'static>)> {
    files(dir)
        .into_iter()
        .flat_map(|f| {
            let name = f.name().rsplit('/').next().unwrap_or_default();
            f.records(ReadOptions::default())
                .map(move |r| (name, r.unwrap()))
        })
        .collect()
}

/// Every event of a fixture directory, decoded.
pub fn events(dir: &str) -> Vec<Event<'static>> {
    records(dir)
        .iter()
        .filter_map(|(_, r)| r.event().map(|e| e.decode().unwrap()))
        .collect()
}

/// The decoded events with this seqno (all fragments).
pub fn seqno(events: &[Event<'static>], seqno: i64) -> Vec<Event<'static>> {
    events
        .iter()
        .filter(|e| e.record.seqno == seqno)
        .cloned()
        .collect()
}

/// A value as `thl list -charset utf8` prints it in UTC (spec 6.5), given its column
/// spec type. DATETIME's trailing line break (quirk 7) is left out.
pub fn render_value(v: &ColumnVal<'_>, spec: &ColumnSpec<'_>) -> String {
    let mut s = String::new();
    match v.value() {
        Value::Null => s.push_str("NULL"),
        Value::Int(i) | Value::Bit(i) => s = i.to_string(),
        Value::Long(l) => s = l.to_string(),
        Value::Float(f) => java_text::java_float(&mut s, f).unwrap(),
        Value::Double(d) => java_text::java_double(&mut s, d).unwrap(),
        Value::Decimal { unscaled, scale } => {
            java_text::big_decimal(&mut s, unscaled, scale).unwrap()
        }
        Value::String(t) => s.push_str(t),
        Value::BinaryString(b) => s = String::from_utf8_lossy(b).into_owned(),
        Value::Blob([]) => {
            s.push_str("com.continuent.tungsten.replicator.extractor.mysql.SerialBlob@7820")
        }
        Value::Blob(b) => {
            s = String::from_utf8_lossy(&b[..b.len().min(1000)]).into_owned();
            if b.len() > 1000 {
                s.push_str("<...>");
            }
        }
        Value::Timestamp {
            millis,
            extra_nanos,
        }
        | Value::TimeWithNanos {
            millis,
            extra_nanos,
        } => java_text::timestamp(&mut s, millis, extra_nanos, 0).unwrap(),
        Value::ZeroTimestamp | Value::ZeroDate => s.push('0'),
        Value::Date { millis } => java_text::Civil::from_millis(millis, 0, 0)
            .write_date(&mut s)
            .unwrap(),
        Value::DateTime {
            millis,
            extra_nanos,
        } if spec.sql_type == 91 => {
            let c = java_text::Civil::from_millis(millis, extra_nanos, 0);
            c.write_date(&mut s).unwrap();
            s.push(' ');
            c.write_time(&mut s).unwrap();
            if c.nanos > 0 {
                s.push_str(&format!(".{:09}", c.nanos));
            }
        }
        Value::DateTime {
            millis,
            extra_nanos,
        } => java_text::timestamp(&mut s, millis, extra_nanos, 0).unwrap(),
        Value::Time { millis } => java_text::Civil::from_millis(millis, 0, 0)
            .write_time(&mut s)
            .unwrap(),
        other => panic!("unexpected value {other:?}"),
    }
    s
}
