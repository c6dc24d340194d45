//! MySQL and MariaDB binary logs (and relay logs): framing, checksums, event decoding.
//!
//! Layout: `header` (the 19-byte v4 header), `context` (what the format description
//! event fixes for the rest of the file), `reader` (framing, checksums, strict and
//! permissive iteration), `event` (one dispatch over the type code), `events/` (one
//! module per event type), `rows/` (table maps, row images and column values).

mod context;
mod error;
pub mod rows;

pub use context::{ChecksumAlg, Flavor, FormatContext};
pub use error::BinlogError;
