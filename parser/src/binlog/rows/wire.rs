//! Wire primitives shared by table maps and rows events: packed integers and bitmaps.

use nom::bytes::complete::take;
use nom::number::complete::{le_u16, le_u24, le_u64, u8 as byte};
use nom::Parser;

use crate::decode::{DecodeError, Parsed};

/// A length-encoded ("packed") integer: one byte below 251, else a marker byte
/// (252, 253, 254) followed by 2, 3 or 8 little-endian bytes. 251 (SQL NULL in the
/// client protocol) and 255 are not valid here.
pub(crate) fn packed_int(input: &[u8]) -> Parsed<'_, u64> {
    let (rest, first) = byte(input)?;
    match first {
        0..=250 => Ok((rest, u64::from(first))),
        252 => le_u16.map(u64::from).parse(rest),
        253 => le_u24.map(u64::from).parse(rest),
        254 => le_u64(rest),
        _ => DecodeError::at(
            input,
            "a packed integer (its first byte is never 251 or 255)",
        )
        .fail(),
    }
}

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
    fn packed_int_widths() {
        assert_eq!(packed_int(&[250]).unwrap().1, 250);
        assert_eq!(packed_int(&[252, 0x34, 0x12]).unwrap().1, 0x1234);
        assert_eq!(packed_int(&[253, 1, 2, 3]).unwrap().1, 0x030201);
        assert_eq!(
            packed_int(&[254, 1, 0, 0, 0, 0, 0, 0, 0x80]).unwrap().1,
            0x8000_0000_0000_0001
        );
        assert!(packed_int(&[251]).is_err());
        assert!(packed_int(&[255]).is_err());
        assert!(packed_int(&[252, 1]).is_err());
    }

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
