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
