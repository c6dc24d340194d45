//! One module per command, plus what the log-reading commands share: finding and
//! opening the log, the display zone, and walking records transaction by transaction.

mod binlogs;
mod assign;
pub mod channels;
pub mod events;
pub mod extract;
pub mod help;
pub mod index;
pub mod info;
pub mod list;
mod other_format;
pub mod purge;
pub mod shards;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use replog::input::{OpenOptions, DEFAULT_MAX_IN_MEMORY};
use replog::thl::{
    DamagedTail, Event, EventRecord, LogDir, LogIndex, ReadOptions, Record, RecordKind, ThlError,
    ThlFile,
};
use replog::{ErrorKind, Flow};

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
    /// Strict or permissive handling of damage, and what was reported.
    pub problems: Problems,
}

/// Damage found while reading: strict mode stops at the first (Tungsten's readers abort,
/// spec 3 and 4); `-permissive` reports each on stderr and the run carries on, ending
/// with status 1 when anything was reported.
#[derive(Debug, Default)]
pub struct Problems {
    permissive: bool,
    reported: Cell<u64>,
    /// The messages already printed: opening the log reads the last file, and a listing
    /// then reads it again; each problem is told once.
    seen: RefCell<HashSet<String>>,
}

impl Problems {
    /// Strict unless `permissive`.
    pub fn new(permissive: bool) -> Problems {
        Problems {
            permissive,
            ..Problems::default()
        }
    }

    /// Whether damage is reported and skipped.
    pub fn permissive(&self) -> bool {
        self.permissive
    }

    /// Strict: `err` ends the run. Permissive: `WARN err` on stderr, and the caller
    /// skips what was damaged.
    pub fn damage(&self, err: replog::Error) -> Result<(), Failure> {
        if !self.permissive {
            return Err(Failure::from(err));
        }
        self.report(&err);
        Ok(())
    }

    /// Prints and counts one problem (permissive mode).
    pub fn report(&self, err: &replog::Error) {
        let message = err.to_string();
        if self.seen.borrow().contains(&message) {
            return;
        }
        notice(format_args!("WARN {message}"));
        self.reported.set(self.reported.get() + 1);
        self.seen.borrow_mut().insert(message);
    }

    /// The end of a run: status 1 with the count when anything was reported.
    pub fn verdict(&self) -> Result<(), Failure> {
        match self.reported.get() {
            0 => Ok(()),
            1 => Err(Failure::Error("1 problem reported (-permissive)".into())),
            n => Err(Failure::Error(format!(
                "{n} problems reported (-permissive)"
            ))),
        }
    }

