//! Row events as THL row changes: column specs and typed values as the MySQL extractor
//! stores them (thl-format.md §6.5–6.7), temporal values computed as a JVM running in
//! UTC does (`tz_aware=true`).
//!
//! Two things go beyond the reference extractor, and only when the table map carries
//! the optional metadata: column names (`binlog_row_metadata=FULL`), and `signed=false`
//! for columns declared UNSIGNED (signedness: `MINIMAL` or `FULL`), which is what
//! Tungsten's `colnames` filter adds. Values stay as the extractor stores them (an
//! UNSIGNED TINYINT 200 is the INT -56), so an applier that honours the flag restores
//! them.

use crate::binlog::rows::{ColumnType, Decimal, RowImage, RowsAction, RowsEvent, TableMap, Value};
use crate::decode::DecodeError;
use crate::thl::event::{Action, ValueType};
use crate::thl::java_text::millis_from_civil;

use super::owned::{OwnedRowChange, OwnedSpec, OwnedValue};

/// `java.sql.Types` codes the extractor uses.
mod sql_type {
    pub(super) const NULL: i32 = 0;
    pub(super) const BIT: i32 = -7;
    pub(super) const INTEGER: i32 = 4;
    pub(super) const DECIMAL: i32 = 3;
    pub(super) const FLOAT: i32 = 6;
    pub(super) const DOUBLE: i32 = 8;
    pub(super) const VARCHAR: i32 = 12;
    pub(super) const DATE: i32 = 91;
    pub(super) const TIME: i32 = 92;
    pub(super) const TIMESTAMP: i32 = 93;
    pub(super) const OTHER: i32 = 1111;
    pub(super) const BLOB: i32 = 2004;
}

/// The row change of `event`, whose table map is `map`, and the keys it writes (see
/// [`row_keys`]).
pub(crate) fn row_change(
    event: &RowsEvent<'_>,
    map: &TableMap<'_>,
) -> Result<(OwnedRowChange, Option<Vec<u64>>), DecodeError> {
    let action = match event.kind.action {
        RowsAction::Write => Action::Insert,
        RowsAction::Delete => Action::Delete,
        RowsAction::Update | RowsAction::PartialUpdate => Action::Update,
    };
    let mut change = OwnedRowChange {
        schema: String::from_utf8_lossy(&map.schema).into_owned(),
        table: String::from_utf8_lossy(&map.table).into_owned(),
        action,
        key_spec: Vec::new(),
        column_spec: Vec::new(),
        key_values: Vec::new(),
        column_values: Vec::new(),
        table_id: event.table_id as i64,
    };
    for row in event.rows(map)? {
        let row = row?;
        if let Some(before) = &row.before {
            let values = image(before, map, &mut change.key_spec)?;
            change.key_values.push(values);
        }
        if let Some(after) = &row.after {
            let values = image(after, map, &mut change.column_spec)?;
            change.column_values.push(values);
        }
    }
    let keys = row_keys(&change, &map.primary_key());
    Ok((change, keys))
}

/// One 64-bit key per row image: the table and its primary-key values, hashed
/// (FNV-1a). `None` when the table has no known primary key or an image lacks a key
/// column: the writes cannot be told apart, so a scheduler must treat the change as
/// conflicting with everything.
fn row_keys(change: &OwnedRowChange, pk: &[usize]) -> Option<Vec<u64>> {
    if pk.is_empty() {
        return None;
    }
    let mut keys = Vec::with_capacity(change.key_values.len() + change.column_values.len());
    let images = [
        (&change.key_spec, &change.key_values),
        (&change.column_spec, &change.column_values),
    ];
    for (specs, rows) in images {
        let slots: Option<Vec<usize>> = pk
            .iter()
            .map(|&column| specs.iter().position(|s| s.index as usize == column + 1))
            .collect();
        let Some(slots) = slots else {
            if rows.is_empty() {
                continue;
            }
            return None;
        };
        for row in rows.iter() {
            let mut h = Fnv::new();
            h.write(change.schema.as_bytes());
            h.write(&[0]);
            h.write(change.table.as_bytes());
            for &slot in &slots {
                let v = row.get(slot)?;
                h.write(&[0, v.value_type as u8]);
                h.write(&v.int.unwrap_or(0).to_le_bytes());
                h.write(&v.long.unwrap_or(0).to_le_bytes());
                h.write(&v.float.map_or(0, f32::to_bits).to_le_bytes());
                h.write(&v.double.map_or(0, f64::to_bits).to_le_bytes());
                h.write(v.bytes.as_deref().unwrap_or_default());
            }
            keys.push(h.0);
        }
    }
    Some(keys)
}

