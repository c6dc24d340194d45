//! Wire primitives shared by table maps and rows events: packed lengths and bitmaps.

use nom::bytes::complete::take;
use nom::Parser;

use crate::binlog::wire::packed_int;
use crate::decode::{DecodeError, Parsed};

/// A packed integer used as a count or length of something still in `input`:
/// converted to `usize`, with the error labelled `what`.
pub(crate) fn packed_len<'a>(input: &'a [u8], what: &'static str) -> Parsed<'a, usize> {
    let (rest, n) = packed_int(input).map_err(|_| nom::Err::Error(DecodeError::at(input, what)))?;
    match usize::try_from(n) {
        Ok(n) => Ok((rest, n)),
        Err(_) => DecodeError::at(input, what).fail(),
    }
}

/// A packed length followed by that many bytes.
pub(crate) fn packed_bytes<'a>(input: &'a [u8], what: &'static str) -> Parsed<'a, &'a [u8]> {
    let (rest, n) = packed_len(input, what)?;
    take(n)
        .parse(rest)
        .map_err(|_: nom::Err<DecodeError>| nom::Err::Error(DecodeError::at(input, what)))
}

/// A 6-byte little-endian integer (table ids).
pub(crate) fn le_u48(input: &[u8]) -> Parsed<'_, u64> {
    take(6usize)
        .map(|b: &[u8]| b.iter().rev().fold(0u64, |v, &x| (v << 8) | u64::from(x)))
        .parse(input)
}

/// Bytes needed for a bitmap of `bits` bits.
pub(crate) fn bitmap_len(bits: usize) -> usize {
    bits.div_ceil(8)
}

/// Bit `i` of a little-endian-ordered bitmap (bit 0 = lowest bit of the first byte), as
/// rows events write column and null bitmaps. Bits past the end read as clear.
pub(crate) fn bit_lsb(bitmap: &[u8], i: usize) -> bool {
    bitmap.get(i / 8).is_some_and(|b| b & (1u8 << (i % 8)) != 0)
}

/// Bit `i` of a big-endian-ordered bitmap (bit 0 = highest bit of the first byte), as the
/// table map's optional metadata writes signedness and visibility.
pub(crate) fn bit_msb(bitmap: &[u8], i: usize) -> bool {
    bitmap
        .get(i / 8)
        .is_some_and(|b| b & (0x80u8 >> (i % 8)) != 0)
}

/// Number of set bits among the first `bits` bits of an LSB-ordered bitmap.
pub(crate) fn count_set(bitmap: &[u8], bits: usize) -> usize {
    let full = bits / 8;
    let mut n: usize = bitmap
        .iter()
        .take(full)
        .map(|b| b.count_ones() as usize)
        .sum();
    if bits % 8 != 0 {
        if let Some(b) = bitmap.get(full) {
            n += (b & ((1u8 << (bits % 8)) - 1)).count_ones() as usize;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_orders() {
        assert!(bit_lsb(&[0b0000_0101], 0));
        assert!(!bit_lsb(&[0b0000_0101], 1));
        assert!(bit_lsb(&[0, 0b1000_0000], 15));
        assert!(!bit_lsb(&[0xff], 8));
        assert!(bit_msb(&[0b1000_0000], 0));
        assert!(bit_msb(&[0b0010_0000], 2));
        assert_eq!(count_set(&[0xff, 0x0f], 10), 10);
        assert_eq!(count_set(&[0b101], 2), 1);
    }
}
