//! `TABLE_MAP_EVENT`: the table id, names and column layout rows events refer to.

use std::borrow::Cow;

use nom::bytes::complete::{tag, take};
use nom::error::context;
use nom::number::complete::{le_u16, le_u32, u8 as byte};
use nom::Parser;

use super::charset;
use super::column_type::ColumnType;
use super::optional_metadata::{DefaultCharset, OptionalMetadata};
use super::value::{layout, Layout};
use super::wire::{bit_lsb, bit_msb, bitmap_len, le_u48, packed_len};
use crate::binlog::{Flavor, FormatContext};
use crate::decode::{finish, DecodeError, Parsed};

/// Type code of `TABLE_MAP_EVENT`, whose post-header length decides the table-id width.
const TABLE_MAP_EVENT: u8 = 19;

/// One column as the table map describes it, with the optional metadata resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The type byte as logged (CHAR, ENUM and SET all log [`ColumnType::String`]).
    pub binlog_type: ColumnType,
    /// The real type: ENUM/SET unfolded from a STRING column's metadata.
    pub kind: ColumnType,
    /// The metadata as MySQL's `table_def` folds it into 16 bits (0 when none):
    /// VARCHAR max length, BIT `bits % 8 | bytes << 8`, DECIMAL `precision << 8 | scale`,
    /// STRING `real_type << 8 | length`, pack length for blobs/JSON/FLOAT/DOUBLE,
    /// fractional digits for TIME2/DATETIME2/TIMESTAMP2.
    pub metadata: u16,
    /// For CHAR: the maximum byte length (long CHAR lengths unfolded); for ENUM/SET:
    /// bytes per value; otherwise 0.
    pub string_length: u16,
    /// Whether the column may be NULL (the table map's null bitmap; `true` when absent).
    pub nullable: bool,
    /// UNSIGNED, from the SIGNEDNESS metadata (`false` when absent).
    pub unsigned: bool,
    /// Collation id, from the charset metadata when present.
    pub collation: Option<u64>,
    /// Geometry subtype, from the GEOMETRY_TYPE metadata.
    pub geometry_type: Option<u64>,
    /// Visibility, from the COLUMN_VISIBILITY metadata.
    pub visible: Option<bool>,
    /// Dimensions of a VECTOR column, from the VECTOR_DIMENSIONALITY metadata.
    pub vector_dimensions: Option<u64>,
    /// Ordinal among ENUM (or among SET) columns: index into the member-name lists.
    pub(crate) enum_set_ordinal: Option<usize>,
    /// How values are laid out in row images (derived from the fields above).
    pub(crate) layout: Layout,
}

impl Column {
    /// A column with no optional metadata resolved yet.
    pub(crate) fn new(
        binlog_type: ColumnType,
        kind: ColumnType,
        metadata: u16,
        string_length: u16,
        nullable: bool,
    ) -> Self {
        Column {
            binlog_type,
            kind,
            metadata,
            string_length,
            nullable,
            unsigned: false,
            collation: None,
            geometry_type: None,
            visible: None,
            vector_dimensions: None,
            enum_set_ordinal: None,
            layout: layout(kind, metadata, string_length),
        }
    }
}

impl Column {
    /// A string or blob value of this column as text, decoded from the column's
    /// character set when the table map names it; without charset metadata, the bytes
    /// when they are valid UTF-8. `None` for binary columns and bytes not valid in the
    /// character set.
    pub fn text<'b>(&self, bytes: &'b [u8]) -> Option<Cow<'b, str>> {
        let encoding = self
            .collation
            .map_or(charset::Encoding::Utf8OrUnknown, charset::encoding);
        charset::decode(bytes, encoding)
    }
}

/// What rendering a value needs to know about its column: the column itself and, when the
/// table map carries them (`binlog_row_metadata=FULL`), its ENUM or SET member names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnInfo<'m> {
    /// The column.
    pub column: &'m Column,
    /// ENUM/SET member names in definition order (`None` for other columns, or when
    /// the map does not name them).
    pub members: Option<&'m [Cow<'m, [u8]>]>,
}

