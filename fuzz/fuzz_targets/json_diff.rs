//! Partial JSON updates (PARTIAL_UPDATE_ROWS after images): the diff list and its
//! rendering, which must be valid JSON whenever it succeeds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::binlog::rows::JsonDiffs;

fuzz_target!(|data: &[u8]| {
    let diffs = JsonDiffs::new(data);
    for (n, diff) in diffs.iter().enumerate() {
        assert!(n <= data.len(), "JSON diff iterator does not advance");
        match diff {
            Ok(d) => {
                let _ = (d.op.name(), d.path);
                if let Some(v) = d.value {
                    let _ = v.to_json_text();
                }
            }
            Err(_) => break,
        }
    }
    let mut out = Vec::new();
    if diffs.write_json(&mut out).is_ok() {
        replog_fuzz::assert_json(&out, "JSON diffs");
    }
});
