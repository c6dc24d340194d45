//! Byte builders for table maps and rows events in unit tests.

use crate::binlog::{ChecksumAlg, Flavor, FormatContext};

/// A MySQL 8.0-like context: 6-byte table ids, v2 rows post-header 10.
pub(crate) fn ctx() -> FormatContext {
    let mut post_header_lengths = [0u8; 256];
    post_header_lengths[19] = 8;
    for code in [23, 24, 25, 166, 167, 168] {
        post_header_lengths[code] = 8;
    }
    for code in [30, 31, 32, 39] {
        post_header_lengths[code] = 10;
    }
    FormatContext {
        binlog_version: 4,
        server_version: "8.0.40".into(),
        flavor: Flavor::MySql,
        checksum: ChecksumAlg::Crc32,
        post_header_lengths,
        ..FormatContext::v4_default()
    }
}

/// A table-map body with 6-byte table id and flags 1.
pub(crate) fn table_map_body(
    table_id: u64,
    schema: &[u8],
    table: &[u8],
    types: &[u8],
    metadata: &[u8],
    nulls: &[u8],
    optional: &[u8],
) -> Vec<u8> {
    let mut b = table_id.to_le_bytes()[..6].to_vec();
    b.extend_from_slice(&1u16.to_le_bytes());
    b.push(schema.len() as u8);
    b.extend_from_slice(schema);
    b.push(0);
    b.push(table.len() as u8);
    b.extend_from_slice(table);
    b.push(0);
    b.push(types.len() as u8);
    b.extend_from_slice(types);
    b.push(metadata.len() as u8);
    b.extend_from_slice(metadata);
    b.extend_from_slice(nulls);
    b.extend_from_slice(optional);
    b
}

/// A rows-event body: 6-byte table id, flags `STMT_END_F`, the v2 extra data when
/// `extra` is given (its length field is added), the column count, the bitmaps and the
/// rows bytes.
pub(crate) fn rows_body(
    table_id: u64,
    extra: Option<&[u8]>,
    column_count: u8,
    columns: &[u8],
    columns_after: Option<&[u8]>,
    rows: &[u8],
) -> Vec<u8> {
    let mut b = table_id.to_le_bytes()[..6].to_vec();
    b.extend_from_slice(&1u16.to_le_bytes());
    if let Some(items) = extra {
        b.extend_from_slice(&(items.len() as u16 + 2).to_le_bytes());
        b.extend_from_slice(items);
    }
    b.push(column_count);
    b.extend_from_slice(columns);
    if let Some(after) = columns_after {
        b.extend_from_slice(after);
    }
    b.extend_from_slice(rows);
    b
}
