//! `thl list -threads 4` prints what `-threads 1` (the serial path) prints, byte for
//! byte, stdout, stderr and exit status alike: every THL log of the shared corpus, one
//! `thl extract` wrote from the project's MariaDB type log, and a copy with a damaged
//! record, in every format and with the selections. `THL_PIECE_BYTES` makes the batches
//! of transactions a few hundred bytes, so the threads finish them out of order.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{thl, thl_command, thl_dir};
use replog::thl::event::{Change, StatementData};
use replog::thl::writer::{frame_record, LogWriter, WriteOptions};
use replog::thl::{LogDir, ReadOptions, ThlFile};

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
    let extracted = extract_types_log(work.path());
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

/// On threads, a part of a file begins where a guess finds a transaction start past its
/// share of the file, and the part before hands over there. A guess can land on a
/// record that a record's data holds: the part before then reads on through it, and
/// the later part's listing (which fails on the bytes after that inner record) is
/// dropped. A log whose every event carries a whole record (the log's first) in a
/// statement's bytes, cut into parts of a few hundred bytes, in every form.
#[test]
fn parts_whose_guessed_start_lies_inside_a_record_are_read_through() {
    let work = tempfile::tempdir().unwrap();
    let extracted = extract_types_log(work.path());
    let nested = work.path().join("nested");
    let options = WriteOptions {
        max_file_size: 8_000,
        ..WriteOptions::default()
    };
    let mut writer = LogWriter::create(&nested, options).unwrap();
    let log = LogDir::open(&extracted).unwrap();
    let mut inner = None;
    for name in log.file_names() {
        let file = log.open_file(name).unwrap();
        for record in file.records(ReadOptions::default()) {
            let record = record.unwrap();
            let Some(event) = record.event() else {
                continue;
            };
            let inner: &[u8] = inner.get_or_insert_with(|| frame_record(record.data, true));
            let mut decoded = event.decode().unwrap();
            decoded.body.changes.push(Change::Statement(StatementData {
                default_schema: None,
                timestamp: None,
                query: None,
                options: Vec::new(),
                error_code: 0,
                query_as_bytes: Some(inner),
            }));
            let (seqno, fragno) = (event.header.seqno, event.header.fragno);
            writer
                .append_data(seqno, fragno, &decoded.encode())
                .unwrap();
        }
    }
    writer.finish().unwrap();
    // (The guesses at the shares of parts of 400 bytes, as the listings below cut the
    // files, land on an inner record in places.)
    let nested_log = LogDir::open(&nested).unwrap();
    let mut inside = 0;
    for name in nested_log.file_names() {
        let file: ThlFile = nested_log.open_file(name).unwrap();
        let starts: Vec<u64> = file
            .records(ReadOptions::default())
            .map(|r| r.unwrap())
            .filter(|r| r.event().is_some_and(|e| e.header.fragno == 0))
            .map(|r| r.offset)
            .collect();
        let len = file.bytes().len() as u64;
        let parts = len.div_ceil(400);
        inside += (1..parts)
            .filter_map(|part| file.guess_transaction_start(len * part / parts))
            .filter(|guess| !starts.contains(guess))
            .count();
    }
    assert!(inside > 0, "no guess lands inside a record");
    assert!(nested_log.file_names().len() > 2);

    for args in [
        &[][..],
        &["-sql"],
        &["-headers"],
        &["-headers", "-json"],
        &["-low", "3", "-high", "20", "-charset", "utf8"],
        &["-first", "7"],
        &["-first", "30", "-headers", "-json"],
    ] {
        let serial = run("1", &nested, args);
        assert!(serial.status.success() && !serial.stdout.is_empty());
        for threads in ["2", "4"] {
            let parallel = run(threads, &nested, args);
            let what = format!("-threads {threads} {args:?}");
            common::assert_same_as_serial(&parallel, &serial, &what);
        }
    }
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

/// A damaged record must end a full listing on threads exactly where it ends the serial
/// listing: the walk fails on a bad CRC, a bad type byte or header length or a seqno
/// gap where the serial walk does, and a record that only fails to decode (its CRC
/// matches) fails on the thread that renders it, after which no later batch's text may
/// be written. One record of the synthetic log's second file (or the first record of
/// its third) damaged at a time: the first and a middle fragment of a transaction, the
/// record that follows a transaction, a seqno raised, a type byte and a header length
/// made invalid, the rotate record, an event that does not decode; each listed whole,
/// with a range ending or starting anywhere around it, with `-first N`, and with
/// filters that skip the damaged record's transaction.
#[test]
fn full_listings_on_threads_fail_on_damage_where_the_serial_listing_does() {
    replog_tests::require_corpus!();
    let work = tempfile::tempdir().unwrap();
    let data_byte = |record: &mut [u8]| {
        let last = record.len() - 10;
        record[last] ^= 0x5a;
    };
    let seqno_raised = |record: &mut [u8]| record[12] = record[12].wrapping_add(0x10);
    let unknown_type = |record: &mut [u8]| record[4] = 7;
    let bad_length = |record: &mut [u8]| record[24..26].copy_from_slice(&[0xff, 0xff]);
    // The end of the serialized event made varints that never end, under a CRC that
    // matches: the walk reads the record, and decoding it (on a thread) fails.
    let undecodable = |record: &mut [u8]| {
        let data_end = record.len() - 9;
        record[data_end - 12..data_end].fill(0xff);
        let crc = crc32fast::hash(&record[4..data_end]);
        record[data_end + 1..].copy_from_slice(&u64::from(crc).to_be_bytes());
    };
    // (file, record index, damage): the second file holds seqnos 3, 6 (three
    // fragments), 7 to 11 and its rotate record.
    let cases: [(&str, usize, &Damage); 11] = [
        ("thl.data.0000000002", 1, &data_byte),
        ("thl.data.0000000002", 2, &data_byte),
        ("thl.data.0000000002", 4, &data_byte),
        ("thl.data.0000000002", 5, &seqno_raised),
        ("thl.data.0000000002", 6, &unknown_type),
        ("thl.data.0000000002", 7, &bad_length),
        ("thl.data.0000000002", 9, &data_byte),
        ("thl.data.0000000002", 2, &undecodable),
        ("thl.data.0000000002", 4, &undecodable),
        ("thl.data.0000000003", 0, &data_byte),
        ("thl.data.0000000003", 0, &seqno_raised),
    ];
    let mut forms: Vec<Vec<String>> = vec![
        vec![],
        vec!["-sql".into()],
        vec!["-shard".into(), "none".into()],
        vec!["-schema".into(), "test.*".into()],
    ];
    for seqno in 2..14 {
        forms.push(vec!["-high".into(), seqno.to_string()]);
        forms.push(vec!["-low".into(), seqno.to_string(), "-sql".into()]);
    }
    for first in 1..10 {
        forms.push(vec!["-first".into(), first.to_string()]);
    }
    let mut failed = 0;
    for (i, (name, index, damage)) in cases.iter().enumerate() {
        let dir = copy_log(work.path(), &format!("damaged-{i}"));
        let file = dir.join(name);
        let mut bytes = std::fs::read(&file).unwrap();
        let (at, length) = record_spans(&file)[*index];
        damage(&mut bytes[at..at + length]);
        std::fs::write(&file, bytes).unwrap();
        for args in &forms {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let serial = run("1", &dir, &args);
            failed += usize::from(!serial.status.success());
            for threads in ["2", "4"] {
                let parallel = run(threads, &dir, &args);
                let what = format!("-threads {threads} {args:?} {name} record {index}");
                common::assert_same_as_serial(&parallel, &serial, &what);
            }
        }
    }
    // (Most runs read the damaged record, and fail on it.)
    assert!(
        failed > cases.len() * forms.len() / 2,
        "only {failed} runs failed"
    );
}

/// A change made to one record's bytes (its length field included).
type Damage = dyn Fn(&mut [u8]);

/// Where the records of a THL file are: offset and length of each.
fn record_spans(file: &Path) -> Vec<(usize, usize)> {
    let bytes = std::fs::read(file).unwrap();
    let mut at = 16;
    let mut found = Vec::new();
    while at + 4 <= bytes.len() {
        let length = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        found.push((at, length));
        at += length;
    }
    found
}

/// The records of a THL file, each whole (a 4-byte length that counts the record).
fn records(file: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(file).unwrap();
    record_spans(file)
        .into_iter()
        .map(|(at, length)| bytes[at..at + length].to_vec())
        .collect()
}

/// A log with every MariaDB column type, as `thl extract` writes it from the project's
/// type log, in `work`/extracted.
fn extract_types_log(work: &Path) -> PathBuf {
    let extracted = work.join("extracted");
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
    extracted
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
