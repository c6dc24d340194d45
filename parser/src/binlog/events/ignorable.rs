//! `IGNORABLE_LOG_EVENT` (type 28): a placeholder type for events a reader may skip.
//! Its body has no defined layout and is kept as is.

use std::fmt;

/// A decoded `IGNORABLE_LOG_EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignorable<'a> {
    /// The raw body.
    pub body: &'a [u8],
}

impl<'a> Ignorable<'a> {
    /// Keeps the body.
    pub fn parse(body: &'a [u8]) -> Ignorable<'a> {
        Ignorable { body }
    }
}

impl fmt::Display for Ignorable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "# Ignorable event ({} bytes)", self.body.len())
    }
}
