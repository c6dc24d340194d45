//! `thl events -v`, `-vv`, `-sql`, `-flashback` and the selections, against the real
//! tools: `-v`/`-vv` line by line against `mariadb-binlog -v`/`-vv` on the project's
//! MariaDB logs, `-sql` and `-flashback` by applying their output to a throwaway MariaDB
//! server and comparing the tables with their state before and after the changes.
//! Without `mariadb-binlog` or `mariadbd` those tests are skipped (they fail under
//! `CI=true`, where MariaDB is installed).

mod common;

use std::path::Path;
use std::process::Command;

use common::thl;

fn mariadb(name: &str) -> String {
    replog_tests::project_fixture(&format!("mariadb/{name}"))
        .to_str()
        .expect("UTF-8 path")
        .to_string()
}

/// The `###` and `# Number of rows` lines of a listing, bytes kept (mariadb-binlog
/// prints binary values raw). replog's column-name comment is taken out: it is the one
/// documented addition (README, "Rows a person can read").
fn row_lines(listing: &[u8], names: &[&[u8]]) -> Vec<Vec<u8>> {
    listing
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"###") || l.starts_with(b"# Number of rows"))
        .map(|line| {
            let mut line = line.to_vec();
            for name in names {
                for (with, without) in [
                    ([b" /* ", *name, b" */"].concat(), Vec::new()),
                    ([b" /* ", *name, b" "].concat(), b" /* ".to_vec()),
                ] {
                    if let Some(at) = line.windows(with.len()).rposition(|w| w == with) {
                        if with.ends_with(b" */") && at + with.len() != line.len() {
                            continue;
                        }
                        line.splice(at..at + with.len(), without);
                        break;
                    }
                }
            }
            line
        })
        .collect()
}

/// Every column name the fixtures' table maps carry (all are FULL metadata logs).
fn column_names(file: &str) -> Vec<Vec<u8>> {
    let out = thl(&["events", "-json", "-file", file]).ok();
    let mut names: Vec<Vec<u8>> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["type"] == "TABLE_MAP_EVENT")
        .flat_map(|e| {
            e["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().as_bytes().to_vec())
                .collect::<Vec<_>>()
        })
        .collect();
    // Longest first, so that `c_tinyint_u` is not taken for `c_tinyint`.
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.dedup();
    names
}

#[test]
fn verbose_rows_match_mariadb_binlog_line_by_line() {
    let Some(mariadb_binlog) = replog_tests::installed("mariadb-binlog") else {
        replog_tests::skip_unless_required!(
            "mariadb-binlog is not installed",
            "install MariaDB's client tools (Debian: mariadb-client)"
        );
    };
    for fixture in [
        "sample-bin.000001",
        "types-bin.000001",
        "compressed-bin.000001",
    ] {
        let file = mariadb(fixture);
        let names = column_names(&file);
        let names: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
        for (ours, theirs) in [("-v", "-v"), ("-vv", "-vv")] {
            let reference = Command::new(&mariadb_binlog)
                .args(["--no-defaults", theirs, &file])
                .output()
                .expect("mariadb-binlog runs");
            assert!(
                reference.status.success(),
                "{fixture}: mariadb-binlog failed"
            );
            let expected = row_lines(&reference.stdout, &[]);
            let run = common::thl_command()
                .args(["events", ours, "-file", &file])
                .output()
                .expect("thl runs");
            assert!(run.status.success(), "{fixture} {ours}: thl failed");
            let actual = row_lines(&run.stdout, &names);
            assert!(expected.len() > 5, "{fixture}: mariadb-binlog printed rows");
            for (n, (a, e)) in actual.iter().zip(&expected).enumerate() {
                assert_eq!(
                    String::from_utf8_lossy(a),
                    String::from_utf8_lossy(e),
                    "{fixture} {ours}: row line {n} differs"
                );
            }
            assert_eq!(actual.len(), expected.len(), "{fixture} {ours}: line count");
        }
    }
}

