//! `thl extract -file BINLOG… -service NAME [-dir OUT]`: binary logs written as THL,
//! as a Tungsten master replicator would have stored them.
//!
//! A new log starts at `-seqno-start` (default 0). An existing one is continued: the
//! writer first cuts what an interrupted run left unfinished (said on stderr), then
//! extraction resumes after the binlog position its last complete transaction's
//! eventId names, with the next seqno. A log whose last eventId names a file outside
//! the binary logs given is refused. Everything is written through the THL writer
//! (framing, CRCs, rotation) and synced to disk at the end.

use std::io::Write;
use std::path::{Path, PathBuf};

use replog::thl::writer::{LogWriter, Repair, WriteOptions};
use replog::thl::ThlError;
use replog::txn::binlog::{resume_point, walk_fragments, Resume};
use replog::txn::event_id::EventId;
use replog::ErrorKind;
use replog::Flow;

use super::binlogs::{self, Continuation};
use super::Problems;
use crate::args::{ExtractArgs, Invocation};
use crate::failure::{notice, Failure};
use crate::progress::Progress;
use crate::service::{self, Places};

/// Runs `thl extract`.
pub fn run(
    invocation: &Invocation,
    args: &ExtractArgs,
    _out: &mut impl Write,
) -> Result<(), Failure> {
    const USAGE: &str = "extract needs binary logs and a service: thl extract -file BINLOG \
                         [BINLOG...|DIR|FILE.index] -service NAME [-dir OUT]";
    if args.files.is_empty() && args.remote.is_none() {
        return Err(Failure::usage(USAGE));
    }
    let Some(service_name) = invocation.source.service.clone() else {
        return Err(Failure::usage(USAGE));
    };
    let location = service::resolve(&invocation.source, &Places::from_env())?;
    let dir = location.path;
    let mut writer = match Destination::open(&dir) {
        Ok(log) => log,
        // No directory, or no log in it but a leftover shorter than a header (an
        // interrupted first run): a new log.
        Err(e) if !dir.is_dir() || matches!(e.kind, ErrorKind::Thl(ThlError::NoLogFiles)) => {
            Destination::new(&dir)?
        }
        Err(e) => return Err(e.into()),
    };
    let repair = writer.repair();
    if repair.cut_bytes > 0 {
        notice(format_args!(
            "WARN {}: cut {} bytes at the end (an unfinished transaction or a partial record \
             left by an interrupted run); extraction resumes after the last complete \
             transaction",
            repair.file, repair.cut_bytes
        ));
    }
    let (continuation, resume) = match &repair.last_transaction {
        Some(last) => {
            let next = last.seqno + 1;
            if args.tagging.seqno_start.is_some_and(|s| s != next) {
                return Err(Failure::usage(format!(
                    "-seqno-start: the log in {} continues at seqno {next}",
                    dir.display()
                )));
            }
            let after = EventId::parse(&last.event_id).ok_or_else(|| {
                Failure::Fatal(format!(
                    "{}: the last transaction's eventId '{}' is not a binlog position \
                     (file:offset;session): this log was not extracted from MySQL binary \
                     logs",
                    repair.file, last.event_id
                ))
            })?;
            // Continuing a log extracted offline is the same extraction: it keeps the
            // log's epoch, so an interrupted run repaired by the next equals an
            // uninterrupted one.
            let continuation = Continuation {
                seqno: next,
                epoch: last.epoch,
            };
            (Some(continuation), Some(Resume { after }))
        }
        None => (None, None),
    };
    let options = binlogs::extract_options(invocation, &args.tagging, &service_name, continuation);
    let problems = Problems::new(invocation.permissive);
    if let Some(remote) = &args.remote {
        if !args.files.is_empty() && resume.is_some() {
            return Err(Failure::usage(
                "extract -remote: -file names where a new log starts; this log continues \
                 after its last eventId",
            ));
        }
        let written = super::remote::extract(remote, args, resume, options, &mut writer, &problems);
        // What was written stays, and is made durable, even when the run failed.
        let created = writer.finish()?;
        let (transactions, seqnos) = written?;
        report_written(transactions, seqnos, &dir, created);
        return problems.verdict();
    }
    let files = binlogs::files(&args.files)?;
    let (files, start_position) = match &resume {
        Some(resume) => resume_point(&files, resume)?,
        None => (files, 0),
    };
    let mut stream = binlogs::stream(invocation)?;
    stream.start_position = start_position;
    let mut written: Option<(i64, i64)> = None;
    let mut progress = Progress::over(&files);
    let summary = walk_fragments(
        &files,
        stream,
        options,
        &mut |fragment| -> Result<Flow, Failure> {
            progress.at_event_id(&fragment.event_id);
            writer
                .get()?
                .append_data(fragment.seqno, fragment.fragno, &fragment.record.data)?;
            let first = written.map_or(fragment.seqno, |(first, _)| first);
            written = Some((first, fragment.seqno));
            Ok(Flow::Continue)
        },
        &mut |err| problems.hear(err),
    );
    // What was written stays, and is made durable, even when the run failed.
    let created = writer.finish()?;
    let summary = summary?;
    report_written(summary.transactions, written, &dir, created);
    problems.verdict()
}

/// The log an extraction writes to. An existing log is opened (and repaired) before
/// anything is read, since where it ends says where extraction resumes; a new one is
/// created with its first record, so a run that fails before extracting anything (a
/// binary log that cannot be read, a server that refuses the connection) leaves no
/// empty log behind for the next run to continue.
pub(super) struct Destination {
    dir: PathBuf,
    writer: Option<LogWriter>,
}

impl Destination {
    /// The existing log in `dir`, repaired.
    fn open(dir: &Path) -> Result<Destination, replog::Error> {
        let writer = LogWriter::open(dir, WriteOptions::default())?;
        Ok(Destination {
            dir: dir.to_path_buf(),
            writer: Some(writer),
        })
    }

    /// A new log in `dir`, refused now if `dir` already holds log files.
    fn new(dir: &Path) -> Result<Destination, replog::Error> {
        LogWriter::check_new(dir)?;
        Ok(Destination {
            dir: dir.to_path_buf(),
            writer: None,
        })
    }

    /// The writer, the log created first if it is new.
    pub(super) fn get(&mut self) -> Result<&mut LogWriter, replog::Error> {
        let writer = match self.writer.take() {
            Some(writer) => writer,
            None => LogWriter::create(&self.dir, WriteOptions::default())?,
        };
        Ok(self.writer.insert(writer))
    }

    /// What opening an existing log repaired (nothing for a new one).
    fn repair(&self) -> Repair {
        self.writer
            .as_ref()
            .map(|writer| writer.repair().clone())
            .unwrap_or_default()
    }

    /// Makes what was written durable; says whether there is a log at all.
    fn finish(self) -> Result<bool, replog::Error> {
        match self.writer {
            Some(writer) => writer.finish().map(|()| true),
            None => Ok(false),
        }
    }
}

/// Says what a run added to the log in `dir`, and whether there is a log at all.
fn report_written(transactions: u64, seqnos: Option<(i64, i64)>, dir: &Path, written: bool) {
    match seqnos {
        Some((first, last)) => notice(format_args!(
            "INFO Extracted {transactions} transactions, seqno {first} to {last}, into {}",
            dir.display()
        )),
        None if written => notice(format_args!(
            "INFO No new transaction in the binary logs given; {} is up to date",
            dir.display()
        )),
        None => notice(format_args!(
            "INFO No transaction in the binary logs given; no log written in {}",
            dir.display()
        )),
    }
}
