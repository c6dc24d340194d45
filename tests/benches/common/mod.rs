//! Timing and memory measurement shared by the benches: best-of-N wall-clock and CPU
//! time, throughput tables, peak memory of child processes sampled from /proc.
#![allow(dead_code)] // each bench uses a different subset

use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Peak resident memory of a child, in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rss {
    /// Heap, stacks and other anonymous memory.
    pub anon_kib: u64,
    /// File-backed pages: mostly the mapping of the log being read.
    pub file_kib: u64,
}

impl Rss {
    fn max(self, other: Rss) -> Rss {
        Rss {
            anon_kib: self.anon_kib.max(other.anon_kib),
            file_kib: self.file_kib.max(other.file_kib),
        }
    }
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// One measured row: the fastest wall-clock time and the least CPU time (user + system,
/// this process's or the waited-for child's) of the repetitions, and for a child
/// process its peak memory.
struct Measured {
    name: String,
    wall: Duration,
    cpu: Duration,
    memory: Option<Rss>,
}

/// Measured runs over one input of `mb` megabytes. On a machine shared with other work
/// the CPU time is the steadier of the two times.
pub struct Table {
    mb: f64,
    /// Items (events) in the input and their name, when per-item rates are wanted.
    items: Option<(u64, &'static str)>,
    rows: Vec<Measured>,
}

impl Table {
    pub fn new(mb: f64) -> Table {
        Table {
            mb,
            items: None,
            rows: vec![],
        }
    }

    /// Adds rate columns for `count` items per run, called `name` ("events"): per
    /// second of wall-clock time and per CPU-second.
    pub fn with_rate(mut self, count: u64, name: &'static str) -> Table {
        self.items = Some((count, name));
        self
    }

    /// Runs `f` `reps` times, keeps the fastest, returns what `f` counted.
    pub fn run(&mut self, name: &str, reps: usize, mut f: impl FnMut() -> u64) -> u64 {
        let mut count = 0;
        let (wall, cpu) = best_of(reps, || count = std::hint::black_box(f()));
        self.push(name, wall, cpu, None);
        count
    }

    /// Runs the command `make()` builds `reps` times, stdout to /dev/null, and keeps
    /// the fastest run and the highest memory peak.
    pub fn run_command(&mut self, name: &str, reps: usize, mut make: impl FnMut() -> Command) {
        let mut peak = Rss::default();
        let (wall, cpu) = best_of(reps, || peak = peak.max(run_sampled(&mut make())));
        self.push(name, wall, cpu, Some(peak));
    }

    /// Measures a command on one thread, on two, and as two one-thread copies at once,
    /// in `rounds` rounds that each run the three one after the other (`make` builds
    /// the command for a `-threads` value). Pushes the three rows (the fastest run, the
    /// highest memory peak) and returns the medians of the rounds' speed-ups. A host
    /// whose speed drifts from one second to the next (a shared virtual machine) slows
    /// the three runs of a round alike, where the fastest runs of each, taken seconds
    /// apart, would compare the host's spells as much as the command's threads.
    pub fn run_thread_rounds(
        &mut self,
        rows: ThreadRows<'_>,
        rounds: usize,
        mut make: impl FnMut(&str) -> Command,
    ) -> ThreadSpeedup {
        let mut serial = Runs::default();
        let mut parallel = Runs::default();
        let mut copies = Runs::default();
        for _ in 0..rounds.max(1) {
            for (runs, threads) in [(&mut serial, "1"), (&mut parallel, "2")] {
                let mut peak = Rss::default();
                let times = timed(|| peak = run_sampled(&mut make(threads)));
                runs.add(times, peak);
            }
            let times = timed(|| run_at_once(rows.copies, 2, || make("1")));
            copies.add(times, Rss::default());
        }
        let speedup = ThreadSpeedup {
            ratio: median(serial.walls.iter().zip(&parallel.walls).map(|(s, p)| s / p)),
            ceiling: median(
                serial
                    .walls
                    .iter()
                    .zip(&copies.walls)
                    .map(|(s, c)| 2.0 * s / c),
            ),
            rounds: rounds.max(1),
        };
        self.push_runs(rows.serial, serial, true);
        self.push_runs(rows.parallel, parallel, true);
        self.push_runs(rows.copies, copies, false);
        speedup
    }

