//! The display time zone: UTC unless `-timezone` names another one.

/// The zone every printed date and time is computed in.
#[derive(Debug, Clone)]
pub struct Zone(jiff::tz::TimeZone);

impl Zone {
    /// UTC, Tungsten's default for `thl`.
    pub fn utc() -> Zone {
        Zone(jiff::tz::TimeZone::UTC)
    }

    /// The zone named by `-timezone`, or UTC with Tungsten's warning when the name is
    /// neither a tz database name nor a Java custom id (`GMT+8`, `GMT-05:30`).
    pub fn named(name: &str) -> (Zone, Option<&'static str>) {
        if let Some(seconds) = java_custom_offset(name) {
            if let Ok(offset) = jiff::tz::Offset::from_seconds(seconds) {
                return (Zone(jiff::tz::TimeZone::fixed(offset)), None);
            }
        }
        match jiff::tz::TimeZone::get(name) {
            Ok(tz) => (Zone(tz), None),
            Err(_) => (
                Zone::utc(),
                Some(
                    "WARNING: Your time zone name does not match Java naming; using time zone: GMT",
                ),
            ),
        }
    }

    /// The zone's offset from UTC in milliseconds at instant `ms`.
    pub fn offset_ms(&self, ms: i64) -> i64 {
        let instant = jiff::Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        });
        i64::from(self.0.to_offset(instant).seconds()) * 1000
    }
}

/// Java's custom time-zone ids: `GMT+h`, `GMT+hh`, `GMT+hhmm`, `GMT+hh:mm` (and `-`).
fn java_custom_offset(name: &str) -> Option<i32> {
    let rest = name.strip_prefix("GMT")?;
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, rest.get(1..)?),
        b'-' => (-1, rest.get(1..)?),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) if (1..=2).contains(&h.len()) && m.len() == 2 => (h, m),
        Some(_) => return None,
        None if (1..=2).contains(&digits.len()) => (digits, "0"),
        None if digits.len() == 4 => digits.split_at(2),
        None => return None,
    };
    if !hours
        .bytes()
        .chain(minutes.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids() {
        assert_eq!(java_custom_offset("GMT+8"), Some(8 * 3600));
        assert_eq!(java_custom_offset("GMT-05:30"), Some(-(5 * 3600 + 1800)));
        assert_eq!(java_custom_offset("GMT+0130"), Some(5400));
        assert_eq!(java_custom_offset("GMT+24"), None);
        assert_eq!(java_custom_offset("GMT"), None);
        assert_eq!(java_custom_offset("UTC+1"), None);
    }

    #[test]
    fn named_zones_follow_the_tz_database() {
        // 2015-01-10 is winter: Pacific Standard Time, UTC-8.
        let (la, warning) = Zone::named("America/Los_Angeles");
        assert_eq!(warning, None);
        assert_eq!(la.offset_ms(1_420_849_937_000), -8 * 3_600_000);
        let (unknown, warning) = Zone::named("Mars/Olympus");
        assert!(warning.is_some());
        assert_eq!(unknown.offset_ms(0), 0);
    }
}
