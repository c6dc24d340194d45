//! Writing THL: record framing and log files with rotation (spec 1.4, 3).
//!
//! [`LogWriter::create`] starts a new log in a directory, [`LogWriter::open`] continues
//! an existing one (cutting a damaged tail or unfinished transaction first). Events are
//! appended with [`LogWriter::append`], rotating to the next file before a
//! transaction's first fragment once the current file exceeds
//! [`WriteOptions::max_file_size`], exactly as the reference writer does.
//!
//! ```no_run
//! use replog::thl::writer::{LogWriter, WriteOptions};
//! use replog::thl::{LogDir, ReadOptions};
//!
//! # fn main() -> Result<(), replog::Error> {
//! let source = LogDir::open("/var/lib/tungsten/thl/alpha".as_ref())?;
//! let mut out = LogWriter::create("/tmp/copy".as_ref(), WriteOptions::default())?;
//! for entry in source.index(ReadOptions::tungsten())?.entries() {
//!     let file = source.open_file(&entry.file_name)?;
//!     for record in file.records(ReadOptions::tungsten()) {
//!         if let Some(event) = record?.event() {
//!             out.append(&event.decode()?)?;
//!         }
//!     }
//! }
//! out.finish()?;
//! # Ok(())
//! # }
//! ```

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};

use super::dir::{file_name, next_index, LogDir, FILE_PREFIX};
use super::event::Event;
use super::file::{FileHeader, ReadOptions, ThlFile, CRC_32, CRC_NONE, HEADER_LEN};
use super::record::RotateRecord;
use super::ThlError;

/// Frames record `data` (type byte onward): length, data, CRC type, CRC.
/// With `checksum` the CRC is CRC-32 of the data (type 1), otherwise type 0 and 0.
pub fn frame_record(data: &[u8], checksum: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 13);
    // Lengths above i32 cannot occur: `LogWriter` refuses records over 1e9 bytes.
    out.extend_from_slice(&((data.len() + 13) as u32).to_be_bytes());
    out.extend_from_slice(data);
    if checksum {
        out.push(CRC_32);
        out.extend_from_slice(&u64::from(crc32fast::hash(data)).to_be_bytes());
    } else {
        out.push(CRC_NONE);
        out.extend_from_slice(&0u64.to_be_bytes());
    }
    out
}

/// How a log is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Rotate before a transaction starts once the file is longer than this
    /// (`replicator.store.thl.log_file_size`, default 1,000,000,000).
    pub max_file_size: u64,
    /// CRC-32 on every record (`replicator.store.thl.doChecksum`, default on).
    pub checksums: bool,
    /// Index of the first file (1 for a new log).
    pub first_index: i64,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            max_file_size: 1_000_000_000,
            checksums: true,
            first_index: 1,
        }
    }
}

/// Appends events to a new log, rotating files as the reference writer does.
#[derive(Debug)]
pub struct LogWriter {
    dir: PathBuf,
    options: WriteOptions,
    index: i64,
    path: PathBuf,
    out: BufWriter<File>,
    len: u64,
    repair: Repair,
}

/// What [`LogWriter::open`] found at the end of the existing log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repair {
    /// Bytes cut from the end of the last file: a partial or damaged record, an
    /// unfinished transaction's fragments, or a dangling rotate record.
    pub cut_bytes: u64,
    /// The file they were cut from.
    pub file: String,
    /// The log's last complete transaction.
    pub last_transaction: Option<LastTransaction>,
}

/// The last complete transaction of a log: where a writer continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastTransaction {
    /// Its seqno.
    pub seqno: i64,
    /// Its epoch number.
    pub epoch: i64,
    /// The eventId of its last fragment (where its source resumes).
    pub event_id: String,
}

impl LogWriter {
    /// Starts a log in `dir` (created if needed), which must hold no data file yet. The
    /// first file has base seqno -1.
    pub fn create(dir: &Path, options: WriteOptions) -> Result<LogWriter, Error> {
        let io = |e| Error::new(dir.display().to_string(), 0, ErrorKind::Io(e));
        std::fs::create_dir_all(dir).map_err(io)?;
        Self::check_new(dir)?;
        let index = options.first_index.rem_euclid(super::dir::INDEX_MODULUS);
        let (path, out) = new_file(dir, index, -1)?;
        Ok(LogWriter {
            dir: dir.to_path_buf(),
            options,
            index,
            path,
            out,
            len: HEADER_LEN as u64,
            repair: Repair::default(),
        })
    }

