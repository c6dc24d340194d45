//! Offline parallelism analysis (spec `parallel-apply.md` §3): how fast a log would
//! apply with N workers under each parallel applier's rules, what limits it, and which
//! shards and transactions are to blame.
//!
//! # API structure
//!
//! - [`TxnRecord::from_transaction`] summarises a [`Transaction`](crate::txn::Transaction)
//!   (and, for binary logs, its [`SourceFacts`](crate::txn::extract::SourceFacts)) into
//!   the §3.1 record.
//! - [`CostModel`] prices each record (`unit`, `rows`, `bytes`; default `bytes`).
//! - [`Policy`] names a simulator; [`simulate`] runs one policy with N workers and
//!   returns its [`Schedule`].
//! - [`analyze`] runs every requested policy for every N and returns an [`Analysis`]:
//!   makespans, speed-ups, critical paths, barriers, σ, the knee, hottest shards and
//!   the transactions behind the longest waits. It never prints.
//!
//! Times are in cost units; a schedule starts at 0.

mod cost;
mod mariadb;
mod mysql;
mod record;
mod report;
mod schedule;
mod tungsten;

pub use cost::{CostModel, DEFAULT_BYTES_PER_UNIT, DEFAULT_ROWS_PER_UNIT};
pub use mariadb::MariaMode;
pub use mysql::{MAX_DATABASES, WRITESET_HISTORY};
pub use record::{LogicalClock, TxnRecord};
pub use report::{
    analyze, Analysis, AnalysisOptions, PolicyReport, Run, ShardLoad, StreamKind, Streams, Wait,
    TOP,
};
pub use schedule::{Schedule, Slot, UNLIMITED};

use std::collections::HashMap;

use crate::shard::{HashMethod, Partitioner, ShardError, ShardList};
use schedule::{
    critical_path, database_keys, list_schedule, row_keys, table_keys, KeyDependencies,
};
use tungsten::Channels;

/// A parallel applier's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// One worker, log order.
    Serial,
    /// Tungsten, `(hash-method)=string-hash`, disk queue.
    TungstenHash,
    /// Tungsten, `(hash-method)=round-robin` from a fresh start, disk queue.
    TungstenRoundRobin,
    /// Tungsten with string-hash channels, cross-database transactions waiting only on
    /// the channels of their databases (spec's proposal).
    TungstenShardSet,
    /// MySQL `replica_parallel_type = DATABASE`.
    MysqlDatabase,
    /// MySQL LOGICAL_CLOCK with the recorded clocks.
    MysqlClock {
        /// `replica_preserve_commit_order`.
        preserve: bool,
    },
    /// MySQL LOGICAL_CLOCK with WRITESET clocks recomputed from the write sets.
    MysqlWriteset {
        /// `replica_preserve_commit_order`.
        preserve: bool,
    },
    /// MariaDB `slave_parallel_mode`.
    Mariadb(MariaMode),
    /// Oracle: row write-set DAG, greedy, no commit order.
    RowDag,
    /// Oracle: database-set DAG, greedy, no commit order.
    DbDag,
    /// Table-level write sets: transactions writing disjoint tables run at once
    /// (statements and DDL wait for everything), greedy, no commit order.
    TableDag,
}

impl Policy {
    /// Every policy, in report order.
    pub const ALL: [Policy; 14] = [
        Policy::Serial,
        Policy::TungstenHash,
        Policy::TungstenRoundRobin,
        Policy::TungstenShardSet,
        Policy::MysqlDatabase,
        Policy::MysqlClock { preserve: false },
        Policy::MysqlClock { preserve: true },
        Policy::MysqlWriteset { preserve: false },
        Policy::MysqlWriteset { preserve: true },
        Policy::Mariadb(MariaMode::Conservative),
        Policy::Mariadb(MariaMode::Optimistic),
        Policy::RowDag,
        Policy::TableDag,
        Policy::DbDag,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Serial => "serial",
            Policy::TungstenHash => "tungsten-hash",
            Policy::TungstenRoundRobin => "tungsten-rr",
            Policy::TungstenShardSet => "tungsten-shardset",
            Policy::MysqlDatabase => "mysql-db",
            Policy::MysqlClock { preserve: false } => "mysql-lc",
            Policy::MysqlClock { preserve: true } => "mysql-lc-ordered",
            Policy::MysqlWriteset { preserve: false } => "mysql-writeset",
            Policy::MysqlWriteset { preserve: true } => "mysql-writeset-ordered",
            Policy::Mariadb(MariaMode::Conservative) => "mariadb-conservative",
            Policy::Mariadb(MariaMode::Optimistic) => "mariadb-optimistic",
            Policy::RowDag => "row-dag",
            Policy::DbDag => "db-dag",
            Policy::TableDag => "table-dag",
        }
    }

    /// The policy named `name`.
    pub fn from_name(name: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Why this policy cannot be simulated on `records`, if it cannot: its inputs are
    /// absent from the log.
    pub fn missing_input(self, records: &[TxnRecord]) -> Option<&'static str> {
        match self {
            Policy::MysqlClock { .. } if !records.iter().any(|r| r.clock.is_some()) => Some(
                "no logical clock (last_committed/sequence_number): only MySQL 5.7+ binary \
                 logs have one; not MariaDB binary logs, not THL",
            ),
            Policy::Mariadb(_) if !records.iter().any(|r| r.mariadb.is_some()) => Some(
                "no MariaDB GTID events (commit ids, flags, domains): only MariaDB binary \
                 logs have them; not MySQL binary logs, not THL",
            ),
            _ => None,
        }
    }
}

