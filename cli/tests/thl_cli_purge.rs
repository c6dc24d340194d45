//! `thl purge` on temporary copies of the synthetic rotated log (files 0..2, 3..11,
//! 12..18, 19..22 per the fixture README), and the closed-pipe rule of `thl list`.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use common::{copy_fixture, data_files, thl, Run};

fn index_of(dir: &str) -> String {
    thl(&["-dir", dir, "index"]).ok()
}

/// Runs `thl -dir DIR purge ARGS`.
fn purge(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["-dir", dir.to_str().unwrap(), "purge"];
    all.extend_from_slice(args);
    thl(&all)
}

/// Runs a purge that must be refused: status 1 and every data file still there.
/// Returns the message.
fn refused(dir: &Path, args: &[&str]) -> String {
    let err = purge(dir, args).fails();
    assert_eq!(data_files(dir), ALL_FILES, "nothing deleted: {err}");
    err
}

const ALL_FILES: [&str; 4] = [
    "thl.data.0000000001",
    "thl.data.0000000002",
    "thl.data.0000000003",
    "thl.data.0000000004",
];

#[test]
fn purges_whole_files_from_the_oldest_end() {
    replog_tests::require_corpus!();
    let tmp = copy_fixture("synthetic-4.1.0");
    let dir = tmp.path().to_str().unwrap();
    let out = purge(tmp.path(), &["-high", "11", "-y"]).ok();
    assert!(
        out.contains("  thl.data.0000000001 (SEQ# 0 to 2)\n  thl.data.0000000002 (SEQ# 3 to 11)\n"),
        "{out}"
    );
    assert_eq!(
        data_files(tmp.path()),
        ["thl.data.0000000003", "thl.data.0000000004"]
    );
    assert_eq!(
        index_of(dir),
        "LogIndexEntry thl.data.0000000003(12:18)\nLogIndexEntry thl.data.0000000004(19:22)\n\n"
    );
    // What is left still lists from its new first seqno.
    let first = thl(&["-dir", dir, "list", "-headers", "-first", "1"]).ok();
    assert!(first.starts_with("12\t3\t0\ttrue\t"), "{first}");
}

#[test]
fn keeps_a_file_the_range_ends_inside() {
    replog_tests::require_corpus!();
    let tmp = copy_fixture("synthetic-4.1.0");
    let out = purge(tmp.path(), &["-low", "0", "-high", "14", "-y"]).ok();
    assert!(
        out.contains("Keeping thl.data.0000000003 (SEQ# 12 to 18)"),
        "{out}"
    );
    assert_eq!(
        data_files(tmp.path()),
        ["thl.data.0000000003", "thl.data.0000000004"]
    );
    // Nothing to delete when -high ends inside the first file.
    let out = purge(tmp.path(), &["-high", "13", "-y"]).ok();
    assert_eq!(
        out,
        "Nothing to delete: thl.data.0000000003 (SEQ# 12 to 18) holds seqnos above 13 and \
         purge deletes whole files only.\n"
    );
    assert_eq!(data_files(tmp.path()).len(), 2);
}

#[test]
fn refuses_ranges_not_starting_at_the_first_seqno() {
    replog_tests::require_corpus!();
    let tmp = copy_fixture("synthetic-4.1.0");
    let err = refused(tmp.path(), &["-low", "12", "-y"]);
    assert!(
        err.starts_with("Fatal error: Deletion range invalid"),
        "{err}"
    );
}

#[test]
fn refuses_without_confirmation_when_stdin_is_not_a_terminal() {
    replog_tests::require_corpus!();
    let tmp = copy_fixture("synthetic-4.1.0");
    let err = refused(tmp.path(), &["-high", "2"]);
    assert!(err.contains("use -y"), "{err}");
}

#[test]
fn refuses_a_read_only_directory() {
    replog_tests::require_corpus!();
    let tmp = copy_fixture("synthetic-4.1.0");
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let err = refused(tmp.path(), &["-high", "2", "-y"]);
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        err.starts_with("Fatal error:  The disk log is not writable and cannot be purged"),
        "{err}"
    );
}

#[test]
fn purging_everything_empties_the_directory() {
    replog_tests::require_corpus!();
    let tmp = copy_fixture("synthetic-4.1.0");
    purge(tmp.path(), &["-y"]).ok();
    assert!(data_files(tmp.path()).is_empty());
}

