//! Binary logs read as transactions: a [`Stream`] over the files feeding an
//! [`Extractor`], its fragments grouped into whole [`Transaction`]s.

use std::cell::RefCell;

use crate::binlog::stream::{Inputs, Stream};
use crate::error::{Error, ErrorKind};
use crate::Flow;

use super::event_id::{file_number, EventId};
use super::extract::{ExtractOptions, Extractor, Fragment, SourceFacts};
use super::{Grouping, Transaction, TxnError};

/// Where extraction resumes: after the transaction whose eventId a THL ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// That eventId.
    pub after: EventId,
}

/// What a walk over binary logs saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Transactions handed to the visitor.
    pub transactions: u64,
    /// The seqno the next transaction would get.
    pub next_seqno: i64,
    /// The visitor stopped the walk.
    pub stopped: bool,
}

/// The files to read and where to start in the first, for a walk resuming after
/// `resume`: files before the one it names are left out. An eventId naming a file the
/// list does not hold is refused: the THL is ahead of the binlogs given, or a file is
/// missing between them.
pub fn resume_point(files: &[String], resume: &Resume) -> Result<(Vec<String>, u64), Error> {
    let wanted = &resume.after;
    let outside = |why| {
        Error::new(
            files.first().cloned().unwrap_or_default(),
            0,
            ErrorKind::Txn(TxnError::ResumeOutside {
                event_id: wanted.to_string(),
                why,
            }),
        )
    };
    let names: Vec<String> = files
        .iter()
        .map(|f| crate::binlog::stream::log_name(f))
        .collect();
    let found = names.iter().position(|n| {
        *n == wanted.file
            || (wanted.file_number().is_some()
                && file_number(n) == wanted.file_number()
                && !wanted.file.contains('.'))
    });
    if let Some(i) = found {
        // A plain file shorter than the position is an older copy of the log the THL
        // was extracted from: its transactions are not there yet.
        let shorter = std::fs::metadata(&files[i])
            .is_ok_and(|m| m.is_file() && !files[i].ends_with(".gz") && m.len() < wanted.position);
        if shorter {
            return Err(outside(
                "the THL is ahead of the binary log given (the position is past its end)",
            ));
        }
        return Ok((files[i..].to_vec(), wanted.position));
    }
    let numbers: Vec<u64> = names.iter().filter_map(|n| file_number(n)).collect();
    let why = match (wanted.file_number(), numbers.first(), numbers.last()) {
        (Some(w), Some(_), Some(&last)) if w > last => {
            "the THL is ahead of the binary logs given (its file comes after the last one)"
        }
        (Some(w), Some(&first), _) if w < first => {
            "the binary logs given start after it (the file it names, and any between, are missing)"
        }
        _ => "no binary log given has that name",
    };
    Err(outside(why))
}

/// Walks binary logs as transactions: each complete one goes to `visit`. Fragments of a
/// transaction left open at the end are reported (or, when the last log was closed
/// and reading is strict, an error). `report` is permissive mode's channel.
pub fn walk_transactions<'i, E: From<Error>>(
    inputs: impl Into<Inputs<'i>>,
    stream: Stream,
    options: ExtractOptions,
    visit: &mut dyn FnMut(&Transaction<'_>) -> Result<Flow, E>,
    report: &mut dyn FnMut(Error),
) -> Result<Summary, E> {
    walk_transactions_with_facts(inputs, stream, options, &mut |txn, _| visit(txn), report)
}

/// [`walk_transactions`], each transaction with what the binary log says about it
/// beyond its THL form ([`SourceFacts`]: databases, logical clocks, write keys…).
pub fn walk_transactions_with_facts<'i, E: From<Error>>(
    inputs: impl Into<Inputs<'i>>,
    stream: Stream,
    options: ExtractOptions,
    visit: &mut dyn FnMut(&Transaction<'_>, &SourceFacts) -> Result<Flow, E>,
    report: &mut dyn FnMut(Error),
) -> Result<Summary, E> {
    let mut grouping = Grouping::default();
    walk_fragments(
        inputs,
        stream,
        options,
        &mut |fragment| {
            let facts = fragment.facts;
            match grouping.push(fragment.record, fragment.last_frag) {
                Some(txn) => visit(&txn.transaction()?, &facts.unwrap_or_default()),
                None => Ok(Flow::Continue),
            }
        },
        report,
    )
}

/// Walks binary logs fragment by fragment, in order (what a writer needs: memory stays
/// flat however large a transaction is).
pub fn walk_fragments<'i, E: From<Error>>(
    inputs: impl Into<Inputs<'i>>,
    stream: Stream,
    options: ExtractOptions,
    sink: &mut dyn FnMut(Fragment) -> Result<Flow, E>,
    report: &mut dyn FnMut(Error),
) -> Result<Summary, E> {
    let mut extractor = Extractor::new(options);
    let mut failure: Option<E> = None;
    let mut summary = Summary::default();
    let mut last_place = (String::new(), 0u64);
    // The stream reports between events and the extractor while one is visited: never
    // both at once.
    let report = RefCell::new(report);
    let end = stream.walk_inputs(
        inputs.into(),
        &mut |site, event, maps| {
            last_place = (site.file.to_string(), site.next_position);
            let fragment = extractor.event(site, event, maps, &mut |e| (report.borrow_mut())(e))?;
            let Some(fragment) = fragment else {
                return Ok(Flow::Continue);
            };
            summary.transactions += u64::from(fragment.last_frag);
            match sink(fragment) {
                Ok(flow) => Ok(flow),
                Err(e) => {
                    failure = Some(e);
                    Ok(Flow::Stop)
                }
            }
        },
        &mut |e| (report.borrow_mut())(e),
    );
    if let Some(e) = failure {
        return Err(e);
    }
    let end = end?;
    summary.next_seqno = extractor.next_seqno();
    summary.stopped = end.stopped;
    if !end.stopped {
        let (file, offset) = last_place;
        let report = report.into_inner();
        extractor.finish(&file, offset, end.last_file_in_use, report)?;
    }
    Ok(summary)
}
