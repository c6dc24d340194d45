//! replog: zero-copy decoding of MySQL/MariaDB binary logs and Tungsten THL files.
//!
//! # Where to start
//! - [`input::LogBytes::open`] maps a file (or inflates a `.gz`, or drains a pipe) and
//!   [`input::sniff`] tells which format its first bytes announce.
//! - [`binlog`] frames and decodes binary-log events; [`thl`] reads and writes THL.
//! - [`shard`] assigns transactions to parallel-apply channels as Tungsten does.
//! - [`parallel`] simulates parallel appliers over a log and reports how parallel it is.
//!
//! # Policy
//! No input may panic. Every failure is an [`error::Error`] naming the input, the absolute
//! byte offset and what was expected there. Decoding is strict by default; permissive
//! mode is chosen explicitly by the caller and every recovery it makes is reported.
//! The library never prints and never writes to an input file.
#![deny(unsafe_code)]
#![deny(missing_debug_implementations)]

pub mod binlog;
pub mod decode;
pub mod error;
mod flow;
pub mod input;
pub mod json;
pub mod parallel;
pub mod shard;
pub mod thl;
pub mod threads;
pub mod txn;

pub use error::{Error, ErrorKind, InMemory};
pub use flow::Flow;
