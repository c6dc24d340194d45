//! `CREATE_FILE_EVENT` (type 8): MySQL 4.0's `LOAD DATA`, carrying the statement and
//! the first block of the file. Layout: LOAD's post-header, the file id, LOAD's body
//! (new-format separators) with a NUL-terminated file name, then the data block.

use std::fmt;

use super::load::{Load, LOAD_POST_HEADER_LEN};
use crate::decode::{finish, DecodeError};

/// A decoded `CREATE_FILE_EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateFile<'a> {
    /// The statement.
    pub load: Load<'a>,
    /// Id that APPEND_BLOCK / EXEC_LOAD / DELETE_FILE refer to.
    pub file_id: u32,
    /// First block of the file's data.
    pub block: &'a [u8],
}

impl<'a> CreateFile<'a> {
    /// Decodes the body; `load_post_header_len` is the FDE's length for LOAD.
    pub fn parse(body: &'a [u8], load_post_header_len: usize) -> Result<Self, DecodeError> {
        let post = load_post_header_len.max(LOAD_POST_HEADER_LEN);
        finish(Load::fields(body, post, 4, true, true)).map(|(block, (load, id))| CreateFile {
            load,
            file_id: u32::from_le_bytes([id[0], id[1], id[2], id[3]]),
            block,
        })
    }
}

impl fmt::Display for CreateFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ;file_id={};block_len={}",
            self.load,
            self.file_id,
            self.block.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_header_file_id_name_and_block() {
        let mut b = Vec::new();
        for v in [3u32, 0, 0] {
            b.extend(v.to_le_bytes());
        }
        b.extend([1, 4]);
        b.extend(0u32.to_le_bytes());
        b.extend(5u32.to_le_bytes());
        b.extend([1, b'\t', 0, 1, b'\n', 0, 1, b'\\', 0]);
        b.extend(b"t\0test\0/tmp/f.txt\0data");
        let c = CreateFile::parse(&b, 18).unwrap();
        assert_eq!((c.file_id, c.block), (5, &b"data"[..]));
        assert_eq!(
            (c.load.table, c.load.file_name),
            (&b"t"[..], &b"/tmp/f.txt"[..])
        );
        assert_eq!(
            CreateFile::parse(&b[..40], 18)
                .unwrap_err()
                .located(&b[..40]),
            (40, "a NUL-terminated string")
        );
    }
}
