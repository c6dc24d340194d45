//! Java's text forms of instants in the display zone. The calendar arithmetic and the
//! Java layouts are the library's (`replog::thl::render`); this adds the zone, whose
//! offset depends on the instant.

use std::fmt::Write;

use replog::thl::render::{self, Civil};

use super::zone::Zone;

/// `java.sql.Timestamp.toString`: `yyyy-mm-dd hh:mm:ss.F`.
pub fn timestamp(ms: i64, extra_nanos: i32, zone: &Zone) -> String {
    let mut text = String::new();
    let _ = render::timestamp(&mut text, ms, extra_nanos, zone.offset_ms(ms));
    text
}

/// `yyyy-MM-dd HH:mm:ss` (DATETIME values, `info` file dates); also the nanoseconds of
/// the second.
pub fn datetime(ms: i64, extra_nanos: i32, zone: &Zone) -> (String, u32) {
    let civil = Civil::from_millis(ms, extra_nanos, zone.offset_ms(ms));
    let mut text = String::new();
    let _ = civil.write_date(&mut text);
    text.push(' ');
    let _ = civil.write_time(&mut text);
    (text, civil.nanos)
}

/// `java.sql.Date.toString`: `yyyy-mm-dd`.
pub fn date(ms: i64, zone: &Zone) -> String {
    let mut text = String::new();
    let _ = Civil::from_millis(ms, 0, zone.offset_ms(ms)).write_date(&mut text);
    text
}

/// `java.sql.Time.toString`: `hh:mm:ss`.
pub fn time(ms: i64, zone: &Zone) -> String {
    let mut text = String::new();
    let _ = Civil::from_millis(ms, 0, zone.offset_ms(ms)).write_time(&mut text);
    text
}

/// Java's `Float.toString`.
pub fn float(x: f32) -> String {
    let mut text = String::new();
    let _ = render::java_float(&mut text, x);
    text
}

/// Java's `Double.toString`.
pub fn double(x: f64) -> String {
    let mut text = String::new();
    let _ = render::java_double(&mut text, x);
    text
}

/// Java's `BigDecimal.toString`.
pub fn big_decimal(unscaled: &[u8], scale: i32) -> String {
    let mut text = String::new();
    let _ = render::big_decimal(&mut text, unscaled, scale);
    text
}

/// Appends `.` and nine digits of nanoseconds (DATETIME values in DATE columns).
pub fn push_nanos(text: &mut String, nanos: u32) {
    let _ = write!(text, ".{nanos:09}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_in_the_display_zone() {
        // '11:12:13' extracted at UTC-8 is stored as 19:12:13 UTC (fixture README 1).
        let stored = (19 * 3600 + 12 * 60 + 13) * 1000;
        assert_eq!(time(stored, &Zone::utc()), "19:12:13");
        let (la, _) = Zone::named("America/Los_Angeles");
        assert_eq!(time(stored, &la), "11:12:13");
        // 2.2.1 seqno 0: 1420849937000 ms is 2015-01-10 00:32:17 UTC (spec 3.1).
        assert_eq!(
            timestamp(1_420_849_937_000, 0, &Zone::utc()),
            "2015-01-10 00:32:17.0"
        );
        assert_eq!(
            timestamp(1_420_849_937_000, 0, &la),
            "2015-01-09 16:32:17.0"
        );
        assert_eq!(date(1_420_849_937_000, &la), "2015-01-09");
        let (text, nanos) = datetime(1_420_074_123_500, 0, &Zone::utc());
        assert_eq!((text.as_str(), nanos), ("2015-01-01 01:02:03", 500_000_000));
    }
}
