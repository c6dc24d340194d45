//! Little-endian wire primitives shared by the event decoders (nom parsers).

use nom::bytes::complete::take_till;
use nom::number::complete::{le_u16, le_u24, le_u32, le_u64, le_u8};
use nom::Parser;

use crate::decode::{DecodeError, Parsed};

/// Exactly `n` bytes. (A plain split: this is the hottest primitive.)
#[inline]
pub(crate) fn bytes(i: &[u8], n: usize) -> Parsed<'_, &[u8]> {
    match i.split_at_checked(n) {
        Some((taken, rest)) => Ok((rest, taken)),
        None => DecodeError::at(i, "more bytes").fail(),
    }
}

/// A fixed-width field holding a NUL-padded string: the bytes before the first NUL.
pub(crate) fn padded_str(i: &[u8], width: usize) -> Parsed<'_, &[u8]> {
    let (rest, field) = bytes(i, width)?;
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    Ok((rest, &field[..end]))
}

/// A NUL-terminated string; the NUL is consumed, not returned.
pub(crate) fn cstr(i: &[u8]) -> Parsed<'_, &[u8]> {
    let (rest, s) = take_till(|b| b == 0).parse(i)?;
    match rest.split_first() {
        Some((_, after)) => Ok((after, s)),
        None => DecodeError::at(rest, "a NUL-terminated string").fail(),
    }
}

/// A string preceded by a one-byte length.
pub(crate) fn str_u8(i: &[u8]) -> Parsed<'_, &[u8]> {
    let (i, n) = le_u8(i)?;
    bytes(i, usize::from(n))
}

/// A string preceded by a four-byte length.
pub(crate) fn str_u32(i: &[u8]) -> Parsed<'_, &[u8]> {
    let (i, n) = le_u32(i)?;
    bytes(i, usize::try_from(n).unwrap_or(usize::MAX))
}

/// A 7-byte little-endian integer (commit timestamps).
pub(crate) fn le_u56(i: &[u8]) -> Parsed<'_, u64> {
    let (i, b) = bytes(i, 7)?;
    let mut v = [0u8; 8];
    v[..7].copy_from_slice(b);
    Ok((i, u64::from_le_bytes(v)))
}

/// MySQL's packed integer (`net_field_length_ll`): one byte below 251, otherwise a
/// marker (252: 2 bytes, 253: 3 bytes, 254: 8 bytes) and that many little-endian bytes.
/// 251 (SQL NULL in the client protocol) and 255 are not valid in a binlog.
pub(crate) fn packed_int(i: &[u8]) -> Parsed<'_, u64> {
    let (rest, first) = le_u8(i)?;
    match first {
        0..=250 => Ok((rest, u64::from(first))),
        252 => le_u16(rest).map(|(r, v)| (r, u64::from(v))),
        253 => le_u24(rest).map(|(r, v)| (r, u64::from(v))),
        254 => le_u64(rest),
        _ => DecodeError::at(i, "a packed integer (its first byte is never 251 or 255)").fail(),
    }
}

/// The variable-length unsigned integer of MySQL's serialization library (tagged GTIDs,
/// tags in PREVIOUS_GTIDS): the number of trailing one bits of the first byte is the
/// number of bytes that follow; the value is the little-endian whole shifted right by
/// that count plus one. A first byte of 0xff means eight full bytes follow.
pub(crate) fn varlen_uint(i: &[u8]) -> Parsed<'_, u64> {
    let Some(&first) = i.first() else {
        return DecodeError::at(i, "a variable-length integer").fail();
    };
    let extra = first.trailing_ones() as usize;
    let (rest, raw) = bytes(i, extra + 1)?;
    if extra == 8 {
        let mut v = [0u8; 8];
        v.copy_from_slice(&raw[1..]);
        return Ok((rest, u64::from_le_bytes(v)));
    }
    let mut v = [0u8; 8];
    v[..raw.len()].copy_from_slice(raw);
    Ok((rest, u64::from_le_bytes(v) >> (extra + 1)))
}

