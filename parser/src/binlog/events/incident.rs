//! `INCIDENT_EVENT` (type 26): the source lost events or hit something replicas must
//! stop on. Only incident 1 (`LOST_EVENTS`) is defined; other numbers are reported as
//! unknown rather than trusted.

use std::fmt;

use nom::number::complete::le_u16;

use super::Text;
use crate::binlog::wire::{skip_post_header_rest, str_u8};
use crate::decode::{finish, DecodeError, Parsed};

/// `INCIDENT_LOST_EVENTS`.
pub const LOST_EVENTS: u16 = 1;

/// A decoded `INCIDENT_EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident<'a> {
    /// The incident number.
    pub number: u16,
    /// The message (may be empty).
    pub message: &'a [u8],
}

impl<'a> Incident<'a> {
    /// Decodes the body; `post_header_len` is the FDE's length for INCIDENT (2).
    pub fn parse(body: &'a [u8], post_header_len: usize) -> Result<Self, DecodeError> {
        finish(Self::fields(body, post_header_len)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8], post: usize) -> Parsed<'a, Self> {
        let (i, number) = le_u16(i)?;
        let (i, ()) = skip_post_header_rest(i, post, 2)?;
        let (i, message) = if i.is_empty() {
            (i, &i[..0])
        } else {
            str_u8(i)?
        };
        Ok((i, Incident { number, message }))
    }

    /// Whether the number is one the servers define.
    pub fn is_known(&self) -> bool {
        self.number == LOST_EVENTS
    }
}

impl fmt::Display for Incident<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.number {
            LOST_EVENTS => f.write_str("#1 (LOST_EVENTS)")?,
            n => write!(f, "#{n} (unknown incident, not trusted)")?,
        }
        if !self.message.is_empty() {
            write!(f, " {}", Text(self.message))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_events_with_message() {
        let mut b = LOST_EVENTS.to_le_bytes().to_vec();
        b.push(4);
        b.extend(b"oops");
        let i = Incident::parse(&b, 2).unwrap();
        assert!(i.is_known());
        assert_eq!(i.to_string(), "#1 (LOST_EVENTS) oops");
        assert_eq!(
            Incident::parse(&b[..5], 2).unwrap_err().located(&b[..5]),
            (3, "more bytes")
        );
    }
}