    fn push_runs(&mut self, name: &str, runs: Runs, memory: bool) {
        self.push(
            name,
            runs.least_wall,
            runs.least_cpu,
            memory.then_some(runs.peak),
        );
    }

    fn push(&mut self, name: &str, wall: Duration, cpu: Duration, memory: Option<Rss>) {
        eprintln!(
            "  {name}: {:.3} s ({:.3} s CPU)",
            wall.as_secs_f64(),
            cpu.as_secs_f64()
        );
        self.rows.push(Measured {
            name: name.to_string(),
            wall,
            cpu,
            memory,
        });
    }

    /// MB/s by wall-clock time and by CPU time.
    pub fn speed(&self, name: &str) -> (f64, f64) {
        let row = self.row(name);
        (
            self.mb / row.wall.as_secs_f64(),
            self.mb / row.cpu.as_secs_f64(),
        )
    }

    /// Peak memory of a row measured with [`Table::run_command`].
    pub fn memory(&self, name: &str) -> Option<Rss> {
        self.row(name).memory
    }

    fn row(&self, name: &str) -> &Measured {
        self.rows.iter().find(|r| r.name == name).unwrap()
    }

    pub fn print(&self) {
        let memory = self.rows.iter().any(|r| r.memory.is_some());
        let width = self.rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
        println!();
        print!(
            "{:<width$} {:>9} {:>10} {:>9} {:>10}",
            "", "seconds", "MB/s", "CPU s", "MB/CPU-s"
        );
        if let Some((_, name)) = self.items {
            print!(
                " {:>12} {:>12}",
                format!("{name}/s"),
                format!("{name}/CPU-s")
            );
        }
        if memory {
            print!(" {:>10} {:>10}", "anon MiB", "file MiB");
        }
        println!();
        for row in &self.rows {
            let (wall, cpu) = (row.wall.as_secs_f64(), row.cpu.as_secs_f64());
            print!(
                "{:<width$} {wall:>9.3} {:>10.1} {cpu:>9.3} {:>10.1}",
                row.name,
                self.mb / wall,
                self.mb / cpu
            );
            if let Some((count, _)) = self.items {
                print!(
                    " {:>12.0} {:>12.0}",
                    count as f64 / wall,
                    count as f64 / cpu
                );
            }
            match (memory, row.memory) {
                (true, Some(m)) => print!(" {:>10.1} {:>10.1}", mib(m.anon_kib), mib(m.file_kib)),
                (true, None) => print!(" {:>10} {:>10}", "-", "-"),
                _ => {}
            }
            println!();
        }
    }
}

/// The least wall-clock and the least CPU time of `reps` runs of `f`.
fn best_of(reps: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let (mut wall, mut cpu) = (Duration::MAX, Duration::MAX);
    for _ in 0..reps.max(1) {
        let (run_wall, run_cpu) = timed(&mut f);
        wall = wall.min(run_wall);
        cpu = cpu.min(run_cpu);
    }
    (wall, cpu)
}

/// The wall-clock and CPU time of one run of `f`.
fn timed(f: impl FnOnce()) -> (Duration, Duration) {
    let (cpu0, start) = (cpu_time(), Instant::now());
    f();
    (start.elapsed(), cpu_time().saturating_sub(cpu0))
}

/// Runs `copies` of the command `make()` builds at the same time, stdout to /dev/null,
/// until the last exits. Copies of a serial command on as many cores share nothing but
/// the machine (its memory bandwidth, caches, the page cache and the host's
/// scheduling): twice one copy's work in the time two took is the most two threads
/// could gain at that moment. A parallel run of the same work pays what the copies pay
/// for sharing the machine, and coordination on top: it passes this ceiling only by
/// what the copies each repeat (starting, reading the index) or by chance.
fn run_at_once(name: &str, copies: usize, mut make: impl FnMut() -> Command) {
    let children: Vec<_> = (0..copies)
        .map(|_| {
            make()
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "{name}: a copy failed: {status}");
    }
}

/// The rows of [`Table::run_thread_rounds`]: a command on one thread, on two, and two
/// one-thread copies at once.
pub struct ThreadRows<'a> {
    pub serial: &'a str,
    pub parallel: &'a str,
    pub copies: &'a str,
}

/// Two threads against one, medians over the rounds of [`Table::run_thread_rounds`].
pub struct ThreadSpeedup {
    /// One thread's wall-clock time over two threads'.
    pub ratio: f64,
    /// Twice one thread's wall-clock time over that of two copies at once: the most two
    /// threads could gain at the round's moment.
    pub ceiling: f64,
    pub rounds: usize,
}

impl ThreadSpeedup {
    /// How it was measured and how it compares with the ceiling, for a report line.
    pub fn describe(&self) -> String {
        format!(
            "median of {} rounds; the machine's ceiling {:.2}x (two -threads 1 runs at once), \
             {:.0} % of it",
            self.rounds,
            self.ceiling,
            100.0 * self.ratio / self.ceiling
        )
    }
}

/// The runs of one row of [`Table::run_thread_rounds`].
struct Runs {
    walls: Vec<f64>,
    least_wall: Duration,
    least_cpu: Duration,
    peak: Rss,
}

impl Default for Runs {
    fn default() -> Runs {
        Runs {
            walls: Vec::new(),
            least_wall: Duration::MAX,
            least_cpu: Duration::MAX,
            peak: Rss::default(),
        }
    }
}

impl Runs {
    fn add(&mut self, (wall, cpu): (Duration, Duration), peak: Rss) {
        self.walls.push(wall.as_secs_f64());
        self.least_wall = self.least_wall.min(wall);
        self.least_cpu = self.least_cpu.min(cpu);
        self.peak = self.peak.max(peak);
    }
}

/// The median of `values` (the mean of the middle two of an even count).
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// CPU time used so far by this process and its waited-for children, from
/// /proc/self/stat (utime, stime, cutime, cstime; clock ticks of 10 ms).
pub fn cpu_time() -> Duration {
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

/// Runs `cmd` with stdout to /dev/null, sampling its memory every 5 ms; panics unless
/// it succeeds. This thread waits on the child while another samples, so the run ends
/// (and its wall-clock time is taken) when the child exits, not at the next sample.
pub fn run_sampled(cmd: &mut Command) -> Rss {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Opened once and read again from the start: once the child is reaped, a read fails
    // instead of reaching a process that reused its pid.
    let status_file = File::open(format!("/proc/{}/status", child.id())).ok();
    let exited = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let mut peak = Rss::default();
            let Some(mut file) = status_file else {
                return peak;
            };
            let mut text = String::new();
            while !exited.load(Ordering::Relaxed) {
                text.clear();
                if file.rewind().is_err() || file.read_to_string(&mut text).is_err() {
                    break;
                }
                let field = |name: &str| {
                    text.lines()
                        .find_map(|l| l.strip_prefix(name))
                        .and_then(|v| v.split_whitespace().next())
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                peak.anon_kib = peak.anon_kib.max(field("RssAnon:"));
                peak.file_kib = peak.file_kib.max(field("RssFile:"));
                std::thread::park_timeout(Duration::from_millis(5));
            }
            peak
        });
        let status = child.wait().unwrap();
        exited.store(true, Ordering::Relaxed);
        sampler.thread().unpark();
        assert!(status.success(), "{cmd:?} failed: {status}");
        sampler.join().unwrap()
    })
}

