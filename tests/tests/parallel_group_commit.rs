//! MariaDB group commit, live: a throwaway server commits concurrent sessions in groups
//! (`fixtures/group_commit/generate.sh`), and replog must find exactly the groups
//! `mariadb-binlog` shows as `cid=` — in what extraction says of each transaction, and
//! in the batches MariaDB's conservative simulator runs.
//!
//! Group sizes depend on timing, so nothing is committed: the test compares replog with
//! `mariadb-binlog` on the file it just generated. Needs `mariadbd` and
//! `mariadb-binlog` (skipped with a notice otherwise, required under `CI=true`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use replog::binlog::stream::Stream;
use replog::input::OpenOptions;
use replog::parallel::{simulate, CostModel, MariaMode, Policy, TxnRecord, UNLIMITED};
use replog::shard::ShardList;
use replog::txn::binlog::walk_transactions_with_facts;
use replog::txn::extract::ExtractOptions;
use replog::{Error, Flow};
use replog_tests::project_fixture;

/// `GTID d-s-n cid=C` lines of `mariadb-binlog`: sequence number → commit id.
fn mariadb_binlog_groups(tool: &PathBuf, file: &PathBuf) -> BTreeMap<u64, Option<u64>> {
    let out = Command::new(tool).arg(file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut groups = BTreeMap::new();
    for line in text.lines() {
        let Some(at) = line.find("\tGTID ") else {
            continue;
        };
        let mut words = line[at + 6..].split_whitespace();
        let gtid = words.next().unwrap();
        let seq_no: u64 = gtid.rsplit('-').next().unwrap().parse().unwrap();
        let cid = words
            .find_map(|w| w.strip_prefix("cid="))
            .map(|c| c.parse().unwrap());
        groups.insert(seq_no, cid);
    }
    groups
}

#[test]
fn commit_id_groups_are_those_mariadb_binlog_shows() {
    let (Some(_), Some(reader)) = (
        replog_tests::installed("mariadbd"),
        replog_tests::installed("mariadb-binlog"),
    ) else {
        replog_tests::skip_unless_required!(
            "mariadbd or mariadb-binlog is not installed",
            "install Debian's mariadb-server and mariadb-client (.ci/run does)"
        );
    };
    let out = tempfile::tempdir().unwrap();
    let run = Command::new("bash")
        .arg(project_fixture("group_commit/generate.sh"))
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "generate.sh failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let file = out.path().join("mysql-bin.000001");
    let theirs = mariadb_binlog_groups(&reader, &file);

    let mut ours = BTreeMap::new();
    let mut records = Vec::new();
    walk_transactions_with_facts(
        &vec![file.display().to_string()],
        Stream::new(OpenOptions::default()),
        ExtractOptions::new("gc", "gc"),
        &mut |txn, facts| -> Result<Flow, Error> {
            let gtid = facts
                .mariadb_gtid
                .expect("every MariaDB transaction has a GTID");
            ours.insert(gtid.seq_no, gtid.commit_id);
            records.extend(TxnRecord::from_transaction(txn, Some(facts))?);
            Ok(Flow::Continue)
        },
        &mut |e| panic!("{e}"),
    )
    .unwrap();
    // The two DDL statements and 80 inserts, each its own GTID.
    assert_eq!(theirs.len(), 82, "{theirs:?}");
    assert_eq!(ours, theirs, "commit ids per GTID");

    // Batches: consecutive transactions of one commit id; one without is alone.
    let mut batches = 0usize;
    let mut previous: Option<u64> = None;
    for cid in theirs.values() {
        if cid.is_none() || *cid != previous {
            batches += 1;
        }
        previous = *cid;
    }
    let grouped = theirs.values().filter(|c| c.is_some()).count();
    assert!(
        batches < theirs.len() && grouped >= 8,
        "the server formed groups ({batches} batches for {} transactions)",
        theirs.len()
    );
    // Conservative mode runs each batch at once and the next after it: with unit costs
    // and enough threads, the makespan is the number of batches.
    let costs: Vec<f64> = records.iter().map(|r| CostModel::Unit.cost(r)).collect();
    let schedule = simulate(
        Policy::Mariadb(MariaMode::Conservative),
        &records,
        &costs,
        UNLIMITED,
        &ShardList::default(),
    )
    .unwrap();
    assert_eq!(schedule.makespan(), batches as f64);
}
