//! Table maps, rows events and the column values of their row images.
//!
//! Interface contract with the event dispatch (`binlog::event`): every `parse` receives the
//! event body, i.e. the bytes after the 19-byte common header and before the checksum,
//! plus the file's [`FormatContext`]. Errors are [`DecodeError`]s relative to that body.
//!
//! # Use
//! Decode each `TABLE_MAP_EVENT` with [`TableMap::parse`] and keep it in a [`TableMaps`]
//! registry ([`TableMap::into_owned`] when the event buffer is short-lived). Decode rows
//! events with [`RowsEvent::parse`], then walk [`RowsEvent::rows`] (or
//! [`TableMaps::rows`]): each item is a [`RowChange`] whose [`RowImage`]s yield
//! [`Value`]s lazily, borrowing from the event. [`RowsEvent::write_rows_json`] renders
//! everything as JSON (`[{"before":[…],"after":[…]}]`) without intermediate values.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use replog::binlog::rows::{TableMaps, Value};
//! use replog::binlog::{Event, Reader};
//!
//! let bytes = replog::input::LogBytes::open("binlog.000001".as_ref())?;
//! let mut maps = TableMaps::new();
//! let mut json = Vec::new();
//! for ev in Reader::new(bytes.name(), bytes.bytes())? {
//!     match ev?.event {
//!         Event::TableMap(map) => {
//!             maps.insert(*map);
//!         }
//!         Event::Rows(rows) => {
//!             let map = maps.get(rows.table_id).ok_or("rows before their table map")?;
//!             for change in rows.rows(map).map_err(|e| e.expected)? {
//!                 let change = change.map_err(|e| e.expected)?;
//!                 for cell in change.after.iter().flat_map(|image| image.iter()) {
//!                     let cell = cell.map_err(|e| e.expected)?;
//!                     if let Value::Int(n) = cell.value {
//!                         println!("column {} = {n}", cell.column);
//!                     }
//!                 }
//!             }
//!             json.clear();
//!             rows.write_rows_json(map, &mut json).map_err(|e| e.expected)?;
//!         }
//!         _ => {}
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Limits
//! - Pre-5.0 DECIMAL (type 0) values have no size in the log: a row image holding one
//!   is an error naming the type. MariaDB 5.3–10.0 fractional TIME/DATETIME/TIMESTAMP
//!   columns (created with `mysql56_temporal_format=OFF`) are logged with the old type
//!   codes and no metadata, so nothing in the log tells them apart: they are read with
//!   the old layouts and come out wrong.
//! - Pre-GA 5.1 rows (types 20–22) store the table's record null bytes; without the
//!   table definition the decoder assumes the MyISAM layout (a leading deleted-row bit,
//!   then one bit per column), which is what those servers wrote for nullable columns.
//! - Text is decoded with the column's character set when the table map names it
//!   (UTF-8, latin1, UCS-2/UTF-16/UTF-32; binary as hex); otherwise bytes that are valid
//!   UTF-8 are taken as text.
//!
//! # Files
//! `column_type` (type codes, metadata sizes), `table_map` and `optional_metadata`
//! (TABLE_MAP), `registry`, `rows_event` (headers, extra data, compression, row framing), `row_image`
//! (lazy values of one image),
//! `value` (per-type layouts and JSON rendering), `charset` (text decoding), `decimal`, `temporal`, `digits` (number text), `json_binary`,
//! `json_diff`, `wire` (packed integers, bitmaps).

mod charset;
mod column_type;
mod decimal;
mod digits;
mod json_binary;
mod json_diff;
mod optional_metadata;
mod registry;
mod row_image;
mod rows_event;
mod table_map;
mod temporal;
mod value;
mod wire;

pub use column_type::ColumnType;
pub use decimal::Decimal;
pub use json_binary::JsonBinary;
pub use json_diff::{JsonDiff, JsonDiffIter, JsonDiffOp, JsonDiffs};
pub use optional_metadata::{DefaultCharset, OptionalMetadata};
pub use registry::{TableIdMap, TableMaps};
pub use row_image::{Cell, Cells, RowChange, RowImage};
pub use rows_event::{
    ExtraRowInfo, ImageColumns, NdbInfo, PartitionInfo, Rows, RowsEvent, COMPLETE_ROWS_F,
    NO_CHECK_CONSTRAINT_CHECKS_F, NO_FOREIGN_KEY_CHECKS_F, RELAXED_UNIQUE_CHECKS_F, STMT_END_F,
};
pub use table_map::{Column, ColumnInfo, TableMap};
pub use temporal::{Date, DateTime, Time, Timestamp};
pub use value::Value;

#[cfg(doc)]
use crate::binlog::FormatContext;
#[cfg(doc)]
use crate::decode::DecodeError;

/// Which change a rows event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowsAction {
    /// `WRITE_ROWS`: after images only.
    Write,
    /// `UPDATE_ROWS`: before and after images.
    Update,
    /// `DELETE_ROWS`: before images only.
    Delete,
    /// `PARTIAL_UPDATE_ROWS` (MySQL 8.0): before images and after images with JSON diffs.
    PartialUpdate,
}

/// The on-disk layout generation of a rows event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowsVersion {
    /// Pre-GA 5.1 types 20–22 (no update-columns bitmap for updates; rows in the old
    /// record layout).
    PreGa,
    /// Types 23–25 and MariaDB's compressed 166–168.
    V1,
    /// Types 30–32 and 39, and MariaDB's compressed 169–171: with the extra-data field.
    V2,
}

/// Everything the type code says about a rows event
/// (see [`RowsEventKind::from_type_code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowsEventKind {
    /// The change.
    pub action: RowsAction,
    /// The layout.
    pub version: RowsVersion,
    /// MariaDB compressed rows event (rows data zlib-compressed).
    pub compressed: bool,
}

#[cfg(test)]
pub(crate) mod test_support;