/// A program on PATH.
pub fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| Path::new(p).is_file())
    })
}

/// The release `thl` binary of this checkout; panics with the build command if missing.
pub fn release_thl() -> PathBuf {
    let thl = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/thl");
    assert!(
        thl.exists(),
        "{} is missing: cargo build --release -p replog-cli --bin thl",
        thl.display()
    );
    thl
}

/// Number of repetitions: `BENCH_REPS`, else `default`.
pub fn reps(default: usize) -> usize {
    std::env::var("BENCH_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(default)
}

/// The machine's load average over the last minute, from /proc/loadavg.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The machine's processor time so far, from the first line of /proc/stat (clock ticks):
/// all of it, and what the host took for other work while this machine had work to run
/// (steal). On a virtual machine, steal makes every time measured meanwhile longer, and
/// unevenly: a ratio of two times measured under it says little.
#[derive(Debug, Clone, Copy)]
pub struct HostTime {
    total: u64,
    steal: u64,
}

impl HostTime {
    pub fn now() -> Option<HostTime> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let ticks: Vec<u64> = stat
            .lines()
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .map(|t| t.parse().ok())
            .collect::<Option<_>>()?;
        // user nice system idle iowait irq softirq steal (guest times are in user).
        Some(HostTime {
            total: ticks.iter().take(8).sum(),
            steal: *ticks.get(7)?,
        })
    }

    /// The share of the machine's processor time the host stole since `self`, in %.
    pub fn steal_since(self) -> Option<f64> {
        let now = HostTime::now()?;
        let total = now.total.checked_sub(self.total).filter(|&t| t > 0)?;
        Some(100.0 * now.steal.saturating_sub(self.steal) as f64 / total as f64)
    }
}

