//! The 8-transaction worked example of spec §3.4, built by hand: every makespan of its
//! summary table, its critical paths and the schedules its text spells out.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use super::*;
use crate::binlog::events::mariadb_gtid::{
    FL_ALLOW_PARALLEL, FL_GROUP_COMMIT_ID, FL_TRANSACTIONAL,
};
use crate::txn::extract::MariaGtidFacts;

fn key(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Row i of the §3.4 table: databases, rows written, cost, L, S, commit group, shard.
type Row = (
    &'static [&'static str],
    &'static [&'static str],
    f64,
    i64,
    i64,
    u64,
    &'static str,
);

fn example() -> (Vec<TxnRecord>, Vec<f64>) {
    let rows: [Row; 8] = [
        (&["db1"], &["db1.t:1"], 2.0, 100, 101, 1, "db1"),
        (&["db2"], &["db2.t:1"], 2.0, 100, 102, 1, "db2"),
        (&["db1"], &["db1.t:2"], 1.0, 102, 103, 2, "db1"),
        (
            &["db1", "db2"],
            &["db1.t:1", "db2.t:5"],
            1.0,
            102,
            104,
            2,
            "#UNKNOWN",
        ),
        (&["db3"], &["db3.t:1"], 3.0, 104, 105, 3, "db3"),
        (&["db2"], &["db2.t:1"], 1.0, 104, 106, 3, "db2"),
        (&["db1"], &["db1.t:3"], 1.0, 104, 107, 3, "db1"),
        (&["db3"], &["db3.t:2"], 1.0, 107, 108, 4, "db3"),
    ];
    let records = rows
        .iter()
        .enumerate()
        .map(|(i, &(dbs, keys, _, l, s, group, shard))| TxnRecord {
            seqno: i as i64,
            frags: 1,
            shard: shard.to_string(),
            dbs: Some(dbs.iter().map(|d| d.to_string()).collect::<BTreeSet<_>>()),
            keys: Some(keys.iter().map(|k| key(k)).collect()),
            clock: Some(LogicalClock {
                last_committed: l,
                sequence_number: s,
            }),
            binlog_file: Some("mysql-bin.000001".into()),
            mariadb: Some(MariaGtidFacts {
                domain_id: 0,
                seq_no: s as u64,
                commit_id: Some(group),
                flags: FL_GROUP_COMMIT_ID | FL_TRANSACTIONAL | FL_ALLOW_PARALLEL,
            }),
            ..TxnRecord::default()
        })
        .collect();
    (records, rows.iter().map(|r| r.2).collect())
}

fn run(policy: Policy, n: u32) -> Schedule {
    let (records, costs) = example();
    simulate(policy, &records, &costs, n, &ShardList::default()).unwrap()
}

fn makespan(policy: Policy, n: u32) -> f64 {
    run(policy, n).makespan()
}

fn cp(policy: Policy) -> f64 {
    let (records, costs) = example();
    critical_path_of(policy, &records, &costs, &ShardList::default()).unwrap()
}

/// `(start, finish)` of every transaction.
fn times(schedule: &Schedule) -> Vec<(f64, f64)> {
    schedule.slots.iter().map(|s| (s.start, s.finish)).collect()
}

#[test]
fn total_work_is_12_and_serial_takes_it_all() {
    let (_, costs) = example();
    assert_eq!(costs.iter().sum::<f64>(), 12.0);
    assert_eq!(makespan(Policy::Serial, 3), 12.0);
}

#[test]
fn summary_table_makespans() {
    use MariaMode::*;
    // Spec §3.4 summary: T for N = 2, 3, 8 ("—" cells are not given).
    let table: [(Policy, [Option<f64>; 3]); 10] = [
        (Policy::TungstenHash, [Some(9.0), Some(8.0), Some(8.0)]),
        (Policy::TungstenRoundRobin, [Some(9.0), Some(9.0), None]),
        (Policy::TungstenShardSet, [Some(9.0), Some(5.0), Some(5.0)]),
        (Policy::MysqlDatabase, [Some(6.0), Some(6.0), Some(6.0)]),
        (
            Policy::MysqlClock { preserve: false },
            [Some(7.0), Some(7.0), Some(7.0)],
        ),
        (
            Policy::MysqlWriteset { preserve: false },
            [Some(6.0), Some(5.0), Some(5.0)],
        ),
        (
            Policy::MysqlWriteset { preserve: true },
            [Some(7.0), Some(6.0), Some(5.0)],
        ),
        (
            Policy::Mariadb(Conservative),
            [Some(8.0), Some(7.0), Some(7.0)],
        ),
        (
            Policy::Mariadb(Optimistic),
            [Some(7.0), Some(6.0), Some(3.0)],
        ),
        (Policy::RowDag, [Some(6.0), Some(5.0), Some(3.0)]),
    ];
    for (policy, expected) in table {
        for (n, want) in [2, 3, 8].into_iter().zip(expected) {
            if let Some(want) = want {
                assert_eq!(makespan(policy, n), want, "{} N={n}", policy.name());
            }
        }
    }
}