/// FNV-1a, 64 bits: stable across runs and platforms, which a write-set key needs.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The values of one image; the specs (one per present column, shared by all rows of
/// the event) take a column's type from its first non-NULL value.
fn image(
    image: &RowImage<'_>,
    map: &TableMap<'_>,
    specs: &mut Vec<OwnedSpec>,
) -> Result<Vec<OwnedValue>, DecodeError> {
    let mut values = Vec::with_capacity(image.len());
    for (slot, cell) in image.iter().enumerate() {
        let cell = cell?;
        let column = &map.columns[cell.column];
        if specs.len() <= slot {
            specs.push(OwnedSpec {
                index: cell.column as i32 + 1,
                name: map
                    .column_name(cell.column)
                    .map(|n| String::from_utf8_lossy(n).into_owned()),
                sql_type: sql_type::NULL,
                // Only numeric columns can be declared UNSIGNED. MariaDB also sets the
                // SIGNEDNESS bit of every YEAR (an unsigned TINYINT underneath), but the
                // catalogue the `colnames` filter reads calls YEAR signed (`year(4)`).
                signed: !(column.unsigned && column.kind.is_numeric()),
                length: 0,
            });
        }
        let (value, typed) = value(
            column.kind,
            column.string_length,
            cell.value,
            map,
            cell.column,
        );
        if let (Some((sql_type, length)), Some(spec)) = (typed, specs.get_mut(slot)) {
            spec.sql_type = sql_type;
            spec.length = length;
        }
        values.push(value);
    }
    Ok(values)
}

fn typed(value_type: ValueType) -> OwnedValue {
    OwnedValue {
        value_type: value_type as i32,
        ..OwnedValue::default()
    }
}

fn int(value_type: ValueType, v: i32) -> OwnedValue {
    OwnedValue {
        int: Some(v),
        ..typed(value_type)
    }
}

fn long(value_type: ValueType, v: i64) -> OwnedValue {
    OwnedValue {
        long: Some(v),
        ..typed(value_type)
    }
}

fn bytes(value_type: ValueType, v: Vec<u8>) -> OwnedValue {
    OwnedValue {
        bytes: Some(v),
        ..typed(value_type)
    }
}

/// Nanoseconds beyond the millisecond, stored only when non-zero (TIMESTAMP, DATETIME).
fn extra_nanos(micros: u32) -> Option<i32> {
    let nanos = (micros % 1000 * 1000) as i32;
    (nanos > 0).then_some(nanos)
}

/// The zero TIMESTAMP/DATETIME: type TIMESTAMP with only `intValue` 0.
fn zero_timestamp() -> (OwnedValue, Option<(i32, i32)>) {
    (int(ValueType::Timestamp, 0), Some((sql_type::TIMESTAMP, 0)))
}

