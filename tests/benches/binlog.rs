//! Throughput of replog against mysql_common and mariadb-binlog on large binary logs,
//! side by side in one run (issue 2's and issue 10's benchmark). Not a timed test: it
//! prints numbers.
//!
//!     fixtures/bench/make-big-binlog.sh                  # bench-data/big-bin.000001
//!     fixtures/bench/make-oltp-binlog.sh                 # bench-data/oltp-bin.000001
//!     cargo build --release -p replog-cli --bin thl
//!     cargo bench -p replog-tests --bench binlog [-- FILE...]
//!
//! Without FILE it reads both generated logs, each when present (it says which one is
//! missing and the script that makes it): `big-bin.000001`, few large rows events of a
//! bulk load, and `oltp-bin.000001`, many small transactions of an OLTP application
//! (ANNOTATE_ROWS, FULL metadata, wide rows), where per-event costs dominate.
//!
//! Measures, per log (best of `BENCH_REPS` runs, default 3, after one read that warms
//! the page cache). Each decoder reads the file the way its API is made for, and
//! opening it is part of the time: replog maps it afresh ([`LogBytes::open`]) in every
//! run, mysql_common reads it through a `BufReader<File>` (its `BinlogFile` takes a
//! `BufRead`); mysql_common over the bytes already in memory is shown too.
//! (a) event scan: replog framing with and without CRC32 verification, mysql_common
//!     parse and parse + CRC32;
//! (b) row decoding: replog decoding every value of every rows event, mysql_common
//!     decoding every row;
//! (c) `thl events -json > /dev/null` (and the text listing), serially (`-threads 1`)
//!     and on two threads, against
//!     `mariadb-binlog --base64-output=decode-rows -v > /dev/null`, and two
//!     `thl events -json -threads 1` at once (the machine's ceiling for two threads;
//!     `-json` on one thread, on two and the two copies go in rounds, one after the
//!     other in each, and the two-thread ratios are the medians of the rounds'),
//! and the resident memory of each command (sampled every 5 ms from /proc): the
//! anonymous part (heap, stacks) separately from the file-backed part, which is the
//! mapping of the log itself. Each log ends with the targets met or missed, and the run
//! with all logs' verdicts together.

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use mysql_common::binlog::consts::{BinlogChecksumAlg, BinlogVersion};
use mysql_common::binlog::events::EventData;
use mysql_common::binlog::BinlogFile;
use replog::binlog::rows::{TableMaps, Value};
use replog::binlog::{Event, Frames, ReadOptions, Reader};
use replog::input::LogBytes;

use common::{load_average, mib, run_sampled, which, BenchLog, HostTime, Table, ThreadRows};

/// Anonymous memory `thl events -json` must stay under, whatever the input (issue 10).
const MEMORY_TARGET_MIB: f64 = 64.0;

/// The table row of two `thl events -json -threads 1` run at the same time.
const COPIES_JSON: &str = "(c) 2 x thl events -json at once";

fn main() {
    let reps = common::reps(3);
    let start = HostTime::now();
    println!("best of {reps}");
    if let Some(load) = load_average() {
        println!("load average at start: {load:.2}");
    }
    let logs = common::bench_binlogs();
    let mut verdicts = Vec::new();
    for log in &logs {
        println!();
        if !log.path.exists() {
            let how = if log.maker.is_empty() {
                String::new()
            } else {
                format!(": run {} to make it", log.maker)
            };
            let line = format!("{} is missing{how}", log.path.display());
            println!("== {}: {line} (skipped)", log.label);
            verdicts.push((log.label.clone(), vec![format!("  not measured: {line}")]));
            continue;
        }
        verdicts.push((log.label.clone(), bench_log(log, reps)));
    }
    common::print_machine_at_end(start);
    if logs.len() > 1 {
        println!();
        println!("all logs, by wall-clock time and by CPU time:");
        for (label, lines) in &verdicts {
            println!("{label}:");
            for line in lines {
                println!("{line}");
            }
        }
    }
}

