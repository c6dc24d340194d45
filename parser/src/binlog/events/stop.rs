//! `STOP_EVENT` (type 3): the server shut down cleanly. The body is empty.

use std::fmt;

/// A decoded `STOP_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

impl Stop {
    /// Decodes the body; any bytes a future server adds are ignored.
    pub fn parse(_body: &[u8]) -> Stop {
        Stop
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}
