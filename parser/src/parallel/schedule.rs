//! What every simulator produces, the worker pool they share, and the dependency
//! trackers behind the oracles and critical paths (spec §3.2).

use std::collections::HashMap;

use super::record::{LogicalClock, TxnRecord};

/// As many workers as there are transactions: the `T∞` of a policy.
pub const UNLIMITED: u32 = u32::MAX;

/// When one transaction ran.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// Worker (channel, thread) it ran on.
    pub worker: u32,
    /// Start of execution.
    pub start: f64,
    /// End of execution.
    pub finish: f64,
    /// Commit (equals `finish` unless commits are ordered).
    pub commit: f64,
    /// Time its worker was free but it could not start: barriers, commit parents,
    /// batches, lock waits, a busy database.
    pub waited: f64,
}

/// The schedule of one policy with one worker count, transactions in log order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schedule {
    /// One slot per transaction.
    pub slots: Vec<Slot>,
    /// Full barriers (Tungsten: entries into and exits from critical sections; others:
    /// transactions run in isolation).
    pub barriers: u64,
    /// Cost of the transactions run inside barriers (σ's numerator).
    pub serialized_cost: f64,
    /// Transactions that waited for a row lock (MariaDB optimistic): potential retries.
    pub lock_waits: u64,
}

impl Schedule {
    /// `T(N)`: the last commit.
    pub fn makespan(&self) -> f64 {
        self.slots.iter().map(|s| s.commit).fold(0.0, f64::max)
    }
}

/// Workers and when each is busy until. An unlimited pool hands out a new, idle worker
/// whenever asked for the earliest free one.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    busy: Vec<f64>,
    unlimited: bool,
}

impl Pool {
    pub fn new(workers: u32) -> Pool {
        let unlimited = workers == UNLIMITED;
        Pool {
            busy: if unlimited {
                Vec::new()
            } else {
                vec![0.0; workers as usize]
            },
            unlimited,
        }
    }

    pub fn is_unlimited(&self) -> bool {
        self.unlimited
    }

    pub fn len(&self) -> usize {
        self.busy.len()
    }

    /// The worker whose busy-until time is smallest, ties to the lowest index.
    pub fn earliest(&mut self) -> (usize, f64) {
        if self.unlimited {
            self.busy.push(0.0);
            return (self.busy.len() - 1, 0.0);
        }
        let mut best = 0;
        for (w, &t) in self.busy.iter().enumerate() {
            if t < self.busy[best] {
                best = w;
            }
        }
        (best, self.busy[best])
    }

    /// Worker `w` (growing an unlimited pool to reach it).
    pub fn busy_until(&mut self, w: usize) -> f64 {
        if w >= self.busy.len() {
            self.busy.resize(w + 1, 0.0);
        }
        self.busy[w]
    }

    pub fn occupy(&mut self, w: usize, until: f64) {
        self.busy_until(w);
        self.busy[w] = until;
    }
}

/// "Transaction i may start only after these earlier ones finished": the edges of a
/// dependency DAG, answered as the time they allow i to start.
pub(crate) trait Dependencies {
    /// When transaction `i` may start, given what was reported [`done`](Self::done).
    fn ready(&mut self, i: usize) -> f64;
    /// Transaction `i` is over at `time` (finish, or commit when commits are ordered).
    fn done(&mut self, i: usize, time: f64);
}

/// The heaviest path of a DAG (`CP`): every transaction starts when it is ready.
pub(crate) fn critical_path(costs: &[f64], deps: &mut dyn Dependencies) -> f64 {
    let mut cp: f64 = 0.0;
    for (i, &cost) in costs.iter().enumerate() {
        let finish = deps.ready(i) + cost;
        deps.done(i, finish);
        cp = cp.max(finish);
    }
    cp
}

/// Greedy list scheduling over a DAG without commit order and without head-of-line
/// blocking: each transaction, in log order, goes to the earliest-free worker
/// (ROW-DAG and DB-DAG, spec §3.3).
pub(crate) fn list_schedule(
    costs: &[f64],
    deps: &mut dyn Dependencies,
    full: &dyn Fn(usize) -> bool,
    workers: u32,
) -> Schedule {
    let mut pool = Pool::new(workers);
    let mut schedule = Schedule::default();
    for (i, &cost) in costs.iter().enumerate() {
        let ready = deps.ready(i);
        let (w, free) = pool.earliest();
        let start = ready.max(free);
        let finish = start + cost;
        pool.occupy(w, finish);
        deps.done(i, finish);
        if full(i) {
            schedule.barriers += 1;
            schedule.serialized_cost += cost;
        }
        schedule.slots.push(Slot {
            worker: w as u32,
            start,
            finish,
            commit: finish,
            waited: start - free,
        });
    }
    schedule
}

