//! The project's own MariaDB logs (`fixtures/mariadb/`, see its README) against the values
//! the server itself reported for them (`expected.json`), and the same check on logs
//! regenerated from scratch by a throwaway server when `mariadbd` is installed.
//!
//! Every row change is compared column by column, twice: the decoded [`Value`] against
//! the server's value (numbers exactly, FLOAT as its binary32 value, DECIMAL and temporal
//! text exactly, TIMESTAMP to the microsecond, byte strings as bytes: text encoded in the
//! column's character set from the server's catalogue, BINARY(n) padded to n), and
//! `Value::write_json` against the JSON contract (text columns as the server's string,
//! binary columns as `{"hex"}` of the server's bytes, ENUM/SET with the member names of
//! the server's catalogue). Statement-format
//! statements are checked for their USER_VAR, INTVAR and RAND events.

use std::path::Path;
use std::process::Command;

use replog::binlog::events::intvar::{INSERT_ID, LAST_INSERT_ID};
use replog::binlog::events::user_var::{decimal_to_string, UserVarValue};
use replog::binlog::rows::{Column, ColumnInfo, RowImage, RowsAction, TableMaps, Value};
use replog::binlog::{ChecksumAlg, Event, Reader};
use replog::input::LogBytes;
use replog_tests::{named_member_value, project_fixture};
use serde_json::{json, Value as Json};

const LOGS: [&str; 3] = [
    "sample-bin.000001",
    "types-bin.000001",
    "compressed-bin.000001",
];

