//! Decimal digits appended straight to an output buffer: the hot path of row rendering
//! avoids `fmt` machinery for integers, dates and times.

/// Appends `v` in decimal.
pub(crate) fn push_u64(out: &mut Vec<u8>, v: u64) {
    push_padded(out, v, 1);
}

/// Appends `v` in decimal with a leading `-` when negative.
pub(crate) fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

/// Appends `v` zero-padded to at least `width` digits.
pub(crate) fn push_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    // itoa writes two digits per division; a row of dates and times is mostly this.
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(v).as_bytes();
    out.extend(std::iter::repeat_n(
        b'0',
        width.saturating_sub(digits.len()),
    ));
    out.extend_from_slice(digits);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl Fn(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn numbers() {
        assert_eq!(s(|o| push_u64(o, 0)), "0");
        assert_eq!(s(|o| push_u64(o, u64::MAX)), "18446744073709551615");
        assert_eq!(s(|o| push_i64(o, i64::MIN)), "-9223372036854775808");
        assert_eq!(s(|o| push_padded(o, 7, 3)), "007");
        assert_eq!(s(|o| push_padded(o, 12345, 2)), "12345");
        assert_eq!(s(|o| push_padded(o, 0, 0)), "0");
    }
}
