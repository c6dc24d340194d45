//! Writing THL: record framing and log files with rotation (spec 1.4, 3).
//!
//! [`LogWriter`] starts a new log in a directory and appends events, rotating to the
//! next file before a transaction's first fragment once the current file exceeds
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

use super::dir::{file_name, next_index, FILE_PREFIX};
use super::event::Event;
use super::file::{FileHeader, CRC_32, CRC_NONE, HEADER_LEN};
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
}

impl LogWriter {
    /// Starts a log in `dir` (created if needed), which must hold no data file yet. The
    /// first file has base seqno -1.
    pub fn create(dir: &Path, options: WriteOptions) -> Result<LogWriter, Error> {
        let io = |e| Error::new(dir.display().to_string(), 0, ErrorKind::Io(e));
        std::fs::create_dir_all(dir).map_err(io)?;
        for entry in std::fs::read_dir(dir).map_err(io)? {
            if entry
                .map_err(io)?
                .file_name()
                .to_string_lossy()
                .starts_with(FILE_PREFIX)
            {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "directory already holds a THL log",
                )));
            }
        }
        let index = options.first_index.rem_euclid(super::dir::INDEX_MODULUS);
        let (path, out) = new_file(dir, index, -1)?;
        Ok(LogWriter {
            dir: dir.to_path_buf(),
            options,
            index,
            path,
            out,
            len: HEADER_LEN as u64,
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

    /// Flushes and closes the current file.
    pub fn finish(mut self) -> Result<(), Error> {
        self.out.flush().map_err(|e| self.error(ErrorKind::Io(e)))
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

/// Creates data file `index` in `dir` with its header.
fn new_file(dir: &Path, index: i64, base_seqno: i64) -> Result<(PathBuf, BufWriter<File>), Error> {
    let path = dir.join(file_name(index));
    let io = |e| Error::new(path.display().to_string(), 0, ErrorKind::Io(e));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io)?;
    let mut out = BufWriter::new(file);
    out.write_all(&FileHeader::encode(base_seqno)).map_err(io)?;
    Ok((path, out))
}
