//! Throughput of `thl list` over a large THL log written by replog's own writer (issue
//! 3's benchmark). Not a timed test: it prints numbers.
//!
//!     cargo run --release -p replog-tests --example make-big-thl   # bench-data/thl
//!     cargo build --release -p replog-cli --bin thl
//!     cargo bench -p replog-tests --bench thl [-- DIR]
//!
//! Measures, best of `BENCH_REPS` runs (default 3) after one pass that reads every file
//! and so warms the page cache:
//! - replog's library reading every record of every file with CRC32 verification and
//!   the fixed event header (all `list -headers` needs), then also decoding every
//!   event's protobuf payload (what every other listing needs);
//! - the release `thl -dir DIR list` in its output forms (full, `-headers`,
//!   `-headers -json`, `-sql`, `-charset utf8`), each serially (`-threads 1`) and on
//!   two threads, stdout to /dev/null, with its peak memory;
//! - two serial runs of each form at the same time: twice the work in the time they
//!   take is the most two threads could gain on this machine (the copies share none
//!   of replog's work, only the machine: its memory bandwidth, caches and the host's
//!   scheduling), printed beside the two-thread ratio. The three runs of a form go in
//!   `BENCH_REPS` rounds, one after the other in each, and the ratios are the medians
//!   of the rounds' (see `Table::run_thread_rounds`);
//! - the reference Java `thl` (`../shared/tools/ref-thl/thl`, when `java` is there)
//!   listing the same log with `-charset utf8` and `-headers`, and the ratios.
//!
//! Rates: MB/s over the size of all the log's files, events/s over its event records
//! (each fragment of a transaction is one event, as `list -headers` prints one line
//! each).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use replog::thl::{LogDir, ReadOptions, RecordKind};

use common::{load_average, HostTime, Table, ThreadRows};

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // The workspace root: the parent of this crate's directory.
            let tests = Path::new(env!("CARGO_MANIFEST_DIR"));
            tests.parent().unwrap_or(tests).join("bench-data/thl")
        });
    assert!(
        dir.is_dir(),
        "{} is missing: run `cargo run --release -p replog-tests --example make-big-thl` first",
        dir.display()
    );
    let reps = common::reps(3);
    let thl = common::release_thl();
    let start = HostTime::now();

    // Reading everything once, CRCs included, warms the page cache and counts.
    let log = Survey::of(&dir);
    let mb = log.bytes as f64 / 1e6;
    println!(
        "log: {} ({:.1} MB in {} files), {} event records, {} transactions, best of {reps}",
        dir.display(),
        mb,
        log.files,
        log.events,
        log.transactions
    );
    match load_average() {
        Some(load) => println!("load average at start: {load:.2} ({} CPUs)", cpus()),
        None => println!("load average unknown"),
    }
    check_headers_listing(&thl, &dir, log.events);

    let mut table = Table::new(mb).with_rate(log.events, "events");
    table.run("replog records + CRC32 (fixed headers)", reps, || {
        read_all(&dir, false)
    });
    table.run("replog records + CRC32 + decode payloads", reps, || {
        read_all(&dir, true)
    });
    let mut speedups = Vec::new();
    for (form, options) in FORMS {
        let list = |threads: &str| {
            let mut cmd = Command::new(&thl);
            cmd.arg("-dir").arg(&dir).arg("list").args(options);
            cmd.args(["-threads", threads]);
            cmd
        };
        // Beside one thread and two, what two threads could gain at most on this
        // machine: two one-thread runs at once.
        let rows = ThreadRows {
            serial: &command_name(form, "1"),
            parallel: &command_name(form, "2"),
            copies: &copies_name(form),
        };
        speedups.push(table.run_thread_rounds(rows, reps, list));
    }
    // The reference: Tungsten's own Java `thl` on the same log, in the same run.
    let tests = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = reference_thl(&tests.join("../../shared/tools/ref-thl/thl"));
    let conf_dir = std::env::temp_dir().join(format!("replog-bench-thl-{}", std::process::id()));
    if let Some(java_thl) = &reference {
        std::fs::create_dir_all(&conf_dir).unwrap();
        let conf = conf_dir.join("static-bench.properties");
        let log_dir = dir.canonicalize().unwrap();
        std::fs::write(
            &conf,
            format!("replicator.store.thl.log_dir={}\n", log_dir.display()),
        )
        .unwrap();
        for (name, options) in [
            (
                "Java thl list -charset utf8 > /dev/null",
                &["-charset", "utf8"][..],
            ),
            ("Java thl list -headers > /dev/null", &["-headers"][..]),
        ] {
            table.run_command(name, reps, || {
                let mut cmd = Command::new(java_thl);
                cmd.arg("-conf").arg(&conf).arg("list").args(options);
                cmd
            });
        }
    }
    table.print();
    common::print_machine_at_end(start);
    if reference.is_some() {
        std::fs::remove_dir_all(&conf_dir).unwrap();
        println!("replog against the Java thl (wall-clock, CPU; issue 10 wants 10x):");
        for (form, java) in [
            ("-charset utf8", "Java thl list -charset utf8 > /dev/null"),
            ("-headers", "Java thl list -headers > /dev/null"),
        ] {
            for threads in ["1", "2"] {
                let ours = command_name(form, threads);
                let (a, b) = (table.speed(&ours), table.speed(java));
                println!("  {ours} vs {java}: {:.2}x, {:.2}x", a.0 / b.0, a.1 / b.1);
            }
        }
    } else {
        println!("java or ../shared/tools/ref-thl/thl is missing: no reference rows");
    }
    println!("threads (wall-clock, then CPU; issue 10 wants 1.8x by wall-clock):");
    for ((form, _), speedup) in FORMS.iter().zip(&speedups) {
        let (parallel, serial) = (command_name(form, "2"), command_name(form, "1"));
        let cpu = table.speed(&parallel).1 / table.speed(&serial).1;
        println!(
            "  {parallel} vs -threads 1: {:.2}x, {cpu:.2}x ({})",
            speedup.ratio,
            speedup.describe()
        );
    }
}