/// Measures one log and prints its table and targets; returns the target lines.
fn bench_log(log: &BenchLog, reps: usize) -> Vec<String> {
    let file: PathBuf = log.path.clone();
    let mb = std::fs::metadata(&file).unwrap().len() as f64 / 1e6;
    println!("== {}: {} ({mb:.1} MB)", log.label, file.display());
    let bytes = LogBytes::open(&file).unwrap();
    let data = bytes.bytes();
    // Warm the page cache so the first measurement does not pay for the disk.
    let warm: u64 = data.iter().step_by(4096).map(|&b| u64::from(b)).sum();
    std::hint::black_box(warm);
    let disk = || BufReader::new(File::open(&file).unwrap());

    let mut table = Table::new(mb);
    let events = table.run("(a) replog scan, no CRC", reps, || {
        replog_scan(&file, false)
    });
    table.run("(a) replog scan + CRC32", reps, || replog_scan(&file, true));
    table.run("(a) replog parse every body + CRC32", reps, || {
        replog_parse(&file)
    });
    table.run("(a) mysql_common parse", reps, || mc_scan(disk(), false));
    table.run("(a) mysql_common parse + CRC32", reps, || {
        mc_scan(disk(), true)
    });
    table.run("(a) mysql_common parse + CRC32, in memory", reps, || {
        mc_scan(data, true)
    });
    if std::env::var_os("BENCH_SCAN_ONLY").is_some() {
        table.print();
        return vec![];
    }
    let values = table.run("(b) replog rows (every value)", reps, || replog_rows(&file));
    let rendered = table.run("(b) replog rows rendered as JSON", reps, || {
        replog_rows_rendered(&file)
    });
    assert_eq!(
        rendered, values,
        "both replog rows passes see the same values"
    );
    table.run("(b) mysql_common rows", reps, || mc_rows(disk()));

    let thl = common::release_thl();
    let thl_events = |json: bool, threads: &str| {
        let mut cmd = Command::new(&thl);
        cmd.args(["events", "-threads", threads]);
        if json {
            cmd.arg("-json");
        }
        cmd.arg("-file").arg(&file);
        cmd
    };
    if let Some(load) = load_average() {
        println!("load average before the commands: {load:.2}");
    }
    // Beside one thread and two, what two threads could gain at most on this machine:
    // two one-thread runs at once.
    let rows = ThreadRows {
        serial: "(c) thl events -json > /dev/null",
        parallel: "(c) thl events -json -threads 2 > /dev/null",
        copies: COPIES_JSON,
    };
    let speedup = table.run_thread_rounds(rows, reps, |threads| thl_events(true, threads));
    table.run_command("(c) thl events > /dev/null", reps, || {
        thl_events(false, "1")
    });
    table.run_command("(c) thl events -threads 2 > /dev/null", reps, || {
        thl_events(false, "2")
    });
    let mariadb_binlog = which("mariadb-binlog").or_else(|| which("mysqlbinlog"));
    match &mariadb_binlog {
        Some(tool) => {
            table.run_command("(c) mariadb-binlog -v > /dev/null", reps, || {
                let mut cmd = Command::new(tool);
                cmd.args(["--base64-output=decode-rows", "-v"]).arg(&file);
                cmd
            });
        }
        None => println!("mariadb-binlog not found: (c) has no reference"),
    }
    println!("events: {events}, row values: {values}");
    table.print();

    let ratio = |a: &str, b: &str| {
        let (sa, sb) = (table.speed(a), table.speed(b));
        (sa.0 / sb.0, sa.1 / sb.1)
    };
    let mut lines = Vec::new();
    let target = |name: &str, (wall, cpu): (f64, f64), want: f64| {
        let verdict = |x: f64| if x >= want { "met" } else { "MISSED" };
        format!(
            "  {name:<48} {wall:>6.2}x {:<6} {cpu:>6.2}x {:<6} (target >= {want}x)",
            verdict(wall),
            verdict(cpu)
        )
    };
    lines.push(target(
        "scan+CRC vs mysql_common parse+CRC (issue 2)",
        ratio("(a) replog scan + CRC32", "(a) mysql_common parse + CRC32"),
        2.5,
    ));
    lines.push(target(
        "rows vs mysql_common rows (issue 2)",
        ratio("(b) replog rows (every value)", "(b) mysql_common rows"),
        10.0,
    ));
    let (wall, cpu) = ratio("(b) replog rows rendered as JSON", "(b) mysql_common rows");
    lines.push(format!(
        "  (rows rendered as JSON text vs mysql_common rows: {wall:.2}x, {cpu:.2}x)"
    ));
    if mariadb_binlog.is_some() {
        lines.push(target(
            "thl events -json vs mariadb-binlog -v (issue 2)",
            ratio(
                "(c) thl events -json > /dev/null",
                "(c) mariadb-binlog -v > /dev/null",
            ),
            3.0,
        ));
        // Issue 10: 5x with every core (wall-clock is the figure threads improve).
        lines.push(target(
            "thl events -json -threads 2 vs mariadb-binlog -v",
            ratio(
                "(c) thl events -json -threads 2 > /dev/null",
                "(c) mariadb-binlog -v > /dev/null",
            ),
            5.0,
        ));
    }
    let (_, threads_cpu) = ratio(
        "(c) thl events -json -threads 2 > /dev/null",
        "(c) thl events -json > /dev/null",
    );
    lines.push(target(
        "thl events -json -threads 2 vs -threads 1",
        (speedup.ratio, threads_cpu),
        1.8,
    ));
    lines.push(format!(
        "  (-threads 2 vs -threads 1: {})",
        speedup.describe()
    ));
    for (name, row) in [
        ("-threads 1", "(c) thl events -json > /dev/null"),
        ("-threads 2", "(c) thl events -json -threads 2 > /dev/null"),
    ] {
        if let Some(rss) = table.memory(row) {
            let anon = mib(rss.anon_kib);
            let verdict = if anon < MEMORY_TARGET_MIB {
                "met"
            } else {
                "MISSED"
            };
            lines.push(format!(
                "  thl events -json {name} peak memory: {anon:.1} MiB anonymous {verdict} \
                 (target < {MEMORY_TARGET_MIB} MiB), {:.1} MiB of the mapped file",
                mib(rss.file_kib)
            ));
        }
    }
    let small = replog_tests::project_fixture("mariadb/types-bin.000001");
    let small_rss = run_sampled(
        Command::new(&thl)
            .args(["events", "-json", "-file"])
            .arg(&small),
    );
    lines.push(format!(
        "  (on the 95 KB types-bin.000001: {:.1} MiB anonymous)",
        mib(small_rss.anon_kib)
    ));
    println!();
    println!(
        "{}: targets (issues 2 and 10), by wall-clock time and by CPU time:",
        log.label
    );
    for line in &lines {
        println!("{line}");
    }
    lines
}

