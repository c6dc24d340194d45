//! Whether a walk over a log goes on: what every visitor callback returns.

/// The answer of a visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Visit the next item.
    Continue,
    /// Stop the walk.
    Stop,
}
