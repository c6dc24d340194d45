//! Properties every simulator keeps on arbitrary logs: each transaction scheduled once,
//! barriers alone, conflicting transactions never at once, `T ≥ CP` and speed-up ≤ N.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;
use crate::binlog::events::mariadb_gtid::{
    FL_ALLOW_PARALLEL, FL_DDL, FL_GROUP_COMMIT_ID, FL_TRANSACTIONAL, FL_WAITED,
};
use crate::txn::extract::MariaGtidFacts;

/// One generated transaction: shard index (4 = cross-database `#UNKNOWN`, 5 = unknown
/// reach), keys, cost, how far back its commit parent is, whether it opens a new
/// commit group, and MariaDB flag choices.
type Spec = (usize, Vec<u64>, u8, i64, bool, bool, bool);

fn records(specs: &[Spec]) -> (Vec<TxnRecord>, Vec<f64>) {
    let mut group = 0u64;
    // A source cannot commit two transactions writing the same row in one group (the
    // second waits for the first's row lock): a commit parent is never older than the
    // last writer of its rows.
    let mut writers = std::collections::HashMap::new();
    let records = specs
        .iter()
        .enumerate()
        .map(|(i, (shard, keys, _, back, new_group, ddl, waited))| {
            let s = i as i64 + 1;
            group += u64::from(*new_group || i == 0);
            let (name, dbs) = match shard {
                4 => ("#UNKNOWN".to_string(), Some(vec!["db0", "db1"])),
                5 => ("#UNKNOWN".to_string(), None),
                n => (format!("db{n}"), None).clone(),
            };
            let dbs: Option<BTreeSet<String>> = match (shard, dbs) {
                (5, _) => None,
                (_, Some(list)) => Some(list.iter().map(|d| d.to_string()).collect()),
                (_, None) => Some([name.clone()].into_iter().collect()),
            };
            let mut flags = FL_GROUP_COMMIT_ID | FL_TRANSACTIONAL | FL_ALLOW_PARALLEL;
            if *ddl {
                flags |= FL_DDL;
            }
            if *waited {
                flags |= FL_WAITED;
            }
            let keys = (!*ddl && *shard != 5).then(|| keys.clone());
            let mut last_committed = (s - back).max(0);
            for k in keys.iter().flatten() {
                if let Some(&writer) = writers.get(k) {
                    last_committed = last_committed.max(writer);
                }
                writers.insert(*k, s);
            }
            // Rows of three tables per schema: a key's table is its remainder.
            let tables = keys.as_ref().map(|keys| {
                keys.iter()
                    .map(|k| format!("{name}.t{}", k % 3))
                    .collect::<BTreeSet<_>>()
            });
            TxnRecord {
                seqno: i as i64,
                shard: name,
                is_ddl: *ddl,
                keys,
                tables,
                dbs,
                clock: Some(LogicalClock {
                    last_committed,
                    sequence_number: s,
                }),
                binlog_file: Some("binlog.000001".into()),
                mariadb: Some(MariaGtidFacts {
                    domain_id: 0,
                    seq_no: s as u64,
                    commit_id: Some(group),
                    flags,
                }),
                ..TxnRecord::default()
            }
        })
        .collect();
    (records, specs.iter().map(|s| f64::from(s.2)).collect())
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0usize..6,
        proptest::collection::vec(0u64..6, 0..3),
        1u8..5,
        1i64..4,
        any::<bool>(),
        proptest::bool::weighted(0.1),
        proptest::bool::weighted(0.1),
    )
}

