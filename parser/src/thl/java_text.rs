//! Text forms the Java `thl` tool prints (spec 6.5 notes T and F, 6.6, 13), as pure
//! functions writing into any [`fmt::Write`]. The library never prints: the `replog-render`
//! crate composes these into `thl list`'s listings.
//!
//! Time zones are the caller's business: every function takes the display zone's
//! offset from UTC *at that instant*, in milliseconds (0 for Tungsten's default, UTC).
//!
//! ```
//! use replog::thl::java_text;
//! let mut s = String::new();
//! java_text::timestamp(&mut s, 1_420_849_937_000, 0, 0).unwrap();
//! assert_eq!(s, "2015-01-10 00:32:17.0");
//! s.clear();
//! java_text::java_double(&mut s, 1.0e-5).unwrap();
//! assert_eq!(s, "1.0E-5");
//! s.clear();
//! java_text::big_decimal(&mut s, &[0xCF, 0xC7], 3).unwrap(); // -12345, scale 3
//! assert_eq!(s, "-12.345");
//! ```

use std::fmt::{self, Write};

const MILLIS_PER_DAY: i64 = 86_400_000;
/// Julian day number of 1970-01-01.
const JDN_UNIX_EPOCH: i64 = 2_440_588;
/// Julian day number of 1582-10-15, the first Gregorian day of Java's calendar.
const JDN_GREGORIAN_CUTOVER: i64 = 2_299_161;

/// Calendar fields of an instant in Java's hybrid calendar (Julian before 1582-10-15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year (astronomical numbering: 0 is 1 BC).
    pub year: i64,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of month, 1..=31.
    pub day: u8,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=59.
    pub second: u8,
    /// Nanoseconds of the second: the millisecond fraction plus any extra nanoseconds.
    pub nanos: u32,
}

impl Civil {
    /// Fields of Java time `millis` (+ `extra_nanos` beyond the millisecond) in a zone
    /// `offset_millis` from UTC. Negative instants floor (-1 ms is 23:59:59.999).
    // Inline (like `text` and `date_of_day`) into the callers in other crates, which
    // write text for every temporal value: called, the fields went through memory and
    // `text` read them back four at a time, stalling on the stores it waited for.
    #[inline]
    pub fn from_millis(millis: i64, extra_nanos: i32, offset_millis: i64) -> Civil {
        let local = millis.saturating_add(offset_millis);
        let days = local.div_euclid(MILLIS_PER_DAY);
        let in_day = local.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = date_of_day(days);
        // Below a day's 86,400,000: 32-bit divisions are cheaper.
        let in_day = in_day as u32;
        let seconds = in_day / 1000;
        let nanos = i64::from(in_day % 1000) * 1_000_000 + i64::from(extra_nanos);
        Civil {
            year,
            month,
            day,
            hour: (seconds / 3600) as u8,
            minute: (seconds / 60 % 60) as u8,
            second: (seconds % 60) as u8,
            nanos: nanos.clamp(0, 999_999_999) as u32,
        }
    }

    /// `yyyy-mm-dd`. Like Java, years before 1 AD print as the year of their era without
    /// any era marker (astronomical year 0 is `0001`).
    pub fn write_date(&self, out: &mut impl Write) -> fmt::Result {
        self.write_text(out, &self.text(), DATE_END)
    }

    /// `hh:mm:ss`.
    pub fn write_time(&self, out: &mut impl Write) -> fmt::Result {
        out.write_str(ascii(&self.text().0[TIME_START..DATE_TIME_END]))
    }

    /// `yyyy-mm-dd hh:mm:ss`: [`Civil::write_date`], a space, [`Civil::write_time`].
    pub fn write_date_time(&self, out: &mut impl Write) -> fmt::Result {
        self.write_text(out, &self.text(), DATE_TIME_END)
    }

    /// The year of the era, which Java prints without an era marker.
    fn year_of_era(&self) -> i64 {
        if self.year > 0 {
            self.year
        } else {
            1 - self.year
        }
    }

