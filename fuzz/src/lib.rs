//! Shared drivers for the fuzz targets: every target decodes its input through the
//! library's public API and then consumes *everything* that decoded (displays, row
//! values, JSON renderings, payload inner events), so that lazily decoded parts are
//! exercised too. Nothing here asserts on decoded values; a target fails only by
//! panicking, hanging or exceeding the memory limit (plus the few invariants stated
//! where they are checked).

use std::fmt::Write as _;
use std::io::Write as _;

use replog::binlog::event::{decode, Event};
use replog::binlog::rows::{RowsEvent, TableMap, TableMaps};
use replog::binlog::stream::Stream;
use replog::binlog::{
    ChecksumAlg, EventHeader, EventType, FormatContext, InnerEvents, ParseMode, ReadOptions,
};
use replog::input::{LogBytes, OpenOptions};
use replog::txn::binlog::walk_transactions;
use replog::txn::extract::ExtractOptions;
use replog::Flow;

/// Post-header lengths as real servers write them in their FDE (file order, index = raw
/// type - 1), read off the shared fixtures' format description events.
const MYSQL_5_1_23: &[u8] = &[
    56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 83, 0, 4, 26, 8, 0, 0, 0, 8, 8, 8, 2,
];
const MYSQL_8_0_32: &[u8] = &[
    0, 13, 0, 8, 0, 0, 0, 0, 4, 0, 4, 0, 0, 0, 98, 0, 4, 26, 8, 0, 0, 0, 8, 8, 8, 2, 0, 0, 0, 10,
    10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0,
];
const MYSQL_9_6_0: &[u8] = &[
    0, 13, 0, 8, 0, 0, 0, 0, 4, 0, 4, 0, 0, 0, 99, 0, 4, 26, 8, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 10,
    10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0, 0,
];
/// The pre-GA 5.1 tree's array (raw types 16–22 numbered differently, 6-byte table ids).
const MYSQL_5_2_2_A_DROP6: &[u8] = &[
    56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 79, 6, 6, 6, 6, 0, 4, 26,
];

/// MariaDB 10.11's array: MySQL's first 32 types, then zeros up to 160, then 160–171.
fn mariadb_10_11() -> Vec<u8> {
    let mut v = vec![
        56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 228, 0, 4, 26, 8, 0, 0, 0, 8, 8, 8, 2, 0, 0,
        0, 10, 10, 10, 0, 0, 0, 0, 0, 0, 10, 10, 10,
    ];
    v.resize(159, 0);
    v.extend_from_slice(&[4, 19, 4, 0, 13, 8, 8, 8, 10, 10, 10]);
    v
}

/// The decoding contexts a selector byte chooses from: each one a layout some real
/// server writes (v1, v3, 5.0 defaults, 5.1, pre-GA 5.1, 8.0, 9.x, MariaDB).
pub fn context(selector: u8) -> FormatContext {
    let crc = Some(ChecksumAlg::Crc32);
    match selector % 8 {
        0 => FormatContext::v4_default(),
        1 => FormatContext::pre_v4(1, "3.23.58-log".into()),
        2 => FormatContext::pre_v4(3, "4.1.22-log".into()),
        3 => FormatContext::from_fde(4, "5.1.23-rc-debug-log", 19, MYSQL_5_1_23, None),
        4 => FormatContext::from_fde(4, "5.2.2-a_drop6p13", 19, MYSQL_5_2_2_A_DROP6, None),
        5 => FormatContext::from_fde(4, "8.0.32", 19, MYSQL_8_0_32, crc),
        6 => FormatContext::from_fde(4, "9.6.0", 19, MYSQL_9_6_0, crc),
        _ => FormatContext::from_fde(
            4,
            "10.11.19-MariaDB-0+deb12u1-log",
            19,
            &mariadb_10_11(),
            crc,
        ),
    }
}

/// A header for decoding a body of type `t` outside a file.
pub fn header_for(t: EventType, body_len: usize) -> EventHeader {
    EventHeader {
        timestamp: 1_700_000_000,
        type_code: t.0,
        server_id: 1,
        event_size: u32::try_from(body_len + 19).unwrap_or(u32::MAX),
        log_pos: 0,
        flags: 0,
    }
}

/// Decodes one event body of type `t` with context `ctx` and consumes the result.
/// Table maps are registered in `maps` so later rows events of the same input decode.
pub fn decode_body<'a>(
    t: EventType,
    body: &'a [u8],
    ctx: &FormatContext,
    maps: &mut TableMaps<'static>,
) -> Option<Event<'a>> {
    let header = header_for(t, body.len());
    let event = decode(t, &header, body, ctx).ok()?;
    consume_event(&event, ctx, maps, 0);
    Some(event)
}

/// Renders an event and everything inside it.
pub fn consume_event(
    event: &Event<'_>,
    ctx: &FormatContext,
    maps: &mut TableMaps<'static>,
    depth: u8,
) {
    let mut line = String::new();
    let _ = write!(line, "{event} {event:?}");
    match event {
        Event::TableMap(map) => {
            consume_table_map(map);
            maps.insert(map.clone().into_owned());
        }
        Event::Rows(rows) => {
            if let Some(map) = maps.get(rows.table_id) {
                consume_rows(rows, map);
            }
        }
        // Payloads do not nest in real logs; one level is what a reader follows.
        Event::TransactionPayload(p) if depth == 0 => {
            if let Ok(buf) = p.decompress() {
                consume_payload_events(&buf, ctx, maps);
            }
        }
        _ => {}
    }
}

