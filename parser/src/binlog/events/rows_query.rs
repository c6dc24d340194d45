//! `ROWS_QUERY_LOG_EVENT` (type 29): the statement behind the rows events that follow
//! (`binlog_rows_query_log_events=ON`). A one-byte length (the text's length modulo
//! 256, kept for compatibility) precedes the text, which runs to the end of the body.

use std::fmt;

use nom::number::complete::le_u8;

use super::Text;
use crate::decode::{finish, DecodeError};

/// A decoded `ROWS_QUERY_LOG_EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsQuery<'a> {
    /// The statement text.
    pub query: &'a [u8],
}

impl<'a> RowsQuery<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(le_u8(body)).map(|(query, _len)| RowsQuery { query })
    }
}

impl fmt::Display for RowsQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "# {}", Text(self.query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_after_the_length_byte() {
        // The length byte is the length modulo 256 and is not trusted.
        let r = RowsQuery::parse(b"\x05insert into t values (1)").unwrap();
        assert_eq!(r.query, b"insert into t values (1)");
        assert_eq!(
            RowsQuery::parse(b"").unwrap_err().located(b""),
            (0, "more bytes")
        );
    }
}
