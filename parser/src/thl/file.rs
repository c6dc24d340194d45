//! One THL data file: the 16-byte header (spec 2) and the record framing (spec 3).
//!
//! [`ThlFile`] owns the file's bytes (mapped, or inflated from `.gz`); [`Records`] walks
//! its records, checking lengths and CRCs, and tells a damaged or still-growing tail
//! ([`DamagedTail`]) apart from corruption inside the file.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use nom::number::complete::{be_i16, be_i64, be_u32};
use nom::Parser;

use crate::decode::finish;
use crate::error::{Error, ErrorKind};
use crate::input::{LogBytes, OpenOptions, ReleaseBehind};

use super::record::{Record, RecordKind, EVENT_RECORD, ROTATE_RECORD};
use super::ThlError;

/// Length of the file header; records start at this offset.
pub const HEADER_LEN: usize = 16;
/// The file magic, `0xC001CAFE`.
pub const MAGIC: u32 = 0xC001_CAFE;
/// Smallest valid record length: length field, CRC type and CRC with no data.
pub const MIN_RECORD_LEN: i32 = 13;
/// Largest record length a reader accepts.
pub const MAX_RECORD_LEN: i32 = 1_000_000_000;
/// CRC type byte: no checksum (the CRC field is 0).
pub const CRC_NONE: u8 = 0;
/// CRC type byte: CRC-32 over the record data.
pub const CRC_32: u8 = 1;

/// The 16-byte file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileHeader {
    /// Major version; only 1 is accepted.
    pub major: i16,
    /// Minor version; written as 1, other values are tolerated with a warning
    /// ([`ThlError::MinorVersion`]).
    pub minor: i16,
    /// Seqno of the first event in the file, or -1 for the first file of a log.
    pub base_seqno: i64,
}

impl FileHeader {
    /// Decodes and checks a header from the first bytes of a file named `file`.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<FileHeader, Error> {
        let err = |kind| Error::new(file, 0, ErrorKind::Thl(kind));
        let parts = (be_u32, be_i16, be_i16, be_i64).parse(bytes);
        let Ok((_, (magic, major, minor, base_seqno))) = finish(parts) else {
            return Err(err(ThlError::ShortHeader {
                len: bytes.len() as u64,
            }));
        };
        if magic != MAGIC {
            return Err(err(ThlError::BadMagic { found: magic }));
        }
        let header = FileHeader {
            major,
            minor,
            base_seqno,
        };
        if header.major != 1 {
            return Err(Error::new(
                file,
                4,
                ErrorKind::Thl(ThlError::IncompatibleVersion {
                    major: header.major,
                    minor: header.minor,
                }),
            ));
        }
        Ok(header)
    }

    /// The warning Tungsten logs for a minor version other than 1 (spec 2), when due,
    /// for the header of file `file`.
    pub fn minor_version_warning(&self, file: &str) -> Option<Error> {
        (self.minor != 1).then(|| {
            Error::new(
                file,
                6,
                ErrorKind::Thl(ThlError::MinorVersion {
                    major: self.major,
                    minor: self.minor,
                }),
            )
        })
    }

    /// The 16 bytes of a version 1.1 header with this base seqno.
    pub fn encode(base_seqno: i64) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..4].copy_from_slice(&MAGIC.to_be_bytes());
        out[4..6].copy_from_slice(&1i16.to_be_bytes());
        out[6..8].copy_from_slice(&1i16.to_be_bytes());
        out[8..].copy_from_slice(&base_seqno.to_be_bytes());
        out
    }
}

/// How records are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Verify each record's CRC (Tungsten's default; `-no-checksum` turns it off).
    pub verify_checksums: bool,
    /// What to do at a partial record or invalid length at the point reading stops.
    pub tail: TailPolicy,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            verify_checksums: true,
            tail: TailPolicy::Report,
        }
    }
}

impl ReadOptions {
    /// Tungsten's reader: CRCs checked, damaged tail ends the file silently.
    pub fn tungsten() -> Self {
        ReadOptions {
            verify_checksums: true,
            tail: TailPolicy::Stop,
        }
    }

    /// The same options without CRC verification.
    pub fn no_checksum(self) -> Self {
        ReadOptions {
            verify_checksums: false,
            ..self
        }
    }
}

