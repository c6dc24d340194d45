//! TABLE_MAP: names, every column's type, metadata and nullability, and every optional
//! metadata field mysql_common reads.

use std::io;

use mysql_common::binlog::events::{OptionalMetadataField as F, TableMapEvent};
use replog::binlog::rows::{Column, ColumnType, TableMap};

use crate::tally::{Bytes, Cmp};

pub fn compare_table_map(c: &mut Cmp<'_>, m: &TableMap<'_>, o: &TableMapEvent<'_>) {
    c.eq("table_id", m.table_id, o.table_id());
    c.eq(
        "schema",
        Bytes::of(&m.schema),
        Bytes::of(o.database_name_raw()),
    );
    c.eq("table", Bytes::of(&m.table), Bytes::of(o.table_name_raw()));
    c.eq("column_count", m.columns.len() as u64, o.columns_count());
    let nulls = o.null_bitmask();
    for (i, col) in m.columns.iter().enumerate() {
        let logged = o.get_raw_column_type(i).map_err(|e| e.0);
        c.eq(
            format_args!("column[{i}].type"),
            Ok(Some(col.binlog_type.code())),
            logged.map(|t| t.map(|t| t as u8)),
        );
        // The real type: ENUM and SET unfolded from a STRING column's metadata.
        let real = o.get_column_type(i).map_err(|e| e.to_string());
        c.eq(
            format_args!("column[{i}].real_type"),
            Ok(Some(col.kind.code())),
            real.map(|t| t.map(|t| same_date(col, t as u8))),
        );
        c.eq(
            format_args!("column[{i}].metadata"),
            Some(documented_metadata(col)),
            o.get_column_metadata(i).map(<[u8]>::to_vec),
        );
        c.eq(
            format_args!("column[{i}].nullable"),
            Some(col.nullable),
            nulls.get(i).map(|b| *b),
        );
    }
    compare_optional(c, m, o);
}

/// mysql_common calls the real type of a logged DATE (10) NEWDATE (14): the 3-byte
/// layout rows events use for it, which replog decodes under the logged code. Same type.
pub fn same_date(col: &Column, their_real: u8) -> u8 {
    const NEWDATE: u8 = 14;
    match (col.binlog_type, their_real) {
        (ColumnType::Date, NEWDATE) => ColumnType::Date.code(),
        _ => their_real,
    }
}

/// replog's folded metadata laid out again as MySQL documents the bytes of each type
/// (Table_map_log_event, "column types: numerical identifier and metadata"): one byte for
/// FLOAT/DOUBLE pack length, BLOB/GEOMETRY/JSON/VECTOR pack length and the fractional
/// digits of TIME2/DATETIME2/TIMESTAMP2; VARCHAR's maximum length as a 2-byte unsigned
/// integer; BIT's bits then bytes; NEWDECIMAL's precision then decimals; STRING's (and
/// ENUM's, SET's) real type then length.
fn documented_metadata(col: &Column) -> Vec<u8> {
    use ColumnType::*;
    let m = col.metadata;
    let (high, low) = ((m >> 8) as u8, m as u8);
    match col.binlog_type {
        Float | Double | Blob | TinyBlob | MediumBlob | LongBlob | Geometry | Json | Vector
        | Timestamp2 | DateTime2 | Time2 => vec![low],
        VarChar => m.to_le_bytes().to_vec(),
        Bit => vec![low, high],
        NewDecimal | String | Enum | Set => vec![high, low],
        _ => Vec::new(),
    }
}

