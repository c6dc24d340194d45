//! CRCs checked on a second thread ahead of a reader on the first: the reader frames
//! and decodes records without checking them, and meets a damaged record exactly where
//! it would have checking them itself.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

use crate::error::Error;
use crate::threads::Spread;

use super::file::{DamagedTail, ReadOptions, Records, ThlFile};
use super::record::Record;

/// Runs `read` over the records of `file` within `span` (see
/// [`ThlFile::records_within`]), their CRCs checked (when `options` verify them) by
/// another thread ahead of it.
pub(crate) fn read_checking_ahead<'f, T>(
    file: &'f ThlFile,
    span: Range<u64>,
    options: ReadOptions,
    read: impl FnOnce(CheckedRecords<'f, '_>) -> T,
) -> T {
    if !options.verify_checksums {
        return read(CheckedRecords::from(file.records_within(span, options)));
    }
    let ahead = CheckedAhead::default();
    std::thread::scope(|scope| {
        let checked = file.records_within(span.clone(), options);
        Spread::from_here().spawn(scope, || ahead.check(checked));
        let records = CheckedRecords {
            records: file.records_within(span, options.no_checksum()),
            ahead: Some(&ahead),
            failed: false,
        };
        let read = read(records);
        ahead.stop();
        read
    })
}

/// Records whose CRCs were checked, by the iterator itself or by a thread ahead of it
/// (whose verdict on a record comes before the record). Ends after the first error.
pub(crate) struct CheckedRecords<'f, 'a> {
    records: Records<'f>,
    ahead: Option<&'a CheckedAhead>,
    failed: bool,
}

impl<'f> From<Records<'f>> for CheckedRecords<'f, '_> {
    fn from(records: Records<'f>) -> Self {
        CheckedRecords {
            records,
            ahead: None,
            failed: false,
        }
    }
}

impl CheckedRecords<'_, '_> {
    /// See [`Records::damaged_tail`].
    pub(crate) fn damaged_tail(&self) -> Option<DamagedTail> {
        self.records.damaged_tail()
    }
}

impl<'f> Iterator for CheckedRecords<'f, '_> {
    type Item = Result<Record<'f>, Error>;

    // Inlined into the walk: not inlined, each record (272 bytes) was copied out of the
    // reader's result on its way, about half of what `list -headers` copied on threads.
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let offset = self.records.offset();
        // (The record is returned as read, not taken out of its Option and put back:
        // moving a record copies a few hundred bytes.)
        let record = self.records.next();
        if record.is_some() {
            if let Some(Err(err)) = self.ahead.map(|ahead| ahead.passed(offset)) {
                self.failed = true;
                return Some(Err(err));
            }
        }
        record
    }
}

/// CRCs checked by one thread ahead of a reader on another: how far the checks went,
/// and the record whose check failed.
#[derive(Default)]
struct CheckedAhead {
    /// Every record starting before this offset passed: read without the lock, as the
    /// reader asks once per record and the checks are nearly always ahead.
    passed_to: AtomicU64,
    state: Mutex<AheadState>,
    moved: Condvar,
}

#[derive(Default)]
struct AheadState {
    /// The checks ended: at the end of the records, a damaged tail or `failed`.
    ended: bool,
    /// The record whose CRC did not match (or whose CRC type is invalid).
    failed: Option<(u64, Error)>,
    /// The reader is gone: checking further is useless.
    stopped: bool,
}

impl CheckedAhead {
    /// Bytes of records checked between two reports of progress: reports cost a lock,
    /// a reader waits for the next one at most this far behind the checks.
    const REPORT_BYTES: u64 = 256 << 10;

    /// Checks `records` in order, reporting progress, until the end, a failed check,
    /// or the reader stops.
    fn check(&self, mut records: Records<'_>) {
        let mut reported = records.offset();
        loop {
            let offset = records.offset();
            let checked = records.check_next();
            if matches!(checked, Some(Ok(next)) if next - reported < Self::REPORT_BYTES) {
                continue;
            }
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            match checked {
                Some(Ok(next)) => {
                    reported = next;
                    self.passed_to.store(next, Ordering::Release);
                    if state.stopped {
                        return;
                    }
                }
                Some(Err(err)) => {
                    state.failed = Some((offset, err));
                    state.ended = true;
                }
                None => {
                    self.passed_to.store(records.offset(), Ordering::Release);
                    state.ended = true;
                }
            }
            self.moved.notify_all();
            if state.ended {
                return;
            }
        }
    }

    /// Waits until the record at `offset` was checked; its failure, if it failed.
    fn passed(&self, offset: u64) -> Result<(), Error> {
        if self.passed_to.load(Ordering::Acquire) > offset {
            return Ok(());
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while self.passed_to.load(Ordering::Acquire) <= offset && !state.ended {
            state = self.moved.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        match state.failed.take() {
            Some((at, err)) if at == offset => Err(err),
            other => {
                state.failed = other;
                Ok(())
            }
        }
    }

    /// The reader is done: the checks stop at their next report.
    fn stop(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).stopped = true;
    }
}
