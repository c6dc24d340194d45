//! `-headers -json` (spec 13.4): the fixed record header of each record as a JSON object.

use std::io::{self, Write};

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

    /// The rest of an array whose first objects were written elsewhere (a listing
    /// rendered in parts): every object is preceded by its separator.
    pub fn continued() -> JsonArray {
        JsonArray { written: 1 }
    }

    /// One object.
    pub fn item(
        &mut self,
        out: &mut impl Write,
        header: &RecordHeader<'_>,
        zone: &Zone,
    ) -> io::Result<()> {
        if self.written > 0 {
            writeln!(out, ",")?;
        }
        self.written += 1;
        let text = |s: &str| serde_json::Value::from(s).to_string();
        write!(
            out,
            "{{\n\"seqno\": {},\n\"epoch\": {},\n\"frag\": {},\n\"lastFrag\": {},\n\"time\": {},\n\
             \"eventId\": {},\n\"sourceId\": {},\n\"comments\": \"\"\n}}",
            header.seqno,
            header.epoch,
            header.fragno,
            header.last_frag,
            text(&time(header, zone)),
            text(header.event_id.text()),
            text(header.source_id.text())
        )
    }

    /// The closing lines.
    pub fn end(self, out: &mut impl Write) -> io::Result<()> {
        write!(out, "\n]\n")
    }
}
