//! MariaDB `GTID_EVENT` (type 162): starts an event group and names its GTID
//! `domain-server-seq` (the server id is the event header's). Layout: sequence number
//! (8), domain id (4), flags (1); a commit id (8) when `FL_GROUP_COMMIT_ID` is set; an
//! XA XID when `FL_PREPARED_XA` or `FL_COMPLETED_XA` is set; then (10.5+) an extra-flags
//! byte announcing the engine count and the ALTER sequence number of split ALTERs.

use std::fmt;

use nom::number::complete::{le_u32, le_u64, le_u8};

use super::xa_prepare::XaXid;
use crate::decode::{finish, DecodeError, Parsed};

/// `FL_STANDALONE`: not a transaction (no terminating COMMIT/XID).
pub const FL_STANDALONE: u8 = 1;
/// `FL_GROUP_COMMIT_ID`: a commit id follows.
pub const FL_GROUP_COMMIT_ID: u8 = 2;
/// `FL_TRANSACTIONAL`.
pub const FL_TRANSACTIONAL: u8 = 4;
/// `FL_ALLOW_PARALLEL`.
pub const FL_ALLOW_PARALLEL: u8 = 8;
/// `FL_WAITED`: the transaction waited for a row lock.
pub const FL_WAITED: u8 = 16;
/// `FL_DDL`.
pub const FL_DDL: u8 = 32;
/// `FL_PREPARED_XA`: `XA PREPARE`; an XID follows.
pub const FL_PREPARED_XA: u8 = 64;
/// `FL_COMPLETED_XA`: `XA COMMIT`/`ROLLBACK`; an XID follows.
pub const FL_COMPLETED_XA: u8 = 128;

/// Extra flag: an engine count byte follows.
pub const FL_EXTRA_MULTI_ENGINE: u8 = 1;
/// Extra flag: first part of a split ALTER.
pub const FL_START_ALTER: u8 = 2;
/// Extra flag: commit of a split ALTER; its start sequence number follows.
pub const FL_COMMIT_ALTER: u8 = 4;
/// Extra flag: rollback of a split ALTER; its start sequence number follows.
pub const FL_ROLLBACK_ALTER: u8 = 8;
/// Extra flag (11.x): the originating session's thread id follows.
pub const FL_EXTRA_THREAD_ID: u8 = 16;

/// A decoded `MARIADB_GTID_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MariaGtid<'a> {
    /// Replication domain.
    pub domain_id: u32,
    /// Originating server (from the event header).
    pub server_id: u32,
    /// Sequence number.
    pub seq_no: u64,
    /// `FL_*` flags.
    pub flags: u8,
    /// Group commit id, when `FL_GROUP_COMMIT_ID` is set.
    pub commit_id: Option<u64>,
    /// The XA transaction's XID, when an XA flag is set.
    pub xid: Option<XaXid<'a>>,
    /// Extra flags byte (10.5+), when present.
    pub flags_extra: Option<u8>,
    /// Number of extra engines, with `FL_EXTRA_MULTI_ENGINE`.
    pub extra_engines: Option<u8>,
    /// Sequence number of the split ALTER's start, with commit/rollback ALTER.
    pub start_alter_seq_no: Option<u64>,
    /// Thread id of the originating session, with `FL_EXTRA_THREAD_ID`.
    pub thread_id: Option<u32>,
}

impl<'a> MariaGtid<'a> {
    /// Whether the group it announces is a transaction that a later XID, COMMIT or
    /// ROLLBACK (or XA PREPARE) ends. A standalone group (DDL) and the XA COMMIT or
    /// ROLLBACK of a transaction prepared earlier are one statement each.
    pub fn opens_transaction(&self) -> bool {
        self.flags & (FL_STANDALONE | FL_COMPLETED_XA) == 0
    }

