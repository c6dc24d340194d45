//! What a stored column value means (spec 6.5): one enum over the value type and the
//! fields the writer set for it.

use super::{ColumnVal, ValueType};

/// A column value as the reference reader understands it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Value<'a> {
    /// SQL NULL (type NULL, or a LONG without value).
    Null,
    /// INT: 32-bit integer (also YEAR, ENUM indexes).
    Int(i32),
    /// LONG: 64-bit integer (BIGINT, SET bitmasks).
    Long(i64),
    /// BIT: the bits as an integer.
    Bit(i32),
    /// FLOAT.
    Float(f32),
    /// DOUBLE.
    Double(f64),
    /// DECIMAL: unscaled big-endian two's-complement integer and scale.
    Decimal {
        /// Minimal big-endian two's-complement bytes of the unscaled value.
        unscaled: &'a [u8],
        /// Digits after the decimal point (may be negative).
        scale: i32,
    },
    /// STRING: text.
    String(&'a str),
    /// BINARYSTRING: bytes (CHAR/VARCHAR kept as bytes), charset unknown.
    BinaryString(&'a [u8]),
    /// BLOB: bytes (BLOB and TEXT columns).
    Blob(&'a [u8]),
    /// TIMESTAMP: an instant with nanoseconds beyond the millisecond.
    Timestamp {
        /// Java milliseconds.
        millis: i64,
        /// Extra nanoseconds (0..999999) beyond `millis`.
        extra_nanos: i32,
    },
    /// A zero TIMESTAMP (or zero DATETIME), printed `0`.
    ZeroTimestamp,
    /// DATE: the instant of local midnight on the extracting JVM.
    Date {
        /// Java milliseconds.
        millis: i64,
    },
    /// DATETIME: a DATE value marked `"GMT"`; wall-clock fields taken as UTC.
    DateTime {
        /// Java milliseconds.
        millis: i64,
        /// Extra nanoseconds beyond `millis`.
        extra_nanos: i32,
    },
    /// A zero DATE, printed `0`.
    ZeroDate,
    /// TIME without fraction (older writers): a time of day on 1970-01-01.
    Time {
        /// Java milliseconds.
        millis: i64,
    },
    /// TIME with fraction: an instant with nanoseconds.
    TimeWithNanos {
        /// Java milliseconds.
        millis: i64,
        /// Extra nanoseconds beyond `millis`.
        extra_nanos: i32,
    },
    /// A value type code this library does not know.
    Unknown {
        /// The stored code.
        value_type: i32,
    },
}

impl<'a> ColumnVal<'a> {
    /// Interprets the stored fields (spec 6.5). Absent fields read as protobuf defaults
    /// (0, empty), as the reference reader does, except where the spec gives them a
    /// meaning (a LONG without value is NULL, a TIMESTAMP or DATE without one is zero).
    pub fn value(&self) -> Value<'a> {
        let int = self.int_value.unwrap_or(0);
        let bytes = self.bytes_value.unwrap_or_default();
        let Some(kind) = self.kind() else {
            return Value::Unknown {
                value_type: self.value_type,
            };
        };
        match kind {
            ValueType::Null => Value::Null,
            ValueType::Int => Value::Int(int),
            ValueType::Long => self.long_value.map_or(Value::Null, Value::Long),
            ValueType::Bit => Value::Bit(int),
            ValueType::Float => Value::Float(self.float_value.unwrap_or(0.0)),
            ValueType::Double => Value::Double(self.double_value.unwrap_or(0.0)),
            ValueType::Decimal => Value::Decimal {
                unscaled: bytes,
                scale: int,
            },
            ValueType::String => Value::String(self.string_value.unwrap_or_default()),
            ValueType::BinaryString => Value::BinaryString(bytes),
            ValueType::Blob => Value::Blob(bytes),
            ValueType::Timestamp => match self.long_value {
                Some(millis) => Value::Timestamp {
                    millis,
                    extra_nanos: int,
                },
                None => Value::ZeroTimestamp,
            },
            ValueType::Date => match (self.long_value, self.string_value) {
                (None, _) => Value::ZeroDate,
                (Some(millis), Some("GMT")) => Value::DateTime {
                    millis,
                    extra_nanos: int,
                },
                (Some(millis), _) => Value::Date { millis },
            },
            ValueType::Time => {
                let millis = self.long_value.unwrap_or(0);
                match self.int_value {
                    Some(extra_nanos) => Value::TimeWithNanos {
                        millis,
                        extra_nanos,
                    },
                    None => Value::Time { millis },
                }
            }
        }
    }
}