/// Edges from the last earlier writer of each key; a transaction with unknown keys
/// depends on everything before it and everything after depends on it.
#[derive(Debug)]
pub(crate) struct KeyDependencies<K> {
    keys: Vec<Option<Vec<K>>>,
    last: HashMap<K, f64>,
    /// Finish of the last transaction with unknown keys.
    floor: f64,
    /// Latest finish so far.
    all: f64,
}

impl<K: std::hash::Hash + Eq + Clone> KeyDependencies<K> {
    pub fn new(keys: Vec<Option<Vec<K>>>) -> Self {
        KeyDependencies {
            keys,
            last: HashMap::new(),
            floor: 0.0,
            all: 0.0,
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Dependencies for KeyDependencies<K> {
    fn ready(&mut self, i: usize) -> f64 {
        match &self.keys[i] {
            None => self.all,
            Some(keys) => keys
                .iter()
                .filter_map(|k| self.last.get(k))
                .fold(self.floor, |a, &b| a.max(b)),
        }
    }

    fn done(&mut self, i: usize, time: f64) {
        self.all = self.all.max(time);
        match &self.keys[i] {
            None => self.floor = self.floor.max(time),
            Some(keys) => {
                for k in keys {
                    let t = self.last.entry(k.clone()).or_insert(time);
                    *t = t.max(time);
                }
            }
        }
    }
}

/// Row keys of each transaction (`None`: statement, DDL or unkeyed table).
pub(crate) fn row_keys(records: &[TxnRecord]) -> Vec<Option<Vec<u64>>> {
    records
        .iter()
        .map(|r| if r.is_ddl { None } else { r.keys.clone() })
        .collect()
}

/// Table sets of each transaction (`None`: statement or DDL, tables unknown).
pub(crate) fn table_keys(records: &[TxnRecord]) -> Vec<Option<Vec<String>>> {
    records
        .iter()
        .map(|r| {
            let tables = r.tables.as_ref().filter(|_| !r.is_ddl)?;
            Some(tables.iter().cloned().collect())
        })
        .collect()
}

/// Database sets of each transaction (`None`: unknown reach).
pub(crate) fn database_keys(records: &[TxnRecord]) -> Vec<Option<Vec<String>>> {
    records
        .iter()
        .map(|r| r.dbs.as_ref().map(|d| d.iter().cloned().collect()))
        .collect()
}

/// Edges of MySQL's logical clock (spec §3.3 MYSQL-LC step 2): transaction i waits for
/// every earlier transaction of its file with `S ≤ L`, and for every earlier
/// transaction at all when `L = 0`, `S = 0`, the file changes, the previous transaction
/// had no clock, or sequence numbers jump.
#[derive(Debug)]
pub(crate) struct ClockDependencies<'r> {
    clocks: Vec<Option<LogicalClock>>,
    files: Vec<Option<&'r str>>,
    /// Sequence numbers of the current file and the latest time over them so far.
    marks: Vec<(i64, f64)>,
    file: Option<&'r str>,
    previous: Option<Option<LogicalClock>>,
    all: f64,
}

impl<'r> ClockDependencies<'r> {
    pub fn new(records: &'r [TxnRecord], clocks: Vec<Option<LogicalClock>>) -> Self {
        ClockDependencies {
            clocks,
            files: records.iter().map(|r| r.binlog_file.as_deref()).collect(),
            marks: Vec::new(),
            file: None,
            previous: None,
            all: 0.0,
        }
    }
}

impl Dependencies for ClockDependencies<'_> {
    fn ready(&mut self, i: usize) -> f64 {
        let new_file = self.files[i] != self.file;
        if new_file {
            self.file = self.files[i];
            self.marks.clear();
        }
        let previous = self.previous.replace(self.clocks[i]);
        let Some(clock) = self.clocks[i] else {
            return self.all;
        };
        let synchronise = new_file
            || clock.last_committed <= 0
            || clock.sequence_number <= 0
            || !matches!(previous, Some(Some(p)) if clock.sequence_number <= p.sequence_number + 1);
        // The first transaction read needs nothing: nothing ran before it.
        if synchronise {
            return self.all;
        }
        let reached = self
            .marks
            .partition_point(|&(s, _)| s <= clock.last_committed);
        if reached == 0 {
            0.0
        } else {
            self.marks[reached - 1].1
        }
    }

    fn done(&mut self, i: usize, time: f64) {
        self.all = self.all.max(time);
        if let Some(clock) = self.clocks[i] {
            let latest = self.marks.last().map_or(time, |&(_, t)| t.max(time));
            self.marks.push((clock.sequence_number, latest));
        }
    }
}
