//! Regression (found by the `binlog_rows`, `row_value` and `binlog_transaction_payload`
//! fuzz targets): a rows event whose rows take no bytes — a table of zero columns, or a
//! columns-present bitmap with no bit set — made the row iterator yield the same empty
//! row forever, so `thl`/the reader hung on a few crafted bytes. Each row image holds at
//! least one column in every server's rows events; such a row is now an error and the
//! iteration ends.

use replog::binlog::rows::{RowsEvent, RowsEventKind, TableMap};
use replog::binlog::FormatContext;

/// A v4 table map (6-byte table id 42, schema `d`, table `t`) with `types` as its
/// column types and no metadata, as servers before 5.1 GA write it.
fn table_map(types: &[u8]) -> Vec<u8> {
    let mut b = vec![
        42,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
        b'd',
        0,
        1,
        b't',
        0,
        types.len() as u8,
    ];
    b.extend_from_slice(types);
    b
}

/// A WRITE_ROWS_EVENT_V1 body for table 42 with `columns` columns, the given
/// columns-present bitmap, then `rows` as the rows part.
fn write_rows(columns: u8, present: &[u8], rows: &[u8]) -> Vec<u8> {
    let mut b = vec![42, 0, 0, 0, 0, 0, 0, 0, columns];
    b.extend_from_slice(present);
    b.extend_from_slice(rows);
    b
}

fn rows_of(map_body: &[u8], rows_body: &[u8]) -> Vec<Result<(), &'static str>> {
    let ctx = FormatContext::v4_default();
    let map = TableMap::parse(map_body, &ctx).expect("table map decodes");
    let kind = RowsEventKind::from_type_code(23).expect("WRITE_ROWS_EVENT_V1");
    let event = RowsEvent::parse(rows_body, &ctx, kind).expect("rows event decodes");
    let rows = event.rows(&map).expect("map matches");
    // Bounded, so a regression fails instead of hanging the test run.
    rows.take(100)
        .map(|r| r.map(|_| ()).map_err(|e| e.expected))
        .collect()
}

#[test]
fn a_table_of_zero_columns_ends_with_an_error() {
    let got = rows_of(&table_map(&[]), &write_rows(0, &[], &[0, 0, 0]));
    assert_eq!(got, vec![Err("a row image with at least one column")]);
}

#[test]
fn a_row_with_no_column_present_ends_with_an_error() {
    // One TINY column (type 1), absent from the image: nothing to read per row.
    let got = rows_of(&table_map(&[1]), &write_rows(1, &[0], &[0, 7]));
    assert_eq!(got, vec![Err("a row image with at least one column")]);
}

#[test]
fn rows_that_take_bytes_still_decode() {
    // The same table with its column present: null bitmap 0, value 7; two rows.
    let got = rows_of(&table_map(&[1]), &write_rows(1, &[1], &[0, 7, 0, 8]));
    assert_eq!(got, vec![Ok(()), Ok(())]);
}
