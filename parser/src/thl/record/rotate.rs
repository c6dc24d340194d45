//! The rotate record: `02` + i64 index of the next file.

use crate::error::{Error, ErrorKind};
use crate::thl::dir::file_name;
use crate::thl::ThlError;

/// A switch to the file with index `next_index`; always the last record of its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotateRecord {
    /// Index of the next file (`thl.data.<index>`).
    pub next_index: i64,
}

impl RotateRecord {
    pub(crate) fn parse(file: &str, offset: u64, data: &[u8]) -> Result<Self, Error> {
        let index = data
            .get(1..9)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .ok_or_else(|| {
                Error::new(
                    file,
                    offset,
                    ErrorKind::Thl(ThlError::Record {
                        record: "rotate record",
                        expected: "an 8-byte next file index",
                    }),
                )
            })?;
        Ok(RotateRecord {
            next_index: i64::from_be_bytes(index),
        })
    }

    /// Name of the next file.
    pub fn next_file_name(&self) -> String {
        file_name(self.next_index)
    }

    /// The record data: type byte and index.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![super::ROTATE_RECORD];
        out.extend_from_slice(&self.next_index.to_be_bytes());
        out
    }
}
