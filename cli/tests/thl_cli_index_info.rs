//! `thl index`, `thl info`, `help`, `skip`, and the error messages and exit statuses of
//! spec sections 10-15, on the shared fixtures.

mod common;

use common::{copy_fixture, crc32, header_only_log, restamp_record_crc, thl, thl_dir, thl_on};

#[test]
fn index_of_a_rotated_log() {
    replog_tests::require_corpus!();
    // Spec 14, verbatim (and fixture README 2: index entries).
    let expected = "\
LogIndexEntry thl.data.0000000001(0:2)
LogIndexEntry thl.data.0000000002(3:11)
LogIndexEntry thl.data.0000000003(12:18)
LogIndexEntry thl.data.0000000004(19:22)

";
    assert_eq!(thl_on("synthetic-4.1.0", &["index"]).ok(), expected);
    assert_eq!(
        thl_on("synthetic-4.1.0-nocrc", &["index", "-no-checksum"]).ok(),
        "LogIndexEntry thl.data.0000000001(0:22)\n\n"
    );
    assert_eq!(
        thl_on("tungsten-2.2.1", &["index"]).ok(),
        "LogIndexEntry thl.data.0000000001(0:7)\n\n"
    );
}

#[test]
fn info_summary() {
    replog_tests::require_corpus!();
    let dir = thl_dir("tungsten-2.2.1");
    let out = thl_on("tungsten-2.2.1", &["info"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 8, "{out}");
    assert_eq!(lines[0], format!("log directory = {}/", dir.display()));
    assert_eq!(lines[1], "log files = 1");
    // 9217 bytes (fixture README 1.1) = 0.0088 MiB.
    assert_eq!(lines[2], "logs size = 0.01 MB");
    assert_eq!(lines[3], "min seq# = 0");
    assert_eq!(lines[4], "max seq# = 7");
    // Fixture README 1.1: `thl info` min / max / events = 0 / 7 / 7 (spec 14: max - min).
    assert_eq!(lines[5], "events = 7");
    for (line, label) in lines[6..].iter().zip(["oldest file", "newest file"]) {
        let rest = line
            .strip_prefix(&format!("{label} = thl.data.0000000001 (0.01 MB, "))
            .unwrap();
        let date = rest.strip_suffix(')').unwrap();
        assert!(
            date.len() == 19 && date.as_bytes()[4] == b'-' && date.as_bytes()[13] == b':',
            "{line}"
        );
    }
    let rotated = thl_on("synthetic-4.1.0", &["info"]).ok();
    assert!(rotated.contains("\nlog files = 4\n"));
    // Fixture README 2: min / max 0 / 22, so events = 22 - 0 (spec 14).
    assert!(rotated.contains("\nmin seq# = 0\nmax seq# = 22\nevents = 22\n"));
    assert!(rotated.contains("\noldest file = thl.data.0000000001 ("));
    assert!(rotated.contains("\nnewest file = thl.data.0000000004 ("));
}

#[test]
fn help_and_skip() {
    let help = thl(&["help"]).ok();
    let tungsten = "\
Tungsten Replicator THL Manager
Syntax: thl [global-options] command [command-options]
Global options:
  -conf path    - Path to a static-<svc>.properties file
  -service name - Name of a replication service
Commands and corresponding options:
  list [-low #] [-high #] [-by #] - Dump THL events from low to high #
  list [-seqno #]                 - Dump the exact event by a given #
  list [-file <file_name>]        - Dump the content of the given log file
       [-charset <charset>] [-hex]  Character set used for decoding row data
       [-sql]                       Representative (no metadata!) SQL mode
       [-specs]                     Add detailed column specifications
       [-headers]                   Print headers only
       [-json]                      Output in machine-parsable JSON format
       [-no-checksum]               Suppress checksums
       [-timezone timezone]         Time used zone for time-related data
  index [-no-checksum]            - Display index of log files
  purge [-low #] [-high #]        - Delete THL files identified by the given range
        [-no-checksum] [-y]         Use -y to suppress prompt
  info [-no-checksum]             - Display minimum, maximum sequence number
                                    and other summary information about log
  help                            - Print this help display
";
    assert!(help.starts_with(tungsten), "{help}");
    assert!(help.contains("-dir path"));
    assert!(help.contains("\n  list, index, info [-permissive] - "));
    assert_eq!(thl(&["--help"]).ok(), help);
    assert_eq!(
        thl(&["skip"]).ok(),
        "SKIP operation is no longer supported\n\
         Please use 'trepctl online -skip-seqno N' to skip over a transaction\n"
    );
}

#[test]
fn usage_errors_exit_1() {
    replog_tests::require_corpus!();
    let missing = thl(&[]).fails();
    assert!(
        missing.starts_with("Command is missing!\nTungsten Replicator THL Manager\n"),
        "{missing}"
    );
    let unknown = thl(&["lsit"]).fails();
    assert!(unknown.starts_with("Unknown command: 'lsit'\nTungsten Replicator THL Manager\n"));
    assert_eq!(thl(&["list", "-x"]).fails(), "Unrecognized option: -x\n");
    assert_eq!(
        thl_on("tungsten-2.2.1", &["list", "-json"]).fails(),
        "Currently JSON output is supported only with -headers flag\n"
    );
    assert!(thl(&["list", "-low", "ten"]).fails().contains("ten"));
}

#[test]
fn selection_errors_exit_1() {
    replog_tests::require_corpus!();
    assert_eq!(
        thl_on("tungsten-2.2.1", &["list", "-low", "5", "-high", "2"]).fails(),
        "ERROR Invalid range:  -low must be equal to or lower than -high value\n"
    );
    assert_eq!(
        thl_on("tungsten-2.2.1", &["list", "-low", "99"]).fails(),
        "ERROR Unable to find sequence number: 99\n"
    );
    // Spec 12: with -json an empty selection is `[`, an empty line and `]`, status 0.
    assert_eq!(
        thl_on(
            "tungsten-2.2.1",
            &["list", "-low", "99", "-headers", "-json"]
        )
        .ok(),
        "[\n\n]\n"
    );
    assert_eq!(
        thl_on("tungsten-2.2.1", &["list", "-file", "data.1"]).fails(),
        "File name must be a THL log file name like thl.data.0000000001\n"
    );
    assert_eq!(
        thl_on("tungsten-2.2.1", &["list", "-file", "thl.data.0000000009"]).fails(),
        "ERROR File not found: thl.data.0000000009\n"
    );
}

#[test]
fn missing_log_directory_says_which_was_used() {
    let err = thl(&["-dir", "/nonexistent/thl", "info"]).fails();
    assert_eq!(
        err,
        "Fatal error: Log directory does not exist : /nonexistent/thl\n"
    );
    let err = thl(&["-service", "alpha", "list"]).fails();
    assert!(
        err.starts_with("Fatal error: Log directory does not exist : /nonexistent-continuent/thl/alpha (from the default for service alpha: no static-alpha.properties in /nonexistent-thl-conf"),
        "{err}"
    );
    let empty = tempfile::tempdir().unwrap();
    let err = thl(&["-dir", empty.path().to_str().unwrap(), "index"]).fails();
    assert_eq!(
        err,
        format!(
            "Fatal error: Attempting to read a non-existent log; is log initialized? dirName={}\n",
            empty.path().display()
        )
    );
    assert!(thl(&["list"])
        .fails()
        .starts_with("You must specify either a config file or a service name"));
}

#[test]
fn crc_failure_is_fatal_and_no_checksum_skips_the_check() {
    replog_tests::require_corpus!();
    // Fixture README 3: flipping a data byte gives a CRC mismatch at that record.
    let tmp = copy_fixture("tungsten-2.2.1");
    let file = tmp.path().join("thl.data.0000000001");
    let mut bytes = std::fs::read(&file).unwrap();
    // Record 2 (seqno 1) starts at offset 829; its sourceId "logos1" starts at 829 + 4 + 20 + 2.
    bytes[855] = b'L';
    std::fs::write(&file, &bytes).unwrap();
    let dir = tmp.path().to_str().unwrap();
    let err = thl(&["-dir", dir, "list", "-seqno", "0"]).fails();
    assert!(err.starts_with("Fatal error: "), "{err}");
    assert!(err.contains("at byte 829") && err.contains("CRC"), "{err}");
    let out = thl(&["-dir", dir, "list", "-seqno", "1", "-no-checksum"]).ok();
    assert!(out.contains("- SOURCEID = Logos1\n"), "{out}");
}

#[test]
fn truncated_tail_ends_the_listing_silently() {
    replog_tests::require_corpus!();
    // Fixture README 3: a file cut inside its last record is read up to that record.
    let tmp = copy_fixture("tungsten-3.1.0");
    let file = tmp.path().join("thl.data.0000000001");
    let bytes = std::fs::read(&file).unwrap();
    // The last record (seqno 7) starts at 7896 (fixture README 1.2).
    std::fs::write(&file, &bytes[..7896 + 100]).unwrap();
    let out = thl(&["-dir", tmp.path().to_str().unwrap(), "list", "-headers"]).ok();
    let seqnos: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(seqnos, ["0", "1", "2", "3", "4", "5", "6"]);
}

#[test]
fn unfinished_trailing_transaction_is_outside_the_default_range() {
    replog_tests::require_corpus!();
    // Spec 3.2 and 12: cut the 2.2.1 log inside its last record (seqno 7 fragment 2 at
    // offset 8986, fixture README 1.2); fragments 0 and 1 of seqno 7 remain, without a
    // last fragment, so the log's maximum is 6.
    let tmp = copy_fixture("tungsten-2.2.1");
    let file = tmp.path().join("thl.data.0000000001");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..8986 + 50]).unwrap();
    let dir = tmp.path().to_str().unwrap();
    // A log being written ends so: a notice, not a failure.
    let tail = format!(
        "INFO {dir}/thl.data.0000000001: at byte 8986: incomplete record at the end of the \
         newest file: expected 231 bytes, found 50; a log still being written ends so, and \
         it is read up to this record\n"
    );
    let index = thl(&["-dir", dir, "index"]);
    assert_eq!(index.stderr, tail);
    assert_eq!(index.ok(), "LogIndexEntry thl.data.0000000001(0:6)\n\n");
    let seqnos = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["-dir", dir, "list", "-headers"];
        all.extend_from_slice(args);
        let out = thl(&all).ok();
        out.lines()
            .map(|l| l.split('\t').take(3).collect::<Vec<_>>().join("/"))
            .collect()
    };
    assert_eq!(seqnos(&[]).last().map(String::as_str), Some("6/0/0"));
    assert_eq!(seqnos(&["-seqno", "7"]), ["7/0/0", "7/0/1"]);
    assert_eq!(
        thl(&["-dir", dir, "list", "-low", "7"]).fails(),
        format!("{tail}ERROR Unable to find sequence number: 7\n")
    );
    assert_eq!(
        thl(&[
            "-dir",
            dir,
            "list",
            "-file",
            "thl.data.0000000001",
            "-headers"
        ])
        .ok()
        .lines()
        .count(),
        9
    );
}

#[test]
fn fresh_empty_log() {
    // Spec 1.3: min = max = -1.
    let tmp = header_only_log();
    let dir = tmp.path().to_str().unwrap();
    assert_eq!(
        thl(&["-dir", dir, "index"]).ok(),
        "LogIndexEntry thl.data.0000000001(-1:-1)\n\n"
    );
    let run = thl(&["-dir", dir, "list"]);
    assert_eq!(run.stderr, "INFO No events found; log is empty\n");
    assert_eq!(run.ok(), "");
    let info = thl(&["-dir", dir, "info"]).ok();
    assert!(
        info.contains("\nmin seq# = -1\nmax seq# = -1\nevents = 0\n"),
        "{info}"
    );
}

/// A copy of a fixture directory with every file gzipped (`gzip` of each file).
fn gzipped_fixture(name: &str) -> tempfile::TempDir {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(thl_dir(name)).unwrap() {
        let entry = entry.unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&std::fs::read(entry.path()).unwrap()).unwrap();
        let target = format!("{}.gz", entry.file_name().to_str().unwrap());
        std::fs::write(tmp.path().join(target), gz.finish().unwrap()).unwrap();
    }
    tmp
}

