//! `XID_EVENT` (type 16): commit of a transaction on an XA-capable engine.

use std::fmt;

use nom::number::complete::le_u64;

use crate::decode::{finish, DecodeError};

/// A decoded `XID_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Xid {
    /// The transaction's XA id (server-local).
    pub xid: u64,
}

impl Xid {
    /// Decodes the body.
    pub fn parse(body: &[u8]) -> Result<Self, DecodeError> {
        finish(le_u64(body)).map(|(_, xid)| Xid { xid })
    }
}

impl fmt::Display for Xid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "COMMIT /* xid={} */", self.xid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_byte_id() {
        assert_eq!(
            Xid::parse(&28u64.to_le_bytes()).unwrap().to_string(),
            "COMMIT /* xid=28 */"
        );
        assert_eq!(
            Xid::parse(&[1, 2, 3]).unwrap_err().located(&[1, 2, 3]),
            (0, "more bytes")
        );
    }
}