#[test]
fn verbose_rows_name_the_columns_the_table_map_names() {
    let out = thl(&["events", "-v", "-file", &mariadb("sample-bin.000001")]).ok();
    // The UPDATE of README's shop example: Grace's order, amount 1999.99 -> 2004.99.
    let update: Vec<&str> = out
        .lines()
        .skip_while(|l| *l != "### UPDATE `shop`.`orders`")
        .take(13)
        .collect();
    assert_eq!(
        update,
        [
            "### UPDATE `shop`.`orders`",
            "### WHERE",
            "###   @1=2 /* id */",
            "###   @2='Grace' /* customer */",
            "###   @3=1999.99 /* amount */",
            "###   @4='2024-03-02 17:45:30' /* placed */",
            "###   @5=NULL /* note */",
            "### SET",
            "###   @1=2 /* id */",
            "###   @2='Grace' /* customer */",
            "###   @3=2004.99 /* amount */",
            "###   @4='2024-03-02 17:45:30' /* placed */",
            "###   @5='paid' /* note */",
        ]
    );
}

#[test]
fn sql_and_flashback_of_the_sample_log() {
    let file = mariadb("sample-bin.000001");
    let sql = thl(&["events", "-sql", "-file", &file]);
    assert_eq!(sql.code, 0, "{}", sql.stderr);
    // fixtures/mariadb/README.md: 3 inserts, the update of id 2, the delete of id 3.
    let statements: Vec<&str> = sql
        .stdout
        .lines()
        .filter(|l| !l.starts_with("--"))
        .collect();
    assert_eq!(
        statements,
        [
            "SET NAMES utf8mb4;",
            "SET time_zone = '+00:00';",
            "INSERT INTO `shop`.`orders` (`id`,`customer`,`amount`,`placed`,`note`) VALUES \
             (1,'Ada',12.50,'2024-03-01 09:15:00','first order');",
            "INSERT INTO `shop`.`orders` (`id`,`customer`,`amount`,`placed`,`note`) VALUES \
             (2,'Grace',1999.99,'2024-03-02 17:45:30',NULL);",
            "INSERT INTO `shop`.`orders` (`id`,`customer`,`amount`,`placed`,`note`) VALUES \
             (3,'Linus',0.00,'2024-03-03 00:00:00','free sample');",
            "UPDATE `shop`.`orders` SET `id`=2, `customer`='Grace', `amount`=2004.99, \
             `placed`='2024-03-02 17:45:30', `note`='paid' WHERE `id`=2 LIMIT 1;",
            "DELETE FROM `shop`.`orders` WHERE `id`=3 LIMIT 1;",
        ]
    );
    // The CREATE DATABASE and CREATE TABLE statements are said to be left out.
    assert!(sql.stderr.contains("NOTE 2 statement(s)"), "{}", sql.stderr);
    // Undo from the update on: newest first.
    let undo = thl(&[
        "events",
        "-flashback",
        "-start-position",
        "1343",
        "-file",
        &file,
    ]);
    let statements: Vec<&str> = undo
        .stdout
        .lines()
        .filter(|l| !l.starts_with("--"))
        .collect();
    assert_eq!(
        statements[2..],
        [
            "START TRANSACTION;",
            "INSERT INTO `shop`.`orders` (`id`,`customer`,`amount`,`placed`,`note`) VALUES \
             (3,'Linus',0.00,'2024-03-03 00:00:00','free sample');",
            "UPDATE `shop`.`orders` SET `id`=2, `customer`='Grace', `amount`=1999.99, \
             `placed`='2024-03-02 17:45:30', `note`=NULL WHERE `id`=2 LIMIT 1;",
            "COMMIT;",
        ]
    );
}

#[test]
fn output_modes_exclude_each_other_and_columns_needs_sql() {
    let file = mariadb("sample-bin.000001");
    assert_eq!(
        thl(&["events", "-v", "-json", "-file", &file])
            .fails()
            .trim(),
        "-json and -v exclude each other: choose one output"
    );
    assert!(thl(&["events", "-columns", "x.sql", "-file", &file])
        .fails()
        .contains("-columns names the columns of -sql and -flashback"));
}