fn load_json(path: &Path) -> Json {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Names the first place two expected.json documents differ (a plain assert_eq! on two
/// 180 KB documents prints nothing readable).
fn first_difference(path: &str, a: &Json, b: &Json) -> Option<String> {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let (va, vb) = (x.get(key), y.get(key));
                match (va, vb) {
                    (Some(va), Some(vb)) => {
                        if let Some(d) = first_difference(&format!("{path}.{key}"), va, vb) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{path}.{key}: {va:?} vs {vb:?}")),
                }
            }
            None
        }
        (Json::Array(x), Json::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(&format!("{path}[{i}]"), va, vb) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} entries vs {}", x.len(), y.len()))
        }
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

/// Regenerates the logs with fixtures/mariadb/generate.sh and checks that the server
/// reports exactly the committed values for them. Skipped with a notice when MariaDB is
/// not installed, except under CI=true or REPLOG_REQUIRE_CORPUS=1, where it must run.
#[test]
fn regenerated_logs_carry_the_committed_values() {
    if replog_tests::installed("mariadbd").is_none() {
        replog_tests::skip_unless_required!(
            "mariadbd is not installed (looked on PATH and in /usr/sbin)",
            "install Debian's mariadb-server to run it; .ci/run does"
        );
    }
    let script = project_fixture("mariadb/generate.sh");
    let out = tempfile::tempdir().expect("a temporary directory");
    let run = Command::new("bash")
        .arg(&script)
        .arg(out.path())
        .output()
        .expect("running bash fixtures/mariadb/generate.sh");
    assert!(
        run.status.success(),
        "generate.sh failed ({}):\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );

    let committed = load_json(&project_fixture("mariadb/expected.json"));
    let fresh = load_json(&out.path().join("expected.json"));
    if let Some(diff) = first_difference("files", &fresh["files"], &committed["files"]) {
        panic!("regenerated values differ from fixtures/mariadb/expected.json at {diff}");
    }
    for log in LOGS {
        check_log(&out.path().join(log), &fresh);
    }
}

/// Checks one log against its entry in an expected.json document; returns how many
/// row changes and statements were compared.
fn check_log(log: &Path, expected: &Json) -> (usize, usize) {
    let name = log
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("?")
        .to_string();
    let want = &expected["files"][&name];
    assert!(want.is_object(), "{name}: no entry in expected.json");
    let bytes = LogBytes::open(log).unwrap_or_else(|e| panic!("{e}"));
    let mut reader = Reader::new(bytes.name(), bytes.bytes()).unwrap_or_else(|e| panic!("{e}"));
    let mut maps = TableMaps::new();
    let mut changes = Vec::new();
    let mut statements = Vec::new();
    let mut pending = StatementFacts::default();
    let (mut compressed_rows, mut plain_rows, mut compressed_queries) = (0, 0, 0);
    let mut version = None;
    while let Some(ev) = reader.next() {
        let ev = ev.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ev.raw.checksum_ok,
            Some(true),
            "{name} @{}: CRC32 verified",
            ev.raw.offset
        );
        match ev.event {
            Event::FormatDescription(_) => {
                let ctx = reader.context();
                assert_eq!(ctx.checksum, ChecksumAlg::Crc32, "{name}: binlog_checksum");
                version = Some(ctx.server_version.clone());
            }
            Event::TableMap(map) => {
                maps.insert(*map);
            }
            Event::Rows(rows) => {
                if rows.kind.compressed {
                    compressed_rows += 1;
                } else {
                    plain_rows += 1;
                }
                let map = maps
                    .get(rows.table_id)
                    .expect("a table map before its rows");
                let table = String::from_utf8_lossy(&map.table).into_owned();
                assert_eq!(*map.schema, *want["database"].as_str().unwrap().as_bytes());
                let catalogue = want["tables"][&table]
                    .as_array()
                    .unwrap_or_else(|| panic!("{name}: table {table} not in expected.json"));
                assert_eq!(
                    map.columns.len(),
                    catalogue.len(),
                    "{name}: {table} columns"
                );
                for (i, c) in catalogue.iter().enumerate() {
                    assert_eq!(
                        map.column_name(i),
                        Some(c["name"].as_str().unwrap().as_bytes()),
                        "{name}: {table} column {i} name (binlog_row_metadata=FULL)"
                    );
                }
                let action = match rows.kind.action {
                    RowsAction::Write => "write",
                    RowsAction::Update => "update",
                    RowsAction::Delete => "delete",
                    other => panic!("{name}: unexpected rows action {other:?}"),
                };
                for change in maps.rows(&rows).unwrap_or_else(|e| panic!("{name}: {e:?}")) {
                    let change = change.unwrap_or_else(|e| panic!("{name}: {e:?}"));
                    let image = |img: Option<RowImage<'_>>| {
                        img.map(|img| {
                            assert_eq!(img.len(), map.columns.len(), "binlog_row_image=FULL");
                            img.iter()
                                .map(|cell| {
                                    let cell = cell.unwrap_or_else(|e| panic!("{name}: {e:?}"));
                                    let column = map.column_info(cell.column).unwrap();
                                    (column.column.clone(), Decoded::of(cell.value, column))
                                })
                                .collect::<Vec<_>>()
                        })
                    };
                    changes.push(DecodedChange {
                        table: table.clone(),
                        action,
                        before: image(change.before),
                        after: image(change.after),
                    });
                }
            }
            Event::UserVar(var) => pending.user_vars.push((
                String::from_utf8_lossy(var.name).into_owned(),
                user_var_json(&var.value),
            )),
            Event::Intvar(iv) if iv.kind == INSERT_ID => pending.insert_id = Some(iv.value),
            Event::Intvar(iv) if iv.kind == LAST_INSERT_ID => {
                pending.last_insert_id = Some(iv.value)
            }
            Event::Rand(_) => pending.rand = true,
            Event::Query(q) => {
                if q.compressed {
                    compressed_queries += 1;
                }
                let text = q.text().unwrap_or_else(|e| panic!("{name}: {e:?}"));
                let facts = std::mem::take(&mut pending);
                statements.push((String::from_utf8_lossy(&text).into_owned(), facts));
            }
            _ => {}
        }
    }
    assert_eq!(
        version.as_deref(),
        expected["server_version"].as_str(),
        "{name}: server version in the FDE"
    );

    // The compressed log holds only compressed row events and some compressed queries
    // (fixtures/mariadb/README.md); the others none.
    if name.starts_with("compressed") {
        assert!(
            compressed_rows > 0 && plain_rows == 0,
            "{name}: compressed rows events"
        );
        assert!(compressed_queries > 0, "{name}: QUERY_COMPRESSED events");
    } else {
        assert_eq!(
            (compressed_rows, compressed_queries),
            (0, 0),
            "{name}: nothing compressed"
        );
    }

    let want_changes = want["row_changes"].as_array().expect("row_changes");
    assert_eq!(
        changes.len(),
        want_changes.len(),
        "{name}: number of row changes"
    );
    for (k, (got, exp)) in changes.iter().zip(want_changes).enumerate() {
        let at = format!("{name} row change {k} ({} {})", got.action, got.table);
        assert_eq!(got.table, exp["table"].as_str().unwrap(), "{at}: table");
        assert_eq!(got.action, exp["action"].as_str().unwrap(), "{at}: action");
        let catalogue = want["tables"][&got.table].as_array().unwrap();
        for (side, image) in [("before", &got.before), ("after", &got.after)] {
            match (image, exp.get(side)) {
                (None, None) => {}
                (Some(values), Some(Json::Array(wanted))) => {
                    for (i, ((col, value), w)) in values.iter().zip(wanted).enumerate() {
                        if let Err(why) = value.matches(col, &catalogue[i], w) {
                            panic!(
                                "{at}: {side} column {i} ({}): decoded {value:?}, server said {w}: {why}",
                                catalogue[i]["name"]
                            );
                        }
                    }
                }
                (got, want) => panic!("{at}: {side} image {:?} vs {want:?}", got.is_some()),
            }
        }
    }

    let want_statements = want["statements"].as_array().expect("statements");
    let mut from = 0;
    for exp in want_statements {
        let query = exp["query"].as_str().unwrap();
        let pos = statements[from..]
            .iter()
            .position(|(text, _)| text == query)
            .unwrap_or_else(|| panic!("{name}: statement {query:?} not found in order"));
        let facts = &statements[from + pos].1;
        from += pos + 1;
        let user_vars: Vec<Json> = facts
            .user_vars
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect();
        let none = Json::Array(Vec::new());
        assert_eq!(
            &Json::Array(user_vars),
            exp.get("user_vars").unwrap_or(&none),
            "{query}"
        );
        assert_eq!(
            facts.insert_id,
            exp["insert_id"].as_u64(),
            "{query}: INSERT_ID"
        );
        assert_eq!(
            facts.last_insert_id,
            exp["last_insert_id"].as_u64(),
            "{query}: LAST_INSERT_ID"
        );
        assert_eq!(
            facts.rand,
            exp["rand"].as_bool().unwrap_or(false),
            "{query}: RAND"
        );
    }
    (changes.len(), want_statements.len())
}

