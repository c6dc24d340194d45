//! MySQL's binary JSON (`json_binary.cc`) rendered as JSON text the way MySQL prints it:
//! `{"a": 1, "b": [true, null]}` with `", "` and `": "` separators, keys in stored order.
//!
//! A document is a type byte and a value. Objects and arrays come in a small form (2-byte
//! counts and offsets) and a large one (4-byte); their entries point at values by offset
//! from the container start, except small scalars that are inlined in the entry.

use std::io::Write as _;

use super::decimal::{binary_size, Decimal};
use super::temporal::{datetime_from_packed, time_from_packed, Date};
use crate::json::write_string;

const SMALL_OBJECT: u8 = 0x00;
const LARGE_OBJECT: u8 = 0x01;
const SMALL_ARRAY: u8 = 0x02;
const LARGE_ARRAY: u8 = 0x03;
const LITERAL: u8 = 0x04;
const INT16: u8 = 0x05;
const UINT16: u8 = 0x06;
const INT32: u8 = 0x07;
const UINT32: u8 = 0x08;
const INT64: u8 = 0x09;
const UINT64: u8 = 0x0a;
const DOUBLE: u8 = 0x0b;
const STRING: u8 = 0x0c;
const OPAQUE: u8 = 0x0f;

/// MySQL refuses documents nested deeper than this; so do we (it also bounds recursion).
const MAX_DEPTH: usize = 100;

/// Column types that opaque values name and MySQL prints as JSON scalars.
const MYSQL_TYPE_DATE: u8 = 10;
const MYSQL_TYPE_TIME: u8 = 11;
const MYSQL_TYPE_DATETIME: u8 = 12;
const MYSQL_TYPE_TIMESTAMP: u8 = 7;
const MYSQL_TYPE_NEWDECIMAL: u8 = 246;

/// A binary JSON document, undecoded until rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonBinary<'a> {
    /// The document bytes (type byte first). Empty reads as JSON `null`, as MySQL
    /// treats an empty JSON column value.
    pub bytes: &'a [u8],
}

impl<'a> JsonBinary<'a> {
    /// Wraps document bytes.
    pub fn new(bytes: &'a [u8]) -> Self {
        JsonBinary { bytes }
    }

    /// Appends the document as JSON text; fails with what was expected when malformed.
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), &'static str> {
        match self.bytes.split_first() {
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
            Some((&t, value)) => {
                // Legitimate documents visit each value once and every value but the root
                // owns at least a 3-byte entry, so this bounds documents whose entries
                // share or loop back to containers (exponential work otherwise).
                let mut budget = self.bytes.len();
                write_value(out, t, value, 0, &mut budget)
            }
        }
    }

    /// The document as MySQL's JSON text.
    pub fn to_json_text(&self) -> Result<String, &'static str> {
        let mut out = Vec::with_capacity(self.bytes.len() * 2);
        self.write_json(&mut out)?;
        String::from_utf8(out).map_err(|_| "UTF-8 text in the JSON document")
    }
}

fn uint(data: &[u8], at: usize, width: usize) -> Result<usize, &'static str> {
    let end = at.checked_add(width).ok_or("a JSON offset in range")?;
    let b = data
        .get(at..end)
        .ok_or("a JSON header within the document")?;
    Ok(b.iter()
        .rev()
        .fold(0usize, |v, &x| (v << 8) | usize::from(x)))
}

fn fixed<const N: usize>(data: &[u8]) -> Result<[u8; N], &'static str> {
    data.get(..N)
        .and_then(|b| b.try_into().ok())
        .ok_or("a JSON scalar within the document")
}

/// The 7-bits-per-byte length of strings and opaque values: returns (length, bytes used).
fn varlen(data: &[u8]) -> Result<(usize, usize), &'static str> {
    let mut len = 0usize;
    for i in 0..5 {
        let b = *data.get(i).ok_or("a JSON length within the document")?;
        len |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((len, i + 1));
        }
    }
    Err("a JSON length of at most 5 bytes")
}

