//! Date and time values: the pre-5.6.4 layouts and the packed big-endian TIME2,
//! DATETIME2 and TIMESTAMP2 layouts with fractional seconds (MySQL `my_time.cc`).

use std::fmt;

use super::digits::{fill_digits, push_padded, push_u64};

/// A DATE (`0000-00-00` is a legal zero date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    /// Year, 0-9999.
    pub year: u16,
    /// Month, 0-12.
    pub month: u8,
    /// Day, 0-31.
    pub day: u8,
}

/// A TIME: a signed duration up to 838:59:59.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time {
    /// Whether the duration is negative.
    pub negative: bool,
    /// Hours (may exceed 24).
    pub hours: u32,
    /// Minutes.
    pub minutes: u8,
    /// Seconds.
    pub seconds: u8,
    /// Microseconds.
    pub micros: u32,
    /// Fraction digits to print (the column's precision).
    pub fsp: u8,
}

/// A DATETIME (no time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// The date part.
    pub date: Date,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Microseconds.
    pub micros: u32,
    /// Fraction digits to print.
    pub fsp: u8,
}

/// A TIMESTAMP: seconds since the Unix epoch (UTC), as the binlog stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// Whole seconds since 1970-01-01 00:00:00 UTC (0 = the zero timestamp).
    pub seconds: u32,
    /// Microseconds.
    pub micros: u32,
    /// Fraction digits to print.
    pub fsp: u8,
}

/// Appends `.` and the first `fsp` digits of the microseconds (nothing for fsp 0).
fn push_fraction(out: &mut Vec<u8>, micros: u32, fsp: u8) {
    if fsp == 0 {
        return;
    }
    let digits = u32::from(fsp.min(6));
    let scaled = (micros % 1_000_000) / 10u32.pow(6 - digits);
    let mut text = *b".000000";
    let end = 1 + digits as usize;
    fill_digits(&mut text[1..end], scaled);
    out.extend_from_slice(&text[..end]);
}

impl Date {
    /// Appends `YYYY-MM-DD`.
    pub(crate) fn push_text(&self, out: &mut Vec<u8>) {
        if self.year <= 9999 && self.month < 100 && self.day < 100 {
            // Every valid date: the fields fill a fixed layout, appended at once.
            let mut text = *b"0000-00-00";
            fill_digits(&mut text[..4], u32::from(self.year));
            fill_digits(&mut text[5..7], u32::from(self.month));
            fill_digits(&mut text[8..], u32::from(self.day));
            out.extend_from_slice(&text);
            return;
        }
        push_padded(out, u64::from(self.year), 4);
        out.push(b'-');
        push_padded(out, u64::from(self.month), 2);
        out.push(b'-');
        push_padded(out, u64::from(self.day), 2);
    }
}

/// Appends `HH:MM:SS` (hours take more digits when they need them: TIME goes to 838).
fn push_clock(out: &mut Vec<u8>, hours: u32, minutes: u8, seconds: u8) {
    if hours < 100 && minutes < 100 && seconds < 100 {
        let mut text = *b"00:00:00";
        fill_digits(&mut text[..2], hours);
        fill_digits(&mut text[3..5], u32::from(minutes));
        fill_digits(&mut text[6..], u32::from(seconds));
        out.extend_from_slice(&text);
        return;
    }
    push_padded(out, u64::from(hours), 2);
    out.push(b':');
    push_padded(out, u64::from(minutes), 2);
    out.push(b':');
    push_padded(out, u64::from(seconds), 2);
}

impl Time {
    /// Appends `[-]HH:MM:SS[.fraction]`.
    pub(crate) fn push_text(&self, out: &mut Vec<u8>) {
        if self.negative {
            out.push(b'-');
        }
        push_clock(out, self.hours, self.minutes, self.seconds);
        push_fraction(out, self.micros, self.fsp);
    }
}

impl DateTime {
    /// Appends `YYYY-MM-DD HH:MM:SS[.fraction]`.
    pub(crate) fn push_text(&self, out: &mut Vec<u8>) {
        self.date.push_text(out);
        out.push(b' ');
        push_clock(out, u32::from(self.hour), self.minute, self.second);
        push_fraction(out, self.micros, self.fsp);
    }
}

impl Timestamp {
    /// Appends `seconds[.fraction]`.
    pub(crate) fn push_text(&self, out: &mut Vec<u8>) {
        push_u64(out, u64::from(self.seconds));
        push_fraction(out, self.micros, self.fsp);
    }
}

/// `Display` through the byte renderers (which only emit ASCII).
macro_rules! display_via_push_text {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut out = Vec::with_capacity(32);
                self.push_text(&mut out);
                f.write_str(&String::from_utf8_lossy(&out))
            }
        }
    )*};
}

display_via_push_text!(Date, Time, DateTime, Timestamp);

