//! `GTID_TAGGED_LOG_EVENT` (type 42, MySQL 8.3+): a GTID with a tag (`uuid:tag:gno`),
//! written in MySQL's serialization-library format instead of fixed offsets:
//! a format version byte, the message size (counted from the version byte) and the
//! last non-ignorable field id as variable-length integers, then (field id, value)
//! pairs in increasing id order. Absent fields keep their defaults; unknown fields
//! cannot be skipped (values carry no length), so an unknown *ignorable* field ends
//! decoding and an unknown non-ignorable one is an error.

use std::fmt;

use nom::number::complete::le_u8;

use super::gtid::{CommitTimestamps, LogicalClock, ServerVersions, UNDEFINED_SERVER_VERSION};
use super::{Text, Uuid};
use crate::binlog::wire::{bytes, varlen_int, varlen_uint};
use crate::decode::{finish, DecodeError, Parsed};

mod field {
    pub const FLAGS: u64 = 0;
    pub const SID: u64 = 1;
    pub const GNO: u64 = 2;
    pub const TAG: u64 = 3;
    pub const LAST_COMMITTED: u64 = 4;
    pub const SEQUENCE_NUMBER: u64 = 5;
    pub const IMMEDIATE_COMMIT_TIMESTAMP: u64 = 6;
    pub const ORIGINAL_COMMIT_TIMESTAMP: u64 = 7;
    pub const TRANSACTION_LENGTH: u64 = 8;
    pub const IMMEDIATE_SERVER_VERSION: u64 = 9;
    pub const ORIGINAL_SERVER_VERSION: u64 = 10;
    pub const COMMIT_GROUP_TICKET: u64 = 11;
}

/// Longest tag the servers accept.
pub const TAG_MAX_LEN: u64 = 32;

/// A decoded `GTID_TAGGED_LOG_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GtidTagged<'a> {
    /// Serialization format version byte.
    pub format_version: u8,
    /// Flags (`1` = may contain statement-based changes).
    pub flags: u8,
    /// Server UUID.
    pub sid: Uuid,
    /// Transaction number.
    pub gno: i64,
    /// The tag (may be empty).
    pub tag: &'a [u8],
    /// Logical clock.
    pub logical_clock: LogicalClock,
    /// Commit timestamps (original defaults to immediate).
    pub commit_timestamps: CommitTimestamps,
    /// Transaction length in bytes.
    pub transaction_length: u64,
    /// Server versions (original defaults to immediate).
    pub server_versions: ServerVersions,
    /// Binlog group commit ticket, when written.
    pub commit_group_ticket: Option<u64>,
}

