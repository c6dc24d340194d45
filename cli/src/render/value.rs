//! One column value as `thl list` prints it (spec 6.5), with replog's deliberate fixes:
//! byte strings without `-charset` print as text (UTF-8) or a hex literal instead of a
//! Java array hash, an empty BLOB prints as nothing, `-hex` works, and a DATETIME with a
//! fraction is not followed by a stray line break.

use std::fmt::Write;

use replog::thl::event::{ColumnSpec, ColumnVal, ValueType};

use super::javatext;
use super::Style;

/// `java.sql.Types.DATE`: DATETIME values in such columns print without `.F`.
const SQL_TYPE_DATE: i32 = 91;
/// Bytes of a BLOB shown before `<...>`.
const BLOB_PREFIX: usize = 1000;

/// The text after `COL(...) = ` for `value` (None: the image has no such column).
pub fn column_value(
    spec: Option<&ColumnSpec<'_>>,
    value: Option<&ColumnVal<'_>>,
    style: &Style,
) -> String {
    let Some(v) = value else {
        return "NULL".into();
    };
    let Some(kind) = v.kind() else {
        return format!("<unknown value type {}>", v.value_type);
    };
    let int = v.int_value.unwrap_or(0);
    let zone = &style.zone;
    match kind {
        ValueType::Null => "NULL".into(),
        ValueType::Int | ValueType::Bit => int.to_string(),
        ValueType::Long => v
            .long_value
            .map_or_else(|| "NULL".into(), |n| n.to_string()),
        ValueType::Float => javatext::float(v.float_value.unwrap_or(0.0)),
        ValueType::Double => javatext::double(v.double_value.unwrap_or(0.0)),
        ValueType::Decimal => javatext::big_decimal(v.bytes_value.unwrap_or_default(), int),
        ValueType::String => v.string_value.unwrap_or_default().to_string(),
        ValueType::BinaryString => byte_string(v.bytes_value.unwrap_or_default(), style),
        ValueType::Blob => blob(v.bytes_value.unwrap_or_default()),
        ValueType::Timestamp => match v.long_value {
            Some(ms) => javatext::timestamp(ms, nanos(ms, v.int_value), zone),
            None => "0".into(),
        },
        ValueType::Time => match (v.long_value, v.int_value) {
            (Some(ms), Some(extra)) => javatext::timestamp(ms, nanos(ms, Some(extra)), zone),
            (Some(ms), None) => javatext::time(ms, zone),
            (None, _) => "0".into(),
        },
        ValueType::Date => match (v.long_value, v.string_value) {
            (Some(ms), Some(_)) if spec.is_some_and(|s| s.sql_type == SQL_TYPE_DATE) => {
                let mut text = javatext::datetime(ms, zone);
                let fraction = nanos(ms, v.int_value);
                if fraction > 0 {
                    let _ = write!(text, ".{fraction:09}");
                }
                text
            }
            (Some(ms), Some(_)) => javatext::timestamp(ms, nanos(ms, v.int_value), zone),
            (Some(ms), None) => javatext::date(ms, zone),
            (None, _) => "0".into(),
        },
    }
}

/// Nanoseconds of the second: the millisecond part of `ms` plus the stored extra
/// nanoseconds (the writer stores only what the milliseconds do not carry).
fn nanos(ms: i64, extra: Option<i32>) -> u32 {
    let extra = extra.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
    javatext::millis_as_nanos(ms).saturating_add(extra)
}

/// A BINARYSTRING: decoded with `-charset`, else shown as UTF-8 text when it is valid
/// UTF-8 and as a hex literal `x'..'` otherwise; `-hex` appends ` (x<hex>)`.
fn byte_string(bytes: &[u8], style: &Style) -> String {
    let mut text = match (style.charset, std::str::from_utf8(bytes)) {
        (Some(charset), _) => charset.decode(bytes),
        (None, Ok(text)) => text.to_string(),
        (None, Err(_)) => format!("x'{}'", hex(bytes)),
    };
    if style.hex {
        let _ = write!(text, " (x{})", hex(bytes));
    }
    text
}

