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
    writeln!(
        out,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t\t",
        header.seqno,
        header.epoch,
        header.fragno,
        header.last_frag,
        time(header, zone),
        header.event_id.text(),
        header.source_id.text()
    )
}
