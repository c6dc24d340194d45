//! Binary logs as THL transactions: how fast replog extracts, lists and assigns them,
//! and what memory it takes, on one large binary log.
//!
//!     fixtures/bench/make-big-binlog.sh
//!     cargo build --release -p replog-cli --bin thl
//!     cargo bench -p replog-tests --bench txn        # [-- FILE]; BENCH_REPS=N (default 2)
//!
//! (a) the library's extraction (`txn::binlog::walk_transactions`: every event decoded,
//! every row mapped to THL values, every record encoded); (b) `thl extract` into a new
//! THL directory, `thl list -file` (headers, full text) and `thl shards -file`, each
//! with its peak memory; (c) what a DBA would otherwise run on the same data:
//! `mariadb-binlog -v` over the binlog, and the reference Java `thl list` over the THL
//! `thl extract` wrote (when `java` and `../shared/tools/ref-thl` are there), beside
//! replog's `thl list` of that THL. Ratios are printed at the end. No peer extracts
//! binlogs to THL offline (Tungsten's extractor needs a running replicator).
//! (d) parallel apply: `thl parallel` (every policy) over the binlog, and, on the THL
//! log `make-big-thl` writes (many small transactions, when present), the shard
//! assignment alone (`thl shards`) and `thl parallel`, in transactions per second.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{mib, run_sampled, which, Table};
use replog::binlog::stream::Stream;
use replog::input::OpenOptions;
use replog::thl::{LogDir, ReadOptions};
use replog::txn::binlog::walk_transactions;
use replog::txn::extract::ExtractOptions;
use replog::txn::thl::ThlWalk;
use replog::{Error, Flow};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let (file, mb, reps) = common::big_binlog();
    let files = vec![file.display().to_string()];
    // Warm the page cache and count what the log holds.
    let (transactions, fragments) = extract(&files);
    println!("transactions: {transactions}, THL fragment records: {fragments}");

    let mut table = Table::new(mb).with_rate(transactions, "txns");
    table.run("(a) library extraction (records built)", reps, || {
        extract(&files).0
    });
    let thl = common::release_thl();
    let out = tempfile::tempdir().unwrap();
    let thl_dir = out.path().join("thl");
    table.run_command("(b) thl extract (new THL directory)", reps, || {
        let _ = std::fs::remove_dir_all(&thl_dir);
        let mut cmd = Command::new(&thl);
        cmd.args([
            "extract",
            "-service",
            "bench",
            "-source-id",
            "bench",
            "-dir",
        ])
        .arg(&thl_dir)
        .arg("-file")
        .arg(&file);
        cmd
    });
    let on_binlog = |args: &[&str]| {
        let mut cmd = Command::new(&thl);
        cmd.args(args).arg("-file").arg(&file);
        cmd
    };
    table.run_command("(b) thl list -file -headers", reps, || {
        on_binlog(&["list", "-headers"])
    });
    table.run_command("(b) thl list -file -charset utf8", reps, || {
        on_binlog(&["list", "-charset", "utf8"])
    });
    table.run_command("(b) thl shards -channels 8 -file", reps, || {
        on_binlog(&["shards", "-channels", "8"])
    });
    table.run_command("(c) thl -dir THL list -charset utf8", reps, || {
        let mut cmd = Command::new(&thl);
        cmd.arg("-dir")
            .arg(&thl_dir)
            .args(["list", "-charset", "utf8"]);
        cmd
    });
    let reference = reference_thl(&root);
    if let Some(java_thl) = &reference {
        let conf = out.path().join("static-bench.properties");
        std::fs::write(
            &conf,
            format!("replicator.store.thl.log_dir={}\n", thl_dir.display()),
        )
        .unwrap();
        table.run_command("(c) Java thl list -charset utf8 (THL)", reps, || {
            let mut cmd = Command::new(java_thl);
            cmd.arg("-conf")
                .arg(&conf)
                .args(["list", "-charset", "utf8"]);
            cmd
        });
    } else {
        println!("reference Java thl not available: (c) has no Java row");
    }
    table.run_command("(d) thl parallel -channels 1,2,4,8,16 -file", reps, || {
        on_binlog(&["parallel", "-channels", "1,2,4,8,16"])
    });
    let mariadb_binlog = which("mariadb-binlog").or_else(|| which("mysqlbinlog"));
    if let Some(tool) = &mariadb_binlog {
        table.run_command("(c) mariadb-binlog -v (binlog)", reps, || {
            let mut cmd = Command::new(tool);
            cmd.args(["--base64-output=decode-rows", "-v"]).arg(&file);
            cmd
        });
    }
    table.print();
    parallel_on_thl(&root, &thl, reps);

    println!();
    println!("ratios (wall-clock, CPU):");
    let ratio = |a: &str, b: &str| {
        let (sa, sb) = (table.speed(a), table.speed(b));
        println!("  {a} vs {b}: {:.2}x, {:.2}x", sa.0 / sb.0, sa.1 / sb.1);
    };
    if reference.is_some() {
        ratio(
            "(c) thl -dir THL list -charset utf8",
            "(c) Java thl list -charset utf8 (THL)",
        );
        ratio(
            "(b) thl list -file -charset utf8",
            "(c) Java thl list -charset utf8 (THL)",
        );
    }
    if mariadb_binlog.is_some() {
        ratio(
            "(b) thl list -file -charset utf8",
            "(c) mariadb-binlog -v (binlog)",
        );
    }
    // Memory must not grow with the log: compare with a 95 KB one.
    let small = replog_tests::project_fixture("mariadb/types-bin.000001");
    let small_dir = out.path().join("small");
    let small_rss = run_sampled(
        Command::new(&thl)
            .args(["extract", "-service", "bench", "-dir"])
            .arg(&small_dir)
            .arg("-file")
            .arg(&small),
    );
    if let Some(big) = table.memory("(b) thl extract (new THL directory)") {
        println!(
            "thl extract peak memory: {:.1} MiB anonymous on this log, {:.1} MiB on the 95 KB \
             types-bin.000001 (plus {:.1} MiB of the mapped file)",
            mib(big.anon_kib),
            mib(small_rss.anon_kib),
            mib(big.file_kib)
        );
    }
}

