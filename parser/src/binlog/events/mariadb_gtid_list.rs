//! MariaDB `GTID_LIST_EVENT` (type 163): the binlog GTID state at the start of the file.
//! A 4-byte word holds the count (low 28 bits) and flags (top 4 bits), then one
//! (domain 4, server 4, sequence 8) triple per domain.

use std::fmt;

use nom::number::complete::le_u32;

use crate::binlog::wire::bytes;
use crate::decode::{finish, DecodeError, Parsed};

/// A decoded `MARIADB_GTID_LIST_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GtidList<'a> {
    /// Flags from the top bits of the count word.
    pub flags: u8,
    /// Number of GTIDs.
    pub count: u32,
    raw: &'a [u8],
}

/// One MariaDB GTID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MariaGtidId {
    /// Replication domain.
    pub domain_id: u32,
    /// Server id.
    pub server_id: u32,
    /// Sequence number.
    pub seq_no: u64,
}

impl<'a> GtidList<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8]) -> Parsed<'a, Self> {
        let (i, word) = le_u32(i)?;
        let count = word & 0x0fff_ffff;
        let (i, raw) = bytes(i, count as usize * 16)?;
        Ok((
            i,
            GtidList {
                flags: (word >> 28) as u8,
                count,
                raw,
            },
        ))
    }

    /// The GTIDs.
    pub fn gtids(&self) -> impl Iterator<Item = MariaGtidId> + 'a {
        self.raw.chunks_exact(16).map(|c| {
            let u32_at = |o: usize| u32::from_le_bytes([c[o], c[o + 1], c[o + 2], c[o + 3]]);
            MariaGtidId {
                domain_id: u32_at(0),
                server_id: u32_at(4),
                seq_no: u64::from(u32_at(8)) | (u64::from(u32_at(12)) << 32),
            }
        })
    }
}

impl fmt::Display for GtidList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (n, g) in self.gtids().enumerate() {
            if n > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}-{}-{}", g.domain_id, g.server_id, g.seq_no)?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples() {
        let mut b = 1u32.to_le_bytes().to_vec();
        b.extend(0u32.to_le_bytes());
        b.extend(1u32.to_le_bytes());
        b.extend(10u64.to_le_bytes());
        let l = GtidList::parse(&b).unwrap();
        assert_eq!(l.to_string(), "[0-1-10]");
        assert_eq!(
            GtidList::parse(&b[..b.len() - 1])
                .unwrap_err()
                .located(&b[..b.len() - 1]),
            (4, "more bytes")
        );
    }
}
