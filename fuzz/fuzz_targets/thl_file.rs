//! A whole THL data file: the 16-byte header, record framing (lengths, CRC types, CRCs),
//! with and without CRC verification, damaged tails reported or stopped at, every
//! event record's payload decoded, and the permissive walk that skips damage.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::thl::{FileHeader, ReadOptions, RecordKind, Records, TailPolicy, HEADER_LEN};

fuzz_target!(|data: &[u8]| {
    let _ = FileHeader::parse("fuzz.thl", data);
    for verify in [true, false] {
        for tail in [TailPolicy::Report, TailPolicy::Stop] {
            let options = ReadOptions {
                verify_checksums: verify,
                tail,
            };
            let mut records = Records::new("fuzz.thl", data, HEADER_LEN, options);
            let mut n = 0usize;
            for record in records.by_ref() {
                n += 1;
                assert!(n <= data.len(), "THL records iterator does not advance");
                let Ok(record) = record else {
                    continue;
                };
                if let RecordKind::Event(e) = &record.kind {
                    let _ = e.is_java_serialized();
                    if let Ok(ev) = e.decode() {
                        let _ = (ev.is_filtered(), ev.metadata("shard"), format!("{ev:?}"));
                    }
                }
            }
            let _ = (records.offset(), records.damaged_tail());
            // The permissive walk: every damaged record reported, resynchronising after
            // a damaged stretch; it must end, moving forward at every step.
            let mut reported = 0usize;
            let mut permissive =
                Records::new("fuzz.thl", data, HEADER_LEN, options).skipping_damage(|_| reported += 1);
            let mut last = 0u64;
            for record in permissive.by_ref() {
                assert!(record.offset >= last, "permissive walk went backwards");
                last = record.offset + 1;
            }
            let _ = permissive.damaged_tail();
            assert!(reported <= 2 * data.len() + 2, "permissive walk reports without advancing");
        }
    }
});