/// Treatment of a record the file ends in the middle of, or whose length is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailPolicy {
    /// Yield an error ([`ThlError::Truncated`] or [`ThlError::BadRecordLength`]).
    Report,
    /// End iteration before the damaged record, as Tungsten's readers do (a log being
    /// written is read up to its last complete record); [`Records::damaged_tail`] tells
    /// what was left.
    Stop,
}

/// Where and why reading stopped before the end of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DamagedTail {
    /// The file ends inside a record (or inside its length field).
    Truncated {
        /// Offset of the partial record.
        offset: u64,
        /// Bytes the record needs.
        needed: u64,
        /// Bytes present.
        available: u64,
    },
    /// A record's length field is outside `13..=1e9`.
    BadLength {
        /// Offset of the record.
        offset: u64,
        /// The stored length.
        length: i32,
    },
}

impl DamagedTail {
    /// Offset of the damaged record.
    pub fn offset(&self) -> u64 {
        match *self {
            DamagedTail::Truncated { offset, .. } | DamagedTail::BadLength { offset, .. } => offset,
        }
    }

    /// The tail as damage: in a file another file follows, which must end in a rotate
    /// record.
    pub fn damage(&self) -> ThlError {
        match *self {
            DamagedTail::Truncated {
                needed, available, ..
            } => ThlError::Truncated { needed, available },
            DamagedTail::BadLength { length, .. } => ThlError::BadRecordLength { length },
        }
    }

    /// The tail as a notice: at the end of the newest file, where a log being written
    /// may end inside a record (spec 3.2).
    pub fn notice(&self) -> ThlError {
        match *self {
            DamagedTail::Truncated {
                needed, available, ..
            } => ThlError::IncompleteTail { needed, available },
            DamagedTail::BadLength { length, .. } => ThlError::InvalidTailLength { length },
        }
    }
}

/// An open THL data file.
#[derive(Debug)]
pub struct ThlFile {
    bytes: LogBytes,
    header: FileHeader,
}

impl ThlFile {
    /// The span of every record, from the header's end to the file's end (see
    /// [`ThlFile::records_within`]).
    pub const ALL_RECORDS: Range<u64> = HEADER_LEN as u64..u64::MAX;

    /// Opens `path` (mapped; `.gz` inflated) and checks its header.
    pub fn open(path: &Path) -> Result<ThlFile, Error> {
        ThlFile::open_with(path, OpenOptions::default())
    }

    /// [`ThlFile::open`] with explicit options (the in-memory limit for `.gz` files).
    pub fn open_with(path: &Path, options: OpenOptions) -> Result<ThlFile, Error> {
        ThlFile::from_bytes(LogBytes::open_with(path, options)?)
    }

    /// Wraps bytes already obtained, checking the header.
    pub fn from_bytes(bytes: LogBytes) -> Result<ThlFile, Error> {
        let header = FileHeader::parse(bytes.name(), bytes.bytes())?;
        Ok(ThlFile { bytes, header })
    }

    /// The name errors use (the path as given).
    pub fn name(&self) -> &str {
        self.bytes.name()
    }

    /// The file header.
    pub fn header(&self) -> FileHeader {
        self.header
    }

    /// The whole file content.
    pub fn bytes(&self) -> &[u8] {
        self.bytes.bytes()
    }

    /// Unmaps the file's pages wholly inside `span` (a reader done with them), on the
    /// calling thread, rather than with the rest when the file is closed: reading them
    /// again maps them in again. A stretch at a time (see [`LogBytes::release`]), so
    /// that the other threads' mappings (another file opened, an allocator growing its
    /// heap) wait for one stretch at most: closing a mapped file unmaps it whole. A file
    /// held in memory keeps its bytes.
    pub fn release(&self, span: Range<u64>) {
        let end = usize::try_from(span.end).unwrap_or(usize::MAX);
        let start = usize::try_from(span.start).unwrap_or(usize::MAX);
        self.bytes.release(start..end);
    }