/// Maps the file and frames every event (no body decoding); the count of events.
fn replog_scan(file: &Path, crc: bool) -> u64 {
    let bytes = LogBytes::open(file).unwrap();
    let options = ReadOptions::default().verify_checksums(crc);
    let mut n = 0;
    for ev in Frames::new("bench", bytes.bytes(), options).unwrap() {
        let ev = ev.unwrap();
        assert!(!crc || ev.checksum_ok == Some(true));
        n += 1;
    }
    n
}

/// Maps the file and decodes every event body (rows events up to their row images).
fn replog_parse(file: &Path) -> u64 {
    let bytes = LogBytes::open(file).unwrap();
    let mut n = 0;
    for ev in Reader::new("bench", bytes.bytes()).unwrap() {
        let ev = ev.unwrap();
        assert_eq!(ev.raw.checksum_ok, Some(true));
        std::hint::black_box(&ev.event);
        n += 1;
    }
    n
}

/// mysql_common's reader (it copies each event) and its body decoding (`read_data`);
/// with `crc`, every checksum is recomputed and compared, as its users must do
/// themselves.
fn mc_scan(input: impl BufRead, crc: bool) -> u64 {
    let file = BinlogFile::new(BinlogVersion::Version4, input).unwrap();
    let mut n = 0;
    for ev in file {
        let ev = ev.unwrap();
        std::hint::black_box(ev.read_data().ok());
        if crc {
            if let (Some(stored), Ok(Some(alg))) = (ev.checksum(), ev.footer().get_checksum_alg()) {
                if alg == BinlogChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32 {
                    assert_eq!(ev.calc_checksum(alg), u32::from_le_bytes(stored));
                }
            }
        }
        n += 1;
    }
    n
}

