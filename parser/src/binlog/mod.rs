//! MySQL and MariaDB binary logs (and relay logs): framing, checksums, event decoding.
//!
//! Layout: `header` (the common event header), `context` (what the format description
//! event fixes for the rest of the file), `reader` (framing, checksums, strict and
//! permissive iteration), `event` (one dispatch over the type code), `events/` (one
//! module per event type), `rows/` (table maps, row images and column values).
//!
//! # Where to start
//! - [`Reader`] yields every event decoded ([`EventAt`]: the [`RawEvent`] framing, i.e.
//!   offset, header, body and checksum verdict, plus the [`Event`]); `Display` on an
//!   [`Event`] is a one-line `SHOW BINLOG EVENTS`-style summary.
//! - [`Frames`] yields events framed and checksummed but not decoded ([`RawEvent`]): the
//!   fast path for scans; [`RawEvent::decode`] decodes one on demand.
//! - Decoded events borrow from the input; [`EventAt::to_owned_event`] copies one out
//!   ([`OwnedEvent`]) to keep it longer and decode it again from its own bytes.
//! - [`ReadOptions`] chooses strict (stop at the first error, the default) or permissive
//!   (report and continue) reading.
//! - A `TRANSACTION_PAYLOAD_EVENT`'s events: [`events::transaction_payload::TransactionPayload::decompress`],
//!   then [`InnerEvents`].
//!
//! ```no_run
//! # fn main() -> Result<(), replog::Error> {
//! use replog::binlog::Reader;
//! let bytes = replog::input::LogBytes::open("binlog.000001".as_ref())?;
//! for ev in Reader::new(bytes.name(), bytes.bytes())? {
//!     let ev = ev?;
//!     let _line = format!("{} {} {}", ev.raw.offset, ev.raw.event_type, ev.event);
//! }
//! # Ok(()) }
//! ```

mod context;
mod error;
pub mod event;
pub mod event_type;
pub mod events;
pub mod gtid_set;
pub mod header;
pub mod reader;
pub mod rows;
pub mod sequence;
pub mod stream;
#[cfg(test)]
mod test_log;
mod wire;

pub use context::{
    fde_declares_checksum, flavor_of, uses_pre_ga_numbering, version_triple, ChecksumAlg, Flavor,
    FormatContext,
};
pub use error::BinlogError;
pub use event::Event;
pub use event_type::EventType;
pub use events::transaction_payload::{InnerEvent, InnerEventError, InnerEvents};
pub use header::EventHeader;
pub use reader::{EventAt, Frames, OwnedEvent, ParseMode, RawEvent, ReadOptions, Reader};