#[test]
fn gz_log_is_indexed_without_inflating_it_whole() {
    replog_tests::require_corpus!();
    // With a 0 MiB in-memory limit no `.gz` file can be inflated whole, yet `index` and
    // `info`'s ranges work: they stream. `list` must hold a file and says how to get past.
    let tmp = gzipped_fixture("synthetic-4.1.0");
    let dir = tmp.path().to_str().unwrap();
    let run = |args: &[&str]| {
        common::finish(
            common::thl_command()
                .env("THL_READ_LIMIT_MB", "0")
                .args(["-dir", dir])
                .args(args)
                .output()
                .unwrap(),
        )
    };
    // Spec 14's entries (fixture README 2), with the files' `.gz` names.
    assert_eq!(
        run(&["index"]).ok(),
        "\
LogIndexEntry thl.data.0000000001.gz(0:2)
LogIndexEntry thl.data.0000000002.gz(3:11)
LogIndexEntry thl.data.0000000003.gz(12:18)
LogIndexEntry thl.data.0000000004.gz(19:22)

"
    );
    let path = tmp.path().join("thl.data.0000000001.gz");
    assert_eq!(
        run(&["list", "-seqno", "0"]).fails(),
        format!(
            "Fatal error: {}: at byte 0: gzip stream inflates to more than the 0-byte \
             in-memory limit; expected a smaller input: decompress it to a file first (files \
             are mapped, not held in memory), or raise the limit with THL_READ_LIMIT_MB=MiB\n",
            path.display()
        )
    );
    let bad = common::finish(
        common::thl_command()
            .env("THL_READ_LIMIT_MB", "lots")
            .args(["-dir", dir, "index"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        bad.fails(),
        "THL_READ_LIMIT_MB must be a whole number of MiB, found 'lots'\n"
    );
}

/// Writes a gzipped copy of `dir/name` beside it (`gzip -k`).
fn gzip_keep(dir: &std::path::Path, name: &str) {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&std::fs::read(dir.join(name)).unwrap())
        .unwrap();
    std::fs::write(dir.join(format!("{name}.gz")), gz.finish().unwrap()).unwrap();
}

#[test]
fn plain_file_beside_its_gz_copy_wins_with_one_warning() {
    replog_tests::require_corpus!();
    let tmp = copy_fixture("synthetic-4.1.0");
    gzip_keep(tmp.path(), "thl.data.0000000002");
    let dir = tmp.path().to_str().unwrap();
    let warning = "WARN Compressed copy ignored, the uncompressed file of the same index is \
                   read: file=thl.data.0000000002.gz\n";
    // Spec 14's index, unchanged by the copy.
    let run = thl(&["-dir", dir, "index"]);
    assert_eq!(run.stderr, warning);
    assert_eq!(
        run.ok(),
        "\
LogIndexEntry thl.data.0000000001(0:2)
LogIndexEntry thl.data.0000000002(3:11)
LogIndexEntry thl.data.0000000003(12:18)
LogIndexEntry thl.data.0000000004(19:22)

"
    );
    // The whole log lists: 23 event records, 21 distinct seqnos 0..=22 (fixture README
    // 2: 3 is the placeholder for 3..5, 6 has three fragments).
    let run = thl(&["-dir", dir, "list", "-headers"]);
    assert_eq!(run.stderr, warning);
    let mut seqnos: Vec<i64> = run
        .ok()
        .lines()
        .map(|l| l.split('\t').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(seqnos.len(), 23);
    seqnos.dedup();
    let expected: Vec<i64> = (0..=22).filter(|s| ![4, 5].contains(s)).collect();
    assert_eq!(seqnos, expected);

    // Purge takes the copy with its file, else the copy would stand in for it next time.
    let run = thl(&["-dir", dir, "purge", "-high", "11", "-y"]);
    assert!(
        run.stdout
            .contains("  thl.data.0000000002.gz (compressed copy of thl.data.0000000002)\n"),
        "{}",
        run.stdout
    );
    run.ok();
    let mut left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("thl.data."))
        .collect();
    left.sort();
    assert_eq!(left, ["thl.data.0000000003", "thl.data.0000000004"]);
}

#[test]
fn file_option_finds_the_gz_form() {
    replog_tests::require_corpus!();
    let tmp = copy_fixture("synthetic-4.1.0");
    gzip_keep(tmp.path(), "thl.data.0000000001");
    std::fs::remove_file(tmp.path().join("thl.data.0000000001")).unwrap();
    let dir = tmp.path().to_str().unwrap();
    // File 1 holds seqnos 0..2 (fixture README 2).
    for name in ["thl.data.0000000001", "thl.data.0000000001.gz"] {
        let out = thl(&["-dir", dir, "list", "-headers", "-file", name]).ok();
        let seqnos: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
        assert_eq!(seqnos, ["0", "1", "2"], "{name}");
    }
    let err = thl(&["-dir", dir, "list", "-file", "thl.data.0000000009"]).fails();
    assert_eq!(err, "ERROR File not found: thl.data.0000000009\n");
}

/// A copy of the synthetic rotated log without one of its files.
fn log_without(missing: &str) -> tempfile::TempDir {
    let tmp = copy_fixture("synthetic-4.1.0");
    std::fs::remove_file(tmp.path().join(missing)).unwrap();
    tmp
}

#[test]
fn a_missing_file_fails_index_and_info_like_list() {
    replog_tests::require_corpus!();
    // Fixture README 2: files 1..4 of 2690, 2816, 2530, 1442 bytes; each file but the
    // last ends with a 22-byte rotate record (spec 4) naming the next one. Without file
    // 2, the rotate record of file 1 (at 2690 - 22) points to a missing file; the index
    // alone would make file 1 cover 0..11 and info count seqnos that are gone.
    let tmp = log_without("thl.data.0000000002");
    let dir = tmp.path().to_str().unwrap();
    let expected = format!(
        "Fatal error: {dir}/thl.data.0000000001: at byte 2668: rotate record points to \
         missing log file thl.data.0000000002\n"
    );
    for command in ["index", "info"] {
        let run = thl(&["-dir", dir, command]);
        assert_eq!(run.stdout, "", "{command}");
        assert_eq!(run.fails(), expected, "{command}");
    }
    // `list` stops at the same place, after the transactions before it (seqnos 0..2).
    let run = thl(&["-dir", dir, "list", "-headers"]);
    let seqnos: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| &l[..l.find('\t').unwrap()])
        .collect();
    assert_eq!(seqnos, ["0", "1", "2"]);
    assert_eq!(run.fails(), expected);
    // Permissive: reported, and the summary still printed, with status 1.
    let run = thl(&["-dir", dir, "index", "-permissive"]);
    assert!(run.stdout.starts_with("LogIndexEntry thl.data.0000000001("));
    assert_eq!(
        run.fails(),
        format!(
            "WARN {}ERROR 1 problem reported (-permissive)\n",
            expected.strip_prefix("Fatal error: ").unwrap()
        )
    );
}

