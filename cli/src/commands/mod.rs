//! One module per command, plus what the log-reading commands share: finding and
//! opening the log, the display zone, and walking records transaction by transaction.

mod assign;
pub mod backup;
mod binlogs;
pub mod channels;
mod event_filters;
mod event_sql;
pub mod events;
pub mod extract;
pub mod help;
pub mod index;
pub mod info;
pub mod list;
mod ordered;
mod other_format;
pub mod parallel;
pub mod purge;
pub mod reference;
mod remote;
pub mod shards;
pub mod stats;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use replog::input::{OpenOptions, DEFAULT_MAX_IN_MEMORY};
use replog::thl::{
    Event, EventRecord, LogDir, LogIndex, PartialIndex, ReadOptions, ThlError, VerifiedFile,
};
use replog::txn::thl::ThlWalk;
use replog::txn::{Transaction, TxnError};
use replog::{ErrorKind, Flow};
use replog_render::zone::Zone;

use crate::args::Invocation;
use crate::failure::{error_message, notice, Failure};
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

/// Environment variable setting the size in bytes of the pieces a parallel run cuts its
/// input into (`events` pieces of a binary log, `list` parts of files and the pieces of
/// text it hands over, the parts an index reads a file in) instead of the command's
/// default: the tests cut small logs into many pieces with it.
pub const PIECE_BYTES_VAR: &str = "THL_PIECE_BYTES";

/// The least part of a file an index reads on a thread of its own (see
/// [`LogDir::scanning_in_parts`]): a few milliseconds of reading.
const INDEX_PART_BYTES: u64 = 4 << 20;

/// The piece size: `THL_PIECE_BYTES`, else `default`.
pub fn piece_bytes(default: u64) -> Result<u64, Failure> {
    match std::env::var(PIECE_BYTES_VAR) {
        Err(_) => Ok(default),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(Failure::usage(format!(
                "{PIECE_BYTES_VAR}={text}: expected a number of bytes, at least 1"
            ))),
        },
    }
}

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
        self.report_message(error_message(err));
    }

    /// Prints and counts one problem, already put in words (permissive mode).
    pub fn report_message(&self, message: String) {
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

    /// What the library's report channel says: warnings that are not damage, in
    /// Tungsten's words where it has them (a seqno gap, a minor version other than 1, an
    /// invalid length at the newest file's end), notices of a log still being written
    /// (its newest file ending inside a record, a transaction not finished), each told
    /// once; and damage, reported and counted.
    pub fn hear(&self, err: replog::Error) {
        let (file, offset) = (&err.file, err.offset);
        let message = match &err.kind {
            ErrorKind::Txn(TxnError::SeqnoGap { expected, found }) => format!(
                "WARN Sequence number gap: expected seqno {expected}, found {found}: \
                 file={file} offset={offset}"
            ),
            ErrorKind::Thl(ThlError::InvalidTailLength { length }) => format!(
                "WARN Record length is invalid, log may be corrupt: file={file} \
                 offset={offset} record length={length}"
            ),
            ErrorKind::Thl(ThlError::MinorVersion { major, minor }) => format!(
                "WARN Minor version mismatch : file {file} using format {major}.{minor} - \
                 Tungsten running version 1.1"
            ),
            ErrorKind::Thl(ThlError::ShortHeader { .. }) => {
                format!("INFO {err}: the newest file of the log, ignored (being written)")
            }
            ErrorKind::Thl(ThlError::IncompleteTail { .. })
            | ErrorKind::Txn(TxnError::Incomplete {
                log_in_use: true, ..
            }) => format!("INFO {err}"),
            _ => return self.report(&err),
        };
        if self.seen.borrow_mut().insert(message.clone()) {
            notice(message);
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
    open_log_start(invocation, 1)?.finish()
}

/// A log opened as [`open_log`] opens it, its index read but for the
/// newest file (see [`LogDir::index_but_newest`]): a listing can start on the older
/// files while [`PartialIndex::finish`] reads it.
pub struct LogStart {
    pub dir: LogDir,
    pub partial: PartialIndex,
    pub options: ReadOptions,
    pub problems: Problems,
}

impl LogStart {
    /// The log, its index read to the end of the newest file.
    pub fn finish(self) -> Result<Log, Failure> {
        let LogStart {
            dir,
            partial,
            options,
            problems,
        } = self;
        let index = partial.finish(&dir, &mut |err| problems.hear(err))?;
        Ok(Log {
            dir,
            index,
            options,
            problems,
        })
    }
}

/// The first part of [`open_log`] (see [`LogStart`]), whose index reads the newest
/// file in parts on up to `threads` threads (see [`LogDir::scanning_in_parts`]).
pub fn open_log_start(invocation: &Invocation, threads: usize) -> Result<LogStart, Failure> {
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
        .with_open_options(open_options()?)
        .scanning_in_parts(threads, piece_bytes(INDEX_PART_BYTES)?);
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
    let partial = dir.index_but_newest(options, problems.permissive(), &mut |err| {
        problems.hear(err)
    })?;
    Ok(LogStart {
        dir,
        partial,
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

    /// Visits the transactions of the files `names`, in order (the library's THL walk:
    /// damage is fatal unless permissive; gaps and invalid tail lengths are warnings).
    pub fn walk_transactions<'n>(
        &self,
        names: impl IntoIterator<Item = &'n str>,
        visit: &mut dyn FnMut(&Transaction<'_>) -> Result<Flow, Failure>,
    ) -> Result<(), Failure> {
        let report = &mut |err| self.problems.hear(err);
        self.thl_walk(false).walk(&self.dir, names, visit, report)
    }

    /// [`Log::walk_transactions`], with the file the index `verified` walked as it is
    /// (see [`ThlWalk::walk_sharing_files`]), its CRCs checked on a thread of their own
    /// when `check_ahead` (see [`ThlWalk::check_ahead`]).
    pub fn walk_verified<'n>(
        &self,
        names: impl IntoIterator<Item = &'n str>,
        verified: Option<VerifiedFile>,
        check_ahead: bool,
        visit: &mut dyn FnMut(&Transaction<'_>) -> Result<Flow, Failure>,
    ) -> Result<(), Failure> {
        let walk = ThlWalk {
            release_behind: true,
            ..self.thl_walk(check_ahead)
        };
        let report = &mut |err| self.problems.hear(err);
        walk.walk_sharing_files(&self.dir, names, verified, &mut |_, txn| visit(txn), report)
    }

    /// The library's walk with this log's read options and policy.
    fn thl_walk(&self, check_ahead: bool) -> ThlWalk {
        ThlWalk {
            read: self.options,
            permissive: self.problems.permissive(),
            check_ahead,
            release_behind: false,
        }
    }
}