    /// A reader of the file from offset `at` on that unmaps the pages it passed as it
    /// goes (see [`ReleaseBehind::in_stretches`]).
    pub(crate) fn release_behind(&self, at: u64) -> ReleaseBehind<'_> {
        ReleaseBehind::in_stretches(&self.bytes, at)
    }

    /// Lets go of one holder's share of `file`: the last one releases the whole file
    /// (see [`ThlFile::release`]) before it closes, so that closing it does not hold up
    /// the other threads' mappings.
    pub fn close(file: Arc<ThlFile>) {
        if let Some(file) = Arc::into_inner(file) {
            file.release(ThlFile::ALL_RECORDS);
        }
    }

    /// The records from the first one on.
    pub fn records(&self, options: ReadOptions) -> Records<'_> {
        Records::new(self.name(), self.bytes(), HEADER_LEN, options)
    }

    /// The records from `offset` on, which must be a record boundary.
    pub fn records_from(&self, offset: u64, options: ReadOptions) -> Records<'_> {
        Records::new(self.name(), self.bytes(), record_index(offset), options)
    }

    /// The offset of the first plausible record (see [`Records::resynchronize`]) with a
    /// CRC-32 at or past offset `from` and before `from + within`, if any: where a
    /// reader that cannot start from the file's first record guesses the next one
    /// begins. (Only a CRC-32 that matches is evidence enough: a large record's data
    /// holds many a stretch that frames as a record without one.)
    pub(crate) fn first_plausible_record(&self, from: u64, within: u64) -> Option<u64> {
        let bytes = self.bytes();
        let from = record_index(from);
        let to = usize::try_from(within)
            .map_or(bytes.len(), |within| from.saturating_add(within))
            .min(bytes.len());
        // What lies next to the length first: the CRC fields at a candidate's end are far
        // off, a page fault each on a file just mapped.
        let base = self.header.base_seqno;
        record_candidates(bytes, from..to, base)
            .filter(|&at| could_begin_record(&bytes[at..], base))
            .find(|&at| plausible_record_at(self.name(), bytes, at, Evidence::Crc32))
            .map(|at| at as u64)
    }

    /// Where a reader that cannot start from the file's first record guesses a
    /// transaction begins, at or past offset `from`: from the first plausible record
    /// with a matching CRC-32 in the next MiB, the first event record that is a
    /// transaction's first fragment, its CRC checked. A guess only: the records before
    /// it, read from the file's start, tell whether a record really begins there and
    /// whether the transaction before ends there.
    pub fn guess_transaction_start(&self, from: u64) -> Option<u64> {
        const RECORDS_TO_FIRST_FRAGMENT: usize = 1024;
        let start = self.first_plausible_record(from, SYNC_SEARCH_BYTES)?;
        self.records_from(start, ReadOptions::default())
            .take(RECORDS_TO_FIRST_FRAGMENT)
            .map_while(Result::ok)
            .find(|record| matches!(&record.kind, RecordKind::Event(e) if e.header.fragno == 0))
            .map(|record| record.offset)
    }

    /// The records between the record boundaries `span.start` and `span.end` (or the
    /// file's end): as the file's own from `span.start` on, ending at `span.end` as at a
    /// clean end of the file.
    pub fn records_within(&self, span: Range<u64>, options: ReadOptions) -> Records<'_> {
        let bytes = self.bytes();
        let end = usize::try_from(span.end).map_or(bytes.len(), |end| end.min(bytes.len()));
        Records::new(
            self.name(),
            &bytes[..end],
            record_index(span.start),
            options,
        )
    }
}

/// `offset` as an index into a file's bytes, at or past its header.
fn record_index(offset: u64) -> usize {
    usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .max(HEADER_LEN)
}

/// Iterator over a file's records. Ends at the end of the file, at a damaged tail (with
/// [`TailPolicy::Stop`]), or after the first error.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    file: &'a str,
    bytes: &'a [u8],
    pos: usize,
    options: ReadOptions,
    done: bool,
    tail: Option<DamagedTail>,
    /// The record before the next one had a CRC-32 (see [`Records::check_crc`]).
    crc32_before: bool,
}

impl<'a> Records<'a> {
    /// Records of `bytes` (a whole file named `file`) from byte `pos` on.
    pub fn new(file: &'a str, bytes: &'a [u8], pos: usize, options: ReadOptions) -> Self {
        Records {
            file,
            bytes,
            pos,
            options,
            done: false,
            tail: None,
            crc32_before: true,
        }
    }

