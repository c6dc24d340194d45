//! The damaged-input matrix: each row damages a real fixture one way (in a temporary
//! directory), runs the built `thl` binary and asserts the exact message, the byte
//! offset in it and the exit status, strict and `-permissive` (README, "Damaged input").
//!
//! Expected offsets and sizes come from walking the fixtures' headers here (binlog v4:
//! `event_size` at +9; THL: big-endian record length, spec 3), and checksums from an
//! independent CRC-32 (flate2's), never from replog's own output.
//!
//! The last tests (the sweep) cut and bit-flip real fixtures around every event or
//! record boundary and at offsets drawn by a seeded PRNG: five binlogs and a `.gz` one
//! (`events`, `events -json -permissive`), three single-file THL logs, a `.gz` THL file
//! and the rotated four-file set damaged one file at a time (`list -headers -json`,
//! `list -charset utf8 -hex -specs`, `index`, `info`), about 2,600 runs. `thl` must
//! always end with a listing or a message (status 0, or 1 with stderr): never a panic
//! (status 101), a signal, a hang or an out-of-memory kill.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use replog_tests::{project_fixture, shared_fixture};

// ---- running thl ------------------------------------------------------------------

/// The `thl` binary of this workspace, built on first use (the tests crate cannot
/// depend on a binary target, so it asks cargo for it).
fn thl_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let out = Command::new(cargo)
            .current_dir(&root)
            .args(["build", "-q", "-p", "replog-cli", "--bin", "thl"])
            .arg("--message-format=json")
            .stderr(Stdio::inherit())
            .output()
            .expect("cargo runs");
        assert!(out.status.success(), "building thl failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == "thl")
            .find_map(|v| v["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the thl executable")
    })
}

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> usize {
        self.stdout.lines().count()
    }
}

/// Runs `thl ARGS` with a 2 GiB address-space limit and a 60 s deadline; a signal, a
/// panic or a hang fails the calling test.
fn thl(args: &[&str]) -> Run {
    let mut script = String::from("ulimit -v 2097152; exec \"$0\"");
    for i in 1..=args.len() {
        script.push_str(&format!(" \"${i}\""));
    }
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(thl_bin())
        .args(args)
        .env("THL_CONF_DIR", "/nonexistent-thl-conf")
        .env("CONTINUENT_ROOT", "/nonexistent-continuent")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("thl starts");
    // Drain the pipes on threads so a chatty run cannot block on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || read_to_string(&mut out));
    let err = std::thread::spawn(move || read_to_string(&mut err));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("thl {args:?} hung (killed after 60 s)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    assert!(
        status.code().is_some(),
        "thl {args:?} died from a signal ({status:?}; out of memory aborts): {}",
        run.stderr
    );
    assert_ne!(run.code, 101, "thl {args:?} panicked: {}", run.stderr);
    run
}

fn read_to_string(r: &mut impl std::io::Read) -> String {
    let mut bytes = Vec::new();
    let _ = r.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(bytes);
    c.sum()
}

/// Writes `bytes` as `name` in a new temporary directory.
fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path.to_str().unwrap().to_string())
}

// ---- binary logs --------------------------------------------------------------------

/// A real MariaDB 10.11 log (ROW, CRC32: fixtures/mariadb/README.md).
fn mariadb_log() -> Vec<u8> {
    std::fs::read(project_fixture("mariadb/sample-bin.000001")).unwrap()
}

/// (offset, type code, size) of every event, from the v4 headers.
fn events(log: &[u8]) -> Vec<(usize, u8, usize)> {
    let mut out = Vec::new();
    let mut pos = 4;
    while pos + 19 <= log.len() {
        let size = u32::from_le_bytes(log[pos + 9..pos + 13].try_into().unwrap()) as usize;
        out.push((pos, log[pos + 4], size));
        pos += size;
    }
    assert_eq!(pos, log.len(), "fixture ends on an event boundary");
    out
}

/// Recomputes the CRC32 of the event at `at` (size `size`) after an edit, so that the
/// damage under test is the only one.
fn fix_crc(log: &mut [u8], at: usize, size: usize) {
    let crc = crc32(&log[at..at + size - 4]);
    log[at + size - 4..at + size].copy_from_slice(&crc.to_le_bytes());
}

/// The message for an event that runs past the end of the input.
fn truncated(needed: usize, found: usize) -> String {
    format!(
        "truncated event: expected {needed} bytes, found {found} before the end of the input \
         (the file may still be being written)"
    )
}

/// The permissive-mode line after damaged framing at `at`.
fn skipped(at: usize, resume: usize) -> String {
    format!(
        "at byte {at}: skipped unreadable bytes; expected an event header, resuming at byte {resume}"
    )
}

/// Runs `thl events` strict and permissive (with `extra` options) on `bytes`.
fn events_both(bytes: &[u8], extra: &[&str]) -> (String, Run, Run) {
    let (_dir, path) = temp_file("damaged-bin.000001", bytes);
    let mut strict = vec!["events"];
    strict.extend_from_slice(extra);
    strict.extend_from_slice(&["-file", &path]);
    let strict = thl(&strict);
    let mut permissive = vec!["events", "-permissive"];
    permissive.extend_from_slice(extra);
    permissive.extend_from_slice(&["-file", &path]);
    let permissive = thl(&permissive);
    (path, strict, permissive)
}

/// Asserts the strict run failed with exactly `Fatal error: PATH: at byte AT: MESSAGE`
/// after `lines` events, and the permissive one reported `problems` (the first being
/// the same message) with `permissive_lines` events.
fn assert_binlog_row(
    (path, strict, permissive): &(String, Run, Run),
    at: usize,
    message: &str,
    lines: usize,
    also: &[String],
    permissive_lines: usize,
) {
    let first = format!("{path}: at byte {at}: {message}");
    assert_eq!(strict.code, 1, "strict status: {strict:?}");
    assert_eq!(strict.stderr, format!("Fatal error: {first}\n"));
    assert_eq!(strict.lines(), lines, "events listed before the error");
    let mut expected = format!("WARN {first}\n");
    for line in also {
        expected.push_str(&format!("WARN {path}: {line}\n"));
    }
    let problems = 1 + also.len();
    expected.push_str(&match problems {
        1 => "ERROR 1 problem reported (-permissive)\n".to_string(),
        n => format!("ERROR {n} problems reported (-permissive)\n"),
    });
    assert_eq!(permissive.code, 1, "permissive status: {permissive:?}");
    assert_eq!(permissive.stderr, expected);
    assert_eq!(
        permissive.lines(),
        permissive_lines,
        "events listed in permissive mode"
    );
}

#[test]
fn binlog_empty_file() {
    let row = events_both(b"", &[]);
    let msg = "not a binary log: expected magic fe62696e, found an empty input";
    assert_binlog_row(&row, 0, msg, 0, &[], 0);
}

#[test]
fn binlog_not_a_log() {
    let row = events_both(b"hello, not a binary log\n", &[]);
    // "hell" in hex.
    let msg = "not a binary log: expected magic fe62696e, found 68656c6c";
    assert_binlog_row(&row, 0, msg, 0, &[], 0);
}