/// The stored value and the spec (type, length) it implies; `None` for SQL NULL,
/// which leaves the spec as it is.
fn value(
    kind: ColumnType,
    bytes_per_value: u16,
    v: Value<'_>,
    map: &TableMap<'_>,
    column: usize,
) -> (OwnedValue, Option<(i32, i32)>) {
    use ColumnType as C;
    let integer = |width: i32| Some((sql_type::INTEGER, width));
    match v {
        Value::Null => (typed(ValueType::Null), None),
        Value::Int(_) | Value::UInt(_) => {
            // The extractor reads integers as signed whatever the column says.
            let raw = match v {
                Value::Int(i) => i,
                Value::UInt(u) => u as i64,
                _ => 0,
            };
            match kind {
                C::Tiny => (int(ValueType::Int, i32::from(raw as i8)), integer(1)),
                C::Short => (int(ValueType::Int, i32::from(raw as i16)), integer(2)),
                C::Int24 => (int(ValueType::Int, ((raw as i32) << 8) >> 8), integer(3)),
                C::Long => (int(ValueType::Int, raw as i32), integer(4)),
                _ => (long(ValueType::Long, raw), integer(8)),
            }
        }
        Value::Float(f) => (
            OwnedValue {
                float: Some(f),
                ..typed(ValueType::Float)
            },
            Some((sql_type::FLOAT, 0)),
        ),
        Value::Double(d) => (
            OwnedValue {
                double: Some(d),
                ..typed(ValueType::Double)
            },
            Some((sql_type::DOUBLE, 0)),
        ),
        Value::Decimal(d) => (decimal(&d), Some((sql_type::DECIMAL, 0))),
        Value::Bit(b) => (int(ValueType::Bit, b as i32), Some((sql_type::BIT, 0))),
        Value::Year(y) => {
            let year = if y == 0 { 1900 } else { i32::from(y) };
            (int(ValueType::Int, year), integer(0))
        }
        Value::Enum(i) => {
            let spec = if bytes_per_value == 1 {
                (sql_type::OTHER, 0)
            } else {
                (sql_type::INTEGER, 0)
            };
            (int(ValueType::Int, i32::from(i)), Some(spec))
        }
        Value::Set(bits) => (long(ValueType::Long, bits as i64), integer(0)),
        Value::String(s) => (
            bytes(ValueType::BinaryString, s.to_vec()),
            Some((sql_type::VARCHAR, 0)),
        ),
        Value::Blob(b) | Value::Geometry(b) | Value::Vector(b) | Value::Compressed(b) => (
            bytes(ValueType::Blob, b.to_vec()),
            Some((sql_type::BLOB, 0)),
        ),
        Value::Json(_) | Value::JsonDiff(_) => {
            // JSON is stored as its text: what the column reads back as.
            let mut text = Vec::new();
            if v.write_json(map.column_info(column), &mut text).is_err() {
                text.clear();
            }
            (bytes(ValueType::Blob, text), Some((sql_type::BLOB, 0)))
        }
        Value::Timestamp(ts) => {
            if ts.seconds == 0 && ts.micros == 0 {
                return zero_timestamp();
            }
            let millis = i64::from(ts.seconds) * 1000 + i64::from(ts.micros / 1000);
            (
                OwnedValue {
                    long: Some(millis),
                    int: extra_nanos(ts.micros),
                    ..typed(ValueType::Timestamp)
                },
                Some((sql_type::TIMESTAMP, 0)),
            )
        }
        Value::DateTime(dt) => {
            let d = dt.date;
            if (
                d.year, d.month, d.day, dt.hour, dt.minute, dt.second, dt.micros,
            ) == (0, 0, 0, 0, 0, 0, 0)
            {
                return zero_timestamp();
            }
            let seconds =
                i64::from(dt.hour) * 3600 + i64::from(dt.minute) * 60 + i64::from(dt.second);
            let millis = millis_from_civil(i64::from(d.year), d.month, d.day, seconds)
                + i64::from(dt.micros / 1000);
            (
                OwnedValue {
                    long: Some(millis),
                    int: extra_nanos(dt.micros),
                    string: Some("GMT"),
                    ..typed(ValueType::Date)
                },
                Some((sql_type::DATE, 0)),
            )
        }
        Value::Date(d) => {
            if (d.year, d.month, d.day) == (0, 0, 0) {
                return (int(ValueType::Date, 0), Some((sql_type::DATE, 0)));
            }
            let millis = millis_from_civil(i64::from(d.year), d.month, d.day, 0);
            (long(ValueType::Date, millis), Some((sql_type::DATE, 0)))
        }
        Value::Time(t) => {
            let magnitude =
                (i64::from(t.hours) * 3600 + i64::from(t.minutes) * 60 + i64::from(t.seconds))
                    * 1000
                    + i64::from(t.micros / 1000);
            let millis = if t.negative { -magnitude } else { magnitude };
            let value = if kind == C::Time2 {
                // The fractional form always carries its nanoseconds, even 0.
                OwnedValue {
                    long: Some(millis),
                    int: Some((t.micros % 1000 * 1000) as i32),
                    ..typed(ValueType::Time)
                }
            } else {
                long(ValueType::Time, millis)
            };
            (value, Some((sql_type::TIME, 0)))
        }
    }
}

