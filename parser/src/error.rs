//! Errors that locate the damage: which input, which byte, what was expected.

use std::fmt;

use crate::binlog::BinlogError;
use crate::thl::ThlError;
use crate::txn::TxnError;

/// A failure while reading an input, with the absolute byte offset where it was found.
#[derive(Debug)]
pub struct Error {
    /// The input's name as given by the caller (a path, or `<stdin>`).
    pub file: String,
    /// Absolute byte offset in the (decompressed) input where the problem starts.
    pub offset: u64,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// The kinds of failure, grouped by the layer that detects them.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operating system refused a read, map or open.
    Io(std::io::Error),
    /// The first bytes match no format replog knows.
    UnknownFormat {
        /// Up to the first four bytes of the input.
        magic: Vec<u8>,
    },
    /// A `.gz` input could not be inflated.
    Gzip(std::io::Error),
    /// The input is compressed in a format replog does not inflate.
    UnsupportedCompression {
        /// The format its first bytes announce (`xz`, `bzip2`).
        format: &'static str,
    },
    /// An input that is not mapped would take more memory than allowed
    /// ([`crate::input::OpenOptions::max_in_memory`]); the offset is the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// What was being held in memory.
        what: InMemory,
    },
    /// A binary-log framing or decoding failure.
    Binlog(BinlogError),
    /// A THL framing or decoding failure.
    Thl(ThlError),
    /// Grouping events into transactions.
    Txn(TxnError),
}

/// Why an input is held in memory rather than mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InMemory {
    /// A gzip stream's inflated content.
    Inflated,
    /// Bytes read from a pipe or another file that cannot be mapped.
    Read,
    /// One event of a log read as a stream (a pipe, a `.gz` file), which is held
    /// whole while it is visited.
    Event {
        /// The size the event's header declares.
        declared: u64,
    },
}

impl Error {
    /// Builds an error for `file` at `offset`.
    pub fn new(file: impl Into<String>, offset: u64, kind: ErrorKind) -> Self {
        Error {
            file: file.into(),
            offset,
            kind,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: at byte {}: {}", self.file, self.offset, self.kind)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "I/O error: {e}"),
            ErrorKind::UnknownFormat { magic } => write!(
                f,
                "not a binary log, THL file or gzip stream (first bytes {})",
                hex(magic)
            ),
            ErrorKind::Gzip(e) => write!(f, "gzip stream is damaged: {e}"),
            ErrorKind::UnsupportedCompression { format } => write!(
                f,
                "{format}-compressed input; expected a binary log, plain or compressed \
                 with gzip or zstd: decompress it first ({format} -dc FILE | thl events \
                 -file -)"
            ),
            ErrorKind::TooLarge {
                limit,
                what: InMemory::Inflated,
            } => write!(
                f,
                "gzip stream inflates to more than the {limit}-byte in-memory limit; \
                 expected a smaller input: decompress it to a file first (files are \
                 mapped, not held in memory)"
            ),
            ErrorKind::TooLarge {
                limit,
                what: InMemory::Read,
            } => write!(
                f,
                "input is longer than the {limit}-byte in-memory limit for pipes; \
                 expected a smaller input: save it to a file first (files are mapped, \
                 not held in memory)"
            ),
            ErrorKind::TooLarge {
                limit,
                what: InMemory::Event { declared },
            } => write!(
                f,
                "event declares {declared} bytes, more than the {limit}-byte in-memory \
                 limit for one event of a streamed input; expected a smaller event (a \
                 damaged size field, or a log written with a larger max_allowed_packet)"
            ),
            ErrorKind::Binlog(e) => e.fmt(f),
            ErrorKind::Thl(e) => e.fmt(f),
            ErrorKind::Txn(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) | ErrorKind::Gzip(e) => Some(e),
            _ => None,
        }
    }
}

/// Lower-case hex without separators, for messages.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
