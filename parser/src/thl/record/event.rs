//! The event record's fixed header (spec 5.1), read without touching the protobuf
//! payload, which [`EventRecord::decode`] decodes on request.

use nom::bytes::complete::take;
use nom::error::context;
use nom::number::complete::{be_i16, be_i64, be_u16, be_u8};
use nom::Parser;

use crate::decode::{finish, DecodeError, Parsed};
use crate::error::{Error, ErrorKind};
use crate::thl::event::{Event, Header};
use crate::thl::mutf8::JavaStr;
use crate::thl::proto::PbError;
use crate::thl::ThlError;

/// The fields every event record stores before its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHeader<'a> {
    /// Global transaction sequence number.
    pub seqno: i64,
    /// Fragment number inside the transaction (0 for the first or only one).
    pub fragno: i16,
    /// Whether this is the transaction's last fragment (stored byte exactly 1).
    pub last_frag: bool,
    /// Epoch number.
    pub epoch: i64,
    /// Source (extracting replicator) id.
    pub source_id: JavaStr<'a>,
    /// Position in the source log, e.g. `mysql-bin.011742:0000000000000553;52181`.
    pub event_id: JavaStr<'a>,
    /// Shard id: the event's `shard` metadata, or `#UNKNOWN`. The protobuf header's
    /// shard id is always `#DEFAULT`; this one is the real one.
    pub shard_id: JavaStr<'a>,
    /// Source commit time, Java milliseconds.
    pub source_tstamp: i64,
}

/// An event record: the fixed header and the still-encoded payload.
#[derive(Debug, Clone)]
pub struct EventRecord<'a> {
    /// The fixed header.
    pub header: RecordHeader<'a>,
    /// The serialized event (protobuf Header + ReplDBMSEvent, spec 5.2).
    pub payload: &'a [u8],
    /// Absolute offset of `payload` in the file.
    pub payload_offset: u64,
    file: &'a str,
}

/// First bytes of a Java serialization stream (legacy serializer, spec 9).
const JAVA_STREAM_MAGIC: [u8; 4] = [0xAC, 0xED, 0x00, 0x05];

impl<'a> EventRecord<'a> {
    /// Decodes record data (type byte first) of `file` that starts at `offset`.
    pub(crate) fn parse(file: &'a str, offset: u64, data: &'a [u8]) -> Result<Self, Error> {
        let (payload, header) = finish(record_header(data)).map_err(|e| {
            Error::new(
                file,
                offset + e.offset_in(data) as u64,
                ErrorKind::Thl(ThlError::Record {
                    record: "event record header",
                    expected: e.expected,
                }),
            )
        })?;
        Ok(EventRecord {
            header,
            payload,
            payload_offset: offset + (data.len() - payload.len()) as u64,
            file,
        })
    }

    /// Name of the file the record was read from.
    pub fn file(&self) -> &'a str {
        self.file
    }

    /// Whether the payload was written by the legacy Java serializer (spec 9).
    pub fn is_java_serialized(&self) -> bool {
        self.payload.starts_with(&JAVA_STREAM_MAGIC)
    }

    /// Decodes the protobuf payload. Strings and bytes borrow from the file.
    pub fn decode(&self) -> Result<Event<'a>, Error> {
        self.decode_with(|payload, offset| {
            Event::decode_payload(self.header.clone(), payload, offset)
        })
    }

    /// Decodes the protobuf header alone, the first part of the payload: whether the
    /// record is a filtered placeholder and the range it stands for, without decoding
    /// the changes. It fails where [`EventRecord::decode`] fails in the header.
    pub fn decode_header(&self) -> Result<Header<'a>, Error> {
        self.decode_with(Event::decode_header)
    }

    fn decode_with<T>(
        &self,
        decode: impl FnOnce(&'a [u8], u64) -> Result<T, PbError>,
    ) -> Result<T, Error> {
        let err = |offset, kind| Error::new(self.file, offset, ErrorKind::Thl(kind));
        if self.is_java_serialized() {
            return Err(err(self.payload_offset, ThlError::JavaSerialized));
        }
        decode(self.payload, self.payload_offset).map_err(|e| {
            err(
                e.offset,
                ThlError::Protobuf {
                    message: e.message,
                    expected: e.expected,
                },
            )
        })
    }
}

impl RecordHeader<'_> {
    /// Appends the record data up to (not including) the payload: type byte 1 and the
    /// fixed fields.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(super::EVENT_RECORD);
        out.extend_from_slice(&self.seqno.to_be_bytes());
        out.extend_from_slice(&self.fragno.to_be_bytes());
        out.push(u8::from(self.last_frag));
        out.extend_from_slice(&self.epoch.to_be_bytes());
        for s in [&self.source_id, &self.event_id, &self.shard_id] {
            // JavaStr guarantees at most 65535 bytes (decoded from a u16 count or
            // checked by `JavaStr::encode`).
            out.extend_from_slice(&(s.raw().len() as u16).to_be_bytes());
            out.extend_from_slice(s.raw());
        }
        out.extend_from_slice(&self.source_tstamp.to_be_bytes());
    }

    /// A copy that owns its strings.
    pub fn into_owned(self) -> RecordHeader<'static> {
        RecordHeader {
            source_id: self.source_id.into_owned(),
            event_id: self.event_id.into_owned(),
            shard_id: self.shard_id.into_owned(),
            ..self
        }
    }
}

fn record_header(data: &[u8]) -> Parsed<'_, RecordHeader<'_>> {
    let (i, _) = context("the record type byte", be_u8).parse(data)?;
    let (i, seqno) = context("seqno", be_i64).parse(i)?;
    let (i, fragno) = context("fragno", be_i16).parse(i)?;
    let (i, last_frag) = context("lastFrag", be_u8).parse(i)?;
    let (i, epoch) = context("epoch", be_i64).parse(i)?;
    let (i, source_id) = java_utf(i, "sourceId", "sourceId in modified UTF-8")?;
    let (i, event_id) = java_utf(i, "eventId", "eventId in modified UTF-8")?;
    let (i, shard_id) = java_utf(i, "shardId", "shardId in modified UTF-8")?;
    let (i, source_tstamp) = context("sourceTstamp", be_i64).parse(i)?;
    Ok((
        i,
        RecordHeader {
            seqno,
            fragno,
            last_frag: last_frag == 1,
            epoch,
            source_id,
            event_id,
            shard_id,
            source_tstamp,
        },
    ))
}

/// A `writeUTF` string: u16 byte count and modified UTF-8.
fn java_utf<'a>(
    input: &'a [u8],
    field: &'static str,
    malformed: &'static str,
) -> Parsed<'a, JavaStr<'a>> {
    let (rest, len) = context(field, be_u16).parse(input)?;
    let (rest, raw) = context(field, take(len)).parse(rest)?;
    match JavaStr::decode(raw) {
        Ok(s) => Ok((rest, s)),
        Err(_) => DecodeError::at(input, malformed).fail(),
    }
}
