//! Binary logs to THL transactions (`replog::txn`), checked against what the logs hold.
//!
//! Expected values come from the event listings of the files (`thl events`, quoted in
//! the comments) read with the MySQL extractor's rules: where each transaction commits,
//! whose thread ran it, which schema it touches.

use replog::thl::event::{Action, Change};
use replog::txn::extract::ExtractOptions;
use replog::txn::{OwnedTransaction, Transaction};
use replog_tests::{extract_transactions, project_fixture, require_corpus, shared_fixture};

fn options() -> ExtractOptions {
    ExtractOptions::new("alpha", "host1")
}

/// seqno, eventId, shard, metadata (as `k=v;…`) of each transaction's last fragment.
fn tags(txns: &[OwnedTransaction]) -> Vec<(i64, String, String, String)> {
    txns.iter()
        .map(|t| {
            let txn = t.transaction().unwrap();
            let last = txn.fragments.last().unwrap().event().unwrap();
            let event = last.decode().unwrap();
            let metadata: Vec<String> = event
                .body
                .metadata
                .iter()
                .map(|o| {
                    if o.value.is_empty() {
                        o.name.to_string()
                    } else {
                        format!("{}={}", o.name, o.value)
                    }
                })
                .collect();
            (
                last.header.seqno,
                last.header.event_id.text().to_string(),
                last.header.shard_id.text().to_string(),
                metadata.join(";"),
            )
        })
        .collect()
}

