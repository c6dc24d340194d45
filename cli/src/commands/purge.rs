//! `thl purge`: delete whole log files from the oldest end.
//!
//! Unlike Tungsten, which may also truncate a file in the middle or cut the newest end
//! of the log, replog only ever deletes whole files, oldest first, so an interrupted
//! purge leaves a shorter log that is still gap-free and never a half-written file.
//! The range must therefore start at (or below) the log's first seqno; files lying
//! entirely within it are deleted, a file that `-high` ends inside is kept.
//! Safety: the directory must be writable and not locked by a running replicator, and
//! without `-y` the user must confirm on a terminal.

use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;

use super::{open_log, Log};
use crate::args::{Invocation, PurgeArgs};
use crate::failure::Failure;

/// The lock file a running replicator holds (spec 1.1).
const LOCK_FILE: &str = "disklog.lck";

/// Runs `thl purge`.
pub fn run(invocation: &Invocation, args: PurgeArgs, out: &mut impl Write) -> Result<(), Failure> {
    let log = open_log(invocation)?;
    let (min, max) = (log.index.min_seqno(), log.index.max_seqno());
    let low = args.range.low.unwrap_or(min);
    let high = args.range.high.unwrap_or(max);
    if low > high {
        return Err(Failure::Error(
            "Invalid range:  -low must be equal to or lower than -high value".into(),
        ));
    }
    if low > min {
        return Err(Failure::Fatal(format!(
            "Deletion range invalid; must include the log's first seqno {min}: low seqno={low} \
             high seqno={high} (purge deletes whole files from the oldest end)"
        )));
    }
    check_writable(&log)?;

    let doomed: Vec<_> = log
        .index
        .entries()
        .iter()
        .take_while(|e| e.end_seqno <= high)
        .collect();
    let kept = log.index.entries().get(doomed.len());
    let Some(last_doomed) = doomed.last() else {
        match kept {
            Some(k) => writeln!(
                out,
                "Nothing to delete: {} holds SEQ# {} to {} and purge deletes whole files only.",
                k.file_name, k.start_seqno, k.end_seqno
            )?,
            None => writeln!(out, "Nothing to delete: the log is empty.")?,
        }
        return Ok(());
    };
    writeln!(
        out,
        "WARNING: The purge command will break replication if you delete all events or delete \
         events that have not reached all slaves."
    )?;
    writeln!(
        out,
        "Deleting {} file(s) holding SEQ# {} to {}:",
        doomed.len(),
        doomed.first().map_or(min, |e| e.start_seqno),
        last_doomed.end_seqno
    )?;
    for e in &doomed {
        writeln!(
            out,
            "  {} (SEQ# {} to {})",
            e.file_name, e.start_seqno, e.end_seqno
        )?;
        // Left behind, the copy would take the deleted file's place at the next run.
        if let Some(copy) = log.dir.ignored_copy_of(&e.file_name) {
            writeln!(out, "  {copy} (compressed copy of {})", e.file_name)?;
        }
    }
    if let Some(k) = kept {
        if k.start_seqno <= high {
            writeln!(
                out,
                "Keeping {} (SEQ# {} to {}): purge deletes whole files only.",
                k.file_name, k.start_seqno, k.end_seqno
            )?;
        }
    }
    if !args.yes && !confirm(out)? {
        writeln!(out, "Nothing done.")?;
        return Ok(());
    }
    for e in &doomed {
        let copy = log.dir.ignored_copy_of(&e.file_name);
        for name in copy.into_iter().chain([e.file_name.as_str()]) {
            let path = log.file_path(name);
            fs::remove_file(&path).map_err(|err| {
                Failure::Fatal(format!("Unable to delete {}: {err}", path.display()))
            })?;
        }
    }
    writeln!(
        out,
        "Transactions deleted; the log now starts at SEQ# {}.",
        last_doomed.end_seqno + 1
    )?;
    Ok(())
}

/// Asks on the terminal; refuses when stdin is not one (a script must say `-y`).
fn confirm(out: &mut impl Write) -> Result<bool, Failure> {
    let stdin = io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::usage(
            "purge asks for confirmation and stdin is not a terminal; use -y to purge without asking",
        ));
    }
    write!(out, "Are you sure you wish to delete these events [y/N]? ")?;
    out.flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim_start().chars().next(),
        Some('y' | 'Y')
    ))
}

/// Tungsten's "not writable" refusal, for a read-only directory or a running replicator.
fn check_writable(log: &Log) -> Result<(), Failure> {
    let dir = log.dir.path();
    let refuse = |why: String| {
        Failure::Fatal(format!(
            " The disk log is not writable and cannot be purged: {why}. If a replication \
             service is currently running, please set the service offline first using \
             'trepctl -service svc offline'"
        ))
    };
    let read_only = fs::metadata(dir)
        .map(|m| m.permissions().readonly())
        .unwrap_or(true);
    if read_only || !can_create_in(dir) {
        return Err(refuse(format!("{} is read-only", dir.display())));
    }
    if let Some(pid) = lock_holder(&dir.join(LOCK_FILE)) {
        return Err(refuse(format!("process {pid} holds {LOCK_FILE}")));
    }
    Ok(())
}

/// Whether a file can be created in `dir` (checks what permission bits cannot: ACLs,
/// read-only mounts, another user's directory).
fn can_create_in(dir: &Path) -> bool {
    let probe = dir.join(format!(".thl-purge-check-{}", std::process::id()));
    match OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => fs::remove_file(&probe).is_ok(),
        Err(_) => false,
    }
}

/// The process holding a POSIX lock on `lock` (Java's `FileChannel.tryLock` takes one),
/// found in `/proc/locks`. None when there is no such file or no lock.
#[cfg(target_os = "linux")]
fn lock_holder(lock: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(lock).ok()?;
    let dev = meta.dev();
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let locks = fs::read_to_string("/proc/locks").ok()?;
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // "1: POSIX ADVISORY WRITE <pid> <maj>:<min>:<inode> <start> <end>"; waiters
        // carry an extra "->" field after the number.
        let fields = match fields.get(1) {
            Some(&"->") => fields.get(1..)?,
            _ => fields.get(..)?,
        };
        let pid: u32 = fields.get(4)?.parse().ok()?;
        let mut id = fields.get(5)?.split(':');
        let lock_major = u64::from_str_radix(id.next()?, 16).ok()?;
        let lock_minor = u64::from_str_radix(id.next()?, 16).ok()?;
        let inode: u64 = id.next()?.parse().ok()?;
        let same = lock_major == major && lock_minor == minor && inode == meta.ino();
        (same && pid != std::process::id()).then_some(pid)
    })
}

#[cfg(not(target_os = "linux"))]
fn lock_holder(_lock: &Path) -> Option<u32> {
    None
}
