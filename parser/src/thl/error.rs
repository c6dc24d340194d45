//! THL failures. The enclosing [`crate::Error`] carries the file and offset.

use std::fmt;

/// What was wrong at the offset the enclosing error names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThlError {
    /// The file does not start with `0xC001CAFE`.
    BadMagic {
        /// The first four bytes found.
        found: u32,
    },
    /// The file is shorter than the 16-byte header.
    ShortHeader {
        /// Bytes present.
        len: u64,
    },
    /// The header's major version is not 1 (spec 2).
    IncompatibleVersion {
        /// Major version found.
        major: i16,
        /// Minor version found.
        minor: i16,
    },
    /// The header's minor version is not 1: Tungsten only warns (spec 2), and so does
    /// every reader here (a notice on the report channel, not damage).
    MinorVersion {
        /// Major version found.
        major: i16,
        /// Minor version found.
        minor: i16,
    },
    /// The header's base seqno is not the seqno of the file's first record (spec 2:
    /// -1 is allowed only in the first file of a log).
    BaseSeqno {
        /// The base seqno in the header.
        found: i64,
        /// The seqno of the record at byte 16.
        first_record: i64,
    },
    /// The header's base seqno is not the seqno after the last transaction of the file
    /// before, which ended in its rotate record (checked when the file's first record
    /// cannot be read).
    BaseSeqnoAfter {
        /// The base seqno in the header.
        found: i64,
        /// The seqno after the previous file's last transaction.
        expected: i64,
        /// The previous file.
        previous: String,
    },
    /// A file another file follows ends without the rotate record that leads to it
    /// (spec 1.4: the writer always writes one before creating the next file).
    MissingRotate {
        /// The file that follows.
        next: String,
    },
    /// Seqnos a damaged file should hold and does not: the file stops before the seqno
    /// the next file starts at.
    SeqnosLost {
        /// First missing seqno.
        first: i64,
        /// Last missing seqno.
        last: i64,
        /// The file that follows.
        next: String,
    },
    /// The newest file ends inside a record: a log still being written ends so (spec
    /// 3.2), so this is a notice, and the file is read up to that record.
    IncompleteTail {
        /// Bytes the record needs (its length, or 4 for a partial length field).
        needed: u64,
        /// Bytes present from the record's start.
        available: u64,
    },
    /// The newest file ends at a record whose length field is invalid: Tungsten's reader
    /// logs a warning and reads the file up to it (spec 3.2), and so do these readers.
    InvalidTailLength {
        /// The stored length.
        length: i32,
    },
    /// The last record is incomplete: the file ends before the record does. A log that
    /// is still being written ends like this; readers can be told to stop before it.
    Truncated {
        /// Bytes the record needs (its length, or 4 for a partial length field).
        needed: u64,
        /// Bytes left in the file from the record's start.
        available: u64,
    },
    /// A record length outside `13..=1_000_000_000` (corruption, spec 3.2).
    BadRecordLength {
        /// The length field as stored.
        length: i32,
    },
    /// The CRC type byte is neither 0 (none) nor 1 (CRC-32).
    InvalidCrcType {
        /// The type byte found.
        crc_type: u8,
    },
    /// The stored checksum does not match the data (Tungsten: "Log record CRC failure").
    CrcMismatch {
        /// The record's CRC type (0 = none, 1 = CRC-32).
        crc_type: u8,
        /// The stored 64-bit CRC field, as an unsigned number.
        stored: u64,
        /// The checksum computed from the data (0 for type 0).
        computed: u64,
    },
    /// The first data byte is neither 1 (event) nor 2 (rotate).
    UnknownRecordType {
        /// The type byte found.
        record_type: u8,
    },
    /// A record's fixed part could not be decoded.
    Record {
        /// Which record part (`"event record header"`, `"rotate record"`).
        record: &'static str,
        /// What was expected at the offset.
        expected: &'static str,
    },
    /// The protobuf payload is malformed.
    Protobuf {
        /// The message being decoded (`"Header"`, `"ProtobufOneRowChange"`…).
        message: &'static str,
        /// What was expected at the offset.
        expected: String,
    },
    /// The payload was written by the legacy Java-serialization serializer (spec 9).
    JavaSerialized,
    /// The directory holds no `thl.data.*` file.
    NoLogFiles,
    /// A log file before the last one is too short to hold a header (spec 1.3).
    InvalidLogFileHeader {
        /// The file's name.
        name: String,
    },
    /// A file of the sequence is missing (indexes must follow each other, modulo
    /// 2147483647).
    MissingLogFile {
        /// Name of the file that should follow.
        expected: String,
        /// Name of the file that follows instead.
        found: String,
    },
    /// A rotate record points to a file that is not in the directory.
    RotateTargetMissing {
        /// The file the rotate record names.
        name: String,
    },
    /// A permissive reader skipped unreadable bytes up to the next plausible record.
    Skipped {
        /// Offset where reading resumes.
        resume_at: u64,
    },
    /// A value cannot be written in THL's encoding (e.g. a string over 65535 bytes).
    Unencodable {
        /// What could not be written.
        what: &'static str,
    },
}