impl<'m> From<&'m Column> for ColumnInfo<'m> {
    /// A column known without its table map's names.
    fn from(column: &'m Column) -> Self {
        ColumnInfo {
            column,
            members: None,
        }
    }
}

/// A `TABLE_MAP_EVENT`. Names and metadata borrow from the event body until
/// [`TableMap::into_owned`] copies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMap<'a> {
    /// The table id rows events refer to.
    pub table_id: u64,
    /// Table-map flags (`TM_BIT_LEN_EXACT_F` = 1…).
    pub flags: u16,
    /// Schema name bytes.
    pub schema: Cow<'a, [u8]>,
    /// Table name bytes.
    pub table: Cow<'a, [u8]>,
    /// The columns, in table order.
    pub columns: Vec<Column>,
    /// The optional metadata fields (empty for servers before 8.0.1 / MariaDB 10.5, or
    /// with `binlog_row_metadata=MINIMAL` mostly empty).
    pub optional: OptionalMetadata<'a>,
}

impl<'a> TableMap<'a> {
    /// Decodes a table map body.
    pub fn parse(body: &'a [u8], ctx: &FormatContext) -> Result<Self, DecodeError> {
        let wide_id = ctx.post_header_len(TABLE_MAP_EVENT) != 6;
        let (rest, (table_id, flags, schema, table, column_count)) = finish(header(body, wide_id))?;
        let (rest, types) = finish(context("column types", take(column_count)).parse(rest))?;
        // Servers before 5.1 GA stop after the types: no metadata, no null bitmap.
        let (rest, metadata, nulls) = if rest.is_empty() {
            (rest, &[][..], None)
        } else {
            let (rest, (metadata, nulls)) = finish(metadata_and_nulls(rest, column_count))?;
            (rest, metadata, Some(nulls))
        };
        let columns = columns(rest, types, metadata, nulls)?;
        let optional = OptionalMetadata::parse(rest)?;
        let mut map = TableMap {
            table_id,
            flags,
            schema: Cow::Borrowed(schema),
            table: Cow::Borrowed(table),
            columns,
            optional,
        };
        map.resolve_optional(ctx.flavor);
        Ok(map)
    }

