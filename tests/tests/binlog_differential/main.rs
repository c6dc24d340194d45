//! Differential test: replog against mysql_common's binlog decoder (an independent Rust
//! implementation) on every file of the shared corpus and on the project's MariaDB logs.
//!
//! Both walk each file; they must frame the same events at the same offsets with the same
//! header, and decode the same value for every field mysql_common decodes: each event
//! body it reads (`events`), every column and optional-metadata field of table maps
//! (`table_map`), and every row value and per-column fact of rows events (`rows`),
//! including the events inside transaction payloads.
//!
//! A difference is keyed by (file, event offset, field). Where mysql_common is wrong, the
//! key is listed in [`exceptions::EXCEPTIONS`] (and in README, "Differential test against
//! mysql_common") with why; the test fails on an unlisted difference and on a listed one
//! that no longer happens, so the list stays exact.

mod events;
mod exceptions;
mod rows;
mod table_map;
mod tally;

use std::path::{Path, PathBuf};

use mysql_common::binlog::consts::BinlogVersion;
use mysql_common::binlog::BinlogFile;
use replog::binlog::rows::TableMaps;
use replog::binlog::{Event, ReadOptions, Reader};
use replog::input::LogBytes;

use exceptions::EXCEPTIONS;
use tally::{Cmp, Diff, Tally};

/// Event types mysql_common frames but whose bodies it does not decode (it returns no
/// data for them): the MariaDB-only types 160-171.
const UNREAD_BY_MYSQL_COMMON: &[&str] = &[
    "MARIADB_ANNOTATE_ROWS_EVENT",
    "MARIADB_BINLOG_CHECKPOINT_EVENT",
    "MARIADB_GTID_EVENT",
    "MARIADB_GTID_LIST_EVENT",
    "MARIADB_QUERY_COMPRESSED_EVENT",
    "MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1",
    "MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1",
    "MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1",
];

/// The files compared: the whole shared corpus and the project's MariaDB logs.
fn files() -> Vec<(String, PathBuf)> {
    let dir = replog_tests::shared_fixture("binlog");
    let mut out = Vec::new();
    for sub in ["", "tungsten"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if path.is_file() && name != "README.md" {
                out.push((name, path));
            }
        }
    }
    assert_eq!(out.len(), 38, "the corpus README lists 38 logs");
    for name in [
        "sample-bin.000001",
        "types-bin.000001",
        "compressed-bin.000001",
    ] {
        let path = replog_tests::project_fixture(&format!("mariadb/{name}"));
        out.push((name.to_string(), path));
    }
    out.sort();
    out
}

#[test]
fn replog_and_mysql_common_agree_on_the_corpus() {
    replog_tests::require_corpus!();
    let mut total = Tally::default();
    let mut diffs: Vec<(String, Diff)> = Vec::new();
    for (name, path) in files() {
        let tally = compare_file(&path);
        total.add(&tally);
        diffs.extend(tally.diffs.into_iter().map(|d| (name.clone(), d)));
    }

    let unexplained: Vec<String> = diffs
        .iter()
        .filter(|(file, d)| !EXCEPTIONS.iter().any(|e| e.covers(file, d)))
        .map(|(file, d)| format!("{file} at {}: {}: {}", d.offset, d.field, d.what))
        .collect();
    assert!(
        unexplained.is_empty(),
        "{} undocumented differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    for e in EXCEPTIONS {
        for &(offset, field, what) in e.at {
            assert!(
                diffs.iter().any(|(file, d)| file == e.file
                    && d.offset == offset
                    && d.field == field
                    && d.what == what),
                "documented exception no longer happens as documented: {} at {offset}: \
                 {field}: {what} ({})",
                e.file,
                e.why
            );
        }
    }
    assert!(
        total.uncompared.is_empty(),
        "bodies both decoders read but the test does not compare: {:?}",
        total.uncompared
    );
    for kind in total.unread.keys() {
        assert!(
            UNREAD_BY_MYSQL_COMMON.contains(kind),
            "{kind}: mysql_common decodes this type's body but the test does not compare it"
        );
    }

    let fields = total.field_count();
    eprintln!(
        "compared {} events, {fields} fields ({} row values); per event type: {:?}; \
         not decoded by mysql_common: {:?}; {} documented differences",
        total.events,
        total.values,
        total.fields,
        total.unread,
        diffs.len()
    );
    // The comparison really compared: every event of the corpus and the fixtures, the
    // fields of the bodies both decode, and every row value. Exact counts: a change to
    // either decoder or to the comparison that drops anything shows here.
    assert_eq!(
        (total.events, fields, total.values, diffs.len()),
        (1562, 31_903, 737, 26)
    );
}

