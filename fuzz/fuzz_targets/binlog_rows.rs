//! Rows events decoded with a table map: every rows type (pre-GA, v1, v2, partial JSON
//! updates, MariaDB compressed), every row, cell, and the JSON rendering.
//! Input: rows type byte, context selector byte, `u16 LE` table-map length, the table-map
//! body, then the rows body (the seed script cuts real pairs out of the fixtures). The
//! rows event's table id is forced to the map's, so decoding gets past the lookup.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::binlog::rows::{RowsEvent, RowsEventKind, TableMap, TableMaps};
use replog::binlog::EventType;

fuzz_target!(|data: &[u8]| {
    let Some((&[type_code, sel, l0, l1], rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let len = usize::from(u16::from_le_bytes([l0, l1]));
    let Some((map_body, rows_body)) = rest.split_at_checked(len) else {
        return;
    };
    let ctx = replog_fuzz::context(sel);
    let Ok(map) = TableMap::parse(map_body, &ctx) else {
        return;
    };
    replog_fuzz::consume_table_map(&map);
    let Some(kind) = RowsEventKind::from_type_code(type_code) else {
        return;
    };
    let Ok(mut rows) = RowsEvent::parse(rows_body, &ctx, kind) else {
        return;
    };
    rows.table_id = map.table_id;
    replog_fuzz::consume_rows(&rows, &map);
    // Through the dispatch and the registry too, as a reader does.
    let mut maps = TableMaps::new();
    maps.insert(map.clone().into_owned());
    if let Ok(iter) = maps.rows(&rows) {
        for row in iter {
            if row.is_err() {
                break;
            }
        }
    }
    replog_fuzz::decode_body(EventType(type_code), rows_body, &ctx, &mut maps);
});