/// Length-prefixed bytes at the start of `data`.
fn var_bytes(data: &[u8]) -> Result<&[u8], &'static str> {
    let (len, used) = varlen(data)?;
    let end = used.checked_add(len).ok_or("a JSON length in range")?;
    data.get(used..end)
        .ok_or("JSON string bytes within the document")
}

fn write_text(out: &mut Vec<u8>, bytes: &[u8]) {
    write_string(out, &String::from_utf8_lossy(bytes));
}

/// Appends the value of type `t` whose bytes start `data`.
fn write_value(
    out: &mut Vec<u8>,
    t: u8,
    data: &[u8],
    depth: usize,
    budget: &mut usize,
) -> Result<(), &'static str> {
    *budget = budget
        .checked_sub(1)
        .ok_or("a JSON document whose values are not shared or cyclic")?;
    match t {
        SMALL_OBJECT | LARGE_OBJECT | SMALL_ARRAY | LARGE_ARRAY => {
            if depth >= MAX_DEPTH {
                return Err("a JSON document nested at most 100 levels");
            }
            let large = t == LARGE_OBJECT || t == LARGE_ARRAY;
            let object = t == SMALL_OBJECT || t == LARGE_OBJECT;
            write_container(out, data, large, object, depth + 1, budget)
        }
        LITERAL => {
            let lit: &[u8] = match data.first() {
                Some(0) => b"null",
                Some(1) => b"true",
                Some(2) => b"false",
                _ => return Err("a JSON literal (null, true or false)"),
            };
            out.extend_from_slice(lit);
            Ok(())
        }
        INT16 => num(out, i16::from_le_bytes(fixed(data)?)),
        UINT16 => num(out, u16::from_le_bytes(fixed(data)?)),
        INT32 => num(out, i32::from_le_bytes(fixed(data)?)),
        UINT32 => num(out, u32::from_le_bytes(fixed(data)?)),
        INT64 => num(out, i64::from_le_bytes(fixed(data)?)),
        UINT64 => num(out, u64::from_le_bytes(fixed(data)?)),
        DOUBLE => {
            let d = f64::from_le_bytes(fixed(data)?);
            if d.is_finite() {
                let _ = write!(out, "{d:?}");
            } else {
                out.extend_from_slice(b"null");
            }
            Ok(())
        }
        STRING => {
            write_text(out, var_bytes(data)?);
            Ok(())
        }
        OPAQUE => {
            let (&field_type, rest) = data.split_first().ok_or("a JSON opaque type")?;
            write_opaque(out, field_type, var_bytes(rest)?)
        }
        _ => Err("a known JSON value type"),
    }
}

fn num(out: &mut Vec<u8>, n: impl std::fmt::Display) -> Result<(), &'static str> {
    let _ = write!(out, "{n}");
    Ok(())
}

fn write_container(
    out: &mut Vec<u8>,
    data: &[u8],
    large: bool,
    object: bool,
    depth: usize,
    budget: &mut usize,
) -> Result<(), &'static str> {
    let w = if large { 4 } else { 2 };
    let count = uint(data, 0, w)?;
    let size = uint(data, w, w)?;
    let data = data
        .get(..size)
        .ok_or("a JSON container within the document")?;
    let key_entry = w + 2;
    let value_entry = 1 + w;
    let keys_len = if object {
        count.checked_mul(key_entry)
    } else {
        Some(0)
    };
    let header = keys_len
        .zip(count.checked_mul(value_entry))
        .and_then(|(k, v)| (2 * w).checked_add(k)?.checked_add(v))
        .filter(|&h| h <= size)
        .ok_or("JSON container entries within the container")?;
    let values_at = header - count * value_entry;
    out.push(if object { b'{' } else { b'[' });
    for i in 0..count {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        if object {
            let e = 2 * w + i * key_entry;
            let off = uint(data, e, w)?;
            let len = uint(data, e + w, 2)?;
            let key = off
                .checked_add(len)
                .and_then(|end| data.get(off..end))
                .ok_or("a JSON key within the object")?;
            write_text(out, key);
            out.extend_from_slice(b": ");
        }
        let e = values_at + i * value_entry;
        let t = *data.get(e).ok_or("a JSON value entry")?;
        let field = data.get(e + 1..e + 1 + w).ok_or("a JSON value entry")?;
        let inlined =
            matches!(t, LITERAL | INT16 | UINT16) || (large && matches!(t, INT32 | UINT32));
        if inlined {
            write_value(out, t, field, depth, budget)?;
        } else {
            let off = uint(field, 0, w)?;
            let value = data.get(off..).ok_or("a JSON value within the container")?;
            write_value(out, t, value, depth, budget)?;
        }
    }
    out.push(if object { b'}' } else { b']' });
    Ok(())
}