/// Bytes of fractional seconds stored after a TIME2/DATETIME2/TIMESTAMP2 for `fsp`.
pub(crate) fn fraction_len(fsp: u8) -> Option<usize> {
    (fsp <= 6).then(|| usize::from(fsp).div_ceil(2))
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |v, &b| (v << 8) | u64::from(b))
}

/// Big-endian two's-complement integer of 1-8 bytes.
fn be_signed(bytes: &[u8]) -> i64 {
    let bits = 64 - 8 * bytes.len() as u32;
    ((be(bytes) << bits) as i64) >> bits
}

/// DATE / NEWDATE: 3 little-endian bytes, `year << 9 | month << 5 | day`.
pub(crate) fn date(v: u32) -> Date {
    Date {
        year: (v >> 9) as u16,
        month: ((v >> 5) & 15) as u8,
        day: (v & 31) as u8,
    }
}

/// Pre-5.6.4 TIME: signed `hh * 10000 + mm * 100 + ss` in 3 bytes.
pub(crate) fn time_v1(v: i32) -> Time {
    let a = v.unsigned_abs();
    Time {
        negative: v < 0,
        hours: a / 10000,
        minutes: (a / 100 % 100) as u8,
        seconds: (a % 100) as u8,
        micros: 0,
        fsp: 0,
    }
}

/// Pre-5.6.4 DATETIME: `YYYYMMDDhhmmss` as a little-endian 8-byte integer.
pub(crate) fn datetime_v1(v: u64) -> DateTime {
    let (d, t) = (v / 1_000_000, v % 1_000_000);
    DateTime {
        date: Date {
            year: (d / 10000 % 10000) as u16,
            month: (d / 100 % 100) as u8,
            day: (d % 100) as u8,
        },
        hour: (t / 10000) as u8,
        minute: (t / 100 % 100) as u8,
        second: (t % 100) as u8,
        micros: 0,
        fsp: 0,
    }
}

/// The fraction bytes of a TIME2/DATETIME2 as a signed count of microseconds.
fn signed_fraction(frac: &[u8]) -> i64 {
    match frac.len() {
        0 => 0,
        1 => be_signed(frac) * 10_000,
        2 => be_signed(frac) * 100,
        _ => be_signed(frac),
    }
}

/// DATETIME2: 5 bytes big-endian `sign(1) year*13+month(17) day(5) hour(5) minute(6)
/// second(6)` offset by 2^39, then the fraction.
pub(crate) fn datetime2(int_part: &[u8], frac: &[u8], fsp: u8) -> DateTime {
    let int = be(int_part) as i64 - 0x80_0000_0000;
    // Wrapping: damaged bytes may overflow; valid ones never do.
    datetime_from_packed((int << 24).wrapping_add(signed_fraction(frac)), fsp)
}

/// MySQL's in-memory packed DATETIME (`(ymdhms << 24) + micros`), also the payload of
/// DATE/DATETIME/TIMESTAMP opaque values in binary JSON.
pub(crate) fn datetime_from_packed(packed: i64, fsp: u8) -> DateTime {
    let a = packed.unsigned_abs();
    let ymdhms = a >> 24;
    let ymd = ymdhms >> 17;
    let ym = ymd >> 5;
    let hms = ymdhms % (1 << 17);
    DateTime {
        date: Date {
            year: (ym / 13) as u16,
            month: (ym % 13) as u8,
            day: (ymd % 32) as u8,
        },
        hour: (hms >> 12) as u8,
        minute: ((hms >> 6) % 64) as u8,
        second: (hms % 64) as u8,
        micros: (a % (1 << 24)) as u32,
        fsp,
    }
}

/// MySQL's in-memory packed TIME (`±((hms << 24) + micros)`).
pub(crate) fn time_from_packed(packed: i64, fsp: u8) -> Time {
    let a = packed.unsigned_abs();
    let hms = a >> 24;
    Time {
        negative: packed < 0,
        hours: ((hms >> 12) % (1 << 10)) as u32,
        minutes: ((hms >> 6) % 64) as u8,
        seconds: (hms % 64) as u8,
        micros: (a % (1 << 24)) as u32,
        fsp,
    }
}

/// TIME2: 3 bytes big-endian `sign(1) unused(1) hour(10) minute(6) second(6)` offset by
/// 2^23, then the fraction. A negative value with a fraction borrows one second from
/// the integer part (`my_time_packed_from_binary`).
pub(crate) fn time2(int_part: &[u8], frac: &[u8], fsp: u8) -> Time {
    let packed = if frac.len() == 3 {
        // fsp 5-6: the six bytes form one integer offset by 2^47.
        let mut six = [0u8; 6];
        six[..3].copy_from_slice(int_part.get(..3).unwrap_or(&[0; 3]));
        six[3..].copy_from_slice(frac);
        be(&six) as i64 - 0x8000_0000_0000
    } else {
        let mut int = be(int_part) as i64 - 0x80_0000;
        // Unlike DATETIME2, the fraction is read unsigned here.
        let mut f = be(frac) as i64;
        if int < 0 && f != 0 {
            int += 1;
            f -= if frac.len() == 1 { 0x100 } else { 0x10000 };
        }
        let unit = if frac.len() == 1 { 10_000 } else { 100 };
        (int << 24) + f * unit
    };
    time_from_packed(packed, fsp)
}

