//! A log directory: file names, ordering and the seqno index (spec 1).
//!
//! Data files are `thl.data.` + a 10-digit index; the index after `i` is
//! `(i + 1) mod 2147483647`, so after a wrap-around name order and log order differ.
//! [`LogDir::index`] therefore orders files by their first seqno, as Tungsten does.
//! A `.gz` suffix is accepted on any file name; such files are inflated when opened
//! (within [`OpenOptions::max_in_memory`]), and streamed when only indexed. When a file
//! is present both plain and gzipped (`gzip -k`), the plain one is the log's and the
//! `.gz` copy is set aside ([`LogDir::ignored_copies`]): two files with one index
//! would otherwise both enter the index.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, ErrorKind};
use crate::input::{LogStream, OpenOptions};

use super::file::{
    DamagedTail, ReadOptions, Records, TailPolicy, ThlFile, HEADER_LEN, ROTATE_RECORD_LEN,
};
use super::record::{RecordKind, RotateRecord};
use super::scan::scan;
use super::stream::{Seen, StreamedFile};
use super::ThlError;

/// Prefix of every data file name.
pub const FILE_PREFIX: &str = "thl.data.";
/// File indexes wrap around modulo this value.
pub const INDEX_MODULUS: i64 = 2_147_483_647;

/// `thl.data.` + `index` zero-padded to 10 digits.
pub fn file_name(index: i64) -> String {
    format!("{FILE_PREFIX}{index:010}")
}

/// The index in a file name: the number after its last `.` (a `.gz` suffix ignored).
pub fn file_index(name: &str) -> Option<i64> {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    name.rsplit('.').next()?.parse().ok()
}

/// The index of the file that follows file `index`.
pub fn next_index(index: i64) -> i64 {
    // Reduce first: the index may come from an untrusted rotate record or file name.
    (index.rem_euclid(INDEX_MODULUS) + 1) % INDEX_MODULUS
}

/// The name of the file that follows the file `name` (`None` when the name ends in no
/// index).
pub fn successor_name(name: &str) -> Option<String> {
    file_index(name).map(|index| file_name(next_index(index)))
}

/// A THL log directory and its data file names (sorted by name).
#[derive(Debug, Clone)]
pub struct LogDir {
    path: PathBuf,
    files: Vec<String>,
    /// `.gz` files whose plain twin is present.
    ignored: Vec<String>,
    open_options: OpenOptions,
    /// Index scans read a file in this many parts at most, on as many threads (see
    /// [`LogDir::scanning_in_parts`]).
    scan_parts: usize,
    /// The least part of a file an index scan reads on a thread of its own.
    least_part_bytes: u64,
}

/// One file of the index: its seqno range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// The file's name (without directory).
    pub file_name: String,
    /// The header's base seqno (-1 for the first file of a log).
    pub base_seqno: i64,
    /// First seqno in the file: the base seqno, or for a first file the seqno of its
    /// first record (when that is a complete event record).
    pub start_seqno: i64,
    /// Last seqno: the next file's start - 1, or for the last file the seqno of its last
    /// record with `lastFrag` (the base seqno if there is none). A permissive index
    /// ends a file cut short at its last complete transaction (start - 1 when it holds
    /// none).
    pub end_seqno: i64,
    /// Whether the file's last record is a rotate record.
    pub ends_with_rotate: bool,
}

/// The files of a log in seqno order with their ranges (`thl index`).
#[derive(Debug, Clone)]
pub struct LogIndex {
    entries: Vec<IndexEntry>,
    max_seqno: i64,
    /// See [`LogIndex::verified_file`].
    verified: Option<VerifiedFile>,
}

/// The newest file of a log as a strict index read it to its end (see
/// [`LogIndex::verified_file`]).
#[derive(Debug, Clone)]
pub struct VerifiedFile {
    /// The file's name in its directory.
    pub name: String,
    /// The file, still mapped.
    pub file: Arc<ThlFile>,
    /// Offsets of records that begin a transaction (whose seqno is not the record
    /// before's), in order, before any rotate record, spread over the file: a few dozen
    /// at most, the first after its first record, at least a 64th of the file apart.
    /// Readers can cut the file there into parts walked apart (see
    /// [`crate::txn::thl::FilePlace::span`]).
    pub transaction_starts: Vec<u64>,
}

