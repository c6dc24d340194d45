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