/// USER_VAR, INTVAR and RAND events seen since the last QUERY.
#[derive(Debug, Default)]
struct StatementFacts {
    user_vars: Vec<(String, Json)>,
    insert_id: Option<u64>,
    last_insert_id: Option<u64>,
    rand: bool,
}

fn user_var_json(v: &UserVarValue<'_>) -> Json {
    match *v {
        UserVarValue::Null => Json::Null,
        UserVarValue::String { bytes, .. } => json!(String::from_utf8_lossy(bytes)),
        UserVarValue::Real(f) => json!(f),
        UserVarValue::Int {
            value,
            unsigned: false,
        } => json!(value),
        UserVarValue::Int {
            value,
            unsigned: true,
        } => json!(value as u64),
        UserVarValue::Decimal {
            precision,
            scale,
            bytes,
        } => {
            json!(decimal_to_string(precision, scale, bytes))
        }
        UserVarValue::Other { kind, .. } => json!(format!("result type {kind}")),
    }
}

#[derive(Debug)]
struct DecodedChange {
    table: String,
    action: &'static str,
    before: Option<Vec<(Column, Decoded)>>,
    after: Option<Vec<(Column, Decoded)>>,
}

/// A decoded value, owned, with its JSON rendering (`Value::write_json`, with the
/// member names of the table map).
#[derive(Debug)]
struct Decoded {
    /// The value's facts: number, text, bytes or null.
    fact: Fact,
    /// What the public JSON rendering printed.
    rendered: Json,
    /// The same, as text.
    text: String,
}