#[test]
fn binlog_wrong_magic() {
    let mut log = mariadb_log();
    log[3] = b'o';
    let msg = "not a binary log: expected magic fe62696e, found fe62696f";
    assert_binlog_row(&events_both(&log, &[]), 0, msg, 0, &[], 0);
}

#[test]
fn binlog_truncated_header_and_body() {
    let log = mariadb_log();
    let (at, _, size) = events(&log)[3];
    let row = events_both(&log[..at + 10], &[]);
    assert_binlog_row(&row, at, &truncated(19, 10), 3, &[], 3);

    let row = events_both(&log[..at + size - 3], &[]);
    assert_binlog_row(&row, at, &truncated(size, size - 3), 3, &[], 3);
}

#[test]
fn binlog_event_size_below_the_header() {
    let mut log = mariadb_log();
    let evs = events(&log);
    let (at, _, _) = evs[3];
    log[at + 9..at + 13].copy_from_slice(&12u32.to_le_bytes());
    // 23 = the 19-byte header and the 4-byte CRC32 this log's FDE declares.
    let msg = "corrupt event header: expected event_size >= 23, found 12";
    let row = events_both(&log, &[]);
    assert_binlog_row(&row, at, msg, 3, &[skipped(at, evs[4].0)], evs.len() - 1);
}

#[test]
fn binlog_event_size_beyond_the_file() {
    let mut log = mariadb_log();
    let evs = events(&log);
    let (at, _, _) = evs[3];
    log[at + 9..at + 13].copy_from_slice(&1_000_000u32.to_le_bytes());
    let msg = truncated(1_000_000, log.len() - at);
    let row = events_both(&log, &[]);
    assert_binlog_row(&row, at, &msg, 3, &[skipped(at, evs[4].0)], evs.len() - 1);
}

#[test]
fn binlog_bad_checksum() {
    let mut log = mariadb_log();
    let evs = events(&log);
    let (at, code, size) = evs[4];
    assert_eq!(code, 2, "a QUERY_EVENT");
    // A byte of the statement text, near the end of the body.
    log[at + size - 10] ^= 0x10;
    let stored = u32::from_le_bytes(log[at + size - 4..at + size].try_into().unwrap());
    let computed = crc32(&log[at..at + size - 4]);
    let msg = format!(
        "checksum mismatch: expected CRC32 {computed:08x} (computed), found {stored:08x} (stored)"
    );
    let row = events_both(&log, &[]);
    // Permissive mode keeps the event (its framing holds), flagged.
    assert_binlog_row(&row, at, &msg, 4, &[], evs.len());
    let flagged: Vec<&str> = row
        .2
        .stdout
        .lines()
        .filter(|l| l.ends_with(" [CRC32 mismatch]"))
        .collect();
    assert_eq!(flagged.len(), 1);
    assert!(
        flagged[0].contains(&format!("\t{at}\tQUERY_EVENT\t")),
        "{flagged:?}"
    );
}

#[test]
fn binlog_unknown_event_type_is_reported_not_fatal() {
    let mut log = mariadb_log();
    let evs = events(&log);
    let (at, _, size) = evs[3];
    log[at + 4] = 200;
    fix_crc(&mut log, at, size);
    let (path, strict, permissive) = events_both(&log, &[]);
    for run in [&strict, &permissive] {
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(run.stderr, "");
        assert_eq!(run.lines(), evs.len());
    }
    let server_id = u32::from_le_bytes(log[at + 5..at + 9].try_into().unwrap());
    let log_pos = u32::from_le_bytes(log[at + 13..at + 17].try_into().unwrap());
    // The TIME column (the header's timestamp as UTC text) is checked by thl_events
    // against mariadb-binlog; here only its shape.
    let line = strict
        .stdout
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|l| l[1] == at.to_string())
        .unwrap_or_else(|| panic!("no line at {at}: {}", strict.stdout));
    let info = format!("# unknown event type 200 ({} bytes)", size - 19 - 4);
    let expected = [
        path.as_str(),
        &at.to_string(),
        "UNKNOWN_EVENT",
        &server_id.to_string(),
        &size.to_string(),
        &log_pos.to_string(),
    ];
    assert_eq!(line[..6], expected, "{line:?}");
    assert_eq!(line[6].len(), "YYYY-MM-DD HH:MM:SS".len(), "{line:?}");
    assert_eq!(line[7], info, "{line:?}");
}

/// (index, offset, size, column count) of the first rows event (a WRITE_ROWS_EVENT_V1
/// in this MariaDB log).
fn first_rows_event(log: &[u8]) -> (usize, usize, usize, usize) {
    let evs = events(log);
    let i = evs.iter().position(|e| (23..=25).contains(&e.1)).unwrap();
    let (at, code, size) = evs[i];
    assert_eq!(code, 23);
    (i, at, size, usize::from(log[at + 19 + 8]))
}

#[test]
fn binlog_rows_event_without_its_table_map() {
    let mut log = mariadb_log();
    let (i, at, size, _) = first_rows_event(&log);
    log[at + 19] ^= 0x40; // another table id
    fix_crc(&mut log, at, size);
    let n = events(&log).len();
    let row = events_both(&log, &["-json"]);
    let msg = format!(
        "WRITE_ROWS_EVENT_V1: expected a table map for the rows event's table id earlier in the log at byte {}",
        at + 19
    );
    assert_binlog_row(&row, at, &msg, i, &[], n - 1);
    // The one-line listing does not decode rows, so nothing is missing there.
    let (_, text, _) = events_both(&log, &[]);
    assert_eq!((text.code, text.lines()), (0, n));
}

#[test]
fn binlog_column_count_differs_from_the_table_map() {
    let mut log = mariadb_log();
    let (i, at, size, columns) = first_rows_event(&log);
    log[at + 19 + 8] += 1;
    fix_crc(&mut log, at, size);
    let n = events(&log).len();
    // Rows data start: table id (6), flags (2), count (1), then the present-columns
    // bitmap of the (damaged) count.
    let rows_at = at + 19 + 6 + 2 + 1 + (columns + 1).div_ceil(8);
    let msg = format!(
        "WRITE_ROWS_EVENT_V1: expected a rows event with as many columns as its table map at byte {rows_at}"
    );
    assert_binlog_row(&events_both(&log, &["-json"]), at, &msg, i, &[], n - 1);
}

