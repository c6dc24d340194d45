//! `FORMAT_DESCRIPTION_EVENT` (type 15): the first event of every v4 log. It fixes the
//! header length, the post-header length of every type and (from MySQL 5.6.1 and
//! MariaDB 5.3) the checksum algorithm of the events that follow.

use std::fmt;

use nom::number::complete::le_u8;

use super::start_v3::{StartV3, SERVER_VERSION_LEN};
use crate::binlog::context::{
    fde_declares_checksum, ChecksumAlg, FormatContext, CHECKSUM_ALG_CRC32, CHECKSUM_ALG_OFF,
    CHECKSUM_ALG_UNDEF,
};
use crate::binlog::error::BinlogError;
use crate::binlog::header::HEADER_LEN;
use crate::binlog::wire::bytes;
use crate::decode::{finish, DecodeError, Parsed};

/// The binlog format version an FDE announces.
pub const BINLOG_VERSION: u16 = 4;
/// Bytes before the post-header array: version, server version, timestamp, header length.
const FIXED_LEN: usize = 2 + SERVER_VERSION_LEN + 4 + 1;

/// A decoded `FORMAT_DESCRIPTION_EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatDescription<'a> {
    /// The fields it shares with the `START_EVENT_V3` it replaced, which its body starts
    /// with: binlog format version (4 here), server version, creation time.
    pub start: StartV3<'a>,
    /// Common header length of every event (19).
    pub header_len: u8,
    /// Post-header length per type in file order (index = raw type code - 1).
    pub post_header_lengths: &'a [u8],
    /// The checksum algorithm byte, for servers that write one (MySQL 5.6.1+, MariaDB 5.3+).
    pub checksum_alg: Option<u8>,
}

/// How many bytes at the end of an FDE's raw body (everything after the common header)
/// are its checksum field: 4 when the server version declares checksum support (the
/// field is present, as a placeholder, even when the algorithm is `NONE`), else 0.
pub fn checksum_field_len(raw_body: &[u8]) -> usize {
    let version = raw_body.get(2..2 + SERVER_VERSION_LEN).unwrap_or(&[]);
    let end = version
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(version.len());
    match std::str::from_utf8(&version[..end]) {
        Ok(v) if fde_declares_checksum(v) => 4,
        _ => 0,
    }
}

impl<'a> FormatDescription<'a> {
    /// Decodes the body without its checksum field (see [`checksum_field_len`]).
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8]) -> Parsed<'a, Self> {
        let whole = i;
        let (i, start) = StartV3::fields(i)?;
        let (i, header_len) = le_u8(i)?;
        if usize::from(header_len) < HEADER_LEN {
            return DecodeError::new(i.len() + 1, "a common header length of at least 19").fail();
        }
        let declared = std::str::from_utf8(start.server_version).is_ok_and(fde_declares_checksum);
        let array_len = whole
            .len()
            .saturating_sub(FIXED_LEN + usize::from(declared));
        let (i, post_header_lengths) = bytes(i, array_len)?;
        let (i, checksum_alg) = if declared {
            let (i, alg) = le_u8(i)?;
            (i, Some(alg))
        } else {
            (i, None)
        };
        Ok((
            i,
            FormatDescription {
                start,
                header_len,
                post_header_lengths,
                checksum_alg,
            },
        ))
    }

    /// The checksum algorithm for the events that follow.
    pub fn checksum(&self) -> Result<Option<ChecksumAlg>, BinlogError> {
        match self.checksum_alg {
            None => Ok(None),
            Some(CHECKSUM_ALG_OFF | CHECKSUM_ALG_UNDEF) => Ok(Some(ChecksumAlg::None)),
            Some(CHECKSUM_ALG_CRC32) => Ok(Some(ChecksumAlg::Crc32)),
            Some(alg) => Err(BinlogError::UnknownChecksumAlg { alg }),
        }
    }

    /// The decoding context this FDE fixes; an error for a binlog version other than 4
    /// (the layout this event describes is version 4's).
    pub fn context(&self) -> Result<FormatContext, BinlogError> {
        self.check_version()?;
        self.layout()
    }

    /// An error unless the FDE declares binlog version 4.
    pub fn check_version(&self) -> Result<(), BinlogError> {
        match self.start.binlog_version {
            BINLOG_VERSION => Ok(()),
            found => Err(BinlogError::UnsupportedVersion { found }),
        }
    }

    /// The context this FDE's fields describe, whatever version it declares.
    pub fn layout(&self) -> Result<FormatContext, BinlogError> {
        Ok(FormatContext::from_fde(
            self.start.binlog_version,
            &String::from_utf8_lossy(self.start.server_version),
            self.header_len,
            self.post_header_lengths,
            self.checksum()?,
        ))
    }
}

impl fmt::Display for FormatDescription<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.start.fmt(f)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::binlog::events::start_v3::tests::start_body;

    /// Builds an FDE body (without checksum field) the way a server writes it.
    pub(crate) fn fde_body(version: &str, post: &[u8], alg: Option<u8>) -> Vec<u8> {
        let mut b = start_body(4, version, 0);
        b.push(19);
        b.extend_from_slice(post);
        b.extend(alg);
        b
    }

    #[test]
    fn pre_561_has_no_algorithm_byte() {
        let body = fde_body("5.1.22-rc-log", &[56, 13, 0, 8], None);
        let fde = FormatDescription::parse(&body).unwrap();
        assert_eq!(fde.post_header_lengths, &[56, 13, 0, 8]);
        assert_eq!(fde.checksum_alg, None);
        assert_eq!(checksum_field_len(&body), 0);
        let ctx = fde.context().unwrap();
        assert!(!ctx.checksum_declared);
        assert_eq!(ctx.post_header_len(2), 13);
    }

    #[test]
    fn none_and_crc32_algorithms() {
        let body = fde_body("5.6.4-m7", &[56, 13], Some(0));
        assert_eq!(checksum_field_len(&body), 4);
        let ctx = FormatDescription::parse(&body).unwrap().context().unwrap();
        assert_eq!(
            (ctx.checksum, ctx.checksum_declared),
            (ChecksumAlg::None, true)
        );
        let body = fde_body("8.0.40", &[0, 13], Some(1));
        let ctx = FormatDescription::parse(&body).unwrap().context().unwrap();
        assert_eq!(ctx.checksum, ChecksumAlg::Crc32);
        let body = fde_body("8.0.40", &[0, 13], Some(7));
        assert_eq!(
            FormatDescription::parse(&body)
                .unwrap()
                .context()
                .unwrap_err(),
            BinlogError::UnknownChecksumAlg { alg: 7 }
        );
    }

    #[test]
    fn short_bodies_fail() {
        let body = fde_body("8.0.40", &[], None);
        assert_eq!(
            FormatDescription::parse(&body[..30])
                .unwrap_err()
                .located(&body[..30]),
            (2, "more bytes")
        );
    }
}
