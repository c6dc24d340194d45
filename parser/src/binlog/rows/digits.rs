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

/// Writes the last `digits.len()` decimal digits of `v` into `digits`, zero-padded:
/// fixed-width fields (dates, clocks, fractions) are built in place and appended once.
pub(crate) fn fill_digits(digits: &mut [u8], mut v: u32) {
    for d in digits.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// Appends `v` zero-padded to at least `width` digits, as [`push_padded`] does, with
/// one copy when `v` fits in `width` (at most 9) digits: DECIMAL groups of digits.
pub(crate) fn push_padded_u32(out: &mut Vec<u8>, v: u32, width: usize) {
    const LIMITS: [u32; 10] = [
        1,
        10,
        100,
        1_000,
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        100_000_000,
        1_000_000_000,
    ];
    match LIMITS.get(width) {
        Some(&limit) if width > 0 && v < limit => {
            let mut text = [0u8; 9];
            fill_digits(&mut text[..width], v);
            out.extend_from_slice(&text[..width]);
        }
        _ => push_padded(out, u64::from(v), width),
    }
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
        for (v, width) in [(0, 0), (0, 1), (7, 3), (999_999_999, 9), (12345, 2), (5, 9)] {
            assert_eq!(
                s(|o| push_padded_u32(o, v, width)),
                s(|o| push_padded(o, u64::from(v), width)),
                "{v} in {width}"
            );
        }
        let mut field = *b"xxxx";
        fill_digits(&mut field, 42);
        assert_eq!(&field, b"0042");
        fill_digits(&mut field[1..], 9876);
        assert_eq!(&field, b"0876");
    }
}
