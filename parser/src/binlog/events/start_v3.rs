//! `START_EVENT_V3` (type 1): first event of v1 and v3 logs (MySQL 3.23–4.1).

use std::fmt;

use nom::number::complete::{le_u16, le_u32};

use super::Text;
use crate::binlog::wire::padded_str;
use crate::decode::{finish, DecodeError, Parsed};

/// Width of the NUL-padded server version field in START_V3 and FDE bodies.
pub const SERVER_VERSION_LEN: usize = 50;

/// A decoded `START_EVENT_V3`, also the start of every `FORMAT_DESCRIPTION_EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartV3<'a> {
    /// Binlog format version (1 or 3; 4 in a format description).
    pub binlog_version: u16,
    /// Server version, NUL padding removed.
    pub server_version: &'a [u8],
    /// When the log was created; 0 except for the first log after a server start.
    pub created: u32,
}

impl<'a> StartV3<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    pub(crate) fn fields(i: &'a [u8]) -> Parsed<'a, Self> {
        let (i, binlog_version) = le_u16(i)?;
        let (i, server_version) = padded_str(i, SERVER_VERSION_LEN)?;
        let (i, created) = le_u32(i)?;
        Ok((
            i,
            StartV3 {
                binlog_version,
                server_version,
                created,
            },
        ))
    }
}

impl fmt::Display for StartV3<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Server ver: {}, Binlog ver: {}",
            Text(self.server_version),
            self.binlog_version
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a START_EVENT_V3 body, which is also how an FDE body starts.
    pub(crate) fn start_body(binlog_version: u16, server_version: &str, created: u32) -> Vec<u8> {
        let mut b = binlog_version.to_le_bytes().to_vec();
        let mut v = server_version.as_bytes().to_vec();
        v.resize(SERVER_VERSION_LEN, 0);
        b.extend(v);
        b.extend(created.to_le_bytes());
        b
    }

    #[test]
    fn version_and_timestamp() {
        let b = start_body(3, "4.0.27", 77);
        let s = StartV3::parse(&b).unwrap();
        assert_eq!(
            (s.binlog_version, s.server_version, s.created),
            (3, &b"4.0.27"[..], 77)
        );
        assert_eq!(
            StartV3::parse(&b[..40]).unwrap_err().located(&b[..40]),
            (2, "more bytes")
        );
    }
}
