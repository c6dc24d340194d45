//! The row-value decoder, per column type. A structured input names up to 16 columns
//! (any type the library knows, with metadata of the length that type's table-map
//! entry has, signedness, nullability) and raw bytes for one or more row images. The
//! target builds a well-formed TABLE_MAP body and a WRITE_ROWS (v2, or MariaDB's
//! compressed-free v1 layout) body around them, so every input reaches the value
//! decoder instead of dying in the event headers.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use replog::binlog::rows::{ColumnType, RowsEvent, RowsEventKind, TableMap};

#[derive(Debug, Arbitrary)]
struct Column {
    type_pick: u8,
    metadata: [u8; 2],
    unsigned: bool,
    nullable: bool,
}

#[derive(Debug, Arbitrary)]
struct Input {
    mariadb: bool,
    columns: Vec<Column>,
    /// The rows part: null bitmap and values of each row, as the decoder reads them.
    rows: Vec<u8>,
}

/// Bytes of table-map metadata per type (MySQL's `table_def`).
fn metadata_len(t: ColumnType) -> usize {
    use ColumnType::*;
    match t {
        Float | Double | Blob | TinyBlob | MediumBlob | LongBlob | Geometry | Json | Vector
        | BlobCompressed | Timestamp2 | DateTime2 | Time2 => 1,
        VarChar | VarCharCompressed | Bit | NewDecimal | Enum | Set | String => 2,
        _ => 0,
    }
}

fn packed(out: &mut Vec<u8>, n: usize) {
    // Inputs are small: one byte below 251, else the 0xfc two-byte form.
    if n < 251 {
        out.push(n as u8);
    } else {
        out.push(0xfc);
        out.extend_from_slice(&(n as u16).to_le_bytes());
    }
}

fn bitmap(bits: impl Iterator<Item = bool>, msb_first: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, b) in bits.enumerate() {
        if i % 8 == 0 {
            out.push(0);
        }
        if b {
            let last = out.last_mut().unwrap();
            *last |= if msb_first {
                0x80 >> (i % 8)
            } else {
                1 << (i % 8)
            };
        }
    }
    out
}

fuzz_target!(|input: Input| {
    let known: Vec<ColumnType> = (0..=255u8).filter_map(ColumnType::from_code).collect();
    let columns: Vec<(ColumnType, &Column)> = input
        .columns
        .iter()
        .take(16)
        .map(|c| (known[usize::from(c.type_pick) % known.len()], c))
        .collect();
    let ctx = replog_fuzz::context(if input.mariadb { 7 } else { 5 });

    let mut map = Vec::new();
    map.extend_from_slice(&[42, 0, 0, 0, 0, 0, 1, 0]); // table id 42, flags 1
    map.extend_from_slice(b"\x01d\x00\x01t\x00");
    packed(&mut map, columns.len());
    map.extend(columns.iter().map(|(t, _)| t.code()));
    let mut meta = Vec::new();
    for (t, c) in &columns {
        meta.extend_from_slice(&c.metadata[..metadata_len(*t)]);
    }
    packed(&mut map, meta.len());
    map.extend_from_slice(&meta);
    map.extend(bitmap(columns.iter().map(|(_, c)| c.nullable), false));
    // SIGNEDNESS (type 1): one bit per numeric column, most significant first.
    let numeric: Vec<bool> = columns
        .iter()
        .filter(|(t, _)| {
            use ColumnType::*;
            matches!(
                t,
                Tiny | Short | Int24 | Long | LongLong | NewDecimal | Float | Double
            )
        })
        .map(|(_, c)| c.unsigned)
        .collect();
    if !numeric.is_empty() {
        let bits = bitmap(numeric.into_iter(), true);
        map.push(1);
        packed(&mut map, bits.len());
        map.extend_from_slice(&bits);
    }
    let Ok(table) = TableMap::parse(&map, &ctx) else {
        return;
    };
    replog_fuzz::consume_table_map(&table);

    let (code, extra): (u8, &[u8]) = if input.mariadb {
        (23, &[])
    } else {
        (30, &[2, 0])
    };
    let mut rows = Vec::new();
    rows.extend_from_slice(&[42, 0, 0, 0, 0, 0, 1, 0]);
    rows.extend_from_slice(extra);
    packed(&mut rows, columns.len());
    rows.extend(bitmap(columns.iter().map(|_| true), false));
    rows.extend_from_slice(&input.rows);
    let kind = RowsEventKind::from_type_code(code).unwrap();
    let Ok(event) = RowsEvent::parse(&rows, &ctx, kind) else {
        return;
    };
    replog_fuzz::consume_rows(&event, &table);
    let mut out = Vec::new();
    if event.write_rows_json(&table, &mut out).is_ok() {
        replog_fuzz::assert_json(&out, "rows event");
    }
});