impl LogDir {
    /// Lists `path`: every non-directory entry whose name starts with `thl.data.`.
    pub fn open(path: &Path) -> Result<LogDir, Error> {
        let name = path.display().to_string();
        let io = |e| Error::new(name.clone(), 0, ErrorKind::Io(e));
        let mut files = Vec::new();
        for entry in std::fs::read_dir(path).map_err(io)? {
            let entry = entry.map_err(io)?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if file_name.starts_with(FILE_PREFIX) && !entry.path().is_dir() {
                files.push(file_name);
            }
        }
        if files.is_empty() {
            return Err(Error::new(name, 0, ErrorKind::Thl(ThlError::NoLogFiles)));
        }
        files.sort();
        let (ignored, files): (Vec<String>, Vec<String>) = files.iter().cloned().partition(|f| {
            f.strip_suffix(".gz")
                .is_some_and(|plain| files.binary_search_by(|g| g.as_str().cmp(plain)).is_ok())
        });
        Ok(LogDir {
            path: path.to_path_buf(),
            files,
            ignored,
            open_options: OpenOptions::default(),
            scan_parts: 1,
            least_part_bytes: u64::MAX,
        })
    }

    /// `.gz` files left out of the log because the same file is present uncompressed
    /// (sorted by name).
    pub fn ignored_copies(&self) -> &[String] {
        &self.ignored
    }

    /// The `.gz` copy left out in favour of the plain file `name`, if any.
    pub fn ignored_copy_of(&self, name: &str) -> Option<&str> {
        let gz = format!("{name}.gz");
        self.ignored.iter().find(|f| **f == gz).map(String::as_str)
    }

    /// The file a user's `name` means: the log's file of that name, else its `.gz`
    /// form (`thl.data.0000000001` finds `thl.data.0000000001.gz`), else a copy left
    /// out of the log named exactly.
    pub fn find_file(&self, name: &str) -> Option<&str> {
        let gz = format!("{name}.gz");
        self.files
            .iter()
            .find(|f| **f == name)
            .or_else(|| self.files.iter().find(|f| **f == gz))
            .or_else(|| self.ignored.iter().find(|f| **f == name))
            .map(String::as_str)
    }

    /// The same directory, its files opened with `options` (the in-memory limit for
    /// `.gz` files).
    pub fn with_open_options(self, options: OpenOptions) -> LogDir {
        LogDir {
            open_options: options,
            ..self
        }
    }