    /// Copies every borrowed byte, for maps that must outlive the event buffer (events
    /// inside a decompressed transaction payload, or a registry kept across reads).
    pub fn into_owned(self) -> TableMap<'static> {
        TableMap {
            table_id: self.table_id,
            flags: self.flags,
            schema: Cow::Owned(self.schema.into_owned()),
            table: Cow::Owned(self.table.into_owned()),
            columns: self.columns,
            optional: self.optional.into_owned(),
        }
    }

    /// The column's name when the table map carries names (`binlog_row_metadata=FULL`).
    pub fn column_name(&self, column: usize) -> Option<&[u8]> {
        self.optional.column_names.get(column).map(|c| c.as_ref())
    }

    /// The primary-key columns the table map names (`binlog_row_metadata=FULL`), in key
    /// order; empty when it names none.
    pub fn primary_key(&self) -> Vec<usize> {
        let simple = self.optional.simple_primary_key.iter().map(|&c| c as usize);
        let prefixed = self
            .optional
            .primary_key_with_prefix
            .iter()
            .map(|&(c, _)| c as usize);
        simple.chain(prefixed).collect()
    }

    /// Member names of an ENUM or SET column, when the table map carries them.
    pub fn members(&self, column: usize) -> Option<&[Cow<'a, [u8]>]> {
        let c = self.columns.get(column)?;
        let lists = match c.kind {
            ColumnType::Enum => &self.optional.enum_values,
            ColumnType::Set => &self.optional.set_values,
            _ => return None,
        };
        lists.get(c.enum_set_ordinal?).map(Vec::as_slice)
    }

    /// Column `column` with its member names, as [`Value::write_json`] takes it.
    ///
    /// [`Value::write_json`]: super::Value::write_json
    pub fn column_info(&self, column: usize) -> Option<ColumnInfo<'_>> {
        Some(ColumnInfo {
            column: self.columns.get(column)?,
            members: self.members(column),
        })
    }

    /// Fills the per-column fields from the optional metadata. Each list covers only the
    /// columns of its kind, in table order.
    fn resolve_optional(&mut self, flavor: Flavor) {
        let opt = &self.optional;
        let (mut numeric, mut character, mut enum_set) = (0usize, 0usize, 0usize);
        let (mut enums, mut sets, mut geometry, mut vectors) = (0usize, 0usize, 0usize, 0usize);
        for (i, col) in self.columns.iter_mut().enumerate() {
            let kind = col.kind;
            // MariaDB gives YEAR (an unsigned TINYINT underneath) a SIGNEDNESS bit too:
            // fixtures/mariadb/types-bin.000001's t_time map (INT, then TIME/DATETIME/
            // TIMESTAMP columns, then YEAR) carries two bits, 0 then 1. MySQL does not.
            let signed_kind =
                kind.is_numeric() || (flavor == Flavor::MariaDb && kind == ColumnType::Year);
            if signed_kind {
                if let Some(bits) = &opt.signedness {
                    col.unsigned = bit_msb(bits, numeric);
                }
                numeric += 1;
            }
            let character_kind =
                kind.is_character() || (flavor == Flavor::MariaDb && kind == ColumnType::Geometry);
            if character_kind {
                col.collation = collation(
                    opt.column_charsets.as_deref(),
                    opt.default_charset.as_ref(),
                    character,
                );
                character += 1;
            }
            if kind.is_enum_or_set() {
                col.collation = collation(
                    opt.enum_set_column_charsets.as_deref(),
                    opt.enum_set_default_charset.as_ref(),
                    enum_set,
                );
                enum_set += 1;
                let ordinal = if kind == ColumnType::Enum {
                    &mut enums
                } else {
                    &mut sets
                };
                col.enum_set_ordinal = Some(*ordinal);
                *ordinal += 1;
            }
            if kind == ColumnType::Geometry {
                col.geometry_type = opt.geometry_types.get(geometry).copied();
                geometry += 1;
            }
            if kind == ColumnType::Vector {
                col.vector_dimensions = opt.vector_dimensionality.get(vectors).copied();
                vectors += 1;
            }
            if let Some(bits) = &opt.column_visibility {
                col.visible = Some(bit_msb(bits, i));
            }
        }
    }
}

/// The collation of the `ordinal`-th column among those a charset list covers: from the
/// per-column list when the metadata has one, else from the default-with-exceptions form.
fn collation(
    per_column: Option<&[u64]>,
    default: Option<&DefaultCharset>,
    ordinal: usize,
) -> Option<u64> {
    per_column
        .and_then(|l| l.get(ordinal).copied())
        .or_else(|| default.map(|d| d.for_ordinal(ordinal)))
}

/// Post-header and the fixed part of the body up to the column count.
#[allow(clippy::type_complexity)]
fn header(input: &[u8], wide_id: bool) -> Parsed<'_, (u64, u16, &[u8], &[u8], usize)> {
    let (rest, table_id) = if wide_id {
        context("a 6-byte table id", le_u48).parse(input)?
    } else {
        context("a 4-byte table id", le_u32.map(u64::from)).parse(input)?
    };
    let (rest, flags) = context("table-map flags", le_u16).parse(rest)?;
    let (rest, schema) = context("the schema name", name).parse(rest)?;
    let (rest, table) = context("the table name", name).parse(rest)?;
    let (rest, count) = packed_len(rest, "the column count")?;
    Ok((rest, (table_id, flags, schema, table, count)))
}

/// A 1-byte length, the name, and a NUL.
fn name(input: &[u8]) -> Parsed<'_, &[u8]> {
    let (rest, len) = byte(input)?;
    let (rest, s) = take(len).parse(rest)?;
    let (rest, _) = tag(&[0u8][..]).parse(rest)?;
    Ok((rest, s))
}

fn metadata_and_nulls(input: &[u8], columns: usize) -> Parsed<'_, (&[u8], &[u8])> {
    let (rest, len) = packed_len(input, "the column metadata length")?;
    let (rest, metadata) = context("the column metadata", take(len)).parse(rest)?;
    let (rest, nulls) = context("the null bitmap", take(bitmap_len(columns))).parse(rest)?;
    Ok((rest, (metadata, nulls)))
}

