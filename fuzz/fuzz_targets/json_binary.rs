//! MySQL's binary JSON documents. Whatever renders must be one valid JSON value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::binlog::rows::JsonBinary;

fuzz_target!(|data: &[u8]| {
    let doc = JsonBinary::new(data);
    let mut out = Vec::new();
    if doc.write_json(&mut out).is_ok() {
        replog_fuzz::assert_json(&out, "binary JSON");
        let text = doc.to_json_text().expect("renders twice the same way");
        assert_eq!(text.as_bytes(), &out[..]);
    }
});