#[derive(Debug, PartialEq)]
enum Fact {
    Null,
    Int(i128),
    Float(f32),
    Double(f64),
    Text(String),
    Bytes(Vec<u8>),
    Seconds(f64),
}

impl Decoded {
    fn of(v: Value<'_>, column: ColumnInfo<'_>) -> Decoded {
        let mut out = Vec::new();
        v.write_json(Some(column), &mut out)
            .expect("a JSON rendering");
        // serde_json's float_roundtrip feature (tests/Cargo.toml) reads every double
        // exactly, including the 309-digit integer form of DOUBLE's maximum.
        let rendered = serde_json::from_slice(&out)
            .unwrap_or_else(|e| panic!("{v:?} rendered {:?}: {e}", String::from_utf8_lossy(&out)));
        let fact = match v {
            Value::Null => Fact::Null,
            Value::Int(i) => Fact::Int(i.into()),
            Value::UInt(u) | Value::Bit(u) | Value::Set(u) => Fact::Int(u.into()),
            Value::Year(y) | Value::Enum(y) => Fact::Int(y.into()),
            Value::Float(f) => Fact::Float(f),
            Value::Double(d) => Fact::Double(d),
            Value::Decimal(d) => Fact::Text(d.to_string()),
            Value::Date(d) => Fact::Text(d.to_string()),
            Value::Time(t) => Fact::Text(t.to_string()),
            Value::DateTime(t) => Fact::Text(t.to_string()),
            Value::Timestamp(t) => Fact::Seconds(f64::from(t.seconds) + f64::from(t.micros) / 1e6),
            Value::String(b) | Value::Blob(b) | Value::Geometry(b) => Fact::Bytes(b.to_vec()),
            other => panic!("a MariaDB 10.11 log produced an unexpected value kind {other:?}"),
        };
        let text = String::from_utf8(out).expect("UTF-8 JSON");
        Decoded {
            fact,
            rendered,
            text,
        }
    }

    /// Compares with the server's value `want` for a column the catalogue describes as
    /// `info` (`{"type": "binary(4)", "charset": "latin1"}`).
    fn matches(&self, col: &Column, info: &Json, want: &Json) -> Result<(), String> {
        let ty = info["type"].as_str().unwrap_or("");
        let fact_ok = match (&self.fact, want) {
            (Fact::Null, Json::Null) => true,
            (Fact::Int(i), Json::Number(n)) => {
                n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)) == Some(*i)
            }
            // The server printed the binary32 value widened to double: exact.
            (Fact::Float(f), Json::Number(n)) => n.as_f64() == Some(f64::from(*f)),
            (Fact::Double(d), Json::Number(n)) => n.as_f64() == Some(*d),
            (Fact::Seconds(s), Json::Number(n)) => n.as_f64().is_some_and(|w| (w - s).abs() < 5e-7),
            (Fact::Text(t), Json::String(w)) => t == w,
            (Fact::Bytes(b), w) => {
                let wanted = server_bytes(w, info)?;
                // The server drops BINARY(n)'s trailing 0x00 pad bytes when it writes the
                // row image (as it drops CHAR's trailing spaces) and pads them back when
                // the value is read: the column value is the image padded to n.
                let got = match ty.strip_prefix("binary(").and_then(|r| r.strip_suffix(')')) {
                    Some(n) => {
                        let n: usize = n.parse().unwrap();
                        let mut padded = b.clone();
                        padded.resize(n.max(b.len()), 0);
                        padded
                    }
                    None => b.clone(),
                };
                got == wanted
            }
            _ => false,
        };
        if !fact_ok {
            return Err(format!("different values (column type {:?})", col.kind));
        }
        // The public rendering: numbers, decimals and temporals exactly as the server's
        // text; text columns (the catalogue names a character set) as the server's
        // string, whatever their encoding; binary columns (no character set) as hex of
        // the column value, even where the bytes happen to be UTF-8.
        // ENUM and SET: the map names the members (binlog_row_metadata=FULL), so the
        // rendering is the server's index or bitmask with the catalogue's names.
        let named = named_member_value(ty, want);
        let render_ok = match (&self.fact, &self.rendered) {
            (Fact::Int(_), r) if named.is_some() => named.as_ref() == Some(r),
            // FLOAT: the shortest text that reads back as the server's binary32 value.
            (Fact::Float(f), Json::Number(_)) => {
                shortest_f32(&self.text, *f)?;
                true
            }
            (Fact::Double(d), Json::Number(n)) => n.as_f64() == Some(*d),
            (Fact::Seconds(s), Json::Number(n)) => n.as_f64().is_some_and(|w| (w - s).abs() < 5e-7),
            (Fact::Bytes(_), Json::String(s)) => {
                info["charset"].is_string() && Some(s.as_str()) == want.as_str()
            }
            (Fact::Bytes(_), r @ Json::Object(_)) => info["charset"].is_null() && r == want,
            (_, r) => r == want,
        };
        if !render_ok {
            return Err(format!("rendered as {}", self.rendered));
        }
        Ok(())
    }
}

