//! A THL file read front to back from a stream, one record in memory at a time.
//!
//! [`LogDir::index`](super::LogDir::index) needs a file's first record, whether the file
//! ends in a rotate record and, for the last file, its last complete seqno. A mapped
//! file answers that for free; a `.gz` file would have to be inflated whole (a stream
//! of zeros inflates a thousandfold), so it is streamed instead and memory stays at the
//! size of its largest record.

use crate::error::{Error, ErrorKind};
use crate::input::LogStream;

use super::file::{
    DamagedTail, FileHeader, ReadOptions, Records, TailPolicy, HEADER_LEN, MAX_RECORD_LEN,
    MIN_RECORD_LEN,
};

/// What the index needs of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen {
    /// An event record.
    Event {
        /// Its seqno.
        seqno: i64,
        /// Whether it is the last fragment of its transaction.
        last_frag: bool,
    },
    /// A rotate record.
    Rotate,
    /// A record of an unknown type.
    Unknown {
        /// The type byte.
        record_type: u8,
    },
}

/// A THL file being streamed: its header, then records on request.
#[derive(Debug)]
pub(super) struct StreamedFile {
    stream: LogStream,
    header: FileHeader,
    /// The header's bytes, then each record's in turn: the last bytes read.
    recent: Vec<u8>,
    /// Offset of the last record read.
    record_offset: u64,
    /// The damaged tail reading stopped at ([`TailPolicy::Stop`]), if any.
    tail: Option<DamagedTail>,
}

impl StreamedFile {
    /// Reads and checks the header.
    pub(super) fn open(mut stream: LogStream) -> Result<StreamedFile, Error> {
        let mut recent = Vec::with_capacity(HEADER_LEN);
        stream.read_up_to(HEADER_LEN as u64, &mut recent)?;
        let header = FileHeader::parse(stream.name(), &recent)?;
        Ok(StreamedFile {
            stream,
            header,
            recent,
            record_offset: HEADER_LEN as u64,
            tail: None,
        })
    }

    pub(super) fn header(&self) -> FileHeader {
        self.header
    }

    /// The file's name, as errors give it.
    pub(super) fn name(&self) -> &str {
        self.stream.name()
    }

    /// Offset of the record [`StreamedFile::next_record`] last returned.
    pub(super) fn record_offset(&self) -> u64 {
        self.record_offset
    }

    /// The next record; `None` at the end of the file, or at a damaged tail when
    /// `options.tail` is [`TailPolicy::Stop`]. Errors carry offsets in the whole file.
    pub(super) fn next_record(&mut self, options: ReadOptions) -> Result<Option<Seen>, Error> {
        let offset = self.stream.offset();
        self.record_offset = offset;
        self.recent.clear();
        let got = self.stream.read_up_to(4, &mut self.recent)?;
        if got == 0 {
            return Ok(None);
        }
        let damaged = if got < 4 {
            Some(DamagedTail::Truncated {
                offset,
                needed: 4,
                available: got as u64,
            })
        } else {
            let length = i32::from_be_bytes([
                self.recent[0],
                self.recent[1],
                self.recent[2],
                self.recent[3],
            ]);
            if (MIN_RECORD_LEN..=MAX_RECORD_LEN).contains(&length) {
                // Grows with the bytes present, not with the untrusted length.
                let rest = length as u64 - 4;
                let got = self.stream.read_up_to(rest, &mut self.recent)?;
                ((got as u64) < rest).then_some(DamagedTail::Truncated {
                    offset,
                    needed: length as u64,
                    available: self.recent.len() as u64,
                })
            } else {
                Some(DamagedTail::BadLength { offset, length })
            }
        };
        if let Some(tail) = damaged {
            return match options.tail {
                TailPolicy::Stop => {
                    self.tail = Some(tail);
                    Ok(None)
                }
                TailPolicy::Report => Err(Error::new(
                    self.stream.name(),
                    offset,
                    ErrorKind::Thl(tail.damage()),
                )),
            };
        }
        let mut records = Records::new(self.stream.name(), &self.recent, 0, options);
        match records.next() {
            Some(Ok(record)) => Ok(Some(super::dir::seen(&record.kind))),
            Some(Err(mut e)) => {
                e.offset += offset;
                Err(e)
            }
            None => Ok(None),
        }
    }

    /// The damaged tail [`StreamedFile::next_record`] stopped at, if any.
    pub(super) fn damaged_tail(&self) -> Option<DamagedTail> {
        self.tail
    }

    /// Offset of the next byte to read (after the last record: the file's length).
    pub(super) fn offset(&self) -> u64 {
        self.stream.offset()
    }

    /// Reads to the end and returns the file's last `n` bytes (fewer in a shorter file)
    /// and its length. Exact when at most one record was read before.
    pub(super) fn last_bytes(mut self, n: usize) -> Result<(Vec<u8>, u64), Error> {
        let rest = self.stream.last_bytes(n)?;
        let mut last = self.recent;
        last.extend_from_slice(&rest);
        let excess = last.len().saturating_sub(n);
        last.drain(..excess);
        Ok((last, self.stream.offset()))
    }
}