#[test]
fn binlog_pre_5_0_decimal_column_cannot_be_decoded() {
    let mut log = mariadb_log();
    let evs = events(&log);
    let (i, at, _, columns) = first_rows_event(&log);
    // The rows event's table map comes just before it. Its body: table id (6), flags
    // (2), schema and table names (length byte, name, NUL), column count, then the
    // type bytes. The first column, INT (type 3, no metadata), becomes the old DECIMAL
    // (type 0, no metadata either): nothing else in the map moves.
    let (map_at, map_code, map_size) = evs[i - 1];
    assert_eq!(map_code, 19);
    let mut p = map_at + 19 + 6 + 2;
    for _ in 0..2 {
        p += 1 + usize::from(log[p]) + 1;
    }
    assert_eq!(usize::from(log[p]), columns);
    assert_eq!(log[p + 1], 3, "the first column is an INT");
    log[p + 1] = 0;
    fix_crc(&mut log, map_at, map_size);
    // Its first value starts after the rows event's table id (6), flags (2), column
    // count (1), columns-present bitmap and the first row's null bitmap.
    let value_at = at + 19 + 6 + 2 + 1 + 2 * columns.div_ceil(8);
    let msg = format!(
        "WRITE_ROWS_EVENT_V1: expected a column type the log gives a value size for \
         (not a pre-5.0 DECIMAL, type 0) at byte {value_at}"
    );
    // -json stops there (strict) or leaves the event out (permissive).
    assert_binlog_row(
        &events_both(&log, &["-json"]),
        at,
        &msg,
        i,
        &[],
        evs.len() - 1,
    );
    // The one-line listing does not decode values.
    let (_, text, _) = events_both(&log, &[]);
    assert_eq!((text.code, text.lines()), (0, evs.len()));
}

#[test]
fn binlog_zstd_payload_that_does_not_inflate() {
    replog_tests::require_corpus!();
    let mut log = std::fs::read(shared_fixture("binlog/transaction_compression.000001")).unwrap();
    let evs = events(&log);
    let (at, _, size) = *evs
        .iter()
        .find(|e| e.1 == 40)
        .expect("a TRANSACTION_PAYLOAD_EVENT");
    // The body's fields: (type, length, value) with one-byte packed integers, type 0 ends.
    let mut p = at + 19;
    while log[p] != 0 {
        p += 2 + usize::from(log[p + 1]);
    }
    let payload_at = p + 1;
    log[at + size - 10] ^= 0xff;
    fix_crc(&mut log, at, size);
    let i = evs.iter().position(|e| e.0 == at).unwrap();
    let msg =
        format!("TRANSACTION_PAYLOAD_EVENT: expected a valid zstd frame at byte {payload_at}");
    // The payload's own line comes first (its fields decode), then the failure; no
    // inner event is listed.
    assert_binlog_row(&events_both(&log, &[]), at, &msg, i + 1, &[], evs.len());
}

#[test]
fn binlog_mariadb_compressed_rows_that_do_not_inflate() {
    let mut log = std::fs::read(project_fixture("mariadb/compressed-bin.000001")).unwrap();
    let evs = events(&log);
    let i = evs
        .iter()
        .position(|e| e.1 == 166)
        .expect("a compressed WRITE_ROWS v1");
    let (at, _, size) = evs[i];
    let columns = usize::from(log[at + 19 + 8]);
    log[at + size - 8] ^= 0xff;
    fix_crc(&mut log, at, size);
    let zlib_at = at + 19 + 6 + 2 + 1 + columns.div_ceil(8);
    let msg = format!(
        "MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1: expected a valid zlib stream at byte {zlib_at}"
    );
    assert_binlog_row(
        &events_both(&log, &["-json"]),
        at,
        &msg,
        i,
        &[],
        evs.len() - 1,
    );
}

#[test]
fn binlog_encrypted_log() {
    let log = mariadb_log();
    let (fde_at, _, fde_size) = events(&log)[0];
    let at = fde_at + fde_size;
    // MariaDB START_ENCRYPTION_EVENT (164): scheme 1, key version 7, 12-byte nonce.
    let mut body = vec![1];
    body.extend_from_slice(&7u32.to_le_bytes());
    body.extend(0u8..12);
    let size = 19 + body.len() + 4;
    let mut ev = Vec::new();
    ev.extend_from_slice(&0u32.to_le_bytes());
    ev.push(164);
    ev.extend_from_slice(&1u32.to_le_bytes());
    ev.extend_from_slice(&(size as u32).to_le_bytes());
    ev.extend_from_slice(&((at + size) as u32).to_le_bytes());
    ev.extend_from_slice(&0u16.to_le_bytes());
    ev.extend_from_slice(&body);
    ev.extend_from_slice(&crc32(&ev).to_le_bytes());
    let mut damaged = log[..at].to_vec();
    damaged.extend_from_slice(&ev);
    damaged.extend_from_slice(&log[at..]);
    let msg = "encrypted binlog: the events after START_ENCRYPTION_EVENT are encrypted \
               (scheme 1, key version 7) and cannot be read without the key";
    // Both modes list the FDE and the START_ENCRYPTION event, then stop.
    assert_binlog_row(&events_both(&damaged, &[]), at + size, msg, 2, &[], 2);
}

#[test]
fn binlog_wrong_version_in_the_format_description() {
    let mut log = mariadb_log();
    let evs = events(&log);
    let (at, code, size) = evs[0];
    assert_eq!(code, 15, "a FORMAT_DESCRIPTION_EVENT");
    // The body starts with the binlog version, 4 since MySQL 5.0 (2 bytes after the
    // 19-byte header); the CRC is fixed up so the version is the only damage.
    assert_eq!(log[at + 19..at + 21], 4u16.to_le_bytes());
    log[at + 19..at + 21].copy_from_slice(&9u16.to_le_bytes());
    fix_crc(&mut log, at, size);
    let msg = "format description: expected binlog version 4, found 9";
    // Permissive mode reads on with the layout the event spells out: every other event.
    assert_binlog_row(&events_both(&log, &[]), at, msg, 0, &[], evs.len() - 1);
}

/// The project's MariaDB log whose last event is a ROTATE to `types-bin.000002`
/// (fixtures/mariadb/README.md).
fn types_log() -> Vec<u8> {
    std::fs::read(project_fixture("mariadb/types-bin.000001")).unwrap()
}

#[test]
fn binlog_missing_file_in_a_sequence() {
    let log = types_log();
    let evs = events(&log);
    let (rotate_at, code, _) = *evs.last().unwrap();
    assert_eq!(code, 4, "a ROTATE_EVENT");
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, &log).unwrap();
        p.to_str().unwrap().to_string()
    };
    let (first, third) = (path("types-bin.000001"), path("types-bin.000003"));
    let msg = format!(
        "{first}: at byte {rotate_at}: ROTATE: expected the next file to be types-bin.000002 \
         (the file it names), found {third}; a file of the sequence is missing or out of order"
    );
    let strict = thl(&["events", "-file", &first, &third]);
    assert_eq!(strict.code, 1, "{strict:?}");
    assert_eq!(strict.stderr, format!("Fatal error: {msg}\n"));
    assert_eq!(strict.lines(), evs.len(), "the first file is listed whole");
    let permissive = thl(&["events", "-permissive", "-file", &first, &third]);
    assert_eq!(permissive.code, 1, "{permissive:?}");
    assert_eq!(
        permissive.stderr,
        format!("WARN {msg}\nERROR 1 problem reported (-permissive)\n")
    );
    assert_eq!(permissive.lines(), 2 * evs.len(), "both files are listed");

    // The file the ROTATE names, plain or gzipped, or a pipe (no name to compare): fine.
    let second = path("types-bin.000002");
    let ok = thl(&["events", "-file", &first, &second]);
    assert_eq!((ok.code, ok.stderr.as_str()), (0, ""));
    let gz = dir.path().join("types-bin.000002.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &log).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let ok = thl(&["events", "-file", &first, gz.to_str().unwrap()]);
    assert_eq!((ok.code, ok.stderr.as_str()), (0, ""));
}

