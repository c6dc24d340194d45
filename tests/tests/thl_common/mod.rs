//! Helpers shared by the `thl_*` tests: opening fixture logs and rendering values with
//! `thl list`'s own renderer (`replog-render`, with `-charset utf8`, display zone UTC).
#![allow(dead_code)] // each test crate uses a different subset

use replog::thl::event::{ColumnSpec, ColumnVal, Event};
use replog::thl::{LogDir, LogIndex, ReadOptions, Record, ThlFile};
use replog_render::charset::Charset;
use replog_render::value::push_column_value;
use replog_render::Style;
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

/// A value as `thl list -charset utf8` prints it in UTC, given its column spec: the text
/// after `COL(...) = `, from the listing's own renderer, so the expected texts the tests
/// hold (spec 6.5 and 13.2, the fixture README) check what `thl list` prints.
pub fn render_value(v: &ColumnVal<'_>, spec: &ColumnSpec<'_>) -> String {
    let style = Style {
        charset: Some(Charset::UTF_8),
        ..Style::default()
    };
    let mut text = String::new();
    push_column_value(&mut text, Some(spec), Some(v), &style);
    text
}