fn overlap(a: &Slot, b: &Slot) -> bool {
    a.start < b.finish && b.start < a.finish
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn schedules_respect_their_rules(specs in proptest::collection::vec(spec(), 1..30), n in 1u32..6) {
        let (records, costs) = records(&specs);
        let total: f64 = costs.iter().sum();
        let list = ShardList::default();
        for policy in Policy::ALL {
            let s = simulate(policy, &records, &costs, n, &list).unwrap();
            let name = policy.name();
            // Each transaction exactly once, for its cost.
            prop_assert_eq!(s.slots.len(), records.len(), "{}", name);
            for (slot, &c) in s.slots.iter().zip(&costs) {
                prop_assert_eq!(slot.finish - slot.start, c, "{}", name);
                prop_assert!(slot.commit >= slot.finish, "{}", name);
                prop_assert!(slot.waited >= 0.0, "{}", name);
            }
            let t = s.makespan();
            let cp = critical_path_of(policy, &records, &costs, &list).unwrap();
            prop_assert!(t >= cp - 1e-9, "{} T={} CP={}", name, t, cp);
            prop_assert!(total / t <= f64::from(n) + 1e-9, "{} speed-up over N", name);
            prop_assert!(total / t <= total / cp + 1e-9, "{} speed-up over W/CP", name);
        }
    }

    #[test]
    fn tungsten_barriers_stand_alone_and_channels_never_overlap(
        specs in proptest::collection::vec(spec(), 1..30), n in 1u32..6
    ) {
        let (records, costs) = records(&specs);
        let s = simulate(Policy::TungstenHash, &records, &costs, n, &ShardList::default()).unwrap();
        for i in 0..records.len() {
            for j in 0..i {
                let (a, b) = (&s.slots[j], &s.slots[i]);
                if records[i].shard == "#UNKNOWN" || records[j].shard == "#UNKNOWN" {
                    prop_assert!(!overlap(a, b), "critical {} and {} overlap", j, i);
                }
                if a.worker == b.worker {
                    prop_assert!(b.start >= a.finish, "channel order {} {}", j, i);
                }
            }
        }
    }

    #[test]
    fn tungsten_barriers_match_the_distributor(
        specs in proptest::collection::vec(spec(), 1..30), n in 1u32..6
    ) {
        // The simulator's barrier count is the distributor's (`Assigner`, spec §1.7).
        let (records, costs) = records(&specs);
        let s = simulate(Policy::TungstenHash, &records, &costs, n, &ShardList::default()).unwrap();
        let mut assigner = crate::shard::Assigner::new(Partitioner::shard_list(ShardList::default(), n).unwrap());
        let mut barriers = 0;
        for r in &records {
            let fragment = crate::shard::Fragment {
                seqno: r.seqno,
                fragno: 0,
                last_frag: true,
                epoch: 0,
                source_id: "",
                event_id: "",
                shard_id: crate::shard::ShardId::Text(&r.shard),
                source_tstamp: 0,
            };
            barriers += u64::from(assigner.assign(&fragment).unwrap().barrier.is_some());
        }
        prop_assert_eq!(s.barriers, barriers);
    }

    #[test]
    fn conflicting_transactions_never_run_at_once(
        specs in proptest::collection::vec(spec(), 1..30), n in 1u32..6
    ) {
        let (records, costs) = records(&specs);
        let list = ShardList::default();
        let keyed = [
            Policy::RowDag,
            Policy::MysqlWriteset { preserve: false },
            Policy::MysqlWriteset { preserve: true },
            Policy::Mariadb(MariaMode::Optimistic),
        ];
        for policy in keyed {
            let s = simulate(policy, &records, &costs, n, &list).unwrap();
            // WRITESET gives unkeyed transactions their commit-order parent, which lets
            // them run beside their group; the others treat them as touching everything.
            let unkeyed_conflict = !matches!(policy, Policy::MysqlWriteset { .. });
            for i in 0..records.len() {
                for j in 0..i {
                    let shared = match (&records[i].keys, &records[j].keys) {
                        (Some(a), Some(b)) => a.iter().any(|k| b.contains(k)),
                        _ => unkeyed_conflict,
                    };
                    if shared {
                        prop_assert!(!overlap(&s.slots[i], &s.slots[j]), "{} {} {}", policy.name(), j, i);
                    }
                }
            }
        }
        for preserve in [false, true] {
            let s = simulate(Policy::MysqlClock { preserve }, &records, &costs, n, &list).unwrap();
            for (i, r) in records.iter().enumerate() {
                let l = r.clock.unwrap().last_committed;
                for (j, earlier) in records[..i].iter().enumerate() {
                    if earlier.clock.unwrap().sequence_number <= l {
                        prop_assert!(s.slots[i].start >= s.slots[j].commit, "clock {} {}", j, i);
                    }
                }
            }
        }
        let s = simulate(Policy::DbDag, &records, &costs, n, &list).unwrap();
        let d = simulate(Policy::MysqlDatabase, &records, &costs, n, &list).unwrap();
        let t = simulate(Policy::TableDag, &records, &costs, n, &list).unwrap();
        for i in 0..records.len() {
            for j in 0..i {
                let same_table = match (&records[i].tables, &records[j].tables) {
                    (Some(a), Some(b)) => !a.is_disjoint(b),
                    _ => true,
                };
                if same_table {
                    prop_assert!(!overlap(&t.slots[i], &t.slots[j]), "table-dag {} {}", j, i);
                }
                let shared = match (&records[i].dbs, &records[j].dbs) {
                    (Some(a), Some(b)) => !a.is_disjoint(b),
                    _ => true,
                };
                if shared {
                    prop_assert!(!overlap(&s.slots[i], &s.slots[j]), "db-dag {} {}", j, i);
                    prop_assert!(!overlap(&d.slots[i], &d.slots[j]), "mysql-db {} {}", j, i);
                }
            }
        }
    }
}
