//! The decoded event: fixed record header, protobuf `Header` and `ProtobufReplDBMSEvent`
//! (spec 5.2, 6, 7). One module per change type; [`Change`] dispatches on the stored
//! change type with an `Unknown` fallback that keeps the raw message.
//!
//! Every message type has `decode` (borrowing strings and bytes from the file) and
//! `encode` following the reference writer's field order and presence rules (spec 6.1,
//! 6.4), so a decoded event re-encodes to the same bytes.

mod change;
mod header;
mod load_data;
mod row_id;
mod rows;
mod statement;
mod value;

pub use change::{Change, ChangeType};
pub use header::Header;
pub use load_data::{LoadDataFileDelete, LoadDataFileFragment, LoadDataFileQuery};
pub use row_id::{RowIdData, RowIdKind};
pub use rows::{
    Action, ColumnSpec, ColumnVal, Images, OneRowChange, RowChangeData, RowImages, ValueType,
};
pub use statement::StatementData;
pub use value::Value;

use super::proto::{tag, Message, PbError, QuickFields, Writer, LENGTH_DELIMITED};
use super::record::RecordHeader;

/// A whole event record, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<'a> {
    /// The fixed record header (the only trustworthy shard id).
    pub record: RecordHeader<'a>,
    /// The protobuf header.
    pub header: Header<'a>,
    /// The event body (empty for filtered events).
    pub body: ReplDbmsEvent<'a>,
}

/// `ProtobufReplDBMSEvent`: changes, metadata and options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplDbmsEvent<'a> {
    /// The changes, in apply order.
    pub changes: Vec<Change<'a>>,
    /// Event metadata (`service`, `shard`, `heartbeat`…), in stored order.
    pub metadata: Vec<EventOption<'a>>,
    /// Session options of the transaction (not printed by `thl list`).
    pub options: Vec<EventOption<'a>>,
}

/// `ProtobufEventOption`: a name/value pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventOption<'a> {
    /// The option name.
    pub name: &'a str,
    /// The value (possibly empty).
    pub value: &'a str,
}

impl<'a> Event<'a> {
    /// Decodes the payload that follows `record` (the fixed header) in the file;
    /// `offset` is the payload's absolute offset.
    pub(crate) fn decode_payload(
        record: RecordHeader<'a>,
        payload: &'a [u8],
        offset: u64,
    ) -> Result<Event<'a>, PbError> {
        let (header, rest) = Message::delimited(payload, offset, "Header")?;
        let header = Header::decode(header)?;
        // Like the reference reader, a filtered placeholder's event message is not read
        // (the reference writer stores it empty, so re-encoding gives the same bytes).
        if header.filtered_event {
            return Ok(Event {
                record,
                header,
                body: ReplDbmsEvent::default(),
            });
        }
        let body_offset = offset + (payload.len() - rest.len()) as u64;
        let (body, rest) = Message::delimited(rest, body_offset, "ProtobufReplDBMSEvent")?;
        let body = ReplDbmsEvent::decode(body)?;
        if !rest.is_empty() {
            let end = offset + (payload.len() - rest.len()) as u64;
            return Err(PbError {
                offset: end,
                message: "ProtobufReplDBMSEvent",
                expected: format!("the end of the record, found {} more bytes", rest.len()),
            });
        }
        Ok(Event {
            record,
            header,
            body,
        })
    }

    /// Decodes the protobuf header at the start of a payload (see
    /// [`Event::decode_payload`]).
    pub(crate) fn decode_header(payload: &'a [u8], offset: u64) -> Result<Header<'a>, PbError> {
        let (header, _) = Message::delimited(payload, offset, "Header")?;
        Header::decode(header)
    }

    /// The record data (type byte, fixed header, payload) as the reference writer
    /// produces it; frame it with [`crate::thl::writer::frame_record`].
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.record.encode(&mut out);
        let mut header = Writer::new();
        self.header.encode(&mut header);
        Writer::delimited_into(header, &mut out);
        let mut body = Writer::new();
        self.body.encode(&mut body);
        Writer::delimited_into(body, &mut out);
        out
    }

    /// The value of the first metadata entry named `name`.
    pub fn metadata(&self, name: &str) -> Option<&'a str> {
        self.body
            .metadata
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.value)
    }

    /// Whether this is a filtered-range placeholder (spec 8.1).
    pub fn is_filtered(&self) -> bool {
        self.header.filtered_event
    }
}

