//! MariaDB `ANNOTATE_ROWS_EVENT` (type 160): the statement text behind the rows events
//! that follow (`binlog_annotate_row_events=ON`). The whole body is the text.

use std::fmt;

use super::Text;

/// A decoded `MARIADB_ANNOTATE_ROWS_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnnotateRows<'a> {
    /// The statement text.
    pub query: &'a [u8],
}

impl<'a> AnnotateRows<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> AnnotateRows<'a> {
        AnnotateRows { query: body }
    }
}

impl fmt::Display for AnnotateRows<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Text(self.query))
    }
}
