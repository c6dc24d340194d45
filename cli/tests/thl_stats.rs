//! `thl stats` over a THL log and over binary logs, against the fixtures' own facts
//! (the THL corpus README, `fixtures/txn/small/expected.json`).

mod common;

use std::collections::BTreeMap;

use common::{thl, thl_on};
use serde_json::Value as Json;

#[test]
fn thl_log_totals_match_the_corpus_readme() {
    replog_tests::require_corpus!();
    // tungsten-2.2.1: 10 records, 8 transactions; test 9 records / 7 transactions,
    // tungsten_repltest 1 / 1; 9217 bytes of which 16 are the file header.
    let stats: Json =
        serde_json::from_str(&thl_on("tungsten-2.2.1", &["stats", "-json"]).ok()).unwrap();
    assert_eq!(stats["transactions"], 8);
    assert_eq!(stats["fragments"], 10);
    assert_eq!(stats["bytes"], 9217 - 16);
    assert_eq!(
        (stats["seqno_low"].clone(), stats["seqno_high"].clone()),
        (0.into(), 7.into())
    );
    let shards: BTreeMap<String, (u64, u64)> = stats["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["shard"].as_str().unwrap().to_string(),
                (
                    s["transactions"].as_u64().unwrap(),
                    s["fragments"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(
        shards,
        BTreeMap::from([
            ("test".into(), (7, 9)),
            ("tungsten_repltest".into(), (1, 1))
        ])
    );
    // Records 4298 (1634 bytes: the update) and 7552+8005+8986 (seqno 7: 453+981+231).
    let largest: Vec<(i64, u64)> = stats["largest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["seqno"].as_i64().unwrap(), r["bytes"].as_u64().unwrap()))
        .collect();
    assert_eq!(largest[..2], [(7, 453 + 981 + 231), (4, 1634)]);
}

#[test]
fn binlog_totals_match_what_the_workload_did() {
    let dir = replog_tests::project_fixture("txn/small");
    let doc: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let stats: Json =
        serde_json::from_str(&thl(&["stats", "-json", "-file", dir.to_str().unwrap()]).ok())
            .unwrap();
    let txns = doc["transactions"].as_array().unwrap();
    assert_eq!(stats["transactions"], txns.len());
    // Transactions per shard, and rows per table and action, as the workload declared.
    let mut by_shard: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_table: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for t in txns {
        *by_shard
            .entry(t["shard"].as_str().unwrap().into())
            .or_default() += 1;
        for (table, actions) in t["rows"].as_object().unwrap() {
            let entry = by_table.entry(table.clone()).or_default();
            for (i, action) in ["write", "update", "delete"].iter().enumerate() {
                entry[i] += actions[*action].as_u64().unwrap_or(0);
            }
        }
    }
    let shards: BTreeMap<String, u64> = stats["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["shard"].as_str().unwrap().into(),
                s["transactions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(shards, by_shard);
    let tables: BTreeMap<String, [u64; 3]> = stats["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let n = |k: &str| t[k].as_u64().unwrap();
            (
                t["table"].as_str().unwrap().into(),
                [n("inserted"), n("updated"), n("deleted")],
            )
        })
        .collect();
    assert_eq!(tables, by_table);
    let rows: u64 = by_table.values().flatten().sum();
    assert_eq!(stats["rows"], rows);
    // The text form says the same.
    let text = thl(&["stats", "-file", dir.to_str().unwrap()]).ok();
    assert!(
        text.starts_with(&format!(
            "{} transactions (seqno 0 to {}),",
            txns.len(),
            txns.len() - 1
        )),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("app1.orders "))
        .expect("a line for app1.orders");
    let touching = txns
        .iter()
        .filter(|t| t["rows"].get("app1.orders").is_some())
        .count();
    let [ins, upd, del] = by_table["app1.orders"];
    let expected = format!("app1.orders {touching} {ins} {upd} {del}");
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>().join(" "),
        expected
    );
}
