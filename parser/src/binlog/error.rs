//! Binary-log failures. The enclosing [`crate::Error`] carries the file and offset.

use std::fmt;

use crate::decode::DecodeError;

/// What was wrong at the offset the enclosing error names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BinlogError {
    /// An event body could not be decoded.
    Body {
        /// Name of the event type (`QUERY_EVENT`, `MARIADB_GTID_EVENT`…).
        event: &'static str,
        /// What the decoder expected.
        cause: DecodeError,
    },
}

impl fmt::Display for BinlogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BinlogError::Body { event, cause } => {
                write!(f, "{event}: expected {}", cause.expected)
            }
        }
    }
}
