//! `replog::parallel` on real logs: the committed MariaDB set `fixtures/txn/small` and
//! the shared THL fixtures. The expectations are derived by hand in the comments from
//! `fixtures/txn/small/expected.json` and the spec's hash rule, not from replog's output.

use replog::binlog::stream::{sequence_of, Stream};
use replog::input::OpenOptions;
use replog::parallel::{
    analyze, simulate, AnalysisOptions, CostModel, Policy, Streams, TxnRecord, UNLIMITED,
};
use replog::shard::ShardList;
use replog::thl::{LogDir, ReadOptions};
use replog::txn::binlog::walk_transactions_with_facts;
use replog::txn::extract::ExtractOptions;
use replog::txn::thl::ThlWalk;
use replog::{Error, Flow};
use replog_tests::{project_fixture, shared_fixture};

fn small_set() -> Vec<TxnRecord> {
    let dir = project_fixture("txn/small");
    let files = sequence_of(&[dir.display().to_string()]).unwrap();
    let options = ExtractOptions::new("alpha", "host1");
    let mut records = Vec::new();
    walk_transactions_with_facts(
        &files,
        Stream::new(OpenOptions::default()),
        options,
        &mut |txn, facts| -> Result<Flow, Error> {
            records.extend(TxnRecord::from_transaction(txn, Some(facts))?);
            Ok(Flow::Continue)
        },
        &mut |e| panic!("{e}"),
    )
    .unwrap();
    records
}

fn makespan(policy: Policy, records: &[TxnRecord], n: u32) -> f64 {
    let costs = vec![1.0; records.len()];
    simulate(policy, records, &costs, n, &ShardList::default())
        .unwrap()
        .makespan()
}

#[test]
fn mariadb_small_set_under_tungsten_string_hash() {
    let records = small_set();
    // expected.json: 24 transactions; shards in order (n = 1…24)
    // app1 app2 app3 app1 app1 app2 app2 app3 app3 app1 app2 app1 app1 #UNKNOWN
    // app2 app2 app2 app1 app1 app1 app2 #UNKNOWN app3 app3.
    let shards: Vec<&str> = records.iter().map(|r| r.shard.as_str()).collect();
    assert_eq!(shards.len(), 24);
    assert_eq!(shards[13], "#UNKNOWN");
    assert_eq!(shards[21], "#UNKNOWN");
    // H(app1) = 97·31³ + 112·31² + 112·31 + 49 = 3000880, app2 3000881, app3 3000882;
    // #UNKNOWN → 1 of 2, 3 of 4 (spec §1.5).
    // N = 2: app1, app3 → 0; app2, #UNKNOWN → 1. Unit costs: channel 0 runs n1..n13's
    // app1/app3 work (9 transactions) until 9; n14 (#UNKNOWN) waits for all, 9–10; n15
    // leaves the critical section, 10–11; app2 then runs 11–13 and n21 13–14; app1's
    // n18–n20 run 10–13; n22 waits for all: 14–15; n23, n24 after it: 15–17.
    assert_eq!(makespan(Policy::TungstenHash, &records, 2), 17.0);
    // N = 4: app1 → 0, app2 → 1, app3 → 2, #UNKNOWN → 3. Before n14, app1's six
    // transactions are the longest chain (0–6); n14 6–7; app2 n15–n17 7–10 and n21
    // 10–11 (app1's n18–n20 7–10 beside them); n22 11–12; n23, n24 12–14.
    assert_eq!(makespan(Policy::TungstenHash, &records, 4), 14.0);
    // Two critical sections, each entered and left: 4 barriers.
    let costs = vec![1.0; records.len()];
    let s = simulate(
        Policy::TungstenHash,
        &records,
        &costs,
        4,
        &ShardList::default(),
    )
    .unwrap();
    assert_eq!(s.barriers, 4);
    assert_eq!(s.serialized_cost, 2.0);
}

