//! `INTVAR_EVENT` (type 5): `LAST_INSERT_ID()` or the next auto-increment value for the
//! statement that follows.

use std::fmt;

use nom::number::complete::{le_u64, le_u8};

use crate::decode::{finish, DecodeError, Parsed};

/// `LAST_INSERT_ID_EVENT`.
pub const LAST_INSERT_ID: u8 = 1;
/// `INSERT_ID_EVENT`.
pub const INSERT_ID: u8 = 2;

/// A decoded `INTVAR_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intvar {
    /// Which variable: [`LAST_INSERT_ID`] or [`INSERT_ID`] (others are invalid).
    pub kind: u8,
    /// Its value.
    pub value: u64,
}

impl Intvar {
    /// Decodes the body.
    pub fn parse(body: &[u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(i: &[u8]) -> Parsed<'_, Self> {
        let (i, kind) = le_u8(i)?;
        let (i, value) = le_u64(i)?;
        Ok((i, Intvar { kind, value }))
    }
}

impl fmt::Display for Intvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            LAST_INSERT_ID => write!(f, "LAST_INSERT_ID={}", self.value),
            INSERT_ID => write!(f, "INSERT_ID={}", self.value),
            k => write!(f, "INTVAR_{k}={}", self.value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds() {
        let mut b = vec![INSERT_ID];
        b.extend(12345u64.to_le_bytes());
        assert_eq!(Intvar::parse(&b).unwrap().to_string(), "INSERT_ID=12345");
        b[0] = LAST_INSERT_ID;
        assert_eq!(
            Intvar::parse(&b).unwrap().to_string(),
            "LAST_INSERT_ID=12345"
        );
        assert_eq!(
            Intvar::parse(&b[..8]).unwrap_err().located(&b[..8]),
            (1, "more bytes")
        );
    }
}