/// Splits the metadata block per column and unfolds CHAR/ENUM/SET.
fn columns(
    optional: &[u8],
    types: &[u8],
    metadata: &[u8],
    nulls: Option<&[u8]>,
) -> Result<Vec<Column>, DecodeError> {
    // Errors in the type list or metadata block are reported where the optional
    // metadata starts (just after them) with a precise label.
    let at = |what| DecodeError::new(optional.len(), what);
    let mut out = Vec::with_capacity(types.len());
    let mut meta = metadata;
    for (i, &code) in types.iter().enumerate() {
        let binlog_type =
            ColumnType::from_code(code).ok_or(at("a known column type in the table map"))?;
        let n = binlog_type.metadata_len();
        // Pre-GA maps carry no metadata at all; every column then reads as 0.
        let bytes = if metadata.is_empty() {
            &[][..]
        } else {
            let b = meta
                .get(..n)
                .ok_or(at("column metadata for every column"))?;
            meta = &meta[n..];
            b
        };
        let folded = binlog_type.fold_metadata(bytes);
        let (kind, string_length) = unfold_string(binlog_type, folded);
        out.push(Column::new(
            binlog_type,
            kind,
            folded,
            string_length,
            nulls.is_none_or(|b| bit_lsb(b, i)),
        ));
    }
    Ok(out)
}

