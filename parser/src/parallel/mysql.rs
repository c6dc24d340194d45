//! MySQL's multi-threaded replica: DATABASE with schema affinity and LOGICAL_CLOCK, with
//! recorded clocks or WRITESET clocks recomputed from write sets (spec §2.1, §2.2,
//! §3.3).

use std::collections::{HashMap, VecDeque};

use super::record::{LogicalClock, TxnRecord};
use super::schedule::{ClockDependencies, Dependencies, Pool, Schedule, Slot};

/// More databases than this and the coordinator runs the transaction alone
/// (`MAX_DBS_IN_EVENT_MTS`).
pub const MAX_DATABASES: usize = 16;

/// `binlog_transaction_dependency_history_size`'s default.
pub const WRITESET_HISTORY: usize = 25_000;

/// MYSQL-DB (spec §3.3): databases bound to the worker of their last transaction while
/// it is pending; the coordinator waits when a transaction's pending databases sit on
/// different workers.
pub(crate) fn database(records: &[TxnRecord], costs: &[f64], workers: u32) -> Schedule {
    let mut pool = Pool::new(workers);
    // Finish times of the transactions queued on each worker, in order.
    let mut queued: Vec<VecDeque<f64>> = vec![VecDeque::new(); pool.len()];
    let mut owner: HashMap<&str, (usize, f64)> = HashMap::new();
    let mut schedule = Schedule::default();
    let (mut t, mut latest_finish) = (0.0f64, 0.0f64);
    for (record, &cost) in records.iter().zip(costs) {
        let alone = record.dbs.as_ref().is_none_or(|d| d.len() > MAX_DATABASES);
        let coordinator_before = t;
        let w = if alone {
            t = t.max(latest_finish);
            schedule.barriers += 1;
            schedule.serialized_cost += cost;
            pool.earliest().0
        } else {
            let dbs = record.dbs.iter().flatten();
            let pending: Vec<(usize, f64)> = dbs
                .filter_map(|db| owner.get(db.as_str()).copied())
                .filter(|&(_, finish)| finish > t)
                .collect();
            match pending.first() {
                Some(&(w, _)) => {
                    let elsewhere = pending
                        .iter()
                        .filter(|&&(o, _)| o != w)
                        .map(|&(_, f)| f)
                        .fold(t, f64::max);
                    t = elsewhere;
                    w
                }
                None if pool.is_unlimited() => pool.earliest().0,
                None => {
                    for q in &mut queued {
                        while q.front().is_some_and(|&f| f <= t) {
                            q.pop_front();
                        }
                    }
                    (0..queued.len())
                        .min_by_key(|&w| (queued[w].len(), w))
                        .unwrap_or(0)
                }
            }
        };
        let queue_end = pool.busy_until(w);
        let start = t.max(queue_end);
        let finish = start + cost;
        pool.occupy(w, finish);
        if w >= queued.len() {
            queued.resize(w + 1, VecDeque::new());
        }
        queued[w].push_back(finish);
        for db in record.dbs.iter().flatten() {
            owner.insert(db.as_str(), (w, finish));
        }
        latest_finish = latest_finish.max(finish);
        if alone {
            t = finish;
        }
        schedule.slots.push(Slot {
            worker: w as u32,
            start,
            finish,
            commit: finish,
            waited: start - coordinator_before.max(queue_end),
        });
    }
    schedule
}

/// MYSQL-LC (spec §3.3): in-order dispatch of each transaction once its commit parent
/// is committed, to the earliest-free worker; with `preserve` commits follow log order
/// and a worker is held until its transaction commits.
pub(crate) fn logical_clock(
    records: &[TxnRecord],
    costs: &[f64],
    clocks: Vec<Option<LogicalClock>>,
    workers: u32,
    preserve: bool,
) -> Schedule {
    let mut deps = ClockDependencies::new(records, clocks);
    let mut pool = Pool::new(workers);
    let mut schedule = Schedule::default();
    let (mut previous_start, mut previous_commit) = (0.0f64, 0.0f64);
    for (i, &cost) in costs.iter().enumerate() {
        let ready = deps.ready(i);
        let (w, free) = pool.earliest();
        let start = previous_start.max(ready).max(free);
        let finish = start + cost;
        let commit = if preserve {
            finish.max(previous_commit)
        } else {
            finish
        };
        pool.occupy(w, commit);
        deps.done(i, commit);
        schedule.slots.push(Slot {
            worker: w as u32,
            start,
            finish,
            commit,
            waited: start - previous_start.max(free),
        });
        (previous_start, previous_commit) = (start, commit);
    }
    schedule
}

/// The recorded clocks.
pub(crate) fn recorded_clocks(records: &[TxnRecord]) -> Vec<Option<LogicalClock>> {
    records.iter().map(|r| r.clock).collect()
}

/// WRITESET clocks recomputed from the write sets with the source's tracker rules
/// (spec §2.2): `L = min(max(history floor, last writer of each key), commit-order L)`.
/// The history starts afresh in every file with its floor just below the file's first
/// sequence number (so a file read from its start has floor 1, MySQL's). DDL and
/// statements fall back to commit order and clear the history; a table without
/// primary key falls back without clearing it; a full history is cleared after the
/// transaction that filled it. Without recorded clocks (MariaDB, THL) sequence numbers
/// count transactions from 1 in each file and the commit-order parent is the
/// previous transaction.
pub(crate) fn writeset_clocks(records: &[TxnRecord]) -> Vec<Option<LogicalClock>> {
    let mut history: HashMap<u64, i64> = HashMap::new();
    let mut floor = 0i64;
    let mut file: Option<Option<&str>> = None;
    let mut counted = 0i64;
    let mut clocks = Vec::with_capacity(records.len());
    for record in records {
        let this_file = record.binlog_file.as_deref();
        let new_file = file != Some(this_file);
        if new_file {
            file = Some(this_file);
            counted = 0;
        }
        counted += 1;
        let (commit_parent, s) = match record.clock {
            Some(c) => (c.last_committed, c.sequence_number),
            None => (counted - 1, counted),
        };
        if new_file {
            history.clear();
            floor = (s - 1).max(1);
        }
        let last_committed = match &record.keys {
            Some(keys) if !record.is_ddl => {
                let mut parent = floor;
                for key in keys {
                    if let Some(&writer) = history.get(key) {
                        if writer < s {
                            parent = parent.max(writer);
                        }
                    }
                }
                if history.len() + keys.len() > WRITESET_HISTORY {
                    history.clear();
                    floor = s;
                } else {
                    for &key in keys {
                        history.insert(key, s);
                    }
                }
                parent.min(commit_parent)
            }
            _ if record.is_ddl || record.is_statement => {
                history.clear();
                floor = s;
                commit_parent
            }
            _ => commit_parent,
        };
        clocks.push(Some(LogicalClock {
            last_committed,
            sequence_number: s,
        }));
    }
    clocks
}