/// Maps the file, decodes every event and every value of every row image, DECIMAL and
/// TIMESTAMP values to text as mysql_common does; the count of values.
fn replog_rows(file: &Path) -> u64 {
    let bytes = LogBytes::open(file).unwrap();
    let mut maps = TableMaps::new();
    let mut values = 0;
    let mut scratch = Vec::with_capacity(128);
    for ev in Reader::new("bench", bytes.bytes()).unwrap() {
        match ev.unwrap().event {
            Event::TableMap(t) => {
                maps.insert(*t);
            }
            Event::Rows(r) => {
                for row in maps.rows(&r).unwrap() {
                    let row = row.unwrap();
                    for image in [row.before, row.after].into_iter().flatten() {
                        for cell in image.iter() {
                            let value = cell.unwrap().value;
                            // mysql_common's rows pass turns DECIMAL and TIMESTAMP values
                            // into text; replog keeps them lazy, so do the same work here.
                            scratch.clear();
                            match value {
                                Value::Decimal(d) => write!(scratch, "{d}").unwrap(),
                                Value::Timestamp(t) => {
                                    write!(scratch, "{}.{:06}", t.seconds, t.micros).unwrap()
                                }
                                _ => {}
                            }
                            std::hint::black_box((&value, &scratch));
                            values += 1;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    values
}

/// Like [`replog_rows`], and every row change written as JSON text too: DECIMALs and
/// temporals as text, JSON documents parsed, strings escaped, as `thl events -json`
/// does: more than mysql_common's rows pass, which leaves dates, strings and JSON as
/// values for its caller to print.
/// Returns the count of values.
fn replog_rows_rendered(file: &Path) -> u64 {
    let bytes = LogBytes::open(file).unwrap();
    let mut maps = TableMaps::new();
    let mut values = 0;
    let mut text = Vec::with_capacity(1 << 16);
    for ev in Reader::new("bench", bytes.bytes()).unwrap() {
        match ev.unwrap().event {
            Event::TableMap(t) => {
                maps.insert(*t);
            }
            Event::Rows(r) => {
                text.clear();
                for row in maps.rows(&r).unwrap() {
                    let row = row.unwrap();
                    row.write_json(&mut text).unwrap();
                    values += [&row.before, &row.after]
                        .into_iter()
                        .flatten()
                        .map(|image| image.len() as u64)
                        .sum::<u64>();
                }
                std::hint::black_box(&text);
            }
            _ => {}
        }
    }
    values
}

/// mysql_common decoding every event and every row; the count of values.
fn mc_rows(input: impl BufRead) -> u64 {
    let mut file = BinlogFile::new(BinlogVersion::Version4, input).unwrap();
    let mut values = 0;
    while let Some(ev) = file.next() {
        let ev = ev.unwrap();
        if let Ok(Some(EventData::RowsEvent(r))) = ev.read_data() {
            let tme = file.reader().get_tme(r.table_id()).unwrap();
            for row in r.rows(tme) {
                let (before, after) = row.unwrap();
                for image in [before, after].into_iter().flatten() {
                    values += image.len() as u64;
                    std::hint::black_box(image);
                }
            }
        }
    }
    values
}