#[test]
fn binlog_fake_rotates_do_not_make_a_sequence() {
    replog_tests::require_corpus!();
    // Relay logs carry an artificial ROTATE naming the source's binlog (timestamp 0 and
    // log_pos 0 in a 5.0 relay log; flagged LOG_EVENT_ARTIFICIAL_F with log_pos 0 in a
    // 5.1 one: corpus README and headers). Moved to the end of its file, where a closing
    // ROTATE would be, such an event must still name no file of the local sequence.
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, fake_index) in [
        ("bug33029-slave-relay-bin.000001", 1),
        ("binlog_savepoint.000001", 1),
    ] {
        let mut log = std::fs::read(shared_fixture(&format!("binlog/{name}"))).unwrap();
        let (at, code, size) = events(&log)[fake_index];
        assert_eq!(code, 4, "{name}: a ROTATE_EVENT");
        let log_pos = u32::from_le_bytes(log[at + 13..at + 17].try_into().unwrap());
        let flags = u16::from_le_bytes(log[at + 17..at + 19].try_into().unwrap());
        let timestamp = u32::from_le_bytes(log[at..at + 4].try_into().unwrap());
        assert_eq!(log_pos, 0, "{name}");
        assert!(timestamp == 0 || flags & 0x20 != 0, "{name}");
        let fake = log[at..at + size].to_vec();
        log.extend_from_slice(&fake);
        let path = dir.path().join(name);
        std::fs::write(&path, &log).unwrap();
        paths.push(path.to_str().unwrap().to_string());
    }
    let mariadb = shared_fixture("binlog/mariadb-bin.000001");
    let mut args = vec!["events", "-file"];
    args.extend(paths.iter().map(String::as_str));
    args.push(mariadb.to_str().unwrap());
    let run = thl(&args);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
}

#[test]
fn binlog_in_use_flag_with_a_partial_tail() {
    let mut log = mariadb_log();
    let evs = events(&log);
    // LOG_EVENT_BINLOG_IN_USE_F on the FDE (the server clears it when it closes the
    // file, and leaves it out of the FDE's checksum), then the last event cut short.
    log[4 + 17] |= 1;
    let (at, _, size) = *evs.last().unwrap();
    let row = events_both(&log[..at + size - 3], &[]);
    let msg = truncated(size, size - 3);
    assert_binlog_row(&row, at, &msg, evs.len() - 1, &[], evs.len() - 1);
}

/// rpl_atomic_ddl_rollback_full.000001 (MySQL 5.7.22, CRC32, closed: 11 events ending
/// with STOP).
fn closed_crc32_log() -> Vec<u8> {
    std::fs::read(shared_fixture("binlog/rpl_atomic_ddl_rollback_full.000001")).unwrap()
}

#[test]
fn binlog_first_event_type_flipped_is_not_a_format_description() {
    replog_tests::require_corpus!();
    let mut log = closed_crc32_log();
    log[8] ^= 0x04; // FORMAT_DESCRIPTION (15) becomes DELETE_FILE (11)
    let msg = "first event: expected FORMAT_DESCRIPTION_EVENT (type 15; START_EVENT_V3 in a \
               v1/v3 log), found DELETE_FILE_EVENT (type 11)";
    // Permissive: the body still reads as a format description, whose CRC32 layout
    // reads the other 10 events with their checksums verified.
    assert_binlog_row(&events_both(&log, &[]), 4, msg, 0, &[], 10);
}

#[test]
fn binlog_server_version_flipped_to_one_without_checksums() {
    replog_tests::require_corpus!();
    let mut log = closed_crc32_log();
    log[25] ^= 0x08; // "5.7.22-debug-log" becomes "=.7.22-debug-log"
    let (first_after_fde, _, _) = events(&log)[1];
    let msg = format!(
        "format description: expected checksum algorithm 1 (CRC32), since the event at byte \
         {first_after_fde} ends with the CRC32 of its bytes; found server version \
         \"=.7.22-debug-log\", which predates checksums (the format description is damaged)"
    );
    assert_binlog_row(&events_both(&log, &[]), 4, &msg, 1, &[], 11);
}

#[test]
fn binlog_checksum_algorithm_flipped_to_none() {
    replog_tests::require_corpus!();
    let mut log = closed_crc32_log();
    let (first_after_fde, _, _) = events(&log)[1];
    log[first_after_fde - 5] ^= 0x01; // algorithm 1 (CRC32) becomes 0 (NONE)
    let msg = format!(
        "format description: expected checksum algorithm 1 (CRC32), since the event at byte \
         {first_after_fde} ends with the CRC32 of its bytes; found algorithm 0 (the format \
         description is damaged)"
    );
    assert_binlog_row(&events_both(&log, &[]), 4, &msg, 1, &[], 11);
}

#[test]
fn binlog_closed_log_cut_at_an_event_boundary_or_after_the_magic() {
    replog_tests::require_corpus!();
    let log = closed_crc32_log();
    let evs = events(&log);
    for n in 1..evs.len() {
        let (end, _, _) = evs[n];
        let (last, last_type, _) = evs[n - 1];
        let name = replog::binlog::EventType(last_type).to_string();
        let msg = format!(
            "truncated log: expected a ROTATE or STOP event at the end of a closed log (in-use \
             flag clear), found the end of the file after the {name} at byte {last}"
        );
        assert_binlog_row(&events_both(&log[..end], &[]), end, &msg, n, &[], n);
    }
    assert_binlog_row(
        &events_both(&log[..4], &[]),
        4,
        &truncated(19, 0),
        0,
        &[],
        0,
    );
    // A log still in use (the server may be writing it) cut at a boundary is read
    // without a word.
    let mut in_use = log.clone();
    in_use[4 + 17] |= 1;
    let (_, strict, permissive) = events_both(&in_use[..evs[5].0], &[]);
    assert_eq!(
        (strict.code, strict.stderr.as_str(), strict.lines()),
        (0, "", 5)
    );
    assert_eq!((permissive.code, permissive.lines()), (0, 5));
}

#[test]
fn binlog_gz_cut_short_lists_the_events_before_the_cut() {
    let log = mariadb_log();
    let packed = gzip(&log);
    let cut = &packed[..packed.len() / 2];
    // What the cut stream still inflates to (as zcat prints it before its error).
    let mut prefix = Vec::new();
    let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(cut), &mut prefix);
    assert!(prefix.len() < log.len() && log.starts_with(&prefix));
    let whole_events = events(&log)
        .iter()
        .filter(|(at, _, size)| at + size <= prefix.len())
        .count();
    assert!(whole_events > 1, "{whole_events}");
    let (_dir, path) = temp_file("damaged-bin.000001.gz", cut);
    let msg = format!(
        "{path}: at byte {}: gzip stream is damaged: incomplete deflate stream",
        prefix.len()
    );
    let strict = thl(&["events", "-file", &path]);
    assert_eq!(strict.code, 1);
    assert_eq!(strict.lines(), whole_events);
    assert_eq!(strict.stderr, format!("Fatal error: {msg}\n"));
    let permissive = thl(&["events", "-permissive", "-file", &path]);
    assert_eq!(permissive.code, 1);
    assert_eq!(permissive.stdout, strict.stdout);
    assert_eq!(
        permissive.stderr,
        format!("WARN {msg}\nERROR 1 problem reported (-permissive)\n")
    );
}

