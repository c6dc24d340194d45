//! `USER_VAR_EVENT` (type 14): a user variable (`@name`) the next statement reads.

use std::fmt;

use nom::number::complete::{le_u32, le_u8};

use super::Text;
use crate::binlog::wire::{bytes, str_u32};
use crate::decode::{finish, DecodeError, Parsed};

/// `STRING_RESULT`.
pub const STRING_RESULT: u8 = 0;
/// `REAL_RESULT`.
pub const REAL_RESULT: u8 = 1;
/// `INT_RESULT`.
pub const INT_RESULT: u8 = 2;
/// `ROW_RESULT` (never stored in a user variable, kept for completeness).
pub const ROW_RESULT: u8 = 3;
/// `DECIMAL_RESULT`.
pub const DECIMAL_RESULT: u8 = 4;
/// `User_var_log_event::UNSIGNED_F`.
pub const FLAG_UNSIGNED: u8 = 1;

/// The value of a user variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UserVarValue<'a> {
    /// SQL NULL.
    Null,
    /// A string in the given collation.
    String {
        /// Collation id.
        charset: u32,
        /// Raw bytes.
        bytes: &'a [u8],
    },
    /// A double.
    Real(f64),
    /// An integer; `unsigned` from the flags byte (5.1.x+).
    Int {
        /// Bits as stored.
        value: i64,
        /// Whether to read them as unsigned.
        unsigned: bool,
    },
    /// A DECIMAL in MySQL's binary format.
    Decimal {
        /// Total digits.
        precision: u8,
        /// Digits after the point.
        scale: u8,
        /// Binary digits.
        bytes: &'a [u8],
    },
    /// Any other result type, undecoded.
    Other {
        /// The result type byte.
        kind: u8,
        /// Raw value.
        bytes: &'a [u8],
    },
}

/// A decoded `USER_VAR_EVENT`.
#[derive(Debug, Clone, PartialEq)]
pub struct UserVar<'a> {
    /// The variable's name, without `@`.
    pub name: &'a [u8],
    /// Its value.
    pub value: UserVarValue<'a>,
    /// The flags byte, when present (written from 5.1.x on).
    pub flags: Option<u8>,
}

impl<'a> UserVar<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8]) -> Parsed<'a, Self> {
        let (i, name) = str_u32(i)?;
        let (i, is_null) = le_u8(i)?;
        if is_null != 0 {
            return Ok((
                &i[i.len()..],
                UserVar {
                    name,
                    value: UserVarValue::Null,
                    flags: None,
                },
            ));
        }
        let (i, kind) = le_u8(i)?;
        let (i, charset) = le_u32(i)?;
        let (i, raw) = str_u32(i)?;
        let (i, flags) = match i.split_first() {
            Some((&f, rest)) => (rest, Some(f)),
            None => (i, None),
        };
        let unsigned = flags.is_some_and(|f| f & FLAG_UNSIGNED != 0);
        let value = match kind {
            STRING_RESULT => UserVarValue::String {
                charset,
                bytes: raw,
            },
            REAL_RESULT => UserVarValue::Real(f64::from_le_bytes(eight(raw)?)),
            INT_RESULT => UserVarValue::Int {
                value: i64::from_le_bytes(eight(raw)?),
                unsigned,
            },
            DECIMAL_RESULT => {
                let (digits, precision) = le_u8(raw)?;
                let (digits, scale) = le_u8(digits)?;
                let (_, digits) = bytes(digits, decimal_size(precision, scale))?;
                UserVarValue::Decimal {
                    precision,
                    scale,
                    bytes: digits,
                }
            }
            kind => UserVarValue::Other { kind, bytes: raw },
        };
        Ok((i, UserVar { name, value, flags }))
    }
}

fn eight(raw: &[u8]) -> Result<[u8; 8], nom::Err<DecodeError>> {
    raw.get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| nom::Err::Error(DecodeError::at(raw, "an 8-byte number")))
}

/// Bytes used by a group of fewer than nine decimal digits.
const DIG2BYTES: [usize; 10] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

/// Size of MySQL's binary DECIMAL(precision, scale).
pub fn decimal_size(precision: u8, scale: u8) -> usize {
    let intg = usize::from(precision.saturating_sub(scale));
    let frac = usize::from(scale);
    (intg / 9) * 4 + DIG2BYTES[intg % 9] + (frac / 9) * 4 + DIG2BYTES[frac % 9]
}

