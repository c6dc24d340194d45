//! A THL log read as transactions: consecutive event records with one seqno, in the
//! order of the files given.
//!
//! A rotate record ends its file, and must name the file that follows (a missing file
//! would otherwise pass unseen). Damage (a CRC mismatch, a damaged record, an unknown
//! record type) is fatal, as in Tungsten's readers, unless permissive: then it goes to
//! the report channel, the record is skipped and reading resynchronises (see
//! [`crate::thl::Records::skipping_damage`]). A file another file follows must end in
//! its rotate record: one cut short is damage too ([`ThlError::Truncated`],
//! [`ThlError::MissingRotate`]), and after it the next file's header must give the
//! seqno that follows as its base ([`ThlError::BaseSeqnoAfter`], checked when that
//! file's first record is damaged; the index checks it against a readable one). In
//! either mode the channel also hears what is worth a warning without being damage: a
//! seqno that skips past the one the previous transaction leads to
//! ([`TxnError::SeqnoGap`]), and the newest file's damaged tail
//! ([`ThlError::IncompleteTail`], [`ThlError::InvalidTailLength`]: a log being written
//! may end anywhere).

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

use crate::error::{Error, ErrorKind};
use crate::thl::ahead::{read_checking_ahead, CheckedRecords};
use crate::thl::{
    file_index, next_index, successor_name, DamagedTail, EventRecord, LogDir, ReadOptions, Record,
    RecordKind, ThlError, ThlFile, VerifiedFile, HEADER_LEN,
};
use crate::Flow;

use super::{Transaction, TxnError};

/// What [`ThlWalk::walk_sharing_files`] calls with each transaction and its file.
pub type VisitWithFile<'v, E> = dyn FnMut(&Arc<ThlFile>, &Transaction<'_>) -> Result<Flow, E> + 'v;

/// How a THL walk reads.
#[derive(Debug, Clone, Copy)]
pub struct ThlWalk {
    /// CRC verification and tail policy.
    pub read: ReadOptions,
    /// Report damage and go on instead of stopping.
    pub permissive: bool,
    /// Check CRCs on a second thread, ahead of the walk (a strict walk that verifies
    /// them): the walk's thread then only frames and decodes records, and meets a
    /// damaged record exactly where it would have checking them itself.
    pub check_ahead: bool,
    /// The visitor keeps no file past its visit (see [`ThlWalk::walk_sharing_files`]):
    /// the walk unmaps the pages of the transactions it handed over as it goes, a
    /// stretch of a few MiB at a time. The system unmaps a page for less while it still
    /// has that page's bookkeeping in cache, just after mapping it, than at the end of
    /// a 100 MB file (`thl list -headers`: 4 to 6 % less time on one thread and on
    /// two), and the process never has more than a few MiB of the file mapped. Pages
    /// read again are mapped in again: a visitor that keeps files only loses time.
    pub release_behind: bool,
}

impl ThlWalk {
    /// The same walk, not checking CRCs (of records checked already).
    pub fn without_checksums(self) -> ThlWalk {
        ThlWalk {
            read: self.read.no_checksum(),
            ..self
        }
    }

    /// Visits the transactions of the files `names` of `dir`, in order. A transaction
    /// never spans two files. (Its bytes are the visit's only: the walk releases them
    /// behind it, see [`ThlWalk::release_behind`].)
    pub fn walk<'n, E: From<Error>>(
        self,
        dir: &LogDir,
        names: impl IntoIterator<Item = &'n str>,
        visit: &mut dyn FnMut(&Transaction<'_>) -> Result<Flow, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<(), E> {
        let walk = ThlWalk {
            release_behind: true,
            ..self
        };
        walk.walk_sharing_files(dir, names, None, &mut |_, txn| visit(txn), report)
    }

