//! Events per second streamed from a local server: `thl events -remote` and
//! `thl backup -remote` against `mariadb-binlog --read-from-remote-server`, side by side
//! on the same log (issue 11's benchmark). Not a timed test: it prints numbers.
//!
//!     fixtures/bench/make-big-binlog.sh                  # bench-data/big-bin.000001
//!     cargo build --release -p replog-cli --bin thl
//!     cargo bench -p replog-tests --bench remote [-- FILE]
//!
//! A throwaway MariaDB (fixtures/mariadb/server.sh: temp datadir, unix socket only)
//! serves a copy of the large binary log as its own first log (`big-bin.000001` in its
//! index; the server starts `big-bin.000002` beside it), and every client reads it from
//! the start over the socket, as root (no password). Measured (best of `BENCH_REPS`
//! runs, default 2, after one run that warms the page cache):
//!
//! - `thl events -remote` (the listing, `-v` and `-json`) to /dev/null;
//! - `thl backup -remote` into a fresh directory (fsyncs included);
//! - `mariadb-binlog --read-from-remote-server --base64-output=decode-rows -v` to
//!   /dev/null, and with `--raw` into a fresh directory.
//!
//! The CPU columns count the client only (the server is not a child of the bench),
//! so the wall-clock time includes the server's side of the stream and the CPU time
//! does not.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use replog::binlog::{Frames, ReadOptions};
use replog::input::LogBytes;

use common::Table;

/// The server's name for the log it serves.
const LOG: &str = "big-bin.000001";

fn main() {
    let (file, mb, reps) = common::big_binlog();
    let thl = common::release_thl();
    let mariadb_binlog = replog_tests::installed("mariadb-binlog")
        .expect("mariadb-binlog is not installed (Debian: mariadb-client)");
    let events = count_events(&file);
    let server = Server::start(&file);
    let url = format!(
        "mysql://root@localhost?socket={}",
        server.socket().display()
    );
    let scratch = tempfile::tempdir_in(server.dir.path()).unwrap();
    let fresh_dir = |name: &str| -> PathBuf {
        let dir = scratch.path().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    };

    let thl_events = |extra: &[&str]| {
        let mut cmd = Command::new(&thl);
        cmd.env("MYSQL_PWD", "")
            .args(["events", "-remote", &url, "-file", LOG])
            .args(extra);
        cmd
    };
    let remote_binlog = |extra: &[&str]| {
        let mut cmd = Command::new(&mariadb_binlog);
        cmd.args(["--no-defaults", "--read-from-remote-server", "--user=root"])
            .arg(format!("--socket={}", server.socket().display()))
            .args(extra)
            .arg(LOG);
        cmd
    };
    // The page cache warmed, and the server's first reading of the file paid.
    common::run_sampled(&mut thl_events(&[]));

    let mut table = Table::new(mb).with_rate(events, "events");
    table.run_command("thl events -remote > /dev/null", reps, || thl_events(&[]));
    table.run_command("thl events -remote -v > /dev/null", reps, || {
        thl_events(&["-v"])
    });
    table.run_command("thl events -remote -json > /dev/null", reps, || {
        thl_events(&["-json"])
    });
    let backup_dir = scratch.path().join("backup");
    table.run_command("thl backup -remote", reps, || {
        let dir = fresh_dir("backup");
        let mut cmd = Command::new(&thl);
        cmd.env("MYSQL_PWD", "")
            .args(["backup", "-remote", &url, "-file", LOG, "-dir"])
            .arg(&dir);
        cmd
    });
    table.run_command("mariadb-binlog -R -v > /dev/null", reps, || {
        remote_binlog(&["--base64-output=decode-rows", "-v"])
    });
    table.run_command("mariadb-binlog -R --raw", reps, || {
        let dir = fresh_dir("raw");
        remote_binlog(&["--raw", &format!("--result-file={}/", dir.display())])
    });
    assert!(
        std::fs::read(backup_dir.join(LOG)).ok() == std::fs::read(&file).ok(),
        "the backup differs from the log served"
    );
    println!("events: {events}");
    table.print();

    let ratio = |a: &str, b: &str| {
        let (sa, sb) = (table.speed(a), table.speed(b));
        (sa.0 / sb.0, sa.1 / sb.1)
    };
    println!();
    println!("ratios, by wall-clock time and by CPU time:");
    for (ours, theirs) in [
        (
            "thl events -remote -v > /dev/null",
            "mariadb-binlog -R -v > /dev/null",
        ),
        (
            "thl events -remote -json > /dev/null",
            "mariadb-binlog -R -v > /dev/null",
        ),
        ("thl backup -remote", "mariadb-binlog -R --raw"),
    ] {
        let (wall, cpu) = ratio(ours, theirs);
        println!("  {ours:<38} vs {theirs:<34} {wall:>6.2}x {cpu:>6.2}x");
    }
    if let Some(load) = common::load_average() {
        println!("load average at the end: {load:.2}");
    }
}

/// The events of the log (those the server streams from it).
fn count_events(file: &Path) -> u64 {
    let bytes = LogBytes::open(file).unwrap();
    let name = file.display().to_string();
    Frames::new(name, bytes.bytes(), ReadOptions::default())
        .unwrap()
        .map(|event| event.map(|_| 1).unwrap_or(0))
        .sum()
}

/// The server serving the log, shut down when dropped.
struct Server {
    dir: tempfile::TempDir,
}

impl Server {
    /// A fresh datadir whose binary log index holds a copy of `log`, and a server on it.
    fn start(log: &Path) -> Server {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        // Beside the log, so that the copy stays on one file system.
        let dir = tempfile::tempdir_in(log.parent().unwrap_or(Path::new("."))).unwrap();
        let script = root.join("fixtures/mariadb/server.sh");
        let shell = |commands: &str| {
            let status = Command::new("bash")
                .arg("-c")
                .arg(format!(
                    "source {} && {commands} >/dev/null",
                    script.display()
                ))
                .status()
                .unwrap();
            assert!(status.success(), "{commands}: failed");
        };
        let data = dir.path().display().to_string();
        shell(&format!("server_install {data}"));
        std::fs::copy(log, dir.path().join("data").join(LOG)).unwrap();
        std::fs::write(dir.path().join("data/big-bin.index"), format!("./{LOG}\n")).unwrap();
        shell(&format!(
            "server_run {data} --log-bin=big-bin --binlog-format=ROW \
             --max-binlog-size=1073741824"
        ));
        Server { dir }
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("mysqld.sock")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("mariadb-admin")
            .args(["--no-defaults", "-uroot"])
            .arg(format!("--socket={}", self.socket().display()))
            .arg("shutdown")
            .status();
    }
}