#[test]
fn a_missing_file_without_a_rotate_record_is_named_too() {
    replog_tests::require_corpus!();
    // The newest file (4) gone: nothing is missing in between, the log just ends at 18.
    let tmp = log_without("thl.data.0000000004");
    let dir = tmp.path().to_str().unwrap();
    assert!(thl(&["-dir", dir, "index"])
        .ok()
        .ends_with("thl.data.0000000003(12:18)\n\n"));
    // The oldest file gone: what is left starts at 3 and is whole.
    let tmp = log_without("thl.data.0000000001");
    let dir = tmp.path().to_str().unwrap();
    assert!(thl(&["-dir", dir, "info"])
        .ok()
        .contains("\nmin seq# = 3\nmax seq# = 22\nevents = 19\n"));
}

/// The 2.2.1 log with the record type byte of its third record (seqno 2, at offset
/// 1430, fixture README 1.2; the type byte follows the 4-byte length, spec 3) set to
/// `record_type`, and its CRC-32 (spec 3: over the data, stored in the last 8 bytes of
/// the record) fixed so that only the type is wrong.
fn log_with_record_type(record_type: u8) -> tempfile::TempDir {
    let tmp = copy_fixture("tungsten-2.2.1");
    let file = tmp.path().join("thl.data.0000000001");
    let mut bytes = std::fs::read(&file).unwrap();
    let (at, length) = (1430, 1536);
    assert_eq!(bytes[at..at + 4], (length as u32).to_be_bytes());
    bytes[at + 4] = record_type;
    restamp_record_crc(&mut bytes, at, length);
    std::fs::write(&file, &bytes).unwrap();
    tmp
}

