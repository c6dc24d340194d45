//! `thl purge`: delete whole log files from the oldest end.
//!
//! Unlike Tungsten, which may also truncate a file in the middle or cut the newest end
//! of the log, replog only ever deletes whole files, oldest first, so an interrupted
//! purge leaves a shorter log that is still gap-free and never a half-written file.
//! The range must therefore start at (or below) the log's first seqno; a file is
//! deleted only when every record in it, every fragment of every seqno, is at or below
//! `-high`. The index alone cannot tell: the newest file's range ends at its last
//! complete transaction, yet it may also hold fragments of an unfinished one (spec
//! 3.2), so each file is read before it is chosen. The newest file may go like any
//! other (Tungsten's `thl purge` without a range empties the log too, and a replicator
//! then starts a new one), but never while it holds an unfinished transaction or ends
//! in a damaged record, whose seqno nobody can vouch for.
//! Safety: the directory must be writable and not locked by a running replicator
//! (checked without writing anything into it), and without `-y` the user must confirm
//! on a terminal.

use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use replog::thl::{IndexEntry, ReadOptions, RecordKind};

use replog::txn::thl::transaction_end;

use super::{open_log, Log};
use crate::args::{Invocation, PurgeArgs};
use crate::failure::Failure;

/// The lock file a running replicator holds (spec 1.1).
const LOCK_FILE: &str = "disklog.lck";

