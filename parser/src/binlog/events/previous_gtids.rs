//! `PREVIOUS_GTIDS_LOG_EVENT` (type 35): the GTID set executed before this file.
//!
//! An 8-byte header holds the number of source ids; from MySQL 8.3 its top byte is a
//! format marker (1 = tagged), and the tagged format moves the count to bits 8–55.
//! Each entry: UUID (16), in the tagged format a tag (variable-length integer length +
//! bytes, empty for untagged ids), the number of intervals (8), then intervals of
//! (start, end exclusive) as 8-byte integers. The decoder validates the framing once
//! and iterates over the borrowed bytes without allocating.

use std::fmt;

use nom::number::complete::le_u64;

use super::{Text, Uuid};
use crate::binlog::wire::{bytes, varlen_uint};
use crate::decode::{finish, DecodeError, Parsed};

/// Format marker of the tagged encoding.
const FORMAT_TAGGED: u64 = 1;

/// A decoded `PREVIOUS_GTIDS_LOG_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviousGtids<'a> {
    /// The tagged format (8.3+).
    pub tagged: bool,
    /// Number of (source id, tag) entries.
    pub count: u64,
    entries: &'a [u8],
}

/// One (source id, tag) entry with its intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GtidSetEntry<'a> {
    /// Source UUID.
    pub sid: Uuid,
    /// Tag; empty for untagged ids.
    pub tag: &'a [u8],
    intervals: &'a [u8],
}

impl<'a> GtidSetEntry<'a> {
    /// Intervals as (first, last) inclusive, as they are written in GTID sets.
    pub fn intervals(&self) -> impl Iterator<Item = (u64, u64)> + 'a {
        self.intervals.chunks_exact(16).map(|c| {
            let n = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
            (n(&c[..8]), n(&c[8..]).saturating_sub(1))
        })
    }
}

impl<'a> PreviousGtids<'a> {
    /// Decodes the body, checking every entry is complete.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8]) -> Parsed<'a, Self> {
        let (i, header) = le_u64(i)?;
        let tagged = header >> 56 == FORMAT_TAGGED;
        let count = if tagged {
            (header >> 8) & ((1 << 48) - 1)
        } else {
            header & ((1 << 56) - 1)
        };
        let mut rest = i;
        for _ in 0..count {
            rest = entry(rest, tagged)?.0;
        }
        let entries = &i[..i.len() - rest.len()];
        Ok((
            rest,
            PreviousGtids {
                tagged,
                count,
                entries,
            },
        ))
    }

    /// The entries in file order.
    pub fn entries(&self) -> impl Iterator<Item = GtidSetEntry<'a>> + 'a {
        let mut rest = self.entries;
        let tagged = self.tagged;
        std::iter::from_fn(move || {
            let (after, e) = entry(rest, tagged).ok()?;
            rest = after;
            Some(e)
        })
    }
}

fn entry(i: &[u8], tagged: bool) -> Parsed<'_, GtidSetEntry<'_>> {
    let (i, sid) = bytes(i, 16)?;
    let (i, tag) = if tagged {
        let (i, len) = varlen_uint(i)?;
        bytes(i, usize::try_from(len).unwrap_or(usize::MAX))?
    } else {
        (i, &i[..0])
    };
    let (i, n) = le_u64(i)?;
    let len = usize::try_from(n).ok().and_then(|n| n.checked_mul(16));
    let (i, intervals) = match len {
        Some(len) => bytes(i, len)?,
        None => return DecodeError::at(i, "intervals of the declared count").fail(),
    };
    Ok((
        i,
        GtidSetEntry {
            sid: Uuid::from_slice(sid),
            tag,
            intervals,
        },
    ))
}

impl fmt::Display for PreviousGtids<'_> {
    /// The set in `SHOW BINLOG EVENTS` form: `uuid:1-5:7,uuid:tag:1-2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, e) in self.entries().enumerate() {
            if n > 0 {
                f.write_str(",\n")?;
            }
            write!(f, "{}", e.sid)?;
            if !e.tag.is_empty() {
                write!(f, ":{}", Text(e.tag))?;
            }
            for (first, last) in e.intervals() {
                if first == last {
                    write!(f, ":{first}")?;
                } else {
                    write!(f, ":{first}-{last}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untagged_and_tagged() {
        let mut b = 1u64.to_le_bytes().to_vec();
        b.extend([0xaa; 16]);
        b.extend(1u64.to_le_bytes());
        b.extend(1u64.to_le_bytes());
        b.extend(6u64.to_le_bytes());
        let p = PreviousGtids::parse(&b).unwrap();
        assert!(!p.tagged);
        assert_eq!(p.to_string(), "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-5");

        let mut t = ((1u64 << 56) | (1 << 8) | 1).to_le_bytes().to_vec();
        t.extend([0xbb; 16]);
        t.extend([0x04, b'a', b'b']);
        t.extend(1u64.to_le_bytes());
        t.extend(3u64.to_le_bytes());
        t.extend(4u64.to_le_bytes());
        let p = PreviousGtids::parse(&t).unwrap();
        assert!(p.tagged);
        assert_eq!(p.to_string(), "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb:ab:3");
        assert_eq!(
            PreviousGtids::parse(&t[..t.len() - 1])
                .unwrap_err()
                .located(&t[..t.len() - 1]),
            (35, "more bytes")
        );
    }
}
