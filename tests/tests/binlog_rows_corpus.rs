//! Every table map and rows event of the shared binlog corpus, decoded through the public
//! API, checked against the facts stated in `shared/fixtures/binlog/README.md`.
//!
//! Events come from the library's binlog stream (which also walks the inner events of
//! transaction payloads and keeps the table maps).

use std::fs;

use replog::binlog::rows::{
    ColumnType, JsonDiffOp, RowsAction, RowsEvent, RowsEventKind, RowsVersion, TableMap, TableMaps,
};
use replog::binlog::stream::Stream;
use replog::binlog::Event;
use replog::input::OpenOptions;
use replog::Flow;
use replog_tests::{named_member_value, project_fixture, shared_fixture};

/// A row image as (column, JSON value text) pairs.
type Image = Vec<(usize, String)>;

/// One decoded rows event, rendered.
#[derive(Debug)]
struct DecodedRows {
    kind: RowsEventKind,
    map: TableMap<'static>,
    columns: Vec<u8>,
    columns_after: Option<Vec<u8>>,
    /// Per row: (before, after).
    rows: Vec<(Option<Image>, Option<Image>)>,
    /// `write_rows_json` output.
    json: String,
}

#[derive(Debug, Default)]
struct Decoded {
    maps: Vec<TableMap<'static>>,
    rows: Vec<DecodedRows>,
}

fn cells(image: &replog::binlog::rows::RowImage<'_>, map: &TableMap<'_>) -> Vec<(usize, String)> {
    image
        .iter()
        .map(|c| {
            let c = c.expect("value decodes");
            let mut out = Vec::new();
            c.value
                .write_json(map.column_info(c.column), &mut out)
                .expect("value renders");
            (c.column, String::from_utf8(out).expect("JSON is UTF-8"))
        })
        .collect()
}

/// Decodes every table map and rows event of a shared-corpus file.
fn decode(name: &str) -> Decoded {
    decode_path(&shared_fixture(&format!("binlog/{name}")))
}