/// Runs `thl purge`.
pub fn run(invocation: &Invocation, args: PurgeArgs, out: &mut impl Write) -> Result<(), Failure> {
    let log = open_log(invocation)?;
    let (min, max) = (log.index.min_seqno(), log.index.max_seqno());
    if max < 0 && min < 0 {
        writeln!(out, "Nothing to delete: the log is empty.")?;
        return Ok(());
    }
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

    let mut doomed: Vec<&IndexEntry> = Vec::new();
    let mut kept = None;
    for entry in log.index.entries() {
        match held_above(&log, entry, high) {
            None => doomed.push(entry),
            Some(why) => {
                kept = Some((entry, why));
                break;
            }
        }
    }
    let Some(last_doomed) = doomed.last() else {
        match kept {
            Some((k, why)) => writeln!(
                out,
                "Nothing to delete: {} (SEQ# {} to {}) {why}.",
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
    if let Some((k, why)) = &kept {
        if k.start_seqno <= high {
            writeln!(
                out,
                "Keeping {} (SEQ# {} to {}): it {why}.",
                k.file_name, k.start_seqno, k.end_seqno
            )?;
        }
    }
    if !args.yes {
        if !confirm(out)? {
            writeln!(out, "Nothing done.")?;
            return Ok(());
        }
        // A replicator may have started while the question was open.
        check_writable(&log)?;
    }
    // Each file with its compressed copy first: left behind, the copy would take the
    // deleted file's place at the next run.
    let groups: Vec<Vec<PathBuf>> = doomed
        .iter()
        .map(|e| {
            let copy = log.dir.ignored_copy_of(&e.file_name);
            copy.into_iter()
                .chain([e.file_name.as_str()])
                .map(|name| log.file_path(name))
                .collect()
        })
        .collect();
    let (deleted, failure) = delete_oldest_first(&groups, |path| fs::remove_file(path));
    if let Some((path, err)) = failure {
        let done = match deleted.checked_sub(1).map(|last| doomed[last]) {
            None => "nothing was deleted".to_string(),
            Some(last) => format!(
                "deleted before it: {}; the log now starts at SEQ# {}",
                doomed[..deleted]
                    .iter()
                    .map(|e| e.file_name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                last.end_seqno.saturating_add(1)
            ),
        };
        return Err(Failure::Fatal(format!(
            "Unable to delete {}: {err}; {done}",
            path.display()
        )));
    }
    writeln!(
        out,
        "Transactions deleted; the log now starts at SEQ# {}.",
        last_doomed.end_seqno.saturating_add(1)
    )?;
    Ok(())
}

/// Why the file of `entry` must be kept by a purge up to `high` (completing "it ..."),
/// or None when every record in it is at or below `high`. The records are read without
/// CRC checks: only their seqnos matter here, and a damaged old file may still be
/// purged as long as its framing says what it holds.
fn held_above(log: &Log, entry: &IndexEntry, high: i64) -> Option<String> {
    if entry.end_seqno > high {
        return Some(format!(
            "holds seqnos above {high} and purge deletes whole files only"
        ));
    }
    let file = match log.dir.open_file(&entry.file_name) {
        Ok(file) => file,
        Err(err) => return Some(format!("cannot be read ({err})")),
    };
    let mut records = file.records(ReadOptions::tungsten().no_checksum());
    for record in records.by_ref() {
        let record = match record {
            Ok(record) => record,
            Err(err) => return Some(format!("cannot be read to its end ({err})")),
        };
        match &record.kind {
            RecordKind::Event(event) => {
                let top = transaction_end(event);
                if top > high {
                    return Some(format!(
                        "also holds SEQ# {} (FRAG# {} at byte {}), above {high}",
                        event.header.seqno, event.header.fragno, record.offset
                    ));
                }
            }
            RecordKind::Rotate(_) => {}
            _ => {
                return Some(format!(
                    "holds a record of unknown type at byte {}",
                    record.offset
                ))
            }
        }
    }
    records.damaged_tail().map(|tail| {
        format!(
            "ends in a damaged or unfinished record at byte {}, whose seqno cannot be told",
            tail.offset()
        )
    })
}

/// Deletes each group of paths (a log file and its compressed copy), in order, with
/// `remove`, stopping at the first failure so that what is left is still a gap-free log.
/// Returns how many groups were wholly deleted, and the path that failed with why.
fn delete_oldest_first(
    groups: &[Vec<PathBuf>],
    mut remove: impl FnMut(&Path) -> io::Result<()>,
) -> (usize, Option<(PathBuf, io::Error)>) {
    for (deleted, group) in groups.iter().enumerate() {
        for path in group {
            if let Err(err) = remove(path) {
                return (deleted, Some((path.clone(), err)));
            }
        }
    }
    (groups.len(), None)
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
/// Nothing is written to find out: the directory's mode bits (which root ignores, but a
/// DBA who made the directory read-only means it), then access(2) for this process's
/// effective ids, which also knows ACLs, another user's directory and read-only mounts
/// (EROFS, even for root).
fn check_writable(log: &Log) -> Result<(), Failure> {
    use rustix::fs::{accessat, Access, AtFlags, CWD};
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
    if read_only {
        return Err(refuse(format!("{} is read-only", dir.display())));
    }
    if let Err(err) = accessat(
        CWD,
        dir,
        Access::WRITE_OK | Access::EXEC_OK,
        AtFlags::EACCESS,
    ) {
        return Err(refuse(format!(
            "{} is not writable ({})",
            dir.display(),
            io::Error::from(err)
        )));
    }
    if let Some(pid) = lock_holder(&dir.join(LOCK_FILE)) {
        return Err(refuse(format!("process {pid} holds {LOCK_FILE}")));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_stops_at_the_first_failure() {
        let groups: Vec<Vec<PathBuf>> = [&["a"][..], &["b.gz", "b"], &["c"]]
            .iter()
            .map(|g| g.iter().map(PathBuf::from).collect())
            .collect();
        let mut tried = Vec::new();
        let (deleted, failure) = delete_oldest_first(&groups, |p| {
            tried.push(p.to_path_buf());
            if p == Path::new("b") {
                Err(io::Error::from(io::ErrorKind::PermissionDenied))
            } else {
                Ok(())
            }
        });
        assert_eq!(deleted, 1);
        let (path, err) = failure.unwrap();
        assert_eq!(
            (path, err.kind()),
            (PathBuf::from("b"), io::ErrorKind::PermissionDenied)
        );
        // "c" is never tried: deleting it would leave "b" behind a gap.
        assert_eq!(tried, ["a", "b.gz", "b"].map(PathBuf::from));
        let (deleted, failure) = delete_oldest_first(&groups, |_| Ok(()));
        assert_eq!((deleted, failure.is_none()), (3, true));
    }
}