/// Opaque values: DECIMAL as a number, dates and times as strings with six fraction
/// digits (as MySQL prints temporal JSON values), anything else as
/// `"base64:type<N>:<base64>"`.
fn write_opaque(out: &mut Vec<u8>, field_type: u8, data: &[u8]) -> Result<(), &'static str> {
    match field_type {
        MYSQL_TYPE_NEWDECIMAL => {
            let (&precision, rest) = data.split_first().ok_or("a JSON decimal precision")?;
            let (&scale, bytes) = rest.split_first().ok_or("a JSON decimal scale")?;
            let size = binary_size(precision, scale).ok_or("a JSON decimal scale <= precision")?;
            let bytes = bytes.get(..size).ok_or("JSON decimal digits")?;
            let d = Decimal {
                precision,
                scale,
                bytes,
            };
            let _ = write!(out, "{d}");
        }
        MYSQL_TYPE_DATE | MYSQL_TYPE_DATETIME | MYSQL_TYPE_TIMESTAMP | MYSQL_TYPE_TIME => {
            let packed = i64::from_le_bytes(fixed(data)?);
            out.push(b'"');
            let _ = match field_type {
                MYSQL_TYPE_DATE => {
                    let d: Date = datetime_from_packed(packed, 0).date;
                    write!(out, "{d}")
                }
                MYSQL_TYPE_TIME => write!(out, "{}", time_from_packed(packed, 6)),
                _ => write!(out, "{}", datetime_from_packed(packed, 6)),
            };
            out.push(b'"');
        }
        _ => {
            let _ = write!(out, "\"base64:type{field_type}:");
            base64(out, data);
            out.push(b'"');
        }
    }
    Ok(())
}

