//! TABLE_MAP_EVENT bodies with every optional-metadata field. Input: a selector byte
//! (the writing server's layout: table-id width, flavor), then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::binlog::rows::{TableMap, TableMaps};
use replog::binlog::EventType;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let ctx = replog_fuzz::context(sel);
    replog_fuzz::decode_body(EventType::TABLE_MAP, body, &ctx, &mut TableMaps::new());
    if let Ok(map) = TableMap::parse(body, &ctx) {
        let owned = map.clone().into_owned();
        assert_eq!(owned, map, "into_owned changed the table map");
    }
});
