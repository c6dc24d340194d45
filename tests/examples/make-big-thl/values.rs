//! Column values: generated for a column type, then stored the way Tungsten's MySQL
//! extractor stores them (spec 6.5, 6.7; temporal values as a replicator whose JVM
//! runs in UTC, metadata `tz_aware=true`).

use replog::thl::event::{ColumnVal, ValueType};

use crate::catalog::{Kind, Text};
use crate::rng::Rng;

/// One stored value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i32),
    Long(i64),
    Bit(i32),
    Float(f32),
    Double(f64),
    /// Unscaled value as minimal big-endian two's-complement bytes, and the scale.
    Decimal(Vec<u8>, i32),
    /// CHAR/VARCHAR kept as bytes (BINARYSTRING), as both real fixtures store them.
    Chars(Vec<u8>),
    /// BLOB and TEXT.
    Blob(Vec<u8>),
    /// TIMESTAMP: Java milliseconds and the nanoseconds beyond them.
    Timestamp {
        millis: i64,
        nanos: i32,
    },
    /// DATETIME: its wall-clock fields read as UTC.
    DateTime {
        millis: i64,
        nanos: i32,
    },
    /// DATE: midnight UTC.
    Date {
        millis: i64,
    },
    /// TIME with fraction: an instant on 1970-01-01.
    Time {
        millis: i64,
        nanos: i32,
    },
}

impl Cell {
    /// The stored form (spec 6.5).
    pub fn column_val(&self) -> ColumnVal<'_> {
        let of = ColumnVal::empty;
        match self {
            Cell::Null => of(ValueType::Null),
            Cell::Int(v) => ColumnVal {
                int_value: Some(*v),
                ..of(ValueType::Int)
            },
            Cell::Long(v) => ColumnVal {
                long_value: Some(*v),
                ..of(ValueType::Long)
            },
            Cell::Bit(v) => ColumnVal {
                int_value: Some(*v),
                ..of(ValueType::Bit)
            },
            Cell::Float(v) => ColumnVal {
                float_value: Some(*v),
                ..of(ValueType::Float)
            },
            Cell::Double(v) => ColumnVal {
                double_value: Some(*v),
                ..of(ValueType::Double)
            },
            Cell::Decimal(unscaled, scale) => ColumnVal {
                bytes_value: Some(unscaled),
                int_value: Some(*scale),
                ..of(ValueType::Decimal)
            },
            Cell::Chars(b) => ColumnVal {
                bytes_value: Some(b),
                ..of(ValueType::BinaryString)
            },
            Cell::Blob(b) => ColumnVal {
                bytes_value: Some(b),
                ..of(ValueType::Blob)
            },
            Cell::Timestamp { millis, nanos } => ColumnVal {
                long_value: Some(*millis),
                // Extra nanoseconds are written only when there are some.
                int_value: (*nanos > 0).then_some(*nanos),
                ..of(ValueType::Timestamp)
            },
            Cell::DateTime { millis, nanos } => ColumnVal {
                long_value: Some(*millis),
                string_value: Some("GMT"),
                int_value: (*nanos > 0).then_some(*nanos),
                ..of(ValueType::Date)
            },
            Cell::Date { millis } => ColumnVal {
                long_value: Some(*millis),
                ..of(ValueType::Date)
            },
            Cell::Time { millis, nanos } => ColumnVal {
                long_value: Some(*millis),
                // Fractional TIME carries its nanoseconds even when they are 0.
                int_value: Some(*nanos),
                ..of(ValueType::Time)
            },
        }
    }

    /// About how many bytes the value takes in a record (for sizing rows events and
    /// fragments, not exact).
    pub fn stored_size(&self) -> usize {
        4 + match self {
            Cell::Null => 0,
            Cell::Int(_) | Cell::Bit(_) | Cell::Float(_) => 5,
            Cell::Long(_) | Cell::Double(_) | Cell::Date { .. } => 9,
            Cell::Decimal(b, _) => b.len() + 4,
            Cell::Chars(b) | Cell::Blob(b) => b.len() + 2,
            Cell::Timestamp { .. } | Cell::DateTime { .. } | Cell::Time { .. } => 15,
        }
    }
}

