//! `XA_PREPARE_LOG_EVENT` (type 38): `XA PREPARE` (or one-phase `XA COMMIT`) of an
//! external transaction, with its XID.

use std::fmt;

use nom::number::complete::{le_u32, le_u8};

use crate::binlog::wire::bytes;
use crate::decode::{finish, DecodeError, Parsed};

/// Largest gtrid plus bqual (`XIDDATASIZE`).
pub const XID_DATA_MAX: usize = 128;

/// An X/Open XID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XaXid<'a> {
    /// `formatID`.
    pub format_id: i32,
    /// Global transaction id.
    pub gtrid: &'a [u8],
    /// Branch qualifier.
    pub bqual: &'a [u8],
}

impl<'a> XaXid<'a> {
    /// The gtrid and bqual that follow an XID's format id and lengths (XA_PREPARE and
    /// MariaDB's GTID store those with different widths, the data the same way).
    pub(crate) fn data(
        i: &'a [u8],
        format_id: i32,
        gtrid_len: usize,
        bqual_len: usize,
    ) -> Parsed<'a, Self> {
        if gtrid_len.saturating_add(bqual_len) > XID_DATA_MAX {
            return DecodeError::at(i, "gtrid and bqual lengths summing to at most 128").fail();
        }
        let (i, gtrid) = bytes(i, gtrid_len)?;
        let (i, bqual) = bytes(i, bqual_len)?;
        Ok((
            i,
            XaXid {
                format_id,
                gtrid,
                bqual,
            },
        ))
    }
}

impl fmt::Display for XaXid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "X'{}',X'{}',{}",
            crate::error::hex(self.gtrid),
            crate::error::hex(self.bqual),
            self.format_id
        )
    }
}

/// A decoded `XA_PREPARE_LOG_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XaPrepare<'a> {
    /// `XA COMMIT … ONE PHASE` rather than `XA PREPARE`.
    pub one_phase: bool,
    /// The XID.
    pub xid: XaXid<'a>,
}

impl<'a> XaPrepare<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8]) -> Parsed<'a, Self> {
        let (i, one_phase) = le_u8(i)?;
        let (i, format_id) = le_u32(i)?;
        let (i, gtrid_len) = le_u32(i)?;
        let (i, bqual_len) = le_u32(i)?;
        let (i, xid) = XaXid::data(i, format_id as i32, gtrid_len as usize, bqual_len as usize)?;
        Ok((
            i,
            XaPrepare {
                one_phase: one_phase != 0,
                xid,
            },
        ))
    }
}

impl fmt::Display for XaPrepare<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.one_phase {
            write!(f, "XA COMMIT {} ONE PHASE", self.xid)
        } else {
            write!(f, "XA PREPARE {}", self.xid)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xid_parts() {
        let mut b = vec![0];
        b.extend(1u32.to_le_bytes());
        b.extend(2u32.to_le_bytes());
        b.extend(1u32.to_le_bytes());
        b.extend(b"abc");
        let x = XaPrepare::parse(&b).unwrap();
        assert_eq!(x.to_string(), "XA PREPARE X'6162',X'63',1");
        b[5..9].copy_from_slice(&200u32.to_le_bytes());
        assert_eq!(
            XaPrepare::parse(&b).unwrap_err().located(&b),
            (13, "gtrid and bqual lengths summing to at most 128")
        );
    }
}