#[test]
fn crc32_check_value() {
    // The standard check value of CRC-32/ISO-HDLC.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn unknown_record_type_aborts_every_reader() {
    replog_tests::require_corpus!();
    // Spec 4: any type byte but 1 and 2 makes readers abort.
    let tmp = log_with_record_type(7);
    let dir = tmp.path().to_str().unwrap();
    let expected = format!(
        "Fatal error: {dir}/thl.data.0000000001: at byte 1430: unable to extract a valid \
         record type; expected 1 or 2, found 7\n"
    );
    for args in [&["list"][..], &["list", "-headers"], &["index"], &["info"]] {
        let mut all = vec!["-dir", dir];
        all.extend_from_slice(args);
        let run = thl(&all);
        assert_eq!(run.fails(), expected, "{args:?}");
    }
}

#[test]
fn permissive_skips_an_unknown_record_type() {
    replog_tests::require_corpus!();
    let tmp = log_with_record_type(7);
    let dir = tmp.path().to_str().unwrap();
    let run = thl(&["-dir", dir, "list", "-headers", "-permissive"]);
    let listed: Vec<String> = run
        .stdout
        .lines()
        .map(|l| l.split('\t').take(3).collect::<Vec<_>>().join("/"))
        .collect();
    // Fixture README 1.2: seqnos 0..7, seqno 7 in fragments 0..2; seqno 2 is skipped.
    assert_eq!(
        listed,
        ["0/0/0", "1/0/0", "3/0/0", "4/0/0", "5/0/0", "6/0/0", "7/0/0", "7/0/1", "7/0/2"]
    );
    assert_eq!(
        run.fails(),
        format!(
            "WARN {dir}/thl.data.0000000001: at byte 1430: unable to extract a valid record \
             type; expected 1 or 2, found 7\n\
             WARN Sequence number gap: expected seqno 2, found 3: file={dir}/thl.data.0000000001 \
             offset=2966\n\
             ERROR 1 problem reported (-permissive)\n"
        )
    );
    let info = thl(&["-dir", dir, "info", "-permissive"]);
    assert!(info
        .stdout
        .contains("\nmin seq# = 0\nmax seq# = 7\nevents = 7\n"));
    assert!(info
        .fails()
        .ends_with("ERROR 1 problem reported (-permissive)\n"));
}