// ---------------------------------------------------------------- selections

fn listed_types(args: &[&str]) -> Vec<String> {
    let mut all = vec!["events", "-file"];
    let file = mariadb("sample-bin.000001");
    all.push(&file);
    all.extend_from_slice(args);
    thl(&all)
        .ok()
        .lines()
        .map(|l| l.split('\t').nth(2).unwrap().to_string())
        .collect()
}

#[test]
fn database_table_type_server_and_gtid_selections() {
    // fixtures/mariadb/README.md: the shop table's 3 table maps and 3 rows events, and
    // CREATE DATABASE and CREATE TABLE (the server logs both with schema shop). The FDE
    // is always shown.
    let shop = listed_types(&["-database", "sh.p"]);
    assert_eq!(shop.iter().filter(|t| *t == "TABLE_MAP_EVENT").count(), 3);
    assert_eq!(
        shop.iter()
            .filter(|t| t.ends_with("_ROWS_EVENT_V1"))
            .count(),
        3
    );
    assert_eq!(shop.iter().filter(|t| *t == "QUERY_EVENT").count(), 2);
    assert_eq!(shop.len(), 1 + 3 + 3 + 2);
    // The table regex matches whole names only.
    assert_eq!(
        listed_types(&["-table", "order"]),
        ["FORMAT_DESCRIPTION_EVENT"]
    );
    assert_eq!(listed_types(&["-table", "orders"]).len(), 1 + 6);
    assert_eq!(
        listed_types(&["-type", "update_rows,xid"]),
        [
            "FORMAT_DESCRIPTION_EVENT",
            "XID_EVENT",
            "UPDATE_ROWS_EVENT_V1",
            "XID_EVENT",
            "XID_EVENT"
        ]
    );
    // GTID 0-1-4 is the update's transaction: GTID, ANNOTATE, TABLE_MAP, UPDATE, XID.
    let update = listed_types(&["-include-gtids", "0-1-4"]);
    assert_eq!(update.len(), 1 + 5, "{update:?}");
    assert_eq!(update[4], "UPDATE_ROWS_EVENT_V1");
    let others = listed_types(&["-exclude-gtids", "0-1-3-4"]);
    assert!(!others
        .iter()
        .any(|t| t == "UPDATE_ROWS_EVENT_V1" || t == "WRITE_ROWS_EVENT_V1"));
    assert!(others.iter().any(|t| t == "DELETE_ROWS_EVENT_V1"));
    let file = mariadb("sample-bin.000001");
    let none = thl(&["events", "-file", &file, "-server-id", "2"]);
    assert_eq!(none.code, 0);
    assert!(none.stderr.contains("no event matches"), "{}", none.stderr);
}

#[test]
fn ranges_that_cannot_select_are_errors() {
    let file = mariadb("sample-bin.000001");
    let run = |args: &[&str]| {
        let mut all = vec!["events", "-file", &file];
        all.extend_from_slice(args);
        thl(&all).fails()
    };
    assert!(run(&["-start-position", "900", "-stop-position", "800"])
        .contains("-start-position 900 is not before -stop-position 800"));
    assert!(run(&["-start-position", "99999"]).contains("beyond the last event"));
    assert!(run(&[
        "-start-datetime",
        "2026-11-27",
        "-stop-datetime",
        "2026-11-26"
    ])
    .contains("-start-datetime is not before -stop-datetime"));
    assert!(
        run(&["-timezone", "Mars/Olympus", "-start-datetime", "2026-11-26"])
            .contains("Invalid -timezone 'Mars/Olympus'")
    );
}

#[test]
fn start_datetime_keeps_every_event_after_the_first_match() {
    // The sample log's events up to the last XID carry 10:21:40 (mariadb-binlog), the
    // STOP written at shutdown a later second; the Java-style zone GMT+2 is accepted as
    // in `list`.
    let all = listed_types(&[
        "-start-datetime",
        "2026-11-26 12:21:40",
        "-timezone",
        "GMT+2",
    ]);
    assert_eq!(all.len(), 23);
    let later = listed_types(&["-start-datetime", "2026-11-26 10:21:41"]);
    assert_eq!(later, ["FORMAT_DESCRIPTION_EVENT", "STOP_EVENT"]);
}

