//! MySQL's binary DECIMAL (`decimal2bin` / `bin2decimal` in `strings/decimal.c`).
//!
//! Digits are grouped by nine into big-endian 4-byte words; the integer part's leading
//! digits that do not fill a word and the fraction's trailing ones use the fewest bytes
//! that hold them. The first bit is the sign (set = positive) and a negative value
//! stores every byte inverted.

use std::fmt;

use super::digits::{push_padded_u32, push_u64};

/// Bytes holding 0..=9 leftover decimal digits.
const DIG2BYTES: [usize; 10] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
const DIGITS_PER_WORD: usize = 9;

/// Bytes a DECIMAL(precision, scale) value occupies, or `None` when scale > precision.
pub(crate) fn binary_size(precision: u8, scale: u8) -> Option<usize> {
    let intg = usize::from(precision.checked_sub(scale)?);
    let frac = usize::from(scale);
    Some(
        intg / DIGITS_PER_WORD * 4
            + DIG2BYTES[intg % DIGITS_PER_WORD]
            + frac / DIGITS_PER_WORD * 4
            + DIG2BYTES[frac % DIGITS_PER_WORD],
    )
}

/// A DECIMAL value, still in its binary form. [`fmt::Display`] prints it as MySQL does:
/// an optional `-`, the integer digits (at least `0`) and exactly `scale` fraction digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal<'a> {
    /// Total digits.
    pub precision: u8,
    /// Digits after the point.
    pub scale: u8,
    /// The `binary_size(precision, scale)` bytes of the value.
    pub bytes: &'a [u8],
}

impl Decimal<'_> {
    /// Whether the sign bit marks the value negative.
    pub fn is_negative(&self) -> bool {
        self.bytes.first().is_some_and(|b| b & 0x80 == 0)
    }

    /// Reads `n` bytes at `pos` as one big-endian group, undoing the sign transform.
    fn group(&self, pos: usize, n: usize) -> u32 {
        let mask = if self.is_negative() { 0xff } else { 0 };
        let mut v = 0u32;
        for i in pos..pos + n {
            let mut b = self.bytes.get(i).copied().unwrap_or(0) ^ mask;
            if i == 0 {
                b ^= 0x80;
            }
            v = (v << 8) | u32::from(b);
        }
        v
    }
}

impl Decimal<'_> {
    /// Appends the value as MySQL prints it.
    pub(crate) fn push_text(&self, out: &mut Vec<u8>) {
        let intg = usize::from(self.precision.saturating_sub(self.scale));
        let frac = usize::from(self.scale);
        let (intg0, intg_x) = (intg / DIGITS_PER_WORD, intg % DIGITS_PER_WORD);
        let (frac0, frac_x) = (frac / DIGITS_PER_WORD, frac % DIGITS_PER_WORD);
        if self.is_negative() {
            out.push(b'-');
        }
        // Integer part: leading partial group, then whole words; no leading zeros.
        let mut pos = 0;
        let mut started = false;
        let lead = DIG2BYTES[intg_x];
        if lead > 0 {
            let v = self.group(pos, lead);
            pos += lead;
            if v != 0 {
                push_u64(out, u64::from(v));
                started = true;
            }
        }
        for _ in 0..intg0 {
            let v = self.group(pos, 4);
            pos += 4;
            if started {
                push_padded_u32(out, v, DIGITS_PER_WORD);
            } else if v != 0 {
                push_u64(out, u64::from(v));
                started = true;
            }
        }
        if !started {
            out.push(b'0');
        }
        if frac == 0 {
            return;
        }
        out.push(b'.');
        for _ in 0..frac0 {
            push_padded_u32(out, self.group(pos, 4), DIGITS_PER_WORD);
            pos += 4;
        }
        if frac_x > 0 {
            let v = self.group(pos, DIG2BYTES[frac_x]);
            push_padded_u32(out, v, frac_x);
        }
    }
}

/// An optional `-`, the integer digits (at least `0`) and exactly `scale` fraction digits.
impl fmt::Display for Decimal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::with_capacity(usize::from(self.precision) + 3);
        self.push_text(&mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(precision: u8, scale: u8, bytes: &[u8]) -> String {
        assert_eq!(binary_size(precision, scale), Some(bytes.len()));
        Decimal {
            precision,
            scale,
            bytes,
        }
        .to_string()
    }

    /// The worked example in the comment above `decimal2bin` in MySQL's decimal.c:
    /// 1234567890.1234 as DECIMAL(14,4) is `81 0D FB 38 D2 04 D2`, and its negation
    /// is the same bytes inverted.
    #[test]
    fn mysql_documented_example() {
        let pos = [0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2];
        assert_eq!(show(14, 4, &pos), "1234567890.1234");
        let neg: Vec<u8> = pos.iter().map(|b| !b).collect();
        assert_eq!(show(14, 4, &neg), "-1234567890.1234");
    }

    #[test]
    fn sizes() {
        // decimal.c: DECIMAL(M,D) storage: 9 digits per 4 bytes, leftovers per table.
        assert_eq!(binary_size(10, 2), Some(5));
        assert_eq!(binary_size(65, 30), Some(30));
        assert_eq!(binary_size(1, 0), Some(1));
        assert_eq!(binary_size(18, 9), Some(8));
        assert_eq!(binary_size(2, 3), None);
    }

    #[test]
    fn edge_values() {
        // DECIMAL(10,2) 12345678.90: int 8 digits = 4 bytes, frac 2 digits = 1 byte.
        // 12345678 = 0x00BC614E, sign bit set on the first byte.
        assert_eq!(show(10, 2, &[0x80, 0xBC, 0x61, 0x4E, 90]), "12345678.90");
        // Zero keeps its scale.
        assert_eq!(show(10, 2, &[0x80, 0, 0, 0, 0]), "0.00");
        // -0.05 in DECIMAL(4,2): int 2 digits (1 byte) = 0, frac 5 -> inverted.
        assert_eq!(show(4, 2, &[!0x80, !5]), "-0.05");
        // DECIMAL(5,0) 99999: 3 bytes 0x01869F.
        assert_eq!(show(5, 0, &[0x81, 0x86, 0x9F]), "99999");
        // DECIMAL(20,10) 1.0000000001: int 10 digits = 1 byte + 1 word; frac 10 = 1 word
        // + 1 digit (1 byte).
        assert_eq!(
            show(20, 10, &[0x80, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
            "1.0000000001"
        );
        // Fraction-only DECIMAL(3,3) 0.5 -> "0.500".
        assert_eq!(show(3, 3, &[0x80 | 0x01, 0xF4]), "0.500");
    }
}
