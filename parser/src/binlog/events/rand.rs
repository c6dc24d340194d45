//! `RAND_EVENT` (type 13): the `RAND()` seeds of the statement that follows.

use std::fmt;

use nom::number::complete::le_u64;

use crate::decode::{finish, DecodeError, Parsed};

/// A decoded `RAND_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rand {
    /// First seed.
    pub seed1: u64,
    /// Second seed.
    pub seed2: u64,
}

impl Rand {
    /// Decodes the body.
    pub fn parse(body: &[u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(i: &[u8]) -> Parsed<'_, Self> {
        let (i, seed1) = le_u64(i)?;
        let (i, seed2) = le_u64(i)?;
        Ok((i, Rand { seed1, seed2 }))
    }
}

impl fmt::Display for Rand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rand_seed1={},rand_seed2={}", self.seed1, self.seed2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_seeds() {
        let mut b = 1u64.to_le_bytes().to_vec();
        b.extend(2u64.to_le_bytes());
        assert_eq!(
            Rand::parse(&b).unwrap().to_string(),
            "rand_seed1=1,rand_seed2=2"
        );
        assert_eq!(
            Rand::parse(&b[..15]).unwrap_err().located(&b[..15]),
            (8, "more bytes")
        );
    }
}