/// Renders MySQL's binary DECIMAL as text. The sign is the top bit of the first byte
/// (set for non-negative); negative values store every byte inverted. Digits come in
/// big-endian groups of nine per four bytes, with shorter leading/trailing groups.
pub fn decimal_to_string(precision: u8, scale: u8, raw: &[u8]) -> Option<String> {
    let size = decimal_size(precision, scale);
    let raw = raw.get(..size)?;
    let negative = raw.first()? & 0x80 == 0;
    let mask = if negative { 0xff } else { 0 };
    let mut buf: Vec<u8> = raw.iter().map(|b| b ^ mask).collect();
    buf[0] ^= 0x80;
    let intg = usize::from(precision.saturating_sub(scale));
    let frac = usize::from(scale);
    let mut pos = 0usize;
    let mut group = |digits: usize| -> Option<u64> {
        let n = if digits == 9 { 4 } else { DIG2BYTES[digits] };
        let b = buf.get(pos..pos + n)?;
        pos += n;
        Some(b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
    };
    let mut int_part = String::new();
    if intg % 9 > 0 {
        int_part.push_str(&group(intg % 9)?.to_string());
    }
    for _ in 0..intg / 9 {
        let g = group(9)?;
        if int_part.is_empty() {
            int_part.push_str(&g.to_string());
        } else {
            int_part.push_str(&format!("{g:09}"));
        }
    }
    let int_part = int_part.trim_start_matches('0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(if int_part.is_empty() { "0" } else { int_part });
    if frac > 0 {
        out.push('.');
        for _ in 0..frac / 9 {
            out.push_str(&format!("{:09}", group(9)?));
        }
        let rest = frac % 9;
        if rest > 0 {
            out.push_str(&format!("{:0width$}", group(rest)?, width = rest));
        }
    }
    Some(out)
}

impl fmt::Display for UserVar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@`{}`=", Text(self.name))?;
        match self.value {
            UserVarValue::Null => f.write_str("NULL"),
            UserVarValue::String { charset, bytes } => {
                write!(f, "'{}' COLLATE {charset}", Text(bytes))
            }
            UserVarValue::Real(v) => write!(f, "{v}"),
            UserVarValue::Int {
                value,
                unsigned: true,
            } => write!(f, "{}", value as u64),
            UserVarValue::Int { value, .. } => write!(f, "{value}"),
            UserVarValue::Decimal {
                precision,
                scale,
                bytes,
            } => match decimal_to_string(precision, scale, bytes) {
                Some(s) => f.write_str(&s),
                None => f.write_str("<bad decimal>"),
            },
            UserVarValue::Other { kind, bytes } => {
                write!(f, "<result type {kind}, {} bytes>", bytes.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(name: &str, kind: u8, value: &[u8], flags: Option<u8>) -> Vec<u8> {
        let mut b = (name.len() as u32).to_le_bytes().to_vec();
        b.extend_from_slice(name.as_bytes());
        b.push(0);
        b.push(kind);
        b.extend_from_slice(&33u32.to_le_bytes());
        b.extend_from_slice(&(value.len() as u32).to_le_bytes());
        b.extend_from_slice(value);
        b.extend(flags);
        b
    }

    #[test]
    fn every_value_type() {
        let mut null = 2u32.to_le_bytes().to_vec();
        null.extend(b"ab");
        null.push(1);
        assert_eq!(UserVar::parse(&null).unwrap().value, UserVarValue::Null);

        let s = body("s", STRING_RESULT, b"hi", Some(0));
        assert_eq!(
            UserVar::parse(&s).unwrap().to_string(),
            "@`s`='hi' COLLATE 33"
        );
        let r = body("r", REAL_RESULT, &1.5f64.to_le_bytes(), None);
        assert_eq!(UserVar::parse(&r).unwrap().value, UserVarValue::Real(1.5));
        let u = body("u", INT_RESULT, &(-1i64).to_le_bytes(), Some(FLAG_UNSIGNED));
        assert_eq!(
            UserVar::parse(&u).unwrap().to_string(),
            "@`u`=18446744073709551615"
        );
        let n = body("n", INT_RESULT, &(-5i64).to_le_bytes(), Some(0));
        assert_eq!(UserVar::parse(&n).unwrap().to_string(), "@`n`=-5");
        // DECIMAL(10,2) 1234.56: int part 8 digits (4 bytes), frac 2 digits (1 byte).
        let d = body(
            "d",
            DECIMAL_RESULT,
            &[10, 2, 0x80, 0, 0x04, 0xd2, 0x38],
            Some(0),
        );
        assert_eq!(UserVar::parse(&d).unwrap().to_string(), "@`d`=1234.56");
        let neg = body(
            "d",
            DECIMAL_RESULT,
            &[10, 2, 0x7f, 0xff, 0xfb, 0x2d, 0xc7],
            Some(0),
        );
        assert_eq!(UserVar::parse(&neg).unwrap().to_string(), "@`d`=-1234.56");
        assert_eq!(
            UserVar::parse(&body("r", REAL_RESULT, &[1, 2], None))
                .unwrap_err()
                .located(&body("r", REAL_RESULT, &[1, 2], None)),
            (15, "an 8-byte number")
        );
    }
}
