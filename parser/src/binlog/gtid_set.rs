//! Sets of GTIDs as DBAs write them, for selecting transactions: MySQL's
//! `uuid:1-5:7,uuid2:3` (and tagged `uuid:tag:1-5`), and MariaDB's `domain-server-seq`
//! list `0-1-5,0-1-7`, where `0-1-5-9` is replog's shorthand for sequence numbers 5 to 9.
//!
//! ```
//! use replog::binlog::gtid_set::{GtidSet, TransactionGtid};
//!
//! let set: GtidSet = "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7,0-1-100".parse().unwrap();
//! let mysql = TransactionGtid::new("3e11fa47-71ca-11e1-9e33-c80aa9429562", 4);
//! assert!(set.contains(&mysql));
//! assert!(set.contains(&TransactionGtid::new("0-1", 100)));
//! assert!(!set.contains(&TransactionGtid::new("0-1", 101)));
//! ```

use std::str::FromStr;

use super::events::gtid::Gtid;
use super::events::gtid_tagged::GtidTagged;
use super::events::mariadb_gtid::MariaGtid;
use super::Event;

/// A transaction's GTID split into its source (`uuid`, `uuid:tag`, or MariaDB's
/// `domain-server`) and its number in that source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionGtid {
    /// Lower-case source text.
    pub source: String,
    /// The transaction number (gno, or MariaDB's sequence number).
    pub number: u64,
}

impl TransactionGtid {
    /// A GTID from its source text (any case) and number.
    pub fn new(source: &str, number: u64) -> Self {
        TransactionGtid {
            source: source.to_ascii_lowercase(),
            number,
        }
    }

    /// The GTID an event starts a transaction with; `None` for other events and MySQL's
    /// anonymous GTIDs.
    pub fn of(event: &Event<'_>) -> Option<Self> {
        match event {
            Event::Gtid(g) => mysql(g),
            Event::GtidTagged(g) => tagged(g),
            Event::MariaGtid(g) => Some(maria(g)),
            _ => None,
        }
    }
}

fn mysql(g: &Gtid) -> Option<TransactionGtid> {
    let number = u64::try_from(g.gno).ok().filter(|_| !g.anonymous)?;
    Some(TransactionGtid::new(&g.sid.to_string(), number))
}

fn tagged(g: &GtidTagged<'_>) -> Option<TransactionGtid> {
    let number = u64::try_from(g.gno).ok()?;
    let mut source = g.sid.to_string();
    if !g.tag.is_empty() {
        source.push(':');
        source.push_str(&String::from_utf8_lossy(g.tag));
    }
    Some(TransactionGtid::new(&source, number))
}

fn maria(g: &MariaGtid<'_>) -> TransactionGtid {
    TransactionGtid::new(&format!("{}-{}", g.domain_id, g.server_id), g.seq_no)
}

/// A set of GTIDs: per source, inclusive number ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GtidSet {
    ranges: Vec<(String, u64, u64)>,
}

impl GtidSet {
    /// Whether `gtid` is in the set.
    pub fn contains(&self, gtid: &TransactionGtid) -> bool {
        self.ranges.iter().any(|(source, low, high)| {
            *source == gtid.source && (*low..=*high).contains(&gtid.number)
        })
    }
}

impl FromStr for GtidSet {
    type Err = String;

    /// Parses a comma-separated list of MySQL `uuid[:tag]:ranges` and MariaDB
    /// `domain-server-seq[-last]` items; the error names the item and what was expected.
    fn from_str(text: &str) -> Result<GtidSet, String> {
        let mut set = GtidSet::default();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let bad = |what: &str| format!("'{item}': expected {what}");
            if item.contains(':') {
                let mut parts = item.split(':');
                let uuid = parts.next().unwrap_or_default();
                if uuid.len() != 36 || !uuid.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                    return Err(bad("a server UUID before ':'"));
                }
                let mut source = uuid.to_ascii_lowercase();
                let mut any = false;
                for part in parts {
                    let numbers = part.split_once('-').unwrap_or((part, part));
                    match (numbers.0.parse::<u64>(), numbers.1.parse::<u64>()) {
                        (Ok(low), Ok(high)) if low <= high && low > 0 => {
                            set.ranges.push((source.clone(), low, high));
                            any = true;
                        }
                        _ if !any
                            && !part.is_empty()
                            && !part.starts_with(|c: char| c.is_ascii_digit()) =>
                        {
                            source = format!("{uuid}:{part}").to_ascii_lowercase();
                        }
                        _ => return Err(bad("transaction numbers N or N-M (1 <= N <= M)")),
                    }
                }
                if !any {
                    return Err(bad("transaction numbers after the UUID"));
                }
            } else {
                let numbers: Result<Vec<u64>, _> = item.split('-').map(str::parse::<u64>).collect();
                let (domain, server, low, high) = match numbers.as_deref() {
                    Ok(&[d, s, n]) => (d, s, n, n),
                    Ok(&[d, s, low, high]) if low <= high => (d, s, low, high),
                    _ => {
                        return Err(bad(
                            "a MariaDB GTID domain-server-seq (or domain-server-first-last)",
                        ))
                    }
                };
                set.ranges.push((format!("{domain}-{server}"), low, high));
            }
        }
        if set.ranges.is_empty() {
            return Err("expected at least one GTID".into());
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_tagged_and_mariadb_items() {
        let uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
        let set: GtidSet = format!("{uuid}:1-3:9, {uuid}:batch:5, 0-1-7-9")
            .parse()
            .unwrap();
        let has = |source: &str, n| set.contains(&TransactionGtid::new(source, n));
        assert!(has(uuid, 2) && has(uuid, 9) && !has(uuid, 4));
        assert!(has(&format!("{uuid}:batch"), 5) && !has(&format!("{uuid}:batch"), 1));
        assert!(has("0-1", 8) && !has("0-2", 8) && !has("0-1", 10));
    }

    #[test]
    fn malformed_sets_name_the_item() {
        for (text, expected) in [
            ("abc:1", "'abc:1': expected a server UUID"),
            ("3e11fa47-71ca-11e1-9e33-c80aa9429562:5-2", "N or N-M"),
            ("0-1", "domain-server-seq"),
            ("", "at least one GTID"),
        ] {
            let err = text.parse::<GtidSet>().unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }
}
