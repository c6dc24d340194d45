//! Column values of a row image: how many bytes each type takes, what it means, and how
//! it is rendered as JSON.

use std::borrow::Cow;

use super::charset::{self, Encoding};
use super::column_type::ColumnType;
use super::decimal::{binary_size, Decimal};
use super::digits::{push_i64, push_u64};
use super::json_binary::JsonBinary;
use super::json_diff::JsonDiffs;
use super::table_map::{Column, ColumnInfo};
use super::temporal::{self, Date, DateTime, Time, Timestamp};
use crate::json::{write_hex, write_string, write_text};

/// One decoded column value. Byte strings borrow from the row data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// SQL NULL.
    Null,
    /// A signed integer (TINYINT … BIGINT without the UNSIGNED metadata bit).
    Int(i64),
    /// An UNSIGNED integer.
    UInt(u64),
    /// FLOAT.
    Float(f32),
    /// DOUBLE.
    Double(f64),
    /// DECIMAL (binary form; prints with exactly `scale` fraction digits).
    Decimal(Decimal<'a>),
    /// DATE.
    Date(Date),
    /// TIME / TIME2.
    Time(Time),
    /// DATETIME / DATETIME2.
    DateTime(DateTime),
    /// TIMESTAMP / TIMESTAMP2 (seconds since the epoch).
    Timestamp(Timestamp),
    /// YEAR (0 = the zero year, else 1901-2155).
    Year(u16),
    /// BIT, as an unsigned number.
    Bit(u64),
    /// ENUM member index (1-based; 0 = the empty error value).
    Enum(u16),
    /// SET member bitmask (bit 0 = first member).
    Set(u64),
    /// CHAR / VARCHAR / BINARY / VARBINARY bytes.
    String(&'a [u8]),
    /// BLOB / TEXT bytes.
    Blob(&'a [u8]),
    /// A JSON document in MySQL's binary JSON format.
    Json(JsonBinary<'a>),
    /// A partial JSON update (PARTIAL_UPDATE_ROWS after image): diffs to apply.
    JsonDiff(JsonDiffs<'a>),
    /// GEOMETRY (SRID + WKB).
    Geometry(&'a [u8]),
    /// VECTOR (packed little-endian floats).
    Vector(&'a [u8]),
    /// A MariaDB compressed column's stored bytes (header byte + zlib stream or raw).
    Compressed(&'a [u8]),
}

fn le(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |v, &b| (v << 8) | u64::from(b))
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |v, &b| (v << 8) | u64::from(b))
}

/// How a column's values are laid out in a row image, fixed once per table map so that
/// framing a row is a length computation per column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Always this many bytes.
    Fixed(usize),
    /// A little-endian length of this many bytes, then the data.
    Prefixed(usize),
    /// The metadata makes values undecodable; the label says what was expected.
    Unusable(&'static str),
}

/// The layout of a column of real type `kind` with folded metadata `meta`
/// (`string_length` for CHAR/ENUM/SET).
pub(crate) fn layout(kind: ColumnType, meta: u16, string_length: u16) -> Layout {
    use ColumnType as T;
    use Layout::*;
    let prefix = |width: u16| {
        if (1..=4).contains(&width) {
            Prefixed(usize::from(width))
        } else {
            Unusable("a length-prefix size of 1-4 bytes in the column metadata")
        }
    };
    match kind {
        T::Tiny | T::Year => Fixed(1),
        T::Short => Fixed(2),
        T::Int24 | T::Date | T::NewDate | T::Time => Fixed(3),
        T::Long | T::Float | T::Timestamp => Fixed(4),
        T::LongLong | T::Double | T::DateTime => Fixed(8),
        T::Null => Fixed(0),
        T::Time2 | T::DateTime2 | T::Timestamp2 => {
            let int_len = match kind {
                T::Time2 => 3,
                T::DateTime2 => 5,
                _ => 4,
            };
            match u8::try_from(meta).ok().and_then(temporal::fraction_len) {
                Some(frac) => Fixed(int_len + frac),
                None => Unusable("fractional-seconds precision 0-6 in the column metadata"),
            }
        }
        T::NewDecimal => {
            let (precision, scale) = ((meta >> 8) as u8, meta as u8);
            match binary_size(precision, scale).filter(|_| precision > 0) {
                Some(n) => Fixed(n),
                None => Unusable("DECIMAL precision >= scale in the column metadata"),
            }
        }
        T::Bit => {
            let bytes = usize::from(meta >> 8) + usize::from(meta & 0xff != 0);
            if bytes <= 8 {
                Fixed(bytes)
            } else {
                Unusable("a BIT length of at most 64 bits")
            }
        }
        T::Enum => match string_length {
            1 | 2 => Fixed(usize::from(string_length)),
            _ => Unusable("an ENUM value size of 1 or 2 bytes in the column metadata"),
        },
        T::Set => match string_length {
            1..=8 => Fixed(usize::from(string_length)),
            _ => Unusable("a SET value size of 1-8 bytes in the column metadata"),
        },
        T::String => Prefixed(if string_length > 255 { 2 } else { 1 }),
        T::VarChar | T::VarString | T::VarCharCompressed => {
            Prefixed(if meta > 255 { 2 } else { 1 })
        }
        T::Blob
        | T::TinyBlob
        | T::MediumBlob
        | T::LongBlob
        | T::BlobCompressed
        | T::Geometry
        | T::Vector
        | T::Json => prefix(meta),
        // The old DECIMAL stored its digits as text, as long as the table definition said;
        // the table map carries no metadata for it, so nothing tells the value's size.
        T::Decimal => {
            Unusable("a column type the log gives a value size for (not a pre-5.0 DECIMAL, type 0)")
        }
        T::TypedArray => Unusable("a column type row images carry (not TYPED_ARRAY)"),
    }
}

/// What a value of `kind` is called in errors.
fn what(kind: ColumnType) -> &'static str {
    use ColumnType as T;
    match kind {
        T::Tiny | T::Short | T::Int24 | T::Long | T::LongLong => "an integer value",
        T::Float | T::Double => "a floating-point value",
        T::NewDecimal => "a DECIMAL value",
        T::Date | T::NewDate => "a DATE value",
        T::Time | T::Time2 => "a TIME value",
        T::DateTime | T::DateTime2 => "a DATETIME value",
        T::Timestamp | T::Timestamp2 => "a TIMESTAMP value",
        T::Year => "a YEAR value",
        T::Bit => "a BIT value",
        T::Enum => "an ENUM value",
        T::Set => "a SET value",
        T::String | T::VarChar | T::VarString => "a CHAR/VARCHAR value",
        T::Json => "a JSON value",
        T::Geometry => "a GEOMETRY value",
        T::Vector => "a VECTOR value",
        _ => "a BLOB/TEXT value",
    }
}

/// Bytes the non-NULL value at the start of `data` takes.
#[inline]
pub(crate) fn value_len(col: &Column, data: &[u8]) -> Result<usize, &'static str> {
    let n = match col.layout {
        Layout::Fixed(n) => n,
        Layout::Prefixed(width) => {
            let len = le(data.get(..width).ok_or_else(|| what(col.kind))?);
            usize::try_from(len)
                .ok()
                .and_then(|len| len.checked_add(width))
                .ok_or_else(|| what(col.kind))?
        }
        Layout::Unusable(e) => return Err(e),
    };
    if n <= data.len() {
        Ok(n)
    } else {
        Err(what(col.kind))
    }
}

/// Decodes one non-NULL value at the start of `data`; returns it and the bytes it used.
/// `partial_json` marks a JSON column stored as diffs. On failure returns what was
/// expected.
#[inline]
pub(crate) fn decode<'a>(
    col: &Column,
    partial_json: bool,
    data: &'a [u8],
) -> Result<(Value<'a>, usize), &'static str> {
    use ColumnType as T;
    let n = value_len(col, data)?;
    let b = data.get(..n).ok_or_else(|| what(col.kind))?;
    // The data after a length prefix.
    let payload = match col.layout {
        Layout::Prefixed(width) => b.get(width..).unwrap_or_default(),
        _ => b,
    };
    let int = |b: &[u8]| {
        let raw = le(b);
        if col.unsigned {
            Value::UInt(raw)
        } else {
            let shift = 64 - 8 * b.len() as u32;
            Value::Int(((raw << shift) as i64) >> shift)
        }
    };
    let fsp = col.metadata as u8;
    let v = match col.kind {
        T::Tiny | T::Short | T::Int24 | T::Long | T::LongLong => int(b),
        T::Float => Value::Float(f32::from_bits(le(b) as u32)),
        T::Double => Value::Double(f64::from_bits(le(b))),
        T::Null => Value::Null,
        T::Year => {
            let y = le(b) as u16;
            Value::Year(if y == 0 { 0 } else { 1900 + y })
        }
        T::Date | T::NewDate => Value::Date(temporal::date(le(b) as u32)),
        T::Time => Value::Time(temporal::time_v1(((le(b) as u32) << 8) as i32 >> 8)),
        T::DateTime => Value::DateTime(temporal::datetime_v1(le(b))),
        T::Timestamp => Value::Timestamp(Timestamp {
            seconds: le(b) as u32,
            micros: 0,
            fsp: 0,
        }),
        T::Time2 => {
            let (i, f) = b.split_at(3.min(b.len()));
            Value::Time(temporal::time2(i, f, fsp))
        }
        T::DateTime2 => {
            let (i, f) = b.split_at(5.min(b.len()));
            Value::DateTime(temporal::datetime2(i, f, fsp))
        }
        T::Timestamp2 => {
            let (i, f) = b.split_at(4.min(b.len()));
            Value::Timestamp(temporal::timestamp2(i, f, fsp))
        }
        T::NewDecimal => Value::Decimal(Decimal {
            precision: (col.metadata >> 8) as u8,
            scale: col.metadata as u8,
            bytes: b,
        }),
        T::Bit => Value::Bit(be(b)),
        T::Enum => Value::Enum(le(b) as u16),
        T::Set => Value::Set(le(b)),
        T::String | T::VarChar | T::VarString => Value::String(payload),
        T::Blob | T::TinyBlob | T::MediumBlob | T::LongBlob => Value::Blob(payload),
        T::VarCharCompressed | T::BlobCompressed => Value::Compressed(payload),
        T::Geometry => Value::Geometry(payload),
        T::Vector => Value::Vector(payload),
        T::Json if partial_json => Value::JsonDiff(JsonDiffs::new(payload)),
        T::Json => Value::Json(JsonBinary::new(payload)),
        // `value_len` already refused these.
        T::Decimal | T::TypedArray => return Err(what(col.kind)),
    };
    Ok((v, n))
}

/// Appends a string column's bytes: text in the column's character set as a JSON
/// string, binary (or undecodable) bytes as hex. `fixed` is the byte length a BINARY(n)
/// value is padded back to (the server strips trailing zero bytes when logging).
fn json_text(out: &mut Vec<u8>, bytes: &[u8], column: Option<&Column>, fixed: Option<usize>) {
    let encoding = column
        .and_then(|c| c.collation)
        .map_or(Encoding::Utf8OrUnknown, charset::encoding);
    if encoding == Encoding::Binary {
        let pad = fixed.map_or(0, |n| n.saturating_sub(bytes.len()));
        return write_hex(out, bytes, pad);
    }
    if encoding == Encoding::Utf8OrUnknown {
        // Validation and escaping in one pass where the text allows it.
        return write_text(out, bytes);
    }
    match charset::decode(bytes, encoding) {
        Some(s) => write_string(out, &s),
        None => write_hex(out, bytes, 0),
    }
}

/// Appends quoted text from a renderer that emits only ASCII digits, signs and
/// separators (dates, times, decimals).
fn json_quoted(out: &mut Vec<u8>, push: impl FnOnce(&mut Vec<u8>)) {
    out.push(b'"');
    push(out);
    out.push(b'"');
}

/// Appends a finite FLOAT or DOUBLE as the shortest text that reads back as the same
/// value of its own width (`0.1` for the binary32 nearest 0.1, not the
/// `0.10000000149011612` of that value widened to double), else `null`. Rust's `Debug`
/// for `f32` and `f64` is exactly that shortest round-trip form.
fn json_float(out: &mut Vec<u8>, v: impl std::fmt::Debug, finite: bool) {
    /// Appends what the formatter writes; no I/O error to carry, unlike `io::Write`.
    struct Appending<'o>(&'o mut Vec<u8>);
    impl std::fmt::Write for Appending<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.extend_from_slice(s.as_bytes());
            Ok(())
        }
    }
    if finite {
        let _ = std::fmt::Write::write_fmt(&mut Appending(out), format_args!("{v:?}"));
    } else {
        out.extend_from_slice(b"null");
    }
}