impl fmt::Display for ThlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThlError::BadMagic { found } => {
                write!(f, "expected THL magic 0xC001CAFE, found 0x{found:08X}")
            }
            ThlError::ShortHeader { len } => {
                write!(
                    f,
                    "expected a 16-byte THL file header, file has {len} bytes"
                )
            }
            ThlError::IncompatibleVersion { major, minor } => write!(
                f,
                "incompatible major version: expected 1, found {major}.{minor}"
            ),
            ThlError::MinorVersion { major, minor } => write!(
                f,
                "minor version mismatch: expected format 1.1, found {major}.{minor}"
            ),
            ThlError::BaseSeqno {
                found,
                first_record,
            } => write!(
                f,
                "header base seqno: expected {first_record}, the seqno of the first record (at \
                 byte 16), found {found}"
            ),
            ThlError::BaseSeqnoAfter {
                found,
                expected,
                previous,
            } => write!(
                f,
                "header base seqno: expected {expected}, the seqno after the last transaction \
                 of {previous}, found {found}"
            ),
            ThlError::MissingRotate { next } => write!(
                f,
                "file cut short: expected a rotate record to {next} (the next file) at the end, \
                 found the end of the file"
            ),
            ThlError::SeqnosLost { first, last, next } => write!(
                f,
                "seqnos {first} to {last} are lost: expected them before {next}, which starts \
                 at seqno {}, found the end of the file",
                last.saturating_add(1)
            ),
            ThlError::IncompleteTail { needed, available } => write!(
                f,
                "incomplete record at the end of the newest file: expected {needed} bytes, \
                 found {available}; a log still being written ends so, and it is read up to \
                 this record"
            ),
            ThlError::InvalidTailLength { length } => write!(
                f,
                "record length {length} is invalid: expected 13 to 1,000,000,000; the log \
                 may be corrupt"
            ),
            ThlError::Truncated { needed, available } => write!(
                f,
                "truncated record: expected {needed} bytes, file ends after {available}"
            ),
            ThlError::BadRecordLength { length } => write!(
                f,
                "record length is invalid, log may be corrupt: expected 13..=1000000000, \
                 found {length}"
            ),
            ThlError::InvalidCrcType { crc_type } => {
                write!(f, "invalid crc type: expected 0 or 1, found {crc_type}")
            }
            ThlError::CrcMismatch {
                crc_type,
                stored,
                computed,
            } => write!(
                f,
                "log record CRC failure: crc type={crc_type} stored crc={stored} \
                 computed crc={computed}"
            ),
            ThlError::UnknownRecordType { record_type } => write!(
                f,
                "unable to extract a valid record type; expected 1 or 2, found {record_type}"
            ),
            ThlError::Record { record, expected } => write!(f, "{record}: expected {expected}"),
            ThlError::Protobuf { message, expected } => {
                write!(f, "protobuf {message}: expected {expected}")
            }
            ThlError::JavaSerialized => f.write_str(
                "event payload uses the legacy Java-serialization format (stream magic \
                 AC ED 00 05), which replog does not decode; expected protobuf",
            ),
            ThlError::NoLogFiles => f.write_str(
                "attempting to read a non-existent log: expected thl.data.* files in the \
                 directory",
            ),
            ThlError::InvalidLogFileHeader { name } => write!(
                f,
                "found invalid log file header; log must be purged up to this file to \
                 open: {name}"
            ),
            ThlError::MissingLogFile { expected, found } => {
                write!(f, "log file missing: expected {expected}, found {found}")
            }
            ThlError::RotateTargetMissing { name } => {
                write!(f, "rotate record points to missing log file {name}")
            }
            ThlError::Skipped { resume_at } => write!(
                f,
                "skipped unreadable bytes; expected a record, resuming at byte {resume_at}"
            ),
            ThlError::Unencodable { what } => write!(f, "cannot encode {what}"),
        }
    }
}
