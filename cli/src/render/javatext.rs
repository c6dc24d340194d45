//! Java's text forms of values, as `thl list` prints them (spec 6.5, notes T and F).
//!
//! Dates use Java's hybrid calendar (Julian before 1582-10-15, Gregorian after) and are
//! computed in the display zone; floating point follows `Float/Double.toString`;
//! decimals follow `BigDecimal.toString`.

use std::fmt::Write;

use super::zone::Zone;

const MS_PER_DAY: i128 = 86_400_000;
/// Julian day number of 1970-01-01.
const JDN_UNIX_EPOCH: i128 = 2_440_588;
/// Julian day number of 1582-10-15, the first Gregorian day.
const JDN_GREGORIAN_START: i128 = 2_299_161;

/// Calendar fields of an instant in the display zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i128,
    month: i128,
    day: i128,
    hour: i128,
    minute: i128,
    second: i128,
}

fn civil(ms: i64, zone: &Zone) -> Civil {
    let local = i128::from(ms) + i128::from(zone.offset_ms(ms));
    let days = local.div_euclid(MS_PER_DAY);
    let ms_of_day = local.rem_euclid(MS_PER_DAY);
    let (year, month, day) = date_of_julian_day(days + JDN_UNIX_EPOCH);
    Civil {
        year,
        month,
        day,
        hour: ms_of_day / 3_600_000,
        minute: ms_of_day / 60_000 % 60,
        second: ms_of_day / 1000 % 60,
    }
}

/// Year, month, day of a Julian day number (Richards' algorithm, hybrid calendar).
fn date_of_julian_day(jdn: i128) -> (i128, i128, i128) {
    let mut f = jdn + 1401;
    if jdn >= JDN_GREGORIAN_START {
        f += ((4 * jdn + 274_277).div_euclid(146_097) * 3).div_euclid(4) - 38;
    }
    let e = 4 * f + 3;
    let g = e.rem_euclid(1461).div_euclid(4);
    let h = 5 * g + 2;
    let day = h.rem_euclid(153).div_euclid(5) + 1;
    let month = (h.div_euclid(153) + 2).rem_euclid(12) + 1;
    let year = e.div_euclid(1461) - 4716 + (14 - month).div_euclid(12);
    (year, month, day)
}

/// Nanoseconds of the second carried by the millisecond part of `ms`.
pub fn millis_as_nanos(ms: i64) -> u32 {
    // rem_euclid(1000) is in 0..1000, so the product fits.
    (ms.rem_euclid(1000) as u32) * 1_000_000
}

/// `java.sql.Timestamp.toString`: `yyyy-mm-dd hh:mm:ss.F`, F = `nanos` without trailing
/// zeros but at least one digit.
pub fn timestamp(ms: i64, nanos: u32, zone: &Zone) -> String {
    let mut text = datetime(ms, zone);
    let digits = format!("{nanos:09}");
    let trimmed = digits.trim_end_matches('0');
    text.push('.');
    text.push_str(if trimmed.is_empty() { "0" } else { trimmed });
    text
}