/// Prints the load average and the host's steal since `start` (see [`HostTime`]).
pub fn print_machine_at_end(start: Option<HostTime>) {
    println!();
    if let Some(load) = load_average() {
        println!("load average at the end: {load:.2}");
    }
    if let Some(steal) = start.and_then(HostTime::steal_since) {
        println!(
            "processor time the host took for other work during the run (steal): {steal:.1} %"
        );
    }
}

/// A benchmark binary log: its label, where it is, and the script that makes it.
pub struct BenchLog {
    pub label: String,
    pub path: PathBuf,
    pub maker: &'static str,
}

/// The binary logs the binlog bench reads: the non-option arguments when there are
/// some, else the two generated logs, `bench-data/big-bin.000001` (few large rows
/// events) and `bench-data/oltp-bin.000001` (many small OLTP transactions), each
/// whether present or not (the bench says which are missing and how to make them).
pub fn bench_binlogs() -> Vec<BenchLog> {
    let given: Vec<BenchLog> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .map(|a| BenchLog {
            label: a.clone(),
            path: PathBuf::from(a),
            maker: "",
        })
        .collect();
    if !given.is_empty() {
        return given;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    [
        ("big", "big-bin.000001", "fixtures/bench/make-big-binlog.sh"),
        (
            "oltp",
            "oltp-bin.000001",
            "fixtures/bench/make-oltp-binlog.sh",
        ),
    ]
    .into_iter()
    .map(|(label, name, maker)| BenchLog {
        label: label.to_string(),
        path: root.join("bench-data").join(name),
        maker,
    })
    .collect()
}

/// The large binary log a bench reads: the first non-option argument, else
/// `bench-data/big-bin.000001`; panics with the command that makes it. Prints its size,
/// the repetitions and the load average, and returns (path, megabytes, repetitions).
pub fn big_binlog() -> (PathBuf, f64, usize) {
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
    let reps = reps(2);
    let mb = std::fs::metadata(&file).unwrap().len() as f64 / 1e6;
    println!("file: {} ({mb:.1} MB), best of {reps}", file.display());
    if let Some(load) = load_average() {
        println!("load average at start: {load:.2}");
    }
    (file, mb, reps)
}