/// CHAR, ENUM and SET are logged as STRING with `real_type << 8 | length`. A CHAR longer
/// than 255 bytes keeps bits 8-9 of its length, inverted, in bits 4-5 of the real-type
/// byte (MySQL bug #37426), which is why a real type without both of those bits set is
/// really STRING.
fn unfold_string(binlog_type: ColumnType, meta: u16) -> (ColumnType, u16) {
    match binlog_type {
        ColumnType::String if meta >= 256 => {
            let (byte0, byte1) = (meta >> 8, meta & 0xff);
            if byte0 & 0x30 != 0x30 {
                let length = byte1 | (((byte0 & 0x30) ^ 0x30) << 4);
                (ColumnType::String, length)
            } else {
                let kind = match ColumnType::from_code(byte0 as u8) {
                    Some(k @ (ColumnType::Enum | ColumnType::Set)) => k,
                    _ => ColumnType::String,
                };
                (kind, byte1)
            }
        }
        ColumnType::String => (ColumnType::String, meta),
        // Rare: a map that logs ENUM/SET directly carries (real type, pack length) too.
        ColumnType::Enum | ColumnType::Set => (binlog_type, meta & 0xff),
        other => (other, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binlog::rows::test_support::{ctx, table_map_body};

    #[test]
    fn names_types_metadata_and_nulls() {
        // INT, VARCHAR(300), DECIMAL(10,2), CHAR(128) utf8mb4 (long CHAR), ENUM(1 byte),
        // BIT(3), DATETIME2(3)
        let body = table_map_body(
            0x0102_0304_0506,
            b"db",
            b"t",
            &[3, 15, 246, 254, 254, 16, 18],
            &[0x2c, 0x01, 10, 2, 0xde, 0x00, 0xf7, 0x01, 3, 0, 3],
            &[0b0101_0101],
            &[],
        );
        let m = TableMap::parse(&body, &ctx()).unwrap();
        assert_eq!(m.table_id, 0x0102_0304_0506);
        assert_eq!((&*m.schema, &*m.table), (&b"db"[..], &b"t"[..]));
        let kinds: Vec<_> = m.columns.iter().map(|c| c.kind).collect();
        use ColumnType::*;
        assert_eq!(
            kinds,
            [Long, VarChar, NewDecimal, String, Enum, Bit, DateTime2]
        );
        assert_eq!(m.columns[1].metadata, 300);
        assert_eq!(m.columns[2].metadata, (10 << 8) | 2);
        assert_eq!(m.columns[3].string_length, 512);
        assert_eq!(m.columns[4].string_length, 1);
        assert_eq!(m.columns[5].metadata, 3);
        assert_eq!(m.columns[6].metadata, 3);
        let nullable: Vec<_> = m.columns.iter().map(|c| c.nullable).collect();
        assert_eq!(nullable, [true, false, true, false, true, false, true]);
    }

    #[test]
    fn four_byte_table_id_when_post_header_is_6() {
        let mut c = ctx();
        c.post_header_lengths[usize::from(TABLE_MAP_EVENT)] = 6;
        // Pre-GA layout: nothing after the column types.
        let body = [1, 0, 0, 0, 0, 0, 1, b'd', 0, 1, b't', 0, 1, 3];
        let m = TableMap::parse(&body, &c).unwrap();
        assert_eq!(m.table_id, 1);
        assert!(m.columns[0].nullable);
    }

    #[test]
    fn optional_metadata_resolves_per_column() {
        // TINYINT, INT UNSIGNED, VARCHAR, SET, ENUM
        let mut tlv = vec![1, 1, 0b0100_0000]; // signedness: 2nd numeric unsigned
        tlv.extend_from_slice(&[4, 10, 1, b'a', 1, b'b', 1, b'c', 1, b'd', 1, b'e']);
        tlv.extend_from_slice(&[5, 3, 1, 1, b'x']); // SET values: ["x"]
        tlv.extend_from_slice(&[6, 5, 2, 1, b'p', 1, b'q']); // ENUM values: ["p","q"]
        tlv.extend_from_slice(&[2, 3, 45, 0, 63]); // default charset 45, col 0 -> 63
        let body = table_map_body(
            7,
            b"s",
            b"t",
            &[1, 3, 15, 254, 254],
            &[0x10, 0x00, 0xf8, 0x01, 0xf7, 0x01],
            &[0],
            &tlv,
        );
        let m = TableMap::parse(&body, &ctx()).unwrap();
        assert!(!m.columns[0].unsigned && m.columns[1].unsigned);
        assert_eq!(m.column_name(4), Some(&b"e"[..]));
        assert_eq!(m.columns[2].collation, Some(63));
        assert_eq!(m.members(3).unwrap(), &[Cow::Borrowed(&b"x"[..])]);
        assert_eq!(m.members(4).unwrap()[1], Cow::Borrowed(&b"q"[..]));
        let owned = m.clone().into_owned();
        assert_eq!(owned, m);
    }

    #[test]
    fn signedness_bits_follow_each_flavors_numeric_columns() {
        // INT, YEAR, TINYINT; SIGNEDNESS 0b0110_0000: bits 0 and 1 clear/set as listed.
        let body = table_map_body(1, b"d", b"t", &[3, 13, 1], &[], &[0], &[1, 1, 0b0110_0000]);
        // MySQL: two numeric columns (INT, TINYINT); the TINYINT is the second bit.
        let m = TableMap::parse(&body, &ctx()).unwrap();
        let got: Vec<_> = m.columns.iter().map(|c| c.unsigned).collect();
        assert_eq!(got, [false, false, true]);
        // MariaDB: YEAR takes the second bit, the TINYINT the third.
        let mut maria = ctx();
        maria.flavor = Flavor::MariaDb;
        let m = TableMap::parse(&body, &maria).unwrap();
        let got: Vec<_> = m.columns.iter().map(|c| c.unsigned).collect();
        assert_eq!(got, [false, true, true]);
        let body = table_map_body(1, b"d", b"t", &[3, 13, 1], &[], &[0], &[1, 1, 0b0100_0000]);
        let m = TableMap::parse(&body, &maria).unwrap();
        let got: Vec<_> = m.columns.iter().map(|c| c.unsigned).collect();
        assert_eq!(got, [false, true, false]);
    }

    /// Layouts from MySQL's source documentation of `Table_map_event`'s
    /// `Optional_metadata_field_type`: COLUMN_VISIBILITY (12) is one bit per column, most
    /// significant bit first, set for a visible column; VECTOR_DIMENSIONALITY (13) is one
    /// packed integer per VECTOR column, in column order.
    #[test]
    fn visibility_and_vector_dimensions_per_column() {
        // INT, VECTOR (4-byte length prefix), VARCHAR(10), VECTOR.
        let mut tlv = vec![12, 1, 0b1011_0000];
        tlv.extend_from_slice(&[13, 4, 3, 252, 0x00, 0x04]); // 3, then 1024 (0xfc + u16)
        let body = table_map_body(
            1,
            b"d",
            b"t",
            &[3, 242, 15, 242],
            &[4, 10, 0, 4],
            &[0],
            &tlv,
        );
        let m = TableMap::parse(&body, &ctx()).unwrap();
        let visible: Vec<_> = m.columns.iter().map(|c| c.visible).collect();
        assert_eq!(visible, [Some(true), Some(false), Some(true), Some(true)]);
        let dims: Vec<_> = m.columns.iter().map(|c| c.vector_dimensions).collect();
        assert_eq!(dims, [None, Some(3), None, Some(1024)]);
        // Without the fields nothing is known about either.
        let body = table_map_body(1, b"d", b"t", &[3, 242], &[4], &[0], &[]);
        let m = TableMap::parse(&body, &ctx()).unwrap();
        assert!(m.columns.iter().all(|c| c.visible.is_none()));
        assert!(m.columns.iter().all(|c| c.vector_dimensions.is_none()));
    }

    #[test]
    fn column_charsets_follow_each_flavors_character_columns() {
        // VARCHAR, GEOMETRY, VECTOR, BLOB; COLUMN_CHARSET lists the character columns.
        let tlv = [3, 3, 45, 63, 46];
        let body = table_map_body(
            1,
            b"d",
            b"t",
            &[15, 255, 242, 252],
            &[10, 0, 4, 4, 2],
            &[0],
            &tlv,
        );
        // MySQL: VARCHAR, VECTOR and BLOB are character columns, GEOMETRY is not.
        let m = TableMap::parse(&body, &ctx()).unwrap();
        let got: Vec<_> = m.columns.iter().map(|c| c.collation).collect();
        assert_eq!(got, [Some(45), None, Some(63), Some(46)]);
        // MariaDB: GEOMETRY is one (and VECTOR does not exist there).
        let mut maria = ctx();
        maria.flavor = Flavor::MariaDb;
        let body = table_map_body(1, b"d", b"t", &[15, 255, 252], &[10, 0, 4, 2], &[0], &tlv);
        let m = TableMap::parse(&body, &maria).unwrap();
        let got: Vec<_> = m.columns.iter().map(|c| c.collation).collect();
        assert_eq!(got, [Some(45), Some(63), Some(46)]);
    }

    #[test]
    fn damaged_maps_are_errors() {
        let body = table_map_body(1, b"d", b"t", &[3, 15], &[0x10], &[0], &[]);
        assert_eq!(
            TableMap::parse(&body, &ctx()).unwrap_err().located(&body),
            (20, "column metadata for every column"),
            "metadata too short"
        );
        let body = table_map_body(1, b"d", b"t", &[99], &[], &[0], &[]);
        assert_eq!(
            TableMap::parse(&body, &ctx()).unwrap_err().located(&body),
            (18, "a known column type in the table map"),
            "unknown type"
        );
        let body = table_map_body(1, b"d", b"t", &[3, 3], &[], &[0], &[]);
        // Ending right after the types is the legitimate pre-GA layout.
        let types_end = body.len() - 2;
        // Fixed fields fail where they start, strings where the bytes run out.
        let expected = |cut: usize| match cut {
            0..=5 => (0, "a 6-byte table id"),
            6..=7 => (6, "table-map flags"),
            8..=10 => (cut, "the schema name"),
            11..=13 => (cut, "the table name"),
            14 => (14, "the column count"),
            15..=16 => (15, "column types"),
            _ => (18, "the null bitmap"),
        };
        for cut in (0..body.len()).filter(|&c| c != types_end) {
            assert_eq!(
                TableMap::parse(&body[..cut], &ctx())
                    .unwrap_err()
                    .located(&body[..cut]),
                expected(cut),
                "cut at {cut}"
            );
        }
    }
}
