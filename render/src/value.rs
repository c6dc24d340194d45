//! One column value as `thl list` prints it (spec 6.5), with replog's deliberate fixes:
//! byte strings without `-charset` print as text (UTF-8) or a hex literal instead of a
//! Java array hash, an empty BLOB prints as nothing, `-hex` works, and a DATETIME with a
//! fraction is not followed by a stray line break.

use std::fmt::Write;

use replog::thl::event::{ColumnSpec, ColumnVal, Value};
use replog::thl::java_text;

use crate::charset::push_java_utf8;
use crate::instant;
use crate::Style;

/// `java.sql.Types.DATE`: DATETIME values in such columns print without `.F`.
const SQL_TYPE_DATE: i32 = 91;
/// Bytes of a BLOB shown before `<...>`.
const BLOB_PREFIX: usize = 1000;

/// Appends the text after `COL(...) = ` for `value` (None: the image has no such column).
pub fn push_column_value(
    text: &mut String,
    spec: Option<&ColumnSpec<'_>>,
    value: Option<&ColumnVal<'_>>,
    style: &Style,
) {
    let Some(value) = value else {
        text.push_str("NULL");
        return;
    };
    let zone = &style.zone;
    match value.value() {
        Value::Null => text.push_str("NULL"),
        Value::Int(n) | Value::Bit(n) => text.push_str(itoa::Buffer::new().format(n)),
        Value::Long(n) => text.push_str(itoa::Buffer::new().format(n)),
        // Writing into a String cannot fail.
        Value::Float(x) => {
            let _ = java_text::java_float(text, x);
        }
        Value::Double(x) => {
            let _ = java_text::java_double(text, x);
        }
        Value::Decimal { unscaled, scale } => {
            let _ = java_text::big_decimal(text, unscaled, scale);
        }
        Value::String(s) => text.push_str(s),
        Value::BinaryString(bytes) => push_byte_string(text, bytes, style),
        Value::Blob(bytes) => push_blob(text, bytes),
        Value::Timestamp {
            millis,
            extra_nanos,
        }
        | Value::TimeWithNanos {
            millis,
            extra_nanos,
        } => instant::push_timestamp(text, millis, extra_nanos, zone),
        Value::ZeroTimestamp | Value::ZeroDate => text.push('0'),
        Value::Date { millis } => instant::push_date(text, millis, zone),
        Value::DateTime {
            millis,
            extra_nanos,
        } => {
            if spec.is_some_and(|s| s.sql_type == SQL_TYPE_DATE) {
                let nanos = instant::push_datetime(text, millis, extra_nanos, zone);
                if nanos > 0 {
                    let _ = write!(text, ".{nanos:09}");
                }
            } else {
                instant::push_timestamp(text, millis, extra_nanos, zone)
            }
        }
        Value::Time { millis } => instant::push_time(text, millis, zone),
        Value::Unknown { value_type } => {
            let _ = write!(text, "<unknown value type {value_type}>");
        }
        _ => {
            let _ = write!(text, "<value type {} not shown>", value.value_type);
        }
    }
}

/// A BINARYSTRING: decoded with `-charset`, else shown as UTF-8 text when it is valid
/// UTF-8 and as a hex literal `x'..'` otherwise; `-hex` appends ` (x<hex>)`.
fn push_byte_string(text: &mut String, bytes: &[u8], style: &Style) {
    match style.charset {
        Some(charset) => charset.push_decoded(text, bytes),
        None => match simdutf8::basic::from_utf8(bytes) {
            Ok(utf8) => text.push_str(utf8),
            Err(_) => {
                text.push_str("x'");
                push_hex(text, bytes);
                text.push('\'');
            }
        },
    }
    if style.hex {
        text.push_str(" (x");
        push_hex(text, bytes);
        text.push(')');
    }
}

/// A BLOB: its first 1000 bytes as UTF-8 (decoded as the JDK decodes them), then `<...>`
/// if there are more.
fn push_blob(text: &mut String, bytes: &[u8]) {
    match bytes.get(..BLOB_PREFIX) {
        Some(prefix) if bytes.len() > BLOB_PREFIX => {
            push_java_utf8(text, prefix);
            text.push_str("<...>");
        }
        _ => push_java_utf8(text, bytes),
    }
}

/// Lower-case hex digits, two per byte (a table instead of `{:02x}` per byte: `-hex`
/// listings print every byte string this way).
fn push_hex(text: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    text.reserve(bytes.len() * 2);
    for &b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0x0F)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charset::Charset;
    use replog::thl::event::ValueType;

    fn column_value(
        spec: Option<&ColumnSpec<'_>>,
        value: Option<&ColumnVal<'_>>,
        style: &Style,
    ) -> String {
        let mut text = String::new();
        push_column_value(&mut text, spec, value, style);
        text
    }

    fn val(value_type: ValueType) -> ColumnVal<'static> {
        ColumnVal::empty(value_type)
    }

    fn date_spec() -> ColumnSpec<'static> {
        ColumnSpec {
            index: 10,
            name: None,
            sql_type: SQL_TYPE_DATE,
            signed: true,
            length: 0,
            not_null: false,
            type_description: None,
        }
    }

    #[test]
    fn fractional_datetime_has_no_stray_line_break() {
        // Spec 13.2: `2015-01-01 01:02:03.500000000` (the reference adds an empty line).
        let mut dt = val(ValueType::Date);
        dt.long_value = Some(1_420_074_123_500);
        dt.string_value = Some("GMT");
        let style = Style::default();
        assert_eq!(
            column_value(Some(&date_spec()), Some(&dt), &style),
            "2015-01-01 01:02:03.500000000"
        );
        dt.long_value = Some(1_420_074_123_000);
        assert_eq!(
            column_value(Some(&date_spec()), Some(&dt), &style),
            "2015-01-01 01:02:03"
        );
        // Outside a DATE column the same value prints as a Java timestamp.
        assert_eq!(
            column_value(None, Some(&dt), &style),
            "2015-01-01 01:02:03.0"
        );
    }

    #[test]
    fn byte_strings_are_text_or_hex_never_a_java_hash() {
        let mut style = Style::default();
        let mut b = val(ValueType::BinaryString);
        b.bytes_value = Some(b"MASTER_ONLINE");
        assert_eq!(column_value(None, Some(&b), &style), "MASTER_ONLINE");
        b.bytes_value = Some(b"bin\xe9");
        assert_eq!(column_value(None, Some(&b), &style), "x'62696ee9'");
        style.charset = Some(Charset::Latin1);
        style.hex = true;
        assert_eq!(
            column_value(None, Some(&b), &style),
            "bin\u{e9} (x62696ee9)"
        );
    }

    #[test]
    fn blobs_are_cut_at_1000_bytes_and_empty_ones_print_nothing() {
        let style = Style::default();
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
    fn nulls() {
        let style = Style::default();
        assert_eq!(column_value(None, None, &style), "NULL");
        assert_eq!(
            column_value(None, Some(&val(ValueType::Null)), &style),
            "NULL"
        );
        // A LONG without a value is NULL (spec 6.5).
        assert_eq!(
            column_value(None, Some(&val(ValueType::Long)), &style),
            "NULL"
        );
    }
}
