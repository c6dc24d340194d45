//! MariaDB parallel replication, conservative and optimistic (spec §2.3, §3.3): per
//! domain in-order hand-off and commit, threads of one pool taken in round-robin order.

use std::collections::HashMap;

use crate::binlog::events::mariadb_gtid::{
    FL_ALLOW_PARALLEL, FL_DDL, FL_GROUP_COMMIT_ID, FL_TRANSACTIONAL, FL_WAITED,
};

use super::record::TxnRecord;
use super::schedule::{Dependencies, Pool, Schedule, Slot};

/// `slave_parallel_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MariaMode {
    /// Batches of one group commit run together; the next batch waits for them.
    Conservative,
    /// Everything runs at once; row conflicts wait for the lock holder's commit.
    Optimistic,
}

/// One domain's stream.
#[derive(Debug, Default)]
struct Domain {
    previous_start: f64,
    previous_commit: f64,
    /// Commit id of the open batch (`None`: a transaction without one is alone).
    batch: Option<u64>,
    batch_finish: f64,
    previous_batch_finish: f64,
    latest_finish: f64,
    /// Finish of the last DDL: nothing after it starts before (optimistic).
    after_ddl: f64,
    /// Commit time of the last writer of each key.
    writers: HashMap<u64, f64>,
    /// Commit time of the last transaction whose rows are unknown (it may hold any).
    unkeyed: f64,
}

fn is_ddl(record: &TxnRecord) -> bool {
    record.is_ddl || record.mariadb.is_some_and(|g| g.flags & FL_DDL != 0)
}

fn domain_of(record: &TxnRecord) -> u32 {
    record.mariadb.map_or(0, |g| g.domain_id)
}

/// The group-commit batch a transaction belongs to.
fn commit_group(record: &TxnRecord) -> Option<u64> {
    let gtid = record.mariadb?;
    if gtid.flags & FL_GROUP_COMMIT_ID == 0 {
        return None;
    }
    gtid.commit_id
}

/// Optimistic mode's "speculate-wait": a transaction that cannot be safely retried or
/// that waited for a lock on the primary starts after its predecessor commits.
fn speculate_wait(record: &TxnRecord) -> bool {
    record.mariadb.is_some_and(|g| {
        g.flags & FL_TRANSACTIONAL == 0
            || g.flags & FL_ALLOW_PARALLEL == 0
            || g.flags & FL_WAITED != 0
    })
}

/// Simulates `mode` with `workers` threads.
pub(crate) fn simulate(
    records: &[TxnRecord],
    costs: &[f64],
    workers: u32,
    mode: MariaMode,
) -> Schedule {
    let mut pool = Pool::new(workers);
    let mut domains: HashMap<u32, Domain> = HashMap::new();
    let mut schedule = Schedule::default();
    for (i, (record, &cost)) in records.iter().zip(costs).enumerate() {
        let thread = if pool.is_unlimited() {
            pool.earliest().0
        } else {
            i % pool.len()
        };
        let d = domains.entry(domain_of(record)).or_default();
        let handed = pool.busy_until(thread).max(d.previous_start);
        let mut start = handed;
        let execute = match mode {
            MariaMode::Conservative => {
                let group = commit_group(record);
                if group.is_none() || group != d.batch {
                    d.previous_batch_finish = d.batch_finish;
                    d.batch_finish = 0.0;
                }
                d.batch = group;
                start = start.max(d.previous_batch_finish);
                start
            }
            MariaMode::Optimistic => {
                let ddl = is_ddl(record);
                if ddl {
                    start = start.max(d.latest_finish);
                    schedule.barriers += 1;
                    schedule.serialized_cost += cost;
                }
                start = start.max(d.after_ddl);
                if speculate_wait(record) {
                    start = start.max(d.previous_commit);
                }
                // A row held by an earlier transaction not yet committed: a lock wait
                // until that one commits. Unknown rows may conflict with anything.
                let holder = match &record.keys {
                    Some(keys) => keys
                        .iter()
                        .filter_map(|k| d.writers.get(k))
                        .fold(d.unkeyed, |a: f64, &b| a.max(b)),
                    None => d.previous_commit,
                };
                let execute = start.max(holder);
                if holder > start {
                    schedule.lock_waits += 1;
                }
                if ddl {
                    d.after_ddl = execute + cost;
                }
                execute
            }
        };
        let finish = execute + cost;
        let commit = finish.max(d.previous_commit);
        pool.occupy(thread, commit);
        match (mode, &record.keys) {
            (MariaMode::Conservative, _) => {}
            (MariaMode::Optimistic, Some(keys)) => {
                for &k in keys {
                    d.writers.insert(k, commit);
                }
            }
            (MariaMode::Optimistic, None) => d.unkeyed = commit,
        }
        d.batch_finish = d.batch_finish.max(finish);
        d.latest_finish = d.latest_finish.max(finish);
        (d.previous_start, d.previous_commit) = (start, commit);
        schedule.slots.push(Slot {
            worker: thread as u32,
            start: execute,
            finish,
            commit,
            waited: execute - handed,
        });
    }
    schedule
}

/// Conservative mode's DAG: each batch after every transaction of the previous batch
/// of its domain.
pub(crate) struct BatchDependencies<'r> {
    records: &'r [TxnRecord],
    domains: HashMap<u32, (Option<u64>, f64, f64)>,
}

impl<'r> BatchDependencies<'r> {
    pub fn new(records: &'r [TxnRecord]) -> Self {
        BatchDependencies {
            records,
            domains: HashMap::new(),
        }
    }
}

impl Dependencies for BatchDependencies<'_> {
    fn ready(&mut self, i: usize) -> f64 {
        let record = &self.records[i];
        let (batch, finish, previous) = self.domains.entry(domain_of(record)).or_default();
        let group = commit_group(record);
        if group.is_none() || group != *batch {
            *previous = *finish;
            *finish = 0.0;
        }
        *batch = group;
        *previous
    }

    fn done(&mut self, i: usize, time: f64) {
        let domain = self.domains.entry(domain_of(&self.records[i])).or_default();
        domain.1 = domain.1.max(time);
    }
}