#[test]
fn closed_pipe_ends_quietly_with_status_0() {
    replog_tests::require_corpus!();
    // The reader is gone before thl writes anything, so the first write fails with
    // EPIPE (`thl list | head -1` once head has exited).
    let dir = common::thl_dir("synthetic-4.1.0");
    let mut child = common::thl_command()
        .args(["-dir", dir.to_str().unwrap(), "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn head_of_a_pipeline() {
    replog_tests::require_corpus!();
    let dir = common::thl_dir("synthetic-4.1.0");
    let script = format!(
        "'{}' -dir '{}' list | head -1; echo \"status=${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_thl"),
        dir.display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "SEQ# = 0 / FRAG# = 0 (last frag)\nstatus=0\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn refuses_a_log_locked_by_a_running_replicator() {
    replog_tests::require_corpus!();
    // A replicator holds a POSIX lock on disklog.lck (spec 1.1; Java's FileChannel
    // lock is an fcntl lock). Python's lockf takes the same kind of lock.
    use std::io::BufRead;
    let tmp = copy_fixture("synthetic-4.1.0");
    let lock = tmp.path().join("disklog.lck");
    std::fs::write(&lock, b"").unwrap();
    let script = "import fcntl, sys, time\n\
                  f = open(sys.argv[1], 'r+')\n\
                  fcntl.lockf(f, fcntl.LOCK_EX)\n\
                  print('locked', flush=True)\n\
                  time.sleep(30)\n";
    let mut holder = std::process::Command::new("python3")
        .args(["-c", script, lock.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    std::io::BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "locked\n");
    let run = purge(tmp.path(), &["-high", "2", "-y"]);
    holder.kill().unwrap();
    holder.wait().unwrap();
    let err = run.fails();
    assert!(
        err.contains(&format!("process {} holds disklog.lck", holder.id())),
        "{err}"
    );
    assert_eq!(data_files(tmp.path()), ALL_FILES);
    // Once the replicator is gone, the purge goes through.
    purge(tmp.path(), &["-high", "2", "-y"]).ok();
    assert_eq!(data_files(tmp.path()).len(), 3);
}

/// Runs `thl -dir DIR purge -high 2` on a terminal (util-linux `script` provides one)
/// and answers `answer`.
fn purge_on_a_terminal(dir: &str, answer: &str) -> String {
    use std::io::Write;
    let command = format!("'{}' -dir '{dir}' purge -high 2", env!("CARGO_BIN_EXE_thl"));
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("util-linux script runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn asks_on_a_terminal() {
    replog_tests::require_corpus!();
    let tmp = copy_fixture("synthetic-4.1.0");
    let dir = tmp.path().to_str().unwrap();
    let declined = purge_on_a_terminal(dir, "n\n");
    // The terminal echoes the typed answer either before or after the prompt, depending
    // on when `thl` starts reading, so the prompt and the verdict are checked apart.
    assert!(
        declined.contains("Are you sure you wish to delete these events [y/N]? "),
        "{declined}"
    );
    assert!(declined.contains("Nothing done."), "{declined}");
    assert_eq!(data_files(tmp.path()), ALL_FILES);
    let accepted = purge_on_a_terminal(dir, "y\n");
    assert!(
        accepted.contains("the log now starts at SEQ# 3"),
        "{accepted}"
    );
    assert_eq!(data_files(tmp.path()), &ALL_FILES[1..]);
}

#[test]
fn never_deletes_fragments_of_an_unfinished_transaction() {
    replog_tests::require_corpus!();
    // The 2.2.1 log cut after seqno 7's second fragment (its third starts at 8986,
    // fixture README 1.2): the log's maximum is 6 (spec 3.2), but the file also holds
    // seqno 7's fragments 0 (at 7552) and 1. `-high 6`, or no range at all, must keep it.
    let tmp = copy_fixture("tungsten-2.2.1");
    let file = tmp.path().join("thl.data.0000000001");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..8986]).unwrap();
    let dir = tmp.path().to_str().unwrap();
    for args in [&["purge", "-high", "6", "-y"][..], &["purge", "-y"]] {
        let mut all = vec!["-dir", dir];
        all.extend_from_slice(args);
        assert_eq!(
            thl(&all).ok(),
            "Nothing to delete: thl.data.0000000001 (SEQ# 0 to 6) also holds SEQ# 7 \
             (FRAG# 0 at byte 7552), above 6.\n",
            "{args:?}"
        );
        assert_eq!(std::fs::read(&file).unwrap(), &bytes[..8986]);
    }
    // Cut inside a record instead, the file ends in bytes whose seqno nobody knows.
    std::fs::write(&file, &bytes[..8986 + 50]).unwrap();
    let out = thl(&["-dir", dir, "purge", "-y"]).ok();
    assert!(
        out.starts_with("Nothing to delete: thl.data.0000000001 (SEQ# 0 to 6)"),
        "{out}"
    );
    assert_eq!(data_files(tmp.path()), ["thl.data.0000000001"]);
}

#[test]
fn the_newest_file_goes_only_with_its_last_transaction() {
    replog_tests::require_corpus!();
    // The whole 2.2.1 log (seqnos 0..7, seqno 7 complete): -high 6 keeps the one file,
    // -high 7 deletes it, as Tungsten empties a log purged to its end.
    let tmp = copy_fixture("tungsten-2.2.1");
    let dir = tmp.path().to_str().unwrap();
    let out = thl(&["-dir", dir, "purge", "-high", "6", "-y"]).ok();
    assert_eq!(
        out,
        "Nothing to delete: thl.data.0000000001 (SEQ# 0 to 7) holds seqnos above 6 and \
         purge deletes whole files only.\n"
    );
    assert_eq!(data_files(tmp.path()).len(), 1);
    let out = thl(&["-dir", dir, "purge", "-high", "7", "-y"]).ok();
    assert!(
        out.contains("  thl.data.0000000001 (SEQ# 0 to 7)\n"),
        "{out}"
    );
    assert!(data_files(tmp.path()).is_empty());
}

#[test]
fn nothing_is_written_to_the_log_directory_before_confirmation() {
    replog_tests::require_corpus!();
    // Creating and removing even a probe file changes the directory's mtime.
    let tmp = copy_fixture("synthetic-4.1.0");
    let mtime = || std::fs::metadata(tmp.path()).unwrap().modified().unwrap();
    let before = mtime();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let err = thl(&["-dir", tmp.path().to_str().unwrap(), "purge", "-high", "2"]).fails();
    assert!(err.contains("use -y"), "{err}");
    assert_eq!(mtime(), before);
    assert_eq!(data_files(tmp.path()), ALL_FILES);
}