#[test]
fn tungsten_string_hash_n3_schedule_and_barriers() {
    // db1 → 1, db2 → 2, db3 → 0, #UNKNOWN → 2 (critical): the §3.4 table.
    let s = run(Policy::TungstenHash, 3);
    let channels: Vec<u32> = s.slots.iter().map(|s| s.worker).collect();
    assert_eq!(channels, [1, 2, 1, 2, 0, 2, 1, 0]);
    assert_eq!(
        times(&s),
        [
            (0.0, 2.0),
            (0.0, 2.0),
            (2.0, 3.0),
            (3.0, 4.0),
            (4.0, 7.0),
            (4.0, 5.0),
            (4.0, 5.0),
            (7.0, 8.0)
        ]
    );
    // One entry (serializationCount = 1) and one exit.
    assert_eq!(s.barriers, 2);
    let (records, _) = example();
    let options = AnalysisOptions {
        channels: vec![3],
        policies: vec![Policy::TungstenHash],
        cost: CostModel::Unit,
        shard_list: ShardList::default(),
    };
    let analysis = analyze(&records, &options).unwrap();
    // With the example's costs the loads are 4, 4, 4; the unit model counts
    // transactions: 4 and 7 on channel 0, 0, 2 and 6 on 1, 1, 3 and 5 on 2.
    assert_eq!(analysis.policies[0].runs[0].channel_loads, [2.0, 3.0, 3.0]);
    // N = 5 (db1 → 2, db2 → 3, db3 → 4) stays 8; N = 1 is serial.
    assert_eq!(makespan(Policy::TungstenHash, 5), 8.0);
    assert_eq!(makespan(Policy::TungstenHash, 1), 12.0);
}

#[test]
fn tungsten_critical_path_is_the_constraint_graph() {
    // 0 → 2 → [barrier] 3 → [barrier] 4 → 7 = 2+1+1+3+1.
    assert_eq!(cp(Policy::TungstenHash), 8.0);
}

#[test]
fn shard_set_runs_the_cross_database_transaction_on_both_channels() {
    let s = run(Policy::TungstenShardSet, 3);
    // 3 runs 3–4 holding channels 1 and 2; db3 work 0–3 and 3–4; 5 and 6 run 4–5.
    assert_eq!(s.slots[3].start, 3.0);
    assert_eq!(s.slots[3].finish, 4.0);
    assert_eq!(times(&s)[4], (0.0, 3.0));
    assert_eq!(times(&s)[7], (3.0, 4.0));
    assert_eq!(times(&s)[5], (4.0, 5.0));
    assert_eq!(times(&s)[6], (4.0, 5.0));
    assert_eq!(s.barriers, 0);
}

#[test]
fn mysql_recorded_clock_n3_and_its_ceiling() {
    let s = run(Policy::MysqlClock { preserve: false }, 3);
    assert_eq!(
        times(&s),
        [
            (0.0, 2.0),
            (0.0, 2.0),
            (2.0, 3.0),
            (2.0, 3.0),
            (3.0, 6.0),
            (3.0, 4.0),
            (3.0, 4.0),
            (6.0, 7.0)
        ]
    );
    // T∞ = CP = 7: the recorded groups, not N, are the limit.
    assert_eq!(
        makespan(Policy::MysqlClock { preserve: false }, UNLIMITED),
        7.0
    );
    assert_eq!(cp(Policy::MysqlClock { preserve: false }), 7.0);
}

#[test]
fn writeset_clocks_recomputed() {
    let (records, _) = example();
    let parents: Vec<i64> = mysql::writeset_clocks(&records)
        .into_iter()
        .map(|c| c.unwrap().last_committed)
        .collect();
    assert_eq!(parents, [100, 100, 100, 101, 100, 102, 100, 100]);
    let s = run(Policy::MysqlWriteset { preserve: false }, 3);
    assert_eq!(
        times(&s),
        [
            (0.0, 2.0),
            (0.0, 2.0),
            (0.0, 1.0),
            (2.0, 3.0),
            (2.0, 5.0),
            (2.0, 3.0),
            (3.0, 4.0),
            (3.0, 4.0)
        ]
    );
    // In-order dispatch keeps T∞ at 5 while the write-set DAG's critical path is 3.
    assert_eq!(
        makespan(Policy::MysqlWriteset { preserve: false }, UNLIMITED),
        5.0
    );
    assert_eq!(cp(Policy::MysqlWriteset { preserve: false }), 3.0);
}