/// `yyyy-MM-dd HH:mm:ss` (DATETIME values, `info` file dates).
pub fn datetime(ms: i64, zone: &Zone) -> String {
    let c = civil(ms, zone);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `java.sql.Date.toString`: `yyyy-mm-dd`.
pub fn date(ms: i64, zone: &Zone) -> String {
    let c = civil(ms, zone);
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// `java.sql.Time.toString`: `hh:mm:ss`.
pub fn time(ms: i64, zone: &Zone) -> String {
    let c = civil(ms, zone);
    format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
}

/// `Float.toString`.
pub fn float(x: f32) -> String {
    if x.is_nan() || x.is_infinite() || x == 0.0 {
        return special(f64::from(x));
    }
    java_digits(&format!("{x:e}"), &format!("{x:.1e}"))
}

/// `Double.toString`.
pub fn double(x: f64) -> String {
    if x.is_nan() || x.is_infinite() || x == 0.0 {
        return special(x);
    }
    java_digits(&format!("{x:e}"), &format!("{x:.1e}"))
}

fn special(x: f64) -> String {
    match x {
        x if x.is_nan() => "NaN".into(),
        f64::INFINITY => "Infinity".into(),
        f64::NEG_INFINITY => "-Infinity".into(),
        x if x.is_sign_negative() => "-0.0".into(),
        _ => "0.0".into(),
    }
}

/// Lays out Rust's shortest round-trip digits (`shortest`, in `{:e}` form) the Java way.
/// Java never uses fewer than two significant digits: when the shortest form has one,
/// the closest two-digit decimal (`two_digits`, `{:.1e}`) is used instead.
fn java_digits(shortest: &str, two_digits: &str) -> String {
    let (negative, digits, exp) = split_exp(shortest);
    let (negative, digits, exp) = if digits.len() == 1 {
        split_exp(two_digits)
    } else {
        (negative, digits, exp)
    };
    let sign = if negative { "-" } else { "" };
    if (-3..7).contains(&exp) {
        let (int, frac) = if exp >= 0 {
            let split = usize::try_from(exp).unwrap_or(0) + 1;
            let padded = format!("{digits:0<split$}");
            let (int, frac) = padded.split_at(split);
            (int.to_string(), frac.to_string())
        } else {
            let zeros = "0".repeat(usize::try_from(-exp - 1).unwrap_or(0));
            ("0".to_string(), format!("{zeros}{digits}"))
        };
        let frac = frac.trim_end_matches('0');
        format!("{sign}{int}.{}", if frac.is_empty() { "0" } else { frac })
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = rest.trim_end_matches('0');
        format!(
            "{sign}{first}.{}E{exp}",
            if rest.is_empty() { "0" } else { rest }
        )
    }
}

/// `-1.2345e-5` -> (true, "12345", -5).
fn split_exp(text: &str) -> (bool, String, i32) {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (negative, digits, exp.parse().unwrap_or(0))
}

/// Longest unscaled value printed as a number; MySQL DECIMAL needs at most 30 bytes.
/// Longer (damaged) values are shown in hex rather than converted in quadratic time.
const MAX_DECIMAL_BYTES: usize = 256;

/// `BigDecimal.toString` of `unscaled` (big-endian two's complement) × 10^-`scale`.
pub fn big_decimal(unscaled: &[u8], scale: i32) -> String {
    if unscaled.len() > MAX_DECIMAL_BYTES {
        let mut hex = String::from("0x");
        for b in unscaled {
            let _ = write!(hex, "{b:02x}");
        }
        return format!("{hex}E-{scale}");
    }
    let negative = unscaled.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude = if negative {
        negate(unscaled)
    } else {
        unscaled.to_vec()
    };
    let coefficient = decimal_digits(&magnitude);
    let sign = if negative { "-" } else { "" };
    let len = i64::try_from(coefficient.len()).unwrap_or(i64::MAX);
    let scale = i64::from(scale);
    let adjusted = len - 1 - scale;
    if scale >= 0 && adjusted >= -6 {
        let point = usize::try_from(len - scale).unwrap_or(0);
        if scale == 0 {
            format!("{sign}{coefficient}")
        } else if len > scale {
            let (int, frac) = coefficient.split_at(point);
            format!("{sign}{int}.{frac}")
        } else {
            let zeros = "0".repeat(usize::try_from(scale - len).unwrap_or(0));
            format!("{sign}0.{zeros}{coefficient}")
        }
    } else {
        let (first, rest) = coefficient.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let exp_sign = if adjusted >= 0 { "+" } else { "" };
        format!("{sign}{first}{point}{rest}E{exp_sign}{adjusted}")
    }
}

/// Two's-complement negation of a big-endian number (magnitude of a negative value).
fn negate(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = bytes.iter().map(|b| !b).collect();
    for b in out.iter_mut().rev() {
        let (sum, carry) = b.overflowing_add(1);
        *b = sum;
        if !carry {
            break;
        }
    }
    // The magnitude of the most negative value needs one more bit than the input.
    if bytes.first().is_some_and(|&b| b == 0x80) && bytes.iter().skip(1).all(|&b| b == 0) {
        out.insert(0, 0);
    }
    out
}

/// Decimal digits of an unsigned big-endian number ("0" when empty or zero).
fn decimal_digits(bytes: &[u8]) -> String {
    // Base 10^9 limbs, least significant first.
    let mut limbs: Vec<u32> = Vec::new();
    for &byte in bytes {
        let mut carry = u64::from(byte);
        for limb in limbs.iter_mut() {
            let v = u64::from(*limb) * 256 + carry;
            *limb = (v % 1_000_000_000) as u32;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push((carry % 1_000_000_000) as u32);
            carry /= 1_000_000_000;
        }
    }
    let mut text = match limbs.last() {
        Some(top) => top.to_string(),
        None => return "0".into(),
    };
    for limb in limbs.iter().rev().skip(1) {
        let _ = write!(text, "{limb:09}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> Zone {
        Zone::utc()
    }

    #[test]
    fn timestamp_text_note_t() {
        // 2.2.1 fixture seqno 0: sourceTstamp 1420849937000 is 2015-01-10 00:32:17 UTC.
        assert_eq!(
            timestamp(1_420_849_937_000, 0, &utc()),
            "2015-01-10 00:32:17.0"
        );
        assert_eq!(
            timestamp(1_420_070_401_123, 123_456_789, &utc()),
            "2015-01-01 00:00:01.123456789"
        );
        assert_eq!(timestamp(0, 500_000_000, &utc()), "1970-01-01 00:00:00.5");
        assert_eq!(timestamp(0, 10_000_000, &utc()), "1970-01-01 00:00:00.01");
        // Negative instants floor; the Julian calendar applies before 1582-10-15.
        assert_eq!(
            timestamp(-1, millis_as_nanos(-1), &utc()),
            "1969-12-31 23:59:59.999"
        );
        assert_eq!(
            timestamp(-62_135_769_600_000, 0, &utc()),
            "0001-01-01 00:00:00.0"
        );
        assert_eq!(date(-12_219_292_800_000, &utc()), "1582-10-15");
        assert_eq!(date(-12_219_292_800_001, &utc()), "1582-10-04");
    }

    #[test]
    fn dates_and_times_in_the_display_zone() {
        // '11:12:13' extracted at UTC-8 is stored as 19:12:13 UTC (fixture README).
        let stored = (19 * 3600 + 12 * 60 + 13) * 1000;
        assert_eq!(time(stored, &utc()), "19:12:13");
        let (la, _) = Zone::named("America/Los_Angeles");
        assert_eq!(time(stored, &la), "11:12:13");
        assert_eq!(date(1_391_126_400_000, &utc()), "2014-01-31");
        assert_eq!(datetime(1_391_045_402_000, &utc()), "2014-01-30 01:30:02");
    }

    #[test]
    fn floating_point_note_f() {
        assert_eq!(float(1.0e10), "1.0E10");
        assert_eq!(double(1.0e-5), "1.0E-5");
        assert_eq!(double(10.55), "10.55");
        assert_eq!(float(500.11), "500.11");
        assert_eq!(double(0.001), "0.001");
        assert_eq!(double(9_999_999.0), "9999999.0");
        assert_eq!(double(9.9e-4), "9.9E-4");
        assert_eq!(double(100.0), "100.0");
        assert_eq!(double(-0.0), "-0.0");
        assert_eq!(double(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(float(f32::NAN), "NaN");
        assert_eq!(float(f32::from_bits(1)), "1.4E-45");
        assert_eq!(double(f64::from_bits(1)), "4.9E-324");
        assert_eq!(double(1.0e7), "1.0E7");
    }

    #[test]
    fn big_decimal_text() {
        // 10.50000: unscaled 1050000 = 0x10 0x05 0x90, scale 5.
        assert_eq!(big_decimal(&[0x10, 0x05, 0x90], 5), "10.50000");
        // -12.345: unscaled -12345 = 0xCF 0xC7, scale 3.
        assert_eq!(big_decimal(&[0xcf, 0xc7], 3), "-12.345");
        assert_eq!(big_decimal(&[0x01], 10), "1E-10");
        assert_eq!(big_decimal(&[0x7b], -2), "1.23E+4");
        assert_eq!(big_decimal(&[0x05], 3), "0.005");
        assert_eq!(big_decimal(&[], 0), "0");
        assert_eq!(big_decimal(&[0x80], 0), "-128");
        assert_eq!(
            big_decimal(&[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0),
            "2361183241434822606847"
        );
    }
}
