//! `-headers` (spec 13.3): one tab-separated line per record, from the fixed record
//! header only (the payload is not decoded).

use std::io::{self, Write};

use replog::thl::RecordHeader;

use crate::instant;
use crate::zone::Zone;

/// The record's source time as Java timestamp text.
pub(crate) fn time(header: &RecordHeader<'_>, zone: &Zone) -> String {
    let ms = header.source_tstamp;
    instant::timestamp(ms, 0, zone)
}

/// One tab-separated line; the empty comment column leaves two tabs at the end.
pub fn write_tab(out: &mut impl Write, header: &RecordHeader<'_>, zone: &Zone) -> io::Result<()> {
    // Composed whole and written at once: this is the whole of a `-headers` listing's
    // work besides reading, one line per record.
    let mut line = String::with_capacity(LINE_CAPACITY);
    let mut number = itoa::Buffer::new();
    line.push_str(number.format(header.seqno));
    line.push('\t');
    line.push_str(number.format(header.epoch));
    line.push('\t');
    line.push_str(number.format(header.fragno));
    line.push('\t');
    line.push_str(if header.last_frag { "true" } else { "false" });
    line.push('\t');
    instant::push_timestamp(&mut line, header.source_tstamp, 0, zone);
    line.push('\t');
    line.push_str(header.event_id.text());
    line.push('\t');
    line.push_str(header.source_id.text());
    line.push_str("\t\t\n");
    out.write_all(line.as_bytes())
}

/// Room for a usual line (an eventId of a binary log position, a host name).
const LINE_CAPACITY: usize = 128;