fn compare_file(path: &Path) -> Tally {
    let mut t = Tally::default();
    let bytes = LogBytes::open(path).unwrap();
    let data = bytes.bytes();
    // Permissive: a body replog rejects is reported and the walk goes on, as
    // mysql_common's does.
    let mut ours = Reader::with_options(bytes.name(), data, ReadOptions::permissive()).unwrap();
    let mut theirs = BinlogFile::new(BinlogVersion::Version4, data).unwrap();
    let mut maps = TableMaps::new();
    let mut pos = 4u64;
    loop {
        let mine = ours.next();
        let other = theirs.next();
        let (mine, other) = match (mine, other) {
            (None, None) => break,
            (Some(Err(e)), Some(Ok(o))) if e.offset == pos => {
                // replog rejects the event; mysql_common frames it: does it decode it?
                let mut c = Cmp::new(&mut t, pos, "rejected", "event".into());
                match o.read_data() {
                    Ok(_) => c.differ("body", format!("replog rejects it: {e}")),
                    Err(theirs) => c.differ(
                        "body",
                        format!("both reject it: replog {}; mysql_common {theirs}", e.kind),
                    ),
                }
                pos += u64::from(o.header().event_size());
                continue;
            }
            (Some(Err(e)), None) => {
                // A truncated tail: mysql_common stops silently at the short read.
                assert!(e.to_string().contains("truncated"), "{e}");
                break;
            }
            (Some(Ok(m)), Some(Ok(o))) => (m, o),
            (m, o) => panic!(
                "{}: framing differs at {pos}: replog {:?}, mysql_common {:?}",
                path.display(),
                m.map(|r| r.map(|e| e.raw.offset)),
                o.map(|r| r.map(|e| e.header().event_size()))
            ),
        };
        t.events += 1;
        assert_eq!(mine.raw.offset, pos, "{}", path.display());
        let kind = mine.raw.event_type.name().unwrap_or("UNKNOWN_EVENT");
        let h = other.header();
        let mut c = Cmp::new(&mut t, pos, kind, kind.to_string());
        c.eq("header.timestamp", mine.raw.header.timestamp, h.timestamp());
        c.eq(
            "header.type_code",
            mine.raw.header.type_code,
            h.event_type_raw(),
        );
        c.eq("header.server_id", mine.raw.header.server_id, h.server_id());
        c.eq(
            "header.event_size",
            mine.raw.header.event_size,
            h.event_size(),
        );
        c.eq("header.log_pos", mine.raw.header.log_pos, h.log_pos());
        c.eq("header.flags", mine.raw.header.flags, h.flags_raw());
        pos += u64::from(h.event_size());
        if mine.raw.event_type.0 != mine.raw.header.type_code {
            // A pre-GA log numbering types differently: mysql_common reads the raw code.
            c.differ(
                "type",
                format!(
                    "replog {kind}, mysql_common code {}",
                    mine.raw.header.type_code
                ),
            );
            continue;
        }
        let ctx = ours.context().clone();
        events::compare_event(
            &mut c,
            &mine.event,
            &other,
            &ctx,
            theirs.reader_mut(),
            &mut maps,
        );
        if let Event::TableMap(tm) = mine.event {
            maps.insert(*tm);
        }
    }
    t
}