/// The listing forms measured, each serially (`-threads 1`) and on two threads.
const FORMS: [(&str, &[&str]); 5] = [
    ("", &[]),
    ("-headers", &["-headers"]),
    ("-headers -json", &["-headers", "-json"]),
    ("-sql", &["-sql"]),
    ("-charset utf8", &["-charset", "utf8"]),
];

/// The table row of `thl list FORM -threads N`.
fn command_name(form: &str, threads: &str) -> String {
    let form = if form.is_empty() {
        String::new()
    } else {
        format!(" {form}")
    };
    format!("thl list{form} -threads {threads} > /dev/null")
}

/// The table row of two `thl list FORM -threads 1` run at the same time.
fn copies_name(form: &str) -> String {
    format!("2 x {} at once", command_name(form, "1"))
}

/// The reference Java `thl` at `tool`, when it and `java` are there.
fn reference_thl(tool: &Path) -> Option<PathBuf> {
    let java = Command::new("java").arg("-version").output();
    (tool.is_file() && java.is_ok_and(|o| o.status.success())).then(|| tool.to_path_buf())
}

/// What the log holds.
struct Survey {
    files: usize,
    bytes: u64,
    events: u64,
    transactions: u64,
}

impl Survey {
    fn of(dir: &Path) -> Survey {
        let log = LogDir::open(dir).unwrap();
        let index = log.index(ReadOptions::default()).unwrap();
        index.check_sequence(&log).unwrap();
        let mut survey = Survey {
            files: index.entries().len(),
            bytes: 0,
            events: 0,
            transactions: 0,
        };
        for entry in index.entries() {
            let file = log.open_file(&entry.file_name).unwrap();
            survey.bytes += file.bytes().len() as u64;
            for record in file.records(ReadOptions::default()) {
                if let RecordKind::Event(e) = record.unwrap().kind {
                    survey.events += 1;
                    survey.transactions += u64::from(e.header.last_frag);
                }
            }
        }
        survey
    }
}

/// Reads every record of every file, CRCs verified; with `decode`, decodes every event
/// payload too. The count of event records.
fn read_all(dir: &Path, decode: bool) -> u64 {
    let log = LogDir::open(dir).unwrap();
    let mut events = 0;
    for name in log.index(ReadOptions::default()).unwrap().entries() {
        let file = log.open_file(&name.file_name).unwrap();
        for record in file.records(ReadOptions::default()) {
            if let RecordKind::Event(e) = record.unwrap().kind {
                if decode {
                    std::hint::black_box(e.decode().unwrap());
                } else {
                    std::hint::black_box(&e.header);
                }
                events += 1;
            }
        }
    }
    events
}

/// `thl list -headers` prints one line per event record: a listing that stopped early
/// would make the numbers meaningless.
fn check_headers_listing(thl: &Path, dir: &Path, events: u64) {
    let out = Command::new(thl)
        .arg("-dir")
        .arg(dir)
        .args(["list", "-headers"])
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "thl list -headers: {}", out.status);
    let lines = out.stdout.iter().filter(|&&b| b == b'\n').count() as u64;
    assert_eq!(
        lines, events,
        "thl list -headers lines against event records"
    );
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
