//! Table maps, rows events and the column values of their row images.
//!
//! Interface contract with the event dispatch (`binlog::event`): every `parse` receives the
//! event body, i.e. the bytes after the 19-byte common header and before the checksum,
//! plus the file's [`FormatContext`]. Errors are [`DecodeError`]s relative to that body.

use crate::binlog::FormatContext;
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
    /// Pre-GA 5.1 types 20–22 (no update-columns bitmap for updates).
    PreGa,
    /// Types 23–25 and MariaDB's 166–171.
    V1,
    /// Types 30–32 and 39, with the extra-data length field.
    V2,
}

/// Everything the type code says about a rows event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowsEventKind {
    /// The change.
    pub action: RowsAction,
    /// The layout.
    pub version: RowsVersion,
    /// MariaDB compressed rows event (rows data zlib-compressed).
    pub compressed: bool,
}

/// A `TABLE_MAP_EVENT`.
#[derive(Debug, Clone)]
pub struct TableMap<'a> {
    /// The table id rows events refer to.
    pub table_id: u64,
    /// Schema name bytes.
    pub schema: &'a [u8],
    /// Table name bytes.
    pub table: &'a [u8],
}

impl<'a> TableMap<'a> {
    /// Decodes a table map body.
    pub fn parse(body: &'a [u8], _ctx: &FormatContext) -> Result<Self, DecodeError> {
        Err(DecodeError::at(body, "a table map (decoder being written)"))
    }
}

/// A rows event (any action, version or compression).
#[derive(Debug, Clone)]
pub struct RowsEvent<'a> {
    /// Type-code facts.
    pub kind: RowsEventKind,
    /// The table map this event's rows follow.
    pub table_id: u64,
    /// Rows-event flags (`STMT_END_F` = 1…).
    pub flags: u16,
    /// Undecoded remainder (placeholder while the decoder is written).
    pub rest: &'a [u8],
}

impl<'a> RowsEvent<'a> {
    /// Decodes a rows event body of the given kind.
    pub fn parse(
        body: &'a [u8],
        _ctx: &FormatContext,
        _kind: RowsEventKind,
    ) -> Result<Self, DecodeError> {
        Err(DecodeError::at(
            body,
            "a rows event (decoder being written)",
        ))
    }
}
