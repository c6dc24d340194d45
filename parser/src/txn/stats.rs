//! What a DBA asks of a log before going parallel or after an incident: how much each
//! shard and table carries, how transactions are sized, and which are the largest and
//! the longest. [`Stats::add`] takes transactions of either source.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::thl::event::{Action, Change};

use super::Transaction;

/// How many of the largest and longest transactions are kept.
pub const TOP: usize = 5;

/// Upper bounds (bytes of THL records) of the size classes; the last class is open.
pub const SIZE_CLASSES: [u64; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// Totals of one shard or of the whole log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Transactions.
    pub transactions: u64,
    /// Fragment records.
    pub fragments: u64,
    /// Row changes (rows of row events, before and after images counted once).
    pub rows: u64,
    /// Statements (queries, LOAD DATA queries).
    pub statements: u64,
    /// Bytes of the THL records.
    pub bytes: u64,
}

/// Row changes of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableTotals {
    /// Transactions touching the table.
    pub transactions: u64,
    /// Rows inserted.
    pub inserts: u64,
    /// Rows updated.
    pub updates: u64,
    /// Rows deleted.
    pub deletes: u64,
}

/// One transaction in a ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// Its seqno.
    pub seqno: i64,
    /// Its shard.
    pub shard: String,
    /// The eventId of its last fragment.
    pub event_id: String,
    /// Bytes of its records.
    pub bytes: u64,
    /// Its rows.
    pub rows: u64,
    /// Milliseconds between the first and the last time it records (fragment source
    /// times, statement times): a lower bound of how long it ran on the source.
    pub span_millis: i64,
}

/// The statistics of a log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// The whole log.
    pub total: Totals,
    /// First and last seqno seen.
    pub seqnos: Option<(i64, i64)>,
    /// By shard id.
    pub shards: BTreeMap<String, Totals>,
    /// By `schema.table`.
    pub tables: BTreeMap<String, TableTotals>,
    /// Transactions per size class ([`SIZE_CLASSES`], then the open class).
    pub size_classes: [u64; SIZE_CLASSES.len() + 1],
    /// The largest transactions by bytes, largest first.
    pub largest: Vec<Ranked>,
    /// The longest transactions by recorded time span, longest first.
    pub longest: Vec<Ranked>,
}

impl Stats {
    /// Counts one transaction (its payloads are decoded).
    pub fn add(&mut self, txn: &Transaction<'_>) -> Result<(), Error> {
        let (Some(first), Some(last)) = (txn.first(), txn.last()) else {
            return Ok(());
        };
        let mut this = Totals {
            transactions: 1,
            fragments: txn.fragments.len() as u64,
            ..Totals::default()
        };
        let (mut earliest, mut latest) = (first.source_tstamp, first.source_tstamp);
        let mut tables: BTreeMap<String, TableTotals> = BTreeMap::new();
        for record in &txn.fragments {
            this.bytes += u64::from(record.length);
            let Some(event_record) = record.event() else {
                continue;
            };
            let t = event_record.header.source_tstamp;
            (earliest, latest) = (earliest.min(t), latest.max(t));
            let event = event_record.decode()?;
            for change in &event.body.changes {
                match change {
                    Change::Statement(s) => {
                        this.statements += 1;
                        if let Some(t) = s.timestamp {
                            (earliest, latest) = (earliest.min(t), latest.max(t));
                        }
                    }
                    Change::FileQuery(_) => this.statements += 1,
                    Change::Rows(r) => {
                        for c in &r.row_changes {
                            let table = tables
                                .entry(format!("{}.{}", c.schema_name, c.table_name))
                                .or_default();
                            let n = c.column_values.len().max(c.key_values.len()) as u64;
                            this.rows += n;
                            match c.action {
                                Action::Insert => table.inserts += n,
                                Action::Update => table.updates += n,
                                Action::Delete => table.deletes += n,
                                Action::Other(_) => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let shard = first.shard_id.text().to_string();
        let totals = self.shards.entry(shard.clone()).or_default();
        for t in [&mut self.total, totals] {
            t.transactions += 1;
            t.fragments += this.fragments;
            t.rows += this.rows;
            t.statements += this.statements;
            t.bytes += this.bytes;
        }
        for (name, t) in tables {
            let all = self.tables.entry(name).or_default();
            all.transactions += 1;
            all.inserts += t.inserts;
            all.updates += t.updates;
            all.deletes += t.deletes;
        }
        let class = SIZE_CLASSES
            .iter()
            .position(|&bound| this.bytes <= bound)
            .unwrap_or(SIZE_CLASSES.len());
        self.size_classes[class] += 1;
        self.seqnos = Some(match self.seqnos {
            None => (first.seqno, first.seqno),
            Some((low, high)) => (low.min(first.seqno), high.max(first.seqno)),
        });
        let ranked = Ranked {
            seqno: first.seqno,
            shard,
            event_id: last.event_id.text().to_string(),
            bytes: this.bytes,
            rows: this.rows,
            span_millis: latest - earliest,
        };
        keep_top(&mut self.largest, ranked.clone(), |r| r.bytes as i64);
        keep_top(&mut self.longest, ranked, |r| r.span_millis);
        Ok(())
    }
}

/// Inserts `item` into `top` (sorted by `key`, largest first; earlier seqnos first among
/// equals), keeping [`TOP`] entries.
fn keep_top(top: &mut Vec<Ranked>, item: Ranked, key: impl Fn(&Ranked) -> i64) {
    let at = top
        .iter()
        .position(|r| key(&item) > key(r))
        .unwrap_or(top.len());
    if at < TOP {
        top.insert(at, item);
        top.truncate(TOP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(seqno: i64, bytes: u64) -> Ranked {
        Ranked {
            seqno,
            shard: "s".into(),
            event_id: String::new(),
            bytes,
            rows: 0,
            span_millis: 0,
        }
    }

    #[test]
    fn rankings_keep_the_top_and_the_first_among_equals() {
        let mut top = Vec::new();
        for (seqno, bytes) in [(0, 10), (1, 30), (2, 30), (3, 5), (4, 50), (5, 1), (6, 40)] {
            keep_top(&mut top, ranked(seqno, bytes), |r| r.bytes as i64);
        }
        let order: Vec<i64> = top.iter().map(|r| r.seqno).collect();
        assert_eq!(order, [4, 6, 1, 2, 0]);
    }
}