#[test]
fn binlog_directory_missing_and_unreadable_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let missing = format!("{d}/no-such-bin.000001");
    for (path, why) in [
        (d, "is a directory, not a log file"),
        (missing.as_str(), "No such file or directory (os error 2)"),
        // A file the kernel refuses to read from offset 0.
        ("/proc/self/mem", "Input/output error (os error 5)"),
    ] {
        let strict = thl(&["events", "-file", path]);
        assert_eq!(strict.code, 1);
        assert_eq!(
            strict.stderr,
            format!("Fatal error: {path}: at byte 0: I/O error: {why}\n")
        );
        let permissive = thl(&["events", "-permissive", "-file", path]);
        assert_eq!(permissive.code, 1);
        assert_eq!(
            permissive.stderr,
            format!(
                "WARN {path}: at byte 0: I/O error: {why}\nERROR 1 problem reported (-permissive)\n"
            )
        );
    }
}

// ---- THL ----------------------------------------------------------------------------

const THL_NAME: &str = "thl.data.0000000001";

/// A real log written by Tungsten Replicator 2.2.1 (one file, CRC-32).
fn thl_log() -> Vec<u8> {
    std::fs::read(shared_fixture("thl/tungsten-2.2.1/thl.data.0000000001")).unwrap()
}

/// (offset, length, seqno) of every record (spec 3: i32 length first, then the type
/// byte, then the seqno for event records).
fn records(file: &[u8]) -> Vec<(usize, usize, i64)> {
    let mut out = Vec::new();
    let mut pos = 16;
    while pos + 4 <= file.len() {
        let len = i32::from_be_bytes(file[pos..pos + 4].try_into().unwrap()) as usize;
        let seqno = i64::from_be_bytes(file[pos + 5..pos + 13].try_into().unwrap());
        out.push((pos, len, seqno));
        pos += len;
    }
    assert_eq!(pos, file.len());
    out
}

/// A log directory holding `files` (name, bytes).
fn thl_dir(files: &[(&str, &[u8])]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let path = dir.path().to_str().unwrap().to_string();
    (dir, path)
}

/// `thl -dir DIR list -headers`: one line per record listed.
fn thl_list(dir: &str) -> Run {
    thl(&["-dir", dir, "list", "-headers"])
}

fn seqnos(run: &Run) -> Vec<i64> {
    run.stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap().parse().unwrap())
        .collect()
}

fn assert_fatal(run: &Run, expected: &str) {
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stderr, format!("Fatal error: {expected}\n"));
}

#[test]
fn thl_empty_or_header_short_last_file_is_an_empty_log() {
    replog_tests::require_corpus!();
    // Spec 1.3: a last file too short for its header is a log being created: ignored,
    // and said.
    for bytes in [&[][..], &thl_log()[..10]] {
        let (_d, dir) = thl_dir(&[(THL_NAME, bytes)]);
        let run = thl(&["-dir", &dir, "list"]);
        assert_eq!(run.code, 0);
        assert_eq!(
            run.stderr,
            format!(
                "INFO {dir}/{THL_NAME}: at byte 0: expected a 16-byte THL file header, file \
                 has {} bytes: the newest file of the log, ignored (being written)\n\
                 INFO No events found; log is empty\n",
                bytes.len()
            )
        );
        assert_eq!(run.stdout, "");
    }
    // Before another file it is damage (spec 1.3).
    let log = thl_log();
    let (_d, dir) = thl_dir(&[(THL_NAME, b""), ("thl.data.0000000002", &log)]);
    assert_fatal(
        &thl_list(&dir),
        &format!(
            "{dir}/{THL_NAME}: at byte 0: found invalid log file header; log must be purged \
             up to this file to open: {THL_NAME}"
        ),
    );
}

#[test]
fn thl_not_a_log_wrong_magic_wrong_version() {
    replog_tests::require_corpus!();
    let mut magic = thl_log();
    magic[3] = 0xff;
    let mut version = thl_log();
    version[4..6].copy_from_slice(&2i16.to_be_bytes());
    for (bytes, at, what) in [
        (
            b"hello, not a THL file".to_vec(),
            0,
            "expected THL magic 0xC001CAFE, found 0x68656C6C",
        ),
        (magic, 0, "expected THL magic 0xC001CAFE, found 0xC001CAFF"),
        // Spec 2: major version at offset 4, minor (1 here) at 6.
        (
            version,
            4,
            "incompatible major version: expected 1, found 2.1",
        ),
    ] {
        let (_d, dir) = thl_dir(&[(THL_NAME, &bytes)]);
        let expected = format!("{dir}/{THL_NAME}: at byte {at}: {what}");
        assert_fatal(&thl_list(&dir), &expected);
        assert_fatal(&thl(&["-dir", &dir, "index"]), &expected);
    }
}

#[test]
fn thl_record_length_out_of_range_ends_the_file_with_a_warning() {
    replog_tests::require_corpus!();
    let log = thl_log();
    let recs = records(&log);
    let (at, _, _) = recs[2];
    for length in [5i32, 2_000_000_000, -1] {
        let mut bytes = log.clone();
        bytes[at..at + 4].copy_from_slice(&length.to_be_bytes());
        let (_d, dir) = thl_dir(&[(THL_NAME, &bytes)]);
        let run = thl_list(&dir);
        assert_eq!(run.code, 0, "spec 3.2: never an error for readers");
        assert_eq!(seqnos(&run), vec![recs[0].2, recs[1].2]);
        assert_eq!(
            run.stderr,
            format!(
                "WARN Record length is invalid, log may be corrupt: file={dir}/{THL_NAME} \
                 offset={at} record length={length}\n"
            )
        );
    }
}

#[test]
fn thl_crc_mismatch() {
    replog_tests::require_corpus!();
    let mut log = thl_log();
    let (at, len, _) = records(&log)[2];
    log[at + 30] ^= 1;
    let stored = u64::from_be_bytes(log[at + len - 8..at + len].try_into().unwrap());
    let computed = crc32(&log[at + 4..at + len - 9]);
    let (_d, dir) = thl_dir(&[(THL_NAME, &log)]);
    assert_fatal(
        &thl_list(&dir),
        &format!(
            "{dir}/{THL_NAME}: at byte {at}: log record CRC failure: crc type=1 \
             stored crc={stored} computed crc={computed}"
        ),
    );
}

#[test]
fn thl_partial_tail_record_is_a_log_being_written() {
    replog_tests::require_corpus!();
    let log = thl_log();
    let recs = records(&log);
    let (at, len, _) = recs[2];
    let (_d, dir) = thl_dir(&[(THL_NAME, &log[..at + len / 2])]);
    let run = thl_list(&dir);
    // Spec 3.2: the file simply ends there, status 0, with a notice.
    let needed = len;
    let found = len / 2;
    assert_eq!(
        (run.code, run.stderr.clone()),
        (
            0,
            format!(
                "INFO {dir}/{THL_NAME}: at byte {at}: incomplete record at the end of the \
                 newest file: expected {needed} bytes, found {found}; a log still being \
                 written ends so, and it is read up to this record\n"
            )
        )
    );
    assert_eq!(seqnos(&run), vec![recs[0].2, recs[1].2]);
}

