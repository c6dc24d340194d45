//! Throughput of replog against mysql_common and mariadb-binlog on one large binary log,
//! side by side in one run (issue 2's benchmark). Not a timed test: it prints numbers.
//!
//!     fixtures/bench/make-big-binlog.sh                  # bench-data/big-bin.000001
//!     cargo build --release -p replog-cli --bin thl
//!     cargo bench -p replog-tests --bench binlog [-- FILE]
//!
//! Measures (best of `BENCH_REPS` runs, default 2, after one read that warms the page
//! cache). Each decoder reads the file the way its API is made for, and opening it is
//! part of the time: replog maps it afresh ([`LogBytes::open`]) in every run,
//! mysql_common reads it through a `BufReader<File>` (its `BinlogFile` takes a
//! `BufRead`); mysql_common over the bytes already in memory is shown too.
//! (a) event scan: replog framing with and without CRC32 verification, mysql_common
//!     parse and parse + CRC32;
//! (b) row decoding: replog decoding every value of every rows event, mysql_common
//!     decoding every row;
//! (c) `thl events -json > /dev/null` against
//!     `mariadb-binlog --base64-output=decode-rows -v > /dev/null`,
//! and the resident memory of `thl events -json` (sampled every 5 ms from /proc): the
//! anonymous part (heap, stacks) separately from the file-backed part, which is the
//! mapping of the log itself.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mysql_common::binlog::consts::{BinlogChecksumAlg, BinlogVersion};
use mysql_common::binlog::events::EventData;
use mysql_common::binlog::BinlogFile;
use replog::binlog::rows::TableMaps;
use replog::binlog::{Event, Frames, ReadOptions, Reader};
use replog::input::LogBytes;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let file = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("bench-data/big-bin.000001"));
    assert!(
        file.exists(),
        "{} is missing: run fixtures/bench/make-big-binlog.sh first",
        file.display()
    );
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2);
    let bytes = LogBytes::open(&file).unwrap();
    let data = bytes.bytes();
    let mb = data.len() as f64 / 1e6;
    println!("file: {} ({:.1} MB), best of {reps}", file.display(), mb);
    // Warm the page cache so the first measurement does not pay for the disk.
    let warm: u64 = data.iter().step_by(4096).map(|&b| u64::from(b)).sum();
    std::hint::black_box(warm);
    let disk = || BufReader::new(File::open(&file).unwrap());

    let mut table = Table { mb, rows: vec![] };
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
        return;
    }
    let values = table.run("(b) replog rows (every value)", reps, || replog_rows(&file));
    table.run("(b) mysql_common rows", reps, || mc_rows(disk()));

    let thl = root.join("target/release/thl");
    assert!(
        thl.exists(),
        "{} is missing: cargo build --release -p replog-cli --bin thl",
        thl.display()
    );
    let mut memory = None;
    table.run("(c) thl events -json > /dev/null", reps, || {
        let (n, rss) = run_sampled(
            Command::new(&thl)
                .args(["events", "-json", "-file"])
                .arg(&file),
        );
        memory = Some(rss);
        n
    });
    table.run("(c) thl events > /dev/null", reps, || {
        run_sampled(Command::new(&thl).args(["events", "-file"]).arg(&file)).0
    });
    let mariadb_binlog = which("mariadb-binlog").or_else(|| which("mysqlbinlog"));
    match &mariadb_binlog {
        Some(tool) => {
            table.run("(c) mariadb-binlog -v > /dev/null", reps, || {
                let mut cmd = Command::new(tool);
                cmd.args(["--base64-output=decode-rows", "-v"]).arg(&file);
                run_sampled(&mut cmd).0
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
    println!();
    println!("targets (issue 2), by wall-clock time and by CPU time:");
    let target = |name: &str, (wall, cpu): (f64, f64), want: f64| {
        let verdict = |x: f64| if x >= want { "met" } else { "MISSED" };
        println!(
            "  {name:<40} {wall:>6.2}x {:<6} {cpu:>6.2}x {:<6} (target >= {want}x)",
            verdict(wall),
            verdict(cpu)
        );
    };
    target(
        "scan+CRC vs mysql_common parse+CRC",
        ratio("(a) replog scan + CRC32", "(a) mysql_common parse + CRC32"),
        2.5,
    );
    target(
        "rows vs mysql_common rows",
        ratio("(b) replog rows (every value)", "(b) mysql_common rows"),
        10.0,
    );
    if mariadb_binlog.is_some() {
        target(
            "thl events -json vs mariadb-binlog -v",
            ratio(
                "(c) thl events -json > /dev/null",
                "(c) mariadb-binlog -v > /dev/null",
            ),
            3.0,
        );
    }
    if let Some(rss) = memory {
        let small = replog_tests::project_fixture("mariadb/types-bin.000001");
        let (_, small_rss) = run_sampled(
            Command::new(&thl)
                .args(["events", "-json", "-file"])
                .arg(&small),
        );
        println!();
        println!(
            "thl events -json peak memory: {:.1} MiB anonymous + {:.1} MiB of the mapped file \
             (on the 95 KB types-bin.000001: {:.1} MiB anonymous); target: anonymous < 64 MiB",
            mib(rss.anon_kib),
            mib(rss.file_kib),
            mib(small_rss.anon_kib)
        );
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Measured runs, by name: the fastest wall-clock time and the least CPU time (user +
/// system, this process's or the waited-for child's) of the repetitions. On a machine
/// shared with other work the CPU time is the steadier of the two.
struct Table {
    mb: f64,
    rows: Vec<(String, Duration, Duration)>,
}

impl Table {
    /// Runs `f` `reps` times, keeps the fastest, returns what `f` counted.
    fn run(&mut self, name: &str, reps: usize, mut f: impl FnMut() -> u64) -> u64 {
        let (mut wall, mut cpu) = (Duration::MAX, Duration::MAX);
        let mut count = 0;
        for _ in 0..reps.max(1) {
            let (cpu0, start) = (cpu_time(), Instant::now());
            count = std::hint::black_box(f());
            wall = wall.min(start.elapsed());
            cpu = cpu.min(cpu_time().saturating_sub(cpu0));
        }
        eprintln!(
            "  {name}: {:.3} s ({:.3} s CPU)",
            wall.as_secs_f64(),
            cpu.as_secs_f64()
        );
        self.rows.push((name.to_string(), wall, cpu));
        count
    }

    /// MB/s by wall-clock time and by CPU time.
    fn speed(&self, name: &str) -> (f64, f64) {
        let (_, wall, cpu) = self.rows.iter().find(|(n, _, _)| n == name).unwrap();
        (self.mb / wall.as_secs_f64(), self.mb / cpu.as_secs_f64())
    }

    fn print(&self) {
        println!();
        println!(
            "{:<44} {:>9} {:>10} {:>9} {:>10}",
            "", "seconds", "MB/s", "CPU s", "MB/CPU-s"
        );
        for (name, wall, cpu) in &self.rows {
            println!(
                "{name:<44} {:>9.3} {:>10.1} {:>9.3} {:>10.1}",
                wall.as_secs_f64(),
                self.mb / wall.as_secs_f64(),
                cpu.as_secs_f64(),
                self.mb / cpu.as_secs_f64()
            );
        }
    }
}

/// CPU time used so far by this process and its waited-for children, from
/// /proc/self/stat (utime, stime, cutime, cstime; clock ticks of 10 ms).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the parenthesised command name; utime is the 14th field.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks: u64 = (11..15)
        .filter_map(|i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
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

/// Maps the file, decodes every event and every value of every row image; the count
/// of values.
fn replog_rows(file: &Path) -> u64 {
    let bytes = LogBytes::open(file).unwrap();
    let mut maps = TableMaps::new();
    let mut values = 0;
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
                            std::hint::black_box(cell.unwrap());
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

/// Peak resident memory of a child, in KiB.
#[derive(Debug, Clone, Copy, Default)]
struct Rss {
    anon_kib: u64,
    file_kib: u64,
}

/// Runs `cmd` with stdout to /dev/null, sampling its memory; the bytes it read are not
/// known, so it returns 0 (the table uses the file size).
fn run_sampled(cmd: &mut Command) -> (u64, Rss) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = Rss::default();
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            let field = |name: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .and_then(|v| v.split_whitespace().next())
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            peak.anon_kib = peak.anon_kib.max(field("RssAnon:"));
            peak.file_kib = peak.file_kib.max(field("RssFile:"));
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{cmd:?} failed: {status}");
            return (0, peak);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| Path::new(p).is_file())
    })
}