    /// `yyyy-mm-dd hh:mm:ss.nnnnnnnnn` as ASCII (the year's digits only for years of
    /// four digits at most): built on the stack and written in one piece, since
    /// listings print one for every record and temporal value, and a `write_char`
    /// per digit (or the formatting machinery) cost more than the calendar arithmetic.
    #[inline]
    fn text(&self) -> AlignedText {
        let mut text = *b"0000-00-00 00:00:00.000000000";
        let mut two_digits = |at: usize, n: u32| {
            let pair = n as usize % 100 * 2;
            text[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        };
        if let Ok(year @ 0..=9999) = u32::try_from(self.year_of_era()) {
            two_digits(0, year / 100);
            two_digits(2, year);
        }
        two_digits(5, u32::from(self.month));
        two_digits(8, u32::from(self.day));
        two_digits(TIME_START, u32::from(self.hour));
        two_digits(TIME_START + 3, u32::from(self.minute));
        two_digits(TIME_START + 6, u32::from(self.second));
        // Most instants are whole seconds or milliseconds.
        if self.nanos != 0 {
            two_digits(FRACTION_START + 1, self.nanos / 1_000_000);
            two_digits(FRACTION_START + 3, self.nanos / 10_000);
            two_digits(FRACTION_START + 5, self.nanos / 100);
            two_digits(FRACTION_START + 7, self.nanos);
            text[FRACTION_START] = b'0' + (self.nanos / 100_000_000 % 10) as u8;
        }
        AlignedText(text)
    }

    /// `text` (this instant's [`Civil::text`]) up to `end`, with the year in full if it
    /// has more than four digits.
    fn write_text(&self, out: &mut impl Write, text: &AlignedText, end: usize) -> fmt::Result {
        let text = &text.0;
        match self.year_of_era() {
            0..=9999 => out.write_str(ascii(&text[..end])),
            year => {
                write!(out, "{year}")?;
                out.write_str(ascii(&text[4..end]))
            }
        }
    }
}

/// [`Civil::text`]'s bytes, aligned so that `str::from_utf8` checks them a word at a
/// time from the first.
#[repr(align(8))]
struct AlignedText([u8; TEXT_LEN]);

/// Length of [`Civil::text`], and where its parts end or start.
const TEXT_LEN: usize = 29;
const DATE_END: usize = 10;
const TIME_START: usize = 11;
const DATE_TIME_END: usize = 19;
const FRACTION_START: usize = 20;

/// "00", "01", ... "99": the text of a number below 100 at twice its value.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Text of ASCII bytes (all [`Civil::text`] holds).
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// Days from 1970-01-01 to 1582-10-15, the first Gregorian day of Java's calendar.
const GREGORIAN_CUTOVER_DAY: i64 = JDN_GREGORIAN_CUTOVER - JDN_UNIX_EPOCH;

/// Year, month, day of the day `days` after 1970-01-01 in Java's calendar.
#[inline]
fn date_of_day(days: i64) -> (i64, u8, u8) {
    if days >= GREGORIAN_CUTOVER_DAY {
        gregorian_date(days)
    } else {
        julian_date(days + JDN_UNIX_EPOCH)
    }
}

/// Year, month, day of a day from the Gregorian cutover on, in unsigned arithmetic:
/// nearly every date printed takes this path, and floor divisions cost more.
///
/// Years are counted from March, so that the leap day ends the year: days since
/// 0000-03-01 split into 400-year cycles of 146,097 days, the day of the cycle into
/// its year (365 days, one more every 4 years but not every 100, except the 400th),
/// and the day of that year into months whose lengths repeat 31, 30, 31, 30, 31
/// from March (153 days every 5 months).
fn gregorian_date(days: i64) -> (i64, u8, u8) {
    /// Days from 0000-03-01 to 1970-01-01.
    const MARCH_0000_TO_EPOCH: i64 = 719_468;
    // From the cutover on, the sum is positive.
    let from_march_0000 = (days + MARCH_0000_TO_EPOCH) as u64;
    let cycle = from_march_0000 / 146_097;
    let day_of_cycle = from_march_0000 % 146_097;
    // Whole years of 365 days once the leap days before the day are taken out: one
    // per 1,460 days (four years), none per 36,524 (a century's years), and the
    // 400th year's, before the cycle's last day (146,096).
    let year_of_cycle =
        (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36_524 - day_of_cycle / 146_096) / 365;
    let day_of_year =
        day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let (month, year_after) = if month_from_march < 10 {
        (month_from_march + 3, 0)
    } else {
        (month_from_march - 9, 1)
    };
    let year = (400 * cycle + year_of_cycle + year_after) as i64;
    (year, month as u8, day as u8)
}

/// Year, month, day of a Julian day number in the Julian calendar (Richards'
/// algorithm, with floor division so it holds for early dates too).
fn julian_date(jdn: i64) -> (i64, u8, u8) {
    let f = jdn + 1401;
    let e = 4 * f + 3;
    let g = e.rem_euclid(1461).div_euclid(4);
    let h = 5 * g + 2;
    let day = h.rem_euclid(153).div_euclid(5) + 1;
    let month = (h.div_euclid(153) + 2).rem_euclid(12) + 1;
    let year = e.div_euclid(1461) - 4716 + (14 - month).div_euclid(12);
    (year, month as u8, day as u8)
}

/// The Julian day number of a calendar date as Java's default calendar reads its
/// fields: Gregorian from 1582-10-15, Julian before, and lenient about month 0 (the
/// previous December) and day 0 (the previous month's last day).
pub fn jdn_from_date(year: i64, month: u8, day: u8) -> i64 {
    let (year, month) = if month == 0 {
        (year - 1, 12)
    } else {
        (year, i64::from(month))
    };
    let a = (14 - month) / 12;
    let y = year + 4800 - a;
    let m = month + 12 * a - 3;
    let base = (153 * m + 2) / 5 + 365 * y + y.div_euclid(4);
    let day = i64::from(day);
    let gregorian = day + base - y.div_euclid(100) + y.div_euclid(400) - 32045;
    if gregorian >= JDN_GREGORIAN_CUTOVER {
        gregorian
    } else {
        day + base - 32083
    }
}

/// Java milliseconds of a wall-clock time read as UTC, with [`jdn_from_date`]'s
/// calendar: what a JVM running in UTC stores for a DATE or DATETIME.
pub fn millis_from_civil(year: i64, month: u8, day: u8, seconds_of_day: i64) -> i64 {
    (jdn_from_date(year, month, day) - JDN_UNIX_EPOCH) * MILLIS_PER_DAY + seconds_of_day * 1000
}

/// Java `Timestamp.toString`: `yyyy-mm-dd hh:mm:ss.F`, F = nanoseconds with trailing
/// zeros removed but at least one digit (`.0`, `.5`, `.123456789`).
pub fn timestamp(
    out: &mut impl Write,
    millis: i64,
    extra_nanos: i32,
    offset_millis: i64,
) -> fmt::Result {
    let c = Civil::from_millis(millis, extra_nanos, offset_millis);
    // Trailing zeros of the nanoseconds dropped; `.0` for none.
    let text = c.text();
    let fraction = text.0[FRACTION_START..]
        .iter()
        .rposition(|&d| d != b'0')
        .map_or(1, |last| last + 1);
    c.write_text(out, &text, FRACTION_START + fraction)
}

/// Java `Float.toString` (JDK 19 and later).
pub fn java_float(out: &mut impl Write, x: f32) -> fmt::Result {
    if x.is_nan() || x.is_infinite() || x == 0.0 {
        return special(out, f64::from(x));
    }
    let m = x.abs();
    if x < 0.0 {
        out.write_char('-')?;
    }
    let shortest = &mut zmij::Buffer::new();
    let shortest = shortest.format_finite(m);
    if is_plain(f64::from(m)) {
        return out.write_str(shortest);
    }
    let mut digits = Digits::of_text(shortest);
    if digits.len < 2 {
        digits = Digits::of_text(&sized(format_args!("{m:.1e}")));
    }
    scientific(out, &digits)
}

/// Java `Double.toString` (JDK 19 and later; older JDKs print a few values longer).
pub fn java_double(out: &mut impl Write, x: f64) -> fmt::Result {
    if x.is_nan() || x.is_infinite() || x == 0.0 {
        return special(out, x);
    }
    let m = x.abs();
    if x < 0.0 {
        out.write_char('-')?;
    }
    let shortest = &mut zmij::Buffer::new();
    let shortest = shortest.format_finite(m);
    if is_plain(m) {
        return out.write_str(shortest);
    }
    let mut digits = Digits::of_text(shortest);
    if digits.len < 2 {
        digits = Digits::of_text(&sized(format_args!("{m:.1e}")));
    }
    scientific(out, &digits)
}

/// Whether Java writes a magnitude without an exponent: from 10^-3 to below 10^7.
///
/// `zmij` writes those the same way (its digits with the point in place, `.0` after an
/// integer, `0.00` before a fraction below 0.01), so its text is Java's as it stands.
/// Java's two-digit rule changes nothing here either: the closest two digits differ
/// from the one digit and a zero only for a value at least half a unit of the second
/// digit away from that digit, farther than any normal number's spacing.
fn is_plain(magnitude: f64) -> bool {
    (1e-3..1e7).contains(&magnitude)
}

/// The significant digits of a positive decimal and the power of ten of the first.
///
/// Java prints the shortest digit string that reads back as the same number, and among
/// those the one closest to the exact binary value, ties to an even last digit; with a
/// single digit it takes the closest two-digit string instead. `zmij` (Schubfach, the
/// algorithm the JDK itself uses since 19) gives exactly the first choice; the
/// two-digit case is the exact rounding `{:.1e}`. (Rust's own `{:e}` breaks such ties
/// upwards, so it cannot stand in for either.)
#[derive(Debug, Clone, Copy)]
struct Digits {
    /// ASCII digits, the first nonzero and the last nonzero (`0` alone for zero).
    ascii: [u8; 24],
    len: usize,
    /// Power of ten of the first digit.
    exp: i32,
}

impl Digits {
    /// Reads `123.45`, `0.00012`, `1.5e+300`, `1e-5` or `1.0e-5`.
    fn of_text(text: &str) -> Digits {
        let (mantissa, exp) = match text.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().unwrap_or(0)),
            None => (text, 0),
        };
        let mut digits = Digits {
            ascii: [b'0'; 24],
            len: 0,
            exp: 0,
        };
        // Digits before the point, leading zeros not counted.
        let mut before_point = 0i32;
        let mut seen_point = false;
        for &b in mantissa.as_bytes() {
            match b {
                b'.' => seen_point = true,
                b'0' if digits.len == 0 => before_point -= i32::from(seen_point),
                b'0'..=b'9' if digits.len < digits.ascii.len() => {
                    digits.ascii[digits.len] = b;
                    digits.len += 1;
                    before_point += i32::from(!seen_point);
                }
                _ => {}
            }
        }
        while digits.len > 1 && digits.ascii[digits.len - 1] == b'0' {
            digits.len -= 1;
        }
        digits.len = digits.len.max(1);
        digits.exp = before_point - 1 + exp;
        digits
    }

    fn text(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.ascii[..self.len]).unwrap_or("0")
    }
}

