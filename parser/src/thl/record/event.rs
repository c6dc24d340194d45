//! The event record's fixed header (spec 5.1), read without touching the protobuf
//! payload, which [`EventRecord::decode`] decodes on request.

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
    #[inline]
    pub(crate) fn parse(file: &'a str, offset: u64, data: &'a [u8]) -> Result<Self, Error> {
        let (payload, header) = record_header(data).map_err(|e| {
            Error::new(
                file,
                offset + e.at as u64,
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

/// The fixed fields at the start of record data, read by hand: they are fixed, and this
/// runs once per record of every listing (nom's labelled parsers cost more here than
/// the fields' reading itself).
fn record_header(data: &[u8]) -> Result<(&[u8], RecordHeader<'_>), HeaderError> {
    let mut fields = FixedFields { data, at: 0 };
    let [_type] = fields.bytes("the record type byte")?;
    let seqno = i64::from_be_bytes(fields.bytes("seqno")?);
    let fragno = i16::from_be_bytes(fields.bytes("fragno")?);
    let [last_frag] = fields.bytes("lastFrag")?;
    let epoch = i64::from_be_bytes(fields.bytes("epoch")?);
    let source_id = fields.java_utf("sourceId", "sourceId in modified UTF-8")?;
    let event_id = fields.java_utf("eventId", "eventId in modified UTF-8")?;
    let shard_id = fields.java_utf("shardId", "shardId in modified UTF-8")?;
    let source_tstamp = i64::from_be_bytes(fields.bytes("sourceTstamp")?);
    let header = RecordHeader {
        seqno,
        fragno,
        last_frag: last_frag == 1,
        epoch,
        source_id,
        event_id,
        shard_id,
        source_tstamp,
    };
    Ok((&data[fields.at..], header))
}

/// A fixed field the record data ends inside (or a malformed string): where it starts
/// in the data, and what was expected there.
struct HeaderError {
    at: usize,
    expected: &'static str,
}

/// The fixed fields of `data` from byte `at` on.
struct FixedFields<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> FixedFields<'a> {
    /// The next `N` bytes, the field `field`.
    fn bytes<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], HeaderError> {
        let found = self.data[self.at..].first_chunk::<N>();
        let bytes = *found.ok_or(HeaderError {
            at: self.at,
            expected: field,
        })?;
        self.at += N;
        Ok(bytes)
    }

    /// A `writeUTF` string: u16 byte count and modified UTF-8.
    fn java_utf(
        &mut self,
        field: &'static str,
        malformed: &'static str,
    ) -> Result<JavaStr<'a>, HeaderError> {
        let start = self.at;
        let len = usize::from(u16::from_be_bytes(self.bytes(field)?));
        let raw = self.data[self.at..].get(..len).ok_or(HeaderError {
            at: self.at,
            expected: field,
        })?;
        self.at += len;
        JavaStr::decode(raw).map_err(|_| HeaderError {
            at: start,
            expected: malformed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Record data (type byte, fixed fields, no payload) with short strings, the
    /// offsets of its fields noted below.
    fn data() -> Vec<u8> {
        let header = RecordHeader {
            seqno: 7,
            fragno: 1,
            last_frag: true,
            epoch: 3,
            source_id: JavaStr::encode("db-1").expect("short"),
            event_id: JavaStr::encode("e1").expect("short"),
            shard_id: JavaStr::encode("s").expect("short"),
            source_tstamp: 1_700_000_000_000,
        };
        let mut data = Vec::new();
        header.encode(&mut data);
        data
    }

    /// Where the record data `data` (at offset 100 of a file) fails, and what it names.
    fn failure(data: &[u8]) -> (u64, &'static str) {
        let err = EventRecord::parse("f", 100, data).expect_err("damaged");
        match err.kind {
            ErrorKind::Thl(ThlError::Record {
                record: "event record header",
                expected,
            }) => (err.offset, expected),
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn reads_the_fixed_fields_and_leaves_the_payload() {
        let mut data = data();
        data.extend_from_slice(b"payload");
        let record = EventRecord::parse("f", 100, &data).expect("valid");
        assert_eq!(record.header.seqno, 7);
        assert_eq!(record.header.fragno, 1);
        assert!(record.header.last_frag);
        assert_eq!(record.header.epoch, 3);
        assert_eq!(record.header.source_id.text(), "db-1");
        assert_eq!(record.header.event_id.text(), "e1");
        assert_eq!(record.header.shard_id.text(), "s");
        assert_eq!(record.header.source_tstamp, 1_700_000_000_000);
        assert_eq!(record.payload, b"payload");
        assert_eq!(record.payload_offset, 100 + 41);
    }

    #[test]
    fn data_cut_short_fails_at_the_start_of_the_field_it_cuts() {
        // Type byte 0, seqno 1, fragno 9, lastFrag 11, epoch 12, sourceId's count 20
        // and bytes 22, eventId's 26 and 28, shardId's 30 and 32, sourceTstamp 33..41.
        let data = data();
        assert_eq!(data.len(), 41);
        let cases = [
            (0, 0, "the record type byte"),
            (1, 1, "seqno"),
            (8, 1, "seqno"),
            (9, 9, "fragno"),
            (11, 11, "lastFrag"),
            (12, 12, "epoch"),
            (19, 12, "epoch"),
            (20, 20, "sourceId"),
            (21, 20, "sourceId"),
            (22, 22, "sourceId"),
            (25, 22, "sourceId"),
            (26, 26, "eventId"),
            (29, 28, "eventId"),
            (30, 30, "shardId"),
            (32, 32, "shardId"),
            (33, 33, "sourceTstamp"),
            (40, 33, "sourceTstamp"),
        ];
        for (len, at, expected) in cases {
            assert_eq!(failure(&data[..len]), (100 + at, expected), "cut at {len}");
        }
    }

    #[test]
    fn a_malformed_string_fails_at_its_count() {
        for (byte, at, expected) in [
            (22, 20, "sourceId in modified UTF-8"),
            (28, 26, "eventId in modified UTF-8"),
            (32, 30, "shardId in modified UTF-8"),
        ] {
            let mut data = data();
            data[byte] = 0xFF;
            assert_eq!(failure(&data), (100 + at, expected));
        }
    }
}
