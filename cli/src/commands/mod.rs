//! One module per command, plus what the log-reading commands share: finding and
//! opening the log, the display zone, and walking records transaction by transaction.

pub mod events;
pub mod help;
pub mod index;
pub mod info;
pub mod list;
pub mod purge;

use std::io::Write;
use std::path::PathBuf;

use replog::input::{OpenOptions, DEFAULT_MAX_IN_MEMORY};
use replog::thl::{
    DamagedTail, EventRecord, LogDir, LogIndex, ReadOptions, Record, RecordKind, ThlError,
};
use replog::ErrorKind;

use crate::args::Invocation;
use crate::failure::{notice, Failure};
use crate::render::zone::Zone;
use crate::service::{self, Places};

/// `thl skip`: gone from Tungsten too; says what to use instead.
pub fn skip(out: &mut impl Write) -> Result<(), Failure> {
    writeln!(out, "SKIP operation is no longer supported")?;
    writeln!(
        out,
        "Please use 'trepctl online -skip-seqno N' to skip over a transaction"
    )?;
    Ok(())
}

/// Environment variable raising (or lowering) the in-memory limit, in MiB, for inputs
/// that cannot be mapped: inflated `.gz` files and standard input.
pub const READ_LIMIT_VAR: &str = "THL_READ_LIMIT_MB";

/// The options inputs are opened with: the default in-memory limit, or
/// `THL_READ_LIMIT_MB` MiB.
pub fn open_options() -> Result<OpenOptions, Failure> {
    let Some(value) = std::env::var_os(READ_LIMIT_VAR) else {
        return Ok(OpenOptions {
            max_in_memory: DEFAULT_MAX_IN_MEMORY,
        });
    };
    let text = value.to_string_lossy();
    let mib: u64 = text.trim().parse().map_err(|_| {
        Failure::usage(format!(
            "{READ_LIMIT_VAR} must be a whole number of MiB, found '{text}'"
        ))
    })?;
    Ok(OpenOptions {
        max_in_memory: mib.saturating_mul(1 << 20),
    })
}

/// An opened log: its directory, file index and read options.
pub struct Log {
    /// The directory's data files.
    pub dir: LogDir,
    /// Seqno ranges per file.
    pub index: LogIndex,
    /// CRC verification as asked, damaged tails ending files silently.
    pub options: ReadOptions,
}

/// Finds the log directory of `invocation` and builds its index, with Tungsten's
/// messages for a missing directory or an empty one.
pub fn open_log(invocation: &Invocation) -> Result<Log, Failure> {
    let location = service::resolve(&invocation.source, &Places::from_env())?;
    let path = &location.path;
    let origin = || {
        if location.origin == "-dir" {
            String::new()
        } else {
            format!(" (from {})", location.origin)
        }
    };
    if !path.is_dir() {
        return Err(Failure::Fatal(format!(
            "Log directory does not exist : {}{}",
            path.display(),
            origin()
        )));
    }
    let dir = LogDir::open(path)
        .map_err(|e| match e.kind {
            ErrorKind::Thl(ThlError::NoLogFiles) => Failure::Fatal(format!(
                "Attempting to read a non-existent log; is log initialized? dirName={}{}",
                path.display(),
                origin()
            )),
            _ => Failure::from(e),
        })?
        .with_open_options(open_options()?);
    for copy in dir.ignored_copies() {
        notice(format_args!(
            "WARN Compressed copy ignored, the uncompressed file of the same index is read: \
             file={copy}"
        ));
    }
    let mut options = ReadOptions::tungsten();
    if invocation.no_checksum {
        options = options.no_checksum();
    }
    let index = dir.index(options)?;
    Ok(Log {
        dir,
        index,
        options,
    })
}

/// The display zone; an unknown `-timezone` warns (on stderr) and falls back to UTC.
pub fn zone(invocation: &Invocation) -> Zone {
    match &invocation.timezone {
        None => Zone::utc(),
        Some(name) => {
            let (zone, warning) = Zone::named(name);
            if let Some(warning) = warning {
                notice(warning);
            }
            zone
        }
    }
}

/// Whether a walk goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Visit the next transaction.
    Continue,
    /// Stop walking.
    Stop,
}

