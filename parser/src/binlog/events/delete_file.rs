//! `DELETE_FILE_EVENT` (type 11): discard a `LOAD DATA` file (the load failed).

use std::fmt;

use nom::number::complete::le_u32;

use crate::decode::{finish, DecodeError};

/// A decoded `DELETE_FILE_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteFile {
    /// The file to discard.
    pub file_id: u32,
}

impl DeleteFile {
    /// Decodes the body.
    pub fn parse(body: &[u8]) -> Result<Self, DecodeError> {
        finish(le_u32(body)).map(|(_, file_id)| DeleteFile { file_id })
    }
}

impl fmt::Display for DeleteFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ";file_id={}", self.file_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_id() {
        assert_eq!(
            DeleteFile::parse(&3u32.to_le_bytes()).unwrap().to_string(),
            ";file_id=3"
        );
        assert_eq!(
            DeleteFile::parse(&[]).unwrap_err().located(&[]),
            (0, "more bytes")
        );
    }
}