    /// [`ThlWalk::walk`], each transaction handed over with the file its records lie
    /// in: a visitor that keeps the file keeps the records' bytes past the visit (to
    /// read them again on another thread, where [`ThlFile::records_from`] finds each
    /// record at its offset) without copying them. `verified`, a file of `names` read
    /// to its end with this walk's read options already (see
    /// [`crate::thl::LogIndex::verified_file`]), is walked as it is, its CRCs not
    /// checked again.
    pub fn walk_sharing_files<'n, E: From<Error>>(
        self,
        dir: &LogDir,
        names: impl IntoIterator<Item = &'n str>,
        mut verified: Option<VerifiedFile>,
        visit: &mut VisitWithFile<'_, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<(), E> {
        let mut names = names.into_iter().peekable();
        let mut carried = Carried::default();
        while let Some(name) = names.next() {
            let (file, walk) = match verified.take_if(|verified| verified.name == name) {
                Some(verified) => (verified.file, self.without_checksums()),
                None => (Arc::new(dir.open_file(name)?), self),
            };
            let follows = names.peek().copied();
            let place = FilePlace {
                name,
                file: &file,
                follows,
                span: ThlFile::ALL_RECORDS,
            };
            let walked = walk.walk_file(dir, place, &mut carried, visit, report)?;
            if walked.stopped {
                return Ok(());
            }
            ThlFile::close(file);
        }
        Ok(())
    }

    /// Visits the transactions of one file of `dir` (at `place` in the walk), as
    /// [`ThlWalk::walk_sharing_files`] does with each: `carried` holds
    /// what the files before it left, and is updated. Files can also be walked apart,
    /// each from [`Carried::default`] (on threads of their own, say), and joined in
    /// order with [`ThlWalk::join`]: together they report and fail as one walk would.
    /// So can the parts of a file cut at transaction starts (see [`FilePlace::span`]):
    /// what only the file's end tells (its tail, its rotate record) is the last part's.
    pub fn walk_file<E: From<Error>>(
        self,
        dir: &LogDir,
        place: FilePlace<'_>,
        carried: &mut Carried,
        visit: &mut VisitWithFile<'_, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<FileWalked, E> {
        // Damage is reported while records are read, notices while a transaction is
        // handed over: never both at once.
        let report = RefCell::new(report);
        let say = |err: Error| (report.borrow_mut())(err);
        let FilePlace {
            name,
            file,
            follows,
            span,
        } = place;
        let to_file_end = span.end >= file.bytes().len() as u64;
        let previous = carried.closed.take();
        let mut walked = FileWalked {
            stopped: false,
            name: name.to_string(),
            file: file.name().to_string(),
            first_record_read: false,
            base: file.header().base_seqno,
            ends_with_rotate: false,
        };
        let mut txn = Transaction {
            fragments: Vec::new(),
        };
        let mut missing_next = None;
        let next_seqno = &mut carried.next_seqno;
        let mut hand =
            |txn: &Transaction<'_>| hand_over(txn, next_seqno, &mut |t| visit(file, t), &say);
        let mut behind = self.release_behind.then(|| file.release_behind(span.start));
        let tail = self.records(file, span.clone(), &say, &mut |record| -> Result<Flow, E> {
            walked.first_record_read |= record.offset == HEADER_LEN as u64;
            let seqno = match &record.kind {
                RecordKind::Event(e) => e.header.seqno,
                RecordKind::Rotate(rotate) => {
                    walked.ends_with_rotate = true;
                    if follows.is_some() && dir.find_index(rotate.next_index) != follows {
                        missing_next = Some(Error::new(
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
            if txn.seqno().is_some_and(|s| s != seqno) {
                let flow = hand(&txn)?;
                txn.fragments.clear();
                if flow == Flow::Stop {
                    walked.stopped = true;
                    return Ok(Flow::Stop);
                }
                if let Some(behind) = behind.as_mut() {
                    behind.passed(record.offset);
                }
            }
            txn.fragments.push(record);
            Ok(Flow::Continue)
        })?;
        if walked.stopped {
            return Ok(walked);
        }
        if !txn.fragments.is_empty() && hand(&txn)? == Flow::Stop {
            walked.stopped = true;
            return Ok(walked);
        }
        if let Some(behind) = behind {
            behind.passed_all(span.end);
        }
        // The newest file may end anywhere while it is written; a file another
        // follows (in this walk, or in the directory when the walk ends with it) was
        // closed with a rotate record (spec 1.4), so anything else is damage.
        let successor = follows
            .or_else(|| file_index(name).and_then(|index| dir.find_index(next_index(index))));
        let at = |offset, kind| Error::new(file.name(), offset, ErrorKind::Thl(kind));
        let damage = match (tail, successor) {
            // (A part of the file ends before its end: nothing to tell of that.)
            _ if !to_file_end => None,
            (Some(tail), None) => {
                say(at(tail.offset(), tail.notice()));
                None
            }
            (Some(tail), Some(_)) => Some(at(tail.offset(), tail.damage())),
            (None, Some(next)) if !walked.ends_with_rotate => Some(at(
                file.bytes().len() as u64,
                ThlError::MissingRotate {
                    next: successor_name(name).unwrap_or_else(|| next.to_string()),
                },
            )),
            _ => missing_next,
        };
        for err in [damage, wrong_base(previous, &walked)]
            .into_iter()
            .flatten()
        {
            if !self.permissive {
                return Err(E::from(err));
            }
            say(err);
        }
        if walked.ends_with_rotate {
            carried.closed = carried.next_seqno.map(|next| (name.to_string(), next));
        }
        Ok(walked)
    }

    /// Joins a file walked apart from [`Carried::default`] (`walked`, leaving `after`)
    /// to the walk of the files before it (`carried`, updated), once its own findings
    /// are told: a base seqno that does not follow those files is damage (only
    /// `report`ed when permissive). What else only those files could tell, a seqno gap
    /// before the file's first transaction, is [`Carried::gap_before`].
    pub fn join(
        self,
        carried: &mut Carried,
        walked: &FileWalked,
        after: Carried,
        report: &mut dyn FnMut(Error),
    ) -> Result<(), Error> {
        if let Some(err) = wrong_base(carried.closed.take(), walked) {
            if !self.permissive {
                return Err(err);
            }
            report(err);
        }
        carried.next_seqno = after.next_seqno.or(carried.next_seqno);
        carried.closed = carried
            .next_seqno
            .filter(|_| walked.ends_with_rotate)
            .map(|next| (walked.name.clone(), next));
        Ok(())
    }

    /// Passes the records of `file` within `span` to `visit` until it says stop;
    /// returns the damaged tail the file ended at, if any.
    fn records<'f, E: From<Error>>(
        &self,
        file: &'f ThlFile,
        span: Range<u64>,
        report: &dyn Fn(Error),
        visit: &mut impl FnMut(Record<'f>) -> Result<Flow, E>,
    ) -> Result<Option<DamagedTail>, E> {
        let records = file.records_within(span.clone(), self.read);
        if self.permissive {
            let mut records = records.skipping_damage(report);
            for record in records.by_ref() {
                if visit(record)? == Flow::Stop {
                    return Ok(None);
                }
            }
            return Ok(records.damaged_tail());
        }
        if self.check_ahead {
            return read_checking_ahead(file, span, self.read, |records| {
                strict_records(records, visit)
            });
        }
        strict_records(CheckedRecords::from(records), visit)
    }
}

/// The strict walk over `records` (see [`ThlWalk::records`]). (Inlined, as
/// [`CheckedRecords`]' `next` is, for the records to go to `visit` without copies.)
#[inline]
fn strict_records<'f, E: From<Error>>(
    mut records: CheckedRecords<'f, '_>,
    visit: &mut impl FnMut(Record<'f>) -> Result<Flow, E>,
) -> Result<Option<DamagedTail>, E> {
    for record in records.by_ref() {
        let record = record?;
        if let Some(err) = record.unknown_type_error() {
            return Err(E::from(err));
        }
        if visit(record)? == Flow::Stop {
            return Ok(None);
        }
    }
    Ok(records.damaged_tail())
}

/// Where a file lies in a walk (see [`ThlWalk::walk_file`]).
#[derive(Debug, Clone)]
pub struct FilePlace<'a> {
    /// The file's name in its directory.
    pub name: &'a str,
    /// The file.
    pub file: &'a Arc<ThlFile>,
    /// The name of the file walked after it, if any.
    pub follows: Option<&'a str>,
    /// The records walked: [`ThlFile::ALL_RECORDS`], or a part of the file between
    /// two offsets where a transaction starts (or its end), such as those
    /// [`crate::thl::VerifiedFile::transaction_starts`] gives.
    pub span: Range<u64>,
}

/// What a walk carries from one file to the next (see [`ThlWalk::walk_file`]).
#[derive(Debug, Clone, Default)]
pub struct Carried {
    /// The seqno the last transaction leads to: a later one past it is a gap.
    next_seqno: Option<i64>,
    /// After a file that ended in its rotate record: its name, and the seqno the next
    /// file's header must give as its base (spec 1.4).
    closed: Option<(String, i64)>,
}

impl Carried {
    /// The report due when a transaction whose seqno `found` begins at `offset` of
    /// `file` skips past the seqno the walk leads to (for a file walked apart: its
    /// first transaction, told before the file's own findings).
    pub fn gap_before(&self, file: &str, offset: u64, found: i64) -> Option<Error> {
        let expected = self.next_seqno?;
        (found > expected).then(|| seqno_gap(file, offset, expected, found))
    }
}

/// How the walk of one file went (see [`ThlWalk::walk_file`]).
#[derive(Debug, Clone)]
pub struct FileWalked {
    /// The visitor said stop: the walk ends here.
    pub stopped: bool,
    /// The file's name in its directory.
    name: String,
    /// The name errors about the file use.
    file: String,
    /// The record at byte 16 was read (the index checked the base against it).
    first_record_read: bool,
    /// The base seqno of the file's header.
    base: i64,
    ends_with_rotate: bool,
}

/// A file whose first record could not be read, after a file that ended in its rotate
/// record: its header must give the seqno that follows as its base (the index checks
/// the base against the record at byte 16 when it can).
fn wrong_base(previous: Option<(String, i64)>, walked: &FileWalked) -> Option<Error> {
    let (previous, expected) = previous?;
    (!walked.first_record_read && walked.base != expected).then(|| {
        Error::new(
            walked.file.as_str(),
            8,
            ErrorKind::Thl(ThlError::BaseSeqnoAfter {
                found: walked.base,
                expected,
                previous,
            }),
        )
    })
}

/// The report of a transaction (its first record at `offset` of `file`) whose seqno
/// `found` skips past `expected`, the one the previous transaction leads to.
fn seqno_gap(file: &str, offset: u64, expected: i64, found: i64) -> Error {
    Error::new(
        file,
        offset,
        ErrorKind::Txn(TxnError::SeqnoGap { expected, found }),
    )
}

/// Passes one transaction on, first reporting a seqno that skips past the one the
/// previous transaction leads to (records were lost between them).
fn hand_over<E>(
    txn: &Transaction<'_>,
    next_seqno: &mut Option<i64>,
    visit: &mut dyn FnMut(&Transaction<'_>) -> Result<Flow, E>,
    report: &dyn Fn(Error),
) -> Result<Flow, E> {
    if let Some((record, event)) = txn.fragments.first().and_then(|r| Some((r, r.event()?))) {
        let seqno = event.header.seqno;
        if let Some(expected) = *next_seqno {
            if seqno > expected {
                report(seqno_gap(event.file(), record.offset, expected, seqno));
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
    // The protobuf header tells: a placeholder's body is never read, so for one the
    // header's decoding is the whole payload's.
    match first.decode_header() {
        Ok(header) if header.filtered_event => header.seqno_end.map_or(seqno, |e| e.max(seqno)),
        _ => seqno,
    }
}
