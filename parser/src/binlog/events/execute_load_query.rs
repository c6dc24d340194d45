//! `EXECUTE_LOAD_QUERY_EVENT` (type 18): the `LOAD DATA` statement of a file sent by
//! BEGIN_LOAD_QUERY / APPEND_BLOCK. A QUERY whose post-header adds the file id and
//! where the file name sits in the statement text.

use std::fmt;

use super::query::{Query, QUERY_POST_HEADER_LEN};
use super::Text;
use crate::decode::{finish, DecodeError};

/// Extra post-header bytes after QUERY's: file id, name start, name end, duplicates.
const EXTRA_LEN: usize = 4 + 4 + 4 + 1;

/// A decoded `EXECUTE_LOAD_QUERY_EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecuteLoadQuery<'a> {
    /// The statement and session state.
    pub query: Query<'a>,
    /// The file (see BEGIN_LOAD_QUERY).
    pub file_id: u32,
    /// Offset in the statement where the file name starts.
    pub file_name_start: u32,
    /// Offset in the statement where the file name ends.
    pub file_name_end: u32,
    /// `0` = error on duplicates, `1` = IGNORE, `2` = REPLACE.
    pub dup_handling: u8,
}

impl<'a> ExecuteLoadQuery<'a> {
    /// Decodes the body; `post_header_len` is the FDE's length for this type (26).
    pub fn parse(body: &'a [u8], post_header_len: usize) -> Result<Self, DecodeError> {
        let post = post_header_len.max(QUERY_POST_HEADER_LEN + EXTRA_LEN);
        finish(Query::fields(body, post, false, EXTRA_LEN)).map(|(_, (query, x))| {
            let u32_at = |o: usize| u32::from_le_bytes([x[o], x[o + 1], x[o + 2], x[o + 3]]);
            ExecuteLoadQuery {
                query,
                file_id: u32_at(0),
                file_name_start: u32_at(4),
                file_name_end: u32_at(8),
                dup_handling: x[12],
            }
        })
    }

    /// The file name part of the statement, when the offsets are inside it.
    pub fn file_name(&self) -> Option<&'a [u8]> {
        let start = usize::try_from(self.file_name_start).ok()?;
        let end = usize::try_from(self.file_name_end).ok()?;
        self.query.query.get(start..end)
    }
}

impl fmt::Display for ExecuteLoadQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.query.schema.is_empty() {
            write!(f, "use `{}`; ", Text(self.query.schema))?;
        }
        write!(f, "{} ;file_id={}", Text(self.query.query), self.file_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_plus_file_fields() {
        let sql = b"LOAD DATA INFILE '/tmp/x' INTO TABLE t";
        let mut b = 1u32.to_le_bytes().to_vec();
        b.extend(0u32.to_le_bytes());
        b.push(4);
        b.extend(0u16.to_le_bytes());
        b.extend(0u16.to_le_bytes());
        b.extend(6u32.to_le_bytes());
        b.extend(17u32.to_le_bytes());
        b.extend(25u32.to_le_bytes());
        b.push(1);
        b.extend(b"test\0");
        b.extend(sql);
        let e = ExecuteLoadQuery::parse(&b, 26).unwrap();
        assert_eq!((e.file_id, e.dup_handling), (6, 1));
        assert_eq!(e.file_name(), Some(&b"'/tmp/x'"[..]));
        assert_eq!(e.query.query, sql);
        assert_eq!(
            ExecuteLoadQuery::parse(&b[..20], 26)
                .unwrap_err()
                .located(&b[..20]),
            (13, "more bytes")
        );
    }
}
