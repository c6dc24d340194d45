//! `thl extract` and `thl list -file BINLOG`: binary logs written and listed as THL.
//!
//! The project's MariaDB logs (fixtures/mariadb) are always present; what needs the
//! reference Java tool says when it is skipped.

mod common;

use std::path::Path;

use common::thl;

fn mariadb(name: &str) -> String {
    replog_tests::project_fixture(&format!("mariadb/{name}"))
        .display()
        .to_string()
}

fn text(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `thl extract` of `files` into `dir` with fixed tags.
fn extract(dir: &Path, files: &[String], extra: &[&str]) -> common::Run {
    let mut args = vec![
        "extract",
        "-service",
        "alpha",
        "-source-id",
        "host1",
        "-dir",
        text(dir),
    ];
    for f in files {
        args.extend(["-file", f.as_str()]);
    }
    args.extend_from_slice(extra);
    thl(&args)
}

/// The bytes of every data file of a THL directory, in name order.
fn log_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

const FORMATS: &[&[&str]] = &[
    &[],
    &["-headers"],
    &["-headers", "-json"],
    &["-sql"],
    &["-specs", "-charset", "utf8"],
    &["-charset", "utf8", "-hex"],
    &["-charset", "ISO-8859-1", "-timezone", "America/Los_Angeles"],
];

#[test]
fn listing_binlogs_equals_listing_the_extracted_log_in_every_format() {
    for log in [
        "sample-bin.000001",
        "types-bin.000001",
        "compressed-bin.000001",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("thl");
        let file = mariadb(log);
        extract(&out, std::slice::from_ref(&file), &[]).ok();
        for format in FORMATS {
            let mut on_thl = vec!["-dir", text(&out), "list"];
            on_thl.extend_from_slice(format);
            let mut on_binlog = vec![
                "list",
                "-file",
                &file,
                "-service",
                "alpha",
                "-source-id",
                "host1",
            ];
            on_binlog.extend_from_slice(format);
            let expected = thl(&on_thl).ok();
            assert!(!expected.is_empty(), "{log} {format:?}");
            assert_eq!(thl(&on_binlog).ok(), expected, "{log} {format:?}");
        }
    }
}

#[test]
fn seqno_selection_and_filters_address_the_assigned_seqnos() {
    let file = mariadb("sample-bin.000001");
    let headers = |extra: &[&str]| {
        let mut args = vec!["list", "-headers", "-file", &file];
        args.extend_from_slice(extra);
        let out = thl(&args).ok();
        out.lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(headers(&[]), ["0", "1", "2", "3", "4"]);
    assert_eq!(headers(&["-seqno", "3"]), ["3"]);
    assert_eq!(headers(&["-low", "1", "-high", "2"]), ["1", "2"]);
    assert_eq!(
        headers(&["-seqno-start", "100", "-low", "102"]),
        ["102", "103", "104"]
    );
    assert_eq!(headers(&["-last", "2"]), ["3", "4"]);
    assert_eq!(headers(&["-first", "1", "-low", "2"]), ["2"]);
    assert_eq!(headers(&["-shard", "shop"]).len(), 5);
    let err = thl(&["list", "-file", &file, "-shard", "nothing"]).fails();
    assert!(err.contains("No transactions match"), "{err}");
    let err = thl(&["list", "-file", &file, "-seqno", "9"]).fails();
    assert!(err.contains("Unable to find sequence number: 9"), "{err}");
}

#[test]
fn a_rerun_continues_and_an_interrupted_run_is_repaired_byte_for_byte() {
    let file = mariadb("types-bin.000001");
    let files = std::slice::from_ref(&file);
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    // Small fragments, so that the log holds unfinished transactions to cut.
    let frag = ["-fragment-size", "200"];
    extract(&whole, files, &frag).ok();
    let reference = log_bytes(&whole);
    let (name, bytes) = &reference[0];
    // A re-run over the same binlogs has nothing to add.
    let rerun = extract(&whole, files, &frag);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert!(rerun.stderr.contains("up to date"), "{}", rerun.stderr);
    assert!(log_bytes(&whole) == reference, "a re-run changed the log");
    // Every cut of the log (a killed run leaves a prefix) is repaired by the next run.
    let records = record_ends(bytes);
    let cuts: Vec<usize> = records
        .iter()
        .flat_map(|&end| [end - 1, end])
        .chain([16, 17])
        .collect();
    for cut in cuts {
        let dir = tmp.path().join(format!("cut{cut}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join(name), &bytes[..cut]).unwrap();
        let run = extract(&dir, files, &frag);
        assert_eq!(run.code, 0, "cut at {cut}: {}", run.stderr);
        assert!(
            log_bytes(&dir) == reference,
            "cut at {cut}: the repaired log differs"
        );
        let complete = cut == 16 || records.contains(&cut) && last_frag_at(bytes, cut);
        assert_eq!(
            run.stderr.contains("WARN"),
            !complete,
            "cut at {cut}: {}",
            run.stderr
        );
    }
}

/// End offsets of the records of a THL file.
fn record_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = 16;
    while at + 4 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        at += len;
        ends.push(at);
    }
    ends
}

/// Whether the record ending at `end` is a transaction's last fragment (or `end` is
/// the header's end).
fn last_frag_at(bytes: &[u8], end: usize) -> bool {
    if end == 16 {
        return true;
    }
    let mut at = 16;
    loop {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        if at + len == end {
            // Length, type byte, seqno (8), fragno (2), then lastFrag.
            return bytes[at + 4 + 1 + 8 + 2] == 1;
        }
        at += len;
    }
}

#[test]
fn a_log_ahead_of_the_binlogs_given_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("thl");
    extract(&out, &[mariadb("types-bin.000001")], &[]).ok();
    let before = log_bytes(&out);
    let err = extract(&out, &[mariadb("sample-bin.000001")], &[]).fails();
    assert!(
        err.contains("cannot continue after the THL's last eventId types-bin.000001:"),
        "{err}"
    );
    assert!(log_bytes(&out) == before, "a refused run writes nothing");
    let err = extract(&out, &[mariadb("types-bin.000001")], &["-seqno-start", "5"]).fails();
    assert!(err.contains("continues at seqno"), "{err}");
    // An older, shorter copy of the same log: the THL's last position is past its end.
    let older = tmp.path().join("types-bin.000001");
    let full = std::fs::read(mariadb("types-bin.000001")).unwrap();
    std::fs::write(&older, &full[..full.len() / 2]).unwrap();
    let err = extract(&out, &[older.display().to_string()], &[]).fails();
    assert!(err.contains("the position is past its end"), "{err}");
    assert!(log_bytes(&out) == before, "a refused run writes nothing");
}

#[test]
fn a_run_that_extracts_nothing_leaves_no_log() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("thl");
    let missing = tmp.path().join("mysql-bin.000001").display().to_string();
    let err = extract(&out, &[missing], &[]).fails();
    assert!(err.contains("mysql-bin.000001"), "{err}");
    assert!(!out.exists(), "a failed run created {}", out.display());
    // A file that is not a THL file is refused, and left as it was.
    std::fs::create_dir(&out).unwrap();
    let junk = b"not a THL file, longer than a header";
    std::fs::write(out.join("thl.data.0000000001"), junk).unwrap();
    let err = extract(&out, &[mariadb("sample-bin.000001")], &[]).fails();
    assert!(err.contains("expected THL magic 0xC001CAFE"), "{err}");
    assert_eq!(
        log_bytes(&out),
        [("thl.data.0000000001".into(), junk.to_vec())]
    );
    // A first run killed before the header reached the disk leaves an empty file: the
    // next run starts the log there, as if it had never run.
    std::fs::write(out.join("thl.data.0000000001"), b"").unwrap();
    extract(&out, &[mariadb("sample-bin.000001")], &[]).ok();
    let fresh = tmp.path().join("fresh");
    extract(&fresh, &[mariadb("sample-bin.000001")], &[]).ok();
    assert!(log_bytes(&out) == log_bytes(&fresh));
}