impl<'a> GtidTagged<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(body: &'a [u8]) -> Parsed<'a, Self> {
        let (i, format_version) = le_u8(body)?;
        let (i, size) = varlen_uint(i)?;
        let (i, last_non_ignorable) = varlen_uint(i)?;
        let consumed = body.len() - i.len();
        let fields_len = usize::try_from(size)
            .ok()
            .and_then(|s| s.checked_sub(consumed))
            .ok_or_else(|| {
                nom::Err::Error(DecodeError::at(i, "a message size covering its own header"))
            })?;
        let (rest, mut f) = bytes(i, fields_len)?;
        let mut g = GtidTagged {
            format_version,
            flags: 0,
            sid: Uuid([0; 16]),
            gno: 0,
            tag: &[],
            logical_clock: LogicalClock {
                last_committed: 0,
                sequence_number: 0,
            },
            commit_timestamps: CommitTimestamps {
                immediate: 0,
                original: 0,
            },
            transaction_length: 0,
            server_versions: ServerVersions {
                immediate: UNDEFINED_SERVER_VERSION,
                original: UNDEFINED_SERVER_VERSION,
            },
            commit_group_ticket: None,
        };
        let (mut original_ts, mut original_version) = (None, None);
        while !f.is_empty() {
            let (r, id) = varlen_uint(f)?;
            f = match id {
                field::FLAGS => {
                    let (r, v) = varlen_uint(r)?;
                    g.flags = u8::try_from(v).map_err(|_| too_big(r))?;
                    r
                }
                field::SID => {
                    let mut r = r;
                    for b in g.sid.0.iter_mut() {
                        let (after, v) = varlen_uint(r)?;
                        *b = u8::try_from(v).map_err(|_| too_big(after))?;
                        r = after;
                    }
                    r
                }
                field::GNO => {
                    let (r, v) = varlen_int(r)?;
                    g.gno = v;
                    r
                }
                field::TAG => {
                    let (r, len) = varlen_uint(r)?;
                    if len > TAG_MAX_LEN {
                        return DecodeError::at(r, "a tag of at most 32 characters").fail();
                    }
                    let (r, tag) = bytes(r, len as usize)?;
                    g.tag = tag;
                    r
                }
                field::LAST_COMMITTED => {
                    let (r, v) = varlen_int(r)?;
                    g.logical_clock.last_committed = v;
                    r
                }
                field::SEQUENCE_NUMBER => {
                    let (r, v) = varlen_int(r)?;
                    g.logical_clock.sequence_number = v;
                    r
                }
                field::IMMEDIATE_COMMIT_TIMESTAMP => {
                    let (r, v) = varlen_uint(r)?;
                    g.commit_timestamps.immediate = v;
                    r
                }
                field::ORIGINAL_COMMIT_TIMESTAMP => {
                    let (r, v) = varlen_uint(r)?;
                    original_ts = Some(v);
                    r
                }
                field::TRANSACTION_LENGTH => {
                    let (r, v) = varlen_uint(r)?;
                    g.transaction_length = v;
                    r
                }
                field::IMMEDIATE_SERVER_VERSION => {
                    let (r, v) = varlen_uint(r)?;
                    g.server_versions.immediate = u32::try_from(v).map_err(|_| too_big(r))?;
                    r
                }
                field::ORIGINAL_SERVER_VERSION => {
                    let (r, v) = varlen_uint(r)?;
                    original_version = Some(u32::try_from(v).map_err(|_| too_big(r))?);
                    r
                }
                field::COMMIT_GROUP_TICKET => {
                    let (r, v) = varlen_uint(r)?;
                    g.commit_group_ticket = Some(v);
                    r
                }
                id if id <= last_non_ignorable => {
                    return DecodeError::at(f, "a known non-ignorable field id").fail();
                }
                _ => break,
            };
        }
        g.commit_timestamps.original = original_ts.unwrap_or(g.commit_timestamps.immediate);
        g.server_versions.original = original_version.unwrap_or(g.server_versions.immediate);
        Ok((rest, g))
    }
}

fn too_big(at: &[u8]) -> nom::Err<DecodeError> {
    nom::Err::Error(DecodeError::at(at, "a value within the field's range"))
}

impl fmt::Display for GtidTagged<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SET @@SESSION.GTID_NEXT= '{}:{}:{}' last_committed={} sequence_number={}",
            self.sid,
            Text(self.tag),
            self.gno,
            self.logical_clock.last_committed,
            self.logical_clock.sequence_number
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_defaults() {
        // version 2, size, last non-ignorable 0, flags=1, gno=3 (zig-zag 6),
        // tag "ab", immediate ts 5, ticket absent.
        let mut fields = vec![0x00, 0x02, 0x04, 0x0c, 0x06, 0x04, b'a', b'b', 0x0c, 0x0a];
        let mut b = vec![2, 0, 0x00];
        b.append(&mut fields);
        b[1] = (b.len() as u8) << 1;
        let g = GtidTagged::parse(&b).unwrap();
        assert_eq!((g.flags, g.gno, g.tag), (1, 3, &b"ab"[..]));
        assert_eq!(
            g.commit_timestamps,
            CommitTimestamps {
                immediate: 5,
                original: 5
            }
        );
        assert_eq!(g.server_versions.original, UNDEFINED_SERVER_VERSION);
        // A message size larger than the body fails.
        b[1] = 0x7e;
        assert_eq!(
            GtidTagged::parse(&b).unwrap_err().located(&b),
            (3, "more bytes")
        );
    }
}
