//! `GTID_LOG_EVENT` (type 33) and `ANONYMOUS_GTID_LOG_EVENT` (type 34): the identity of
//! the transaction that follows. The layout grew by appending fields, so which ones are
//! present depends on the body's length:
//! - 5.6: flags, server UUID, GNO (25 bytes, padded to 42 on disk in some versions);
//! - 5.7: + logical clock (type code 2, `last_committed`, `sequence_number`);
//! - 8.0.1: + commit timestamps (7 bytes each; the immediate one's top bit says whether
//!   the original follows, otherwise original = immediate);
//! - 8.0.2: + transaction length (packed integer);
//! - 8.0.14: + server versions (4 bytes each, same top-bit rule);
//! - 8.0.33: + commit group ticket (8 bytes).

use std::fmt;
use std::ops::{BitAnd, Not};

use nom::number::complete::{le_u32, le_u64, le_u8};

use super::Uuid;
use crate::binlog::wire::{bytes, le_u56, packed_int};
use crate::decode::{finish, DecodeError, Parsed};

/// Type code of the logical-clock fields.
pub const LOGICAL_TIMESTAMP_TYPECODE: u8 = 2;
/// `UNDEFINED_SERVER_VERSION`.
pub const UNDEFINED_SERVER_VERSION: u32 = 999_999;
/// Flag bit of the immediate commit timestamp: an original timestamp follows.
const ORIGINAL_TS_FOLLOWS: u64 = 1 << 55;
/// Flag bit of the immediate server version: an original version follows.
const ORIGINAL_VERSION_FOLLOWS: u32 = 1 << 31;

/// Logical clock of a transaction (5.7+), for parallel apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogicalClock {
    /// Sequence number of the last transaction this one depends on.
    pub last_committed: i64,
    /// This transaction's sequence number.
    pub sequence_number: i64,
}

/// Commit timestamps in microseconds since the epoch (8.0.1+).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitTimestamps {
    /// When the transaction committed on the server that wrote this log.
    pub immediate: u64,
    /// When it committed on the server where it originated.
    pub original: u64,
}

/// Server versions as `major * 10000 + minor * 100 + patch` (8.0.14+).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerVersions {
    /// Version of the server that wrote this log.
    pub immediate: u32,
    /// Version of the server where the transaction originated.
    pub original: u32,
}

/// A decoded GTID or ANONYMOUS_GTID event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gtid {
    /// Anonymous (GTIDs off): UUID and GNO are zero.
    pub anonymous: bool,
    /// Flags (`1` = may contain statement-based changes).
    pub flags: u8,
    /// Server UUID (source id).
    pub sid: Uuid,
    /// Transaction number.
    pub gno: i64,
    /// Logical clock (absent in 5.6).
    pub logical_clock: Option<LogicalClock>,
    /// Commit timestamps (8.0.1+).
    pub commit_timestamps: Option<CommitTimestamps>,
    /// Length of the whole transaction in bytes, this event included (8.0.2+).
    pub transaction_length: Option<u64>,
    /// Server versions (8.0.14+).
    pub server_versions: Option<ServerVersions>,
    /// Binlog group commit ticket (8.0.33+).
    pub commit_group_ticket: Option<u64>,
}

impl Gtid {
    /// Decodes the body of type 33 (`anonymous` false) or 34 (true).
    pub fn parse(body: &[u8], anonymous: bool) -> Result<Self, DecodeError> {
        finish(Self::fields(body, anonymous)).map(|(_, v)| v)
    }

    fn fields(i: &[u8], anonymous: bool) -> Parsed<'_, Self> {
        let (i, flags) = le_u8(i)?;
        let (i, sid) = bytes(i, 16)?;
        let (i, gno) = le_u64(i)?;
        let mut gtid = Gtid {
            anonymous,
            flags,
            sid: Uuid::from_slice(sid),
            gno: gno as i64,
            logical_clock: None,
            commit_timestamps: None,
            transaction_length: None,
            server_versions: None,
            commit_group_ticket: None,
        };
        // 5.6 pads with zeros, and 5.7.4 and earlier used another type code: only
        // type code 2 introduces the logical clock.
        if i.first() != Some(&LOGICAL_TIMESTAMP_TYPECODE) {
            return Ok((i, gtid));
        }
        let (i, _) = le_u8(i)?;
        let (i, last_committed) = le_u64(i)?;
        let (i, sequence_number) = le_u64(i)?;
        gtid.logical_clock = Some(LogicalClock {
            last_committed: last_committed as i64,
            sequence_number: sequence_number as i64,
        });
        if i.len() < 7 {
            return Ok((i, gtid));
        }
        let (i, (immediate, original)) = immediate_and_original(i, le_u56, ORIGINAL_TS_FOLLOWS)?;
        gtid.commit_timestamps = Some(CommitTimestamps {
            immediate,
            original,
        });
        if i.is_empty() {
            return Ok((i, gtid));
        }
        let (i, length) = packed_int(i)?;
        gtid.transaction_length = Some(length);
        if i.len() < 4 {
            return Ok((i, gtid));
        }
        let (i, (immediate, original)) =
            immediate_and_original(i, le_u32, ORIGINAL_VERSION_FOLLOWS)?;
        gtid.server_versions = Some(ServerVersions {
            immediate,
            original,
        });
        if i.len() < 8 {
            return Ok((i, gtid));
        }
        let (i, ticket) = le_u64(i)?;
        gtid.commit_group_ticket = Some(ticket);
        Ok((i, gtid))
    }
}

