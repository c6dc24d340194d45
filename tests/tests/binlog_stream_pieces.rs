//! A file walked in pieces ([`Stream::walk_in_pieces`], what `thl events -threads N`
//! decodes in parallel) is visited exactly as the serial [`Stream::walk`] visits it:
//! same events at the same places with the same table maps in force, same problems in
//! the same order, same end, on every log of the shared corpus and of `fixtures/`, in
//! strict and permissive mode, with pieces from one event each to the whole file, and
//! with start and stop positions.

use std::path::Path;

use replog::binlog::rows::TableMaps;
use replog::binlog::stream::{EventSite, PieceEnd, Stream};
use replog::binlog::{Event, ParseMode, ReadOptions};
use replog::input::OpenOptions;
use replog::{Error, Flow};
use replog_tests::shared_fixture;

/// One line per visit, problem and end: the place, the event's summary, the number of
/// maps in force and, for rows events, every row as JSON (which needs the right map).
fn visit_line(site: &EventSite<'_>, event: &Event<'_>, maps: &TableMaps<'_>) -> String {
    let mut line = format!(
        "{} @{} {:?} {:?} maps={} {event}",
        site.file,
        site.offset,
        site.inner_offset,
        site.event_type,
        maps.len()
    );
    if let Event::Rows(rows) = event {
        let mut json = Vec::new();
        let rendered = match maps.get(rows.table_id) {
            Some(map) => rows
                .write_rows_json(map, &mut json)
                .map_err(|e| format!("{e:?}")),
            None => Err("no map".to_string()),
        };
        line.push_str(&format!(" {rendered:?} {}", String::from_utf8_lossy(&json)));
    }
    line
}

fn serial(stream: Stream, files: &[String]) -> Vec<String> {
    let lines = std::cell::RefCell::new(Vec::new());
    let mut visit = |site: &EventSite<'_>, event: &Event<'_>, maps: &TableMaps<'_>| {
        lines.borrow_mut().push(visit_line(site, event, maps));
        Ok::<_, Error>(Flow::Continue)
    };
    let mut report = |err: Error| lines.borrow_mut().push(format!("problem {err}"));
    let end = stream.walk(files, &mut visit, &mut report);
    let mut lines = lines.into_inner();
    lines.push(format!("end {end:?}"));
    lines
}

fn in_pieces(stream: Stream, files: &[String], piece_len: u64) -> (Vec<String>, usize) {
    let lines = std::cell::RefCell::new(Vec::new());
    let mut pieces_walked = 0;
    let read = stream.read;
    let mut walk_file = |pieces: replog::binlog::stream::Pieces<'_>| -> Result<PieceEnd, Error> {
        let mut last = PieceEnd::default();
        for piece in pieces {
            pieces_walked += 1;
            let mut visit = |site: &EventSite<'_>, event: &Event<'_>, maps: &TableMaps<'_>| {
                lines.borrow_mut().push(visit_line(site, event, maps));
                Ok::<_, Error>(Flow::Continue)
            };
            let mut report = |err: Error| lines.borrow_mut().push(format!("problem {err}"));
            last = piece.walk(read, &mut visit, &mut report)?;
            if last.stopped() {
                break;
            }
        }
        Ok(last)
    };
    let mut report = |err: Error| lines.borrow_mut().push(format!("problem {err}"));
    let end = stream.walk_in_pieces(files, piece_len, &mut walk_file, &mut report);
    let mut lines = lines.into_inner();
    lines.push(format!("end {end:?}"));
    (lines, pieces_walked)
}

/// Every log to walk: each corpus file alone, and the multi-file sequences.
fn inputs() -> Vec<Vec<String>> {
    let mut logs = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dirs = [
        shared_fixture("binlog"),
        shared_fixture("binlog/tungsten"),
        root.join("fixtures/mariadb"),
        root.join("fixtures/tungsten"),
        root.join("fixtures/txn/small"),
    ];
    for dir in dirs {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .filter(|p| {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                !matches!(ext, "md" | "sh" | "py" | "json" | "index" | "sql")
            })
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        names.sort();
        logs.extend(names.iter().map(|n| vec![n.clone()]));
        if dir.ends_with("txn/small") {
            logs.push(names);
        }
    }
    logs
}

#[test]
fn pieces_are_visited_as_the_whole_file_is() {
    replog_tests::require_corpus!();
    let mut compared = 0;
    let mut cut = 0;
    for files in inputs() {
        for mode in [ParseMode::Strict, ParseMode::Permissive] {
            for (start, stop) in [(0, None), (500, Some(3000))] {
                let mut stream = Stream::new(OpenOptions::default());
                stream.read = ReadOptions::default().mode(mode);
                stream.start_position = start;
                stream.stop_position = stop;
                let expected = serial(stream, &files);
                for piece_len in [1, 300, 4096, 1 << 30] {
                    let (got, pieces) = in_pieces(stream, &files, piece_len);
                    let differs =
                        (0..got.len().max(expected.len())).find(|&i| got.get(i) != expected.get(i));
                    assert!(
                        differs.is_none(),
                        "{files:?} {mode:?} start {start} stop {stop:?} pieces of {piece_len}: \
                         first difference\n  pieces: {:?}\n  serial: {:?}",
                        differs.and_then(|i| got.get(i)),
                        differs.and_then(|i| expected.get(i)),
                    );
                    compared += 1;
                    cut += usize::from(pieces > files.len());
                }
            }
        }
    }
    // Every file is walked both ways, and most are really cut.
    assert!(compared > 700, "{compared} comparisons");
    assert!(cut > compared / 3, "{cut} of {compared} walks were cut");
}
