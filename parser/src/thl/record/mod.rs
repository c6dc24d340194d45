//! Records: the framing fields and one dispatch over the record type byte (spec 4).

mod event;
mod rotate;

pub use event::{EventRecord, RecordHeader};
pub use rotate::RotateRecord;

use crate::error::Error;

/// Record type byte of an event record.
pub const EVENT_RECORD: u8 = 1;
/// Record type byte of a rotate record.
pub const ROTATE_RECORD: u8 = 2;

/// One framed record as stored in a file.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    /// Name of the file the record was read from.
    pub file: &'a str,
    /// Absolute offset of the record's length field.
    pub offset: u64,
    /// The length field: the whole record, length field and CRC included.
    pub length: u32,
    /// 0 = no checksum, 1 = CRC-32 (others are refused when CRCs are verified).
    pub crc_type: u8,
    /// The stored CRC field.
    pub crc: u64,
    /// The data bytes: from the record type byte to the end of the event.
    pub data: &'a [u8],
    /// The decoded record.
    pub kind: RecordKind<'a>,
}

/// What a record holds, by its type byte.
#[derive(Debug, Clone)]
#[non_exhaustive]
// Nearly every record is an event, so boxing it would only add an allocation per record.
#[allow(clippy::large_enum_variant)]
pub enum RecordKind<'a> {
    /// Type 1: an event (fixed header decoded, payload decoded on request).
    Event(EventRecord<'a>),
    /// Type 2: a switch to the next file.
    Rotate(RotateRecord),
    /// Any other type byte. Tungsten's readers abort here ("Unable to extract a valid
    /// record type"); callers that mimic them turn this into
    /// [`ThlError::UnknownRecordType`](super::ThlError::UnknownRecordType).
    Unknown {
        /// The type byte.
        record_type: u8,
    },
}

impl<'a> RecordKind<'a> {
    /// Decodes the record data of file `file`; `offset` is where `data` starts.
    // Inlined into the readers, which build the record around the result in place.
    #[inline]
    pub fn parse(file: &'a str, offset: u64, data: &'a [u8]) -> Result<Self, Error> {
        match data.first() {
            Some(&EVENT_RECORD) => EventRecord::parse(file, offset, data).map(RecordKind::Event),
            Some(&ROTATE_RECORD) => RotateRecord::parse(file, offset, data).map(RecordKind::Rotate),
            Some(&record_type) => Ok(RecordKind::Unknown { record_type }),
            None => Err(Error::new(
                file,
                offset,
                crate::ErrorKind::Thl(super::ThlError::Record {
                    record: "record",
                    expected: "a record type byte",
                }),
            )),
        }
    }
}

/// A record copied out of its file, to keep after the file is closed (borrowed records
/// are the default; this is the explicit owned form). [`OwnedRecord::record`] borrows it
/// back as a [`Record`], decoding the fixed header again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRecord {
    /// Name of the file the record was read from.
    pub file: String,
    /// Absolute offset of the record's length field.
    pub offset: u64,
    /// The length field.
    pub length: u32,
    /// The CRC type byte.
    pub crc_type: u8,
    /// The stored CRC field.
    pub crc: u64,
    /// The data bytes (record type byte onward).
    pub data: Vec<u8>,
}

impl OwnedRecord {
    /// The record, borrowing from `self`.
    pub fn record(&self) -> Result<Record<'_>, Error> {
        Ok(Record {
            file: &self.file,
            offset: self.offset,
            length: self.length,
            crc_type: self.crc_type,
            crc: self.crc,
            data: &self.data,
            kind: RecordKind::parse(&self.file, self.offset + 4, &self.data)?,
        })
    }
}

impl<'a> Record<'a> {
    /// A copy that owns its bytes.
    pub fn to_owned_record(&self) -> OwnedRecord {
        OwnedRecord {
            file: self.file.to_string(),
            offset: self.offset,
            length: self.length,
            crc_type: self.crc_type,
            crc: self.crc,
            data: self.data.to_vec(),
        }
    }

    /// The event record, if this is one.
    pub fn event(&self) -> Option<&EventRecord<'a>> {
        match &self.kind {
            RecordKind::Event(e) => Some(e),
            _ => None,
        }
    }

    /// The error a strict reader stops with at this record when its type is unknown
    /// (spec 4: readers abort there).
    pub(crate) fn unknown_type_error(&self) -> Option<Error> {
        match self.kind {
            RecordKind::Unknown { record_type } => Some(Error::new(
                self.file,
                self.offset,
                crate::ErrorKind::Thl(super::ThlError::UnknownRecordType { record_type }),
            )),
            _ => None,
        }
    }
}
