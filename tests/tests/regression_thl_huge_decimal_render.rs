//! Regression (resource audit): `thl list` renders DECIMAL values with
//! `replog::thl::java_text::big_decimal`, whose base conversion takes time quadratic in the
//! number's length. A damaged or hostile record may hold an "unscaled value" of up to a
//! billion bytes, which would keep `thl` busy for years. Values longer than any SQL
//! decimal (65 digits) by a wide margin are now named instead of converted.

use std::time::{Duration, Instant};

use replog::thl::java_text::{big_decimal, MAX_DECIMAL_BYTES};

fn render(unscaled: &[u8], scale: i32) -> String {
    let mut s = String::new();
    big_decimal(&mut s, unscaled, scale).unwrap();
    s
}

#[test]
fn a_huge_unscaled_value_is_named_not_converted() {
    let huge = vec![0x7f; 16 << 20];
    let start = Instant::now();
    let text = render(&huge, 2);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(
        text,
        format!(
            "<decimal of {} bytes, longer than 4096: not rendered>",
            16 << 20
        )
    );
}

#[test]
fn the_longest_rendered_value_still_converts() {
    // 10^k as big-endian bytes: the limit itself renders in full (Java's toString of
    // an integer-valued BigDecimal with scale 0 is its digits).
    let mut value = vec![0u8; MAX_DECIMAL_BYTES];
    value[0] = 0x01; // 2^(8*4095): a positive number of 9,862 digits
    let text = render(&value, 0);
    assert_eq!(text.len(), 9862);
    // 2^32760 ends in ...6 (powers of two ending in 6 when the exponent is a multiple of 4).
    assert!(text.ends_with('6'), "{}", &text[text.len() - 5..]);
    assert_eq!(render(&[0x30, 0x39], 2), "123.45");
}
