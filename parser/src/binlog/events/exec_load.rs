//! `EXEC_LOAD_EVENT` (type 10): run the 4.0 `LOAD DATA` whose file is complete.

use std::fmt;

use nom::number::complete::le_u32;

use crate::decode::{finish, DecodeError};

/// A decoded `EXEC_LOAD_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecLoad {
    /// The file to load.
    pub file_id: u32,
}

impl ExecLoad {
    /// Decodes the body.
    pub fn parse(body: &[u8]) -> Result<Self, DecodeError> {
        finish(le_u32(body)).map(|(_, file_id)| ExecLoad { file_id })
    }
}

impl fmt::Display for ExecLoad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ";file_id={}", self.file_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_id() {
        assert_eq!(ExecLoad::parse(&9u32.to_le_bytes()).unwrap().file_id, 9);
        assert_eq!(
            ExecLoad::parse(&[9]).unwrap_err().located(&[9]),
            (0, "more bytes")
        );
    }
}
