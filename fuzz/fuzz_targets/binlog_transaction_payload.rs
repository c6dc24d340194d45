//! TRANSACTION_PAYLOAD_EVENT bodies: the field list, zstd inflation (bounded by the
//! declared size and the hard cap), and the inner events with their table maps and rows.
//! Input: a context selector byte, then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::binlog::events::transaction_payload::TransactionPayload;
use replog::binlog::rows::TableMaps;
use replog::binlog::EventType;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let ctx = replog_fuzz::context(sel);
    let mut maps = TableMaps::new();
    replog_fuzz::decode_body(EventType::TRANSACTION_PAYLOAD, body, &ctx, &mut maps);
    if let Ok(p) = TransactionPayload::parse(body) {
        if let Ok(buf) = p.decompress() {
            if p.uncompressed_size != 0 {
                assert_eq!(buf.len() as u64, p.uncompressed_size);
            }
        }
    }
});