    /// The same directory, whose strict index reads a file to its end (the newest one,
    /// and any cut short) in up to `parts` parts of at least `least_part_bytes` each,
    /// each but the first on a thread of its own: for callers with cores to spare. The
    /// index is the one reading each file from its start gives, damage and all (see
    /// `scan.rs`); `.gz` files are read from their start.
    pub fn scanning_in_parts(self, parts: usize, least_part_bytes: u64) -> LogDir {
        LogDir {
            scan_parts: parts.max(1),
            least_part_bytes,
            ..self
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Data file names, sorted by name (without the copies of
    /// [`LogDir::ignored_copies`]).
    pub fn file_names(&self) -> &[String] {
        &self.files
    }

    /// Full path of a file of this directory.
    pub fn file_path(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Opens a data file of this directory by name.
    pub fn open_file(&self, name: &str) -> Result<ThlFile, Error> {
        ThlFile::open_with(&self.file_path(name), self.open_options)
    }

    /// The name of the file with `index` (plain or `.gz`), if present.
    pub fn find_index(&self, index: i64) -> Option<&str> {
        let plain = file_name(index);
        let gz = format!("{plain}.gz");
        self.files
            .iter()
            .find(|f| **f == plain || **f == gz)
            .map(String::as_str)
    }

    /// The file a rotate record in file `from` points to, or an error naming it.
    pub fn rotate_target(&self, from: &str, next_index: i64) -> Result<&str, Error> {
        self.find_index(next_index).ok_or_else(|| {
            Error::new(
                self.file_path(from).display().to_string(),
                0,
                ErrorKind::Thl(ThlError::RotateTargetMissing {
                    name: file_name(next_index),
                }),
            )
        })
    }

    /// Builds the index (spec 1.3). Only the first record of each file is read, except
    /// for the last file, which is read to its end (CRCs checked as `options` say), and
    /// for a file another follows that does not end in a rotate record: it was cut
    /// short, which is damage. A CRC mismatch or another damaged record in a file read to
    /// its end, a record of unknown type there (spec 4: readers abort), or a header base
    /// seqno other than the first record's (spec 2) fails. A damaged tail of the last
    /// file ends it as for Tungsten, and the notices it and a minor version other than 1
    /// give are dropped (see [`LogDir::index_reporting`]). A `.gz` file is streamed,
    /// never held whole in memory.
    pub fn index(&self, options: ReadOptions) -> Result<LogIndex, Error> {
        self.index_reporting(options, false, &mut |_| {})
    }

    /// [`LogDir::index`] for a permissive reader: damage goes to `report` and the index
    /// holds what could be read. The files read to their end are read as
    /// [`Records::skipping_damage`] reads (a streamed `.gz` file ends at its first
    /// problem, reported); a file's start is its first readable record when the header
    /// does not give it; a file cut short ends at its last complete record, and the
    /// seqnos lost up to the next file are reported ([`ThlError::SeqnosLost`]).
    pub fn index_permissive(
        &self,
        options: ReadOptions,
        report: &mut dyn FnMut(Error),
    ) -> Result<LogIndex, Error> {
        self.index_reporting(options, true, report)
    }

    /// [`LogDir::index`] (strict) or [`LogDir::index_permissive`], with the notices of
    /// either mode going to `report`: a minor version other than 1
    /// ([`ThlError::MinorVersion`]) and the last file's damaged tail
    /// ([`ThlError::IncompleteTail`], [`ThlError::InvalidTailLength`]).
    pub fn index_reporting(
        &self,
        options: ReadOptions,
        permissive: bool,
        report: &mut dyn FnMut(Error),
    ) -> Result<LogIndex, Error> {
        self.index_but_newest(options, permissive, report)?
            .finish(self, report)
    }

    /// The first part of [`LogDir::index_reporting`]: everything but the scan of the
    /// newest file to its end (the longest part, as that file is read whole), which
    /// [`PartialIndex::finish`] does. Reports in the same order as the whole.
    pub fn index_but_newest(
        &self,
        options: ReadOptions,
        permissive: bool,
        report: &mut dyn FnMut(Error),
    ) -> Result<PartialIndex, Error> {
        let options = ReadOptions {
            tail: TailPolicy::Stop,
            ..options
        };
        let findings = &mut Findings { permissive, report };
        let mut entries = Vec::with_capacity(self.files.len());
        for (i, name) in self.files.iter().enumerate() {
            let entry = match self.index_entry(name, options, findings) {
                Ok(entry) => entry,
                Err(e) if matches!(e.kind, ErrorKind::Thl(ThlError::ShortHeader { .. })) => {
                    // Spec 1.3: the newest file is ignored (a writer creating it, or
                    // deleting it), but said.
                    if i + 1 == self.files.len() {
                        findings.notice(e);
                        continue;
                    }
                    return Err(Error::new(
                        self.file_path(name).display().to_string(),
                        0,
                        ErrorKind::Thl(ThlError::InvalidLogFileHeader { name: name.clone() }),
                    ));
                }
                Err(e) => return Err(e),
            };
            entries.push(entry);
        }
        entries.sort_by_key(|e| e.start_seqno);
        // Spec 2: -1 marks the first file of a log; a later file's first record gave
        // its start.
        for entry in entries.iter().skip(1).filter(|e| e.base_seqno < 0) {
            findings.damage(base_seqno_error(
                self.file_path(&entry.file_name).display().to_string(),
                entry.base_seqno,
                entry.start_seqno,
            ))?;
        }
        for i in 1..entries.len() {
            let next_start = entries[i].start_seqno;
            entries[i - 1].end_seqno = next_start.saturating_sub(1);
        }
        let count = entries.len();
        for i in 0..count.saturating_sub(1) {
            if entries[i].ends_with_rotate {
                continue;
            }
            let name = entries[i].file_name.clone();
            let path = self.file_path(&name).display().to_string();
            let end = self.scan_to_end(&name, options, findings)?;
            // A file another follows was cut short: what it holds ends at its last
            // complete record, and the seqnos up to the next file are lost.
            let next = entries[i + 1].file_name.clone();
            let (offset, kind) = match end.tail {
                Some(tail) => (tail.offset(), tail.damage()),
                None => (
                    end.len,
                    ThlError::MissingRotate {
                        next: successor_name(&name).unwrap_or_else(|| next.clone()),
                    },
                ),
            };
            findings.damage(Error::new(path.clone(), offset, ErrorKind::Thl(kind)))?;
            let read_end = end
                .last_seqno
                .unwrap_or(entries[i].start_seqno.saturating_sub(1));
            let lost = (read_end.saturating_add(1), entries[i].end_seqno);
            if lost.0 <= lost.1 {
                findings.damage(Error::new(
                    path,
                    offset,
                    ErrorKind::Thl(ThlError::SeqnosLost {
                        first: lost.0,
                        last: lost.1,
                        next,
                    }),
                ))?;
            }
            entries[i].end_seqno = read_end;
        }
        Ok(PartialIndex {
            entries,
            options,
            permissive,
        })
    }

    /// A file's entry as far as the file alone tells: base and start seqno, and whether
    /// it ends in a rotate record (its end seqno is the start until its successor is
    /// known). The start is the base, or for the first file of a log (base -1) the
    /// seqno of its first record; a base that is not the seqno of the record at byte 16
    /// is damage (a permissive index starts the file at that record). A first record
    /// that cannot be read leaves the start at the base; a permissive index then looks
    /// past the damage.
    fn index_entry(
        &self,
        name: &str,
        options: ReadOptions,
        findings: &mut Findings<'_>,
    ) -> Result<IndexEntry, Error> {
        let path = self.file_path(name);
        let stream = LogStream::open(&path)?;
        let (header, first, last_bytes, len) = if stream.is_compressed() {
            let mut file = StreamedFile::open(stream)?;
            let first = file
                .next_record(options)
                .ok()
                .flatten()
                .map(|seen| (file.record_offset(), seen));
            let header = file.header();
            let (last_bytes, len) = file.last_bytes(ROTATE_RECORD_LEN)?;
            (header, first, last_bytes, len)
        } else {
            drop(stream);
            let file = ThlFile::open_with(&path, self.open_options)?;
            let mut records = file.records(options);
            let first = if findings.permissive {
                records
                    .skipping_damage(&mut *findings.report)
                    .next()
                    .map(|r| (r.offset, seen(&r.kind)))
            } else {
                match records.next() {
                    Some(Ok(r)) => Some((r.offset, seen(&r.kind))),
                    _ => None,
                }
            };
            let bytes = file.bytes();
            let last_bytes = bytes[bytes.len().saturating_sub(ROTATE_RECORD_LEN)..].to_vec();
            (file.header(), first, last_bytes, bytes.len() as u64)
        };
        let file = path.display().to_string();
        if let Some(warning) = header.minor_version_warning(&file) {
            findings.notice(warning);
        }
        let base = header.base_seqno;
        let start = match first {
            Some((offset, Seen::Event { seqno, .. })) => {
                let at_start = offset == HEADER_LEN as u64;
                if at_start && base != seqno && base != -1 {
                    findings.damage(base_seqno_error(file, base, seqno))?;
                    seqno
                } else if base < 0 {
                    seqno
                } else {
                    base
                }
            }
            _ => base,
        };
        Ok(IndexEntry {
            file_name: name.to_string(),
            base_seqno: base,
            start_seqno: start,
            end_seqno: start,
            ends_with_rotate: is_rotate_tail(name, &last_bytes, len),
        })
    }

    /// Reads a file to its end: the seqno of its last `lastFrag` record, whether it
    /// ends in a rotate record, and the damaged tail it stops at. Damaged records fail
    /// a strict index (so does a record of unknown type) and are reported and stepped
    /// over by a permissive one.
    fn scan_to_end(
        &self,
        name: &str,
        options: ReadOptions,
        findings: &mut Findings<'_>,
    ) -> Result<FileEnd, Error> {
        let path = self.file_path(name);
        let stream = LogStream::open(&path)?;
        let mut end = FileEnd::default();
        let mut verified = None;
        let mut visit = |seen: Seen| {
            end.ends_with_rotate = seen == Seen::Rotate;
            if let Seen::Event {
                seqno,
                last_frag: true,
            } = seen
            {
                end.last_seqno = Some(seqno);
            }
        };
        let (tail, len) = if stream.is_compressed() {
            let mut file = StreamedFile::open(stream)?;
            loop {
                match file.next_record(options) {
                    // Strict, as for a mapped file: readers abort here (spec 4).
                    Ok(Some(Seen::Unknown { record_type })) if !findings.permissive => {
                        return Err(Error::new(
                            file.name(),
                            file.record_offset(),
                            ErrorKind::Thl(ThlError::UnknownRecordType { record_type }),
                        ));
                    }
                    Ok(Some(record)) => visit(record),
                    Ok(None) => break,
                    Err(e) => {
                        findings.damage(e)?;
                        break;
                    }
                }
            }
            (file.damaged_tail(), file.offset())
        } else {
            drop(stream);
            let file = ThlFile::open_with(&path, self.open_options)?;
            if findings.permissive {
                let mut records = file.records(options).skipping_damage(&mut *findings.report);
                records.by_ref().for_each(|r| visit(seen(&r.kind)));
                (records.damaged_tail(), records.offset())
            } else {
                let scanned = scan(&file, options, self.scan_parts, self.least_part_bytes)?;
                end.ends_with_rotate = scanned.last_is_rotate.unwrap_or(false);
                end.last_seqno = scanned.last_seqno;
                verified = Some((Arc::new(file), scanned.starts.offsets));
                (scanned.tail, scanned.offset)
            }
        };
        end.tail = tail;
        end.verified = verified;
        end.len = len;
        Ok(end)
    }

    /// The last 22 bytes of a file (streamed when it is a `.gz`) and its length.
    fn tail_bytes(&self, name: &str) -> Result<(Vec<u8>, u64), Error> {
        let path = self.file_path(name);
        let stream = LogStream::open(&path)?;
        if stream.is_compressed() {
            return StreamedFile::open(stream)?.last_bytes(ROTATE_RECORD_LEN);
        }
        drop(stream);
        let file = ThlFile::open_with(&path, self.open_options)?;
        let bytes = file.bytes();
        let last = bytes[bytes.len().saturating_sub(ROTATE_RECORD_LEN)..].to_vec();
        Ok((last, bytes.len() as u64))
    }
}

/// Where an index sends what it finds: damage fails a strict index and is reported by a
/// permissive one; notices are reported in either mode.
struct Findings<'r> {
    permissive: bool,
    report: &'r mut dyn FnMut(Error),
}

impl Findings<'_> {
    fn damage(&mut self, err: Error) -> Result<(), Error> {
        if !self.permissive {
            return Err(err);
        }
        (self.report)(err);
        Ok(())
    }

    fn notice(&mut self, err: Error) {
        (self.report)(err);
    }
}

/// What reading a file to its end found.
#[derive(Debug, Default)]
struct FileEnd {
    /// Seqno of the last record with `lastFrag`.
    last_seqno: Option<i64>,
    /// Whether the last record read is a rotate record.
    ends_with_rotate: bool,
    /// The damaged tail reading stopped at.
    tail: Option<DamagedTail>,
    /// Where reading stopped: the file's length when it ends cleanly.
    len: u64,
    /// The file, when kept (see [`LogIndex::verified_file`]), and the transaction
    /// starts noted in it.
    verified: Option<(Arc<ThlFile>, Vec<u64>)>,
}

/// Spec 2: the base seqno in the header of `file` must be that of its first record.
fn base_seqno_error(file: String, found: i64, first_record: i64) -> Error {
    Error::new(
        file,
        8,
        ErrorKind::Thl(ThlError::BaseSeqno {
            found,
            first_record,
        }),
    )
}

/// What the index needs of a decoded record.
pub(super) fn seen(kind: &RecordKind<'_>) -> Seen {
    match kind {
        RecordKind::Event(e) => Seen::Event {
            seqno: e.header.seqno,
            last_frag: e.header.last_frag,
        },
        RecordKind::Rotate(_) => Seen::Rotate,
        RecordKind::Unknown { record_type } => Seen::Unknown {
            record_type: *record_type,
        },
    }
}

/// Whether a file of `len` bytes whose last bytes are `last` ends in a rotate record
/// (see [`rotate_tail`]).
fn is_rotate_tail(name: &str, last: &[u8], len: u64) -> bool {
    rotate_tail(name, last, len).is_some()
}

/// The rotate record a file of `len` bytes whose last bytes are `last` ends with, and
/// its offset: its last 22 bytes (a rotate record's fixed size) must frame one with a
/// valid checksum, so an event record's tail is not mistaken for one.
fn rotate_tail(name: &str, last: &[u8], len: u64) -> Option<(u64, RotateRecord)> {
    let at = len
        .checked_sub(ROTATE_RECORD_LEN as u64)
        .filter(|&at| at >= HEADER_LEN as u64)?;
    if last.len() != ROTATE_RECORD_LEN {
        return None;
    }
    let mut tail = Records::new(name, last, 0, ReadOptions::default());
    match tail.next() {
        Some(Ok(r)) if r.length as usize == ROTATE_RECORD_LEN => match r.kind {
            RecordKind::Rotate(rotate) => Some((at, rotate)),
            _ => None,
        },
        _ => None,
    }
}

/// An index of every file but the newest read to its end (see
/// [`LogDir::index_but_newest`]): the newest file's entry ends at its start until
/// [`PartialIndex::finish`] reads it.
#[derive(Debug, Clone)]
pub struct PartialIndex {
    entries: Vec<IndexEntry>,
    options: ReadOptions,
    permissive: bool,
}

impl PartialIndex {
    /// The entries in seqno order, the newest file's not read to its end.
    pub fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    /// Reads the newest file of `dir` (the directory this was read from) to its end:
    /// the index [`LogDir::index_reporting`] gives.
    pub fn finish(self, dir: &LogDir, report: &mut dyn FnMut(Error)) -> Result<LogIndex, Error> {
        let PartialIndex {
            mut entries,
            options,
            permissive,
        } = self;
        let findings = &mut Findings { permissive, report };
        let mut verified = None;
        if let Some(newest) = entries.last_mut() {
            let name = newest.file_name.clone();
            let end = dir.scan_to_end(&name, options, findings)?;
            verified = end.verified.map(|(file, transaction_starts)| VerifiedFile {
                name: name.clone(),
                file,
                transaction_starts,
            });
            newest.end_seqno = end.last_seqno.unwrap_or(newest.base_seqno);
            newest.ends_with_rotate = end.ends_with_rotate;
            if let Some(tail) = end.tail {
                let path = dir.file_path(&name).display().to_string();
                findings.notice(Error::new(
                    path,
                    tail.offset(),
                    ErrorKind::Thl(tail.notice()),
                ));
            }
        }
        let max_seqno = match entries.split_last() {
            // A last file that ends in a rotate record without a successor: the
            // maximum falls back to the previous file's end (spec 1.3).
            Some((last, before)) if last.ends_with_rotate => {
                before.last().map_or(-1, |e| e.end_seqno)
            }
            Some((last, _)) => last.end_seqno,
            None => -1,
        };
        Ok(LogIndex {
            entries,
            max_seqno,
            verified,
        })
    }
}

impl LogIndex {
    /// The newest file as a strict index read it to its end (mapped, not a `.gz`), every
    /// record's CRC checked as the index's read options say (else the index failed),
    /// mapped still: a walk can read it again without mapping it again (the page
    /// faults) nor checking its CRCs, and see the same records. None for other files.
    pub fn verified_file(&self, name: &str) -> Option<&Arc<ThlFile>> {
        self.verified
            .as_ref()
            .filter(|verified| verified.name == name)
            .map(|verified| &verified.file)
    }

    /// [`LogIndex::verified_file`] taken out of the index, with its name and the
    /// transaction starts noted in it: its holder unmaps it when done.
    pub fn take_verified_file(&mut self) -> Option<VerifiedFile> {
        self.verified.take()
    }

    /// The entries in seqno order.
    pub fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    /// The log's first seqno (-1 for an empty log).
    pub fn min_seqno(&self) -> i64 {
        self.entries.first().map_or(-1, |e| e.start_seqno)
    }

    /// The log's last complete seqno (-1 for an empty log).
    pub fn max_seqno(&self) -> i64 {
        self.max_seqno
    }

    /// The entry holding `seqno`: the one whose range contains it, else from the last
    /// file's start on the last one (the newest file may hold more than was indexed);
    /// `None` below the log's minimum, for a negative seqno, and in the stretch a file
    /// cut short lost (a permissive index only).
    pub fn find(&self, seqno: i64) -> Option<&IndexEntry> {
        if seqno < 0 || seqno < self.min_seqno() {
            return None;
        }
        let last = self.entries.last()?;
        self.entries
            .iter()
            .find(|e| (e.start_seqno..=e.end_seqno).contains(&seqno))
            .or((seqno >= last.start_seqno).then_some(last))
    }

    /// Checks that the files follow each other without a gap: each file's index is the
    /// previous one's plus one (modulo 2147483647), and a file that ends in a rotate
    /// record names the next one. Reports the first missing file: at the rotate record
    /// that points to it ([`ThlError::RotateTargetMissing`], as a reader following the
    /// log meets it), else at the start of the file before the gap
    /// ([`ThlError::MissingLogFile`]).
    pub fn check_sequence(&self, dir: &LogDir) -> Result<(), Error> {
        for pair in self.entries.windows(2) {
            let [prev, next] = pair else { continue };
            let path = dir.file_path(&prev.file_name).display().to_string();
            let rotate = if prev.ends_with_rotate {
                let (last, len) = dir.tail_bytes(&prev.file_name)?;
                rotate_tail(&path, &last, len)
            } else {
                None
            };
            if let Some((offset, rotate)) = rotate {
                if dir.find_index(rotate.next_index) != Some(next.file_name.as_str()) {
                    return Err(Error::new(
                        path,
                        offset,
                        ErrorKind::Thl(ThlError::RotateTargetMissing {
                            name: rotate.next_file_name(),
                        }),
                    ));
                }
                continue;
            }
            let expected = file_index(&prev.file_name).map(next_index);
            if expected.is_none() || expected != file_index(&next.file_name) {
                return Err(Error::new(
                    path,
                    0,
                    ErrorKind::Thl(ThlError::MissingLogFile {
                        expected: expected.map_or_else(|| "?".to_string(), file_name),
                        found: next.file_name.clone(),
                    }),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_indexes() {
        assert_eq!(file_name(7), "thl.data.0000000007");
        assert_eq!(file_index("thl.data.0000000007"), Some(7));
        assert_eq!(file_index("thl.data.x"), None);
        assert_eq!(next_index(2_147_483_646), 0);
        // Untrusted indexes never overflow.
        assert!((0..INDEX_MODULUS).contains(&next_index(i64::MAX)));
        assert!((0..INDEX_MODULUS).contains(&next_index(i64::MIN)));
        assert_eq!(next_index(-1), 0);
    }
}
