//! MariaDB `START_ENCRYPTION_EVENT` (type 164): every later event of the file is
//! encrypted with the server's key (scheme 1, key version, 12-byte nonce).

use std::fmt;

use nom::number::complete::{le_u32, le_u8};

use crate::binlog::wire::bytes;
use crate::decode::{finish, DecodeError, Parsed};

/// A decoded `MARIADB_START_ENCRYPTION_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartEncryption<'a> {
    /// Encryption scheme.
    pub scheme: u8,
    /// Key version.
    pub key_version: u32,
    /// Nonce (12 bytes).
    pub nonce: &'a [u8],
}

impl<'a> StartEncryption<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8]) -> Parsed<'a, Self> {
        let (i, scheme) = le_u8(i)?;
        let (i, key_version) = le_u32(i)?;
        let (i, nonce) = bytes(i, 12)?;
        Ok((
            i,
            StartEncryption {
                scheme,
                key_version,
                nonce,
            },
        ))
    }
}

impl fmt::Display for StartEncryption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scheme={} key_version={}", self.scheme, self.key_version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_key_nonce() {
        let mut b = vec![1];
        b.extend(2u32.to_le_bytes());
        b.extend([7; 12]);
        let s = StartEncryption::parse(&b).unwrap();
        assert_eq!((s.scheme, s.key_version, s.nonce.len()), (1, 2, 12));
        assert_eq!(
            StartEncryption::parse(&b[..10])
                .unwrap_err()
                .located(&b[..10]),
            (5, "more bytes")
        );
    }
}