    /// Decodes an event's payload; None when it does not decode and that was reported.
    pub fn decode<'a>(&self, event: &EventRecord<'a>) -> Result<Option<Event<'a>>, Failure> {
        match event.decode() {
            Ok(decoded) => Ok(Some(decoded)),
            Err(err) => self.damage(err).map(|()| None),
        }
    }
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
    // Binary logs where THL was expected get a pointer to `thl events`.
    let hint = || other_format::binlog_hint(path).unwrap_or_default();
    if !path.is_dir() {
        return Err(Failure::Fatal(format!(
            "Log directory does not exist : {}{}{}",
            path.display(),
            origin(),
            hint()
        )));
    }
    let dir = LogDir::open(path)
        .map_err(|e| match e.kind {
            ErrorKind::Thl(ThlError::NoLogFiles) => Failure::Fatal(format!(
                "Attempting to read a non-existent log; is log initialized? dirName={}{}{}",
                path.display(),
                origin(),
                hint()
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
    let problems = Problems::new(invocation.permissive);
    let index = if problems.permissive() {
        dir.index_permissive(options, &mut |err| problems.report(&err))?
    } else {
        dir.index(options)?
    };
    Ok(Log {
        dir,
        index,
        options,
        problems,
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

    /// Checks that no file of the sequence is missing (a hole the index cannot see:
    /// its ranges would run across it). Strict: an error at the rotate record that
    /// points to the missing file; permissive: reported.
    pub fn check_sequence(&self) -> Result<(), Failure> {
        match self.index.check_sequence(&self.dir) {
            Ok(()) => Ok(()),
            Err(err) => self.problems.damage(err),
        }
    }

    /// Visits the event records of the files `names`, in order, grouped into
    /// transactions (consecutive records with one seqno; a transaction never spans two
    /// files). A rotate record ends its file; damage (including an unknown record type)
    /// is fatal, as in Tungsten, unless permissive.
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
            let mut stopped = false;
            let mut missing_next = None;
            let tail = self.file_records(&file, &mut |record| {
                let seqno = match &record.kind {
                    RecordKind::Event(e) => e.header.seqno,
                    RecordKind::Rotate(rotate) => {
                        // The next file must be the one the rotate record names: a
                        // missing file would otherwise be skipped without a word.
                        let follows = names.peek().copied();
                        if follows.is_some() && self.dir.find_index(rotate.next_index) != follows {
                            missing_next = Some(replog::Error::new(
                                file.name(),
                                record.offset,
                                ErrorKind::Thl(ThlError::RotateTargetMissing {
                                    name: rotate.next_file_name(),
                                }),
                            ));
                        }
                        return Ok(Flow::Stop);
                    }
                    _ => return Ok(Flow::Continue),
                };
                let same = group
                    .first()
                    .and_then(Record::event)
                    .is_some_and(|e| e.header.seqno == seqno);
                if !same && !group.is_empty() {
                    if hand_over(&group, &mut next_seqno, visit)? == Flow::Stop {
                        stopped = true;
                        return Ok(Flow::Stop);
                    }
                    group.clear();
                }
                group.push(record);
                Ok(Flow::Continue)
            })?;
            if stopped {
                return Ok(());
            }
            // The file ends at a damaged length as at a partial record (a log still
            // being written), but Tungsten logs this one line about it (spec 3.2).
            if let Some(DamagedTail::BadLength { offset, length }) = tail {
                notice(format_args!(
                    "WARN Record length is invalid, log may be corrupt: file={} offset={offset} \
                     record length={length}",
                    file.name()
                ));
            }
            if !group.is_empty() && hand_over(&group, &mut next_seqno, visit)? == Flow::Stop {
                return Ok(());
            }
            if let Some(err) = missing_next {
                self.problems.damage(err)?;
            }
        }
        Ok(())
    }

    /// Passes the records of `file` to `visit` until it says stop; returns the damaged
    /// tail the file ended at, if any. Strict: damage and unknown record types fail.
    /// Permissive: they are reported and skipped, and reading resynchronises after a
    /// damaged stretch (see [`replog::thl::Records::skipping_damage`]).
    fn file_records<'f>(
        &self,
        file: &'f ThlFile,
        visit: &mut dyn FnMut(Record<'f>) -> Result<Flow, Failure>,
    ) -> Result<Option<DamagedTail>, Failure> {
        let records = file.records(self.options);
        if self.problems.permissive() {
            let mut records = records.skipping_damage(|err| self.problems.report(&err));
            for record in records.by_ref() {
                if visit(record)? == Flow::Stop {
                    return Ok(None);
                }
            }
            return Ok(records.damaged_tail());
        }
        let mut records = records;
        for record in records.by_ref() {
            let record = record?;
            if let RecordKind::Unknown { record_type } = record.kind {
                return Err(Failure::from(replog::Error::new(
                    file.name(),
                    record.offset,
                    ErrorKind::Thl(ThlError::UnknownRecordType { record_type }),
                )));
            }
            if visit(record)? == Flow::Stop {
                return Ok(None);
            }
        }
        Ok(records.damaged_tail())
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
pub fn transaction_end(first: &EventRecord<'_>) -> i64 {
    let seqno = first.header.seqno;
    if first.header.shard_id.text() != "#UNKNOWN" {
        return seqno;
    }
    match first.decode() {
        Ok(event) if event.is_filtered() => event.header.seqno_end.map_or(seqno, |e| e.max(seqno)),
        _ => seqno,
    }
}