#[test]
fn thl_java_serialized_payload() {
    replog_tests::require_corpus!();
    let mut log = thl_log();
    let (at, len, _) = records(&log)[2];
    // Fixed header (spec 5.1): type, seqno, fragno, lastFrag, epoch, three strings
    // (u16 length + bytes), source timestamp; the payload follows.
    let mut p = at + 4 + 1 + 8 + 2 + 1 + 8;
    for _ in 0..3 {
        p += 2 + usize::from(u16::from_be_bytes([log[p], log[p + 1]]));
    }
    let payload_at = p + 8;
    log[payload_at..payload_at + 4].copy_from_slice(&[0xac, 0xed, 0x00, 0x05]);
    let crc = u64::from(crc32(&log[at + 4..at + len - 9]));
    log[at + len - 8..at + len].copy_from_slice(&crc.to_be_bytes());
    let (_d, dir) = thl_dir(&[(THL_NAME, &log)]);
    assert_fatal(
        &thl(&["-dir", &dir, "list"]),
        &format!(
            "{dir}/{THL_NAME}: at byte {payload_at}: event payload uses the legacy \
             Java-serialization format (stream magic AC ED 00 05), which replog does not \
             decode; expected protobuf"
        ),
    );
}

#[test]
fn thl_missing_file_in_the_sequence() {
    replog_tests::require_corpus!();
    let names = [
        "thl.data.0000000001",
        "thl.data.0000000003",
        "thl.data.0000000004",
    ];
    let files: Vec<(&str, Vec<u8>)> = names
        .iter()
        .map(|n| {
            (
                *n,
                std::fs::read(shared_fixture(&format!("thl/synthetic-4.1.0/{n}"))).unwrap(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, &b[..])).collect();
    let (_d, dir) = thl_dir(&refs);
    // The first file ends with its 22-byte rotate record (spec 4).
    let rotate_at = files[0].1.len() - 22;
    let run = thl_list(&dir);
    assert_fatal(
        &run,
        &format!(
            "{dir}/{}: at byte {rotate_at}: rotate record points to missing log file \
             thl.data.0000000002",
            names[0]
        ),
    );
}

#[test]
fn thl_seqno_gap_is_warned_about() {
    replog_tests::require_corpus!();
    let log = thl_log();
    let recs = records(&log);
    let (at, len, seqno) = recs[3];
    let mut gap = log[..at].to_vec();
    gap.extend_from_slice(&log[at + len..]);
    let (_d, dir) = thl_dir(&[(THL_NAME, &gap)]);
    let run = thl_list(&dir);
    assert_eq!(run.code, 0);
    assert!(!seqnos(&run).contains(&seqno));
    assert_eq!(
        run.stderr,
        format!(
            "WARN Sequence number gap: expected seqno {seqno}, found {}: file={dir}/{THL_NAME} offset={at}\n",
            recs[4].2
        )
    );
}

#[test]
fn thl_directory_problems_and_unreadable_file() {
    replog_tests::require_corpus!();
    let empty = tempfile::tempdir().unwrap();
    let e = empty.path().to_str().unwrap();
    assert_fatal(
        &thl_list(e),
        &format!("Attempting to read a non-existent log; is log initialized? dirName={e}"),
    );
    let (_f, file) = temp_file(THL_NAME, &thl_log());
    assert_fatal(
        &thl_list(&file),
        &format!("Log directory does not exist : {file}"),
    );
    // A data file the kernel refuses to read.
    let unreadable = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/proc/self/mem", unreadable.path().join(THL_NAME)).unwrap();
    let u = unreadable.path().to_str().unwrap();
    assert_fatal(
        &thl_list(u),
        &format!("{u}/{THL_NAME}: at byte 0: I/O error: Input/output error (os error 5)"),
    );
}

// ---- many damaged copies --------------------------------------------------------------

/// A seeded xorshift64 generator: the sweep is the same on every run, so a failure
/// names a copy that can be made again.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        let x = &mut self.0;
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        (*x % n as u64) as usize
    }
}

/// One damaged copy of a fixture and how it was made.
struct Damaged {
    what: String,
    bytes: Vec<u8>,
    /// Where the copy was cut, or which byte and bit were flipped.
    damage: Damage,
}

#[derive(Clone, Copy)]
enum Damage {
    Cut(usize),
    Flip(usize, usize),
}

/// Copies of `bytes` (named `name`) damaged where damage hurts most and anywhere:
/// around every event or record boundary in `boundaries` (the file's end included),
/// cut one byte short of it or one byte into the next one, and with a bit flipped in
/// the byte before it (a checksum or a body's last byte) and the byte after it (a
/// timestamp or a record length); then cut and bit-flipped at `random` offsets drawn
/// over the whole file.
fn damaged_copies(name: &str, bytes: &[u8], boundaries: &[usize], random: usize) -> Vec<Damaged> {
    let len = bytes.len();
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15 ^ len as u64);
    let mut cuts = Vec::new();
    let mut flips = Vec::new();
    for &b in boundaries {
        for at in [b.wrapping_sub(1), b + 1] {
            if at < len {
                cuts.push(at);
                flips.push(at);
            }
        }
    }
    for _ in 0..random {
        let at = rng.below(len);
        cuts.push(at);
        flips.push(at);
    }
    cuts.sort_unstable();
    cuts.dedup();
    flips.sort_unstable();
    flips.dedup();
    let mut out: Vec<Damaged> = cuts
        .into_iter()
        .map(|at| Damaged {
            what: format!("{name} cut at {at}"),
            bytes: bytes[..at].to_vec(),
            damage: Damage::Cut(at),
        })
        .collect();
    for at in flips {
        let bit = rng.below(8);
        let mut flipped = bytes.to_vec();
        flipped[at] ^= 1 << bit;
        out.push(Damaged {
            what: format!("{name} with bit {bit} of byte {at} flipped"),
            bytes: flipped,
            damage: Damage::Flip(at, bit),
        });
    }
    out
}

/// Offsets of every binlog event and the end of the file.
fn event_boundaries(log: &[u8]) -> Vec<usize> {
    let mut b: Vec<usize> = events(log).into_iter().map(|(at, _, _)| at).collect();
    b.push(log.len());
    b
}

