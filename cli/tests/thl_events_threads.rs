//! `thl events -threads 4` prints what `-threads 1` (the serial path) prints, byte for
//! byte, stdout, stderr and exit status alike, on every binary log of the shared corpus
//! and of `fixtures/`, in every format, strict and permissive, with and without a
//! position range. The logs are small, so `THL_PIECE_BYTES` cuts them into pieces of a
//! few events for the threads to render out of order.

mod common;

use std::path::Path;
use std::process::Output;

use common::thl_command;

fn run(threads: &str, args: &[&str], log: &[String]) -> Output {
    thl_command()
        .env("THL_PIECE_BYTES", "300")
        .args(["events", "-threads", threads])
        .args(args)
        .arg("-file")
        .args(log)
        .output()
        .expect("thl runs")
}

/// Each log alone, and the multi-file sequences.
fn logs() -> Vec<Vec<String>> {
    let mut logs = Vec::new();
    let dirs = [
        replog_tests::shared_fixture("binlog"),
        replog_tests::shared_fixture("binlog/tungsten"),
        replog_tests::project_fixture("mariadb"),
        replog_tests::project_fixture("tungsten"),
        replog_tests::project_fixture("txn/small"),
    ];
    for dir in dirs {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && is_log(p))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        names.sort();
        logs.extend(names.iter().map(|n| vec![n.clone()]));
        if dir.ends_with("txn/small") {
            logs.push(names);
        }
    }
    logs
}

fn is_log(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    !matches!(ext, "md" | "sh" | "py" | "json" | "index" | "sql")
}

#[test]
fn threads_print_what_the_serial_path_prints() {
    replog_tests::require_corpus!();
    let forms: [&[&str]; 10] = [
        &[],
        &["-json"],
        &["-json", "-named"],
        &["-v"],
        &["-vv", "-permissive"],
        &["-permissive"],
        &["-json", "-permissive"],
        &["-no-checksum", "-json"],
        &["-start-position", "400", "-stop-position", "5000"],
        &["-json", "-permissive", "-start-position", "120"],
    ];
    let mut compared = 0;
    let mut printed = 0;
    for log in logs() {
        for args in forms {
            let serial = run("1", args, &log);
            let parallel = run("4", args, &log);
            let what = format!("{args:?} {log:?}");
            common::assert_same_as_serial(&parallel, &serial, &what);
            compared += 1;
            printed += usize::from(serial.stdout.len() > 1000);
        }
    }
    assert!(compared > 300, "{compared} comparisons");
    assert!(printed > compared / 2, "only {printed} runs printed much");
}
