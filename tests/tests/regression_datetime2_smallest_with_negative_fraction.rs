//! Regression (found by the `binlog_rows` fuzz target): a DATETIME2 value whose 5-byte
//! integer part is all zeros (the smallest the format can hold, 2^39 below the stored
//! offset) followed by a negative fraction overflowed an `i64` addition, so a debug
//! build of `thl` panicked on one damaged row. It now decodes to a (meaningless) value
//! and the row iterator goes on.

use replog::binlog::rows::{RowsEvent, RowsEventKind, TableMap, Value};
use replog::binlog::FormatContext;

/// Table 42 (`d`.`t`) with one DATETIME2(2) column: type 18, metadata byte 2 (fsp).
fn table_map() -> Vec<u8> {
    vec![
        42, 0, 0, 0, 0, 0, 0, 0, 1, b'd', 0, 1, b't', 0, 1, 18, 1, 2, 0,
    ]
}

/// WRITE_ROWS_EVENT_V1 for table 42, one column present, then `rows`.
fn write_rows(rows: &[u8]) -> Vec<u8> {
    let mut b = vec![42, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    b.extend_from_slice(rows);
    b
}

/// MySQL's DATETIME2 layout (`my_datetime_packed_to_binary`): 40 bits big-endian of
/// `((year*13+month) << 22 | day << 17 | hour << 12 | minute << 6 | second)` plus
/// 2^39, then for fsp 2 one byte of hundredths.
fn datetime2(y: u64, mo: u64, d: u64, h: u64, mi: u64, s: u64, hundredths: u8) -> Vec<u8> {
    let ymd = ((y * 13 + mo) << 5) | d;
    let hms = (h << 12) | (mi << 6) | s;
    let int = ((ymd << 17) | hms) + (1 << 39);
    let mut b = int.to_be_bytes()[3..].to_vec();
    b.push(hundredths);
    b
}

#[test]
fn smallest_datetime2_with_a_negative_fraction_decodes_without_overflow() {
    let ctx = FormatContext::v4_default();
    let map_body = table_map();
    let map = TableMap::parse(&map_body, &ctx).unwrap();
    let mut rows = vec![0]; // null bitmap: the value is not NULL
    rows.extend_from_slice(&[0, 0, 0, 0, 0, 0xff]);
    rows.push(0);
    rows.extend(datetime2(2024, 3, 2, 17, 45, 30, 12));
    let body = write_rows(&rows);
    let kind = RowsEventKind::from_type_code(23).unwrap();
    let event = RowsEvent::parse(&body, &ctx, kind).unwrap();
    let values: Vec<String> = event
        .rows(&map)
        .unwrap()
        .map(|row| {
            let image = row.unwrap().after.unwrap();
            match image.get(0).unwrap().unwrap() {
                Value::DateTime(dt) => dt.to_string(),
                other => panic!("not a DATETIME: {other:?}"),
            }
        })
        .collect();
    assert_eq!(values.len(), 2, "both rows decode");
    // The well-formed row after the damaged one is intact.
    assert_eq!(values[1], "2024-03-02 17:45:30.12");
}