/// TIMESTAMP2: 4 bytes big-endian seconds, then the fraction.
pub(crate) fn timestamp2(secs: &[u8], frac: &[u8], fsp: u8) -> Timestamp {
    let f = be(frac) as u32;
    let micros = match frac.len() {
        0 => 0,
        1 => f * 10_000,
        2 => f * 100,
        _ => f,
    };
    Timestamp {
        seconds: be(secs) as u32,
        micros,
        fsp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes a TIME2 the way MySQL's `my_time_packed_to_binary` does: the packed form
    /// `±((hms << 24) + micros)` split into an arithmetic-shift integer part and a
    /// C-style (truncating) remainder as the fraction.
    fn encode_time2(neg: bool, h: i64, m: i64, s: i64, micros: i64, fsp: u8) -> Vec<u8> {
        let hms = (h << 12) | (m << 6) | s;
        let mut packed = (hms << 24) + micros;
        if neg {
            packed = -packed;
        }
        let int = packed >> 24;
        let frac = packed % (1 << 24);
        let mut out = ((int + 0x80_0000) as u32).to_be_bytes()[1..].to_vec();
        match fsp {
            0 => {}
            1 | 2 => out.push((frac / 10_000) as i8 as u8),
            3 | 4 => out.extend_from_slice(&((frac / 100) as i16).to_be_bytes()),
            _ => out = ((packed + 0x8000_0000_0000) as u64).to_be_bytes()[2..].to_vec(),
        }
        out
    }

    fn time2_str(bytes: &[u8], fsp: u8) -> String {
        let n = fraction_len(fsp).unwrap();
        time2(&bytes[..3], &bytes[3..3 + n], fsp).to_string()
    }

    #[test]
    fn time2_signs_and_fractions() {
        for fsp in 0..=6u8 {
            let micros = [0, 500_000, 450_000, 456_000, 456_700, 456_780, 456_789][fsp as usize];
            let b = encode_time2(true, 838, 59, 59, micros, fsp);
            let frac = format!("{micros:06}");
            let tail = if fsp == 0 {
                String::new()
            } else {
                format!(".{}", &frac[..fsp as usize])
            };
            assert_eq!(time2_str(&b, fsp), format!("-838:59:59{tail}"), "fsp {fsp}");
            let b = encode_time2(false, 1, 2, 3, micros, fsp);
            assert_eq!(time2_str(&b, fsp), format!("01:02:03{tail}"), "fsp {fsp}");
        }
        assert_eq!(
            time2_str(&encode_time2(false, 0, 0, 0, 0, 0), 0),
            "00:00:00"
        );
    }

    #[test]
    fn datetime2_layout() {
        // 2014-01-30 01:30:02.123, fsp 3: ym = 2014*13+1.
        let ym: u64 = 2014 * 13 + 1;
        let v = (1u64 << 39) | (ym << 22) | (30 << 17) | (1 << 12) | (30 << 6) | 2;
        let int = &v.to_be_bytes()[3..];
        let frac = 1230i16.to_be_bytes();
        assert_eq!(
            datetime2(int, &frac, 3).to_string(),
            "2014-01-30 01:30:02.123"
        );
        // The zero datetime.
        let zero = (1u64 << 39).to_be_bytes();
        assert_eq!(
            datetime2(&zero[3..], &[], 0).to_string(),
            "0000-00-00 00:00:00"
        );
    }

    #[test]
    fn old_layouts_and_timestamps() {
        assert_eq!(date((2014 << 9) | (1 << 5) | 31).to_string(), "2014-01-31");
        assert_eq!(date(0).to_string(), "0000-00-00");
        assert_eq!(time_v1(-8385959).to_string(), "-838:59:59");
        assert_eq!(
            datetime_v1(20140130013002).to_string(),
            "2014-01-30 01:30:02"
        );
        let ts = timestamp2(&1_390_000_000u32.to_be_bytes(), &[0x01, 0xe2, 0x40], 6);
        assert_eq!(ts.to_string(), "1390000000.123456");
        let ts = timestamp2(&1u32.to_be_bytes(), &[12], 2);
        assert_eq!(ts.to_string(), "1.12");
        assert_eq!(fraction_len(7), None);
    }
}
