//! MariaDB `BINLOG_CHECKPOINT_EVENT` (type 161): the oldest binlog file crash recovery
//! still needs (4-byte name length, then the name).

use std::fmt;

use super::Text;
use crate::binlog::wire::str_u32;
use crate::decode::{finish, DecodeError};

/// A decoded `MARIADB_BINLOG_CHECKPOINT_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BinlogCheckpoint<'a> {
    /// The file name.
    pub file: &'a [u8],
}

impl<'a> BinlogCheckpoint<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(str_u32(body)).map(|(_, file)| BinlogCheckpoint { file })
    }
}

impl fmt::Display for BinlogCheckpoint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Text(self.file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_prefixed_name() {
        let mut b = 5u32.to_le_bytes().to_vec();
        b.extend(b"m.001");
        assert_eq!(BinlogCheckpoint::parse(&b).unwrap().file, b"m.001");
        assert_eq!(
            BinlogCheckpoint::parse(&b[..7])
                .unwrap_err()
                .located(&b[..7]),
            (4, "more bytes")
        );
    }
}