/// `args` as a string allocated once: `format!` starts small and grows (reallocating)
/// while the digits are written. 32 bytes hold any `{:e}` form of an f64 with up to 17
/// digits.
fn sized(args: fmt::Arguments<'_>) -> String {
    let mut text = String::with_capacity(32);
    let _ = text.write_fmt(args);
    text
}

fn special(out: &mut impl Write, x: f64) -> fmt::Result {
    out.write_str(if x.is_nan() {
        "NaN"
    } else if x == f64::INFINITY {
        "Infinity"
    } else if x == f64::NEG_INFINITY {
        "-Infinity"
    } else if x.is_sign_negative() {
        "-0.0"
    } else {
        "0.0"
    })
}

/// Lays out the digits in Java's computerized scientific notation (`1.0E-5`, `1.2E10`):
/// one fraction digit at least.
fn scientific(out: &mut impl Write, d: &Digits) -> fmt::Result {
    let (first, rest) = d.text().split_at(1);
    out.write_str(first)?;
    out.write_char('.')?;
    out.write_str(if rest.is_empty() { "0" } else { rest })?;
    write!(out, "E{}", d.exp)
}

/// Longest unscaled value [`big_decimal`] renders (about 9,800 digits).
pub const MAX_DECIMAL_BYTES: usize = 4096;