/// Appends an ENUM value with its member's name: `{"index":2,"name":"b"}`. Index 0 is
/// the empty string MySQL stores for an invalid value; an index past the member list (a
/// map that does not match the data) has no name (`null`).
fn json_enum(out: &mut Vec<u8>, index: u16, members: &[Cow<'_, [u8]>], column: &Column) {
    out.extend_from_slice(b"{\"index\":");
    push_u64(out, u64::from(index));
    out.extend_from_slice(b",\"name\":");
    let name = match usize::from(index).checked_sub(1) {
        None => Some(&b""[..]),
        Some(i) => members.get(i).map(|m| m.as_ref()),
    };
    match name {
        Some(name) => json_text(out, name, Some(column), None),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}

/// Appends a SET value with its members' names: `{"bits":5,"names":["a","c"]}`. Bits
/// past the member list have no name and are only in `bits`.
fn json_set(out: &mut Vec<u8>, bits: u64, members: &[Cow<'_, [u8]>], column: &Column) {
    out.extend_from_slice(b"{\"bits\":");
    push_u64(out, bits);
    out.extend_from_slice(b",\"names\":[");
    let mut first = true;
    for (i, name) in members.iter().enumerate().take(64) {
        if bits & (1 << i) != 0 {
            if !first {
                out.push(b',');
            }
            first = false;
            json_text(out, name, Some(column), None);
        }
    }
    out.extend_from_slice(b"]}");
}

impl Value<'_> {
    /// Appends the value as JSON, following replog's value contract (README, "`thl
    /// events -json`"):
    /// NULL as `null`; integers, BIT, YEAR as numbers; ENUM as its member index and SET
    /// as its bitmask, or `{"index":2,"name":"b"}` / `{"bits":5,"names":["a","c"]}` when
    /// `column` has the member names; FLOAT and DOUBLE as the shortest number text that
    /// reads back as the same binary32 / binary64 value (`0.1`); DECIMAL, DATE, TIME and DATETIME
    /// as MySQL's text in a string (`"-12.50"`, `"2014-01-31"`, `"-838:59:59.000000"`,
    /// `"2014-01-30 01:30:02.123"`); TIMESTAMP as seconds since the epoch with the
    /// fraction kept (`1390000000.123`); character columns as strings (decoded from the
    /// column's character set when the table map names it, else shown as text when the
    /// bytes are UTF-8); binary strings, blobs, GEOMETRY, VECTOR and MariaDB compressed
    /// columns as `{"hex":"…"}` (BINARY(n) padded back to n bytes); JSON as the document
    /// itself; a partial JSON update as
    /// `{"json_diff":[{"op":"REPLACE","path":"$.a","value":…},…]}`.
    ///
    /// `column` is the value's column in the table map ([`TableMap::column_info`]: the
    /// character set, the BINARY length, the member names). Fails only on a malformed
    /// binary JSON document or diff, naming what was expected.
    ///
    /// [`TableMap::column_info`]: super::TableMap::column_info
    pub fn write_json(
        &self,
        column: Option<ColumnInfo<'_>>,
        out: &mut Vec<u8>,
    ) -> Result<(), &'static str> {
        let members = column.and_then(|c| Some((c.members?, c.column)));
        let column = column.map(|c| c.column);
        match *self {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Int(v) => push_i64(out, v),
            Value::UInt(v) | Value::Bit(v) => push_u64(out, v),
            Value::Year(v) => push_u64(out, u64::from(v)),
            Value::Enum(v) => match members {
                Some((names, c)) => json_enum(out, v, names, c),
                None => push_u64(out, u64::from(v)),
            },
            Value::Set(v) => match members {
                Some((names, c)) => json_set(out, v, names, c),
                None => push_u64(out, v),
            },
            Value::Float(v) => json_float(out, v, v.is_finite()),
            Value::Double(v) => json_float(out, v, v.is_finite()),
            Value::Decimal(d) => json_quoted(out, |o| d.push_text(o)),
            Value::Date(d) => json_quoted(out, |o| d.push_text(o)),
            Value::Time(t) => json_quoted(out, |o| t.push_text(o)),
            Value::DateTime(t) => json_quoted(out, |o| t.push_text(o)),
            Value::Timestamp(t) => t.push_text(out),
            Value::String(b) => {
                let fixed = column
                    .filter(|c| c.kind == ColumnType::String)
                    .map(|c| usize::from(c.string_length));
                json_text(out, b, column, fixed);
            }
            Value::Blob(b) => json_text(out, b, column, None),
            Value::Geometry(b) | Value::Vector(b) | Value::Compressed(b) => write_hex(out, b, 0),
            Value::Json(j) => j.write_json(out)?,
            Value::JsonDiff(d) => d.write_json(out)?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(kind: ColumnType, metadata: u16) -> Column {
        Column::new(kind, kind, metadata, 0, true)
    }

    /// A CHAR/ENUM/SET column with its unfolded length.
    fn sized(kind: ColumnType, string_length: u16) -> Column {
        Column::new(ColumnType::String, kind, 0, string_length, true)
    }

    fn one(c: &Column, data: &[u8]) -> String {
        let (v, n) = decode(c, false, data).unwrap();
        assert_eq!(
            n,
            data.len(),
            "{:?} used {n} of {} bytes",
            c.kind,
            data.len()
        );
        let mut out = Vec::new();
        v.write_json(Some(c.into()), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn integers_min_max_signed_and_unsigned() {
        use ColumnType::*;
        let cases: [(ColumnType, usize, &str, &str, &str, &str); 5] = [
            (Tiny, 1, "-128", "127", "255", "0"),
            (Short, 2, "-32768", "32767", "65535", "0"),
            (Int24, 3, "-8388608", "8388607", "16777215", "0"),
            (Long, 4, "-2147483648", "2147483647", "4294967295", "0"),
            (
                LongLong,
                8,
                "-9223372036854775808",
                "9223372036854775807",
                "18446744073709551615",
                "0",
            ),
        ];
        for (kind, n, min, max, umax, zero) in cases {
            let mut c = col(kind, 0);
            let mut min_bytes = vec![0u8; n];
            min_bytes[n - 1] = 0x80;
            let mut max_bytes = vec![0xffu8; n];
            max_bytes[n - 1] = 0x7f;
            assert_eq!(one(&c, &min_bytes), min);
            assert_eq!(one(&c, &max_bytes), max);
            assert_eq!(one(&c, &vec![0xff; n]), "-1");
            c.unsigned = true;
            assert_eq!(one(&c, &vec![0xff; n]), umax);
            assert_eq!(one(&c, &vec![0; n]), zero);
        }
    }

    #[test]
    fn floats_print_shortest_round_trip() {
        assert_eq!(
            one(&col(ColumnType::Float, 4), &1.5f32.to_le_bytes()),
            "1.5"
        );
        // The shortest text that reads back as the same binary32 value: what
        // `mariadb-binlog -v` prints for 0.1, not the widened 0.10000000149011612.
        assert_eq!(
            one(&col(ColumnType::Float, 4), &0.1f32.to_le_bytes()),
            "0.1"
        );
        // FLT_MAX = 3.40282346639e38 with an ulp of 2^104 (2.03e31): 3.402823e38 and
        // 3.402824e38 are more than half an ulp away, 3.4028235e38 is not.
        assert_eq!(
            one(&col(ColumnType::Float, 4), &f32::MAX.to_le_bytes()),
            "3.4028235e38"
        );
        // The smallest subnormal, 2^-149 = 1.4013e-45: 1e-45 is within half of it.
        assert_eq!(
            one(&col(ColumnType::Float, 4), &1u32.to_le_bytes()),
            "1e-45"
        );
        assert_eq!(
            one(&col(ColumnType::Float, 4), &f32::INFINITY.to_le_bytes()),
            "null"
        );
        assert_eq!(
            one(&col(ColumnType::Double, 8), &0.1f64.to_le_bytes()),
            "0.1"
        );
        assert_eq!(
            one(&col(ColumnType::Double, 8), &(-2.5e-300f64).to_le_bytes()),
            "-2.5e-300"
        );
        assert_eq!(
            one(&col(ColumnType::Double, 8), &f64::MAX.to_le_bytes()),
            "1.7976931348623157e308"
        );
        assert_eq!(
            one(&col(ColumnType::Double, 8), &f64::NAN.to_le_bytes()),
            "null"
        );
    }

    #[test]
    fn strings_by_length_prefix() {
        let c = col(ColumnType::VarChar, 20);
        assert_eq!(one(&c, b"\x05hello"), "\"hello\"");
        // 4-byte UTF-8 (U+1F600) and escapes.
        assert_eq!(one(&c, b"\x06\xf0\x9f\x98\x80\"\n"), "\"\u{1F600}\\\"\\n\"");
        assert_eq!(one(&c, b"\x03\x08\x0c\\"), "\"\\b\\f\\\\\"");
        // Not UTF-8 and no character set known: hex.
        assert_eq!(one(&c, b"\x02\xff\x00"), "{\"hex\":\"ff00\"}");
        // latin1 and binary collations from the table map.
        let mut latin1 = c.clone();
        latin1.collation = Some(8);
        assert_eq!(one(&latin1, b"\x04caf\xe9"), "\"caf\u{e9}\"");
        let mut varbinary = c.clone();
        varbinary.collation = Some(63);
        assert_eq!(one(&varbinary, b"\x02ab"), "{\"hex\":\"6162\"}");
        let mut binary4 = sized(ColumnType::String, 4);
        binary4.collation = Some(63);
        assert_eq!(one(&binary4, b"\x02ab"), "{\"hex\":\"61620000\"}");
        let wide = col(ColumnType::VarChar, 1200);
        assert_eq!(one(&wide, b"\x03\x00abc"), "\"abc\"");
        let ch = sized(ColumnType::String, 512);
        assert_eq!(one(&ch, b"\x02\x00ab"), "\"ab\"");
        let ch = sized(ColumnType::String, 8);
        assert_eq!(one(&ch, b"\x00"), "\"\"");
        assert_eq!(one(&ch, b"\x01\x01"), "\"\\u0001\"");
    }

    #[test]
    fn blobs_of_every_prefix_width() {
        for width in 1..=4u16 {
            let c = col(ColumnType::Blob, width);
            let mut data = vec![0u8; usize::from(width)];
            data[0] = 3;
            data.extend_from_slice(b"xyz");
            assert_eq!(one(&c, &data), "\"xyz\"");
        }
        // A large blob: 70,000 bytes with a 3-byte length.
        let c = col(ColumnType::Blob, 3);
        let mut data = vec![0x70, 0x11, 0x01];
        data.extend_from_slice(&[b'a'; 70_000]);
        let (v, n) = decode(&c, false, &data).unwrap();
        assert_eq!(n, 70_003);
        assert!(matches!(v, Value::Blob(b) if b.len() == 70_000));
        // Length past the end of the data.
        assert_eq!(
            decode(&c, false, &data[..100]).unwrap_err(),
            "a BLOB/TEXT value"
        );
        assert_eq!(
            decode(&col(ColumnType::Blob, 5), false, &data).unwrap_err(),
            "a length-prefix size of 1-4 bytes in the column metadata"
        );
    }

    #[test]
    fn bit_enum_set_year() {
        // BIT(3): metadata bits=3, bytes=0 -> 1 byte; BIT(8): bits=0, bytes=1.
        assert_eq!(one(&col(ColumnType::Bit, 3), &[0b101]), "5");
        assert_eq!(one(&col(ColumnType::Bit, 1 << 8), &[0xff]), "255");
        assert_eq!(
            one(&col(ColumnType::Bit, (7 << 8) | 7), &[0xff; 8]),
            u64::MAX.to_string()
        );
        assert_eq!(
            decode(&col(ColumnType::Bit, 8 << 8 | 1), false, &[0; 9]).unwrap_err(),
            "a BIT length of at most 64 bits"
        );
        assert_eq!(one(&sized(ColumnType::Enum, 2), &[0x01, 0x01]), "257");
        assert_eq!(one(&sized(ColumnType::Enum, 1), &[2]), "2");
        assert_eq!(
            decode(&sized(ColumnType::Enum, 3), false, &[0; 3]).unwrap_err(),
            "an ENUM value size of 1 or 2 bytes in the column metadata"
        );
        assert_eq!(one(&sized(ColumnType::Set, 2), &[0x01, 0x02]), "513");
        assert_eq!(
            one(&sized(ColumnType::Set, 8), &[0xff; 8]),
            u64::MAX.to_string()
        );
        assert_eq!(one(&col(ColumnType::Year, 0), &[114]), "2014");
        assert_eq!(one(&col(ColumnType::Year, 0), &[0]), "0");
    }

    /// Renders with the member names a FULL-metadata table map would give.
    fn named(c: &Column, members: &[&[u8]], data: &[u8]) -> String {
        let members: Vec<Cow<'_, [u8]>> = members.iter().map(|m| Cow::Borrowed(*m)).collect();
        let (v, _) = decode(c, false, data).unwrap();
        let mut out = Vec::new();
        let info = ColumnInfo {
            column: c,
            members: Some(&members),
        };
        v.write_json(Some(info), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn enum_and_set_with_member_names() {
        let e = sized(ColumnType::Enum, 1);
        let abc: [&[u8]; 3] = [b"a", b"b", b"c"];
        assert_eq!(named(&e, &abc, &[2]), r#"{"index":2,"name":"b"}"#);
        // Index 0: the empty string MySQL stores for an invalid member.
        assert_eq!(named(&e, &abc, &[0]), r#"{"index":0,"name":""}"#);
        assert_eq!(named(&e, &abc, &[4]), r#"{"index":4,"name":null}"#);
        let s = sized(ColumnType::Set, 1);
        assert_eq!(named(&s, &abc, &[0b101]), r#"{"bits":5,"names":["a","c"]}"#);
        assert_eq!(named(&s, &abc, &[0]), r#"{"bits":0,"names":[]}"#);
        // A bit past the members keeps its value in `bits` only.
        assert_eq!(named(&s, &abc, &[0b1010]), r#"{"bits":10,"names":["b"]}"#);
        // Names in the column's character set: latin1 decoded, binary as hex.
        let mut latin1 = sized(ColumnType::Enum, 1);
        latin1.collation = Some(8);
        assert_eq!(
            named(&latin1, &[b"caf\xe9"], &[1]),
            "{\"index\":1,\"name\":\"caf\u{e9}\"}"
        );
        let mut binary = sized(ColumnType::Set, 1);
        binary.collation = Some(63);
        assert_eq!(
            named(&binary, &[b"x"], &[1]),
            r#"{"bits":1,"names":[{"hex":"78"}]}"#
        );
        // Without names: the number.
        assert_eq!(one(&e, &[2]), "2");
    }

    #[test]
    fn decimals_and_temporals_render_as_strings() {
        let c = col(ColumnType::NewDecimal, (14 << 8) | 4);
        assert_eq!(
            one(&c, &[0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2]),
            "\"1234567890.1234\""
        );
        let d = col(ColumnType::Date, 0);
        let v = (2014u32 << 9) | (1 << 5) | 31;
        assert_eq!(one(&d, &v.to_le_bytes()[..3]), "\"2014-01-31\"");
        let ts = col(ColumnType::Timestamp2, 3);
        let mut b = 1_390_000_000u32.to_be_bytes().to_vec();
        b.extend_from_slice(&1230u16.to_be_bytes());
        assert_eq!(one(&ts, &b), "1390000000.123");
        assert_eq!(
            decode(&col(ColumnType::Time2, 7), false, &[0; 8]).unwrap_err(),
            "fractional-seconds precision 0-6 in the column metadata"
        );
        let old = col(ColumnType::Timestamp, 0);
        assert_eq!(one(&old, &1u32.to_le_bytes()), "1");
    }

    #[test]
    fn geometry_and_vector_are_hex() {
        let g = col(ColumnType::Geometry, 4);
        assert_eq!(one(&g, &[2, 0, 0, 0, 0xab, 0xcd]), "{\"hex\":\"abcd\"}");
        let v = col(ColumnType::Vector, 4);
        assert_eq!(
            one(&v, &[4, 0, 0, 0, 0, 0, 0x80, 0x3f]),
            "{\"hex\":\"0000803f\"}"
        );
    }
}
