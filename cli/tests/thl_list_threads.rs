//! `thl list -threads 4` prints what `-threads 1` (the serial path) prints, byte for
//! byte, stdout, stderr and exit status alike: every THL log of the shared corpus, one
//! `thl extract` wrote from the project's MariaDB type log, and a copy with a damaged
//! record, in every format and with the selections. `THL_PIECE_BYTES` makes the batches
//! of transactions a few hundred bytes, so the threads finish them out of order.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{thl, thl_command, thl_dir};

fn run(threads: &str, dir: &Path, args: &[&str]) -> Output {
    thl_command()
        .env("THL_PIECE_BYTES", "400")
        .arg("-dir")
        .arg(dir)
        .args(["list", "-threads", threads])
        .args(args)
        .output()
        .expect("thl runs")
}

#[test]
fn threads_print_what_the_serial_path_prints() {
    replog_tests::require_corpus!();
    let work = tempfile::tempdir().unwrap();
    // A log with every MariaDB column type, as extraction writes it.
    let extracted = work.path().join("extracted");
    let types = replog_tests::project_fixture("mariadb/types-bin.000001");
    thl(&[
        "extract",
        "-service",
        "alpha",
        "-dir",
        extracted.to_str().unwrap(),
        "-file",
        types.to_str().unwrap(),
    ])
    .ok();
    // The synthetic log with one byte of a record in the middle of its third file
    // changed: strict listings stop there, after 183 lines, with the CRC error.
    let damaged = copy_log(work.path(), "damaged");
    let third = damaged.join("thl.data.0000000003");
    let mut bytes = std::fs::read(&third).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(&third, bytes).unwrap();
    // What only the files before tell, when threads walk whole files: the second file
    // gone (the first one's rotate record names a missing file, and the seqnos skip);
    // the second cut short inside a record (damage: a file follows it); the newest
    // cut short (a notice: a log being written).
    let without_second = copy_log(work.path(), "without-second");
    std::fs::remove_file(without_second.join("thl.data.0000000002")).unwrap();
    let second_cut = copy_log(work.path(), "second-cut");
    cut_in_two(&second_cut.join("thl.data.0000000002"));
    let newest_cut = copy_log(work.path(), "newest-cut");
    cut_in_two(&newest_cut.join("thl.data.0000000004"));

    let logs = [
        thl_dir("synthetic-4.1.0"),
        thl_dir("synthetic-4.1.0-nocrc"),
        thl_dir("tungsten-2.2.1"),
        thl_dir("tungsten-3.1.0"),
        extracted,
        damaged,
        without_second,
        second_cut,
        newest_cut,
    ];
    let forms: [&[&str]; 14] = [
        &[],
        &["-sql"],
        &["-charset", "utf8"],
        &["-specs", "-hex", "-charset", "latin1"],
        &["-timezone", "Europe/Paris"],
        &["-first", "3"],
        &["-last", "4"],
        &["-low", "2", "-high", "9"],
        &["-schema", "test.*"],
        &["-shard", "#UNKNOWN|.*a.*"],
        &["-headers"],
        &["-headers", "-json"],
        &["-headers", "-json", "-low", "3", "-high", "5"],
        &["-permissive"],
    ];
    let mut compared = 0;
    let mut printed = 0;
    for dir in &logs {
        for args in forms {
            let serial = run("1", dir, args);
            let parallel = run("4", dir, args);
            let what = format!("{args:?} {}", dir.display());
            common::assert_same_as_serial(&parallel, &serial, &what);
            compared += 1;
            printed += usize::from(serial.stdout.len() > 2000);
        }
    }
    assert!(printed > compared / 2, "only {printed} runs printed much");
    // Fewer threads than files: a thread takes a later file once an earlier one is
    // written (the header forms walk whole files on the threads).
    for dir in &logs {
        for args in [&["-headers"][..], &["-headers", "-json"], &["-last", "4"]] {
            let serial = run("1", dir, args);
            let parallel = run("2", dir, args);
            let what = format!("-threads 2 {args:?} {}", dir.display());
            common::assert_same_as_serial(&parallel, &serial, &what);
            compared += 1;
        }
    }
    assert_eq!(compared, logs.len() * (forms.len() + 3));
}