/// Java `BigDecimal.toString` of an unscaled big-endian two's-complement integer and a
/// scale: plain (`10.50000`, `-12.345`) unless the scale is negative or the adjusted
/// exponent is below -6 (`1E-10`, `1.23E+4`). Empty bytes mean 0.
pub fn big_decimal(out: &mut impl Write, unscaled: &[u8], scale: i32) -> fmt::Result {
    // Most column decimals fit in 128 bits (up to 38 digits): one native conversion,
    // without allocating, instead of the long division of `decimal_digits`.
    if let Some(value) = small_unscaled(unscaled) {
        let mut digits = itoa::Buffer::new();
        // Up to 19 digits in 64 bits, without the 128-bit divisions.
        let magnitude = value.unsigned_abs();
        let digits = match u64::try_from(magnitude) {
            Ok(magnitude) => digits.format(magnitude),
            Err(_) => digits.format(magnitude),
        };
        return decimal_layout(out, value < 0, digits, scale);
    }
    // Base conversion is quadratic in the length: a damaged record could hold a
    // "number" of a billion bytes. SQL decimals have at most 65 digits (28 bytes).
    if unscaled.len() > MAX_DECIMAL_BYTES {
        return write!(
            out,
            "<decimal of {} bytes, longer than {MAX_DECIMAL_BYTES}: not rendered>",
            unscaled.len()
        );
    }
    let negative = unscaled.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude = if negative {
        twos_complement_negate(unscaled)
    } else {
        unscaled.to_vec()
    };
    decimal_layout(out, negative, &decimal_digits(&magnitude), scale)
}

