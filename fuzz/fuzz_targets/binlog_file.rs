//! A whole binary log, as `Reader` sees a file: strict and permissive, with and without
//! checksum verification, every event decoded and rendered, rows decoded through the
//! table maps read before them, transaction payloads inflated and their events decoded.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    replog_fuzz::drain_binlog_all_modes(data);
    // Inputs that lost their magic still reach the framing code.
    if !data.starts_with(b"\xfebin") {
        let mut with_magic = b"\xfebin".to_vec();
        with_magic.extend_from_slice(data);
        replog_fuzz::drain_binlog_all_modes(&with_magic);
    }
});