#[test]
fn extract_needs_a_service_and_files() {
    let err = thl(&["extract", "-file", &mariadb("sample-bin.000001")]).fails();
    assert!(
        err.contains("extract needs binary logs and a service"),
        "{err}"
    );
    let err = thl(&["extract", "-service", "alpha"]).fails();
    assert!(
        err.contains("extract needs binary logs and a service"),
        "{err}"
    );
    let err = thl(&["extract", "-service", "alpha", "-file", "x", "-low", "3"]).fails();
    assert!(err.contains("Unrecognized option: -low"), "{err}");
    // Tagging options mean nothing to a THL listing.
    let err = thl(&["-dir", "/tmp", "list", "-source-id", "h"]).fails();
    assert!(err.contains("Unrecognized option: -source-id"), "{err}");
}

#[test]
fn the_reference_java_tool_lists_what_extract_writes_as_replog_does() {
    let Some(reference) = reference_thl() else {
        replog_tests::skip_unless_required!(
            "the reference Java thl (../shared/tools/ref-thl/thl and java on the PATH)",
            "install a JDK and the shared tools beside the checkout"
        );
    };
    // The Tungsten replay holds a LOAD DATA, which extract stores as text as Tungsten
    // does: the reference lists it (it prints nothing for a query stored as bytes).
    let tungsten_replay = replog_tests::project_fixture("tungsten/mysql-bin.000001");
    for log in [
        mariadb("sample-bin.000001"),
        mariadb("types-bin.000001"),
        mariadb("compressed-bin.000001"),
        tungsten_replay.display().to_string(),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("thl");
        extract(&out, std::slice::from_ref(&log), &[]).ok();
        let conf = tmp.path().join("static-alpha.properties");
        std::fs::write(
            &conf,
            format!("replicator.store.thl.log_dir={}\n", out.display()),
        )
        .unwrap();
        // Without -charset the reference prints byte strings as [B@hash; with it, both
        // tools decode them. -hex aborts the reference (spec 6.5 H).
        for format in [
            &["-charset", "utf8"][..],
            &["-charset", "utf8", "-specs"],
            &["-headers"],
            &["-headers", "-json"],
            &["-sql"],
        ] {
            let mut args = vec![
                "-conf".to_string(),
                conf.display().to_string(),
                "list".into(),
            ];
            args.extend(format.iter().map(|s| s.to_string()));
            let java = std::process::Command::new(&reference)
                .args(&args)
                .output()
                .unwrap();
            assert!(java.status.success(), "{log} {format:?}");
            let mut ours = vec!["-dir", text(&out), "list"];
            ours.extend_from_slice(format);
            let ours = thl(&ours).ok();
            let java = String::from_utf8_lossy(&java.stdout).into_owned();
            assert_same_but_documented(&java, &ours, &format!("{log} {format:?}"));
        }
    }
}