/// Standard base64 with padding.
fn base64(out: &mut Vec<u8>, data: &[u8]) {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(doc: &[u8]) -> String {
        JsonBinary::new(doc).to_json_text().unwrap()
    }

    /// Builds a small object `{key: (type, inline-or-offset bytes)}` the way MySQL lays it
    /// out: header, key entries, value entries, keys, then out-of-line values.
    fn small_object(members: &[(&str, u8, Vec<u8>)]) -> Vec<u8> {
        let n = members.len();
        let header = 4 + n * 4 + n * 3;
        let mut keys = Vec::new();
        let mut values = Vec::new();
        let keys_at = header;
        let keys_total: usize = members.iter().map(|m| m.0.len()).sum();
        let mut key_entries = Vec::new();
        let mut value_entries = Vec::new();
        for (k, t, v) in members {
            key_entries.extend_from_slice(&((keys_at + keys.len()) as u16).to_le_bytes());
            key_entries.extend_from_slice(&(k.len() as u16).to_le_bytes());
            keys.extend_from_slice(k.as_bytes());
            value_entries.push(*t);
            if matches!(*t, LITERAL | INT16 | UINT16) {
                let mut inline = v.clone();
                inline.resize(2, 0);
                value_entries.extend_from_slice(&inline);
            } else {
                let off = header + keys_total + values.len();
                value_entries.extend_from_slice(&(off as u16).to_le_bytes());
                values.extend_from_slice(v);
            }
        }
        let size = header + keys.len() + values.len();
        let mut out = vec![SMALL_OBJECT];
        out.extend_from_slice(&(n as u16).to_le_bytes());
        out.extend_from_slice(&(size as u16).to_le_bytes());
        out.extend(key_entries);
        out.extend(value_entries);
        out.extend(keys);
        out.extend(values);
        out
    }

    #[test]
    fn scalars() {
        assert_eq!(text(&[LITERAL, 0]), "null");
        assert_eq!(text(&[LITERAL, 1]), "true");
        assert_eq!(text(&[LITERAL, 2]), "false");
        assert_eq!(text(&[INT16, 0x00, 0x80]), "-32768");
        assert_eq!(text(&[UINT16, 0xff, 0xff]), "65535");
        assert_eq!(text(&[INT32, 0, 0, 0, 0x80]), "-2147483648");
        assert_eq!(text(&[UINT32, 0xff, 0xff, 0xff, 0xff]), "4294967295");
        let mut d = vec![INT64];
        d.extend_from_slice(&i64::MIN.to_le_bytes());
        assert_eq!(text(&d), "-9223372036854775808");
        let mut d = vec![UINT64];
        d.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(text(&d), "18446744073709551615");
        let mut d = vec![DOUBLE];
        d.extend_from_slice(&3.25f64.to_le_bytes());
        assert_eq!(text(&d), "3.25");
        assert_eq!(text(&[STRING, 3, b'a', b'"', b'b']), "\"a\\\"b\"");
        assert_eq!(text(&[]), "null");
    }

    #[test]
    fn long_string_uses_multibyte_length() {
        let s = "é".repeat(100); // 200 bytes: length 0xC8 0x01
        let mut d = vec![STRING, 0xC8, 0x01];
        d.extend_from_slice(s.as_bytes());
        assert_eq!(text(&d), format!("\"{s}\""));
    }

    #[test]
    fn nested_object_and_array() {
        // {"a": 1, "b": [true, "x"], "c": {"d": null}}
        let array = {
            // small array of 2: count, size, entries (3 bytes each), then "x" string.
            let mut a = vec![2, 0, 0, 0];
            a.extend_from_slice(&[LITERAL, 1, 0]);
            a.extend_from_slice(&[STRING, 10, 0]);
            a.extend_from_slice(&[1, b'x']);
            let size = a.len() as u16;
            a[2..4].copy_from_slice(&size.to_le_bytes());
            a
        };
        let inner = small_object(&[("d", LITERAL, vec![0])]);
        let doc = small_object(&[
            ("a", INT16, vec![1, 0]),
            ("b", SMALL_ARRAY, array),
            ("c", SMALL_OBJECT, inner[1..].to_vec()),
        ]);
        assert_eq!(
            text(&doc),
            r#"{"a": 1, "b": [true, "x"], "c": {"d": null}}"#
        );
    }

    #[test]
    fn large_containers_use_4_byte_offsets_and_inline_32_bit_ints() {
        // ["x", -5, 7, 2.5] as a large array: count, size, 5-byte entries, then values.
        let header = 8 + 4 * 5;
        let mut values = vec![1, b'x'];
        let double_at = header + values.len();
        values.extend_from_slice(&2.5f64.to_le_bytes());
        let mut a = vec![LARGE_ARRAY];
        a.extend_from_slice(&4u32.to_le_bytes());
        a.extend_from_slice(&((header + values.len()) as u32).to_le_bytes());
        a.push(STRING);
        a.extend_from_slice(&(header as u32).to_le_bytes());
        a.push(INT32);
        a.extend_from_slice(&(-5i32).to_le_bytes());
        a.push(UINT32);
        a.extend_from_slice(&7u32.to_le_bytes());
        a.push(DOUBLE);
        a.extend_from_slice(&(double_at as u32).to_le_bytes());
        a.extend_from_slice(&values);
        assert_eq!(text(&a), r#"["x", -5, 7, 2.5]"#);
        // {"k": []} as a large object holding an empty small array.
        let header = 8 + 6 + 5;
        let mut o = vec![LARGE_OBJECT];
        o.extend_from_slice(&1u32.to_le_bytes());
        o.extend_from_slice(&((header + 1 + 4) as u32).to_le_bytes());
        o.extend_from_slice(&(header as u32).to_le_bytes());
        o.extend_from_slice(&1u16.to_le_bytes());
        o.push(SMALL_ARRAY);
        o.extend_from_slice(&((header + 1) as u32).to_le_bytes());
        o.push(b'k');
        o.extend_from_slice(&[0, 0, 4, 0]);
        assert_eq!(text(&o), r#"{"k": []}"#);
    }

    #[test]
    fn opaque_values() {
        // DECIMAL(5,2) 123.45: precision 5, scale 2, bytes 0x80|0x00 0x7B 0x2D
        let d = [OPAQUE, MYSQL_TYPE_NEWDECIMAL, 5, 5, 2, 0x80, 0x7B, 0x2D];
        assert_eq!(text(&d), "123.45");
        let ym: i64 = 2015 * 13 + 1;
        let ymdhms = (((ym << 5) | 15) << 17) | (23 << 12) | (24 << 6) | 25;
        let packed = ymdhms << 24;
        let mut dt = vec![OPAQUE, MYSQL_TYPE_DATETIME, 8];
        dt.extend_from_slice(&packed.to_le_bytes());
        assert_eq!(text(&dt), "\"2015-01-15 23:24:25.000000\"");
        dt[1] = MYSQL_TYPE_DATE;
        assert_eq!(text(&dt), "\"2015-01-15\"");
        let t: i64 = -(((23 << 12) | (24 << 6) | 25) << 24);
        let mut tm = vec![OPAQUE, MYSQL_TYPE_TIME, 8];
        tm.extend_from_slice(&t.to_le_bytes());
        assert_eq!(text(&tm), "\"-23:24:25.000000\"");
        assert_eq!(
            text(&[OPAQUE, 252, 3, b'a', b'b', b'c']),
            "\"base64:type252:YWJj\""
        );
    }

    #[test]
    fn malformed_documents_are_errors() {
        assert_eq!(
            JsonBinary::new(&[0x0e]).to_json_text(),
            Err("a known JSON value type")
        );
        assert_eq!(
            JsonBinary::new(&[LITERAL, 9]).to_json_text(),
            Err("a JSON literal (null, true or false)")
        );
        assert_eq!(
            JsonBinary::new(&[SMALL_OBJECT, 5, 0, 4, 0]).to_json_text(),
            Err("JSON container entries within the container")
        );
        assert_eq!(
            JsonBinary::new(&[STRING, 0xff, 0xff, 0xff, 0xff, 0xff]).to_json_text(),
            Err("a JSON length of at most 5 bytes")
        );
        // Offsets pointing past the container.
        assert_eq!(
            JsonBinary::new(&[SMALL_ARRAY, 1, 0, 7, 0, STRING, 0x40, 0]).to_json_text(),
            Err("a JSON value within the container")
        );
        // Self-nesting past the depth limit: an array whose element points at itself.
        let doc = [SMALL_ARRAY, 1, 0, 7, 0, SMALL_ARRAY, 0, 0];
        assert_eq!(
            JsonBinary::new(&doc).to_json_text(),
            Err("a JSON document whose values are not shared or cyclic")
        );
        // Two entries sharing the container itself: stopped by the work budget.
        let doc = [
            SMALL_ARRAY,
            2,
            0,
            10,
            0,
            SMALL_ARRAY,
            0,
            0,
            SMALL_ARRAY,
            0,
            0,
        ];
        assert_eq!(
            JsonBinary::new(&doc).to_json_text(),
            Err("a JSON document whose values are not shared or cyclic")
        );
    }
}