fn changes_of(txn: &OwnedTransaction) -> Vec<String> {
    let txn = txn.transaction().unwrap();
    let mut out = Vec::new();
    for record in &txn.fragments {
        let event = record.event().unwrap().decode().unwrap();
        for change in &event.body.changes {
            out.push(match change {
                Change::Statement(s) => format!(
                    "SQL[{}] {}",
                    s.default_schema.unwrap_or("-"),
                    String::from_utf8_lossy(s.query_bytes())
                ),
                Change::Rows(r) => r
                    .row_changes
                    .iter()
                    .map(|c| {
                        let action = match c.action {
                            Action::Insert => "INSERT",
                            Action::Update => "UPDATE",
                            Action::Delete => "DELETE",
                            Action::Other(_) => "OTHER",
                        };
                        let rows = c.column_values.len().max(c.key_values.len());
                        format!("{action} {}.{} x{rows}", c.schema_name, c.table_name)
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                Change::RowId(r) => format!("ROWID {} {:?}", r.id, r.kind()),
                Change::FileFragment(f) => format!("FILE #{} {} bytes", f.file_id, f.data.len()),
                Change::FileQuery(q) => format!("LOAD #{}", q.file_id),
                other => format!("{other:?}"),
            });
        }
    }
    out
}

#[test]
fn tungsten_row_log_becomes_one_transaction_per_commit() {
    require_corpus!();
    let file = shared_fixture("binlog/tungsten/binlog_rbr_1.000001");
    let (txns, reports) = extract_transactions(&[file.display().to_string()], options());
    let txns = txns.unwrap();
    assert!(reports.is_empty(), "{reports:?}");
    // Events (offset, type, end): 106 QUERY create table (thread 4673) 218; 218 BEGIN,
    // 286 TABLE_MAP, 330 WRITE_ROWS, 370 XID ends 397; the same shape ends at 657 (two
    // WRITE_ROWS), 847 (UPDATE), 1025 and 1216 (DELETE); 1216 QUERY drop table ends 1292.
    // Row transactions carry no session id (-1); DDL is unsafe for block commit.
    let id = |end: u64, session: &str| format!("binlog_rbr_1.000001:{end:016};{session}");
    let base = "mysql_server_id=1;tz_aware=true;dbms_type=mysql;service=alpha;shard=test";
    let ddl = "mysql_server_id=1;unsafe_for_block_commit;tz_aware=true;dbms_type=mysql;\
               service=alpha;shard=test";
    let expected: Vec<(i64, String, String, String)> = [
        (218, "4673", ddl),
        (397, "-1", base),
        (657, "-1", base),
        (847, "-1", base),
        (1025, "-1", base),
        (1216, "-1", base),
        (1292, "4673", ddl),
    ]
    .iter()
    .enumerate()
    .map(|(seqno, (end, session, meta))| {
        (
            seqno as i64,
            id(*end, session),
            "test".to_string(),
            meta.to_string(),
        )
    })
    .collect();
    assert_eq!(tags(&txns), expected);
    assert_eq!(
        changes_of(&txns[0]),
        ["SQL[test] create table t0 (i int, n char(30)) engine=innodb"]
    );
    assert_eq!(
        changes_of(&txns[2]),
        ["INSERT test.t0 x1", "INSERT test.t0 x1"]
    );
    assert_eq!(changes_of(&txns[3]), ["UPDATE test.t0 x1"]);
    assert_eq!(changes_of(&txns[4]), ["DELETE test.t0 x1"]);
    // The options of a row transaction are its BEGIN's session settings.
    let txn = txns[1].transaction().unwrap();
    let event = txn.fragments[0].event().unwrap().decode().unwrap();
    let names: Vec<&str> = event.body.options.iter().map(|o| o.name).collect();
    assert_eq!(
        names,
        [
            "autocommit",
            "sql_auto_is_null",
            "foreign_key_checks",
            "unique_checks",
            "sql_mode",
            "character_set_client",
            "collation_connection",
            "collation_server"
        ]
    );
}

#[test]
fn tungsten_statement_logs_commit_where_the_extractor_does() {
    require_corpus!();
    // binlog_trx: 106 create table (thread 2) ends 227; 227 BEGIN, two inserts, XID ends
    // 530 (thread 1); 530 an autocommit insert (thread 2) ends 642 and commits there (its
    // XID at 642 then has nothing left to commit); 669 BEGIN … XID ends 868 (thread 1);
    // 868 BEGIN, two inserts, XID ends 1171; 1171 BEGIN, two inserts, XID ends 1490
    // (thread 2).
    let file = shared_fixture("binlog/tungsten/binlog_trx.000001");
    let (txns, _) = extract_transactions(&[file.display().to_string()], options());
    let txns = txns.unwrap();
    let ids: Vec<String> = tags(&txns).into_iter().map(|t| t.1).collect();
    let id = |end: u64, session: u32| format!("binlog_trx.000001:{end:016};{session}");
    assert_eq!(
        ids,
        [
            id(227, 2),
            id(530, 1),
            id(642, 2),
            id(868, 1),
            id(1171, 1),
            id(1490, 2)
        ]
    );
    // Inside a transaction the default schema is written once, on its first statement.
    assert_eq!(
        changes_of(&txns[1]),
        [
            "SQL[test] insert into test.table1 values(1, 'row1')",
            "SQL[-] insert into test.table1 values(2, 'row2')"
        ]
    );
}

#[test]
fn every_corpus_log_extracts_or_fails_at_its_damage() {
    require_corpus!();
    let dir = shared_fixture("binlog");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .chain(std::fs::read_dir(dir.join("tungsten")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e != "md"))
        .collect();
    names.sort();
    assert!(names.len() >= 38, "{} logs", names.len());
    // The damaged files of the corpus README, with the offset of their damage.
    let damaged = [
        // Closed (in-use flag clear) but without its closing ROTATE or STOP.
        ("binlog_savepoint.000001", 1014),
        ("binlog_truncated_event.000001", 4),
        ("binlog_truncated_prev_gtid_event.000001", 120),
        ("corrupt-relay-bin.000624", 91204),
    ];
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (result, reports) = extract_transactions(&[path.display().to_string()], options());
        if let Some((_, offset)) = damaged.iter().find(|d| d.0 == name) {
            let err = result.expect_err(&name);
            assert_eq!(err.offset, *offset, "{name}: {err}");
            continue;
        }
        let txns = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        // Seqnos are dense from 0; every transaction ends with its last fragment, and its
        // eventId names this file and a position inside it, never going backwards.
        let mut last_position = 0;
        for (i, t) in txns.iter().enumerate() {
            let txn = t.transaction().unwrap();
            assert_eq!(txn.seqno(), Some(i as i64), "{name}");
            assert!(txn.is_complete(), "{name}");
            let id =
                replog::txn::event_id::EventId::parse(txn.last().unwrap().event_id.text()).unwrap();
            assert_eq!(id.file, name, "{name}");
            assert!(id.position > last_position, "{name}: {id:?}");
            assert!(
                id.position <= std::fs::metadata(&path).unwrap().len(),
                "{name}"
            );
            last_position = id.position;
            for record in &txn.fragments {
                record.event().unwrap().decode().unwrap();
            }
        }
        if name == "bug40482-bin.000001" {
            assert!(
                reports
                    .iter()
                    .any(|r| r.contains("INCIDENT") && r.contains("at byte 106")),
                "{reports:?}"
            );
        } else {
            assert!(reports.is_empty(), "{name}: {reports:?}");
        }
    }
}

#[test]
fn mariadb_sample_transactions_and_tags() {
    let file = project_fixture("mariadb/sample-bin.000001");
    let (txns, reports) = extract_transactions(&[file.display().to_string()], options());
    let txns = txns.unwrap();
    assert!(reports.is_empty(), "{reports:?}");
    // MariaDB 10.11: CREATE DATABASE and CREATE TABLE (standalone GTIDs 0-1-1, 0-1-2),
    // then row transactions opened by GTID events (no BEGIN query): an insert of three
    // rows, an update, a delete (see fixtures/mariadb/README.md).
    let t = tags(&txns);
    assert_eq!(t.len(), 5);
    assert!(t.iter().all(|t| t.2 == "shop"), "{t:?}");
    assert!(t[0]
        .3
        .starts_with("mysql_server_id=1;gtid_domain_id=0;gtid_seqno=1;unsafe_for_block_commit;"));
    assert!(t[2]
        .3
        .starts_with("mysql_server_id=1;gtid_domain_id=0;gtid_seqno=3;tz_aware=true"));
    assert!(t[2].1.ends_with(";-1"), "{}", t[2].1);
    assert_eq!(
        changes_of(&txns[0]),
        ["SQL[-] CREATE DATABASE shop CHARACTER SET utf8mb4"]
    );
    assert_eq!(changes_of(&txns[2]), ["INSERT shop.orders x3"]);
    // Statements carry the creating session's options; CREATE DATABASE says so.
    let txn = txns[0].transaction().unwrap();
    let event = txn.fragments[0].event().unwrap().decode().unwrap();
    let Change::Statement(s) = &event.body.changes[0] else {
        panic!("statement expected")
    };
    let names: Vec<&str> = s.options.iter().map(|o| o.name).collect();
    assert_eq!(&names[..3], ["##charset", "createOrDropDB", "autocommit"]);
}

#[test]
fn small_fragments_split_a_transaction_and_keep_its_shard() {
    let file = project_fixture("mariadb/sample-bin.000001");
    let tiny = ExtractOptions {
        fragment_size: 1,
        ..options()
    };
    let (whole, _) = extract_transactions(&[file.display().to_string()], options());
    let (split, _) = extract_transactions(&[file.display().to_string()], tiny);
    let (whole, split) = (whole.unwrap(), split.unwrap());
    assert_eq!(whole.len(), split.len());
    let mut fragmented = 0;
    for (w, s) in whole.iter().zip(&split) {
        let (w, s) = (w.transaction().unwrap(), s.transaction().unwrap());
        assert_eq!(changes_of_borrowed(&w), changes_of_borrowed(&s));
        for (i, record) in s.fragments.iter().enumerate() {
            let h = &record.event().unwrap().header;
            assert_eq!(h.fragno, i as i16);
            assert_eq!(h.last_frag, i + 1 == s.fragments.len());
            assert_eq!(h.shard_id.text(), w.first().unwrap().shard_id.text());
        }
        fragmented += usize::from(s.fragments.len() > 1);
    }
    assert!(fragmented > 0, "a 1-byte fragment size splits something");
}

fn changes_of_borrowed(txn: &Transaction<'_>) -> Vec<String> {
    changes_of(&OwnedTransaction {
        fragments: txn.fragments.iter().map(|r| r.to_owned_record()).collect(),
    })
}
