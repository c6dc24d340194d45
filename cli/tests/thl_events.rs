//! `thl events` on the shared binlog corpus and the project's MariaDB logs. Every expected
//! value comes from `../shared/fixtures/binlog/README.md` or from
//! `fixtures/mariadb/README.md` and `expected.json` (the server's own values), never from
//! replog's output.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Stdio;

use common::{finish, thl, thl_command, Run};
use serde_json::{json, Value as Json};

fn corpus(name: &str) -> String {
    path_text(replog_tests::shared_fixture(&format!("binlog/{name}")))
}

fn mariadb(name: &str) -> String {
    path_text(replog_tests::project_fixture(&format!("mariadb/{name}")))
}

fn path_text(p: PathBuf) -> String {
    p.to_str().expect("UTF-8 path").to_string()
}

/// `thl events -json ARGS`, split into objects.
fn events_json(args: &[&str]) -> (Vec<Json>, Run) {
    let mut all = vec!["events", "-json"];
    all.extend_from_slice(args);
    let run = thl(&all);
    let objects = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (objects, run)
}

fn ok_json(args: &[&str]) -> Vec<Json> {
    let (objects, run) = events_json(args);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    objects
}

fn types(events: &[Json]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

fn count(events: &[Json], ty: &str) -> usize {
    types(events).iter().filter(|t| **t == ty).count()
}

/// Every object has the common fields, offsets increase and each event ends where the
/// next begins; the last one ends at the file's size.
fn assert_framing(events: &[Json], file_size: u64) {
    let mut next = 4;
    for e in events.iter().filter(|e| e.get("inner_offset").is_none()) {
        for field in [
            "file",
            "offset",
            "type_code",
            "type",
            "timestamp",
            "server_id",
            "event_size",
            "log_pos",
            "flags",
            "checksum_ok",
        ] {
            assert!(e.get(field).is_some(), "{field} missing in {e}");
        }
        assert_eq!(e["offset"], next, "{e}");
        next += e["event_size"].as_u64().unwrap();
    }
    assert_eq!(next, file_size);
}

fn size(path: &str) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

// ---------------------------------------------------------------- the project's logs

#[test]
fn readme_first_command_lists_the_sample_log() {
    let file = mariadb("sample-bin.000001");
    let run = thl(&["events", "-file", &file]);
    let out = run.ok();
    let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    // fixtures/mariadb/README.md: FDE, GTID_LIST, BINLOG_CHECKPOINT, GTID×5, QUERY×2,
    // ANNOTATE_ROWS×3, TABLE_MAP×3, WRITE_ROWS, UPDATE_ROWS, DELETE_ROWS, XID×3, STOP.
    assert_eq!(lines.len(), 23);
    for l in &lines {
        assert_eq!(l.len(), 8, "{l:?}");
        assert_eq!(l[0], file);
        assert_eq!(l[3], "1", "server_id=1: {l:?}");
    }
    assert_eq!(lines[0][1], "4");
    assert_eq!(lines[0][2], "FORMAT_DESCRIPTION_EVENT");
    // mariadb-binlog prints the FDE's time as "#261126 10:21:40" (server time zone UTC).
    assert_eq!(lines[0][6], "2026-11-26 10:21:40");
    assert!(lines[0][7].contains("10.11.19-MariaDB"), "{:?}", lines[0]);
    assert_eq!(lines[22][2], "STOP_EVENT");
    let last_end: u64 = lines[22][1].parse::<u64>().unwrap() + lines[22][4].parse::<u64>().unwrap();
    assert_eq!(last_end, 2035);
    // The shop table of the README.
    assert!(lines
        .iter()
        .any(|l| l[2] == "TABLE_MAP_EVENT" && l[7].contains("(shop.orders)")));
}

#[test]
fn rows_flags_are_named_as_mysqlbinlog_names_them() {
    replog_tests::require_corpus!();
    // `mariadb-binlog` on the same events prints "Write_rows: table id 28 flags:
    // STMT_END_F" (types-bin.000001 at 87371) and, for write-full-row.binlog, two
    // writes without the flag before "Delete_rows: table id 28 flags: STMT_END_F".
    let info = |file: &str| -> Vec<(String, String)> {
        thl(&["events", "-file", file])
            .ok()
            .lines()
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .filter(|l| l[2].contains("_ROWS_"))
            .map(|l| (l[1].to_string(), l[7].to_string()))
            .collect()
    };
    let types = info(&mariadb("types-bin.000001"));
    assert!(
        types.contains(&("87371".into(), "table_id: 28 flags: STMT_END_F".into())),
        "{types:?}"
    );
    let full = info(&corpus("write-full-row.binlog"));
    let shown: Vec<&str> = full.iter().map(|(_, i)| i.as_str()).collect();
    assert_eq!(
        shown,
        [
            "table_id: 24 flags: 0",
            "table_id: 28 flags: 0",
            "table_id: 28 flags: STMT_END_F"
        ]
    );
}

#[test]
fn sample_log_json_counts_and_gtids() {
    let file = mariadb("sample-bin.000001");
    let events = ok_json(&["-file", &file]);
    assert_framing(&events, 2035);
    for (ty, n) in [
        ("FORMAT_DESCRIPTION_EVENT", 1),
        ("MARIADB_GTID_LIST_EVENT", 1),
        ("MARIADB_BINLOG_CHECKPOINT_EVENT", 1),
        ("MARIADB_GTID_EVENT", 5),
        ("QUERY_EVENT", 2),
        ("MARIADB_ANNOTATE_ROWS_EVENT", 3),
        ("TABLE_MAP_EVENT", 3),
        ("WRITE_ROWS_EVENT_V1", 1),
        ("UPDATE_ROWS_EVENT_V1", 1),
        ("DELETE_ROWS_EVENT_V1", 1),
        ("XID_EVENT", 3),
        ("STOP_EVENT", 1),
    ] {
        assert_eq!(count(&events, ty), n, "{ty}");
    }
    // CRC32 log: every event verified.
    assert!(events.iter().all(|e| e["checksum_ok"] == true));
    let gtids: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "MARIADB_GTID_EVENT")
        .map(|e| e["gtid"].as_str().unwrap())
        .collect();
    // server_id=1, default domain 0, one GTID per transaction in order.
    assert_eq!(gtids, ["0-1-1", "0-1-2", "0-1-3", "0-1-4", "0-1-5"]);
    let map = events
        .iter()
        .find(|e| e["type"] == "TABLE_MAP_EVENT")
        .unwrap();
    assert_eq!(
        (map["schema"].as_str(), map["table"].as_str()),
        (Some("shop"), Some("orders"))
    );
    // binlog_row_metadata=FULL: the catalogue's column names, in order.
    let names: Vec<&str> = map["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["id", "customer", "amount", "placed", "note"]);
}

fn expected_file(name: &str) -> Json {
    let text = std::fs::read_to_string(mariadb("expected.json")).unwrap();
    let all: Json = serde_json::from_str(&text).unwrap();
    all["files"][name].clone()
}

/// Whether replog's rendering `got` is the server's value `want` for a column of the
/// catalogue type `info`, allowing only the documented differences of form: ENUM/SET
/// with the catalogue's member names (these logs have binlog_row_metadata=FULL: the
/// names are required), FLOAT printed as its shortest binary32 text, TIMESTAMP to the
/// microsecond, binary values as UTF-8 text when they are, latin1 text as bytes, and
/// BINARY(n) images without the pad bytes the server adds back when reading.
fn same_value(got: &Json, want: &Json, info: &Json) -> bool {
    let ty = info["type"].as_str().unwrap_or("");
    if let Some(named) = replog_tests::named_member_value(ty, want) {
        return *got == named;
    }
    if got == want {
        return true;
    }
    match (got, want) {
        (Json::Number(g), Json::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            (ty.starts_with("float") && g as f32 == w as f32)
                || (ty.starts_with("timestamp") && (g - w).abs() < 5e-7)
        }
        _ => match (
            bytes_of(got, None),
            bytes_of(want, info["charset"].as_str()),
        ) {
            (Some(mut g), Some(w)) => {
                if ty.starts_with("binary(") && g.len() < w.len() {
                    g.resize(w.len(), 0);
                }
                g == w
            }
            _ => false,
        },
    }
}

fn bytes_of(v: &Json, charset: Option<&str>) -> Option<Vec<u8>> {
    match v {
        Json::Object(o) => {
            let hex = o.get("hex")?.as_str()?;
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                .collect()
        }
        Json::String(s) if charset == Some("latin1") => {
            s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
        }
        Json::String(s) => Some(s.as_bytes().to_vec()),
        _ => None,
    }
}

/// The row changes of `events -json` equal the server's `row_changes`, in log order.
fn assert_rows_match_server(file: &str) {
    let expected = expected_file(file);
    let events = ok_json(&["-file", &mariadb(file)]);
    let mut got = Vec::new();
    for e in &events {
        let ty = e["type"].as_str().unwrap();
        let action = if ty.contains("WRITE_ROWS") {
            "write"
        } else if ty.contains("UPDATE_ROWS") {
            "update"
        } else if ty.contains("DELETE_ROWS") {
            "delete"
        } else {
            continue;
        };
        assert_eq!(e["schema"], expected["database"], "{e}");
        for row in e["rows"].as_array().unwrap() {
            got.push((
                e["table"].as_str().unwrap().to_string(),
                action,
                row.clone(),
            ));
        }
    }
    let want = expected["row_changes"].as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{file}: number of row changes");
    let mut compared = 0;
    for (i, ((table, action, row), w)) in got.iter().zip(want).enumerate() {
        assert_eq!(table, &w["table"], "{file} change {i}");
        assert_eq!(*action, w["action"], "{file} change {i}");
        let columns = expected["tables"][table.as_str()].as_array().unwrap();
        for image in ["before", "after"] {
            assert_eq!(
                row.get(image).is_some(),
                w.get(image).is_some(),
                "{file} {i} {image}"
            );
            let (Some(g), Some(wv)) = (row.get(image), w.get(image)) else {
                continue;
            };
            let (g, wv) = (g.as_array().unwrap(), wv.as_array().unwrap());
            assert_eq!(
                g.len(),
                wv.len(),
                "{file} change {i} {image}: full row images"
            );
            for (k, (gv, wvv)) in g.iter().zip(wv).enumerate() {
                assert!(
                    same_value(gv, wvv, &columns[k]),
                    "{file} change {i} ({table}) {image} column {} ({}): got {gv}, server {wvv}",
                    columns[k]["name"],
                    columns[k]["type"]
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 0);
}

#[test]
fn sample_log_rows_are_the_servers_values() {
    assert_rows_match_server("sample-bin.000001");
    // And exactly, with no allowance needed: the README's example line.
    let events = ok_json(&["-file", &mariadb("sample-bin.000001")]);
    let update = events
        .iter()
        .find(|e| e["type"] == "UPDATE_ROWS_EVENT_V1")
        .unwrap();
    assert_eq!(
        update["rows"],
        json!([{"before": [2, "Grace", "1999.99", "2024-03-02 17:45:30", null],
                "after": [2, "Grace", "2004.99", "2024-03-02 17:45:30", "paid"]}])
    );
}

#[test]
fn every_column_type_renders_the_servers_values() {
    assert_rows_match_server("types-bin.000001");
}

#[test]
fn float_is_the_shortest_text_of_its_binary32_value() {
    // t_float (id, FLOAT, DOUBLE): the server's values are in expected.json (FLOAT
    // widened to double). The FLOAT texts are the shortest decimals that round to the
    // same binary32: FLT_MAX = 3.40282346639e38 with a step of 2^104 = 2.03e31 (7 digits
    // miss by more than half a step, 3.4028235e38 is within it); FLT_MIN = 2^-126 =
    // 1.17549435e-38 with a step of 2^-149 (1.1754944e-38 is the nearest 8-digit
    // decimal); 2^-149 = 1.4e-45 itself (1e-45 rounds to it); 0.1 as `mariadb-binlog
    // -v` prints it.
    let run = thl(&["events", "-json", "-file", &mariadb("types-bin.000001")]);
    let out = run.ok();
    let line = out
        .lines()
        .find(|l| {
            l.contains(r#""type":"WRITE_ROWS_EVENT_V1""#) && l.contains(r#""table":"t_float""#)
        })
        .expect("the t_float write");
    for row in [
        "[1,1.5,-2.25]",
        "[2,3.4028235e38,1.7976931348623157e308]",
        "[3,-3.4028235e38,-1.7976931348623157e308]",
        "[4,1.1754944e-38,2.2250738585072014e-308]",
        "[5,1e-45,5e-324]",
        "[6,0.1,0.1]",
    ] {
        assert!(
            line.contains(&format!(r#"{{"after":{row}}}"#)),
            "{row} in {line}"
        );
    }
}

#[test]
fn mariadb_compressed_events_are_inflated() {
    assert_rows_match_server("compressed-bin.000001");
    let file = mariadb("compressed-bin.000001");
    let events = ok_json(&["-file", &file]);
    assert_framing(&events, 7011);
    // fixtures/mariadb/README.md: QUERY_COMPRESSED×2, compressed v1 rows events.
    let queries: Vec<&Json> = events
        .iter()
        .filter(|e| e["type"] == "MARIADB_QUERY_COMPRESSED_EVENT")
        .collect();
    assert_eq!(queries.len(), 2);
    assert!(queries
        .iter()
        .any(|q| q["query"].as_str().unwrap().starts_with("CREATE TABLE")));
    assert_eq!(count(&events, "MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1"), 2);
    assert_eq!(count(&events, "MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1"), 2);
    assert_eq!(count(&events, "MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1"), 1);
    assert_eq!(events.last().unwrap()["type"], "ROTATE_EVENT");
}

#[test]
fn types_log_ends_with_rotate_to_the_next_file() {
    let file = mariadb("types-bin.000001");
    let events = ok_json(&["-file", &file]);
    assert_framing(&events, 95_572);
    let last = events.last().unwrap();
    assert_eq!(last["type"], "ROTATE_EVENT");
    assert_eq!(last["next_file"], "types-bin.000002");
    assert_eq!(last["position"], 4);
    assert_eq!(count(&events, "INTVAR_EVENT"), 5);
    assert_eq!(count(&events, "USER_VAR_EVENT"), 5);
    assert_eq!(count(&events, "RAND_EVENT"), 1);
    assert_eq!(count(&events, "XID_EVENT"), 22);
}

// ---------------------------------------------------------------- the shared corpus

#[test]
fn transaction_payload_inner_events_carry_inner_offset() {
    replog_tests::require_corpus!();
    let file = corpus("transaction_compression.000001");
    let events = ok_json(&["-file", &file]);
    assert_framing(&events, 475);
    // README: 5 events plus 4 inside a transaction payload.
    assert_eq!(events.len(), 9);
    let outer: Vec<&Json> = events
        .iter()
        .filter(|e| e.get("inner_offset").is_none())
        .collect();
    assert_eq!(
        types(&outer.iter().map(|e| (*e).clone()).collect::<Vec<_>>()),
        [
            "FORMAT_DESCRIPTION_EVENT",
            "PREVIOUS_GTIDS_LOG_EVENT",
            "ANONYMOUS_GTID_LOG_EVENT",
            "TRANSACTION_PAYLOAD_EVENT",
            "ROTATE_EVENT"
        ]
    );
    let payload = outer[3];
    assert_eq!(payload["type_code"], 40);
    let inner: Vec<&Json> = events
        .iter()
        .filter(|e| e.get("inner_offset").is_some())
        .collect();
    let inner_types: Vec<&str> = inner.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        inner_types,
        [
            "QUERY_EVENT",
            "TABLE_MAP_EVENT",
            "WRITE_ROWS_EVENT",
            "XID_EVENT"
        ]
    );
    let mut next_inner = 0;
    for e in &inner {
        // Inner events belong to the payload's offset, have log_pos 0, no checksum.
        assert_eq!(e["offset"], payload["offset"]);
        assert_eq!(e["inner_offset"], next_inner);
        assert_eq!(e["log_pos"], 0);
        assert_eq!(e["checksum_ok"], Json::Null);
        next_inner += e["event_size"].as_u64().unwrap();
    }
    // 124 compressed bytes inflate to 179: the inner events fill them exactly.
    assert_eq!(next_inner, 179);
    assert!(outer.iter().all(|e| e["checksum_ok"] == true));
    assert_eq!(inner[0]["query"], "BEGIN");
    // The inner rows event is decoded with the inner table map.
    assert_eq!(inner[2]["table_id"], inner[1]["table_id"]);
    assert_eq!(inner[2]["rows"].as_array().unwrap().len(), 1);
    // Text: inner events show PAYLOAD_POS+INNER_OFFSET.
    let text = thl(&["events", "-file", &file]).ok();
    let pos = payload["offset"].as_u64().unwrap();
    assert!(
        text.contains(&format!("\t{pos}+0\tQUERY_EVENT\t")),
        "{text}"
    );
}

#[test]
fn tagged_gtid_and_tagged_previous_gtids() {
    replog_tests::require_corpus!();
    let events = ok_json(&["-file", &corpus("binlog_transaction_with_GTID_TAG.000001")]);
    assert_framing(&events, 585);
    assert_eq!(events.len(), 8);
    let gtid = events
        .iter()
        .find(|e| e["type"] == "GTID_TAGGED_LOG_EVENT")
        .unwrap();
    assert_eq!(gtid["type_code"], 42);
    assert!(
        gtid["gtid"].as_str().unwrap().ends_with(":mytag:3"),
        "{gtid}"
    );
    // One row of (LONG, LONG, DECIMAL(10,2)).
    let map = events
        .iter()
        .find(|e| e["type"] == "TABLE_MAP_EVENT")
        .unwrap();
    let col_types: Vec<&str> = map["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(col_types, ["LONG", "LONG", "NEWDECIMAL"]);
    let rows = events
        .iter()
        .find(|e| e["type"] == "WRITE_ROWS_EVENT")
        .unwrap();
    let after = &rows["rows"][0]["after"];
    assert_eq!(after.as_array().unwrap().len(), 3);
    let decimal = after[2].as_str().unwrap();
    assert_eq!(
        decimal.split('.').nth(1).map(str::len),
        Some(2),
        "{decimal}"
    );
    // PREVIOUS_GTIDS mixes `…:1-13` and `…:mytag:1-2`.
    let text = thl(&[
        "events",
        "-file",
        &corpus("binlog_transaction_with_GTID_TAG.000001"),
    ])
    .ok();
    let prev = text
        .lines()
        .find(|l| l.contains("PREVIOUS_GTIDS_LOG_EVENT"))
        .unwrap();
    assert!(
        prev.contains(":1-13") && prev.contains(":mytag:1-2"),
        "{prev}"
    );
}

#[test]
fn mysql_gtids_logical_clock_and_anonymous() {
    replog_tests::require_corpus!();
    // 5.6 layout: no logical clock.
    let events = ok_json(&["-file", &corpus("binlog_56_gtid_reserved_word.000001")]);
    assert_framing(&events, 1422);
    let gtids: Vec<&Json> = events
        .iter()
        .filter(|e| e["type"] == "GTID_LOG_EVENT")
        .collect();
    assert_eq!(gtids.len(), 6);
    for g in &gtids {
        assert!(g["gtid"]
            .as_str()
            .unwrap()
            .starts_with("11111111-1111-1111-1111-111111111111:"));
        assert_eq!(g["last_committed"], Json::Null);
    }
    let rows = events
        .iter()
        .find(|e| e["type"] == "WRITE_ROWS_EVENT")
        .unwrap();
    assert_eq!(rows["table"], "GENERATED");
    // 5.7.6-m16 anonymous GTIDs (logical clock present).
    let events = ok_json(&[
        "-file",
        &corpus("binlog_transaction_with_anonymous_GTID.000001"),
    ]);
    let anon: Vec<&Json> = events
        .iter()
        .filter(|e| e["type"] == "ANONYMOUS_GTID_LOG_EVENT")
        .collect();
    assert_eq!(anon.len(), 2);
    for g in anon {
        assert_eq!(g["gtid"], Json::Null);
        assert!(
            g["last_committed"].is_i64() && g["sequence_number"].is_i64(),
            "{g}"
        );
    }
}

#[test]
fn mariadb_corpus_log_gtids_and_names() {
    replog_tests::require_corpus!();
    let events = ok_json(&["-file", &corpus("mariadb-bin.000001")]);
    assert_framing(&events, 1074);
    assert_eq!(events.len(), 13);
    let gtids: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "MARIADB_GTID_EVENT")
        .map(|e| e["gtid"].as_str().unwrap())
        .collect();
    assert_eq!(gtids, ["0-1-1", "0-1-2"]);
    let map = events
        .iter()
        .find(|e| e["type"] == "TABLE_MAP_EVENT")
        .unwrap();
    let columns = map["columns"].as_array().unwrap();
    assert!(columns.iter().all(|c| c["name"].is_string()), "{map}");
    assert_eq!(columns[0]["type"], "LONG");
    assert!(columns[0]["unsigned"].is_boolean());
    assert_eq!(count(&events, "WRITE_ROWS_EVENT_V1"), 2);
}

#[test]
fn enum_members_are_named_when_the_map_carries_them() {
    replog_tests::require_corpus!();
    // Corpus README: FULL row metadata; column 2 is an ENUM. The server logged the
    // statement of each write in the ANNOTATE_ROWS before it:
    //   insert into outbox (topic, event_type, event) values ('foo', 'JSON', '{"foo":1}')
    let file = corpus("mariadb-bin.000001");
    let text = thl(&["events", "-file", &file]).ok();
    let annotated = text
        .lines()
        .filter(|l| l.contains("MARIADB_ANNOTATE_ROWS_EVENT"))
        .filter(|l| l.contains("values ('foo', 'JSON', '{\"foo\":1}')"))
        .count();
    assert_eq!(annotated, 2, "{text}");
    let events = ok_json(&[
        "-file",
        &file,
        "-start-position",
        "612",
        "-stop-position",
        "613",
    ]);
    let rows = events.last().unwrap();
    assert_eq!(rows["offset"], 612, "{rows}");
    let enum_value = &rows["rows"][0]["after"][2];
    assert_eq!(enum_value["name"], "JSON", "{rows}");
    assert!(
        enum_value["index"].as_u64().is_some_and(|i| i >= 1),
        "{rows}"
    );
}

#[test]
fn rotate_query_and_xid_fields() {
    replog_tests::require_corpus!();
    let events = ok_json(&["-file", &corpus("binlog_transaction.000001")]);
    assert_framing(&events, 1670);
    assert_eq!(events.len(), 20);
    assert_eq!(count(&events, "QUERY_EVENT"), 17);
    let rotate = events.last().unwrap();
    assert_eq!(rotate["type"], "ROTATE_EVENT");
    assert_eq!(rotate["next_file"], "master-bin.000002");
    assert_eq!(rotate["position"], 4);
    let xid = events.iter().find(|e| e["type"] == "XID_EVENT").unwrap();
    assert!(xid["xid"].is_u64());
    // BEGIN/COMMIT/ROLLBACK carry LOG_EVENT_SUPPRESS_USE_F (0x8).
    for q in events.iter().filter(|e| e["type"] == "QUERY_EVENT") {
        assert!(q["thread_id"].is_u64() && q["error_code"] == 0, "{q}");
        let text = q["query"].as_str().unwrap();
        if ["BEGIN", "COMMIT", "ROLLBACK"].contains(&text) {
            assert_eq!(q["flags"].as_u64().unwrap() & 0x8, 0x8, "{q}");
        }
    }
    // pre-5.6.1 format: no checksums.
    assert!(events.iter().all(|e| e["checksum_ok"] == Json::Null));
}

#[test]
fn pre_ga_permuted_files_get_their_real_types() {
    replog_tests::require_corpus!();
    // README: raw 16 = TABLE_MAP, 17/18/19 = pre-GA rows, 20 = XID, 21 =
    // BEGIN_LOAD_QUERY, 22 = EXECUTE_LOAD_QUERY in these two files.
    let events = ok_json(&["-file", &corpus("ver_5_1-wl2325_s.001")]);
    assert_framing(&events, 149_796);
    assert_eq!(events.len(), 15);
    let load = events
        .iter()
        .find(|e| e["type"] == "BEGIN_LOAD_QUERY_EVENT")
        .unwrap();
    assert_eq!(load["event_size"], 131_095);
    assert_eq!(count(&events, "XID_EVENT"), 1);
    assert_eq!(count(&events, "EXECUTE_LOAD_QUERY_EVENT"), 1);
    let events = ok_json(&["-file", &corpus("ver_5_1-wl2325_r.001")]);
    assert_eq!(events.len(), 11);
    assert!(count(&events, "TABLE_MAP_EVENT") >= 1);
    assert!(events
        .iter()
        .any(|e| e["type"].as_str().unwrap().starts_with("PRE_GA_") && e["rows"].is_array()));
}

#[test]
fn every_corpus_file_reads_with_its_documented_event_count() {
    replog_tests::require_corpus!();
    // (file, bytes, top-level events) from the corpus README; damaged files (and
    // binlog_savepoint.000001, cut after its last transaction) have tests of their own.
    for (name, bytes, n) in [
        ("binlog_transaction_previous_GTID_no_tag.000001", 241, 3),
        ("binlog_transaction_with_GTID.000001", 789, 11),
        ("bug11747887-bin.000003", 729, 9),
        ("bug16266.000001", 532, 6),
        ("bug32407.001", 516, 7),
        ("bug33029-slave-relay-bin.000001", 3933, 43),
        ("bug40482-bin.000001", 172, 3),
        ("json.binlog.000001", 4011, 36),
        ("master-bin.000001", 177, 3),
        ("minimal_row_metadata.000001", 495, 8),
        ("mysql-enum-string-set.000001", 3331, 21),
        ("mysql_type_bit.000001", 1001, 11),
        ("rpl_atomic_ddl_rollback_full.000001", 930, 11),
        ("rpl_atomic_ddl_rollback_table.000001", 524, 7),
        ("rpl_atomic_ddl_rollback_view.000001", 583, 7),
        (
            "rpl_cross_version_default_utf8mb4_collation.000001",
            1663,
            19,
        ),
        ("slave-relay-bin.000001", 493, 6),
        ("time_issue.000001", 472, 8),
        ("update-full-row.binlog", 614, 10),
        ("ver_5_1_23.001", 150_402, 24),
        ("ver_trunk_row_v2.001", 151_722, 40),
        ("write-full-row.binlog", 571, 9),
        ("write-partial-row.binlog", 596, 10),
        ("tungsten/binlog_5events.000001", 648, 10),
        ("tungsten/binlog_rbr_1.000001", 1292, 25),
        ("tungsten/binlog_trx.000001", 1490, 19),
    ] {
        let file = corpus(name);
        assert_eq!(size(&file), bytes, "{name}");
        let events = ok_json(&["-file", &file]);
        assert_eq!(events.len(), n, "{name}");
        assert_framing(&events, bytes);
        let text = thl(&["events", "-file", &file]).ok();
        assert_eq!(text.lines().count(), n, "{name}");
    }
}

/// Corpus README: binlog_savepoint.000001 has its in-use flag clear (the server closed
/// it) and ends with an XID, "No STOP or ROTATE at the end": a closed log cut at an
/// event boundary. Its 12 events are listed, then the cut is reported at the file's end.
#[test]
fn closed_log_without_rotate_or_stop_is_reported_as_cut() {
    replog_tests::require_corpus!();
    let file = corpus("binlog_savepoint.000001");
    let message = format!(
        "{file}: at byte 1014: truncated log: expected a ROTATE or STOP event at the end of a \
         closed log (in-use flag clear), found the end of the file after the XID_EVENT at byte \
         987"
    );
    let strict = thl(&["events", "-file", &file]);
    assert_eq!(strict.code, 1);
    assert_eq!(strict.stdout.lines().count(), 12);
    assert_eq!(strict.stderr, format!("Fatal error: {message}\n"));
    let permissive = thl(&["events", "-permissive", "-file", &file]);
    assert_eq!(permissive.code, 1);
    assert_eq!(permissive.stdout, strict.stdout);
    assert_eq!(
        permissive.stderr,
        format!("WARN {message}\nERROR 1 problem reported (-permissive)\n")
    );
}

#[test]
fn time_and_partial_json_values() {
    replog_tests::require_corpus!();
    let events = ok_json(&["-file", &corpus("time_issue.000001")]);
    let rows = events
        .iter()
        .find(|e| e["type"] == "WRITE_ROWS_EVENT")
        .unwrap();
    assert_eq!(rows["rows"][0]["after"][0], "-507:48:27");
    let events = ok_json(&["-file", &corpus("json.binlog.000001")]);
    let partial = events
        .iter()
        .find(|e| e["type"] == "PARTIAL_UPDATE_ROWS_EVENT")
        .unwrap();
    let rendered = partial["rows"].to_string();
    assert!(
        rendered.contains("REPLACE") && rendered.contains("$.age"),
        "{rendered}"
    );
}

/// The rows event at `offset` of a corpus file.
fn rows_event_at(file: &str, offset: u64) -> Json {
    let events = ok_json(&["-file", &corpus(file)]);
    events
        .into_iter()
        .find(|e| e["offset"] == offset && e.get("rows").is_some())
        .unwrap_or_else(|| panic!("{file}: no rows event at {offset}"))
}

/// Every row's `image` lists as many values as `columns` names.
fn assert_image_matches(event: &Json, image: &str, columns: &Json) {
    let n = columns.as_array().expect("a column list").len();
    for row in event["rows"].as_array().unwrap() {
        assert_eq!(row[image].as_array().unwrap().len(), n, "{event}");
    }
}

#[test]
fn partial_row_images_name_their_columns() {
    replog_tests::require_corpus!();
    // Corpus README: "one WRITE_ROWS whose column bitmap names only columns 0 and 2
    // (partial after image), and a DELETE with a key-only before image".
    let write = rows_event_at("write-partial-row.binlog", 415);
    assert_eq!(write["type"], "WRITE_ROWS_EVENT_V1");
    assert_eq!(write["after_columns"], json!([0, 2]), "{write}");
    assert!(write.get("before_columns").is_none(), "{write}");
    assert_image_matches(&write, "after", &write["after_columns"]);
    let events = ok_json(&["-file", &corpus("write-partial-row.binlog")]);
    let delete = events
        .iter()
        .find(|e| e["type"] == "DELETE_ROWS_EVENT_V1")
        .unwrap();
    assert_eq!(
        delete["before_columns"].as_array().map(Vec::len),
        Some(1),
        "{delete}"
    );
    assert_image_matches(delete, "before", &delete["before_columns"]);
    // The full writes of the same file carry no list.
    let full = events
        .iter()
        .filter(|e| e["type"] == "WRITE_ROWS_EVENT_V1" && e["offset"] != 415);
    assert!(full.clone().count() >= 2);
    assert!(full.clone().all(|e| e.get("after_columns").is_none()));

    // README: a PARTIAL_UPDATE_ROWS_EVENT with a minimal row image, "the before image
    // has only the key column", on a table (int, JSON, VARCHAR, int).
    let partial = rows_event_at("json.binlog.000001", 3750);
    assert_eq!(partial["type"], "PARTIAL_UPDATE_ROWS_EVENT");
    assert_eq!(partial["before_columns"], json!([0]), "{partial}");
    assert_image_matches(&partial, "before", &partial["before_columns"]);
    match partial.get("after_columns") {
        Some(after) => assert_image_matches(&partial, "after", after),
        None => assert_image_matches(&partial, "after", &json!([0, 1, 2, 3])),
    }

    // binlog_row_image=FULL (fixtures/mariadb/README.md): never a list.
    let events = ok_json(&["-file", &mariadb("types-bin.000001")]);
    let rows: Vec<_> = events.iter().filter(|e| e.get("rows").is_some()).collect();
    assert_eq!(rows.len(), 12 + 7 + 4);
    assert!(rows
        .iter()
        .all(|e| e.get("before_columns").is_none() && e.get("after_columns").is_none()));
}

// ---------------------------------------------------------------- damage

#[test]
fn corrupt_query_stops_strict_reading_at_its_offset() {
    replog_tests::require_corpus!();
    let file = corpus("corrupt-relay-bin.000624");
    let run = thl(&["events", "-file", &file]);
    assert_eq!(run.code, 1);
    let err = run.stderr.trim_end();
    assert!(err.starts_with("Fatal error: "), "{err}");
    assert!(
        err.contains(&format!("{file}: at byte 91204: QUERY_EVENT: expected ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // Everything before it was printed: 874 events, the corrupt one and the final ROTATE
    // after it (91204 + 171 = 91375; 91418 - 91375 is one ROTATE).
    assert_eq!(run.stdout.lines().count(), 872);
    let (objects, json_run) = events_json(&["-file", &file]);
    assert_eq!(json_run.code, 1);
    assert_eq!(objects.len(), 872);
}

#[test]
fn permissive_reading_reports_and_reaches_the_final_rotate() {
    replog_tests::require_corpus!();
    let file = corpus("corrupt-relay-bin.000624");
    let (events, run) = events_json(&["-file", &file, "-permissive"]);
    assert_eq!(run.code, 1, "problems make the status 1");
    let err: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(err.len(), 2, "{err:?}");
    assert!(
        err[0].starts_with(&format!("WARN {file}: at byte 91204: QUERY_EVENT")),
        "{err:?}"
    );
    assert_eq!(err[1], "ERROR 1 problem reported (-permissive)");
    assert_eq!(events.len(), 873);
    let last = events.last().unwrap();
    assert_eq!(last["type"], "ROTATE_EVENT");
    assert_eq!(last["offset"], 91375);
    assert_eq!(last["next_file"], "relay-bin.000625");
    for (ty, n) in [
        ("QUERY_EVENT", 453),
        ("INTVAR_EVENT", 233),
        ("XID_EVENT", 183),
    ] {
        assert_eq!(count(&events, ty), n, "{ty}");
    }
    // The fake ROTATE of the relay log names the source's file and position.
    let fake = events.iter().find(|e| e["type"] == "ROTATE_EVENT").unwrap();
    assert_eq!(fake["next_file"], "mysql-bin.010260");
    assert_eq!(fake["position"], 230_184);
}

#[test]
fn truncated_files_name_the_offset_and_fail() {
    replog_tests::require_corpus!();
    let file = corpus("binlog_truncated_event.000001");
    for extra in [&[][..], &["-permissive"], &["-json"]] {
        let mut args = vec!["events", "-file", &file];
        args.extend_from_slice(extra);
        let run = thl(&args);
        assert_eq!(run.code, 1, "{extra:?}");
        assert!(run.stdout.is_empty());
        assert!(
            run.stderr
                .contains(&format!("{file}: at byte 4: truncated event")),
            "{}",
            run.stderr
        );
    }
    let file = corpus("binlog_truncated_prev_gtid_event.000001");
    let (events, run) = events_json(&["-file", &file]);
    assert_eq!(run.code, 1);
    assert_eq!(types(&events), ["FORMAT_DESCRIPTION_EVENT"]);
    assert!(
        run.stderr.contains(&format!(
            "{file}: at byte 120: truncated event: expected 19 bytes, found 9"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_damaged_checksum_is_an_error_or_a_flagged_event() {
    replog_tests::require_corpus!();
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("binlog.000007");
    let mut bytes =
        std::fs::read(corpus("binlog_transaction_previous_GTID_no_tag.000001")).unwrap();
    // README: 241 bytes ending with ROTATE to binlog.000008, CRC32: the ROTATE is
    // 19 + 8 + 13 + 4 = 44 bytes at 197; flip a bit of its stored CRC.
    *bytes.last_mut().unwrap() ^= 0x01;
    std::fs::write(&copy, &bytes).unwrap();
    let file = path_text(copy);
    let run = thl(&["events", "-file", &file]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("{file}: at byte 197: checksum mismatch")),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout.lines().count(), 2);
    let (events, run) = events_json(&["-file", &file, "-permissive"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("at byte 197: checksum mismatch"),
        "{}",
        run.stderr
    );
    let last = events.last().unwrap();
    assert_eq!(
        (last["offset"].as_u64(), last["checksum_ok"].as_bool()),
        (Some(197), Some(false))
    );
    assert_eq!(last["next_file"], "binlog.000008");
    // -no-checksum: nothing verified, nothing reported.
    let events = ok_json(&["-file", &file, "-no-checksum"]);
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e["checksum_ok"] == Json::Null));
}

#[test]
fn not_a_binlog_and_missing_files() {
    let run = thl(&["events", "-file", &mariadb("expected.json")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("at byte 0"), "{}", run.stderr);
    let run = thl(&["events", "-file", "/nonexistent/binlog.000001"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("/nonexistent/binlog.000001: at byte 0: I/O error"),
        "{}",
        run.stderr
    );
    let run = thl(&["events"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("events needs at least one binary log"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_log_of_the_other_kind_points_to_the_command_that_reads_it() {
    replog_tests::require_corpus!();
    // A THL file (magic 0xC001CAFE, spec 3.1) given to `thl events`.
    let dir = replog_tests::shared_fixture("thl/synthetic-4.1.0");
    let file = dir.join("thl.data.0000000002");
    let file = path_text(file);
    assert_eq!(
        thl(&["events", "-file", &file]).fails(),
        format!(
            "Fatal error: {file}: at byte 0: not a binary log: expected magic fe62696e, found \
             c001cafe (a Tungsten THL file: list it with thl -dir {} list -file \
             thl.data.0000000002)\n",
            dir.display()
        )
    );
    // Binary logs given to the THL commands: a directory of them, one as -dir, one as
    // `list -file`. The Tungsten message comes first, unchanged.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    let log = format!("{d}/sample-bin.000001");
    std::fs::copy(mariadb("sample-bin.000001"), &log).unwrap();
    std::fs::write(format!("{d}/notes.txt"), "not a log").unwrap();
    assert_eq!(
        thl(&["-dir", d, "info"]).fails(),
        format!(
            "Fatal error: Attempting to read a non-existent log; is log initialized? \
             dirName={d} ({d} holds MySQL/MariaDB binary logs, not THL: read them with thl \
             events -file {log})\n"
        )
    );
    assert_eq!(
        thl(&["-dir", &log, "list"]).fails(),
        format!(
            "Fatal error: Log directory does not exist : {log} ({log} is a MySQL/MariaDB \
             binary log: read it with thl events -file {log})\n"
        )
    );
    assert_eq!(
        thl(&["-dir", d, "list", "-file", "sample-bin.000001"]).fails(),
        format!(
            "File name must be a THL log file name like thl.data.0000000001 ({log} is a \
             MySQL/MariaDB binary log: read it with thl events -file {log})\n"
        )
    );
}

// ---------------------------------------------------------------- ranges and inputs

#[test]
fn positions_select_events_as_mysqlbinlog_does() {
    replog_tests::require_corpus!();
    let file = corpus("corrupt-relay-bin.000624");
    // Stopping before the corrupt event: strict reading succeeds.
    let events = ok_json(&["-file", &file, "-stop-position", "91204"]);
    assert_eq!(events.len(), 872);
    assert!(events.iter().all(|e| e["offset"].as_u64().unwrap() < 91204));
    // Starting after it: the damaged body before the start does not matter. The two
    // FDEs (README: the replica's and the source's) are shown whatever the start, as
    // `mariadb-binlog --start-position=91375` shows them ("# at 4", "# at 141", then
    // "# at 91375").
    let events = ok_json(&["-file", &file, "--start-position", "91375"]);
    assert_eq!(
        types(&events),
        [
            "FORMAT_DESCRIPTION_EVENT",
            "FORMAT_DESCRIPTION_EVENT",
            "ROTATE_EVENT"
        ]
    );
    let offsets: Vec<_> = events
        .iter()
        .map(|e| e["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, [4, 141, 91375]);
    // A start inside an event starts at the next one.
    let events = ok_json(&["-file", &file, "-start-position=91205"]);
    assert_eq!(events[2]["offset"], 91375);
    // Table maps before the start are remembered: the rows event alone still decodes.
    let sample = mariadb("sample-bin.000001");
    let all = ok_json(&["-file", &sample]);
    let update = all
        .iter()
        .find(|e| e["type"] == "UPDATE_ROWS_EVENT_V1")
        .unwrap();
    let at = update["offset"].to_string();
    let end = (update["offset"].as_u64().unwrap() + 1).to_string();
    let only = ok_json(&[
        "-file",
        &sample,
        "-start-position",
        &at,
        "-stop-position",
        &end,
    ]);
    assert_eq!(
        types(&only),
        ["FORMAT_DESCRIPTION_EVENT", "UPDATE_ROWS_EVENT_V1"]
    );
    assert_eq!(only[1]["rows"], update["rows"]);
}

#[test]
fn datetimes_select_events_as_mysqlbinlog_does() {
    replog_tests::require_corpus!();
    let file = corpus("bug33029-slave-relay-bin.000001");
    // README: replica FDE, fake ROTATE with timestamp 0, source FDE, then statements.
    // FDE and ROTATE do not end the run, the first statement does.
    let events = ok_json(&["-file", &file, "-stop-datetime", "1970-01-01 00:00:01"]);
    assert_eq!(
        types(&events),
        [
            "FORMAT_DESCRIPTION_EVENT",
            "ROTATE_EVENT",
            "FORMAT_DESCRIPTION_EVENT"
        ]
    );
    // Only the fake ROTATE is older than one second after the epoch.
    let events = ok_json(&["-file", &file, "-start-datetime", "1970-01-01 00:00:01"]);
    assert_eq!(events.len(), 42);
    assert!(events.iter().all(|e| e["timestamp"] != 0));
    // A zone moves the instant: 01:00:01 in UTC+1 is 00:00:01 UTC.
    let zoned = ok_json(&[
        "-file",
        &file,
        "-start-datetime",
        "1970-01-01 01:00:01",
        "-timezone",
        "Etc/GMT-1",
    ]);
    assert_eq!(zoned.len(), 42);
    // Past every event: only the FDEs, which `mariadb-binlog --start-datetime` prints
    // all the same.
    let events = ok_json(&["-file", &file, "-start-datetime", "2100-01-01"]);
    assert_eq!(
        types(&events),
        ["FORMAT_DESCRIPTION_EVENT", "FORMAT_DESCRIPTION_EVENT"]
    );
    let run = thl(&["events", "-file", &file, "-start-datetime", "yesterday"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("Invalid -start-datetime 'yesterday'"),
        "{}",
        run.stderr
    );
}

#[test]
fn several_files_gzip_and_stdin() {
    replog_tests::require_corpus!();
    let a = corpus("binlog_transaction.000001");
    let b = corpus("transaction_compression.000001");
    // `a` ends with a ROTATE to master-bin.000002: a copy of `b` under that name follows
    // it as a sequence must.
    let tmp = tempfile::tempdir().unwrap();
    let b_next = tmp.path().join("master-bin.000002");
    std::fs::copy(&b, &b_next).unwrap();
    let b_next = path_text(b_next);
    let both = ok_json(&["-file", &a, &b_next]);
    assert_eq!(both.len(), 20 + 9);
    assert_eq!(both[0]["file"], a.as_str());
    assert_eq!(both[20]["file"], b_next.as_str());
    // -start-position applies to the first file (its FDE is shown all the same),
    // -stop-position to the last.
    let ranged = ok_json(&[
        "-file",
        &a,
        "-file",
        &b_next,
        "-start-position",
        "200",
        "-stop-position",
        "200",
    ]);
    assert!(ranged.iter().all(
        |e| e["file"] == a.as_str() && e["offset"].as_u64() >= Some(200)
            || e["file"] == a.as_str() && e["type"] == "FORMAT_DESCRIPTION_EVENT"
            || e["file"] == b_next.as_str() && e["offset"].as_u64() < Some(200)
    ));
    assert!(ranged.iter().any(|e| e["file"] == b_next.as_str()));

    let gz = tmp.path().join("binlog.000001.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&std::fs::read(&b).unwrap()).unwrap();
    let packed = enc.finish().unwrap();
    std::fs::write(&gz, &packed).unwrap();
    let from_gz = ok_json(&["-file", gz.to_str().unwrap()]);
    let plain = ok_json(&["-file", &b]);
    let strip = |v: &[Json]| {
        v.iter()
            .map(|e| {
                let mut e = e.clone();
                e.as_object_mut().unwrap().remove("file");
                e
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&from_gz), strip(&plain));

    let mut child = thl_command()
        .args(["events", "-json", "-file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&packed).unwrap();
    let run = finish(child.wait_with_output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from_stdin: Vec<Json> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(from_stdin[0]["file"], "<stdin>");
    assert_eq!(strip(&from_stdin), strip(&plain));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let file = mariadb("types-bin.000001");
    let mut child = thl_command()
        .args(["events", "-json", "-file", &file, &file, &file, &file])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"file\":"));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_lists_events() {
    let out = thl(&["help"]).ok();
    assert!(out.contains("events -file F [F...]"), "{out}");
}
