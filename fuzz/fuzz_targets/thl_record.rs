//! One THL record's data (type byte, fixed event header, protobuf payload). Whatever
//! decodes must survive the writer: re-encoding a decoded event and decoding that again
//! gives the same bytes on the next round (the encoder is a fixed point after one pass).
#![no_main]

use libfuzzer_sys::fuzz_target;
use replog::thl::RecordKind;

fuzz_target!(|data: &[u8]| {
    let Ok(RecordKind::Event(record)) = RecordKind::parse("fuzz.thl", 16, data) else {
        return;
    };
    let Ok(event) = record.decode() else {
        return;
    };
    let _ = format!("{event:?}");
    let once = event.encode();
    let Ok(RecordKind::Event(again)) = RecordKind::parse("fuzz.thl", 16, &once) else {
        panic!("re-encoded record does not frame");
    };
    let again = again.decode().expect("re-encoded record decodes");
    assert_eq!(again.encode(), once, "encoding is not stable");
});
