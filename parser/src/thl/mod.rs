//! Tungsten Replicator THL (Transaction History Log): files, records, events.

mod error;

pub use error::ThlError;