/// A DECIMAL as Java's `BigDecimal` serializes it: the unscaled value as minimal
/// big-endian two's-complement bytes, and the scale.
fn decimal(d: &Decimal<'_>) -> OwnedValue {
    let text = d.to_string();
    let negative = text.starts_with('-');
    let digits = text.bytes().filter(u8::is_ascii_digit);
    // Magnitude in base 256, most significant byte first.
    let mut magnitude: Vec<u8> = Vec::new();
    for digit in digits {
        let mut carry = u32::from(digit - b'0');
        for byte in magnitude.iter_mut().rev() {
            let v = u32::from(*byte) * 10 + carry;
            *byte = v as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            magnitude.insert(0, carry as u8);
            carry >>= 8;
        }
    }
    let is_zero = magnitude.iter().all(|&b| b == 0);
    let unscaled = if is_zero {
        vec![0]
    } else if negative {
        twos_complement(&magnitude)
    } else {
        if magnitude[0] & 0x80 != 0 {
            magnitude.insert(0, 0);
        }
        magnitude
    };
    OwnedValue {
        bytes: Some(unscaled),
        int: Some(i32::from(d.scale)),
        ..typed(ValueType::Decimal)
    }
}

/// `-magnitude` in the fewest two's-complement bytes.
fn twos_complement(magnitude: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = magnitude.iter().map(|b| !b).collect();
    for byte in out.iter_mut().rev() {
        let (v, overflow) = byte.overflowing_add(1);
        *byte = v;
        if !overflow {
            break;
        }
    }
    if out[0] & 0x80 == 0 {
        out.insert(0, 0xff);
    }
    // Drop redundant leading 0xff bytes (the next byte already carries the sign).
    while out.len() > 1 && out[0] == 0xff && out[1] & 0x80 != 0 {
        out.remove(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binlog::rows::test_support::{ctx, rows_body, table_map_body};
    use crate::binlog::rows::RowsEventKind;
    use crate::binlog::Flavor;

    #[test]
    fn only_numeric_columns_are_unsigned_in_specs() {
        // MariaDB: INT UNSIGNED, YEAR, TINYINT; SIGNEDNESS counts YEAR and sets all three
        // bits, as a MariaDB 10.11 server logs YEAR (fixtures/tungsten/mysql-bin.000001).
        let mut maria = ctx();
        maria.flavor = Flavor::MariaDb;
        let map_body = table_map_body(7, b"d", b"t", &[3, 13, 1], &[], &[0], &[1, 1, 0b1110_0000]);
        let map = TableMap::parse(&map_body, &maria).unwrap();
        let mut rows = vec![0b000];
        rows.extend_from_slice(&7u32.to_le_bytes());
        rows.push(113); // YEAR 2013
        rows.push(200);
        let body = rows_body(7, None, 3, &[0b111], None, &rows);
        let write_rows_v1 = RowsEventKind::from_type_code(23).unwrap();
        let event = RowsEvent::parse(&body, &maria, write_rows_v1).unwrap();
        let (change, keys) = row_change(&event, &map).unwrap();
        assert_eq!(
            keys, None,
            "no primary key metadata: the writes cannot be keyed"
        );
        let signed: Vec<bool> = change.column_spec.iter().map(|s| s.signed).collect();
        assert_eq!(signed, [false, true, false]);
        let year = &change.column_values[0][1];
        assert_eq!(
            (year.value_type, year.int),
            (ValueType::Int as i32, Some(2013))
        );
    }

    #[test]
    fn negative_unscaled_values_are_minimal_twos_complement() {
        assert_eq!(twos_complement(&[1]), [0xff]);
        assert_eq!(twos_complement(&[0x80]), [0x80]);
        assert_eq!(twos_complement(&[0x81]), [0xff, 0x7f]);
        assert_eq!(twos_complement(&[0x01, 0x00]), [0xff, 0x00]);
        assert_eq!(twos_complement(&[0x00, 0xff]), [0xff, 0x01]);
    }
}