/// Offsets of every THL record and the end of the file.
fn record_boundaries(file: &[u8]) -> Vec<usize> {
    let mut b: Vec<usize> = records(file).into_iter().map(|(at, _, _)| at).collect();
    b.push(file.len());
    b
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Every outcome must be a listing or a message: status 0 or 1, and status 1 always
/// explains itself on stderr. (`thl` itself already failed the test on a panic, a
/// signal or a hang.)
fn assert_clean_end(run: &Run, what: &str, args: &[&str]) {
    assert!(
        matches!(run.code, 0 | 1),
        "{what}: thl {args:?}: status {}: {}",
        run.code,
        run.stderr
    );
    if run.code == 1 {
        assert!(
            !run.stderr.trim().is_empty(),
            "{what}: thl {args:?} failed without a message"
        );
    }
}

/// Which damage to a binary log must be reported (the detection guarantee): every cut
/// inside an event, or of a closed log (in-use flag clear) anywhere, and in a CRC32 log
/// every flipped bit but the format description's in-use flag, which servers rewrite
/// outside the checksum.
fn detectable_in(log: &[u8]) -> impl Fn(&Damaged) -> bool {
    let closed = log.get(4 + 17).is_some_and(|flags| flags & 1 == 0);
    let crc32 = log.get(4 + 4) == Some(&15) && {
        let size = u32::from_le_bytes(log[4 + 9..4 + 13].try_into().unwrap()) as usize;
        log.get(4 + size - 5) == Some(&1)
    };
    let boundaries = event_boundaries(log);
    move |copy: &Damaged| match copy.damage {
        Damage::Cut(at) => closed || !boundaries.contains(&at),
        Damage::Flip(at, bit) => crc32 && (at, bit) != (4 + 17, 0),
    }
}

/// Runs `thl events` strict and `-json -permissive` on each copy written to `path`;
/// flipped copies are also read without CRC checks, so the damage reaches the decoders.
/// The strict run must report the damage whenever `detectable` says it can be seen.
fn sweep_binlog(copies: &[Damaged], path: &Path, detectable: &dyn Fn(&Damaged) -> bool) -> usize {
    let p = path.to_str().unwrap();
    let mut runs = 0;
    for copy in copies {
        std::fs::write(path, &copy.bytes).unwrap();
        let no_crc = copy.what.contains("flipped");
        let mut commands = [
            vec!["events", "-file", p],
            vec!["events", "-json", "-permissive", "-file", p],
        ];
        if no_crc {
            commands[1].insert(0, "-no-checksum");
        }
        for (i, args) in commands.iter().enumerate() {
            let run = thl(args);
            assert_clean_end(&run, &copy.what, args);
            if i == 0 && detectable(copy) {
                assert!(reported(&run), "{}: thl {args:?} said nothing", copy.what);
            }
            runs += 1;
        }
    }
    runs
}

/// Runs `list -headers -json`, `list -charset utf8 -hex -specs`, `index` and `info` on
/// the log directory `dir` after each copy is written to `path`; on flipped copies the
/// `-specs` listing skips CRC checks so that damaged payloads reach the decoder. The
/// original file is put back afterwards.
fn sweep_thl(copies: &[Damaged], dir: &Path, path: &Path) -> usize {
    let original = std::fs::read(path).unwrap();
    let d = dir.to_str().unwrap();
    let mut runs = 0;
    for copy in copies {
        std::fs::write(path, &copy.bytes).unwrap();
        let mut specs = vec!["-dir", d, "list", "-charset", "utf8", "-hex", "-specs"];
        if copy.what.contains("flipped") {
            specs.push("-no-checksum");
        }
        for args in [
            vec!["-dir", d, "list", "-headers", "-json"],
            specs,
            vec!["-dir", d, "index"],
            vec!["-dir", d, "info"],
        ] {
            assert_clean_end(&thl(&args), &copy.what, &args);
            runs += 1;
        }
    }
    std::fs::write(path, original).unwrap();
    runs
}

#[test]
fn binlogs_damaged_around_every_event_and_at_random_end_with_a_message() {
    replog_tests::require_corpus!();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("damaged-bin.000001");
    let mut runs = 0;
    for fixture in [
        project_fixture("mariadb/sample-bin.000001"),
        project_fixture("mariadb/compressed-bin.000001"),
        shared_fixture("binlog/transaction_compression.000001"),
        shared_fixture("binlog/ver_5_1_23.001"),
    ] {
        let log = std::fs::read(&fixture).unwrap();
        let name = fixture.display().to_string();
        let copies = damaged_copies(&name, &log, &event_boundaries(&log), 8);
        runs += sweep_binlog(&copies, &path, &detectable_in(&log));
    }
    // JSON documents: random damage only (36 events).
    let json = shared_fixture("binlog/json.binlog.000001");
    let log = std::fs::read(&json).unwrap();
    let copies = damaged_copies(&json.display().to_string(), &log, &[], 12);
    runs += sweep_binlog(&copies, &path, &detectable_in(&log));
    assert!(runs > 600, "{runs} runs");
}

/// Whether `run` said something about the damage: a status other than 0, or a message.
fn reported(run: &Run) -> bool {
    run.code != 0 || !run.stderr.trim().is_empty()
}

/// The detection guarantee (README "Damaged input"): in a CRC32 binary log every
/// single-bit flip is reported, strict and permissive, and so is every cut of a closed
/// log, at an event boundary or inside an event. Every bit of the first 160 bytes (the
/// magic, the format description and what follows it) and a seeded sample of the rest
/// is flipped; the one exception is the format description's in-use flag, which
/// servers rewrite in place, outside the checksum.
#[test]
fn crc32_binlogs_report_every_single_bit_flip_and_every_cut() {
    replog_tests::require_corpus!();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("damaged-bin.000001");
    let p = path.to_str().unwrap();
    let in_use_flag = (4 + 17, 0);
    let mut runs = 0;
    for fixture in [
        shared_fixture("binlog/rpl_atomic_ddl_rollback_full.000001"),
        shared_fixture("binlog/binlog_transaction_with_GTID_TAG.000001"),
        project_fixture("mariadb/sample-bin.000001"),
    ] {
        let log = std::fs::read(&fixture).unwrap();
        let name = fixture.display().to_string();
        let mut rng = Rng::new(0x5eed ^ log.len() as u64);
        let mut flips: Vec<(usize, usize)> = (0..160.min(log.len()))
            .flat_map(|at| (0..8).map(move |bit| (at, bit)))
            .collect();
        flips.extend((0..120).map(|_| (160 + rng.below(log.len() - 160), rng.below(8))));
        for (at, bit) in flips {
            if (at, bit) == in_use_flag {
                continue;
            }
            let mut flipped = log.clone();
            flipped[at] ^= 1 << bit;
            std::fs::write(&path, &flipped).unwrap();
            // Strict on every copy, permissive on one in four (same code path after
            // the first problem, which strict already proves is seen).
            let mut commands = vec![vec!["events", "-file", p]];
            if (at + bit) % 4 == 0 {
                commands.push(vec!["events", "-permissive", "-file", p]);
            }
            for args in commands {
                let run = thl(&args);
                assert!(
                    reported(&run),
                    "{name} with bit {bit} of byte {at} flipped: thl {args:?} said nothing"
                );
                runs += 1;
            }
        }
        let closed = log[4 + 17] & 1 == 0;
        let mut cuts: Vec<usize> = event_boundaries(&log);
        cuts.pop();
        cuts.extend((0..40).map(|_| rng.below(log.len())));
        for cut in cuts.into_iter().filter(|_| closed) {
            std::fs::write(&path, &log[..cut]).unwrap();
            let run = thl(&["events", "-file", p]);
            assert!(
                reported(&run),
                "{name} cut at {cut}: thl events said nothing"
            );
            runs += 1;
        }
    }
    assert!(runs > 4_500, "{runs} runs");
}

/// The detection guarantee for THL (README "Damaged input"): in files whose records
/// carry CRC-32s every single-bit flip is reported, and so is every cut of a file
/// another file follows, at a record boundary as inside a record (spec 1.4: such a file
/// ends in its rotate record). Every bit of each file's first 160 bytes (the header and
/// the first record's framing, fixed header and payload) and a seeded sample of the rest
/// is flipped, one at a time, in a log directory holding the file's whole set; the
/// fixtures are the two real logs and the rotated set. `list` reads the whole log,
/// strict on every copy, permissive on one in four.
#[test]
fn crc_thl_files_report_every_single_bit_flip_and_every_cut() {
    replog_tests::require_corpus!();
    let mut files = Vec::new();
    for set in ["tungsten-2.2.1", "tungsten-3.1.0", "synthetic-4.1.0"] {
        let mut names: Vec<String> = std::fs::read_dir(shared_fixture(&format!("thl/{set}")))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("thl.data."))
            .collect();
        names.sort();
        for i in 0..names.len() {
            files.push((set, names.clone(), i));
        }
    }
    // Each file is swept in its own copy of its set, several at a time.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runs: usize = std::thread::scope(|scope| {
        let chunks: Vec<_> = files
            .chunks(files.len().div_ceil(workers))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(set, names, i)| sweep_crc_thl_file(set, names, *i))
                        .sum::<usize>()
                })
            })
            .collect();
        chunks.into_iter().map(|c| c.join().unwrap()).sum()
    });
    assert!(runs > 8_000, "{runs} runs");
}