/// The signed (zig-zag) form of [`varlen_uint`]: the lowest bit is the sign.
pub(crate) fn varlen_int(i: &[u8]) -> Parsed<'_, i64> {
    let (rest, u) = varlen_uint(i)?;
    let magnitude = (u >> 1) as i64;
    Ok((
        rest,
        if u & 1 == 1 {
            -magnitude - 1
        } else {
            magnitude
        },
    ))
}

/// The bytes after a type's declared post-header, where the variable part begins.
/// `fixed` is how much of the post-header the decoder already read.
pub(crate) fn skip_post_header_rest(
    i: &[u8],
    post_header_len: usize,
    fixed: usize,
) -> Parsed<'_, ()> {
    let (i, _) = bytes(i, post_header_len.saturating_sub(fixed))?;
    Ok((i, ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a decoder given `input` failed, and what it expected there.
    fn failure<T: std::fmt::Debug>(input: &[u8], result: Parsed<'_, T>) -> (usize, &'static str) {
        match result {
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => e.located(input),
            other => panic!("expected a decoding failure, found {other:?}"),
        }
    }

    #[test]
    fn packed_ints() {
        assert_eq!(packed_int(&[250]).unwrap().1, 250);
        assert_eq!(packed_int(&[252, 0x34, 0x12]).unwrap().1, 0x1234);
        assert_eq!(packed_int(&[253, 1, 2, 3]).unwrap().1, 0x030201);
        assert_eq!(
            packed_int(&[254, 1, 0, 0, 0, 0, 0, 0, 1]).unwrap().1,
            0x0100_0000_0000_0001
        );
        assert_eq!(
            packed_int(&[254, 1, 0, 0, 0, 0, 0, 0, 0x80]).unwrap().1,
            0x8000_0000_0000_0001
        );
        assert_eq!(
            failure(&[251], packed_int(&[251])),
            (0, "a packed integer (its first byte is never 251 or 255)")
        );
        assert_eq!(
            failure(&[255], packed_int(&[255])),
            (0, "a packed integer (its first byte is never 251 or 255)")
        );
        // The two bytes after 252 are cut short at the second.
        assert_eq!(failure(&[252, 1], packed_int(&[252, 1])), (1, "more bytes"));
        assert_eq!(failure(&[254, 1], packed_int(&[254, 1])), (1, "more bytes"));
    }

    #[test]
    fn serialization_varlen() {
        // One byte: value << 1. 0x78 = 60, 0x0a = 5.
        assert_eq!(varlen_uint(&[0x78]).unwrap().1, 60);
        assert_eq!(varlen_uint(&[0x0a]).unwrap().1, 5);
        // Two bytes: one trailing one bit; 0x0225 >> 2 = 0x89.
        assert_eq!(varlen_uint(&[0x25, 0x02]).unwrap().1, 0x89);
        // Nine bytes.
        let mut nine = vec![0xff];
        nine.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(varlen_uint(&nine).unwrap().1, u64::MAX);
        // A trailing one bit announces a second byte.
        assert_eq!(failure(&[0x01], varlen_uint(&[0x01])), (0, "more bytes"));
        // Zig-zag: 6 is +3, 3 is -2 (one-byte encodings 0x0c and 0x06).
        assert_eq!(varlen_int(&[0x0c]).unwrap().1, 3);
        assert_eq!(varlen_int(&[0x06]).unwrap().1, -2);
    }

    #[test]
    fn strings() {
        assert_eq!(cstr(b"ab\0c").unwrap(), (&b"c"[..], &b"ab"[..]));
        assert_eq!(failure(b"ab", cstr(b"ab")), (2, "a NUL-terminated string"));
        assert_eq!(
            padded_str(b"5.0\0\0x", 5).unwrap(),
            (&b"x"[..], &b"5.0"[..])
        );
    }
}