    /// Offset of the next record (after iteration: where reading stopped).
    pub fn offset(&self) -> u64 {
        self.pos as u64
    }

    /// With [`TailPolicy::Stop`]: the damaged tail iteration stopped at, if any.
    pub fn damaged_tail(&self) -> Option<DamagedTail> {
        self.tail
    }

    /// For readers that report damage and carry on: after this iterator yielded an
    /// error for a record whose framing holds (its length is valid and the whole record
    /// is present: a CRC mismatch, an invalid CRC type, an undecodable fixed header),
    /// steps over that record and resumes iteration at the next one, whose offset is
    /// returned. None, and iteration stays ended, when there is no such record (the
    /// error was at a damaged tail, or there was no error).
    pub fn skip_damaged(&mut self) -> Option<u64> {
        if !self.done {
            return None;
        }
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos += whole_record_at(rest, self.pos as u64).ok()?.len();
        self.done = false;
        self.tail = None;
        Some(self.pos as u64)
    }

    /// For readers that report damage and carry on: after iteration stopped at a
    /// damaged tail (an invalid length, or a record the file ends inside), looks past it
    /// for the next plausible record and resumes iteration there, returning its offset.
    /// None, and iteration stays ended, when nothing plausible follows: the tail really
    /// is the end (a log still being written).
    ///
    /// A plausible record has a valid length, lies wholly in the file, starts with
    /// record type 1 or 2 whose fixed part decodes, and either carries a CRC-32 that
    /// matches its data (checked even without checksum verification: here it is
    /// evidence, not validation) or, with CRC type 0 and a zero CRC field, is followed
    /// by the end of the file or by another valid length field.
    pub fn resynchronize(&mut self) -> Option<u64> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        if !self.done || rest.is_empty() || whole_record_at(rest, 0).is_ok() {
            return None;
        }
        let found = (self.pos + 1..self.bytes.len())
            .find(|&at| plausible_record_at(self.file, self.bytes, at, Evidence::AnyCrc))?;
        self.pos = found;
        self.done = false;
        self.tail = None;
        Some(found as u64)
    }

    fn error(&self, offset: u64, kind: ThlError) -> Error {
        Error::new(self.file, offset, ErrorKind::Thl(kind))
    }

    /// Frames the next record and checks its CRC, without decoding it (what a thread
    /// that checks CRCs ahead of a reader does): Some(Ok) with the offset of the record
    /// after it, Some(Err) for a CRC that does not match or an invalid CRC type (or, with
    /// [`TailPolicy::Report`], a damaged tail), None at the end or a damaged tail.
    /// Iteration ends after an error, as with `next`.
    pub(crate) fn check_next(&mut self) -> Option<Result<u64, Error>> {
        if self.done {
            return None;
        }
        let checked = self.check_record();
        if !matches!(checked, Some(Ok(_))) {
            self.done = true;
        }
        checked
    }

    /// The bytes of the whole record at the reading position: None at the end, or at a
    /// damaged tail ([`TailPolicy::Stop`] keeps it for `damaged_tail`, `Report` fails).
    fn whole_record(&mut self) -> Result<Option<&'a [u8]>, Error> {
        let offset = self.pos as u64;
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(None);
        }
        match whole_record_at(rest, offset) {
            Ok(record) => Ok(Some(record)),
            Err(tail) => match self.options.tail {
                TailPolicy::Stop => {
                    self.tail = Some(tail);
                    Ok(None)
                }
                TailPolicy::Report => Err(self.error(offset, tail.damage())),
            },
        }
    }

    fn check_record(&mut self) -> Option<Result<u64, Error>> {
        let offset = self.pos as u64;
        let record = match self.whole_record() {
            Ok(record) => record?,
            Err(err) => return Some(Err(err)),
        };
        // (Framing cannot fail after `whole_record_at`; if it did, the reader's own
        // framing of this record would report it.)
        if let Some(framed) = Framed::split(record) {
            if let Err(kind) = self.check_crc(&framed) {
                return Some(Err(self.error(offset, kind)));
            }
        }
        self.pos += record.len();
        Some(Ok(self.pos as u64))
    }

    /// The next record, or the error that ends iteration (in the iterator's shape, so
    /// the large record is built where the caller receives it, not moved there).
    fn next_record(&mut self) -> Option<Result<Record<'a>, Error>> {
        let offset = self.pos as u64;
        let record = match self.whole_record() {
            Ok(record) => record?,
            Err(err) => return Some(Err(err)),
        };
        let length = record.len();
        let Some(framed) = Framed::split(record) else {
            // Unreachable after `whole_record_at`; reported rather than assumed.
            let kind = ThlError::Record {
                record: "record framing",
                expected: "the record data and CRC",
            };
            return Some(Err(self.error(offset, kind)));
        };
        if self.options.verify_checksums {
            if let Err(kind) = self.check_crc(&framed) {
                return Some(Err(self.error(offset, kind)));
            }
        }
        let (crc_type, crc) = framed.crc();
        let kind = match RecordKind::parse(self.file, offset + 4, framed.data) {
            Ok(kind) => kind,
            Err(err) => return Some(Err(err)),
        };
        self.pos += length;
        Some(Ok(Record {
            file: self.file,
            offset,
            length: length as u32,
            crc_type,
            crc,
            data: framed.data,
            kind,
        }))
    }

    /// Checks a record's CRC fields against its data. When the record before had a
    /// CRC-32 (as nearly every log's records have), the data's CRC is computed before
    /// the fields are read: they follow the data, mostly on the next page, and reading
    /// them first waits on memory that the computation streams through anyway.
    fn check_crc(&mut self, framed: &Framed<'_>) -> Result<(), ThlError> {
        let hashed = self.crc32_before.then(|| crc32fast::hash(framed.data));
        let (crc_type, crc) = framed.crc();
        self.crc32_before = crc_type == CRC_32;
        let computed = match crc_type {
            CRC_NONE => 0,
            CRC_32 => u64::from(hashed.unwrap_or_else(|| crc32fast::hash(framed.data))),
            other => return Err(ThlError::InvalidCrcType { crc_type: other }),
        };
        if computed != crc {
            return Err(ThlError::CrcMismatch {
                crc_type,
                stored: crc,
                computed,
            });
        }
        Ok(())
    }
}

