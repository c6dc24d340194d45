//! MySQL's GTID family: GTID, ANONYMOUS_GTID, GTID_TAGGED, PREVIOUS_GTIDS, and the events
//! that travel with them (TRANSACTION_CONTEXT, VIEW_CHANGE, XA_PREPARE).
//! Input: a selector byte (type and server layout), then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::binlog::rows::TableMaps;
use replog::binlog::EventType;

const TYPES: [EventType; 7] = [
    EventType::GTID,
    EventType::ANONYMOUS_GTID,
    EventType::GTID_TAGGED,
    EventType::PREVIOUS_GTIDS,
    EventType::TRANSACTION_CONTEXT,
    EventType::VIEW_CHANGE,
    EventType::XA_PREPARE,
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let t = TYPES[usize::from(sel >> 4) % TYPES.len()];
    let ctx = replog_fuzz::context(sel);
    replog_fuzz::decode_body(t, body, &ctx, &mut TableMaps::new());
});
