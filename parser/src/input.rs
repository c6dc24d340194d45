//! Getting an input's bytes: memory-mapped files, inflated `.gz` files, drained pipes.
//!
//! Every reader in replog works on one contiguous byte slice, so decoded events can borrow
//! strings and row images straight from it. [`LogBytes::open`] is the one constructor for
//! files: it maps regular files and falls back to reading when mapping is impossible.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, ErrorKind};

/// The binary-log magic number, `\xfe b i n`.
pub const BINLOG_MAGIC: [u8; 4] = [0xfe, b'b', b'i', b'n'];
/// The THL file magic number, `0xC001CAFE` big-endian.
pub const THL_MAGIC: [u8; 4] = [0xc0, 0x01, 0xca, 0xfe];
/// The gzip member magic.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What an input's first bytes announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A MySQL/MariaDB binary or relay log.
    Binlog,
    /// A Tungsten THL data file.
    Thl,
    /// A gzip stream (inflate, then sniff again).
    Gzip,
}

/// Identifies the format from the first bytes, or `None` when none matches.
pub fn sniff(prefix: &[u8]) -> Option<Format> {
    if prefix.starts_with(&BINLOG_MAGIC) {
        Some(Format::Binlog)
    } else if prefix.starts_with(&THL_MAGIC) {
        Some(Format::Thl)
    } else if prefix.starts_with(&GZIP_MAGIC) {
        Some(Format::Gzip)
    } else {
        None
    }
}

/// An input's whole content, mapped or owned; gzip is already inflated.
#[derive(Debug)]
pub struct LogBytes {
    name: String,
    storage: Storage,
}

#[derive(Debug)]
enum Storage {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl LogBytes {
    /// Opens `path` read-only and returns its bytes, inflating gzip transparently.
    ///
    /// Regular files are memory-mapped. The mapping covers the file's length at open
    /// time, so a log that is still being appended to is read up to that length (its
    /// last event may be partial, which readers report as a truncated tail). A file
    /// truncated by another process *while mapped* can make the process fault (SIGBUS);
    /// this is the documented contract of reading live logs through a mapping. When
    /// mapping fails (special files, some file systems) the file is read into memory.
    pub fn open(path: &Path) -> Result<LogBytes, Error> {
        let name = path.display().to_string();
        let io_err = |e: std::io::Error| Error::new(name.clone(), 0, ErrorKind::Io(e));
        let file = File::open(path).map_err(io_err)?;
        let meta = file.metadata().map_err(io_err)?;
        if meta.is_dir() {
            return Err(io_err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory, not a log file",
            )));
        }
        let storage = if meta.is_file() && meta.len() > 0 {
            match map(&file) {
                Ok(m) => Storage::Mapped(m),
                Err(_) => Storage::Owned(read_all(file).map_err(io_err)?),
            }
        } else {
            Storage::Owned(read_all(file).map_err(io_err)?)
        };
        LogBytes { name, storage }.inflate_if_gzip()
    }

    /// Drains `reader` (a pipe, stdin) into memory under the display name `name`.
    pub fn from_reader(name: impl Into<String>, reader: impl Read) -> Result<LogBytes, Error> {
        let name = name.into();
        let bytes = read_all(reader).map_err(|e| Error::new(name.clone(), 0, ErrorKind::Io(e)))?;
        LogBytes {
            name,
            storage: Storage::Owned(bytes),
        }
        .inflate_if_gzip()
    }

    /// Wraps bytes already in memory (tests, fuzzing, decompressed payloads).
    pub fn from_vec(name: impl Into<String>, bytes: Vec<u8>) -> Result<LogBytes, Error> {
        LogBytes {
            name: name.into(),
            storage: Storage::Owned(bytes),
        }
        .inflate_if_gzip()
    }

    /// The input's display name, used in every error about it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole (inflated) content.
    pub fn bytes(&self) -> &[u8] {
        match &self.storage {
            Storage::Mapped(m) => m,
            Storage::Owned(v) => v,
        }
    }

    /// The format announced by the first bytes, or an error naming what was found.
    pub fn format(&self) -> Result<Format, Error> {
        let bytes = self.bytes();
        sniff(bytes).ok_or_else(|| {
            Error::new(
                self.name.clone(),
                0,
                ErrorKind::UnknownFormat {
                    magic: bytes[..bytes.len().min(4)].to_vec(),
                },
            )
        })
    }

    fn inflate_if_gzip(self) -> Result<LogBytes, Error> {
        if sniff(self.bytes()) != Some(Format::Gzip) {
            return Ok(self);
        }
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(self.bytes())
            .read_to_end(&mut out)
            .map_err(|e| Error::new(self.name.clone(), 0, ErrorKind::Gzip(e)))?;
        Ok(LogBytes {
            name: self.name,
            storage: Storage::Owned(out),
        })
    }
}

fn read_all(mut reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The crate's only `unsafe`: mapping a file whose contents must not change underneath.
#[allow(unsafe_code)]
fn map(file: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and replog never writes through it. Another process
    // appending to the file is harmless (the map keeps its original length); one that
    // truncates it may fault this process, as documented on `LogBytes::open`.
    let map = unsafe { memmap2::Mmap::map(file)? };
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_magic() {
        assert_eq!(sniff(b"\xfebin\x00"), Some(Format::Binlog));
        assert_eq!(sniff(&[0xc0, 0x01, 0xca, 0xfe, 0, 1]), Some(Format::Thl));
        assert_eq!(sniff(&[0x1f, 0x8b, 8]), Some(Format::Gzip));
        assert_eq!(sniff(b"PK\x03\x04"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn gzip_is_inflated_and_sniffed_again() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"\xfebin rest").unwrap();
        let bytes = LogBytes::from_vec("x.gz", gz.finish().unwrap()).unwrap();
        assert_eq!(bytes.bytes(), b"\xfebin rest");
        assert_eq!(bytes.format().unwrap(), Format::Binlog);
    }

    #[test]
    fn unknown_format_names_the_bytes() {
        let bytes = LogBytes::from_vec("junk", b"hello".to_vec()).unwrap();
        let err = bytes.format().unwrap_err();
        assert_eq!(
            err.to_string(),
            "junk: at byte 0: not a binary log, THL file or gzip stream (first bytes 68656c6c)"
        );
    }

    #[test]
    fn a_directory_is_refused_by_name() {
        let err = LogBytes::open(Path::new("/")).unwrap_err();
        assert_eq!(err.offset, 0);
        assert!(
            err.to_string().starts_with("/: at byte 0: I/O error"),
            "{err}"
        );
    }
}