    /// Checks that [`LogWriter::create`] could start a log in `dir` (absent, or holding
    /// no data file but leftovers shorter than a header, which readers ignore and the
    /// writer reuses), without creating anything: a caller that creates the log only
    /// with its first record refuses a wrong directory before reading its source.
    pub fn check_new(dir: &Path) -> Result<(), Error> {
        let io = |e| Error::new(dir.display().to_string(), 0, ErrorKind::Io(e));
        if !dir.exists() {
            return Ok(());
        }
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let short = entry.metadata().is_ok_and(|m| m.len() < HEADER_LEN as u64);
            if !short && entry.file_name().to_string_lossy().starts_with(FILE_PREFIX) {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "directory already holds a THL log",
                )));
            }
        }
        Ok(())
    }

    /// Opens the existing log in `dir` to append to it, repairing its end as the
    /// reference writer does (spec 3.2): a damaged or partial tail is cut off, and an
    /// unfinished trailing transaction (last record with `lastFrag` false) is cut back to
    /// the end of the last complete one. A dangling rotate record at the very end (no
    /// successor file) is cut too; the writer rotates again when the size says so.
    /// CRCs of the last file are verified.
    pub fn open(dir: &Path, options: WriteOptions) -> Result<LogWriter, Error> {
        let log = LogDir::open(dir)?;
        let index = log.index(ReadOptions::tungsten())?;
        let Some(last) = index.entries().last() else {
            return Err(Error::new(
                dir.display().to_string(),
                0,
                ErrorKind::Thl(ThlError::NoLogFiles),
            ));
        };
        let path = log.file_path(&last.file_name);
        let (keep, mut last_transaction, old_len) = {
            let file = ThlFile::open(&path)?;
            let (keep, last) = complete_length(&file)?;
            (keep, last, file.bytes().len() as u64)
        };
        // A crash right after a rotation leaves a last file without a complete
        // transaction: the last one is then in an earlier file.
        for entry in index.entries().iter().rev().skip(1) {
            if last_transaction.is_some() {
                break;
            }
            let file = log.open_file(&entry.file_name)?;
            last_transaction = complete_length(&file)?.1;
        }
        let name = path.display().to_string();
        let io = |e| Error::new(name.clone(), keep, ErrorKind::Io(e));
        let file = OpenOptions::new().append(true).open(&path).map_err(io)?;
        file.set_len(keep).map_err(io)?;
        let repair = Repair {
            cut_bytes: old_len.saturating_sub(keep),
            file: name.clone(),
            last_transaction,
        };
        let file_index = super::dir::file_index(&last.file_name).ok_or_else(|| {
            io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the file name does not end in a numeric index",
            ))
        })?;
        Ok(LogWriter {
            dir: dir.to_path_buf(),
            options,
            index: file_index,
            path,
            out: BufWriter::new(file),
            len: keep,
            repair,
        })
    }

    /// Appends one event record, rotating first when the event starts a transaction
    /// (fragno 0) and the current file is over the size limit.
    pub fn append(&mut self, event: &Event<'_>) -> Result<(), Error> {
        self.append_data(event.record.seqno, event.record.fragno, &event.encode())
    }

    /// Appends record data already encoded (type byte onward), e.g. a record copied from
    /// another log, as event `seqno`/`fragno`.
    pub fn append_data(&mut self, seqno: i64, fragno: i16, data: &[u8]) -> Result<(), Error> {
        if data.len() as u64 + 13 > super::file::MAX_RECORD_LEN as u64 {
            return Err(self.error(ErrorKind::Thl(ThlError::Unencodable {
                what: "a record over 1,000,000,000 bytes",
            })));
        }
        // A file holding only its header is never rotated away, whatever the limit.
        let has_records = self.len > HEADER_LEN as u64;
        if fragno == 0 && has_records && self.len > self.options.max_file_size {
            self.rotate(seqno)?;
        }
        self.write(&frame_record(data, self.options.checksums))
    }

    /// What opening an existing log repaired, and its last complete transaction.
    pub fn repair(&self) -> &Repair {
        &self.repair
    }

    /// Flushes and syncs to disk what was appended: a writer that runs for as long as
    /// its source (a followed server) makes each transaction durable as it commits.
    pub fn sync(&mut self) -> Result<(), Error> {
        self.out.flush().map_err(|e| self.error(ErrorKind::Io(e)))?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(|e| self.error(ErrorKind::Io(e)))
    }

    /// Flushes, syncs to disk and closes the current file.
    pub fn finish(mut self) -> Result<(), Error> {
        self.sync()
    }

    /// Path of the file being written.
    pub fn current_file(&self) -> &Path {
        &self.path
    }

    fn rotate(&mut self, next_seqno: i64) -> Result<(), Error> {
        let next = next_index(self.index);
        let rotate = RotateRecord { next_index: next };
        self.write(&frame_record(&rotate.encode(), self.options.checksums))?;
        self.out.flush().map_err(|e| self.error(ErrorKind::Io(e)))?;
        // A finished file is never written again: make it durable before the next.
        self.out
            .get_ref()
            .sync_all()
            .map_err(|e| self.error(ErrorKind::Io(e)))?;
        let (path, out) = new_file(&self.dir, next, next_seqno)?;
        self.index = next;
        self.path = path;
        self.out = out;
        self.len = HEADER_LEN as u64;
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out
            .write_all(bytes)
            .map_err(|e| self.error(ErrorKind::Io(e)))?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error::new(self.path.display().to_string(), self.len, kind)
    }
}

/// How much of a log's last file to keep: up to the end of its last complete
/// transaction (or the header).
fn complete_length(file: &ThlFile) -> Result<(u64, Option<LastTransaction>), Error> {
    let mut keep = HEADER_LEN as u64;
    let mut last = None;
    for record in file.records(ReadOptions::tungsten()) {
        let record = record?;
        if let Some(e) = record.event().filter(|e| e.header.last_frag) {
            keep = record.offset + u64::from(record.length);
            last = Some(LastTransaction {
                seqno: e.header.seqno,
                epoch: e.header.epoch,
                event_id: e.header.event_id.text().to_string(),
            });
        }
    }
    Ok((keep, last))
}

/// Creates data file `index` in `dir` with its header.
fn new_file(dir: &Path, index: i64, base_seqno: i64) -> Result<(PathBuf, BufWriter<File>), Error> {
    let path = dir.join(file_name(index));
    let io = |e| Error::new(path.display().to_string(), 0, ErrorKind::Io(e));
    // A leftover file shorter than a header (which readers ignore) is reused, as the
    // reference writer deletes it; anything longer is never overwritten.
    let short_leftover = std::fs::metadata(&path).is_ok_and(|m| m.len() < HEADER_LEN as u64);
    let file = OpenOptions::new()
        .write(true)
        .create_new(!short_leftover)
        .truncate(short_leftover)
        .open(&path)
        .map_err(io)?;
    let mut out = BufWriter::new(file);
    out.write_all(&FileHeader::encode(base_seqno)).map_err(io)?;
    Ok((path, out))
}
