//! MariaDB's events 160–171: ANNOTATE_ROWS, BINLOG_CHECKPOINT, GTID, GTID_LIST,
//! START_ENCRYPTION, QUERY_COMPRESSED and the six compressed rows events (decoded with a
//! table map when the input carries one).
//! Input: a type byte (160 + n % 12), then the body; for rows events the body may be
//! preceded by a table map: `u16 LE length, table map body`, when bit 7 of the type byte
//! is set.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::binlog::rows::TableMaps;
use replog::binlog::EventType;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, mut body)) = data.split_first() else {
        return;
    };
    let t = EventType(160 + (sel & 0x7f) % 12);
    let ctx = replog_fuzz::context(7);
    let mut maps = TableMaps::new();
    if sel & 0x80 != 0 {
        let Some((len, rest)) = body.split_first_chunk::<2>() else {
            return;
        };
        let len = usize::from(u16::from_le_bytes(*len));
        let Some((map, rest)) = rest.split_at_checked(len) else {
            return;
        };
        replog_fuzz::decode_body(EventType::TABLE_MAP, map, &ctx, &mut maps);
        body = rest;
    }
    replog_fuzz::decode_body(t, body, &ctx, &mut maps);
});
