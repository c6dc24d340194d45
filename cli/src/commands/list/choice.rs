//! Which transactions a listing prints: the range, the filters, `-last`.

use std::collections::{HashSet, VecDeque};
use std::sync::{Condvar, Mutex, OnceLock};

use regex::Regex;
use replog::thl::event::Change;
use replog::thl::{IndexEntry, LogDir, LogIndex};
use replog::txn::Transaction;
use replog::Flow;

use crate::args::ListArgs;
use crate::commands::{Log, Problems};
use crate::failure::Failure;

use super::{decode_all, UNKNOWN_SHARD};
/// Which transactions a listing prints: those in the selected range that pass the
/// filters and, with `-last`, are among the last ones (`-first` is the caller's count).
pub(super) struct Choice<'a> {
    pub(super) selection: &'a Selection,
    pub(super) filters: &'a Filters,
    pub(super) wanted: Option<&'a HashSet<i64>>,
    /// The range's end while the index is still read (see [`super::list_while_indexing`]).
    pub(super) pending_high: Option<&'a PendingHigh>,
    /// `-first N`: the listing ends once N transactions are printed (counted where they
    /// are seen in order: by the serial walk, or by the writer of the parts on threads).
    pub(super) first: Option<u64>,
}

/// The end of a whole-log range, the log's last seqno, known once the index is read to
/// the end of the newest file; a seqno up to `known_below` is taken to lie below it (as
/// [`super::list_while_indexing`] checks once it is known).
pub(super) struct PendingHigh {
    known_below: i64,
    /// Once told: read by every transaction past `known_below` on every thread, so
    /// without a lock (a lock taken by each would move between the processors).
    high: OnceLock<i64>,
    waiting: Mutex<()>,
    told: Condvar,
}

impl PendingHigh {
    pub(super) fn new(known_below: i64) -> PendingHigh {
        PendingHigh {
            known_below,
            high: OnceLock::new(),
            waiting: Mutex::new(()),
            told: Condvar::new(),
        }
    }

    /// Tells the threads waiting the range's end (once: later calls change nothing).
    pub(super) fn tell(&self, high: i64) {
        let _waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let _ = self.high.set(high);
        self.told.notify_all();
    }

    /// The range's end, once told.
    fn wait(&self) -> i64 {
        if let Some(&high) = self.high.get() {
            return high;
        }
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(&high) = self.high.get() {
                return high;
            }
            waiting = self.told.wait(waiting).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// What [`Choice::judge`] says of a transaction.
pub(super) enum Verdict {
    Skip,
    Print,
    /// The transaction lies past the range: the listing ends.
    Stop,
}

impl Choice<'_> {
    /// Judges one transaction, noting its seqno in `examined` when it lies in or after
    /// the range.
    pub(super) fn judge(
        &self,
        txn: &Transaction<'_>,
        problems: &Problems,
        examined: &mut Option<i64>,
    ) -> Result<Verdict, Failure> {
        let Some(seqno) = txn.seqno() else {
            return Ok(Verdict::Skip);
        };
        if let Some(pending) = self.pending_high.filter(|p| seqno > p.known_below) {
            if seqno > pending.wait() {
                *examined = Some(seqno);
                return Ok(Verdict::Stop);
            }
        }
        match self.selection.place(txn, seqno, problems)? {
            Place::Before => return Ok(Verdict::Skip),
            Place::After => {
                *examined = Some(seqno);
                return Ok(Verdict::Stop);
            }
            Place::Inside => *examined = Some(seqno),
        }
        if !self.filters.matches(txn, problems)? {
            return Ok(Verdict::Skip);
        }
        if self.wanted.is_some_and(|w| !w.contains(&seqno)) {
            return Ok(Verdict::Skip);
        }
        Ok(Verdict::Print)
    }
}

/// Where a transaction lies relative to the selected range.
enum Place {
    Before,
    Inside,
    After,
}

/// The files to read and the seqno range to print.
pub(super) struct Selection {
    /// Name of the one file of `-file`, else the index position of the first file.
    pub(super) file: Option<String>,
    pub(super) first_entry: usize,
    pub(super) low: i64,
    pub(super) high: i64,
}

impl Selection {
    /// None when the log is empty and no range was asked for (Tungsten's "log is
    /// empty" case, a success).
    pub(super) fn new(
        dir: &LogDir,
        index: &LogIndex,
        args: &ListArgs,
    ) -> Result<Option<Selection>, Failure> {
        if let Some(name) = &args.file {
            let Some(found) = dir.find_file(name) else {
                return Err(Failure::Error(format!("File not found: {name}")));
            };
            return Ok(Some(Selection {
                file: Some(found.to_string()),
                first_entry: 0,
                low: i64::MIN,
                high: i64::MAX,
            }));
        }
        let low = args.range.low.unwrap_or(index.min_seqno());
        let high = args.range.high.unwrap_or(index.max_seqno());
        let Some(entry) = index.find(low) else {
            if low == index.min_seqno() {
                return Ok(None);
            }
            return Err(Failure::Error(format!(
                "Unable to find sequence number: {low}"
            )));
        };
        let first_entry = index
            .entries()
            .iter()
            .position(|e| e.file_name == entry.file_name)
            .unwrap_or(0);
        Ok(Some(Selection {
            file: None,
            first_entry,
            low,
            high,
        }))
    }

