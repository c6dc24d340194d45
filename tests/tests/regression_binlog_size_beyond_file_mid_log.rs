//! Regression (found while building the damaged-input matrix): an event in the middle
//! of a binary log whose `event_size` was damaged to point past the end of the file was
//! taken for a partial last event, so permissive mode stopped there and every later
//! event was lost. A real partial tail has no plausible event after it; this one does,
//! and permissive reading now resynchronises on it. Strict mode still stops.

use replog::binlog::{BinlogError, ParseMode, ReadOptions, Reader};
use replog::ErrorKind;
use replog_tests::project_fixture;

/// (offset, size) of each event, read straight from the v4 headers (size at +9).
fn event_bounds(log: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 4;
    while pos + 19 <= log.len() {
        let size = u32::from_le_bytes(log[pos + 9..pos + 13].try_into().unwrap()) as usize;
        out.push((pos, size));
        pos += size;
    }
    out
}

fn read(log: &[u8], mode: ParseMode) -> Vec<Result<u64, (u64, BinlogError)>> {
    let options = ReadOptions::default().mode(mode);
    Reader::with_options("damaged", log, options)
        .unwrap()
        .map(|r| match r {
            Ok(ev) => Ok(ev.raw.offset),
            Err(e) => match e.kind {
                ErrorKind::Binlog(b) => Err((e.offset, b)),
                other => panic!("unexpected error kind {other:?}"),
            },
        })
        .collect()
}

#[test]
fn permissive_reading_resumes_after_an_event_size_beyond_the_file() {
    let mut log = std::fs::read(project_fixture("mariadb/sample-bin.000001")).unwrap();
    let events = event_bounds(&log);
    assert_eq!(events.last().map(|&(o, s)| o + s), Some(log.len()));
    let (at, size) = events[3];
    log[at + 9..at + 13].copy_from_slice(&1_000_000u32.to_le_bytes());
    let available = (log.len() - at) as u64;

    let permissive = read(&log, ParseMode::Permissive);
    let mut expected: Vec<Result<u64, (u64, BinlogError)>> =
        events[..3].iter().map(|&(o, _)| Ok(o as u64)).collect();
    expected.push(Err((
        at as u64,
        BinlogError::Truncated {
            needed: 1_000_000,
            available,
        },
    )));
    expected.push(Err((
        at as u64,
        BinlogError::Skipped {
            resume_at: (at + size) as u64,
        },
    )));
    expected.extend(events[4..].iter().map(|&(o, _)| Ok(o as u64)));
    assert_eq!(permissive, expected);

    let strict = read(&log, ParseMode::Strict);
    assert_eq!(strict.len(), 4, "strict stops at the damaged event");
    assert!(matches!(strict[3], Err((o, BinlogError::Truncated { .. })) if o == at as u64));
}

#[test]
fn a_partial_last_event_still_just_ends_the_log() {
    let log = std::fs::read(project_fixture("mariadb/sample-bin.000001")).unwrap();
    let &(at, size) = event_bounds(&log).last().unwrap();
    let cut = &log[..at + size - 3];
    let permissive = read(cut, ParseMode::Permissive);
    assert_eq!(
        permissive.last(),
        Some(&Err((
            at as u64,
            BinlogError::Truncated {
                needed: size as u64,
                available: (size - 3) as u64,
            }
        )))
    );
}
