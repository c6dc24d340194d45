//! What the commands that read binary logs as THL share (`list`, `shards`, `channels`,
//! `stats` with `-file`, and `extract`): how binary logs are read and tagged as THL
//! transactions, and the walk over whichever log a command names.

use replog::binlog::stream::{sequence_of, Stream};
use replog::binlog::{ParseMode, ReadOptions};
use replog::txn::binlog::walk_transactions_with_facts;
use replog::txn::extract::{ExtractOptions, SourceFacts, DEFAULT_FRAGMENT_SIZE};
use replog::txn::Transaction;
use replog::Flow;

use super::{open_log, open_options, Problems};
use crate::args::{Invocation, Tagging};
use crate::failure::Failure;
use crate::progress::Progress;

/// The service `list` tags binary logs with when `-service` is not given.
pub const DEFAULT_SERVICE: &str = "replog";

/// The files named (files, directories, `*.index` files), in order.
pub fn files(names: &[String]) -> Result<Vec<String>, Failure> {
    Ok(sequence_of(names)?)
}

/// The stream over the binary logs: checksums verified unless `-no-checksum`, strict
/// unless `-permissive`.
pub fn stream(invocation: &Invocation) -> Result<Stream, Failure> {
    let mut stream = Stream::new(open_options()?);
    stream.read = ReadOptions::default()
        .mode(if invocation.permissive {
            ParseMode::Permissive
        } else {
            ParseMode::Strict
        })
        .verify_checksums(!invocation.no_checksum);
    Ok(stream)
}

/// Where an existing log continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Continuation {
    /// The next seqno.
    pub seqno: i64,
    /// The log's epoch.
    pub epoch: i64,
}

/// Extraction tags from the options: a new log starts at `-seqno-start` (default 0),
/// its epoch that seqno; a continued one goes on from its last transaction.
pub fn extract_options(
    invocation: &Invocation,
    tagging: &Tagging,
    service: &str,
    continuation: Option<Continuation>,
) -> ExtractOptions {
    let start = tagging.seqno_start.unwrap_or(0);
    let Continuation { seqno, epoch } = continuation.unwrap_or(Continuation {
        seqno: start,
        epoch: start,
    });
    ExtractOptions {
        service: service.to_string(),
        source_id: tagging.source_id.clone().unwrap_or_else(host_name),
        first_seqno: seqno,
        epoch,
        fragment_size: tagging.fragment_size.unwrap_or(DEFAULT_FRAGMENT_SIZE),
        checksums: true,
        permissive: invocation.permissive,
    }
}

/// The machine's host name (Tungsten's default source id).
fn host_name() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// What [`walk_named_log`] calls with each transaction.
pub type VisitTransaction<'v> =
    dyn FnMut(&Transaction<'_>, Option<&SourceFacts>) -> Result<Flow, Failure> + 'v;

/// Visits every transaction of the log the command names: binary logs (`-file`),
/// extracted on the fly with `tagging`, each with what the binary log says about it
/// beyond THL ([`SourceFacts`]), or else the THL (`-dir`, `-service`, `-conf`), whose
/// file sequence is checked first and which says nothing more (`None`). Progress is
/// drawn on a terminal's stderr. Returns the problems reported on the way, for the
/// caller's verdict once it has printed its view.
pub fn walk_named_log(
    invocation: &Invocation,
    binlogs: &[String],
    tagging: &Tagging,
    visit: &mut VisitTransaction<'_>,
) -> Result<Problems, Failure> {
    if binlogs.is_empty() {
        let log = open_log(invocation)?;
        log.check_sequence()?;
        let entries = log.index.entries();
        let mut progress = Progress::over(entries.iter().map(|e| log.dir.file_path(&e.file_name)));
        let names = entries.iter().map(|e| e.file_name.as_str());
        log.walk_transactions(names, &mut |txn| {
            progress.after(txn);
            visit(txn, None)
        })?;
        return Ok(log.problems);
    }
    let problems = Problems::new(invocation.permissive);
    let service = invocation
        .source
        .service
        .as_deref()
        .unwrap_or(DEFAULT_SERVICE);
    let files = files(binlogs)?;
    let mut progress = Progress::over(&files);
    walk_transactions_with_facts(
        &files,
        stream(invocation)?,
        extract_options(invocation, tagging, service, None),
        &mut |txn, facts| {
            progress.after(txn);
            visit(txn, Some(facts))
        },
        &mut |err| problems.hear(err),
    )?;
    Ok(problems)
}
