//! QUERY_EVENT bodies (status variables included) and MariaDB's QUERY_COMPRESSED_EVENT.
//! Input: a selector byte (bit 7: compressed; low bits: the writing server's layout),
//! then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::binlog::rows::TableMaps;
use replog::binlog::EventType;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let t = if sel & 0x80 != 0 {
        EventType::MARIADB_QUERY_COMPRESSED
    } else {
        EventType::QUERY
    };
    let ctx = replog_fuzz::context(sel);
    replog_fuzz::decode_body(t, body, &ctx, &mut TableMaps::new());
});