/// Equal line for line, except for differences README documents: the reference prints
/// an empty line after a DATETIME with a fraction (`…:02.500000000`) and an empty BLOB as
/// `…SerialBlob@7820`, `-sql` ends `SET INSERT_ID = N` without `;`, and JDK 17 writes a few floats with more digits than the shortest
/// text that reads back as the same value (`1.17549435E-38` for `1.1754944E-38`).
fn assert_same_but_documented(java: &str, ours: &str, what: &str) {
    const EMPTY_BLOB: &str = "com.continuent.tungsten.replicator.extractor.mysql.SerialBlob@7820";
    let nanos_fraction = |line: &str| {
        let tail = line.rsplit(['.', ' ']).next().unwrap_or("");
        line.len() > 10 && tail.len() == 9 && tail.bytes().all(|b| b.is_ascii_digit())
    };
    let mut java_lines = java.lines().peekable();
    let mut previous = "";
    for (n, line) in ours.lines().enumerate() {
        if nanos_fraction(previous) && java_lines.peek() == Some(&"") {
            java_lines.next();
        }
        previous = line;
        let expected = java_lines
            .next()
            .unwrap_or_else(|| panic!("{what}: line {n} missing"));
        if expected == line || line.starts_with("SET ") && line == format!("{expected};") {
            continue;
        }
        let documented = match (expected.rsplit_once(" = "), line.rsplit_once(" = ")) {
            (Some((a, x)), Some((b, y))) if a == b => {
                (x == EMPTY_BLOB && y.is_empty())
                    || x.parse::<f32>()
                        .ok()
                        .is_some_and(|v| y.parse::<f32>() == Ok(v))
            }
            _ => false,
        };
        assert!(
            documented,
            "{what}: line {n}\nreference: {expected}\nreplog:    {line}"
        );
    }
    assert_eq!(
        java_lines.next(),
        None,
        "{what}: the reference printed more"
    );
}

/// The reference tool, when it and `java` are there.
fn reference_thl() -> Option<std::path::PathBuf> {
    let tool = replog_tests::shared_corpus_root()
        .parent()?
        .join("tools/ref-thl/thl");
    let java = std::process::Command::new("java").arg("-version").output();
    (tool.is_file() && java.is_ok_and(|o| o.status.success())).then_some(tool)
}

#[test]
fn shards_of_binlogs_are_those_of_the_extracted_transactions() {
    // Per expected.json (the workload's own account): transactions by shard, each
    // shard's last transaction, and the hash rule of parallel-apply.md §1.5 by hand:
    // H("app1") = 3000880 and H("app2"), H("app3") follow by +1, so with 4 channels app1,
    // app2, app3 go to 0, 1, 2; H("#UNKNOWN") = 1301961383 goes to 3 (spec table).
    let dir = replog_tests::project_fixture("txn/small");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let thread_id = doc["server"]["thread_id"].as_i64().unwrap();
    let out = thl(&["shards", "-channels", "4", "-json", "-file", text(&dir)]).ok();
    let shards: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut expected = Vec::new();
    for (shard, channel) in [("#UNKNOWN", 3), ("app1", 0), ("app2", 1), ("app3", 2)] {
        let txns: Vec<&serde_json::Value> = doc["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["shard"] == shard)
            .collect();
        let last = txns.last().unwrap();
        let session = if last["statements"].as_array().unwrap().is_empty() {
            -1
        } else {
            thread_id
        };
        expected.push(serde_json::json!({
            "shardId": shard,
            "stage": "q-to-dbms",
            "channel": channel.to_string(),
            "eventCount": txns.len().to_string(),
            "appliedLastSeqno": (last["n"].as_i64().unwrap() - 1).to_string(),
            "appliedLastEventId": format!(
                "{}:{:016};{session}",
                last["binlog_file"].as_str().unwrap(),
                last["end_pos"].as_u64().unwrap()
            ),
            "critical": (shard == "#UNKNOWN").to_string(),
        }));
    }
    assert_eq!(shards, serde_json::Value::Array(expected));
}
