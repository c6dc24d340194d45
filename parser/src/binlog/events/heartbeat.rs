//! `HEARTBEAT_LOG_EVENT` (type 27) and `HEARTBEAT_LOG_EVENT_V2` (type 41): keepalives a
//! source sends on an idle replication connection; relay logs and captured streams can
//! hold them. V1 carries the source's current file name (its position is the header's
//! `log_pos`); v2 carries typed fields so the position can exceed 4 GiB.

use std::fmt;

use super::Text;
use crate::binlog::wire::{bytes, packed_int};
use crate::decode::{finish, DecodeError, Parsed};

/// V2 field: end of fields.
const FIELD_END: u64 = 0;
/// V2 field: log file name.
const FIELD_LOG_FILENAME: u64 = 1;
/// V2 field: log position.
const FIELD_LOG_POSITION: u64 = 2;

/// A decoded heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat<'a> {
    /// The source's current log file.
    pub log_file: &'a [u8],
    /// V2: the source's position (v1 uses the header's `log_pos`).
    pub log_position: Option<u64>,
}

impl<'a> Heartbeat<'a> {
    /// Decodes a v1 body: the file name.
    pub fn parse_v1(body: &'a [u8]) -> Heartbeat<'a> {
        Heartbeat {
            log_file: body,
            log_position: None,
        }
    }

    /// Decodes a v2 body: (type, length, value) fields, packed integers for type and
    /// length, ended by type 0 or the end of the body. Unknown fields are skipped.
    pub fn parse_v2(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields_v2(body)).map(|(_, v)| v)
    }

    fn fields_v2(mut i: &'a [u8]) -> Parsed<'a, Self> {
        let mut hb = Heartbeat {
            log_file: &[],
            log_position: None,
        };
        while !i.is_empty() {
            let (rest, field) = packed_int(i)?;
            if field == FIELD_END {
                return Ok((rest, hb));
            }
            let (rest, len) = packed_int(rest)?;
            let (rest, value) = bytes(rest, usize::try_from(len).unwrap_or(usize::MAX))?;
            match field {
                FIELD_LOG_FILENAME => hb.log_file = value,
                FIELD_LOG_POSITION => hb.log_position = Some(packed_int(value)?.1),
                _ => {}
            }
            i = rest;
        }
        Ok((i, hb))
    }
}

impl fmt::Display for Heartbeat<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Text(self.log_file))?;
        if let Some(p) = self.log_position {
            write!(f, ";pos={p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_fields() {
        let mut b = vec![1, 6];
        b.extend(b"bin.01");
        b.extend([2, 3, 252, 0x10, 0x27, 0]);
        let hb = Heartbeat::parse_v2(&b).unwrap();
        assert_eq!(
            (hb.log_file, hb.log_position),
            (&b"bin.01"[..], Some(10000))
        );
        assert_eq!(
            Heartbeat::parse_v2(&[1, 9, b'x'])
                .unwrap_err()
                .located(&[1, 9, b'x']),
            (2, "more bytes")
        );
    }

    #[test]
    fn v1_is_the_file_name() {
        assert_eq!(
            Heartbeat::parse_v1(b"binlog.000003").to_string(),
            "binlog.000003"
        );
    }
}