// ---------------------------------------------------------------- against a server

/// Runs `script` with bash, the fixture server helpers sourced, `$THL` the binary and
/// `$DIR` a fresh directory; returns the directory for the files the script wrote.
fn with_server(script: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let helpers = replog_tests::project_fixture("mariadb/server.sh");
    let prelude = format!(
        "set -euo pipefail\nsource '{}'\ntrap server_kill EXIT\n",
        helpers.display()
    );
    let run = Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .env("THL", env!("CARGO_BIN_EXE_thl"))
        .env("DIR", dir.path())
        .output()
        .expect("bash runs");
    assert!(
        run.status.success(),
        "server script failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Tables of every type family the SQL has to write back, the state before the range,
/// then the range: inserts, multi-row updates (to and from NULL, quotes, backslashes,
/// latin1, binary, unsigned extremes, fractions), deletes, a table without a primary
/// key.
const WORKLOAD: &str = r#"
sql() { server_sql "$DIR" "$1"; }
dump() {
    "$client_bin" --no-defaults --socket="$DIR/mysqld.sock" --user=root -N -B \
        --default-character-set=utf8mb4 -e "
        SELECT id, HEX(c_name), c_u8, c_i64, c_u64, c_dec, c_f, c_d, c_date, c_time,
               c_dt, c_ts, c_year, c_bit+0, c_enum, c_set, HEX(c_bin), HEX(c_blob),
               HEX(c_latin1), c_json FROM fb.t ORDER BY id;
        SELECT a, b, HEX(c) FROM fb.nokey ORDER BY a, b;" > "$1"
}
position() {
    "$client_bin" --no-defaults --socket="$DIR/mysqld.sock" --user=root -N -B \
        -e "SHOW MASTER STATUS" | cut -f1,2
}
sql "CREATE DATABASE fb;
CREATE TABLE fb.t (
  id INT NOT NULL PRIMARY KEY,
  c_name VARCHAR(40) CHARACTER SET utf8mb4,
  c_u8 TINYINT UNSIGNED, c_i64 BIGINT, c_u64 BIGINT UNSIGNED,
  c_dec DECIMAL(12,4), c_f FLOAT, c_d DOUBLE,
  c_date DATE, c_time TIME(3), c_dt DATETIME(6), c_ts TIMESTAMP(2) NULL,
  c_year YEAR, c_bit BIT(10), c_enum ENUM('a','b','c'), c_set SET('x','y','z'),
  c_bin BINARY(4), c_blob BLOB, c_latin1 VARCHAR(20) CHARACTER SET latin1,
  c_json JSON
) ENGINE=InnoDB;
CREATE TABLE fb.nokey (a INT, b VARCHAR(10), c FLOAT) ENGINE=InnoDB;
INSERT INTO fb.t VALUES
  (1, 'keep', 1, 1, 1, 1.5, 0.5, 0.25, '2020-01-01', '01:02:03.004',
   '2020-01-01 00:00:00.000001', '2020-01-01 00:00:01.50', 2020, b'1', 'a', 'x',
   'ab', 'blob', 'caf\xe9', '{\"a\": 1}'),
  (2, 'O''Brien \\\\ back', 255, -9223372036854775808, 18446744073709551615,
   -12345678.1234, 0.1, 1e300, '1000-01-01', '-838:59:59.000',
   '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.99', 2155, b'1111111111',
   'c', 'x,z', X'00010203', X'00FF', 'naïve', '[1, 2]'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO fb.nokey VALUES (1, 'one', 1.5), (1, 'one', 1.5), (2, 'two', NULL);"
dump "$DIR/before.txt"
position > "$DIR/start.txt"
sql "INSERT INTO fb.t (id, c_name, c_u8, c_f, c_ts, c_blob) VALUES
       (10, 'new\ttab', 200, 3.25, '1970-01-01 00:00:01.01', X'0A0D1A5C27'),
       (11, '😀 emoji', 0, -0.0, NULL, '');
     UPDATE fb.t SET c_name = NULL, c_u64 = 0, c_dec = 0, c_json = NULL WHERE id IN (1, 2);
     UPDATE fb.t SET c_name = 'was null', c_enum = 'b', c_set = '', c_bit = 0,
       c_bin = 'zz', c_latin1 = 'Ã©' WHERE id = 3;
     DELETE FROM fb.t WHERE id = 2;
     BEGIN; UPDATE fb.t SET c_u8 = c_u8 + 1 WHERE id = 10; DELETE FROM fb.t WHERE id = 11;
       UPDATE fb.nokey SET b = 'uno' WHERE a = 1 LIMIT 1; COMMIT;
     DELETE FROM fb.nokey WHERE a = 2;
     INSERT INTO fb.nokey VALUES (3, NULL, 2.5);"
dump "$DIR/after.txt"
"#;

#[test]
fn flashback_restores_and_sql_replays_on_a_real_server() {
    if replog_tests::installed("mariadbd").is_none() {
        replog_tests::skip_unless_required!(
            "mariadbd is not installed",
            "install MariaDB (Debian: mariadb-server mariadb-client)"
        );
    }
    let script = format!(
        r#"server_start "$DIR" --log-bin="$DIR/data/fb-bin" --binlog-format=ROW \
    --binlog-row-metadata=FULL --binlog-row-image=FULL
{WORKLOAD}
read -r file pos < "$DIR/start.txt"
sql "FLUSH BINARY LOGS"
"$THL" events -file "$DIR/data/$file" -start-position "$pos" -flashback > "$DIR/undo.sql"
"$client_bin" --no-defaults --socket="$DIR/mysqld.sock" --user=root < "$DIR/undo.sql"
dump "$DIR/undone.txt"
"$THL" events -file "$DIR/data/$file" -start-position "$pos" -sql > "$DIR/redo.sql"
"$client_bin" --no-defaults --socket="$DIR/mysqld.sock" --user=root < "$DIR/redo.sql"
dump "$DIR/redone.txt"
server_stop "$DIR"
"#
    );
    let dir = with_server(&script);
    let dir = dir.path();
    let (before, after) = (read(dir, "before.txt"), read(dir, "after.txt"));
    assert_ne!(before, after, "the workload changed the tables");
    assert_eq!(
        read(dir, "undone.txt"),
        before,
        "flashback restores the state before the range"
    );
    assert_eq!(read(dir, "redone.txt"), after, "-sql replays the range");
    // The undo starts with the last change of the range: the nokey insert of (3, NULL).
    let undo = read(dir, "undo.sql");
    let first = undo
        .lines()
        .find(|l| l.starts_with("DELETE") || l.starts_with("INSERT"));
    assert_eq!(
        first,
        Some("DELETE FROM `fb`.`nokey` WHERE `a`=3 AND `b` IS NULL LIMIT 1;")
    );
}

#[test]
fn sql_needs_names_and_takes_them_from_show_create_table() {
    if replog_tests::installed("mariadbd").is_none() {
        replog_tests::skip_unless_required!(
            "mariadbd is not installed",
            "install MariaDB (Debian: mariadb-server mariadb-client)"
        );
    }
    // MariaDB's default metadata (NO_LOG): no names, no signedness, no key.
    let script = format!(
        r#"server_start "$DIR" --log-bin="$DIR/data/min-bin" --binlog-format=ROW
{WORKLOAD}
read -r file pos < "$DIR/start.txt"
sql "FLUSH BINARY LOGS"
if "$THL" events -file "$DIR/data/$file" -start-position "$pos" -flashback \
    > /dev/null 2> "$DIR/no-names.txt"; then exit 1; fi
"$client_bin" --no-defaults --socket="$DIR/mysqld.sock" --user=root -N -B \
    -e "SHOW CREATE TABLE fb.t; SHOW CREATE TABLE fb.nokey" > "$DIR/tables.sql"
"$THL" events -file "$DIR/data/$file" -start-position "$pos" -flashback \
    -columns "$DIR/tables.sql" > "$DIR/undo.sql"
"$client_bin" --no-defaults --socket="$DIR/mysqld.sock" --user=root < "$DIR/undo.sql"
dump "$DIR/undone.txt"
server_stop "$DIR"
"#
    );
    let dir = with_server(&script);
    let dir = dir.path();
    let refused = read(dir, "no-names.txt");
    assert!(
        refused.contains("`fb`.`t`: SQL needs column names") && refused.contains("-columns FILE"),
        "{refused}"
    );
    assert_eq!(read(dir, "undone.txt"), read(dir, "before.txt"));
}

// ---------------------------------------------------------------- JSON

fn json_events(args: &[&str]) -> Vec<serde_json::Value> {
    thl(args)
        .ok()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn json_carries_what_the_text_shows() {
    // fixtures/mariadb/README.md: the server version, INSERT_ID 1..4 and LAST_INSERT_ID 3,
    // the user variables (integer -42, NULL, a utf8mb4 string with an emoji), RAND.
    let events = json_events(&["events", "-json", "-file", &mariadb("types-bin.000001")]);
    let of = |t: &'static str| events.iter().filter(move |e| e["type"] == t);
    let fde = of("FORMAT_DESCRIPTION_EVENT").next().unwrap();
    assert_eq!(fde["server_version"], "10.11.19-MariaDB-0+deb12u1-log");
    assert_eq!(fde["binlog_version"], 4);
    let intvars: Vec<(String, u64)> = of("INTVAR_EVENT")
        .map(|e| {
            (
                e["variable"].as_str().unwrap().into(),
                e["value"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(intvars.len(), 5);
    assert!(intvars.contains(&("LAST_INSERT_ID".into(), 3)));
    assert!((1..=4).all(|n| intvars.contains(&("INSERT_ID".into(), n))));
    let values: Vec<&serde_json::Value> = of("USER_VAR_EVENT").map(|e| &e["value"]).collect();
    assert!(values.contains(&&serde_json::json!(-42)));
    assert!(values.contains(&&serde_json::Value::Null));
    assert!(values
        .iter()
        .any(|v| v.as_str().is_some_and(|s| s.contains('😀'))));
    assert_eq!(of("RAND_EVENT").count(), 1);
    assert!(of("RAND_EVENT").all(|e| e["seed1"].is_u64() && e["seed2"].is_u64()));
    let annotations = of("MARIADB_ANNOTATE_ROWS_EVENT").count();
    assert_eq!(annotations, 21);
    assert!(of("MARIADB_ANNOTATE_ROWS_EVENT").all(|e| e["query"].is_string()));
    assert!(of("MARIADB_GTID_LIST_EVENT").all(|e| e["gtids"].is_array()));
    // Every object carries the text listing's summary.
    assert!(events.iter().all(|e| e["info"].is_string()));
}

#[test]
fn json_named_keys_rows_by_column_name() {
    let events = json_events(&[
        "events",
        "-json",
        "-named",
        "-file",
        &mariadb("sample-bin.000001"),
    ]);
    let update = events
        .iter()
        .find(|e| e["type"] == "UPDATE_ROWS_EVENT_V1")
        .unwrap();
    // README's example: Grace's order, paid.
    assert_eq!(
        update["rows"][0]["after"],
        serde_json::json!({"id": 2, "customer": "Grace", "amount": "2004.99",
                           "placed": "2024-03-02 17:45:30", "note": "paid"})
    );
    assert_eq!(update["rows"][0]["before"]["note"], serde_json::Value::Null);
    assert!(
        thl(&["events", "-named", "-file", &mariadb("sample-bin.000001")])
            .fails()
            .contains("-named keys the rows of -json output")
    );
}
