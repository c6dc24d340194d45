//! The non-row events of replog's own MariaDB logs (`fixtures/mariadb`), checked against
//! that directory's README: the event table (names as `mariadb-binlog` gives them),
//! sizes, GTIDs, the statement-format part of `types-bin.000001` (user variables of every
//! kind, INTVAR, RAND) and the compressed queries of `compressed-bin.000001`.

use std::collections::BTreeMap;

use replog::binlog::events::intvar::{INSERT_ID, LAST_INSERT_ID};
use replog::binlog::events::user_var::UserVarValue;
use replog::binlog::{ChecksumAlg, Event, EventAt, ReadOptions, Reader};
use replog_tests::project_fixture;

/// MariaDB's type codes for the names its README uses (rows events are v1 there).
fn code_of(name: &str) -> u8 {
    match name {
        "QUERY" => 2,
        "STOP" => 3,
        "ROTATE" => 4,
        "INTVAR" => 5,
        "RAND" => 13,
        "USER_VAR" => 14,
        "FDE" => 15,
        "XID" => 16,
        "TABLE_MAP" => 19,
        "WRITE_ROWS" => 23,
        "UPDATE_ROWS" => 24,
        "DELETE_ROWS" => 25,
        "ANNOTATE_ROWS" => 160,
        "BINLOG_CHECKPOINT" => 161,
        "GTID" => 162,
        "GTID_LIST" => 163,
        "QUERY_COMPRESSED" => 165,
        "WRITE_ROWS_COMPRESSED_V1" => 166,
        "UPDATE_ROWS_COMPRESSED_V1" => 167,
        "DELETE_ROWS_COMPRESSED_V1" => 168,
        other => panic!("unknown name in fixtures/mariadb/README.md: {other}"),
    }
}

/// (file, bytes, type counts) from the README's table.
fn readme_table() -> Vec<(String, usize, BTreeMap<u8, usize>)> {
    let text = std::fs::read_to_string(project_fixture("mariadb/README.md")).unwrap();
    let mut rows = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split(" | ").collect();
        let Some(file) = cells
            .first()
            .and_then(|c| c.strip_prefix("| `"))
            .and_then(|c| c.strip_suffix('`'))
        else {
            continue;
        };
        if !file.ends_with(".000001") {
            continue;
        }
        let bytes: usize = cells[1].replace(',', "").parse().unwrap();
        let mut counts = BTreeMap::new();
        for item in cells[2].split(", ") {
            let (name, n) = match item.split_once('×') {
                Some((name, n)) => (name, n.parse().unwrap()),
                None => (item, 1),
            };
            *counts.entry(code_of(name)).or_insert(0) += n;
        }
        rows.push((file.to_string(), bytes, counts));
    }
    rows
}

fn read(file: &str) -> Vec<u8> {
    std::fs::read(project_fixture(&format!("mariadb/{file}"))).unwrap()
}

fn events<'a>(file: &str, data: &'a [u8]) -> Vec<EventAt<'a>> {
    Reader::new(file, data)
        .unwrap()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[test]
fn every_log_matches_the_readme_table() {
    let table = readme_table();
    assert_eq!(table.len(), 3);
    for (file, bytes, counts) in table {
        let data = read(&file);
        assert_eq!(data.len(), bytes, "{file}");
        let mut reader = Reader::new(file.as_str(), &data).unwrap();
        let mut seen = BTreeMap::new();
        for ev in reader.by_ref() {
            let ev = ev.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                ev.raw.checksum_ok,
                Some(true),
                "{file} at {}",
                ev.raw.offset
            );
            *seen.entry(ev.raw.header.type_code).or_insert(0) += 1;
        }
        assert_eq!(seen, counts, "{file}");
        let ctx = reader.context();
        assert_eq!(ctx.server_version, "10.11.19-MariaDB-0+deb12u1-log");
        assert_eq!(ctx.checksum, ChecksumAlg::Crc32);
    }
}