/// The record at the front of `rest` (at file `offset`), when its length is valid and
/// the whole record is present.
fn whole_record_at(rest: &[u8], offset: u64) -> Result<&[u8], DamagedTail> {
    let available = rest.len() as u64;
    let Some(&[a, b, c, d]) = rest.get(..4) else {
        return Err(DamagedTail::Truncated {
            offset,
            needed: 4,
            available,
        });
    };
    let length = i32::from_be_bytes([a, b, c, d]);
    if !(MIN_RECORD_LEN..=MAX_RECORD_LEN).contains(&length) {
        return Err(DamagedTail::BadLength { offset, length });
    }
    rest.get(..length as usize).ok_or(DamagedTail::Truncated {
        offset,
        needed: length as u64,
        available,
    })
}

/// Whether the bytes that begin `rest` could begin a record of a file whose base seqno
/// is `base`, by what lies next to its length: a rotate record's fixed length, or an
/// event record's seqno at or past the base (its first record's, spec 2: seqnos only
/// grow along a file) and below a bound no log reaches. Few places in a record's data
/// pass.
fn could_begin_record(rest: &[u8], base: i64) -> bool {
    let Some((length, data)) = rest.split_first_chunk::<4>() else {
        return false;
    };
    match data.split_first() {
        Some((&EVENT_RECORD, data)) => data.first_chunk::<8>().is_some_and(|seqno| {
            let ahead = i64::from_be_bytes(*seqno).checked_sub(base);
            ahead.is_some_and(|ahead| (0..1 << 40).contains(&ahead))
        }),
        Some((&ROTATE_RECORD, _)) => {
            usize::try_from(u32::from_be_bytes(*length)) == Ok(ROTATE_RECORD_LEN)
        }
        _ => false,
    }
}

