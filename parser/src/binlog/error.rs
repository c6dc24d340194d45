//! Binary-log failures. The enclosing [`crate::Error`] carries the file and the offset of
//! the event concerned (or of the first byte that could not be framed).

use std::fmt;

use crate::decode::DecodeError;

use super::event_type::EventType;

/// What was wrong at the offset the enclosing error names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BinlogError {
    /// The input does not start with `\xfe bin`.
    BadMagic {
        /// Up to the first four bytes.
        found: Vec<u8>,
    },
    /// The input ends inside an event header or body. The file may still be being
    /// written: waiting and re-reading can cure this, unlike corruption.
    Truncated {
        /// Bytes the header or the declared event size needs.
        needed: u64,
        /// Bytes left in the input from the event's start.
        available: u64,
    },
    /// `event_size` is smaller than the header plus checksum.
    EventTooSmall {
        /// The declared size.
        event_size: u32,
        /// The smallest size the current format allows.
        minimum: u32,
    },
    /// A packet of a replication stream is not exactly one event: its header declares
    /// another size than the bytes received.
    EventSizeMismatch {
        /// The declared size.
        event_size: u32,
        /// The bytes the packet held.
        received: u64,
    },
    /// The stored CRC32 does not match the event's bytes.
    ChecksumMismatch {
        /// The checksum stored after the body.
        stored: u32,
        /// The checksum computed over header and body.
        computed: u32,
    },
    /// The first event of a v4 log is not a format description (v1/v3 logs start with
    /// `START_EVENT_V3`, recognised by its type): without it nothing says how the
    /// events that follow are laid out or whether they carry checksums.
    FirstEventNotFormatDescription {
        /// The type code found.
        found: u8,
    },
    /// The format description declares no checksums, but the event after it ends with
    /// the CRC32 of its bytes: the format description is damaged (a flipped bit in its
    /// server version or algorithm byte), and reading on would leave each event's
    /// checksum in its body unchecked. The enclosing error's offset is the format
    /// description's.
    UndeclaredChecksum {
        /// What the format description declared: `Some(alg)` for its algorithm byte,
        /// `None` when its server version predates the byte.
        declared_alg: Option<u8>,
        /// The server version it names (as stored, lossily decoded).
        server_version: String,
        /// Offset of the event whose trailing CRC32 matches.
        evidence_at: u64,
    },
    /// A log whose format description has the in-use flag clear (the server closed
    /// the file) ends without the ROTATE or STOP event a server writes last: the file
    /// was cut at an event boundary. The enclosing error's offset is the end of the
    /// file.
    Unclosed {
        /// Offset and type of the last event read.
        last_event: (u64, EventType),
    },
    /// The FDE names a checksum algorithm no server defines.
    UnknownChecksumAlg {
        /// The algorithm byte.
        alg: u8,
    },
    /// The FDE declares a binlog format version other than 4 (every server since MySQL
    /// 5.0 writes 4; versions 1 and 3 start with `START_EVENT_V3` instead).
    UnsupportedVersion {
        /// The version found.
        found: u16,
    },
    /// Logs read in sequence: the file's closing ROTATE names another file than the
    /// one given next (a file of the sequence is missing, or the order is wrong).
    NextFileMismatch {
        /// The file the ROTATE names.
        named: String,
        /// The file given next.
        given: String,
    },
    /// A MariaDB `START_ENCRYPTION_EVENT`: the rest of the file is encrypted.
    Encrypted {
        /// Encryption scheme (1 = AES with the server's key management).
        scheme: u8,
        /// Version of the key used.
        key_version: u32,
    },
    /// Permissive mode skipped unreadable bytes up to the next plausible event.
    Skipped {
        /// Offset where reading resumes (the input's end when nothing plausible follows).
        resume_at: u64,
    },
    /// An event packed in a `TRANSACTION_PAYLOAD_EVENT` could not be framed or decoded
    /// (the enclosing error's offset is the payload event's).
    InPayload {
        /// Offset of the inner event in the decompressed payload.
        inner_offset: usize,
        /// What was wrong (offsets inside are relative to the payload).
        cause: Box<BinlogError>,
    },
    /// An event body could not be decoded.
    Body {
        /// Name of the event type (`QUERY_EVENT`, `MARIADB_GTID_EVENT`…).
        event: &'static str,
        /// Absolute offset of the byte where decoding failed.
        at: u64,
        /// What the decoder expected there.
        cause: DecodeError,
    },
}

