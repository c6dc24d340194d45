//! `thl events`: one tab-separated line per binary-log event, in the spirit of
//! `SHOW BINLOG EVENTS`:
//!
//! `FILE  POS  TYPE  SERVER_ID  SIZE  END_LOG_POS  TIME  INFO`
//!
//! POS is the event's offset; an event inside a TRANSACTION_PAYLOAD shows
//! `PAYLOAD_OFFSET+INNER_OFFSET`. TIME is the header's timestamp as
//! `YYYY-MM-DD HH:MM:SS` in the display zone. INFO is the library's one-line summary of the body with
//! newlines, carriage returns and tabs shown as `\n`, `\r`, `\t` so that every event
//! stays on one line.

use std::fmt::Write as _;
use std::io::Write as _;

use replog::binlog::Event;

use crate::binlog_json::Envelope;
use crate::instant;
use crate::zone::Zone;

/// Appends one event's line to `out`, its time shown in `zone`; `scratch` is a reused
/// buffer for the summary.
pub fn write_event(
    out: &mut Vec<u8>,
    scratch: &mut String,
    file: &str,
    env: &Envelope<'_>,
    event: &Event<'_>,
    zone: &Zone,
) {
    let h = env.header;
    let _ = write!(out, "{file}\t{}", env.offset);
    if let Some(inner) = env.inner_offset {
        let _ = write!(out, "+{inner}");
    }
    let name = env.event_type.name().unwrap_or("UNKNOWN_EVENT");
    let _ = write!(
        out,
        "\t{name}\t{}\t{}\t{}\t",
        h.server_id, h.event_size, h.log_pos
    );
    scratch.clear();
    instant::push_datetime(scratch, i64::from(h.timestamp) * 1000, 0, zone);
    out.extend_from_slice(scratch.as_bytes());
    out.push(b'\t');
    scratch.clear();
    let _ = write!(scratch, "{event}");
    one_line(out, scratch);
    if env.checksum_ok == Some(false) {
        out.extend_from_slice(b" [CRC32 mismatch]");
    }
    out.push(b'\n');
}

fn one_line(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => continue,
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(esc);
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_keep_the_line_whole() {
        let mut out = Vec::new();
        one_line(&mut out, "BEGIN\n\tINSERT\r\n");
        assert_eq!(out, br"BEGIN\n\tINSERT\r\n");
    }
}