/// The offsets in `range` of `bytes` where what [`could_begin_record`] looks at could
/// begin a record of a file whose base seqno is `base` (and some others), in order.
/// Found by searching for the bytes they hold at memory speed rather than trying each
/// offset: inside a large record's data, a type byte's value alone is found every few
/// bytes. An event record's type byte is followed by its seqno, whose top two bytes
/// are one of the two that seqnos up to 2^40 past the base hold; a rotate record begins
/// with its fixed length and type byte.
fn record_candidates(
    bytes: &[u8],
    range: Range<usize>,
    base: i64,
) -> impl Iterator<Item = usize> + '_ {
    let top_bytes = |seqno: i64| {
        let [a, b, ..] = seqno.to_be_bytes();
        [EVENT_RECORD, a, b]
    };
    let highest = base.saturating_add((1 << 40) - 1);
    let rotate_length = u32::try_from(ROTATE_RECORD_LEN).unwrap_or(u32::MAX);
    let [l0, l1, l2, l3] = rotate_length.to_be_bytes();
    // (Each with where it lies past the record's start.)
    let patterns: [(usize, Vec<u8>); 3] = [
        (4, top_bytes(base).to_vec()),
        (4, top_bytes(highest).to_vec()),
        (0, vec![l0, l1, l2, l3, ROTATE_RECORD]),
    ];
    let mut at = range.start;
    std::iter::from_fn(move || {
        // The nearest of each pattern's next places, each searched for only up to the
        // nearest found so far.
        let mut nearest = range.end;
        for (lead, pattern) in &patterns {
            let from = at + lead;
            let to = (nearest + lead + pattern.len()).min(bytes.len());
            if let Some(i) = bytes
                .get(from..to)
                .and_then(|h| memchr::memmem::find(h, pattern))
            {
                nearest = nearest.min(at + i);
            }
        }
        (nearest < range.end).then(|| {
            at = nearest + 1;
            nearest
        })
    })
}

/// Bytes past a guessed start searched for a record to begin at: a reader that finds
/// none there (a record that large is rare) reads on from a record before instead.
pub(super) const SYNC_SEARCH_BYTES: u64 = 1 << 20;

/// Size of a framed rotate record: its length, its type, the next file's index and the
/// CRC fields.
pub(super) const ROTATE_RECORD_LEN: usize = 4 + 1 + 8 + CRC_FIELDS_LEN;

/// What makes a record plausible besides its framing and its fixed part.
#[derive(Clone, Copy, PartialEq)]
enum Evidence {
    /// A CRC-32 that matches the data, or no CRC where the next length is valid.
    AnyCrc,
    /// A CRC-32 that matches the data.
    Crc32,
}

/// Whether a plausible record starts at `at` (see [`Records::resynchronize`]).
fn plausible_record_at(file: &str, bytes: &[u8], at: usize, evidence: Evidence) -> bool {
    let rest = bytes.get(at..).unwrap_or_default();
    let Ok(record) = whole_record_at(rest, at as u64) else {
        return false;
    };
    let Some(framed) = Framed::split(record) else {
        return false;
    };
    let (data, (crc_type, crc)) = (framed.data, framed.crc());
    if !matches!(data.first(), Some(&(EVENT_RECORD | ROTATE_RECORD))) {
        return false;
    }
    // Cheap tests first: the CRC of a candidate is computed only when its CRC field
    // could hold one (a CRC-32 leaves the upper four bytes zero, spec 3).
    let checked = match crc_type {
        CRC_32 => crc >> 32 == 0 && crc == u64::from(crc32fast::hash(data)),
        CRC_NONE if evidence == Evidence::AnyCrc => {
            let next = rest.get(record.len()..).unwrap_or_default();
            crc == 0
                && (next.is_empty()
                    || !matches!(whole_record_at(next, 0), Err(DamagedTail::BadLength { .. })))
        }
        _ => false,
    };
    checked && RecordKind::parse(file, at as u64 + 4, data).is_ok()
}

/// Bytes of the CRC fields that end a record: the CRC type and the CRC.
const CRC_FIELDS_LEN: usize = 9;

/// One whole record (see [`whole_record_at`]) split into its data and its CRC fields
/// (spec 3), which are read only when asked for.
struct Framed<'a> {
    data: &'a [u8],
    crc_fields: &'a [u8; CRC_FIELDS_LEN],
}