#[test]
fn mysql_database_affinity_n3() {
    let s = run(Policy::MysqlDatabase, 3);
    let workers: Vec<u32> = s.slots.iter().map(|s| s.worker).collect();
    assert_eq!(workers, [0, 1, 0, 0, 1, 0, 0, 1]);
    assert_eq!(
        times(&s),
        [
            (0.0, 2.0),
            (0.0, 2.0),
            (2.0, 3.0),
            (3.0, 4.0),
            (2.0, 5.0),
            (4.0, 5.0),
            (5.0, 6.0),
            (5.0, 6.0)
        ]
    );
    // DB-DAG: 0 → 2 → 3 → 5 = 5.
    assert_eq!(cp(Policy::MysqlDatabase), 5.0);
    assert_eq!(cp(Policy::DbDag), 5.0);
}

#[test]
fn mariadb_conservative_n3() {
    let s = run(Policy::Mariadb(MariaMode::Conservative), 3);
    assert_eq!(
        times(&s),
        [
            (0.0, 2.0),
            (0.0, 2.0),
            (2.0, 3.0),
            (2.0, 3.0),
            (3.0, 6.0),
            (3.0, 4.0),
            (3.0, 4.0),
            (6.0, 7.0)
        ]
    );
    // 5 and 6 commit at 6, after 4.
    assert_eq!(s.slots[5].commit, 6.0);
    assert_eq!(s.slots[6].commit, 6.0);
    assert_eq!(cp(Policy::Mariadb(MariaMode::Conservative)), 7.0);
}

#[test]
fn mariadb_optimistic_n3_and_n8() {
    let s = run(Policy::Mariadb(MariaMode::Optimistic), 3);
    let threads: Vec<u32> = s.slots.iter().map(|s| s.worker).collect();
    assert_eq!(threads, [0, 1, 2, 0, 1, 2, 0, 1]);
    assert_eq!(
        times(&s),
        [
            (0.0, 2.0),
            (0.0, 2.0),
            (0.0, 1.0),
            (2.0, 3.0),
            (2.0, 5.0),
            (2.0, 3.0),
            (3.0, 4.0),
            (5.0, 6.0)
        ]
    );
    assert_eq!(s.slots[2].commit, 2.0);
    assert_eq!(s.slots[5].commit, 5.0);
    assert_eq!(s.slots[6].commit, 5.0);
    // 8 threads: two lock waits (3 on 0's row, 5 on 1's), T = 3.
    let s = run(Policy::Mariadb(MariaMode::Optimistic), 8);
    assert_eq!(s.lock_waits, 2);
    assert_eq!(s.makespan(), 3.0);
    assert_eq!(cp(Policy::Mariadb(MariaMode::Optimistic)), 3.0);
}

#[test]
fn row_dag_oracle() {
    // Edges 0 → 3 and 1 → 5 only: CP = 3, W / CP = 4.
    assert_eq!(cp(Policy::RowDag), 3.0);
    assert_eq!(makespan(Policy::RowDag, UNLIMITED), 3.0);
}

#[test]
fn analysis_reports_speedups_and_the_knee() {
    let (records, _) = example();
    let options = AnalysisOptions {
        channels: vec![2, 3, 8],
        policies: Policy::ALL.to_vec(),
        cost: CostModel::Unit,
        shard_list: ShardList::default(),
    };
    // With the unit model every transaction costs 1; W = 8.
    let analysis = analyze(&records, &options).unwrap();
    assert_eq!(analysis.total_cost, 8.0);
    assert_eq!(analysis.cross_database, 1);
    let serial = &analysis.policies[0];
    assert_eq!(
        serial.runs.iter().map(|r| r.speedup).collect::<Vec<_>>(),
        [1.0; 3]
    );
    for report in &analysis.policies {
        assert!(report.missing.is_none(), "{}", report.policy.name());
        for r in &report.runs {
            assert!(r.speedup <= f64::from(r.channels) + 1e-9);
            assert!(
                r.makespan >= report.critical_path - 1e-9,
                "{}",
                report.policy.name()
            );
        }
    }
}