/// Runs one policy with `workers` workers (channels, threads; [`UNLIMITED`] for `T∞`).
/// `shard_list` supplies Tungsten's pins and critical shards; its hash method is
/// replaced by the policy's.
pub fn simulate(
    policy: Policy,
    records: &[TxnRecord],
    costs: &[f64],
    workers: u32,
    shard_list: &ShardList,
) -> Result<Schedule, ShardError> {
    Ok(match policy {
        Policy::Serial => {
            let mut clock = 0.0;
            let slots = costs
                .iter()
                .map(|&cost| {
                    let start = clock;
                    clock += cost;
                    Slot {
                        worker: 0,
                        start,
                        finish: clock,
                        commit: clock,
                        waited: 0.0,
                    }
                })
                .collect();
            Schedule {
                slots,
                ..Schedule::default()
            }
        }
        Policy::TungstenHash | Policy::TungstenRoundRobin | Policy::TungstenShardSet => {
            let method = if policy == Policy::TungstenRoundRobin {
                HashMethod::RoundRobin
            } else {
                HashMethod::StringHash
            };
            let list = shard_list.clone().with_hash_method(method);
            let shard_set = policy == Policy::TungstenShardSet;
            if workers == UNLIMITED {
                let mut partitioner = Partitioner::shard_list(list, 1)?;
                let channels = Channels::PerShard(&mut partitioner, HashMap::new());
                tungsten::simulate(records, costs, channels, shard_set)?
            } else {
                let mut partitioner = Partitioner::shard_list(list, workers)?;
                let channels = Channels::Partitioner(&mut partitioner);
                tungsten::simulate(records, costs, channels, shard_set)?
            }
        }
        Policy::MysqlDatabase => mysql::database(records, costs, workers),
        Policy::MysqlClock { preserve } => {
            let clocks = mysql::recorded_clocks(records);
            mysql::logical_clock(records, costs, clocks, workers, preserve)
        }
        Policy::MysqlWriteset { preserve } => {
            let clocks = mysql::writeset_clocks(records);
            mysql::logical_clock(records, costs, clocks, workers, preserve)
        }
        Policy::Mariadb(mode) => mariadb::simulate(records, costs, workers, mode),
        Policy::RowDag => {
            let keys = row_keys(records);
            let full = |i: usize| keys[i].is_none();
            list_schedule(
                costs,
                &mut KeyDependencies::new(keys.clone()),
                &full,
                workers,
            )
        }
        Policy::DbDag => {
            let dbs = database_keys(records);
            let full = |i: usize| dbs[i].is_none();
            list_schedule(
                costs,
                &mut KeyDependencies::new(dbs.clone()),
                &full,
                workers,
            )
        }
        Policy::TableDag => {
            let tables = table_keys(records);
            let full = |i: usize| tables[i].is_none();
            list_schedule(
                costs,
                &mut KeyDependencies::new(tables.clone()),
                &full,
                workers,
            )
        }
    })
}

/// `CP`: the heaviest path of the policy's dependency DAG, which no worker count can
/// beat. Tungsten's is the longest path of its constraint graph with a channel per
/// shard (shard order and barriers); MySQL DATABASE's is the database DAG's;
/// MariaDB optimistic's the row DAG's (lock waits).
pub fn critical_path_of(
    policy: Policy,
    records: &[TxnRecord],
    costs: &[f64],
    shard_list: &ShardList,
) -> Result<f64, ShardError> {
    Ok(match policy {
        Policy::Serial => costs.iter().sum(),
        Policy::TungstenHash | Policy::TungstenRoundRobin | Policy::TungstenShardSet => {
            simulate(policy, records, costs, UNLIMITED, shard_list)?.makespan()
        }
        Policy::MysqlDatabase | Policy::DbDag => {
            critical_path(costs, &mut KeyDependencies::new(database_keys(records)))
        }
        Policy::TableDag => critical_path(costs, &mut KeyDependencies::new(table_keys(records))),
        Policy::MysqlClock { .. } => critical_path(
            costs,
            &mut schedule::ClockDependencies::new(records, mysql::recorded_clocks(records)),
        ),
        Policy::MysqlWriteset { .. } => critical_path(
            costs,
            &mut schedule::ClockDependencies::new(records, mysql::writeset_clocks(records)),
        ),
        Policy::Mariadb(MariaMode::Conservative) => {
            critical_path(costs, &mut mariadb::BatchDependencies::new(records))
        }
        Policy::Mariadb(MariaMode::Optimistic) | Policy::RowDag => {
            critical_path(costs, &mut KeyDependencies::new(row_keys(records)))
        }
    })
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod worked_example;
