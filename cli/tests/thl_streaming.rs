//! Binary logs that are not mapped (standard input, `.gz` and `.zst` files, special
//! files) are read through a sliding window, one event at a time: any size is read in
//! bounded memory, and what is not a log is refused after its first bytes (README,
//! "Compressed logs and pipes").
//!
//! The logs here are made by repeating the events of the MariaDB types fixture (every
//! column type, table maps and row events) between its format description and its
//! closing ROTATE, so that their size, and their event count, is what a test needs.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{finish, thl_command, Run};

fn types_fixture() -> Vec<u8> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/mariadb/types-bin.000001");
    std::fs::read(path).unwrap()
}

/// The fixture's events split by their headers' `event_size` (at +9, after the magic).
fn events_of(log: &[u8]) -> Vec<&[u8]> {
    let mut events = Vec::new();
    let mut at = 4;
    while at < log.len() {
        let size = u32::from_le_bytes(log[at + 9..at + 13].try_into().unwrap()) as usize;
        events.push(&log[at..at + size]);
        at += size;
    }
    events
}

/// A closed log of at least `min_len` bytes: the fixture's magic and format
/// description, its other events repeated, its closing ROTATE. Returns it with its
/// event count.
fn log_of_at_least(min_len: usize) -> (Vec<u8>, usize) {
    let fixture = types_fixture();
    let events = events_of(&fixture);
    let (fde, rest) = events.split_first().unwrap();
    let (rotate, middle) = rest.split_last().unwrap();
    let mut log = fixture[..4].to_vec();
    log.extend_from_slice(fde);
    let mut count = 1;
    while log.len() < min_len {
        for event in middle {
            log.extend_from_slice(event);
        }
        count += middle.len();
    }
    log.extend_from_slice(rotate);
    (log, count + 1)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Runs `cmd` with `input` written to its standard input from another thread (the
/// output is read meanwhile, so neither pipe fills up).
fn run_with_input(cmd: &mut Command, input: Vec<u8>) -> Run {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // A reader that stops early (a refused input) closes the pipe: not an error here.
        let _ = stdin.write_all(&input);
    });
    let run = finish(child.wait_with_output().unwrap());
    writer.join().unwrap();
    run
}

/// `thl` with a 1 MiB in-memory limit: what was held whole before had to fit in it.
fn thl_limited() -> Command {
    let mut cmd = thl_command();
    cmd.env("THL_READ_LIMIT_MB", "1");
    cmd
}

/// Listing lines without their first column (the input's name).
fn without_names(listing: &str) -> Vec<&str> {
    listing
        .lines()
        .map(|l| l.split_once('\t').map_or(l, |(_, rest)| rest))
        .collect()
}

