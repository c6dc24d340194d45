//! Extraction of a transaction fixture set (`replog::txn`) against its `expected.json`:
//! what the workload did and the server reported, never replog's own output.
//!
//! One THL transaction per committed binlog transaction, seqnos dense from 0, each
//! eventId pointing at the end of its commit event, the session id of its statements,
//! the shard per `parallel-apply.md` §1.2 (with replog's recognised control statements,
//! see README), the rows by table and action, the statements as logged, and the row
//! values equal to what the server reported.

use std::collections::BTreeMap;
use std::path::Path;

use replog::binlog::stream::sequence_of;
use replog::thl::event::{Action, Change, ColumnSpec, ColumnVal, Event, RowImages, Value};
use replog::thl::java_text::{big_decimal, Civil};
use replog::txn::event_id::EventId;
use replog::txn::extract::ExtractOptions;
use replog::txn::{OwnedTransaction, Transaction};
use serde_json::{json, Value as Json};

/// Extracts the set in `dir` (named by the directory: its `mysql-bin.index` decides the
/// order) and checks it against `doc`; returns the transactions.
pub fn check_extraction(dir: &Path, doc: &Json) -> Vec<OwnedTransaction> {
    let files = sequence_of(&[dir.display().to_string()]).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| replog::binlog::stream::log_name(f))
        .collect();
    let listed: Vec<&str> = doc["binlog_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(names, listed, "the index file orders the set");
    let options = ExtractOptions::new("alpha", "host1");
    let (txns, reports) = replog_tests::extract_transactions(&files, options);
    let txns = txns.unwrap();
    assert!(reports.is_empty(), "{reports:?}");
    let expected = doc["transactions"].as_array().unwrap();
    assert_eq!(txns.len(), expected.len(), "one THL transaction per commit");
    let thread_id = doc["server"]["thread_id"].as_i64().unwrap();
    for (i, (owned, want)) in txns.iter().zip(expected).enumerate() {
        let n = want["n"].as_u64().unwrap();
        check_transaction(
            &owned.transaction().unwrap(),
            want,
            i as i64,
            thread_id,
            doc,
        )
        .unwrap_or_else(|why| panic!("transaction {n}: {why}"));
    }
    txns
}

