//! The protobuf `Header` message (spec 6.2, 6.3).

use super::required;
use crate::thl::proto::{Message, PbError, Writer};

/// The protobuf header of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    /// Same as the record header's seqno.
    pub seqno: i64,
    /// Same as the record header's fragno.
    pub fragno: i32,
    /// Same as the record header's lastFrag.
    pub last_frag: bool,
    /// Source commit time (ms); the time `thl list` shows.
    pub source_tstamp: i64,
    /// The writer's clock at serialization (ms); carries no event information.
    pub extracted_tstamp: i64,
    /// Same as the record header's sourceId (standard UTF-8 here).
    pub source_id: &'a str,
    /// Epoch number.
    pub epoch_number: i64,
    /// Same as the record header's eventId.
    pub event_id: &'a str,
    /// Always `#DEFAULT` in reference logs; use the record header's shard id.
    pub shard_id: &'a str,
    /// A filtered-range placeholder (spec 8.1).
    pub filtered_event: bool,
    /// Last seqno of a filtered range.
    pub seqno_end: Option<i64>,
    /// Last fragno of a filtered range.
    pub fragno_end: Option<i32>,
}

impl<'a> Header<'a> {
    pub(crate) fn decode(mut m: Message<'a>) -> Result<Self, PbError> {
        let (mut seqno, mut fragno, mut last_frag, mut source_tstamp) = (None, None, None, None);
        let (mut extracted_tstamp, mut source_id, mut epoch_number) = (None, None, None);
        let (mut event_id, mut shard_id, mut filtered_event) = (None, None, None);
        let (mut seqno_end, mut fragno_end) = (None, None);
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => seqno = Some(f.int64()?),
                2 => fragno = Some(f.int32()?),
                3 => last_frag = Some(f.bool()?),
                4 => source_tstamp = Some(f.int64()?),
                5 => extracted_tstamp = Some(f.int64()?),
                6 => source_id = Some(f.string()?),
                7 => epoch_number = Some(f.int64()?),
                8 => event_id = Some(f.string()?),
                9 => shard_id = Some(f.string()?),
                10 => filtered_event = Some(f.bool()?),
                11 => seqno_end = Some(f.int64()?),
                12 => fragno_end = Some(f.int32()?),
                _ => {}
            }
        }
        Ok(Header {
            seqno: required(&m, seqno, "seqno")?,
            fragno: required(&m, fragno, "fragno")?,
            last_frag: required(&m, last_frag, "lastFrag")?,
            source_tstamp: required(&m, source_tstamp, "sourceTstamp")?,
            extracted_tstamp: required(&m, extracted_tstamp, "extractedTstamp")?,
            source_id: required(&m, source_id, "sourceId")?,
            epoch_number: required(&m, epoch_number, "epochNumber")?,
            event_id: required(&m, event_id, "eventId")?,
            shard_id: required(&m, shard_id, "shardId")?,
            filtered_event: required(&m, filtered_event, "filteredEvent")?,
            seqno_end,
            fragno_end,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.int64(1, self.seqno);
        w.int32(2, self.fragno);
        w.bool(3, self.last_frag);
        w.int64(4, self.source_tstamp);
        w.int64(5, self.extracted_tstamp);
        w.bytes(6, self.source_id.as_bytes());
        w.int64(7, self.epoch_number);
        w.bytes(8, self.event_id.as_bytes());
        w.bytes(9, self.shard_id.as_bytes());
        w.bool(10, self.filtered_event);
        if let Some(v) = self.seqno_end {
            w.int64(11, v);
        }
        if let Some(v) = self.fragno_end {
            w.int32(12, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_of_every_wire_type_are_skipped() {
        let header = Header {
            seqno: 5,
            fragno: 0,
            last_frag: true,
            source_tstamp: 1,
            extracted_tstamp: 2,
            source_id: "db",
            epoch_number: 3,
            event_id: "e",
            shard_id: "#DEFAULT",
            filtered_event: false,
            seqno_end: None,
            fragno_end: None,
        };
        let mut w = Writer::new();
        w.int64(99, -1);
        w.double(98, 1.5);
        header.encode(&mut w);
        w.float(97, 2.5);
        w.bytes(96, b"future");
        let bytes = w.into_bytes();
        let decoded = Header::decode(Message::new(&bytes, 0, "Header")).unwrap();
        assert_eq!(decoded, header);
    }

    #[test]
    fn a_missing_required_field_is_named() {
        let mut w = Writer::new();
        w.int64(1, 5);
        let bytes = w.into_bytes();
        let err = Header::decode(Message::new(&bytes, 77, "Header")).unwrap_err();
        assert_eq!((err.offset, err.message), (77, "Header"));
        assert_eq!(err.expected, "required field fragno");
    }
}