/// Decodes every table map and rows event of a binlog file (including those inside
/// transaction payloads) through the library's stream; panics on any error.
fn decode_path(path: &std::path::Path) -> Decoded {
    let name = path.display().to_string();
    let mut out = Decoded::default();
    Stream::new(OpenOptions::default())
        .walk(
            std::slice::from_ref(&name),
            &mut |site, event, maps| -> Result<Flow, replog::Error> {
                let at = match site.inner_offset {
                    Some(inner) => format!("{name} at {}+{inner}", site.offset),
                    None => format!("{name} at {}", site.offset),
                };
                match event {
                    Event::TableMap(map) => out.maps.push((**map).clone().into_owned()),
                    Event::Rows(rows) => out.rows.push(rows_of(maps, rows, &at)),
                    _ => {}
                }
                Ok(Flow::Continue)
            },
            &mut |e| panic!("{e}"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

/// Renders every row of `ev` with the map the registry holds for it.
fn rows_of(maps: &TableMaps<'_>, ev: &RowsEvent<'_>, at: &str) -> DecodedRows {
    let map = maps.get(ev.table_id).expect("map before rows").clone();
    let mut rows = Vec::new();
    for row in maps.rows(ev).unwrap() {
        let row = row.unwrap_or_else(|e| panic!("{at}: row: {e:?}"));
        rows.push((
            row.before.as_ref().map(|i| cells(i, &map)),
            row.after.as_ref().map(|i| cells(i, &map)),
        ));
    }
    let mut json = Vec::new();
    ev.write_rows_json(&map, &mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    serde_json::from_str::<serde_json::Value>(&json)
        .unwrap_or_else(|e| panic!("{at}: rows JSON is not JSON ({e}): {json}"));
    DecodedRows {
        kind: ev.kind,
        map: map.into_owned(),
        columns: ev.columns.to_vec(),
        columns_after: ev.columns_after.as_ref().map(|c| c.to_vec()),
        rows,
        json,
    }
}

fn kinds(map: &TableMap<'_>) -> Vec<ColumnType> {
    map.columns.iter().map(|c| c.kind).collect()
}

#[test]
fn every_rows_event_in_the_corpus_decodes() {
    replog_tests::require_corpus!();
    let files = [
        "binlog_56_gtid_reserved_word.000001",
        "binlog_transaction_with_GTID_TAG.000001",
        "bug32407.001",
        "json.binlog.000001",
        "mariadb-bin.000001",
        "minimal_row_metadata.000001",
        "mysql-enum-string-set.000001",
        "mysql_type_bit.000001",
        "time_issue.000001",
        "transaction_compression.000001",
        "update-full-row.binlog",
        "ver_5_1-wl2325_r.001",
        "ver_5_1_23.001",
        "ver_trunk_row_v2.001",
        "write-full-row.binlog",
        "write-partial-row.binlog",
        "tungsten/binlog_rbr_1.000001",
    ];
    let mut events = 0;
    for f in files {
        let d = decode(f);
        assert!(!d.rows.is_empty(), "{f}: rows events found");
        for r in &d.rows {
            assert!(!r.rows.is_empty(), "{f}: every rows event has rows");
        }
        events += d.rows.len();
    }
    // Rows events counted by the README's event-type lists of these files, in order
    // (transaction_compression's WRITE_ROWS is inside its payload).
    assert_eq!(
        events,
        1 + 1 + 1 + 6 + 2 + 1 + 3 + 1 + 1 + 1 + 4 + 3 + 3 + 3 + 3 + 4 + 6
    );
}

#[test]
fn time_issue_negative_time() {
    replog_tests::require_corpus!();
    let d = decode("time_issue.000001");
    assert_eq!(d.rows.len(), 1);
    let r = &d.rows[0];
    assert_eq!(kinds(&r.map), [ColumnType::Time2]);
    assert_eq!(r.map.columns[0].metadata, 0, "TIME(0)");
    assert_eq!(r.rows.len(), 1);
    assert_eq!(
        r.rows[0].1.as_ref().unwrap(),
        &[(0, "\"-507:48:27\"".to_string())]
    );
}

#[test]
fn mysql_type_bit_metadata() {
    replog_tests::require_corpus!();
    let d = decode("mysql_type_bit.000001");
    let m = &d.rows[0].map;
    let bits: Vec<_> = m
        .columns
        .iter()
        .filter(|c| c.kind == ColumnType::Bit)
        .map(|c| c.metadata)
        .collect();
    // `03 00` = 3 bits, 0 whole bytes; `00 01` = 0 bits, 1 byte.
    assert_eq!(bits, [0x0003, 0x0100]);
    assert!(m.columns.iter().any(|c| c.kind == ColumnType::Blob));
    // BIT values are unsigned numbers that fit their width.
    let after = d.rows[0].rows[0].1.as_ref().unwrap();
    for (col, v) in after {
        if m.columns[*col].kind == ColumnType::Bit && v != "null" {
            let n: u64 = v.parse().unwrap();
            let width = if m.columns[*col].metadata == 3 { 3 } else { 8 };
            assert!(n < 1 << width, "BIT value {n} fits {width} bits");
        }
    }
}

#[test]
fn enum_set_long_char() {
    replog_tests::require_corpus!();
    let d = decode("mysql-enum-string-set.000001");
    let actions: Vec<_> = d.rows.iter().map(|r| r.kind.action).collect();
    assert_eq!(
        actions,
        [RowsAction::Write, RowsAction::Update, RowsAction::Delete]
    );
    let m = &d.rows[0].map;
    let long_char = m
        .columns
        .iter()
        .find(|c| c.binlog_type == ColumnType::String && c.kind == ColumnType::String)
        .expect("a CHAR column");
    assert_eq!(long_char.metadata, 0xde00, "metadata bytes de 00");
    assert!(long_char.string_length > 255);
    assert!(m
        .columns
        .iter()
        .any(|c| c.kind == ColumnType::Enum && c.binlog_type == ColumnType::String));
    assert!(m
        .columns
        .iter()
        .any(|c| c.kind == ColumnType::Set && c.binlog_type == ColumnType::String));
    let varchar = m
        .columns
        .iter()
        .find(|c| c.kind == ColumnType::VarChar)
        .unwrap();
    assert_eq!(varchar.metadata, 1200);
    assert!(m.columns.iter().any(|c| c.kind == ColumnType::Blob));
    // The UPDATE carries both images.
    let (before, after) = &d.rows[1].rows[0];
    assert!(before.is_some() && after.is_some());
}

#[test]
fn json_partial_update_replaces_age() {
    replog_tests::require_corpus!();
    let d = decode("json.binlog.000001");
    let actions: Vec<_> = d.rows.iter().map(|r| r.kind.action).collect();
    assert_eq!(
        actions,
        [
            RowsAction::Write,
            RowsAction::Write,
            RowsAction::Write,
            RowsAction::Write,
            RowsAction::Update,
            RowsAction::PartialUpdate
        ]
    );
    let m = &d.rows[0].map;
    assert_eq!(
        kinds(m),
        [
            ColumnType::Long,
            ColumnType::Json,
            ColumnType::VarChar,
            ColumnType::Long
        ]
    );
    // The full UPDATE has 6 rows.
    assert_eq!(d.rows[4].rows.len(), 6);
    let partial = &d.rows[5];
    assert_eq!(partial.kind.version, RowsVersion::V2);
    for (before, after) in &partial.rows {
        // Minimal before image: only the key column.
        let before = before.as_ref().unwrap();
        assert_eq!(before.len(), 1);
        assert_eq!(before[0].0, 0);
        let after = after.as_ref().unwrap();
        let json = after
            .iter()
            .find(|(c, _)| *c == 1)
            .expect("JSON column in after image");
        let v: serde_json::Value = serde_json::from_str(&json.1).unwrap();
        let diffs = v["json_diff"].as_array().expect("a diff list");
        assert!(diffs
            .iter()
            .any(|d| d["op"] == JsonDiffOp::Replace.name() && d["path"] == "$.age"));
    }
    // Full JSON documents in WRITE_ROWS parse as JSON.
    for (_, after) in &d.rows[0].rows {
        let doc = &after.as_ref().unwrap()[1].1;
        serde_json::from_str::<serde_json::Value>(doc).expect("JSON document");
    }
}

#[test]
fn minimal_row_metadata_signedness_without_names() {
    replog_tests::require_corpus!();
    let d = decode("minimal_row_metadata.000001");
    let m = &d.rows[0].map;
    assert!(m.optional.signedness.is_some());
    assert!(m.optional.column_names.is_empty());
    assert_eq!(
        kinds(m),
        [
            ColumnType::Long,
            ColumnType::Blob,
            ColumnType::String,
            ColumnType::Long,
            ColumnType::Long
        ]
    );
    let unsigned: Vec<_> = m.columns.iter().map(|c| c.unsigned).collect();
    assert_eq!(unsigned, [false, false, false, false, true]);
    assert_eq!(m.columns[2].string_length, 8, "CHAR of 8 bytes");
    assert_eq!(d.rows[0].rows.len(), 1);
}

#[test]
fn mariadb_full_metadata_names_and_timestamp2() {
    replog_tests::require_corpus!();
    let d = decode("mariadb-bin.000001");
    assert_eq!(d.rows.len(), 2);
    for r in &d.rows {
        assert_eq!(r.kind.version, RowsVersion::V1);
        let m = &r.map;
        assert_eq!(m.optional.column_names.len(), m.columns.len());
        assert!(m.optional.signedness.is_some());
        assert_eq!(
            kinds(m),
            [
                ColumnType::Long,
                ColumnType::VarChar,
                ColumnType::Enum,
                ColumnType::Blob,
                ColumnType::Timestamp2
            ]
        );
        assert_eq!(m.columns[4].metadata, 0, "TIMESTAMP(0)");
        // TIMESTAMP renders as whole epoch seconds (fsp 0).
        let after = r.rows[0].1.as_ref().unwrap();
        let ts = &after.iter().find(|(c, _)| *c == 4).unwrap().1;
        assert!(ts.parse::<u32>().is_ok(), "epoch seconds: {ts}");
        // ENUM renders as its member index with the member's name from the metadata.
        let e = &after.iter().find(|(c, _)| *c == 2).unwrap().1;
        let e: serde_json::Value = serde_json::from_str(e).expect("JSON");
        let index = e["index"].as_u64().expect("ENUM index") as usize;
        let members = m.members(2).expect("ENUM member names (FULL metadata)");
        assert!((1..=members.len()).contains(&index));
        assert_eq!(
            e["name"].as_str().map(str::as_bytes),
            Some(&*members[index - 1])
        );
    }
}

#[test]
fn tagged_gtid_file_decimal_row() {
    replog_tests::require_corpus!();
    let d = decode("binlog_transaction_with_GTID_TAG.000001");
    let m = &d.rows[0].map;
    assert_eq!(
        kinds(m),
        [ColumnType::Long, ColumnType::Long, ColumnType::NewDecimal]
    );
    assert_eq!(m.columns[2].metadata, (10 << 8) | 2, "DECIMAL(10,2)");
    let after = d.rows[0].rows[0].1.as_ref().unwrap();
    let dec = &after[2].1;
    let digits = dec.trim_matches('"');
    let (_, frac) = digits.split_once('.').expect("a fraction");
    assert_eq!(frac.len(), 2, "two fraction digits in {dec}");
}

#[test]
fn write_partial_row_bitmap() {
    replog_tests::require_corpus!();
    let d = decode("write-partial-row.binlog");
    let writes: Vec<_> = d
        .rows
        .iter()
        .filter(|r| r.kind.action == RowsAction::Write)
        .collect();
    assert_eq!(writes.len(), 3);
    let partial = writes
        .iter()
        .find(|r| r.columns.first().is_some_and(|b| b & 0b111 == 0b101))
        .expect("a WRITE naming only columns 0 and 2");
    for (_, after) in &partial.rows {
        let cols: Vec<_> = after.as_ref().unwrap().iter().map(|c| c.0).collect();
        assert_eq!(cols, [0, 2]);
    }
    // The DELETE's key-only before image.
    let delete = d
        .rows
        .iter()
        .find(|r| r.kind.action == RowsAction::Delete)
        .unwrap();
    let before = delete.rows[0].0.as_ref().unwrap();
    assert!(before.len() < delete.map.columns.len());
}

#[test]
fn write_full_row_images() {
    replog_tests::require_corpus!();
    let d = decode("write-full-row.binlog");
    let writes: Vec<_> = d
        .rows
        .iter()
        .filter(|r| r.kind.action == RowsAction::Write)
        .collect();
    assert_eq!(writes.len(), 2);
    for w in writes {
        for (_, after) in &w.rows {
            assert_eq!(
                after.as_ref().unwrap().len(),
                w.map.columns.len(),
                "every column"
            );
        }
    }
    let delete = d
        .rows
        .iter()
        .find(|r| r.kind.action == RowsAction::Delete)
        .unwrap();
    assert!(delete.rows[0].0.as_ref().unwrap().len() < delete.map.columns.len());
}

#[test]
fn update_full_row_both_images() {
    replog_tests::require_corpus!();
    let d = decode("update-full-row.binlog");
    let update = d
        .rows
        .iter()
        .find(|r| r.kind.action == RowsAction::Update)
        .unwrap();
    assert_eq!(update.kind.version, RowsVersion::V1);
    assert_eq!(&*update.map.table, b"ba");
    let n = update.map.columns.len();
    assert_eq!(n, 3, "test.ba (a, b, c)");
    assert_eq!(update.columns_after.as_deref(), Some(&update.columns[..]));
    for (before, after) in &update.rows {
        assert_eq!(before.as_ref().unwrap().len(), n);
        assert_eq!(after.as_ref().unwrap().len(), n);
    }
    let apply_status = d
        .maps
        .iter()
        .find(|m| &*m.table == b"ndb_apply_status")
        .expect("mysql.ndb_apply_status map");
    assert_eq!(&*apply_status.schema, b"mysql");
    assert!(
        apply_status
            .columns
            .iter()
            .any(|c| c.kind == ColumnType::LongLong),
        "epoch BIGINT"
    );
    let delete = d
        .rows
        .iter()
        .find(|r| r.kind.action == RowsAction::Delete)
        .unwrap();
    assert!(
        delete.rows[0].0.as_ref().unwrap().len() < n,
        "key-only before image"
    );
}

#[test]
fn five_one_tables_int_char() {
    replog_tests::require_corpus!();
    for (file, table) in [
        ("ver_5_1_23.001", "t1"),
        ("tungsten/binlog_rbr_1.000001", "t0"),
    ] {
        let d = decode(file);
        let actions: Vec<_> = d.rows.iter().map(|r| r.kind.action).collect();
        assert!(actions.contains(&RowsAction::Write) && actions.contains(&RowsAction::Update));
        assert!(actions.contains(&RowsAction::Delete));
        for r in &d.rows {
            assert_eq!(r.kind.version, RowsVersion::V1);
            assert_eq!(&*r.map.schema, b"test");
            assert_eq!(&*r.map.table, table.as_bytes());
            assert_eq!(
                kinds(&r.map),
                [ColumnType::Long, ColumnType::String],
                "{file}"
            );
        }
    }
}

#[test]
fn v2_rows_in_early_files() {
    replog_tests::require_corpus!();
    for file in [
        "ver_trunk_row_v2.001",
        "bug32407.001",
        "binlog_56_gtid_reserved_word.000001",
    ] {
        let d = decode(file);
        for r in &d.rows {
            assert_eq!(r.kind.version, RowsVersion::V2, "{file}");
        }
    }
    let d = decode("binlog_56_gtid_reserved_word.000001");
    assert_eq!(&*d.rows[0].map.table, b"GENERATED");
}

#[test]
fn pre_ga_permuted_file_rows() {
    replog_tests::require_corpus!();
    let d = decode("ver_5_1-wl2325_r.001");
    // Raw 16 = TABLE_MAP, 17/18/19 = pre-GA WRITE/UPDATE/DELETE; table ids are 4 bytes.
    let actions: Vec<_> = d
        .rows
        .iter()
        .map(|r| (r.kind.version, r.kind.action))
        .collect();
    assert_eq!(
        actions,
        [
            (RowsVersion::PreGa, RowsAction::Write),
            (RowsVersion::PreGa, RowsAction::Update),
            (RowsVersion::PreGa, RowsAction::Delete)
        ]
    );
    for r in &d.rows {
        assert_eq!(&*r.map.table, b"t1");
        assert_eq!(kinds(&r.map), [ColumnType::Long, ColumnType::String]);
    }
}

#[test]
fn rows_json_rendering() {
    replog_tests::require_corpus!();
    let d = decode("time_issue.000001");
    assert_eq!(d.rows[0].json, r#"[{"after":["-507:48:27"]}]"#);
}

#[test]
fn three_layouts_of_the_same_statements_agree() {
    replog_tests::require_corpus!();
    // MySQL's binlog_old_versions test ran the same statements on a pre-GA tree
    // (old record layout, 4-byte table ids), on 5.1.23 (v1 rows) and on 5.6.4 (v2
    // rows); all three must decode to the same row changes.
    let pre_ga = decode("ver_5_1-wl2325_r.001");
    let v1 = decode("ver_5_1_23.001");
    let v2 = decode("ver_trunk_row_v2.001");
    let rows = |d: &Decoded| d.rows.iter().map(|r| r.json.clone()).collect::<Vec<_>>();
    assert_eq!(rows(&pre_ga), rows(&v1));
    assert_eq!(rows(&v1), rows(&v2));
    assert_eq!(v1.rows[0].rows.len(), 2, "two rows inserted");
}

/// Whether a rendered value equals the server-reported one: numbers numerically (exactly
/// when both are integers; FLOAT as binary32 values, the server's being the binary32
/// widened to double), everything else as JSON values.
fn same_value(ours: &serde_json::Value, theirs: &serde_json::Value, float: bool) -> bool {
    match (ours, theirs) {
        (serde_json::Value::Number(a), serde_json::Value::Number(b)) => {
            match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => x == y,
                _ if float => a.as_f64().map(|x| x as f32) == b.as_f64().map(|y| y as f32),
                _ => a.as_f64() == b.as_f64(),
            }
        }
        _ => ours == theirs,
    }
}

#[test]
fn project_mariadb_logs_match_the_server_values() {
    let expected: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(project_fixture("mariadb/expected.json")).unwrap(),
    )
    .unwrap();
    let mut compared = 0;
    for file in [
        "sample-bin.000001",
        "types-bin.000001",
        "compressed-bin.000001",
    ] {
        let want = expected["files"][file]["row_changes"].as_array().unwrap();
        let d = decode_path(&project_fixture(&format!("mariadb/{file}")));
        let mut got = Vec::new();
        for r in &d.rows {
            for (before, after) in &r.rows {
                got.push((r, before, after));
            }
        }
        assert_eq!(got.len(), want.len(), "{file}: row changes");
        for (i, ((r, before, after), w)) in got.iter().zip(want).enumerate() {
            let action = match r.kind.action {
                RowsAction::Write => "write",
                RowsAction::Delete => "delete",
                _ => "update",
            };
            assert_eq!(w["action"], action, "{file} change {i}");
            assert_eq!(
                w["table"].as_str().unwrap().as_bytes(),
                &*r.map.table,
                "{file} change {i}"
            );
            for (image, key) in [(before, "before"), (after, "after")] {
                let Some(image) = image else {
                    assert!(w.get(key).is_none(), "{file} change {i}: {key} image");
                    continue;
                };
                let w = w[key].as_array().unwrap();
                assert_eq!(image.len(), w.len(), "{file} change {i} {key}: full image");
                let table = std::str::from_utf8(&r.map.table).unwrap();
                let catalogue = &expected["files"][file]["tables"][table];
                for ((col, ours), theirs) in image.iter().zip(w) {
                    let ours: serde_json::Value = serde_json::from_str(ours).unwrap();
                    // ENUM/SET: the server's number with the catalogue's member names
                    // (these logs carry them: binlog_row_metadata=FULL).
                    let column_type = catalogue[col]["type"].as_str().unwrap();
                    let theirs =
                        &named_member_value(column_type, theirs).unwrap_or_else(|| theirs.clone());
                    assert!(
                        same_value(&ours, theirs, column_type == "float"),
                        "{file} change {i} {key} column {col} ({:?}): decoded {ours}, server says {theirs}",
                        r.map.columns[*col].kind
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 500, "{compared} values compared");
}

#[test]
fn rows_inside_a_transaction_payload() {
    replog_tests::require_corpus!();
    // QUERY(BEGIN), TABLE_MAP, WRITE_ROWS and XID inside one zstd payload.
    let d = decode("transaction_compression.000001");
    assert_eq!(d.maps.len(), 1);
    assert_eq!(d.rows.len(), 1);
    assert_eq!(d.rows[0].kind.action, RowsAction::Write);
    assert_eq!(d.rows[0].map.table_id, d.maps[0].table_id);
}

/// xorshift64: deterministic noise for the mutation test.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// One damaging edit: flip a bit, set a byte to an extreme, truncate, or insert a byte.
fn mutate(seed: &mut u64, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    if b.is_empty() {
        return b;
    }
    let at = (next(seed) % b.len() as u64) as usize;
    match next(seed) % 5 {
        0 => b[at] ^= 1 << (next(seed) % 8),
        1 => b[at] = 0xff,
        2 => b[at] = 0,
        3 => b.truncate(at),
        _ => b.insert(at, next(seed) as u8),
    }
    b
}

#[test]
fn damaged_table_maps_and_rows_never_panic() {
    replog_tests::require_corpus!();
    // (table map body, rows body, rows kind, context) for every rows event of the corpus.
    let mut cases = Vec::new();
    let shared = [
        "json.binlog.000001",
        "mariadb-bin.000001",
        "mysql-enum-string-set.000001",
        "mysql_type_bit.000001",
        "time_issue.000001",
        "binlog_transaction_with_GTID_TAG.000001",
        "update-full-row.binlog",
        "ver_5_1-wl2325_r.001",
        "ver_trunk_row_v2.001",
    ]
    .map(|f| shared_fixture(&format!("binlog/{f}")));
    let own = ["types-bin.000001", "compressed-bin.000001"]
        .map(|f| project_fixture(&format!("mariadb/{f}")));
    for path in shared.iter().chain(&own) {
        let mut last_map: Option<Vec<u8>> = None;
        Stream::new(OpenOptions::default())
            .walk(
                &[path.display().to_string()],
                &mut |site, event, _| -> Result<Flow, replog::Error> {
                    match event {
                        Event::TableMap(_) => last_map = Some(site.body.to_vec()),
                        Event::Rows(r) => cases.push((
                            last_map.clone().unwrap(),
                            site.body.to_vec(),
                            r.kind,
                            site.context.clone(),
                        )),
                        _ => {}
                    }
                    Ok(Flow::Continue)
                },
                &mut |e| panic!("{e}"),
            )
            .unwrap();
    }
    assert!(cases.len() > 20);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rows_seen = 0usize;
    for (map_body, rows_body, kind, ctx) in &cases {
        for round in 0..600 {
            let (m, r) = if round % 3 == 0 {
                (mutate(&mut seed, map_body), rows_body.clone())
            } else {
                let mut r = mutate(&mut seed, rows_body);
                if round % 3 == 2 {
                    r = mutate(&mut seed, &r);
                }
                (map_body.clone(), r)
            };
            let map = match TableMap::parse(&m, ctx) {
                Ok(map) => map,
                Err(e) => {
                    assert!(e.offset_in(&m) <= m.len());
                    continue;
                }
            };
            let ev = match RowsEvent::parse(&r, ctx, *kind) {
                Ok(ev) => ev,
                Err(e) => {
                    assert!(e.offset_in(&r) <= r.len());
                    continue;
                }
            };
            let Ok(rows) = ev.rows(&map) else { continue };
            for row in rows {
                let Ok(row) = row else { break };
                rows_seen += 1;
                for image in [&row.before, &row.after].into_iter().flatten() {
                    for cell in image.iter() {
                        let Ok(cell) = cell else { break };
                        let mut out = Vec::new();
                        let _ = cell
                            .value
                            .write_json(map.column_info(cell.column), &mut out);
                    }
                }
            }
            let mut out = Vec::new();
            if ev.write_rows_json(&map, &mut out).is_ok() {
                serde_json::from_slice::<serde_json::Value>(&out)
                    .expect("rendered rows are JSON even from damaged input");
            }
        }
    }
    assert!(
        rows_seen > 1000,
        "{rows_seen} rows decoded from damaged events"
    );
}