/// Flips every bit of the first 160 bytes and a seeded sample of the rest of file
/// `names[i]` of the fixture set `set`, and when another file follows it, cuts it at
/// every record boundary and at seeded offsets; every run must report the damage.
/// Returns the number of runs.
fn sweep_crc_thl_file(set: &str, names: &[String], i: usize) -> usize {
    let fixture = shared_fixture(&format!("thl/{set}"));
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    for name in names {
        std::fs::copy(fixture.join(name), tmp.path().join(name)).unwrap();
    }
    let name = &names[i];
    let path = tmp.path().join(name);
    let file = std::fs::read(&path).unwrap();
    let what = format!("{set}/{name}");
    let mut rng = Rng::new(0x5eed ^ file.len() as u64);
    let mut flips: Vec<(usize, usize)> = (0..160.min(file.len()))
        .flat_map(|at| (0..8).map(move |bit| (at, bit)))
        .collect();
    flips.extend((0..60).map(|_| (160 + rng.below(file.len() - 160), rng.below(8))));
    let mut runs = 0;
    for (at, bit) in flips {
        let mut flipped = file.clone();
        flipped[at] ^= 1 << bit;
        std::fs::write(&path, &flipped).unwrap();
        // Strict on every copy, permissive on one in four (the same reading after the
        // first problem, which strict already proves is seen).
        let mut commands = vec![vec!["-dir", d, "list"]];
        if (at + bit) % 4 == 0 {
            commands.push(vec!["-dir", d, "list", "-permissive"]);
        }
        for args in commands {
            let run = thl(&args);
            assert!(
                reported(&run),
                "{what} with bit {bit} of byte {at} flipped: thl {args:?} said nothing"
            );
            runs += 1;
        }
    }
    if i + 1 < names.len() {
        let mut cuts = record_boundaries(&file);
        cuts.pop();
        cuts.extend((0..10).map(|_| 16 + rng.below(file.len() - 16)));
        for cut in cuts {
            std::fs::write(&path, &file[..cut]).unwrap();
            for args in [
                vec!["-dir", d, "list", "-headers"],
                vec!["-dir", d, "index"],
            ] {
                let run = thl(&args);
                assert!(
                    reported(&run),
                    "{what} cut at {cut}: thl {args:?} said nothing"
                );
                runs += 1;
            }
        }
    }
    runs
}

#[test]
fn gz_binlog_damaged_end_with_a_message() {
    // The compressed bytes are damaged: the gzip header, the deflate stream and the
    // trailer's CRC and size (its last 8 bytes).
    let log = std::fs::read(project_fixture("mariadb/sample-bin.000001")).unwrap();
    let packed = gzip(&log);
    let len = packed.len();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("damaged-bin.000001.gz");
    let copies = damaged_copies(
        "sample-bin.000001.gz",
        &packed,
        &[1, 4, 10, len - 8, len - 4, len],
        12,
    );
    // A cut stream is always seen (the deflate stream or the trailer is missing); a
    // flipped bit may fall in a header field no checksum covers (mtime, OS).
    sweep_binlog(&copies, &path, &|copy| {
        matches!(copy.damage, Damage::Cut(_))
    });
}

#[test]
fn thl_files_damaged_around_every_record_and_at_random_end_with_a_message() {
    replog_tests::require_corpus!();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(THL_NAME);
    for fixture in [
        "thl/tungsten-2.2.1/thl.data.0000000001",
        "thl/tungsten-3.1.0/thl.data.0000000001",
        "thl/synthetic-4.1.0-nocrc/thl.data.0000000001",
    ] {
        let file = std::fs::read(shared_fixture(fixture)).unwrap();
        std::fs::write(&path, &file).unwrap();
        let copies = damaged_copies(fixture, &file, &record_boundaries(&file), 8);
        sweep_thl(&copies, tmp.path(), &path);
    }
    // A gzipped file, damaged in its compressed bytes (header, stream, trailer).
    std::fs::remove_file(&path).unwrap();
    let gz_path = tmp.path().join(format!("{THL_NAME}.gz"));
    let packed =
        gzip(&std::fs::read(shared_fixture("thl/tungsten-2.2.1/thl.data.0000000001")).unwrap());
    let len = packed.len();
    std::fs::write(&gz_path, &packed).unwrap();
    let copies = damaged_copies(
        "tungsten-2.2.1 .gz",
        &packed,
        &[1, 4, 10, len - 8, len - 4, len],
        12,
    );
    sweep_thl(&copies, tmp.path(), &gz_path);
}

#[test]
fn rotated_thl_set_damaged_one_file_at_a_time_ends_with_a_message() {
    replog_tests::require_corpus!();
    // The four files of synthetic-4.1.0 (fixture README 2) in a temporary directory;
    // each in turn is damaged around its records while the others stay whole.
    let fixture = shared_fixture("thl/synthetic-4.1.0");
    let tmp = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&fixture)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("thl.data."))
        .collect();
    names.sort();
    assert_eq!(names.len(), 4);
    for name in &names {
        std::fs::write(
            tmp.path().join(name),
            std::fs::read(fixture.join(name)).unwrap(),
        )
        .unwrap();
    }
    let mut runs = 0;
    for name in &names {
        let path = tmp.path().join(name);
        let file = std::fs::read(&path).unwrap();
        let copies = damaged_copies(name, &file, &record_boundaries(&file), 4);
        runs += sweep_thl(&copies, tmp.path(), &path);
    }
    assert!(runs > 400, "{runs} runs");
}