/// The optional metadata, field by field as mysql_common lists them. Per-column facts
/// mysql_common resolves (signedness, charsets, names, primary key) are compared again
/// on the columns of each rows event (`rows`).
fn compare_optional(c: &mut Cmp<'_>, m: &TableMap<'_>, o: &TableMapEvent<'_>) {
    let ours = &m.optional;
    let mut theirs_present = Vec::new();
    for field in o.iter_optional_meta() {
        let field = match field {
            Ok(f) => f,
            Err(e) => {
                c.differ("optional", format!("mysql_common fails: {e}"));
                return;
            }
        };
        match field {
            F::Signedness(bits) => {
                theirs_present.push("signedness");
                let raw = ours.signedness.as_deref().unwrap_or_default();
                let ours: Vec<bool> = (0..bits.len()).map(|k| msb(raw, k)).collect();
                let theirs: Vec<bool> = bits.iter().by_vals().collect();
                c.eq("optional.signedness", ours, theirs);
            }
            F::DefaultCharset(d) => {
                theirs_present.push("default_charset");
                let theirs = all(d.iter_non_default(), |x| (x.column_index(), x.charset()));
                let ours = ours
                    .default_charset
                    .as_ref()
                    .map(|d| (d.default, d.exceptions.clone()));
                c.eq(
                    "optional.default_charset",
                    ours,
                    theirs.map(|t| (u64::from(d.default_charset()), widen(t))),
                );
            }
            F::ColumnCharset(x) => {
                theirs_present.push("column_charsets");
                let theirs = all(x.iter_charsets(), u64::from);
                c.eq(
                    "optional.column_charsets",
                    ours.column_charsets.clone(),
                    theirs,
                );
            }
            F::ColumnName(x) => {
                theirs_present.push("column_names");
                let theirs = all(x.iter_names(), |n| Bytes::of(n.name_raw()));
                let ours = ours.column_names.iter().map(|n| Bytes::of(n)).collect();
                c.eq("optional.column_names", Some(ours), theirs);
            }
            F::SetStrValue(x) => {
                theirs_present.push("set_values");
                let theirs = all(x.iter_values(), |v| {
                    v.values()
                        .iter()
                        .map(|s| Bytes::of(s.value_raw()))
                        .collect()
                });
                c.eq(
                    "optional.set_values",
                    Some(members(&ours.set_values)),
                    theirs,
                );
            }
            F::EnumStrValue(x) => {
                theirs_present.push("enum_values");
                let theirs = all(x.iter_values(), |v| {
                    v.values()
                        .iter()
                        .map(|s| Bytes::of(s.value_raw()))
                        .collect()
                });
                c.eq(
                    "optional.enum_values",
                    Some(members(&ours.enum_values)),
                    theirs,
                );
            }
            F::GeometryType(x) => {
                theirs_present.push("geometry_types");
                let theirs = all(x.iter_geometry_types(), |g| g as u64);
                c.eq(
                    "optional.geometry_types",
                    Some(ours.geometry_types.clone()),
                    theirs,
                );
            }
            F::SimplePrimaryKey(x) => {
                theirs_present.push("simple_primary_key");
                let theirs = all(x.iter_indexes(), |i| i);
                let ours = Some(ours.simple_primary_key.clone());
                c.eq("optional.simple_primary_key", ours, theirs);
            }
            F::PrimaryKeyWithPrefix(x) => {
                theirs_present.push("primary_key_with_prefix");
                let theirs = all(x.iter_keys(), |k| (k.column_index(), k.prefix_length()));
                let ours = Some(ours.primary_key_with_prefix.clone());
                c.eq("optional.primary_key_with_prefix", ours, theirs);
            }
            F::EnumAndSetDefaultCharset(d) => {
                theirs_present.push("enum_set_default_charset");
                let theirs = all(d.iter_non_default(), |x| (x.column_index(), x.charset()));
                let ours = ours
                    .enum_set_default_charset
                    .as_ref()
                    .map(|d| (d.default, d.exceptions.clone()));
                c.eq(
                    "optional.enum_set_default_charset",
                    ours,
                    theirs.map(|t| (u64::from(d.default_charset()), widen(t))),
                );
            }
            F::EnumAndSetColumnCharset(x) => {
                theirs_present.push("enum_set_column_charsets");
                let theirs = all(x.iter_charsets(), u64::from);
                let ours = ours.enum_set_column_charsets.clone();
                c.eq("optional.enum_set_column_charsets", ours, theirs);
            }
            F::ColumnVisibility(bits) => {
                theirs_present.push("column_visibility");
                for (i, col) in m.columns.iter().enumerate() {
                    c.eq(
                        format_args!("column[{i}].visible"),
                        col.visible,
                        bits.get(i).map(|b| *b),
                    );
                }
            }
            F::Dimensionality(x) => {
                theirs_present.push("vector_dimensionality");
                let theirs = all(x.iter_dimensionalities(), |d| d);
                let ours = Some(ours.vector_dimensionality.clone());
                c.eq("optional.vector_dimensionality", ours, theirs);
            }
        }
    }
    let mut ours_present = Vec::new();
    let mut has = |name, present: bool| {
        if present {
            ours_present.push(name)
        }
    };
    has("signedness", ours.signedness.is_some());
    has("default_charset", ours.default_charset.is_some());
    has("column_charsets", ours.column_charsets.is_some());
    has("column_names", !ours.column_names.is_empty());
    has("set_values", !ours.set_values.is_empty());
    has("enum_values", !ours.enum_values.is_empty());
    has("geometry_types", !ours.geometry_types.is_empty());
    has("simple_primary_key", !ours.simple_primary_key.is_empty());
    has(
        "primary_key_with_prefix",
        !ours.primary_key_with_prefix.is_empty(),
    );
    has(
        "enum_set_default_charset",
        ours.enum_set_default_charset.is_some(),
    );
    has(
        "enum_set_column_charsets",
        ours.enum_set_column_charsets.is_some(),
    );
    has("column_visibility", ours.column_visibility.is_some());
    has(
        "vector_dimensionality",
        !ours.vector_dimensionality.is_empty(),
    );
    theirs_present.sort_unstable();
    ours_present.sort_unstable();
    c.eq("optional.fields", ours_present, theirs_present);
    c.eq(
        "optional.unknown_fields",
        ours.unknown_fields.clone(),
        vec![],
    );
}

/// Bit `k` of a most-significant-bit-first bitmap.
fn msb(raw: &[u8], k: usize) -> bool {
    raw.get(k / 8).is_some_and(|b| b & (0x80 >> (k % 8)) != 0)
}

/// Collects one of mysql_common's fallible lists; `None` when it fails on it.
fn all<T, U>(it: impl Iterator<Item = io::Result<T>>, f: impl Fn(T) -> U) -> Option<Vec<U>> {
    it.map(|x| x.map(&f)).collect::<io::Result<Vec<U>>>().ok()
}

fn widen(pairs: Vec<(u64, u16)>) -> Vec<(u64, u64)> {
    pairs.into_iter().map(|(i, c)| (i, u64::from(c))).collect()
}

fn members(lists: &[Vec<std::borrow::Cow<'_, [u8]>>]) -> Vec<Vec<Bytes>> {
    lists
        .iter()
        .map(|l| l.iter().map(|m| Bytes::of(m)).collect())
        .collect()
}
