//! The display time zone: UTC unless `-timezone` names another one.

/// The zone every printed date and time is computed in.
#[derive(Debug, Clone)]
pub struct Zone {
    rules: jiff::tz::TimeZone,
    /// The offset in milliseconds of a zone that has only one (UTC, `GMT+8`): known
    /// without asking the rules, once per printed value.
    fixed_offset_ms: Option<i64>,
}

impl Zone {
    /// UTC, Tungsten's default for `thl`.
    pub fn utc() -> Zone {
        Zone::of(jiff::tz::TimeZone::UTC)
    }

    fn of(rules: jiff::tz::TimeZone) -> Zone {
        let fixed_offset_ms = rules
            .to_fixed_offset()
            .ok()
            .map(|offset| i64::from(offset.seconds()) * 1000);
        Zone {
            rules,
            fixed_offset_ms,
        }
    }

    /// The zone named by `-timezone`, or UTC with Tungsten's warning when the name is
    /// neither a tz database name, nor one of java.util.TimeZone's three-letter ids
    /// (`PST`, `EST`, `CTT`...), nor a Java custom id (`GMT+8`, `GMT-05:30`).
    pub fn named(name: &str) -> (Zone, Option<&'static str>) {
        let short = JAVA_SHORT_IDS
            .iter()
            .find(|(id, _)| *id == name)
            .map(|(_, zone)| *zone);
        let fixed = match short {
            Some(ShortId::Fixed(seconds)) => Some(seconds),
            Some(ShortId::Region(_)) => None,
            None => java_custom_offset(name),
        };
        let name = match short {
            Some(ShortId::Region(region)) => region,
            _ => name,
        };
        if let Some(seconds) = fixed {
            if let Ok(offset) = jiff::tz::Offset::from_seconds(seconds) {
                return (Zone::of(jiff::tz::TimeZone::fixed(offset)), None);
            }
        }
        match jiff::tz::TimeZone::get(name) {
            Ok(tz) => (Zone::of(tz), None),
            Err(_) => (
                Zone::utc(),
                Some(
                    "WARNING: Your time zone name does not match Java naming; using time zone: GMT",
                ),
            ),
        }
    }

    /// The zone as a tz database zone, for turning civil times typed in it into instants.
    pub fn time_zone(&self) -> &jiff::tz::TimeZone {
        &self.rules
    }

    /// The zone's offset from UTC in milliseconds at instant `ms`.
    pub fn offset_ms(&self, ms: i64) -> i64 {
        if let Some(fixed) = self.fixed_offset_ms {
            return fixed;
        }
        let instant = jiff::Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        });
        i64::from(self.rules.to_offset(instant).seconds()) * 1000
    }
}

/// What one of Java's three-letter ids stands for.
#[derive(Debug, Clone, Copy)]
enum ShortId {
    /// A fixed offset from UTC, in seconds.
    Fixed(i32),
    /// The rules of a tz database region, daylight saving time included.
    Region(&'static str),
}

/// java.util.TimeZone's old three-letter ids that the tz database does not define (or,
/// for EST, MST and HST, defines differently): Java keeps them as aliases, and since
/// Java 6 EST, MST and HST are fixed offsets rather than New York, Denver and Honolulu.
/// Listed from `TimeZone.getAvailableIDs()` of OpenJDK 17.
const JAVA_SHORT_IDS: &[(&str, ShortId)] = &[
    ("EST", ShortId::Fixed(-5 * 3600)),
    ("MST", ShortId::Fixed(-7 * 3600)),
    ("HST", ShortId::Fixed(-10 * 3600)),
    ("ACT", ShortId::Region("Australia/Darwin")),
    ("AET", ShortId::Region("Australia/Sydney")),
    ("AGT", ShortId::Region("America/Argentina/Buenos_Aires")),
    ("ART", ShortId::Region("Africa/Cairo")),
    ("AST", ShortId::Region("America/Anchorage")),
    ("BET", ShortId::Region("America/Sao_Paulo")),
    ("BST", ShortId::Region("Asia/Dhaka")),
    ("CAT", ShortId::Region("Africa/Harare")),
    ("CNT", ShortId::Region("America/St_Johns")),
    ("CST", ShortId::Region("America/Chicago")),
    ("CTT", ShortId::Region("Asia/Shanghai")),
    ("EAT", ShortId::Region("Africa/Addis_Ababa")),
    ("ECT", ShortId::Region("Europe/Paris")),
    ("IET", ShortId::Region("America/Indiana/Indianapolis")),
    ("IST", ShortId::Region("Asia/Kolkata")),
    ("JST", ShortId::Region("Asia/Tokyo")),
    ("MIT", ShortId::Region("Pacific/Apia")),
    ("NET", ShortId::Region("Asia/Yerevan")),
    ("NST", ShortId::Region("Pacific/Auckland")),
    ("PLT", ShortId::Region("Asia/Karachi")),
    ("PNT", ShortId::Region("America/Phoenix")),
    ("PRT", ShortId::Region("America/Puerto_Rico")),
    ("PST", ShortId::Region("America/Los_Angeles")),
    ("SST", ShortId::Region("Pacific/Guadalcanal")),
    ("VST", ShortId::Region("Asia/Ho_Chi_Minh")),
];

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

    /// 2015-01-10 00:32:17 UTC (the 2.2.1 fixture's first event, spec 3.1) and
    /// 2015-07-04 12:00:00 UTC (1_436_011_200 s since the epoch: 16_620 days to
    /// 2015-07-04, plus 12 h).
    const WINTER: i64 = 1_420_849_937_000;
    const SUMMER: i64 = 1_436_011_200_000;

    #[test]
    fn java_three_letter_ids() {
        let hours = |name: &str, at: i64| {
            let (zone, warning) = Zone::named(name);
            assert_eq!(warning, None, "{name}");
            zone.offset_ms(at) as f64 / 3_600_000.0
        };
        // Region aliases follow their region's daylight saving time.
        assert_eq!((hours("PST", WINTER), hours("PST", SUMMER)), (-8.0, -7.0));
        assert_eq!((hours("CST", WINTER), hours("CST", SUMMER)), (-6.0, -5.0));
        assert_eq!((hours("ECT", WINTER), hours("ECT", SUMMER)), (1.0, 2.0));
        assert_eq!((hours("AET", WINTER), hours("AET", SUMMER)), (11.0, 10.0));
        assert_eq!((hours("IST", WINTER), hours("CTT", SUMMER)), (5.5, 8.0));
        assert_eq!((hours("JST", SUMMER), hours("CNT", WINTER)), (9.0, -3.5));
        // EST, MST and HST are fixed in Java: no summer time, unlike New York.
        assert_eq!((hours("EST", WINTER), hours("EST", SUMMER)), (-5.0, -5.0));
        assert_eq!((hours("MST", SUMMER), hours("HST", SUMMER)), (-7.0, -10.0));
        // Java's ids are case-sensitive.
        assert!(Zone::named("pst").1.is_some());
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
