//! `-headers -json` (spec 13.4): the fixed record header of each record as a JSON object.

use std::io::{self, Write};

use replog::json::write_string;
use replog::thl::RecordHeader;

use crate::headers::time;
use crate::zone::Zone;

/// The JSON array Tungsten prints: `[`, objects separated by `,\n`, then `\n]`.
/// Strings are JSON-escaped (Tungsten inserts them raw, which breaks on quotes).
#[derive(Debug, Default)]
pub struct JsonArray {
    written: usize,
}

impl JsonArray {
    /// The opening line.
    pub fn begin(out: &mut impl Write) -> io::Result<JsonArray> {
        writeln!(out, "[")?;
        Ok(JsonArray::default())
    }

    /// One object.
    pub fn item(
        &mut self,
        out: &mut impl Write,
        header: &RecordHeader<'_>,
        zone: &Zone,
    ) -> io::Result<()> {
        // Composed whole and written at once (one object per record of the listing).
        let mut item = Vec::with_capacity(ITEM_CAPACITY);
        if self.written > 0 {
            item.extend_from_slice(b",\n");
        }
        self.written += 1;
        let mut number = itoa::Buffer::new();
        item.extend_from_slice(b"{\n\"seqno\": ");
        item.extend_from_slice(number.format(header.seqno).as_bytes());
        item.extend_from_slice(b",\n\"epoch\": ");
        item.extend_from_slice(number.format(header.epoch).as_bytes());
        item.extend_from_slice(b",\n\"frag\": ");
        item.extend_from_slice(number.format(header.fragno).as_bytes());
        item.extend_from_slice(b",\n\"lastFrag\": ");
        item.extend_from_slice(if header.last_frag { b"true" } else { b"false" });
        item.extend_from_slice(b",\n\"time\": ");
        write_string(&mut item, &time(header, zone));
        item.extend_from_slice(b",\n\"eventId\": ");
        write_string(&mut item, header.event_id.text());
        item.extend_from_slice(b",\n\"sourceId\": ");
        write_string(&mut item, header.source_id.text());
        item.extend_from_slice(b",\n\"comments\": \"\"\n}");
        out.write_all(&item)
    }

    /// The closing lines.
    pub fn end(self, out: &mut impl Write) -> io::Result<()> {
        write!(out, "\n]\n")
    }
}

/// Room for a usual object (an eventId of a binary log position, a host name).
const ITEM_CAPACITY: usize = 192;
