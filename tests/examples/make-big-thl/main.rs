//! Writes a large THL log with replog's own writer, for `cargo bench --bench thl`.
//!
//!     cargo run --release -p replog-tests --example make-big-thl [-- SIZE_MB [DIR]]
//!
//! SIZE_MB defaults to 600 (decimal megabytes), DIR to `bench-data/thl` (ignored by
//! git). The log replicates a made-up OLTP application (`catalog`) the way Tungsten's
//! MySQL extractor would log it (`workload`): row changes over several schemas,
//! statements, heartbeats, fragmented batch jobs. Files rotate at `FILE_SIZE`, CRCs
//! on. The same SIZE_MB always gives the same bytes: every value, the clocks included,
//! comes from a fixed seed. Running it again replaces DIR.

mod catalog;
mod rng;
mod values;
mod workload;

use std::path::{Path, PathBuf};
use std::time::Instant;

use replog::thl::writer::{LogWriter, WriteOptions};

/// Files rotate past this size, so the listing crosses file boundaries (the writer's
/// built-in 1 GB limit would leave one file).
const FILE_SIZE: u64 = 100_000_000;
const SEED: u64 = 0x7415_2024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size_mb: u64 = match args.first().map(|a| a.parse()) {
        None => 600,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => usage(),
    };
    if args.len() > 2 {
        usage();
    }
    let dir = args.get(1).map(PathBuf::from).unwrap_or_else(|| {
        // The workspace root: the parent of this crate's directory.
        let tests = Path::new(env!("CARGO_MANIFEST_DIR"));
        tests.parent().unwrap_or(tests).join("bench-data/thl")
    });
    // Write beside the target and swap at the end: an interrupted run leaves no
    // half-written log under the real name.
    let work = dir.with_extension("partial");
    remove_dir(&work);

    let start = Instant::now();
    let options = WriteOptions {
        max_file_size: FILE_SIZE,
        ..WriteOptions::default()
    };
    let mut writer = LogWriter::create(&work, options).unwrap_or_else(|e| fail(&e));
    let mut source = workload::Source::new(SEED);
    let target = size_mb * 1_000_000;
    let mut written: u64 = 0;
    while written < target {
        let txn = source.next_transaction();
        for fragno in 0..txn.fragments.len() {
            let event = txn.event(fragno);
            let data = event.encode();
            writer
                .append_data(event.record.seqno, event.record.fragno, &data)
                .unwrap_or_else(|e| fail(&e));
            // Record framing: length (4), CRC type (1), CRC (8).
            written += data.len() as u64 + 13;
        }
    }
    writer.finish().unwrap_or_else(|e| fail(&e));
    remove_dir(&dir);
    std::fs::rename(&work, &dir).unwrap_or_else(|e| fail(&e));

    let (files, bytes) = dir_size(&dir);
    let t = &source.tally;
    eprintln!(
        "make-big-thl: {}: {bytes} bytes in {files} files, {:.1} s",
        dir.display(),
        start.elapsed().as_secs_f64()
    );
    eprintln!(
        "  {} transactions (seqno 0..={}), {} event records, {} fragmented transactions",
        t.transactions,
        t.transactions - 1,
        t.events,
        t.fragmented
    );
    eprintln!(
        "  {} row changes holding {} rows, {} statements, {} heartbeats, {} transactions over several schemas",
        t.row_changes, t.rows, t.statements, t.heartbeats, t.multi_schema
    );
}

fn usage() -> ! {
    eprintln!("usage: make-big-thl [SIZE_MB [DIR]]");
    std::process::exit(2)
}

fn fail(e: &dyn std::fmt::Display) -> ! {
    eprintln!("make-big-thl: {e}");
    std::process::exit(1)
}

fn remove_dir(dir: &Path) {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => fail(&e),
        _ => {}
    }
}

/// Number of files in `dir` and their total size.
fn dir_size(dir: &Path) -> (u64, u64) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| fail(&e));
    entries.fold((0, 0), |(n, size), entry| {
        let len = entry.and_then(|e| e.metadata()).map_or(0, |m| m.len());
        (n + 1, size + len)
    })
}