#[test]
fn mariadb_small_set_without_group_commits_is_serial_for_conservative_mode() {
    let records = small_set();
    // No GTID of expected.json carries a group-commit id (one session, no commit
    // wait): every transaction is a batch of its own, so conservative mode is serial.
    assert!(records
        .iter()
        .all(|r| r.mariadb.is_some_and(|g| g.commit_id.is_none())));
    for n in [1, 4, UNLIMITED] {
        assert_eq!(
            makespan(
                Policy::Mariadb(replog::parallel::MariaMode::Conservative),
                &records,
                n
            ),
            24.0
        );
    }
    // One domain (0), one server (1): a single stream.
    assert_eq!(Streams::of(&records), None);
}

#[test]
fn mariadb_small_set_database_dag() {
    let records = small_set();
    // Database chains with unit costs (expected.json schemas): app1 reaches 6 at n13;
    // n14 (app1, app2) waits for app1's 6 and app2's 4: 6–7; app2 n15–n17 → 10, app1
    // n18–n20 → 10, app2 n21 → 11; n22 (XA COMMIT, reach unknown) follows everything:
    // 11–12; app3 n23, n24 → 14.
    let options = AnalysisOptions {
        channels: vec![1, 2],
        policies: vec![Policy::DbDag, Policy::MysqlClock { preserve: false }],
        cost: CostModel::Unit,
        shard_list: ShardList::default(),
    };
    let analysis = analyze(&records, &options).unwrap();
    assert_eq!(analysis.policies[0].critical_path, 14.0);
    assert_eq!(analysis.policies[0].runs[0].makespan, 24.0);
    // A MariaDB log has no logical clock: the policy says so instead of printing zeros.
    assert!(analysis.policies[1].missing.is_some());
    assert!(analysis.policies[1].runs.is_empty());
    // Loads: app1 9, app2 8, app3 5, #UNKNOWN 2.
    let loads: Vec<(&str, u64)> = analysis
        .shards
        .iter()
        .map(|s| (s.shard.as_str(), s.transactions))
        .collect();
    assert_eq!(
        loads,
        [("app1", 9), ("app2", 8), ("app3", 5), ("#UNKNOWN", 2)]
    );
    assert_eq!(analysis.cross_database, 1);
}

#[test]
fn tungsten_221_thl_under_string_hash() {
    replog_tests::require_corpus!();
    let dir = LogDir::open(&shared_fixture("thl/tungsten-2.2.1")).unwrap();
    let index = dir.index(ReadOptions::tungsten()).unwrap();
    let names = index.entries().iter().map(|e| e.file_name.as_str());
    let mut records = Vec::new();
    let walk = ThlWalk {
        read: ReadOptions::tungsten(),
        permissive: false,
        check_ahead: false,
        release_behind: true,
    };
    walk.walk(
        &dir,
        names,
        &mut |txn| -> Result<Flow, Error> {
            records.extend(TxnRecord::from_transaction(txn, None)?);
            Ok(Flow::Continue)
        },
        &mut |e| panic!("{e}"),
    )
    .unwrap();
    // README of the THL fixtures: seqno 0 is the heartbeat (shard tungsten_repltest),
    // seqnos 1–7 the workload on `test`, seqno 7 in three fragments.
    assert_eq!(records.len(), 8);
    assert_eq!(records[7].frags, 3);
    // H(test) = 3556498 (spec §1.5): channel 0 of 2, 2 of 4; H(tungsten_repltest) =
    // 1678918812: channel 0 of 2 and of 4. N = 2: one channel, serial, 8. N = 4: the
    // heartbeat beside the seven `test` transactions: 7.
    assert_eq!(makespan(Policy::TungstenHash, &records, 2), 8.0);
    assert_eq!(makespan(Policy::TungstenHash, &records, 4), 7.0);
    // THL carries neither logical clocks nor MariaDB GTIDs.
    for policy in [
        Policy::MysqlClock { preserve: true },
        Policy::Mariadb(replog::parallel::MariaMode::Optimistic),
    ] {
        assert!(
            policy.missing_input(&records).is_some(),
            "{}",
            policy.name()
        );
    }
}