impl BinlogError {
    /// `cause`, raised while decoding `body` (which starts at `body_start`: an absolute
    /// offset, or one inside a decompressed payload), located at the byte that failed.
    pub fn body(event_type: EventType, body_start: u64, body: &[u8], cause: DecodeError) -> Self {
        BinlogError::Body {
            event: event_type.name().unwrap_or("UNKNOWN_EVENT"),
            at: body_start + cause.offset_in(body) as u64,
            cause,
        }
    }
}

impl fmt::Display for BinlogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BinlogError::InPayload {
                inner_offset,
                cause,
            } => write!(f, "payload event at inner offset {inner_offset}: {cause}"),
            BinlogError::BadMagic { found } if found.is_empty() => {
                write!(f, "not a binary log: expected magic fe62696e, found an empty input")
            }
            BinlogError::BadMagic { found } => write!(
                f,
                "not a binary log: expected magic fe62696e, found {}",
                crate::error::hex(found)
            ),
            BinlogError::Truncated { needed, available } => write!(
                f,
                "truncated event: expected {needed} bytes, found {available} before the end \
                 of the input (the file may still be being written)"
            ),
            BinlogError::EventSizeMismatch {
                event_size,
                received,
            } => write!(
                f,
                "the event declares event_size {event_size} but {received} bytes arrived \
                 (one event per packet expected)"
            ),
            BinlogError::EventTooSmall {
                event_size,
                minimum,
            } => write!(
                f,
                "corrupt event header: expected event_size >= {minimum}, found {event_size}"
            ),
            BinlogError::ChecksumMismatch { stored, computed } => write!(
                f,
                "checksum mismatch: expected CRC32 {computed:08x} (computed), found {stored:08x} (stored)"
            ),
            BinlogError::UnsupportedVersion { found } => write!(
                f,
                "format description: expected binlog version 4, found {found}"
            ),
            BinlogError::NextFileMismatch { named, given } => write!(
                f,
                "ROTATE: expected the next file to be {named} (the file it names), found \
                 {given}; a file of the sequence is missing or out of order"
            ),
            BinlogError::FirstEventNotFormatDescription { found } => write!(
                f,
                "first event: expected FORMAT_DESCRIPTION_EVENT (type 15; START_EVENT_V3 in a \
                 v1/v3 log), found {} (type {found})",
                EventType(*found)
            ),
            BinlogError::UndeclaredChecksum {
                declared_alg,
                server_version,
                evidence_at,
            } => {
                write!(
                    f,
                    "format description: expected checksum algorithm 1 (CRC32), since the \
                     event at byte {evidence_at} ends with the CRC32 of its bytes; found "
                )?;
                match declared_alg {
                    Some(alg) => write!(f, "algorithm {alg}")?,
                    None => write!(
                        f,
                        "server version {server_version:?}, which predates checksums"
                    )?,
                }
                f.write_str(" (the format description is damaged)")
            }
            BinlogError::Unclosed {
                last_event: (at, event_type),
            } => write!(
                f,
                "truncated log: expected a ROTATE or STOP event at the end of a closed log \
                 (in-use flag clear), found the end of the file after the {event_type} at byte \
                 {at}"
            ),
            BinlogError::UnknownChecksumAlg { alg } => write!(
                f,
                "format description: expected checksum algorithm 0 (NONE) or 1 (CRC32), found {alg}"
            ),
            BinlogError::Encrypted {
                scheme,
                key_version,
            } => write!(
                f,
                "encrypted binlog: the events after START_ENCRYPTION_EVENT are encrypted \
                 (scheme {scheme}, key version {key_version}) and cannot be read without the key"
            ),
            BinlogError::Skipped { resume_at } => write!(
                f,
                "skipped unreadable bytes; expected an event header, resuming at byte {resume_at}"
            ),
            BinlogError::Body { event, at, cause } => {
                write!(f, "{event}: expected {} at byte {at}", cause.expected)
            }
        }
    }
}