fn check_transaction(
    txn: &Transaction<'_>,
    want: &Json,
    seqno: i64,
    thread_id: i64,
    doc: &Json,
) -> Result<(), String> {
    let check = |ok: bool, what: String| if ok { Ok(()) } else { Err(what) };
    check(
        txn.seqno() == Some(seqno),
        format!("seqno {:?}", txn.seqno()),
    )?;
    check(txn.is_complete(), "no last fragment".into())?;
    let events: Vec<Event<'_>> = txn
        .fragments
        .iter()
        .map(|r| r.event().unwrap().decode().unwrap())
        .collect();
    for (fragno, (record, event)) in txn.fragments.iter().zip(&events).enumerate() {
        let h = &record.event().unwrap().header;
        check(h.fragno == fragno as i16, format!("fragno {}", h.fragno))?;
        check(
            h.last_frag == (fragno + 1 == events.len()),
            format!("lastFrag on fragment {fragno}"),
        )?;
        check(
            h.shard_id.text() == want["shard"],
            format!("shard {} (expected {})", h.shard_id.text(), want["shard"]),
        )?;
        check(
            event.metadata("shard") == Some(h.shard_id.text()),
            "metadata shard".into(),
        )?;
    }
    // The eventId: the commit's end in its file, and whose statements these were.
    let last = txn.last().unwrap();
    let id = EventId::parse(last.event_id.text()).ok_or("eventId")?;
    check(
        id.file == want["binlog_file"] && Some(id.position) == want["end_pos"].as_u64(),
        format!(
            "eventId {} (expected {} {})",
            last.event_id.text(),
            want["binlog_file"],
            want["end_pos"]
        ),
    )?;
    let has_statements = !want["statements"].as_array().unwrap().is_empty();
    let session = if has_statements { thread_id } else { -1 };
    check(
        id.session == Some(session),
        format!("session {:?}", id.session),
    )?;
    let first = &events[0];
    check(
        (first.metadata("rollback").is_some()) == (want["end"] == "rollback"),
        "rollback metadata".into(),
    )?;
    if want["kind"] == "ddl" {
        check(
            first.metadata("unsafe_for_block_commit").is_some(),
            "DDL is unsafe for block commit".into(),
        )?;
    }
    let gtid = want["gtid"].as_str().unwrap();
    check(
        first.metadata("gtid_seqno") == gtid.rsplit('-').next(),
        format!("gtid_seqno {:?}", first.metadata("gtid_seqno")),
    )?;
    // Rows by table and action, and the statements as logged.
    let mut rows: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    let mut statements = Vec::new();
    for event in &events {
        for change in &event.body.changes {
            match change {
                Change::Rows(r) => {
                    for c in &r.row_changes {
                        let (action, n) = match c.action {
                            Action::Insert => ("write", c.column_values.len()),
                            Action::Update => ("update", c.column_values.len()),
                            Action::Delete => ("delete", c.key_values.len()),
                            Action::Other(_) => ("other", 0),
                        };
                        *rows
                            .entry(format!("{}.{}", c.schema_name, c.table_name))
                            .or_default()
                            .entry(action)
                            .or_default() += n as u64;
                    }
                }
                Change::Statement(s) if s.query_as_bytes.is_some() => {
                    statements.push(String::from_utf8_lossy(s.query_bytes()).into_owned())
                }
                Change::FileQuery(q) => {
                    statements.push(String::from_utf8_lossy(q.statement.query_bytes()).into_owned())
                }
                _ => {}
            }
        }
    }
    let rows_json = serde_json::to_value(&rows).unwrap();
    check(
        rows_json == want["rows"],
        format!("rows {rows_json} (expected {})", want["rows"]),
    )?;
    // XA END applies nothing; extraction leaves it out (README, "Binary logs as THL").
    let logged: Vec<&str> = want["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["query"].as_str().unwrap())
        .filter(|q| !q.starts_with("XA END"))
        .collect();
    check(statements == logged, format!("statements {statements:?}"))?;
    // Session values travel with their statements.
    for s in want["statements"].as_array().unwrap() {
        check_session_values(&events, s)?;
    }
    for change in want["changes"].as_array().unwrap() {
        if change["logged_as"] == "statement" {
            continue;
        }
        check_change(&events, change, doc)?;
    }
    Ok(())
}

/// INSERT_ID / LAST_INSERT_ID as row-id changes, user variables and RAND as `SET`s.
fn check_session_values(events: &[Event<'_>], s: &Json) -> Result<(), String> {
    let mut sets = Vec::new();
    let mut ids = Vec::new();
    for change in events.iter().flat_map(|e| &e.body.changes) {
        match change {
            Change::Statement(st) if st.query.is_some() => sets.push(st.query.unwrap()),
            Change::RowId(r) => ids.push((r.id, r.kind())),
            _ => {}
        }
    }
    use replog::thl::event::RowIdKind;
    if let Some(id) = s["insert_id"].as_i64() {
        if !ids.contains(&(id, RowIdKind::InsertId)) {
            return Err(format!("INSERT_ID {id} missing from {ids:?}"));
        }
    }
    if let Some(id) = s["last_insert_id"].as_i64() {
        if !ids.contains(&(id, RowIdKind::LastInsertId)) {
            return Err(format!("LAST_INSERT_ID {id} missing from {ids:?}"));
        }
    }
    if s["rand"] == true && !sets.iter().any(|q| q.starts_with("SET @@RAND_SEED1=")) {
        return Err(format!("RAND seeds missing from {sets:?}"));
    }
    for var in s["user_vars"].as_array().into_iter().flatten() {
        let name = var["name"].as_str().unwrap();
        let hex: String = var["value"]
            .as_str()
            .unwrap()
            .bytes()
            .map(|b| format!("{b:02X}"))
            .collect();
        let want = format!("SET @`{name}`:=_utf8mb4 X'{hex}'");
        if !sets.contains(&want.as_str()) {
            return Err(format!("{want} missing from {sets:?}"));
        }
    }
    Ok(())
}

/// One row change the server reported, found by its table, action and id.
fn check_change(events: &[Event<'_>], change: &Json, doc: &Json) -> Result<(), String> {
    let table = change["table"].as_str().unwrap();
    let action = match change["action"].as_str().unwrap() {
        "write" => Action::Insert,
        "update" => Action::Update,
        _ => Action::Delete,
    };
    let id = &change["id"];
    let columns: Vec<&str> = change["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let catalogue = &doc["tables"][table];
    for c in events
        .iter()
        .flat_map(|e| &e.body.changes)
        .filter_map(|c| match c {
            Change::Rows(r) => Some(&r.row_changes),
            _ => None,
        })
        .flatten()
        .filter(|c| format!("{}.{}", c.schema_name, c.table_name) == table && c.action == action)
    {
        let images = |specs: &[ColumnSpec<'_>], rows: &RowImages<'_>| -> Vec<Json> {
            rows.iter()
                .map(|row| image(specs, row, &columns, catalogue))
                .collect()
        };
        let befores = images(&c.key_spec, &c.key_values);
        let afters = images(&c.column_spec, &c.column_values);
        let n = befores.len().max(afters.len());
        for i in 0..n {
            let before = befores.get(i).cloned().unwrap_or(Json::Null);
            let after = afters.get(i).cloned().unwrap_or(Json::Null);
            let row_id = if after.is_null() {
                &before[0]
            } else {
                &after[0]
            };
            if row_id != id {
                continue;
            }
            let want_before = change.get("before").cloned().unwrap_or(Json::Null);
            let want_after = change.get("after").cloned().unwrap_or(Json::Null);
            if before != want_before || after != want_after {
                return Err(format!(
                    "{table} id {id}: before {before} after {after}, server said {want_before} / {want_after}"
                ));
            }
            return Ok(());
        }
    }
    Err(format!("{table} {action:?} id {id}: no such row change"))
}

/// The values of one image in the fixture's contract, in the order of `columns` (the
/// image must hold them all: FULL row images).
fn image(
    specs: &[ColumnSpec<'_>],
    row: &[ColumnVal<'_>],
    columns: &[&str],
    catalogue: &Json,
) -> Json {
    let by_name: BTreeMap<&str, Json> = specs
        .iter()
        .zip(row)
        .map(|(spec, value)| {
            let name = spec.name.expect("FULL metadata names every column");
            let column_type = catalogue
                .as_array()
                .and_then(|cols| cols.iter().find(|c| c["name"] == name))
                .and_then(|c| c["type"].as_str())
                .unwrap_or("");
            (name, contract_value(value.value(), column_type))
        })
        .collect();
    Json::Array(
        columns
            .iter()
            .map(|c| by_name.get(c).cloned().unwrap_or(json!("<absent>")))
            .collect(),
    )
}

/// A THL value in the fixture's contract: integers and ENUM indexes as numbers, DECIMAL
/// as its text, DATETIME(6) as MySQL text, strings as text, NULL as null.
fn contract_value(value: Value<'_>, column_type: &str) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Int(i) | Value::Bit(i) => json!(i),
        Value::Long(l) => json!(l),
        Value::Decimal { unscaled, scale } => {
            let mut text = String::new();
            big_decimal(&mut text, unscaled, scale).unwrap();
            json!(text)
        }
        Value::BinaryString(b) | Value::Blob(b) => json!(String::from_utf8_lossy(b)),
        Value::String(s) => json!(s),
        Value::DateTime {
            millis,
            extra_nanos,
        } => {
            let c = Civil::from_millis(millis, extra_nanos, 0);
            let mut text = String::new();
            c.write_date(&mut text).unwrap();
            text.push(' ');
            c.write_time(&mut text).unwrap();
            if column_type.starts_with("datetime(") {
                text.push_str(&format!(".{:06}", c.nanos / 1000));
            }
            json!(text)
        }
        other => json!(format!("{other:?}")),
    }
}