/// Minimal big-endian two's-complement bytes of `v` (Java `BigInteger.toByteArray`).
pub fn twos_complement(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    // Drop a leading byte while the next one still carries the sign.
    while start < 7 {
        let (lead, next) = (bytes[start], bytes[start + 1]);
        let redundant = (lead == 0x00 && next & 0x80 == 0) || (lead == 0xFF && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    bytes[start..].to_vec()
}

/// What a value generator needs besides the column type.
pub struct Context<'r> {
    pub rng: &'r mut Rng,
    /// The transaction's commit time, Java milliseconds.
    pub commit_millis: i64,
}

const MILLIS_PER_DAY: i64 = 86_400_000;

impl Context<'_> {
    /// A value for a column of `kind`; `key` is the row's primary key.
    pub fn value(&mut self, kind: Kind, key: i64) -> Cell {
        let rng = &mut *self.rng;
        match kind {
            Kind::Key => Cell::Long(key),
            Kind::Int { lo, hi, .. } => Cell::Int(rng.between(lo, hi) as i32),
            Kind::BigInt { lo, hi } => Cell::Long(rng.between(lo, hi)),
            Kind::Decimal { scale, lo, hi } => {
                Cell::Decimal(twos_complement(rng.between(lo, hi)), scale)
            }
            Kind::Float { lo, hi } => Cell::Float(lo + (hi - lo) * rng.unit() as f32),
            Kind::Double { lo, hi } => Cell::Double(lo + (hi - lo) * rng.unit()),
            Kind::Bit { bits } => Cell::Bit(rng.below(1 << bits) as i32),
            Kind::Timestamp { frac } => {
                let micros =
                    (self.commit_millis - rng.between(0, 5_000)) * 1000 + rng.between(0, 999);
                let (millis, nanos) = fraction(micros, frac);
                Cell::Timestamp { millis, nanos }
            }
            Kind::DateTime { frac, days } => {
                let back = rng.between(0, days * MILLIS_PER_DAY) * 1000 + rng.between(0, 999);
                let (millis, nanos) = fraction(self.commit_millis * 1000 - back, frac);
                Cell::DateTime { millis, nanos }
            }
            Kind::Date { from_day, to_day } => Cell::Date {
                millis: rng.between(from_day, to_day) * MILLIS_PER_DAY,
            },
            Kind::Time { frac } => {
                let (millis, nanos) = fraction(rng.between(0, MILLIS_PER_DAY * 1000 - 1), frac);
                Cell::Time { millis, nanos }
            }
            Kind::Year => Cell::Int(rng.between(1995, 2024) as i32),
            // One-based member index.
            Kind::Enum(members) => Cell::Int(rng.between(1, members.len() as i64) as i32),
            Kind::Set(members) => Cell::Long(rng.below(1 << members.len()) as i64),
            Kind::Varchar(text) => Cell::Chars(self.text(text).into_bytes()),
            Kind::Blob { min, max } => Cell::Blob(self.binary(min, max)),
            Kind::Text(text) => Cell::Blob(self.text(text).into_bytes()),
        }
    }

    fn text(&mut self, text: Text) -> String {
        let rng = &mut *self.rng;
        match text {
            Text::PersonName => {
                let mut name = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
                if rng.percent(2) {
                    name.push_str(" 🎉");
                }
                name
            }
            Text::Email => format!(
                "{}.{}{}@{}",
                rng.pick(ASCII_FIRST_NAMES),
                rng.pick(ASCII_LAST_NAMES),
                rng.below(1000),
                rng.pick(DOMAINS)
            ),
            Text::Sku => format!(
                "SKU-{:05}-{}",
                rng.below(100_000),
                (b'A' + rng.below(26) as u8) as char
            ),
            Text::Country => rng.pick(COUNTRIES).to_string(),
            Text::Currency => rng.pick(CURRENCIES).to_string(),
            Text::Phrase(max_words) => {
                let words = rng.between(1, max_words as i64);
                let mut s = String::new();
                for i in 0..words {
                    if i > 0 {
                        s.push(' ');
                    }
                    let word = *rng.pick(WORDS);
                    s.push_str(word);
                }
                s
            }
            Text::Json => format!(
                r#"{{"session":"{:016x}","path":"/{}/{}","status":{},"ms":{},"client":"{}","tags":["{}","{}"]}}"#,
                rng.next_u64(),
                rng.pick(WORDS),
                rng.below(100_000),
                rng.pick(&[200, 200, 200, 201, 204, 302, 404, 500]),
                rng.below(3_000),
                rng.pick(CLIENTS),
                rng.pick(WORDS),
                rng.pick(WORDS)
            ),
            Text::Ip => {
                if rng.percent(20) {
                    format!(
                        "2001:db8:{:x}::{:x}",
                        rng.below(0x10000),
                        rng.below(0x10000)
                    )
                } else {
                    format!(
                        "10.{}.{}.{}",
                        rng.below(256),
                        rng.below(256),
                        rng.below(256)
                    )
                }
            }
            Text::Hex(digits) => {
                let mut s = String::with_capacity(digits);
                while s.len() < digits {
                    s.push_str(&format!("{:016x}", rng.next_u64()));
                }
                s.truncate(digits);
                s
            }
        }
    }

    /// Binary content: a short format signature, then random bytes.
    fn binary(&mut self, min: usize, max: usize) -> Vec<u8> {
        let len = self.rng.between(min as i64, max as i64) as usize;
        let mut b = Vec::with_capacity(len + 8);
        let signatures: [&[u8]; 3] = [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"];
        let signature = *self.rng.pick(&signatures);
        b.extend_from_slice(signature);
        while b.len() < len {
            b.extend_from_slice(&self.rng.next_u64().to_le_bytes());
        }
        b.truncate(len);
        b
    }
}

/// Splits microseconds since the epoch, cut to `frac` fraction digits, into Java
/// milliseconds and the nanoseconds beyond them.
fn fraction(micros: i64, frac: u32) -> (i64, i32) {
    let unit = 10i64.pow(6 - frac.min(6));
    let micros = micros.div_euclid(unit) * unit;
    (
        micros.div_euclid(1000),
        (micros.rem_euclid(1000) * 1000) as i32,
    )
}

const FIRST_NAMES: &[&str] = &[
    "Anna",
    "José",
    "Zoë",
    "Łukasz",
    "Søren",
    "Mei",
    "Ahmed",
    "Olga",
    "Дмитрий",
    "美咲",
    "Chloé",
    "Ngozi",
    "Ravi",
    "Inès",
    "Björn",
    "Kenji",
    "María",
    "Ayşe",
    "François",
    "Nguyễn",
    "Sipho",
    "Ólafur",
    "Priya",
    "Tomás",
    "Yusuf",
    "Eleni",
    "Κώστας",
    "Hannah",
    "Liam",
    "Ewa",
];
const LAST_NAMES: &[&str] = &[
    "Martin",
    "García",
    "Müller",
    "Kowalski",
    "Nakamura",
    "O'Brien",
    "Silva",
    "Novák",
    "Ivanova",
    "Haddad",
    "Østergaard",
    "Smith",
    "Rossi",
    "Dubois",
    "Kim",
    "Çelik",
    "Papadopoulos",
    "Nowak",
    "Fernández",
    "Jónsdóttir",
    "van der Berg",
    "Okafor",
    "Lefèvre",
    "佐藤",
    "Schmidt",
];
const ASCII_FIRST_NAMES: &[&str] = &[
    "anna", "jose", "zoe", "lukasz", "soren", "mei", "ahmed", "olga", "chloe", "ravi", "ines",
    "bjorn", "kenji", "maria", "francois", "priya", "tomas", "hannah", "liam", "ewa",
];
const ASCII_LAST_NAMES: &[&str] = &[
    "martin", "garcia", "muller", "kowalski", "nakamura", "obrien", "silva", "novak", "haddad",
    "smith", "rossi", "dubois", "kim", "celik", "nowak", "okafor", "schmidt",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "mail.example.net",
    "corp.example.com",
    "example.co.uk",
];
const COUNTRIES: &[&str] = &[
    "FR", "DE", "US", "GB", "PL", "JP", "BR", "IN", "NG", "SE", "ES", "IT", "CA", "AU", "ZA", "TR",
];
const CURRENCIES: &[&str] = &["EUR", "USD", "GBP", "JPY", "CHF", "SEK", "PLN"];
const CLIENTS: &[&str] = &[
    "ios/17.4",
    "android/14",
    "web/chrome",
    "web/firefox",
    "api/v2",
];
const WORDS: &[&str] = &[
    "delivery",
    "customer",
    "requested",
    "invoice",
    "warehouse",
    "return",
    "parcel",
    "address",
    "updated",
    "express",
    "fragile",
    "gift",
    "refund",
    "partial",
    "backorder",
    "priority",
    "courier",
    "damaged",
    "replacement",
    "confirmed",
    "pending",
    "café",
    "größe",
    "naïve",
    "checkout",
    "coupon",
    "loyalty",
    "subscription",
    "renewal",
    "tracking",
    "signature",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twos_complement_is_minimal() {
        // BigInteger.toByteArray: 0 -> 00, 127 -> 7f, 128 -> 00 80, -1 -> ff, -129 -> ff 7f.
        assert_eq!(twos_complement(0), [0x00]);
        assert_eq!(twos_complement(127), [0x7F]);
        assert_eq!(twos_complement(128), [0x00, 0x80]);
        assert_eq!(twos_complement(-1), [0xFF]);
        assert_eq!(twos_complement(-128), [0x80]);
        assert_eq!(twos_complement(-129), [0xFF, 0x7F]);
        assert_eq!(twos_complement(1_050_000), [0x10, 0x05, 0x90]);
    }

    #[test]
    fn fractions_are_cut_to_the_column_precision() {
        // 1.234567 s after the epoch.
        assert_eq!(fraction(1_234_567, 6), (1_234, 567_000));
        assert_eq!(fraction(1_234_567, 3), (1_234, 0));
        assert_eq!(fraction(1_234_567, 0), (1_000, 0));
        // 1 µs before the epoch: -1 ms plus 999 µs.
        assert_eq!(fraction(-1, 6), (-1, 999_000));
    }
}