/// The header forms of a whole log start listing the older files while the index reads
/// the newest one to its end: what that read finds must change nothing. Damage in the
/// newest file fails the run before any output; a newest file whose last complete seqno
/// lies below seqnos the older files hold ends the listing there (the listing begun is
/// dropped and done again); an older file holding a seqno past the newest file's start
/// has its thread wait for the log's last seqno.
#[test]
fn header_listings_begun_before_the_index_is_read_print_what_the_serial_path_prints() {
    replog_tests::require_corpus!();
    let work = tempfile::tempdir().unwrap();
    let newest_damaged = copy_log(work.path(), "newest-damaged");
    let newest = newest_damaged.join("thl.data.0000000004");
    let mut bytes = std::fs::read(&newest).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(&newest, bytes).unwrap();
    // The first file's first record (seqno 0) appended to the newest file: the log's
    // last complete seqno is 0.
    let newest_ends_low = copy_log(work.path(), "newest-ends-low");
    let first = records(&newest_ends_low.join("thl.data.0000000001"));
    let mut bytes = std::fs::read(newest_ends_low.join("thl.data.0000000004")).unwrap();
    bytes.extend_from_slice(&first[0]);
    std::fs::write(newest_ends_low.join("thl.data.0000000004"), bytes).unwrap();
    // The newest file's first record copied before the second file's rotate record.
    let older_ahead = copy_log(work.path(), "older-ahead");
    let newest_first = records(&older_ahead.join("thl.data.0000000004"))[0].clone();
    let second = older_ahead.join("thl.data.0000000002");
    let mut bytes = std::fs::read(&second).unwrap();
    let rotate = bytes.split_off(bytes.len() - records(&second).last().unwrap().len());
    bytes.extend_from_slice(&newest_first);
    bytes.extend_from_slice(&rotate);
    std::fs::write(&second, bytes).unwrap();

    for dir in [&newest_damaged, &newest_ends_low, &older_ahead] {
        for args in [
            &["-headers"][..],
            &["-headers", "-json"],
            &["-headers", "-shard", "x"],
        ] {
            let serial = run("1", dir, args);
            for threads in ["2", "4"] {
                let parallel = run(threads, dir, args);
                let what = format!("-threads {threads} {args:?} {}", dir.display());
                common::assert_same_as_serial(&parallel, &serial, &what);
            }
        }
    }
    // (What the copies do to the serial listing, so that each case is what it says.)
    let damaged = run("1", &newest_damaged, &["-headers"]);
    assert!(damaged.stdout.is_empty() && !damaged.status.success());
    let low = run("1", &newest_ends_low, &["-headers"]);
    assert_eq!(String::from_utf8_lossy(&low.stdout).lines().count(), 1);
    let ahead = run("1", &older_ahead, &["-headers"]);
    let plain = run("1", &thl_dir("synthetic-4.1.0"), &["-headers"]);
    assert!(ahead.status.success() && ahead.stdout.len() > plain.stdout.len());
}

/// With threads, the header forms cut the newest file into parts at the transaction
/// starts the index noted while it read the file, each part walked on its own: what
/// the serial walk does inside that file must come out the same. A rotate record in its
/// middle ends it for readers (the records after it are not listed); records taken out
/// of its middle make a seqno gap, told where the walk meets it.
#[test]
fn header_listings_of_the_newest_file_in_parts_print_what_the_serial_path_prints() {
    replog_tests::require_corpus!();
    let work = tempfile::tempdir().unwrap();
    let rewrite_newest = |name: &str, change: &dyn Fn(&mut Vec<Vec<u8>>)| {
        let log = copy_log(work.path(), name);
        let newest = log.join("thl.data.0000000004");
        let mut records = records(&newest);
        change(&mut records);
        let mut bytes = std::fs::read(&newest).unwrap()[..16].to_vec();
        bytes.extend(records.concat());
        std::fs::write(&newest, bytes).unwrap();
        log
    };
    let rotate = records(&thl_dir("synthetic-4.1.0").join("thl.data.0000000001"))
        .last()
        .unwrap()
        .clone();
    let rotated_midway = rewrite_newest("rotated-midway", &|records| {
        records.insert(records.len() / 2, rotate.clone());
    });
    let gap_midway = rewrite_newest("gap-midway", &|records| {
        let middle = records.len() / 2;
        records.remove(middle);
    });
    for dir in [&rotated_midway, &gap_midway] {
        for args in [
            &["-headers"][..],
            &["-headers", "-json"],
            &["-headers", "-low", "1"],
        ] {
            let serial = run("1", dir, args);
            for threads in ["2", "3", "8"] {
                let parallel = run(threads, dir, args);
                let what = format!("-threads {threads} {args:?} {}", dir.display());
                common::assert_same_as_serial(&parallel, &serial, &what);
            }
        }
    }
    // (What the copies do to the serial listing, so that each case is what it says.)
    let plain = run("1", &thl_dir("synthetic-4.1.0"), &["-headers"]);
    let lines = |out: &Output| String::from_utf8_lossy(&out.stdout).lines().count();
    let rotated = run("1", &rotated_midway, &["-headers"]);
    assert!(rotated.status.success() && lines(&rotated) < lines(&plain));
    let gap = run("1", &gap_midway, &["-headers"]);
    assert!(String::from_utf8_lossy(&gap.stderr).contains("Sequence number gap"));
}

/// The records of a THL file, each whole (a 4-byte length that counts the record).
fn records(file: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(file).unwrap();
    let mut at = 16;
    let mut found = Vec::new();
    while at + 4 <= bytes.len() {
        let length = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        found.push(bytes[at..at + length].to_vec());
        at += length;
    }
    found
}

/// A writable copy of the synthetic log in `work`/`name`.
fn copy_log(work: &Path, name: &str) -> PathBuf {
    let copy = work.join(name);
    std::fs::create_dir(&copy).unwrap();
    for entry in std::fs::read_dir(thl_dir("synthetic-4.1.0")).unwrap() {
        let path = entry.unwrap().path();
        let file = copy.join(path.file_name().unwrap());
        std::fs::copy(&path, &file).unwrap();
        common::make_writable(&file);
    }
    copy
}

/// Cuts `file` to half its length.
fn cut_in_two(file: &Path) {
    let bytes = std::fs::read(file).unwrap();
    std::fs::write(file, &bytes[..bytes.len() / 2]).unwrap();
}
