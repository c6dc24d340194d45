//! Tungsten Replicator THL (Transaction History Log): directories, files, records,
//! events; reading and byte-identical writing.
//!
//! # API structure
//!
//! - [`LogDir`] lists a log directory's `thl.data.NNNNNNNNNN` files and builds the
//!   [`LogIndex`] (first and last seqno per file, in log order even after the file
//!   index wrapped around; [`LogIndex::check_sequence`] finds a missing file).
//! - [`ThlFile`] is one data file (memory-mapped; `.gz` inflated): its [`FileHeader`]
//!   and [`ThlFile::records`], an iterator of [`Record`]s that checks lengths and CRCs.
//!   [`ReadOptions`] turn CRC verification off (`-no-checksum`) and choose whether a
//!   partial last record (a log still being written) is an error or a silent end
//!   ([`TailPolicy`]). [`Records::skipping_damage`] is the permissive walk: damaged
//!   records are reported and stepped over, and reading resynchronises after a damaged
//!   stretch; [`LogDir::index_permissive`] builds the index that way. A file another
//!   file follows must end in its rotate record: the index and the transaction walk
//!   report one cut short as damage, while the newest file may end inside a record (a
//!   log being written: [`ThlError::IncompleteTail`], a notice). The header's base
//!   seqno is checked against the file's first record, and a minor version other than
//!   1 is a warning ([`LogDir::index_reporting`] passes notices on).
//! - A [`Record`] is an [`EventRecord`] (fixed header decoded: seqno, fragno, epoch,
//!   source/event/shard ids, enough for `thl list -headers`), a [`RotateRecord`], or
//!   `Unknown`. [`EventRecord::decode`] decodes the protobuf payload into an
//!   [`Event`] whose strings and bytes borrow from the file.
//!   [`Record::to_owned_record`] copies a record out when it must outlive its file.
//!   [`event::ColumnVal::value`] says what a stored column value means (spec 6.5).
//! - [`writer`] frames records and writes logs with rotation; [`Event::encode`]
//!   reproduces the reference writer's bytes.
//! - [`java_text`] holds the text forms Java gives THL values (timestamp, float and
//!   decimal text, `java.sql.Types` names) as pure functions; `replog-render` composes
//!   them into `thl list`'s listings.
//!
//! # Example
//!
//! ```no_run
//! use replog::thl::{event::Change, LogDir, ReadOptions, RecordKind};
//!
//! # fn main() -> Result<(), replog::Error> {
//! let dir = LogDir::open("/var/lib/tungsten/thl/alpha".as_ref())?;
//! let index = dir.index(ReadOptions::tungsten())?;
//! println!("seqnos {}..={}", index.min_seqno(), index.max_seqno());
//! for entry in index.entries() {
//!     let file = dir.open_file(&entry.file_name)?;
//!     for record in file.records(ReadOptions::tungsten()) {
//!         let record = record?;
//!         let RecordKind::Event(event) = &record.kind else { continue };
//!         let decoded = event.decode()?;
//!         for change in &decoded.body.changes {
//!             if let Change::Statement(s) = change {
//!                 println!("{} {}", event.header.seqno, String::from_utf8_lossy(s.query_bytes()));
//!             }
//!         }
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Errors name the file, the absolute offset and what was expected; a CRC mismatch is
//! [`ThlError::CrcMismatch`] at the record's offset, a partial tail
//! [`ThlError::Truncated`], a legacy Java-serialized payload [`ThlError::JavaSerialized`].

pub(crate) mod ahead;
mod dir;
mod error;
pub mod event;
mod file;
pub mod java_text;
mod mutf8;
mod proto;
mod record;
mod scan;
mod stream;
pub mod writer;

pub use dir::{
    file_index, file_name, next_index, successor_name, IndexEntry, LogDir, LogIndex, PartialIndex,
    VerifiedFile, FILE_PREFIX,
};
pub use error::ThlError;
pub use event::Event;
pub use file::{
    DamagedTail, FileHeader, ReadOptions, Records, SkippingDamage, TailPolicy, ThlFile, CRC_32,
    CRC_NONE, HEADER_LEN, MAGIC,
};
pub use mutf8::{JavaStr, Utf16Units};
pub use record::{EventRecord, OwnedRecord, Record, RecordHeader, RecordKind, RotateRecord};