/// Walks the events of a decompressed transaction payload.
pub fn consume_payload_events(buf: &[u8], ctx: &FormatContext, maps: &mut TableMaps<'static>) {
    for inner in InnerEvents::new(buf, ctx) {
        let Ok(inner) = inner else {
            break;
        };
        let _ = format!("{:?}", inner.header);
        match inner.decode(ctx) {
            Ok(event) => consume_event(&event, ctx, maps, 1),
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}

/// Touches every resolved column field and the member lists.
pub fn consume_table_map(map: &TableMap<'_>) {
    let mut s = String::new();
    for (i, c) in map.columns.iter().enumerate() {
        let _ = write!(s, "{:?}{}", c, c.kind.name());
        let _ = map.column_name(i);
        if let Some(members) = map.members(i) {
            let _ = members.len();
        }
    }
}

/// Decodes every row of `rows` with `map`: cell by cell, by index, and as JSON.
pub fn consume_rows(rows: &RowsEvent<'_>, map: &TableMap<'_>) {
    let Ok(iter) = rows.rows(map) else {
        return;
    };
    for change in iter {
        let Ok(change) = change else {
            break;
        };
        for image in [&change.before, &change.after].into_iter().flatten() {
            let _ = (image.len(), image.is_empty());
            for cell in image.iter() {
                let Ok(cell) = cell else {
                    break;
                };
                let mut out = Vec::new();
                let _ = cell.value.write_json(map.column_info(cell.column), &mut out);
            }
            let _ = image.get(map.columns.len().saturating_sub(1));
        }
        let mut out = Vec::new();
        let _ = change.write_json(&mut out);
    }
    let mut out = Vec::new();
    let _ = rows.write_rows_json(map, &mut out);
    let _ = rows.clone().into_owned();
}

/// Reads a whole binary log in one mode through the library's stream (the reader every
/// command uses: format descriptions, table maps, payload events), rendering every
/// event; then extracts it as THL transactions, whose every record must decode again.
pub fn drain_binlog(data: &[u8], options: ReadOptions) {
    let Ok(log) = LogBytes::from_vec("fuzz.bin", data.to_vec()) else {
        return;
    };
    let logs = [log];
    let mut stream = Stream::new(OpenOptions::default());
    stream.read = options;
    let mut sink = std::io::sink();
    // Every outer event or problem is about a distinct position, so a stream that yields
    // more of them than there are bytes is looping.
    let limit = 2 * (data.len() + 2);
    let steps = std::cell::Cell::new(0usize);
    let step = || {
        steps.set(steps.get() + 1);
        assert!(steps.get() <= limit, "binlog stream does not advance");
    };
    let _ = stream.walk_logs(
        &logs,
        &mut |site, event, maps| -> Result<Flow, replog::Error> {
            if site.inner_offset.is_none() {
                step();
            }
            let _ = writeln!(sink, "{} {} {}", site.offset, site.event_type, event);
            consume_stream_event(event, maps);
            Ok(Flow::Continue)
        },
        &mut |e| {
            step();
            let _ = e.to_string();
        },
    );
    // Small fragments, so that fragmenting is fuzzed too.
    let extract = ExtractOptions {
        fragment_size: 4096,
        permissive: options.mode == ParseMode::Permissive,
        ..ExtractOptions::new("fuzz", "fuzz")
    };
    let _ = walk_transactions(
        &logs[..],
        stream,
        extract,
        &mut |txn| -> Result<Flow, replog::Error> {
            for record in &txn.fragments {
                let event = record.event().expect("extraction writes event records");
                let decoded = event.decode().expect("an extracted record decodes");
                let _ = format!("{decoded:?}");
            }
            Ok(Flow::Continue)
        },
        &mut |e| {
            let _ = e.to_string();
        },
    );
}

/// Renders an event the stream visited, rows through the table maps it keeps.
fn consume_stream_event(event: &Event<'_>, maps: &TableMaps<'_>) {
    let _ = format!("{event} {event:?}");
    match event {
        Event::TableMap(map) => consume_table_map(map),
        Event::Rows(rows) => {
            if let Some(map) = maps.get(rows.table_id) {
                consume_rows(rows, map);
            }
        }
        _ => {}
    }
}

/// Both modes, with and without checksum verification.
pub fn drain_binlog_all_modes(data: &[u8]) {
    for mode in [ParseMode::Strict, ParseMode::Permissive] {
        for verify in [true, false] {
            drain_binlog(
                data,
                ReadOptions::default().mode(mode).verify_checksums(verify),
            );
        }
    }
}

/// Checks that `text` is one JSON value (what `-json` output promises).
pub fn assert_json(text: &[u8], what: &str) {
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(text) {
        // serde_json refuses nesting beyond 128 levels; that is its limit, not ours.
        if !e.to_string().contains("recursion limit") {
            panic!(
                "{what} rendered invalid JSON ({e}): {}",
                String::from_utf8_lossy(text)
            );
        }
    }
}