impl<'a> ReplDbmsEvent<'a> {
    fn decode(mut m: Message<'a>) -> Result<Self, PbError> {
        let mut event = ReplDbmsEvent::default();
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => {
                    reserve_repeated(&mut event.changes, &m, tag(1, LENGTH_DELIMITED));
                    let change = Change::decode(f.message("ProtobufOneChange")?)?;
                    event.changes.push(change)
                }
                2 => {
                    reserve_repeated(&mut event.metadata, &m, tag(2, LENGTH_DELIMITED));
                    let option = EventOption::decode(f.message("ProtobufEventOption")?)?;
                    event.metadata.push(option)
                }
                3 => {
                    reserve_repeated(&mut event.options, &m, tag(3, LENGTH_DELIMITED));
                    let option = EventOption::decode(f.message("ProtobufEventOption")?)?;
                    event.options.push(option)
                }
                _ => {}
            }
        }
        Ok(event)
    }

    fn encode(&self, w: &mut Writer) {
        for c in &self.changes {
            w.message(1, |w| c.encode(w));
        }
        EventOption::encode_all(w, 2, &self.metadata);
        EventOption::encode_all(w, 3, &self.options);
    }
}

impl<'a> EventOption<'a> {
    pub(crate) fn decode(m: Message<'a>) -> Result<Self, PbError> {
        quick_or_checked(m, Self::decode_quick, Self::decode_checked)
    }

    /// The usual shape read quickly (see [`QuickFields`]); `None` when
    /// [`EventOption::decode_checked`] must read it.
    #[inline(always)]
    fn decode_quick(bytes: &'a [u8]) -> Option<Self> {
        // Options are short text, stored by the dozen in each event: the whole message is
        // usually UTF-8 and is validated once rather than once per string.
        match std::str::from_utf8(bytes) {
            Ok(whole) => Self::read_quick(bytes, |fields| fields.string_within(whole)),
            Err(_) => Self::read_quick(bytes, QuickFields::string),
        }
    }

    /// The fields of [`EventOption::decode_quick`], each string read with `string`.
    #[inline(always)]
    fn read_quick(
        bytes: &'a [u8],
        string: impl Fn(&mut QuickFields<'a>) -> Option<&'a str>,
    ) -> Option<Self> {
        const NAME: u8 = tag(1, LENGTH_DELIMITED);
        const VALUE: u8 = tag(2, LENGTH_DELIMITED);
        let (mut name, mut value) = (None, None);
        let mut fields = QuickFields::new(bytes);
        while let Some(t) = fields.tag()? {
            match t {
                NAME => name = Some(string(&mut fields)?),
                VALUE => value = Some(string(&mut fields)?),
                _ => return None,
            }
        }
        Some(EventOption {
            name: name?,
            value: value?,
        })
    }

    fn decode_checked(mut m: Message<'a>) -> Result<Self, PbError> {
        let (mut name, mut value) = (None, None);
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => name = Some(f.string()?),
                2 => value = Some(f.string()?),
                _ => {}
            }
        }
        Ok(EventOption {
            name: required(&m, name, "name")?,
            value: required(&m, value, "value")?,
        })
    }

    pub(crate) fn encode_all(w: &mut Writer, field: u32, options: &[EventOption<'_>]) {
        for o in options {
            w.message(field, |w| {
                w.bytes(1, o.name.as_bytes());
                w.bytes(2, o.value.as_bytes());
            });
        }
    }
}

/// Decodes `m` with `quick` when the message has the usual shape (see
/// [`QuickFields`]), else with `checked`, which reads every shape and reports a damaged
/// message where and how it always has: `quick` gives what `checked` would, or nothing.
pub(crate) fn quick_or_checked<'a, T>(
    m: Message<'a>,
    quick: impl FnOnce(&'a [u8]) -> Option<T>,
    checked: impl FnOnce(Message<'a>) -> Result<T, PbError>,
) -> Result<T, PbError> {
    match quick(m.remaining()) {
        Some(decoded) => Ok(decoded),
        None => checked(m),
    }
}

/// Room in `list`, while it is empty, for the field just read from `m` and the fields
/// tagged `tag` stored right after it: writers store a repeated field's entries together,
/// so the list is allocated once instead of grown. Only a hint (see
/// [`QuickFields::leading_run`]): whatever the bytes, decoding goes on as before.
pub(crate) fn reserve_repeated<T>(list: &mut Vec<T>, m: &Message<'_>, tag: u8) {
    if list.is_empty() {
        list.reserve_exact(1 + QuickFields::new(m.remaining()).leading_run(tag));
    }
}

/// A required field's value, or the error naming it.
pub(crate) fn required<T>(m: &Message<'_>, value: Option<T>, field: &str) -> Result<T, PbError> {
    value.ok_or_else(|| m.missing(field))
}