#[test]
fn gtids_are_numbered_from_one_on_server_1() {
    let data = read("sample-bin.000001");
    let gtids: Vec<String> = events("sample", &data)
        .iter()
        .filter_map(|e| match &e.event {
            Event::MariaGtid(g) => Some(format!("{}-{}-{}", g.domain_id, g.server_id, g.seq_no)),
            _ => None,
        })
        .collect();
    assert_eq!(gtids, ["0-1-1", "0-1-2", "0-1-3", "0-1-4", "0-1-5"]);
    let last = events("sample", &data).pop().unwrap();
    assert!(matches!(last.event, Event::Stop(_)));
}

#[test]
fn statement_part_user_vars_intvar_rand() {
    let data = read("types-bin.000001");
    let evs = events("types", &data);
    let mut vars = Vec::new();
    let mut insert_ids = Vec::new();
    let mut last_insert_ids = Vec::new();
    let mut rands = 0;
    for e in &evs {
        match &e.event {
            Event::UserVar(u) => vars.push((
                String::from_utf8_lossy(u.name).into_owned(),
                u.value,
                u.to_string(),
            )),
            Event::Intvar(i) if i.kind == INSERT_ID => insert_ids.push(i.value),
            Event::Intvar(i) if i.kind == LAST_INSERT_ID => last_insert_ids.push(i.value),
            Event::Rand(_) => rands += 1,
            _ => {}
        }
    }
    // "user variables of every kind (string in utf8mb4 with an emoji, integer -42,
    // decimal 12.50, real 2.5, NULL)"
    let find = |kind: &str| {
        vars.iter()
            .find(|(_, v, _)| {
                matches!(
                    (kind, v),
                    ("string", UserVarValue::String { .. })
                        | ("int", UserVarValue::Int { .. })
                        | ("decimal", UserVarValue::Decimal { .. })
                        | ("real", UserVarValue::Real(_))
                        | ("null", UserVarValue::Null)
                )
            })
            .unwrap_or_else(|| panic!("no {kind} user variable"))
            .clone()
    };
    let (_, s, _) = find("string");
    let UserVarValue::String { bytes, .. } = s else {
        unreachable!()
    };
    assert!(std::str::from_utf8(bytes).unwrap().contains('😀'));
    assert_eq!(
        find("int").1,
        UserVarValue::Int {
            value: -42,
            unsigned: false
        }
    );
    assert!(find("decimal").2.ends_with("=12.50"));
    assert_eq!(find("real").1, UserVarValue::Real(2.5));
    find("null");
    // "INTVAR (INSERT_ID 1..4, LAST_INSERT_ID 3) and RAND events"
    assert_eq!(insert_ids, [1, 2, 3, 4]);
    assert_eq!(last_insert_ids, [3]);
    assert_eq!(rands, 1);
    match &evs.last().unwrap().event {
        Event::Rotate(r) => assert_eq!(r.next_file, b"types-bin.000002"),
        e => panic!("{e:?}"),
    }
}

#[test]
fn compressed_queries_inflate() {
    let data = read("compressed-bin.000001");
    let texts: Vec<String> = events("compressed", &data)
        .iter()
        .filter_map(|e| match &e.event {
            Event::Query(q) if q.compressed => {
                Some(String::from_utf8(q.text().unwrap().into_owned()).unwrap())
            }
            _ => None,
        })
        .collect();
    // "CREATE TABLE and a statement-format INSERT as QUERY_COMPRESSED"
    assert_eq!(texts.len(), 2);
    assert!(texts[0].starts_with("CREATE TABLE"), "{}", texts[0]);
    assert!(texts[1].starts_with("INSERT INTO"), "{}", texts[1]);
    let permissive: Vec<_> = Reader::with_options("c", &data, ReadOptions::permissive())
        .unwrap()
        .collect();
    assert!(permissive.iter().all(Result::is_ok));
}