/// A BLOB: its first 1000 bytes as UTF-8, then `<...>` if there are more.
fn blob(bytes: &[u8]) -> String {
    match bytes.get(..BLOB_PREFIX) {
        Some(prefix) if bytes.len() > BLOB_PREFIX => {
            format!("{}<...>", String::from_utf8_lossy(prefix))
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::charset::Charset;

    fn val(value_type: ValueType) -> ColumnVal<'static> {
        ColumnVal::empty(value_type)
    }

    fn spec(sql_type: i32) -> ColumnSpec<'static> {
        ColumnSpec {
            index: 1,
            name: None,
            sql_type,
            signed: true,
            length: 0,
            not_null: false,
            type_description: None,
        }
    }

    #[test]
    fn temporal_values() {
        let style = Style::default();
        // 2015-01-01 00:00:01.123456789: 1420070401123 ms plus 456789 extra ns.
        let mut ts = val(ValueType::Timestamp);
        ts.long_value = Some(1_420_070_401_123);
        ts.int_value = Some(456_789);
        assert_eq!(
            column_value(None, Some(&ts), &style),
            "2015-01-01 00:00:01.123456789"
        );
        let mut zero = val(ValueType::Timestamp);
        zero.int_value = Some(0);
        assert_eq!(column_value(None, Some(&zero), &style), "0");
        // DATETIME with a fraction in a DATE column: no stray line break.
        let mut dt = val(ValueType::Date);
        dt.long_value = Some(1_420_074_123_500);
        dt.string_value = Some("GMT");
        assert_eq!(
            column_value(Some(&spec(SQL_TYPE_DATE)), Some(&dt), &style),
            "2015-01-01 01:02:03.500000000"
        );
        dt.long_value = Some(1_420_074_123_000);
        assert_eq!(
            column_value(Some(&spec(SQL_TYPE_DATE)), Some(&dt), &style),
            "2015-01-01 01:02:03"
        );
        // TIME with stored nanos prints as a timestamp; 0.00025 s = 250000 ns.
        let mut time = val(ValueType::Time);
        time.long_value = Some(3_723_000);
        time.int_value = Some(250_000);
        assert_eq!(
            column_value(None, Some(&time), &style),
            "1970-01-01 01:02:03.00025"
        );
        time.int_value = None;
        assert_eq!(column_value(None, Some(&time), &style), "01:02:03");
    }

    #[test]
    fn byte_strings_and_blobs() {
        let mut style = Style::default();
        let mut b = val(ValueType::BinaryString);
        b.bytes_value = Some(b"MASTER_ONLINE");
        assert_eq!(column_value(None, Some(&b), &style), "MASTER_ONLINE");
        b.bytes_value = Some(b"bin\xe9");
        assert_eq!(column_value(None, Some(&b), &style), "x'62696ee9'");
        style.charset = Some(Charset::Latin1);
        style.hex = true;
        assert_eq!(column_value(None, Some(&b), &style), "biné (x62696ee9)");
        let mut blob = val(ValueType::Blob);
        let long = vec![b'x'; 1005];
        blob.bytes_value = Some(&long);
        assert_eq!(
            column_value(None, Some(&blob), &style),
            format!("{}<...>", "x".repeat(1000))
        );
        blob.bytes_value = Some(b"");
        assert_eq!(column_value(None, Some(&blob), &style), "");
    }

    #[test]
    fn numbers_and_nulls() {
        let style = Style::default();
        let mut long = val(ValueType::Long);
        assert_eq!(column_value(None, Some(&long), &style), "NULL");
        long.long_value = Some(-9_000_000_000);
        assert_eq!(column_value(None, Some(&long), &style), "-9000000000");
        assert_eq!(column_value(None, None, &style), "NULL");
        assert_eq!(
            column_value(None, Some(&val(ValueType::Null)), &style),
            "NULL"
        );
        let mut dec = val(ValueType::Decimal);
        dec.bytes_value = Some(&[0xcf, 0xc7]);
        dec.int_value = Some(3);
        assert_eq!(column_value(None, Some(&dec), &style), "-12.345");
    }
}