/// Checks that `text` reads back as `v` and that no decimal with fewer significant
/// digits does. For each shorter length the decimal nearest `v` and its two neighbours
/// at that length are tried: any decimal of that length reading back as `v` lies
/// within half a binary32 step of it, so it is one of those three.
fn shortest_f32(text: &str, v: f32) -> Result<(), String> {
    if text.parse::<f32>().ok() != Some(v) {
        return Err(format!("{text} does not read back as the binary32 {v:e}"));
    }
    let mantissa = text.trim_start_matches('-');
    let mantissa = mantissa.split(['e', 'E']).next().unwrap_or("");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    for len in 1..significant {
        // `{:.N e}` is correctly rounded: d.ddd…eX with `len` digits.
        let nearest = format!("{:.*e}", len - 1, f64::from(v));
        let (m, exp) = nearest.split_once('e').unwrap();
        let m: i64 = m.replace('.', "").parse().unwrap();
        let exp: i32 = exp.parse::<i32>().unwrap() - (len as i32 - 1);
        for candidate in [m - 1, m, m + 1] {
            let shorter = format!("{candidate}e{exp}");
            if shorter.parse::<f32>().ok() == Some(v) {
                return Err(format!(
                    "{shorter} is shorter than {text} and reads back the same"
                ));
            }
        }
    }
    Ok(())
}

/// The bytes of a server value: `{"hex": …}` as is, a string in the column's charset.
fn server_bytes(want: &Json, info: &Json) -> Result<Vec<u8>, String> {
    match want {
        Json::Object(o) => {
            let hex = o
                .get("hex")
                .and_then(Json::as_str)
                .ok_or("a {\"hex\"} object")?;
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| e.to_string()))
                .collect()
        }
        Json::String(s) => match info["charset"].as_str() {
            Some("latin1") => s
                .chars()
                .map(|c| u8::try_from(u32::from(c)).map_err(|_| format!("{c:?} is not latin1")))
                .collect(),
            Some("utf8mb4" | "utf8mb3") => Ok(s.as_bytes().to_vec()),
            other => Err(format!("a known charset, not {other:?}")),
        },
        other => Err(format!("a string or hex value, not {other}")),
    }
}

/// Every committed log decodes to the values the server reported when it wrote them.
#[test]
fn committed_logs_decode_to_the_server_values() {
    let expected = load_json(&project_fixture("mariadb/expected.json"));
    let mut total = (0, 0);
    for log in LOGS {
        let (rows, statements) = check_log(&project_fixture(&format!("mariadb/{log}")), &expected);
        total = (total.0 + rows, total.1 + statements);
    }
    // 5 + 52 + 11 row changes and 4 + 1 statement-format statements (README).
    assert_eq!(total, (68, 5));
}