#[test]
fn a_pipe_and_a_gz_file_larger_than_the_in_memory_limit_are_read_whole() {
    let (log, count) = log_of_at_least(6 << 20);
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("big-bin.000001");
    std::fs::write(&plain, &log).unwrap();
    let mapped = thl_limited()
        .args(["events", "-file", plain.to_str().unwrap()])
        .output()
        .unwrap();
    let mapped = finish(mapped).ok();
    assert_eq!(mapped.lines().count(), count);

    let piped = run_with_input(thl_limited().args(["events", "-file", "-"]), log.clone()).ok();
    assert_eq!(piped.lines().count(), count);
    assert!(
        piped.starts_with("<stdin>\t4\tFORMAT_DESCRIPTION_EVENT"),
        "{}",
        &piped[..80]
    );
    assert_eq!(without_names(&piped), without_names(&mapped));

    let gz = tmp.path().join("big-bin.000001.gz");
    std::fs::write(&gz, gzip(&log)).unwrap();
    let inflated = thl_limited()
        .args(["events", "-file", gz.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        without_names(&finish(inflated).ok()),
        without_names(&mapped)
    );

    let packed = zstd::encode_all(&log[..], 1).unwrap();
    let zst = tmp.path().join("big-bin.000001.zst");
    std::fs::write(&zst, packed).unwrap();
    let inflated = thl_limited()
        .args(["events", "-file", zst.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        without_names(&finish(inflated).ok()),
        without_names(&mapped)
    );
}

#[test]
fn list_and_extract_read_compressed_logs_and_pipes_as_they_read_files() {
    let (log, _) = log_of_at_least(3 << 20);
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("big-bin.000001");
    std::fs::write(&plain, &log).unwrap();
    let gz = tmp.path().join("big-bin.000001.gz");
    std::fs::write(&gz, gzip(&log)).unwrap();
    let listed = |file: &Path| {
        let run = thl_limited()
            .args(["list", "-headers", "-file", file.to_str().unwrap()])
            .output()
            .unwrap();
        finish(run).ok()
    };
    let from_file = listed(&plain);
    assert!(from_file.lines().count() > 1000, "{from_file}");
    assert_eq!(listed(&gz), from_file);

    let extract = |dir: &Path, file: &str, input: Vec<u8>| {
        let run = run_with_input(
            thl_limited().args([
                "-service",
                "alpha",
                "-dir",
                dir.to_str().unwrap(),
                "extract",
                "-file",
                file,
            ]),
            input,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let listing = thl_command()
            .args(["-dir", dir.to_str().unwrap(), "list", "-headers"])
            .output()
            .unwrap();
        finish(listing).ok()
    };
    let from_file = extract(&tmp.path().join("a"), plain.to_str().unwrap(), Vec::new());
    let from_pipe = extract(&tmp.path().join("b"), "-", log);
    assert!(from_file.lines().count() > 1000, "{from_file}");
    // A pipe has no file name for the eventIds: they name `<stdin>`.
    assert_eq!(from_pipe.replace("<stdin>:", "big-bin.000001:"), from_file);
}

/// Peak anonymous memory (KiB) of a run reading `input` from standard input, sampled
/// from `/proc/PID/status` (its high-water mark, and RssAnon while it runs).
fn peak_memory_kib(cmd: &mut Command, input: Vec<u8>) -> u64 {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            for field in ["VmHWM:", "RssAnon:"] {
                let kib = text
                    .lines()
                    .find_map(|l| l.strip_prefix(field))
                    .and_then(|v| v.split_whitespace().next())
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
                peak = peak.max(kib);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{cmd:?} failed: {status}");
            writer.join().unwrap().unwrap();
            return peak;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_pipe_is_read_in_bounded_memory_whatever_its_size() {
    // 64 MiB through the default (1 GiB) limit: the window, not the limit, bounds it.
    let (log, _) = log_of_at_least(64 << 20);
    let peak = peak_memory_kib(thl_command().args(["events", "-file", "-"]), log);
    assert!(peak > 0, "no memory figure could be read");
    assert!(
        peak < 24 << 10,
        "reading a 64 MiB pipe took {peak} KiB at its peak"
    );
}

#[test]
fn threads_cut_mapped_files_only_and_leave_pipes_and_gz_files_to_the_window() {
    let (log, count) = log_of_at_least(2 << 20);
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("big-bin.000001");
    std::fs::write(&plain, &log).unwrap();
    let gz = tmp.path().join("big-bin.000001.gz");
    std::fs::write(&gz, gzip(&log)).unwrap();
    let events = |threads: &str, file: &Path| {
        let args = [
            "events",
            "-threads",
            threads,
            "-file",
            file.to_str().unwrap(),
        ];
        finish(thl_command().args(args).output().unwrap()).ok()
    };
    let serial = events("1", &plain);
    assert_eq!(serial.lines().count(), count);
    assert_eq!(events("4", &plain), serial);
    assert_eq!(without_names(&events("4", &gz)), without_names(&serial));
    let piped = run_with_input(
        thl_command().args(["events", "-threads", "4", "-file", "-"]),
        log,
    )
    .ok();
    assert_eq!(without_names(&piped), without_names(&serial));

    // Not held whole for pieces: a pipe stays in bounded memory whatever -threads says.
    let (big, _) = log_of_at_least(64 << 20);
    let args = ["events", "-threads", "4", "-file", "-"];
    let peak = peak_memory_kib(thl_command().args(args), big);
    assert!(peak > 0, "no memory figure could be read");
    assert!(
        peak < 24 << 10,
        "reading a 64 MiB pipe on 4 threads took {peak} KiB at its peak"
    );
}

#[test]
fn what_is_not_a_log_is_refused_after_its_first_bytes() {
    // /dev/zero never ends: only its first bytes may be read.
    let run = thl_command()
        .args(["events", "-file", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(
        finish(run).fails(),
        "Fatal error: /dev/zero: at byte 0: not a binary log: expected magic fe62696e, \
         found 00000000\n"
    );
    let tmp = tempfile::tempdir().unwrap();
    for (name, magic, format) in [
        ("log.xz", &b"\xfd7zXZ\x00\x00\x04"[..], "xz"),
        ("log.bz2", &b"BZh91AY&SY"[..], "bzip2"),
    ] {
        let path = tmp.path().join(name);
        std::fs::write(&path, magic).unwrap();
        let run = thl_command()
            .args(["events", "-file", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(
            finish(run).fails(),
            format!(
                "Fatal error: {}: at byte 0: {format}-compressed input; expected a binary \
                 log, plain or compressed with gzip or zstd: decompress it first ({format} \
                 -dc FILE | thl events -file -)\n",
                path.display()
            )
        );
    }
    let run = run_with_input(
        thl_command().args(["events", "-file", "-"]),
        b"hello, not a log".repeat(1 << 16),
    );
    assert_eq!(
        run.fails(),
        "Fatal error: <stdin>: at byte 0: not a binary log: expected magic fe62696e, found \
         68656c6c\n"
    );
}

#[test]
fn an_event_larger_than_the_limit_is_refused_with_its_size() {
    let (mut log, _) = log_of_at_least(1);
    // The first event after the format description now declares 2 MiB.
    let fde_size = u32::from_le_bytes(log[4 + 9..4 + 13].try_into().unwrap()) as usize;
    let at = 4 + fde_size;
    log[at + 9..at + 13].copy_from_slice(&(2u32 << 20).to_le_bytes());
    log.resize(4 << 20, 0);
    let run = run_with_input(thl_limited().args(["events", "-file", "-"]), log);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert_eq!(
        run.stderr,
        format!(
            "Fatal error: <stdin>: at byte {at}: event declares 2097152 bytes, more than the \
             1048576-byte in-memory limit for one event of a streamed input; expected a \
             smaller event (a damaged size field, or a log written with a larger \
             max_allowed_packet), or raise the limit with THL_READ_LIMIT_MB=MiB\n"
        )
    );
}