/// A big-endian two's-complement integer of at most 16 bytes (empty: 0).
fn small_unscaled(unscaled: &[u8]) -> Option<i128> {
    if unscaled.len() > 16 {
        return None;
    }
    let sign_fill = if unscaled.first().is_some_and(|b| b & 0x80 != 0) {
        0xFF
    } else {
        0
    };
    let mut bytes = [sign_fill; 16];
    bytes[16 - unscaled.len()..].copy_from_slice(unscaled);
    Some(i128::from_be_bytes(bytes))
}

/// `BigDecimal.toString`'s layout of the unscaled value's decimal `digits` and a scale.
fn decimal_layout(out: &mut impl Write, negative: bool, digits: &str, scale: i32) -> fmt::Result {
    if negative {
        out.write_char('-')?;
    }
    let len = digits.len() as i64;
    let scale = i64::from(scale);
    let adjusted = -scale + (len - 1);
    if scale >= 0 && adjusted >= -6 {
        if scale == 0 {
            out.write_str(digits)
        } else if len > scale {
            let (int, frac) = digits.split_at((len - scale) as usize);
            out.write_str(int)?;
            out.write_char('.')?;
            out.write_str(frac)
        } else {
            out.write_str("0.")?;
            for _ in len..scale {
                out.write_char('0')?;
            }
            out.write_str(digits)
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.write_str(first)?;
        if !rest.is_empty() {
            write!(out, ".{rest}")?;
        }
        write!(out, "E{}{adjusted}", if adjusted >= 0 { "+" } else { "" })
    }
}

fn twos_complement_negate(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = bytes.iter().map(|b| !b).collect();
    for b in out.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            break;
        }
    }
    // -2^(8n-1) negates to itself; its magnitude needs one more (zero) leading byte.
    if out.first().is_some_and(|b| b & 0x80 != 0) {
        out.insert(0, 0);
    }
    out
}

/// Decimal digits of an unsigned big-endian integer ("0" for none).
fn decimal_digits(magnitude: &[u8]) -> String {
    let mut n: Vec<u8> = magnitude.iter().copied().skip_while(|&b| b == 0).collect();
    let mut chunks = Vec::new();
    while !n.is_empty() {
        let mut rem = 0u64;
        for b in n.iter_mut() {
            let cur = (rem << 8) | u64::from(*b);
            *b = (cur / 1_000_000_000) as u8;
            rem = cur % 1_000_000_000;
        }
        chunks.push(rem);
        let lead = n.iter().take_while(|&&b| b == 0).count();
        n.drain(..lead);
    }
    let mut s = chunks
        .pop()
        .map_or_else(|| "0".to_string(), |c| c.to_string());
    for c in chunks.iter().rev() {
        let _ = write!(s, "{c:09}");
    }
    s
}