impl<'a> Framed<'a> {
    /// None when `record` is shorter than the length field and the CRC fields.
    fn split(record: &'a [u8]) -> Option<Framed<'a>> {
        let (head, crc_fields) = record.split_last_chunk::<CRC_FIELDS_LEN>()?;
        Some(Framed {
            data: head.get(4..)?,
            crc_fields,
        })
    }

    /// The CRC type and the stored CRC.
    fn crc(&self) -> (u8, u64) {
        let [crc_type, crc @ ..] = *self.crc_fields;
        (crc_type, u64::from_be_bytes(crc))
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_record();
        if !matches!(next, Some(Ok(_))) {
            self.done = true;
        }
        next
    }
}

impl std::iter::FusedIterator for Records<'_> {}

impl<'a> Records<'a> {
    /// A permissive walk over the same records: each damaged record whose framing holds
    /// (CRC mismatch, undecodable fixed header, unknown record type) is passed to
    /// `report` and stepped over; at a damaged stretch (an invalid length, or a record
    /// cut short) reading resumes at the next plausible record after reporting the
    /// damage and a [`ThlError::Skipped`]. When nothing plausible follows, the damage is
    /// the file's tail: it is not reported and [`SkippingDamage::damaged_tail`] tells
    /// what it was, as for a strict walk with [`TailPolicy::Stop`].
    pub fn skipping_damage<F: FnMut(Error)>(self, report: F) -> SkippingDamage<'a, F> {
        SkippingDamage {
            records: self,
            report,
        }
    }
}

/// See [`Records::skipping_damage`].
#[derive(Debug)]
pub struct SkippingDamage<'a, F> {
    records: Records<'a>,
    report: F,
}

impl<F> SkippingDamage<'_, F> {
    /// The damaged tail the walk ended at, if any.
    pub fn damaged_tail(&self) -> Option<DamagedTail> {
        self.records.damaged_tail()
    }

    /// Offset of the next record (after iteration: where reading stopped).
    pub fn offset(&self) -> u64 {
        self.records.offset()
    }
}

impl<'a, F: FnMut(Error)> Iterator for SkippingDamage<'a, F> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        loop {
            match self.records.next() {
                Some(Ok(record)) => {
                    if let RecordKind::Unknown { record_type } = record.kind {
                        (self.report)(
                            self.records
                                .error(record.offset, ThlError::UnknownRecordType { record_type }),
                        );
                        continue;
                    }
                    return Some(record);
                }
                Some(Err(e)) => {
                    (self.report)(e);
                    if self.records.skip_damaged().is_none() {
                        let from = self.records.offset();
                        let resume_at = self.records.resynchronize()?;
                        (self.report)(self.records.error(from, ThlError::Skipped { resume_at }));
                    }
                }
                None => {
                    let tail = self.records.damaged_tail()?;
                    let resume_at = self.records.clone().resynchronize()?;
                    (self.report)(self.records.error(tail.offset(), tail.damage()));
                    (self.report)(
                        self.records
                            .error(tail.offset(), ThlError::Skipped { resume_at }),
                    );
                    self.records.resynchronize();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // The search finds every offset where a record could begin, as trying each
        // offset does: bytes made of what records begin with, bases on either side of
        // the places where a seqno's top bytes change.
        #[test]
        fn record_candidates_miss_no_place_a_record_could_begin(
            bytes in prop::collection::vec(prop::sample::select(vec![0u8, 1, 2, 22, 0xff]), 0..400),
            base in prop::sample::select(vec![
                -1i64, 0, 7, (1 << 40) - 2, (1 << 48) - 3, (1 << 48) + 1, i64::MAX - 5, i64::MIN,
            ]),
            start in 0usize..40,
        ) {
            let end = bytes.len();
            let start = start.min(end);
            let found: Vec<usize> = record_candidates(&bytes, start..end, base)
                .filter(|&at| could_begin_record(&bytes[at..], base))
                .collect();
            let tried: Vec<usize> = (start..end)
                .filter(|&at| could_begin_record(&bytes[at..], base))
                .collect();
            prop_assert_eq!(found, tried);
        }
    }
}
