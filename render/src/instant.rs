//! Java's text forms of instants in the display zone. The calendar arithmetic and the
//! Java layouts are the library's ([`replog::thl::java_text`]); this adds the zone, whose
//! offset depends on the instant.
//!
//! The `push_*` forms append to a caller's buffer: a listing renders millions of values,
//! and one reused line buffer spares an allocation per value.

use replog::thl::java_text::{self, Civil};

use crate::zone::Zone;

/// `java.sql.Timestamp.toString`: `yyyy-mm-dd hh:mm:ss.F`.
pub fn timestamp(ms: i64, extra_nanos: i32, zone: &Zone) -> String {
    let mut text = String::new();
    push_timestamp(&mut text, ms, extra_nanos, zone);
    text
}

/// Appends [`timestamp`]'s text.
pub fn push_timestamp(text: &mut String, ms: i64, extra_nanos: i32, zone: &Zone) {
    let _ = java_text::timestamp(text, ms, extra_nanos, zone.offset_ms(ms));
}

/// `yyyy-MM-dd HH:mm:ss` (DATETIME values, `info` file dates); also the nanoseconds of
/// the second.
pub fn datetime(ms: i64, extra_nanos: i32, zone: &Zone) -> (String, u32) {
    let mut text = String::new();
    let nanos = push_datetime(&mut text, ms, extra_nanos, zone);
    (text, nanos)
}

/// Appends [`datetime`]'s text; returns the nanoseconds of the second.
pub fn push_datetime(text: &mut String, ms: i64, extra_nanos: i32, zone: &Zone) -> u32 {
    let civil = Civil::from_millis(ms, extra_nanos, zone.offset_ms(ms));
    let _ = civil.write_date_time(text);
    civil.nanos
}

/// Appends `java.sql.Date.toString`: `yyyy-mm-dd`.
pub fn push_date(text: &mut String, ms: i64, zone: &Zone) {
    let _ = Civil::from_millis(ms, 0, zone.offset_ms(ms)).write_date(text);
}

/// Appends `java.sql.Time.toString`: `hh:mm:ss`.
pub fn push_time(text: &mut String, ms: i64, zone: &Zone) {
    let _ = Civil::from_millis(ms, 0, zone.offset_ms(ms)).write_time(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(ms: i64, zone: &Zone) -> String {
        let mut text = String::new();
        push_date(&mut text, ms, zone);
        text
    }

    fn time(ms: i64, zone: &Zone) -> String {
        let mut text = String::new();
        push_time(&mut text, ms, zone);
        text
    }

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