/// (d) on the THL log of `make-big-thl`: assignment and simulation per transaction.
fn parallel_on_thl(root: &Path, thl: &Path, reps: usize) {
    let dir = root.join("bench-data/thl");
    let Ok(log) = LogDir::open(&dir) else {
        println!("\n{} not found (cargo run --release -p replog-tests --example make-big-thl): no (d) THL rows", dir.display());
        return;
    };
    let mut bytes = 0u64;
    let mut transactions = 0u64;
    let names: Vec<String> = log.file_names().to_vec();
    for name in &names {
        bytes += std::fs::metadata(log.file_path(name)).unwrap().len();
    }
    let walk = ThlWalk {
        read: ReadOptions::tungsten(),
        permissive: false,
        check_ahead: false,
        release_behind: true,
    };
    walk.walk(
        &log,
        names.iter().map(String::as_str),
        &mut |_| -> Result<Flow, Error> {
            transactions += 1;
            Ok(Flow::Continue)
        },
        &mut |e| panic!("{e}"),
    )
    .unwrap();
    println!(
        "\nTHL log {}: {transactions} transactions, {:.1} MB",
        dir.display(),
        bytes as f64 / 1e6
    );
    let mut table = Table::new(bytes as f64 / 1e6).with_rate(transactions, "txns");
    let on_thl = |args: &[&str]| {
        let mut cmd = Command::new(thl);
        cmd.arg("-dir").arg(&dir).args(args);
        cmd
    };
    table.run_command("(d) thl shards -channels 8 (THL)", reps, || {
        on_thl(&["shards", "-channels", "8"])
    });
    table.run_command("(d) thl parallel -channels 1,2,4,8,16 (THL)", reps, || {
        on_thl(&["parallel", "-channels", "1,2,4,8,16"])
    });
    table.print();
}

/// Extracts `files` with the library; (transactions, fragment records).
fn extract(files: &[String]) -> (u64, u64) {
    let mut fragments = 0u64;
    let summary = walk_transactions(
        files,
        Stream::new(OpenOptions::default()),
        ExtractOptions::new("bench", "bench"),
        &mut |txn| -> Result<Flow, Error> {
            fragments += txn.fragments.len() as u64;
            Ok(Flow::Continue)
        },
        &mut |e| panic!("{e}"),
    )
    .unwrap();
    (summary.transactions, fragments)
}

/// The reference Java `thl`, when it and `java` are there.
fn reference_thl(root: &Path) -> Option<PathBuf> {
    let tool = root.join("../shared/tools/ref-thl/thl");
    let java = Command::new("java").arg("-version").output();
    (tool.is_file() && java.is_ok_and(|o| o.status.success())).then_some(tool)
}