/// An immediate value, then the original one only when the immediate value's `follows`
/// bit is set (the bit is not part of the value); otherwise original = immediate.
fn immediate_and_original<'a, T>(
    i: &'a [u8],
    read: impl Fn(&'a [u8]) -> Parsed<'a, T>,
    follows: T,
) -> Parsed<'a, (T, T)>
where
    T: Copy + Default + PartialEq + BitAnd<Output = T> + Not<Output = T>,
{
    let (i, immediate) = read(i)?;
    if immediate & follows == T::default() {
        return Ok((i, (immediate, immediate)));
    }
    let (i, original) = read(i)?;
    Ok((i, (immediate & !follows, original)))
}

impl fmt::Display for Gtid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.anonymous {
            f.write_str("SET @@SESSION.GTID_NEXT= 'ANONYMOUS'")?;
        } else {
            write!(f, "SET @@SESSION.GTID_NEXT= '{}:{}'", self.sid, self.gno)?;
        }
        if let Some(lc) = self.logical_clock {
            write!(
                f,
                " last_committed={} sequence_number={}",
                lc.last_committed, lc.sequence_number
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix() -> Vec<u8> {
        let mut b = vec![1];
        b.extend([0x11; 16]);
        b.extend(7u64.to_le_bytes());
        b
    }

    #[test]
    fn mysql_56_layout() {
        let mut b = prefix();
        b.extend([0; 17]);
        let g = Gtid::parse(&b, false).unwrap();
        assert_eq!(g.gno, 7);
        assert_eq!(g.logical_clock, None);
        assert_eq!(
            g.to_string(),
            "SET @@SESSION.GTID_NEXT= '11111111-1111-1111-1111-111111111111:7'"
        );
    }

    #[test]
    fn mysql_80_layout_with_original_fields() {
        let mut b = prefix();
        b.push(2);
        b.extend(3u64.to_le_bytes());
        b.extend(4u64.to_le_bytes());
        b.extend(&(1000u64 | ORIGINAL_TS_FOLLOWS).to_le_bytes()[..7]);
        b.extend(&900u64.to_le_bytes()[..7]);
        b.extend([252, 0x2c, 0x01]);
        b.extend((80040u32 | ORIGINAL_VERSION_FOLLOWS).to_le_bytes());
        b.extend(80036u32.to_le_bytes());
        let g = Gtid::parse(&b, false).unwrap();
        assert_eq!(
            g.logical_clock,
            Some(LogicalClock {
                last_committed: 3,
                sequence_number: 4
            })
        );
        assert_eq!(
            g.commit_timestamps,
            Some(CommitTimestamps {
                immediate: 1000,
                original: 900
            })
        );
        assert_eq!(g.transaction_length, Some(300));
        assert_eq!(
            g.server_versions,
            Some(ServerVersions {
                immediate: 80040,
                original: 80036
            })
        );
        assert_eq!(g.commit_group_ticket, None);
    }

    #[test]
    fn original_defaults_to_immediate() {
        let mut b = prefix();
        b.push(2);
        b.extend([0; 16]);
        b.extend(&1234u64.to_le_bytes()[..7]);
        b.push(10);
        b.extend(80040u32.to_le_bytes());
        let g = Gtid::parse(&b, true).unwrap();
        assert_eq!(g.commit_timestamps.unwrap().original, 1234);
        assert_eq!(g.server_versions.unwrap().original, 80040);
        assert_eq!(
            Gtid::parse(&b[..20], true).unwrap_err().located(&b[..20]),
            (17, "more bytes")
        );
    }
}