/// A copy of the synthetic rotated log with file `name` changed by `damage`.
fn rotated_log_with(name: &str, damage: impl FnOnce(&mut Vec<u8>)) -> tempfile::TempDir {
    let tmp = copy_fixture("synthetic-4.1.0");
    let path = tmp.path().join(name);
    let mut bytes = std::fs::read(&path).unwrap();
    damage(&mut bytes);
    std::fs::write(&path, bytes).unwrap();
    tmp
}

#[test]
fn a_middle_file_cut_short_fails_strict_and_permissive_says_what_was_lost() {
    replog_tests::require_corpus!();
    // Issue 12: `truncate -s 100 thl.data.0000000002` (fixture README 2: seqnos 3..11,
    // its first record at 16 is 179 bytes long). A file another follows ends in a
    // rotate record (spec 1.4), so this is damage, not a log being written.
    let tmp = rotated_log_with("thl.data.0000000002", |b| b.truncate(100));
    let dir = tmp.path().to_str().unwrap();
    let file = format!("{dir}/thl.data.0000000002");
    let cut =
        format!("{file}: at byte 16: truncated record: expected 179 bytes, file ends after 84");
    let lost = format!(
        "{file}: at byte 16: seqnos 3 to 11 are lost: expected them before \
         thl.data.0000000003, which starts at seqno 12, found the end of the file"
    );
    for command in ["index", "info", "list"] {
        let run = thl(&["-dir", dir, command]);
        assert_eq!(run.stdout, "", "{command}");
        assert_eq!(run.fails(), format!("Fatal error: {cut}\n"), "{command}");
    }
    let reported = format!("WARN {cut}\nWARN {lost}\n");
    let run = thl(&["-dir", dir, "index", "-permissive"]);
    assert_eq!(
        run.stdout,
        "LogIndexEntry thl.data.0000000001(0:2)\n\
         LogIndexEntry thl.data.0000000002(3:2)\n\
         LogIndexEntry thl.data.0000000003(12:18)\n\
         LogIndexEntry thl.data.0000000004(19:22)\n\n"
    );
    assert_eq!(
        run.fails(),
        format!("{reported}ERROR 2 problems reported (-permissive)\n")
    );
    let run = thl(&["-dir", dir, "info", "-permissive"]);
    assert!(run.stdout.contains("\nmin seq# = 0\nmax seq# = 22\n"));
    assert_eq!(
        run.fails(),
        format!("{reported}ERROR 2 problems reported (-permissive)\n")
    );
    // A lost seqno is not in the log (before: "Unable to find sequence number: 12").
    let run = thl(&["-dir", dir, "list", "-seqno", "5", "-permissive"]);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.fails(),
        format!("{reported}ERROR Unable to find sequence number: 5\n")
    );
    let run = thl(&["-dir", dir, "list", "-headers", "-permissive"]);
    let seqnos: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| &l[..l.find('\t').unwrap()])
        .collect();
    assert_eq!(seqnos.len(), 3 + 11);
    assert_eq!(seqnos[2..4], ["2", "12"]);
    assert_eq!(
        run.fails(),
        format!(
            "{reported}WARN Sequence number gap: expected seqno 3, found 12: \
             file={dir}/thl.data.0000000003 offset=16\n\
             ERROR 2 problems reported (-permissive)\n"
        )
    );
}

