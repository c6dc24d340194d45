//! THL failures. The enclosing [`crate::Error`] carries the file and offset.

use std::fmt;

/// What was wrong at the offset the enclosing error names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThlError {
    /// The file does not start with `0xC001CAFE`.
    BadMagic {
        /// The first four bytes found.
        found: u32,
    },
}

impl fmt::Display for ThlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThlError::BadMagic { found } => {
                write!(f, "expected THL magic 0xC001CAFE, found 0x{found:08X}")
            }
        }
    }
}