    /// Decodes the body; `server_id` is the event header's.
    pub fn parse(body: &'a [u8], server_id: u32) -> Result<Self, DecodeError> {
        finish(Self::fields(body, server_id)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8], server_id: u32) -> Parsed<'a, Self> {
        let (i, seq_no) = le_u64(i)?;
        let (i, domain_id) = le_u32(i)?;
        let (i, flags) = le_u8(i)?;
        let mut g = MariaGtid {
            domain_id,
            server_id,
            seq_no,
            flags,
            commit_id: None,
            xid: None,
            flags_extra: None,
            extra_engines: None,
            start_alter_seq_no: None,
            thread_id: None,
        };
        let mut i = i;
        if flags & FL_GROUP_COMMIT_ID != 0 {
            let (r, id) = le_u64(i)?;
            g.commit_id = Some(id);
            i = r;
        }
        if flags & (FL_PREPARED_XA | FL_COMPLETED_XA) != 0 {
            let (r, format_id) = le_u32(i)?;
            let (r, gtrid_len) = le_u8(r)?;
            let (r, bqual_len) = le_u8(r)?;
            let (r, xid) = XaXid::data(
                r,
                format_id as i32,
                usize::from(gtrid_len),
                usize::from(bqual_len),
            )?;
            g.xid = Some(xid);
            i = r;
        }
        // The servers pad the body with zeros to 19 bytes, so an extra-flags byte of 0
        // means there are no extra fields.
        if let Some((&extra, r)) = i.split_first() {
            if extra != 0 {
                g.flags_extra = Some(extra);
                i = r;
                if extra & FL_EXTRA_MULTI_ENGINE != 0 {
                    let (r, n) = le_u8(i)?;
                    g.extra_engines = Some(n);
                    i = r;
                }
                if extra & (FL_COMMIT_ALTER | FL_ROLLBACK_ALTER) != 0 {
                    let (r, s) = le_u64(i)?;
                    g.start_alter_seq_no = Some(s);
                    i = r;
                }
                if extra & FL_EXTRA_THREAD_ID != 0 {
                    let (r, t) = le_u32(i)?;
                    g.thread_id = Some(t);
                    i = r;
                }
            }
        }
        Ok((i, g))
    }
}

impl fmt::Display for MariaGtid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.flags & FL_STANDALONE != 0 {
            "GTID"
        } else if self.flags & FL_PREPARED_XA != 0 {
            "XA START"
        } else {
            "BEGIN GTID"
        };
        write!(
            f,
            "{what} {}-{}-{}",
            self.domain_id, self.server_id, self.seq_no
        )?;
        if let Some(c) = self.commit_id {
            write!(f, " cid={c}")?;
        }
        if let Some(x) = self.xid {
            write!(f, " xid={x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(flags: u8) -> Vec<u8> {
        let mut b = 2u64.to_le_bytes().to_vec();
        b.extend(0u32.to_le_bytes());
        b.push(flags);
        b
    }

    #[test]
    fn plain_commit_id_and_xa() {
        let mut b = head(FL_TRANSACTIONAL | FL_ALLOW_PARALLEL);
        b.extend([0; 6]);
        let g = MariaGtid::parse(&b, 1).unwrap();
        assert_eq!(g.to_string(), "BEGIN GTID 0-1-2");
        assert_eq!((g.commit_id, g.flags_extra), (None, None));

        let mut b = head(FL_GROUP_COMMIT_ID);
        b.extend(99u64.to_le_bytes());
        assert_eq!(MariaGtid::parse(&b, 1).unwrap().commit_id, Some(99));

        let mut b = head(FL_PREPARED_XA);
        b.extend(1u32.to_le_bytes());
        b.extend([2, 1, b'g', b'h', b'b']);
        let g = MariaGtid::parse(&b, 1).unwrap();
        let x = g.xid.unwrap();
        assert_eq!((x.format_id, x.gtrid, x.bqual), (1, &b"gh"[..], &b"b"[..]));
        assert_eq!(
            MariaGtid::parse(&b[..b.len() - 1], 1)
                .unwrap_err()
                .located(&b[..b.len() - 1]),
            (21, "more bytes")
        );
    }

    #[test]
    fn extra_flags() {
        let mut b = head(FL_TRANSACTIONAL);
        b.push(FL_EXTRA_MULTI_ENGINE | FL_COMMIT_ALTER | FL_EXTRA_THREAD_ID);
        b.push(2);
        b.extend(40u64.to_le_bytes());
        b.extend(77u32.to_le_bytes());
        let g = MariaGtid::parse(&b, 1).unwrap();
        assert_eq!(
            (g.extra_engines, g.start_alter_seq_no, g.thread_id),
            (Some(2), Some(40), Some(77))
        );
        assert_eq!(
            MariaGtid::parse(&b[..b.len() - 2], 1)
                .unwrap_err()
                .located(&b[..b.len() - 2]),
            (23, "more bytes")
        );
    }
}