#[test]
fn a_middle_file_cut_at_a_record_boundary_lacks_its_rotate_record() {
    replog_tests::require_corpus!();
    // File 3 (2530 bytes, seqnos 12..18) without its 22-byte rotate record: every
    // record is whole, nothing is lost, yet the file was cut.
    let tmp = rotated_log_with("thl.data.0000000003", |b| b.truncate(2530 - 22));
    let dir = tmp.path().to_str().unwrap();
    let cut = format!(
        "{dir}/thl.data.0000000003: at byte 2508: file cut short: expected a rotate record \
         to thl.data.0000000004 (the next file) at the end, found the end of the file"
    );
    assert_eq!(
        thl(&["-dir", dir, "index"]).fails(),
        format!("Fatal error: {cut}\n")
    );
    let run = thl(&["-dir", dir, "list", "-headers", "-permissive"]);
    assert_eq!(run.stdout.lines().count(), 23);
    assert_eq!(
        run.fails(),
        format!("WARN {cut}\nERROR 1 problem reported (-permissive)\n")
    );
}

#[test]
fn header_base_seqno_is_checked_and_the_minor_version_warned_about() {
    replog_tests::require_corpus!();
    // Spec 2: file 3's base seqno (bytes 8..16) is 12, the seqno of its first record.
    let tmp = rotated_log_with("thl.data.0000000003", |b| b[15] ^= 1);
    let dir = tmp.path().to_str().unwrap();
    let wrong = format!(
        "{dir}/thl.data.0000000003: at byte 8: header base seqno: expected 12, the seqno of \
         the first record (at byte 16), found 13"
    );
    for command in ["index", "info", "list"] {
        let run = thl(&["-dir", dir, command]);
        assert_eq!(run.fails(), format!("Fatal error: {wrong}\n"), "{command}");
    }
    let run = thl(&["-dir", dir, "index", "-permissive"]);
    assert!(run.stdout.contains("thl.data.0000000003(12:18)\n"));
    assert_eq!(
        run.fails(),
        format!("WARN {wrong}\nERROR 1 problem reported (-permissive)\n")
    );
    // -1 belongs to the first file of a log only.
    let tmp = rotated_log_with("thl.data.0000000002", |b| b[8..16].fill(0xff));
    let dir = tmp.path().to_str().unwrap();
    assert_eq!(
        thl(&["-dir", dir, "index"]).fails(),
        format!(
            "Fatal error: {dir}/thl.data.0000000002: at byte 8: header base seqno: expected 3, \
             the seqno of the first record (at byte 16), found -1\n"
        )
    );
    // A minor version other than 1 (bytes 6..8) is a warning, as in Tungsten.
    let tmp = rotated_log_with("thl.data.0000000001", |b| b[7] = 3);
    let dir = tmp.path().to_str().unwrap();
    let run = thl(&["-dir", dir, "list", "-headers"]);
    assert_eq!(
        run.stderr,
        format!(
            "WARN Minor version mismatch : file {dir}/thl.data.0000000001 using format 1.3 - \
             Tungsten running version 1.1\n"
        )
    );
    assert_eq!(run.ok().lines().count(), 23);
}