impl Log {
    /// The log directory as Tungsten prints it (with a trailing `/`).
    pub fn dir_display(&self) -> String {
        let mut text = self.dir.path().display().to_string();
        if !text.ends_with('/') {
            text.push('/');
        }
        text
    }

    /// Full path of a data file.
    pub fn file_path(&self, name: &str) -> PathBuf {
        self.dir.file_path(name)
    }

    /// Visits the event records of the files `names`, in order, grouped into
    /// transactions (consecutive records with one seqno; a transaction never spans two
    /// files). A rotate record ends its file; an unknown record type is fatal, as in
    /// Tungsten.
    pub fn walk_transactions<'n>(
        &self,
        names: impl IntoIterator<Item = &'n str>,
        visit: &mut dyn FnMut(&[Record<'_>]) -> Result<Flow, Failure>,
    ) -> Result<(), Failure> {
        let mut names = names.into_iter().peekable();
        let mut next_seqno = None;
        while let Some(name) = names.next() {
            let file = self.dir.open_file(name)?;
            let mut group: Vec<Record<'_>> = Vec::new();
            let mut records = file.records(self.options);
            for record in records.by_ref() {
                let record = record?;
                let seqno = match &record.kind {
                    RecordKind::Event(e) => e.header.seqno,
                    RecordKind::Rotate(rotate) => {
                        // The next file must be the one the rotate record names: a
                        // missing file would otherwise be skipped without a word.
                        let follows = names.peek().copied();
                        if follows.is_some() && self.dir.find_index(rotate.next_index) != follows {
                            return Err(Failure::from(replog::Error::new(
                                file.name(),
                                record.offset,
                                ErrorKind::Thl(ThlError::RotateTargetMissing {
                                    name: rotate.next_file_name(),
                                }),
                            )));
                        }
                        break;
                    }
                    RecordKind::Unknown { record_type } => {
                        return Err(Failure::Fatal(format!(
                            "Unable to extract a valid record type; log appears to be corrupted: \
                             file={name} offset={} record type={record_type}",
                            record.offset
                        )))
                    }
                    _ => continue,
                };
                let same = group
                    .first()
                    .and_then(Record::event)
                    .is_some_and(|e| e.header.seqno == seqno);
                if !same && !group.is_empty() {
                    if hand_over(&group, &mut next_seqno, visit)? == Flow::Stop {
                        return Ok(());
                    }
                    group.clear();
                }
                group.push(record);
            }
            // The file ends at a damaged length as at a partial record (a log still
            // being written), but Tungsten logs this one line about it (spec 3.2).
            if let Some(DamagedTail::BadLength { offset, length }) = records.damaged_tail() {
                notice(format_args!(
                    "WARN Record length is invalid, log may be corrupt: file={} offset={offset} \
                     record length={length}",
                    file.name()
                ));
            }
            if !group.is_empty() && hand_over(&group, &mut next_seqno, visit)? == Flow::Stop {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// Passes one transaction to `visit`, first warning (on stderr) when its seqno skips
/// past the one the previous transaction leads to: records were lost between them.
fn hand_over(
    txn: &[Record<'_>],
    next_seqno: &mut Option<i64>,
    visit: &mut dyn FnMut(&[Record<'_>]) -> Result<Flow, Failure>,
) -> Result<Flow, Failure> {
    if let Some((record, event)) = txn.first().and_then(|r| Some((r, r.event()?))) {
        let seqno = event.header.seqno;
        if let Some(expected) = *next_seqno {
            if seqno > expected {
                notice(format_args!(
                    "WARN Sequence number gap: expected seqno {expected}, found {seqno}: \
                     file={} offset={}",
                    event.file(),
                    record.offset
                ));
            }
        }
        *next_seqno = Some(transaction_end(event).saturating_add(1));
    }
    visit(txn)
}

/// The last seqno a transaction accounts for: its own, or the end of the range a
/// filtered placeholder stands for (spec 8.1; those carry the `#UNKNOWN` shard, so
/// other records are never decoded here).
fn transaction_end(first: &EventRecord<'_>) -> i64 {
    let seqno = first.header.seqno;
    if first.header.shard_id.text() != "#UNKNOWN" {
        return seqno;
    }
    match first.decode() {
        Ok(event) if event.is_filtered() => event.header.seqno_end.map_or(seqno, |e| e.max(seqno)),
        _ => seqno,
    }
}