    pub(super) fn files<'l>(&'l self, entries: &'l [IndexEntry]) -> Vec<&'l str> {
        match &self.file {
            Some(name) => vec![name.as_str()],
            None => entries
                .iter()
                .skip(self.first_entry)
                .map(|e| e.file_name.as_str())
                .collect(),
        }
    }

    /// A transaction below `low` is still listed when it is the filtered placeholder
    /// whose range covers `low` (spec 8.1: `-seqno 4` prints the record for 3..5).
    fn place(
        &self,
        txn: &Transaction<'_>,
        seqno: i64,
        problems: &Problems,
    ) -> Result<Place, Failure> {
        if seqno > self.high {
            return Ok(Place::After);
        }
        if seqno >= self.low {
            return Ok(Place::Inside);
        }
        let [record] = &txn.fragments[..] else {
            return Ok(Place::Before);
        };
        let Some(event) = record.event() else {
            return Ok(Place::Before);
        };
        if event.header.shard_id.text() != UNKNOWN_SHARD {
            return Ok(Place::Before);
        }
        let Some(decoded) = problems.decode(event)? else {
            return Ok(Place::Before);
        };
        let covers =
            decoded.is_filtered() && decoded.header.seqno_end.is_some_and(|end| end >= self.low);
        Ok(if covers { Place::Inside } else { Place::Before })
    }
}

/// `-shard` and `-schema`.
pub(super) struct Filters {
    shard: Option<Regex>,
    schema: Option<Regex>,
}

impl Filters {
    pub(super) fn new(args: &ListArgs) -> Result<Filters, Failure> {
        let compile = |option: &str, pattern: &Option<String>| {
            pattern
                .as_ref()
                .map(|p| {
                    Regex::new(&format!("^(?:{p})$"))
                        .map_err(|e| Failure::usage(format!("Invalid -{option} expression: {e}")))
                })
                .transpose()
        };
        Ok(Filters {
            shard: compile("shard", &args.shard)?,
            schema: compile("schema", &args.schema)?,
        })
    }

    pub(super) fn active(&self) -> bool {
        self.shard.is_some() || self.schema.is_some()
    }

    /// Shard: the fixed header's shard id of the first fragment. Schema: any statement's
    /// default schema, row change's schema or LOAD DATA database in any fragment.
    pub(super) fn matches(
        &self,
        txn: &Transaction<'_>,
        problems: &Problems,
    ) -> Result<bool, Failure> {
        if let Some(shard) = &self.shard {
            let id = txn.first().map(|h| h.shard_id.text());
            if !id.is_some_and(|id| shard.is_match(id)) {
                return Ok(false);
            }
        }
        let Some(schema) = &self.schema else {
            return Ok(true);
        };
        for event in decode_all(txn, problems)? {
            for change in &event.body.changes {
                let found = match change {
                    Change::Statement(s) => s.default_schema.is_some_and(|n| schema.is_match(n)),
                    Change::FileQuery(q) => q
                        .statement
                        .default_schema
                        .is_some_and(|n| schema.is_match(n)),
                    Change::FileFragment(f) => f.database.is_some_and(|n| schema.is_match(n)),
                    Change::Rows(r) => r.row_changes.iter().any(|c| schema.is_match(c.schema_name)),
                    _ => false,
                };
                if found {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

/// First pass of `-last N`: the seqnos of the last N selected transactions.
pub(super) fn last_seqnos(
    log: &Log,
    selection: &Selection,
    filters: &Filters,
    n: u64,
) -> Result<HashSet<i64>, Failure> {
    let cap = usize::try_from(n).unwrap_or(usize::MAX);
    let mut last: VecDeque<i64> = VecDeque::new();
    log.walk_transactions(selection.files(log.index.entries()), &mut |txn| {
        let Some(seqno) = txn.seqno() else {
            return Ok(Flow::Continue);
        };
        match selection.place(txn, seqno, &log.problems)? {
            Place::Before => return Ok(Flow::Continue),
            Place::After => return Ok(Flow::Stop),
            Place::Inside => {}
        }
        if cap > 0 && filters.matches(txn, &log.problems)? {
            if last.len() == cap {
                last.pop_front();
            }
            last.push_back(seqno);
        }
        Ok(Flow::Continue)
    })?;
    Ok(last.into_iter().collect())
}
