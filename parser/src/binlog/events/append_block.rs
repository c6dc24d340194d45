//! `APPEND_BLOCK_EVENT` (type 9) and `BEGIN_LOAD_QUERY_EVENT` (type 17), which share one
//! layout: a file id and a block of the `LOAD DATA` file. BEGIN_LOAD_QUERY starts a
//! file (5.0+), APPEND_BLOCK continues one.

use std::fmt;

use nom::number::complete::le_u32;

use crate::binlog::wire::skip_post_header_rest;
use crate::decode::{finish, DecodeError, Parsed};

/// A decoded APPEND_BLOCK or BEGIN_LOAD_QUERY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendBlock<'a> {
    /// The file this block belongs to.
    pub file_id: u32,
    /// The data.
    pub block: &'a [u8],
}

impl<'a> AppendBlock<'a> {
    /// Decodes the body; `post_header_len` is the FDE's length for this type (4).
    pub fn parse(body: &'a [u8], post_header_len: usize) -> Result<Self, DecodeError> {
        finish(Self::fields(body, post_header_len)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8], post: usize) -> Parsed<'a, Self> {
        let (i, file_id) = le_u32(i)?;
        let (i, ()) = skip_post_header_rest(i, post, 4)?;
        Ok((&i[i.len()..], AppendBlock { file_id, block: i }))
    }
}

impl fmt::Display for AppendBlock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            ";file_id={};block_len={}",
            self.file_id,
            self.block.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_id_and_block() {
        let mut b = 7u32.to_le_bytes().to_vec();
        b.extend(b"1,2\n");
        let a = AppendBlock::parse(&b, 4).unwrap();
        assert_eq!((a.file_id, a.block), (7, &b"1,2\n"[..]));
        assert_eq!(
            AppendBlock::parse(&b[..3], 4).unwrap_err().located(&b[..3]),
            (0, "more bytes")
        );
    }
}