/// The `java.sql.Types` name of a type code, as `thl list -specs` shows it in brackets.
pub fn sql_type_name(code: i32) -> Option<&'static str> {
    Some(match code {
        -7 => "BIT",
        -6 => "TINYINT",
        -5 => "BIGINT",
        -4 => "LONGVARBINARY",
        -3 => "VARBINARY",
        -2 => "BINARY",
        -1 => "LONGVARCHAR",
        0 => "NULL",
        1 => "CHAR",
        2 => "NUMERIC",
        3 => "DECIMAL",
        4 => "INTEGER",
        5 => "SMALLINT",
        6 => "FLOAT",
        7 => "REAL",
        8 => "DOUBLE",
        12 => "VARCHAR",
        16 => "BOOLEAN",
        70 => "DATALINK",
        91 => "DATE",
        92 => "TIME",
        93 => "TIMESTAMP",
        1111 => "OTHER",
        2000 => "JAVA_OBJECT",
        2001 => "DISTINCT",
        2002 => "STRUCT",
        2003 => "ARRAY",
        2004 => "BLOB",
        2005 => "CLOB",
        2006 => "REF",
        2009 => "SQLXML",
        2011 => "NCLOB",
        2012 => "REF_CURSOR",
        2013 => "TIME_WITH_TIMEZONE",
        2014 => "TIMESTAMP_WITH_TIMEZONE",
        -8 => "ROWID",
        -15 => "NCHAR",
        -9 => "NVARCHAR",
        -16 => "LONGNVARCHAR",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(millis: i64, nanos: i32) -> String {
        let mut s = String::new();
        timestamp(&mut s, millis, nanos, 0).unwrap();
        s
    }

    fn dbl(x: f64) -> String {
        let mut s = String::new();
        java_double(&mut s, x).unwrap();
        s
    }

    fn flt(x: f32) -> String {
        let mut s = String::new();
        java_float(&mut s, x).unwrap();
        s
    }

    fn dec(unscaled: &[u8], scale: i32) -> String {
        let mut s = String::new();
        big_decimal(&mut s, unscaled, scale).unwrap();
        s
    }

    #[test]
    fn timestamps_from_the_spec() {
        // Spec 3.1 / 13.2: sourceTstamp 1420849937000 shows as 2015-01-10 00:32:17.0.
        assert_eq!(ts(1_420_849_937_000, 0), "2015-01-10 00:32:17.0");
        // Note T: Julian before 1582, floor for negatives, trimmed nanos.
        assert_eq!(ts(-62_135_769_600_000, 0), "0001-01-01 00:00:00.0");
        assert_eq!(ts(-1, 0), "1969-12-31 23:59:59.999");
        assert_eq!(
            ts(1_420_070_401_123, 456_789),
            "2015-01-01 00:00:01.123456789"
        );
        assert_eq!(ts(10, 0), "1970-01-01 00:00:00.01");
    }

    #[test]
    fn civil_fields_round_trip_through_java_millis() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2014, 1, 31),
            (1582, 10, 15),
            (1582, 10, 4),
            (1, 1, 1),
            (9999, 12, 31),
        ] {
            let ms = millis_from_civil(y, m, d, 3600);
            let c = Civil::from_millis(ms, 0, 0);
            assert_eq!((c.year, c.month, c.day, c.hour), (y, m, d, 1));
        }
        assert_eq!(millis_from_civil(1970, 1, 1, 0), 0);
        assert_eq!(millis_from_civil(1, 1, 1, 0), -62135769600000);
        assert_eq!(
            millis_from_civil(2014, 2, 0, 0),
            millis_from_civil(2014, 1, 31, 0)
        );
        assert_eq!(
            millis_from_civil(2014, 0, 1, 0),
            millis_from_civil(2013, 12, 1, 0)
        );
    }

    #[test]
    fn gregorian_dates_follow_one_another_and_round_trip() {
        // From the cutover through year 12,000, and the last days Java time reaches.
        let last = i64::MAX / MILLIS_PER_DAY;
        let days =
            (GREGORIAN_CUTOVER_DAY..GREGORIAN_CUTOVER_DAY + 3_900_000).chain(last - 800..=last);
        let mut previous: Option<(i64, (i64, u8, u8))> = None;
        for day in days {
            let (year, month, day_of_month) = gregorian_date(day);
            assert!((1..=12).contains(&month) && (1..=31).contains(&day_of_month));
            assert_eq!(
                jdn_from_date(year, month, day_of_month) - JDN_UNIX_EPOCH,
                day,
                "{year}-{month}-{day_of_month}"
            );
            // The next day of the month, else the 1st of the next month or year.
            if let Some((before, (y, m, d))) = previous.filter(|(before, _)| *before == day - 1) {
                let next = [(y, m, d + 1), (y, m + 1, 1), (y + 1, 1, 1)];
                assert!(
                    next.contains(&(year, month, day_of_month)),
                    "after day {before}"
                );
            }
            previous = Some((day, (year, month, day_of_month)));
        }
        assert_eq!(gregorian_date(GREGORIAN_CUTOVER_DAY), (1582, 10, 15));
        assert_eq!(gregorian_date(0), (1970, 1, 1));
        assert_eq!(gregorian_date(11_016), (2000, 2, 29));
    }

    #[test]
    fn years_of_more_than_four_digits_print_in_full() {
        let ms = millis_from_civil(12_345, 6, 7, 3_723);
        assert_eq!(ts(ms, 5_000), "12345-06-07 01:02:03.000005");
        let c = Civil::from_millis(ms, 0, 0);
        let mut text = String::new();
        c.write_date(&mut text).unwrap();
        text.push('|');
        c.write_date_time(&mut text).unwrap();
        text.push('|');
        c.write_time(&mut text).unwrap();
        assert_eq!(text, "12345-06-07|12345-06-07 01:02:03|01:02:03");
    }

    #[test]
    fn gregorian_cutover() {
        // 1582-10-15 (Gregorian) follows 1582-10-04 (Julian) in Java's calendar.
        let oct15 = -12_219_292_800_000;
        assert_eq!(ts(oct15, 0), "1582-10-15 00:00:00.0");
        assert_eq!(ts(oct15 - MILLIS_PER_DAY, 0), "1582-10-04 00:00:00.0");
    }

    #[test]
    fn doubles_and_floats_from_the_spec() {
        assert_eq!(dbl(1.0e-5), "1.0E-5");
        assert_eq!(dbl(10.55), "10.55");
        assert_eq!(dbl(0.001), "0.001");
        assert_eq!(dbl(9_999_999.0), "9999999.0");
        assert_eq!(dbl(9.9e-4), "9.9E-4");
        assert_eq!(dbl(f64::from_bits(1)), "4.9E-324");
        assert_eq!(dbl(1.0e23), "1.0E23");
        assert_eq!(dbl(-0.0), "-0.0");
        assert_eq!(dbl(500.11), "500.11");
        assert_eq!(dbl(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(flt(1.0e10), "1.0E10");
        assert_eq!(flt(f32::from_bits(1)), "1.4E-45");
        assert_eq!(flt(10.55), "10.55");
        assert_eq!(flt(f32::NAN), "NaN");
    }

    /// Java's digits by their definition: the shortest length that reads back, the
    /// exact rounding to it (half to even) when that reads back, else Rust's shortest
    /// (the only other candidate of that length); two digits when one would do.
    macro_rules! java_digits_by_definition {
        ($m:expr, $t:ty) => {{
            let m: $t = $m;
            let shortest = format!("{m:e}");
            let (mantissa, _) = shortest.split_once('e').unwrap();
            let len = mantissa.chars().filter(char::is_ascii_digit).count();
            if len <= 1 {
                Digits::of_text(&format!("{m:.1e}"))
            } else {
                let rounded = format!("{m:.prec$e}", prec = len - 1);
                Digits::of_text(if rounded.parse::<$t>() == Ok(m) {
                    &rounded
                } else {
                    &shortest
                })
            }
        }};
    }

    /// Java's layout of digits: plain from 10^-3 to below 10^7 (`0.00123`, `1230.0`),
    /// computerized scientific notation otherwise.
    fn layout_by_rule(out: &mut String, magnitude: f64, d: &Digits) {
        if !(1e-3..1e7).contains(&magnitude) {
            return scientific(out, d).unwrap();
        }
        let digits = d.text();
        if d.exp >= 0 {
            let int_len = d.exp as usize + 1;
            out.extend(digits.chars().chain(std::iter::repeat('0')).take(int_len));
            let fraction = digits.get(int_len..).unwrap_or("");
            out.push('.');
            out.push_str(if fraction.is_empty() { "0" } else { fraction });
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-d.exp - 1) as usize));
            out.push_str(digits);
        }
    }

    #[test]
    fn plain_numbers_are_the_definitions_digits_laid_out_by_the_rule() {
        // Random significands at every binary exponent of the plain range, the
        // range's edges and round numbers.
        let mut bits: u64 = 0x2545_F491_4F6C_DD1D;
        let mut doubles = vec![1e-3, 1e7, 0.1, 0.5, 1.0, 100.0, 9_999_999.0, 123_456.7];
        let mut floats = vec![1e-3_f32, 1e7, 0.1, 0.5, 1.0, 100.0, 9_999_999.0, 123_456.7];
        for n in 1..2000 {
            doubles.push(f64::from(n) / 8.0);
            floats.push(n as f32 / 8.0);
        }
        for _ in 0..200_000 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            let exponent = 1013 + bits % 34; // 2^-10 .. 2^23
            doubles.push(f64::from_bits(exponent << 52 | bits >> 12));
            let exponent = 117 + (bits >> 40) as u32 % 34;
            floats.push(f32::from_bits(exponent << 23 | bits as u32 >> 9));
        }
        let edges = [1e-3_f64, 1e7];
        for edge in edges {
            let up = f64::from_bits(edge.to_bits() + 1);
            let down = f64::from_bits(edge.to_bits() - 1);
            doubles.extend([up, down]);
            let edge = edge as f32;
            floats.extend([
                f32::from_bits(edge.to_bits() + 1),
                f32::from_bits(edge.to_bits() - 1),
            ]);
        }
        for m in doubles {
            let mut expected = String::from("-");
            layout_by_rule(&mut expected, m, &java_digits_by_definition!(m, f64));
            assert_eq!(dbl(-m), expected, "{m:e}");
        }
        for m in floats {
            let mut expected = String::from("-");
            layout_by_rule(
                &mut expected,
                f64::from(m),
                &java_digits_by_definition!(m, f32),
            );
            assert_eq!(flt(-m), expected, "{m:e}");
        }
    }

    #[test]
    fn shortest_digits_break_ties_to_even_as_java_does() {
        // 2^50 + 1/4 lies exactly between ...624.2 and ...624.3: Java (and Schubfach)
        // take the even digit, Rust's `{:?}` the upper one.
        let two_to_50 = (1u64 << 50) as f64;
        assert_eq!(dbl(two_to_50 + 0.25), "1.1258999068426242E15");
        assert_eq!(dbl(two_to_50 + 1.25), "1.1258999068426252E15");
        assert_eq!(flt(312_985.12), "312985.12");
        // Random bit patterns: the text the definition's digits give.
        let mut bits: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            // The text of the definition's digits, laid out as the functions do.
            let mut expected = String::new();
            let m = f64::from_bits(bits).abs();
            if m.is_finite() && m != 0.0 {
                layout_by_rule(&mut expected, m, &java_digits_by_definition!(m, f64));
                assert_eq!(dbl(m), expected, "{m:e}");
            }
            expected.clear();
            let m = f32::from_bits(bits as u32).abs();
            if m.is_finite() && m != 0.0 {
                let digits = java_digits_by_definition!(m, f32);
                layout_by_rule(&mut expected, f64::from(m), &digits);
                assert_eq!(flt(m), expected, "{m:e}");
            }
        }
    }

    #[test]
    fn digits_are_read_from_every_text_form() {
        for (text, digits, exp) in [
            ("123.45", "12345", 2),
            ("0.00012", "12", -4),
            ("1.5e+300", "15", 300),
            ("1e-5", "1", -5),
            ("1.0e-5", "1", -5),
            ("100.0", "1", 2),
            ("5e-324", "5", -324),
        ] {
            let d = Digits::of_text(text);
            assert_eq!((d.text(), d.exp), (digits, exp), "{text}");
        }
    }

    #[test]
    fn decimals_from_the_spec() {
        // 1050000 scale 5 = 10.50000
        assert_eq!(dec(&[0x10, 0x05, 0x90], 5), "10.50000");
        assert_eq!(dec(&[0xCF, 0xC7], 3), "-12.345");
        assert_eq!(dec(&[1], 10), "1E-10");
        assert_eq!(dec(&[123], -2), "1.23E+4");
        assert_eq!(dec(&[], 0), "0");
        assert_eq!(dec(&[0x80], 0), "-128");
        assert_eq!(dec(&[5], 7), "5E-7");
        assert_eq!(dec(&[5], 6), "0.000005");
    }

    #[test]
    fn decimals_of_128_bits_and_longer_agree() {
        // 16 bytes take the native path, longer ones the long division: at the edge,
        // the same value stored one byte longer (sign-extended) prints the same.
        for value in [i128::MIN, i128::MIN + 1, -1, 0, 1, i128::MAX] {
            let short = value.to_be_bytes();
            let fill = if value < 0 { 0xFF } else { 0 };
            let long: Vec<u8> = std::iter::once(fill).chain(short).collect();
            for scale in [0, 3, 40, -2] {
                assert_eq!(
                    dec(&short, scale),
                    dec(&long, scale),
                    "{value} scale {scale}"
                );
            }
        }
        // Either side of 64 bits, where the magnitude's digits change width.
        for value in [
            u64::MAX as i128,
            u64::MAX as i128 + 1,
            -(u64::MAX as i128) - 1,
        ] {
            assert_eq!(dec(&value.to_be_bytes(), 0), value.to_string());
            assert_eq!(dec(&value.to_be_bytes()[7..], 0), value.to_string());
        }
        assert_eq!(dec(&i128::MIN.to_be_bytes(), 0), i128::MIN.to_string());
        assert_eq!(
            dec(&i128::MAX.to_be_bytes(), 2),
            "1701411834604692317316873037158841057.27"
        );
    }

    #[test]
    fn type_names() {
        assert_eq!(sql_type_name(12), Some("VARCHAR"));
        assert_eq!(sql_type_name(-7), Some("BIT"));
        assert_eq!(sql_type_name(42), None);
    }
}
