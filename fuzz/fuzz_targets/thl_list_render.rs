//! `thl list` rendering of whatever decodes from a THL file: the full listing (with
//! `-specs`, `-hex` and `-charset` variants), `-sql`, `-headers` and `-headers -json`,
//! written to a sink, by `replog-render`, the renderer `thl` itself links.
#![no_main]

use std::io::sink;

use libfuzzer_sys::fuzz_target;
use replog::thl::{ReadOptions, RecordKind, Records, HEADER_LEN};
use replog_render::charset::Charset;
use replog_render::json::JsonArray;
use replog_render::zone::Zone;
use replog_render::{full, headers, sql, Style};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, file)) = data.split_first() else {
        return;
    };
    let zone = match sel & 3 {
        0 => Zone::utc(),
        1 => Zone::named("America/New_York").0,
        2 => Zone::named("GMT+05:30").0,
        _ => Zone::named("Asia/Kolkata").0,
    };
    let style = Style {
        zone,
        charset: match (sel >> 2) & 3 {
            0 => None,
            1 => Charset::from_java_name("ISO-8859-1"),
            2 => Charset::from_java_name("UTF-16"),
            _ => Charset::from_java_name("Shift_JIS"),
        },
        hex: sel & 0x10 != 0,
        specs: sel & 0x20 != 0,
    };
    let mut out = sink();
    let mut json = Vec::new();
    let mut array = JsonArray::begin(&mut json).unwrap();
    let options = ReadOptions::tungsten().no_checksum();
    for record in Records::new("fuzz.thl", file, HEADER_LEN, options) {
        let Ok(record) = record else {
            break;
        };
        let RecordKind::Event(event) = &record.kind else {
            continue;
        };
        let _ = headers::write_tab(&mut out, &event.header, &style.zone);
        let _ = array.item(&mut json, &event.header, &style.zone);
        if let Ok(decoded) = event.decode() {
            let _ = full::Listing::default().write_event(&mut out, &decoded, &style);
            sql::push_event(&mut String::new(), &decoded);
        }
    }
    array.end(&mut json).unwrap();
    replog_fuzz::assert_json(&json, "thl list -headers -json");
});
