//! `QUERY_EVENT` (type 2): a statement, with the session state it ran under; also
//! MariaDB's `QUERY_COMPRESSED_EVENT` (165), identical except that the statement text
//! is zlib-compressed.

use std::borrow::Cow;
use std::fmt;
use std::io::Read;

use nom::number::complete::{le_u16, le_u32, le_u8};

use super::status_vars::StatusVars;
use super::Text;
use crate::binlog::wire::{bytes, skip_post_header_rest};
use crate::decode::{finish, DecodeError, Parsed};

/// Largest decompressed statement accepted (MySQL's `max_allowed_packet` ceiling).
pub const MAX_UNCOMPRESSED_QUERY: usize = 1 << 30;

/// Fixed post-header fields of a v4 QUERY (thread, time, db length, error, status length).
pub const QUERY_POST_HEADER_LEN: usize = 13;

/// A decoded `QUERY_EVENT` or `MARIADB_QUERY_COMPRESSED_EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query<'a> {
    /// Id of the session that ran the statement.
    pub thread_id: u32,
    /// Seconds the statement took on the source.
    pub exec_time: u32,
    /// Error code the statement ended with on the source (0 = success).
    pub error_code: u16,
    /// Default database.
    pub schema: &'a [u8],
    /// The status-variable block, validated while decoding; see [`Query::status`].
    pub status_vars: &'a [u8],
    /// The statement text, or for compressed events the compressed block (see
    /// [`Query::text`]).
    pub query: &'a [u8],
    /// The statement is zlib-compressed (MariaDB `QUERY_COMPRESSED_EVENT`).
    pub compressed: bool,
    /// The header's `LOG_EVENT_SUPPRESS_USE_F`: the statement must not be run after
    /// `USE schema` (set by the event dispatch; `false` from [`Query::parse`]).
    pub suppress_use: bool,
}

impl<'a> Query<'a> {
    /// Decodes a QUERY body. `post_header_len` comes from the FDE (13 in v4, 11 in v1/v3,
    /// where there are no status variables); `extra` is how many bytes of it a derived
    /// event (EXECUTE_LOAD_QUERY) reads itself, returned unread.
    pub fn parse(
        body: &'a [u8],
        post_header_len: usize,
        compressed: bool,
    ) -> Result<Self, DecodeError> {
        finish(Self::fields(body, post_header_len, compressed, 0)).map(|(_, (q, _))| q)
    }

    /// Shared decoder: returns the event and the `extra` post-header bytes after the
    /// QUERY fields.
    pub(crate) fn fields(
        i: &'a [u8],
        post_header_len: usize,
        compressed: bool,
        extra: usize,
    ) -> Parsed<'a, (Self, &'a [u8])> {
        let (i, thread_id) = le_u32(i)?;
        let (i, exec_time) = le_u32(i)?;
        let (i, schema_len) = le_u8(i)?;
        let (i, error_code) = le_u16(i)?;
        let has_status = post_header_len >= QUERY_POST_HEADER_LEN;
        let (i, status_len) = if has_status { le_u16(i)? } else { (i, 0) };
        let fixed = if has_status {
            QUERY_POST_HEADER_LEN
        } else {
            11
        };
        let (i, extra_fields) = bytes(i, extra)?;
        let (i, ()) = skip_post_header_rest(i, post_header_len, fixed + extra)?;
        let (i, block) = match bytes(i, usize::from(status_len)) {
            Ok(r) => r,
            Err(_) => return DecodeError::at(i, "status variables of the declared length").fail(),
        };
        // Validated now so that damage is reported where the event is read; kept as
        // bytes so that the event stays small (decoded again by `status()` on demand).
        if let Err(e) = StatusVars::parse(block) {
            return DecodeError::new(e.remaining + i.len(), e.expected).fail();
        }
        let (i, schema) = bytes(i, usize::from(schema_len))?;
        let (i, _nul) = bytes(i, 1)?;
        Ok((
            &i[i.len()..],
            (
                Query {
                    thread_id,
                    exec_time,
                    error_code,
                    schema,
                    status_vars: block,
                    query: i,
                    compressed,
                    suppress_use: false,
                },
                extra_fields,
            ),
        ))
    }

    /// The decoded status variables.
    pub fn status(&self) -> StatusVars<'a> {
        // The block was validated by `parse`, so this cannot fail.
        StatusVars::parse(self.status_vars).unwrap_or_default()
    }

    /// The statement text, inflated for compressed events (bounded by the declared
    /// length and [`MAX_UNCOMPRESSED_QUERY`]).
    pub fn text(&self) -> Result<Cow<'a, [u8]>, DecodeError> {
        if self.compressed {
            inflate_mariadb(self.query).map(Cow::Owned)
        } else {
            Ok(Cow::Borrowed(self.query))
        }
    }
}

/// Inflates MariaDB's compressed-event format: one byte `0x80 | n` (n = 1..=4 bytes of
/// big-endian uncompressed length follow), then a zlib stream.
pub fn inflate_mariadb(block: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let Some((&first, rest)) = block.split_first() else {
        return Err(DecodeError::at(block, "a compressed-length header"));
    };
    let n = usize::from(first & 0x07);
    if !(1..=4).contains(&n) || rest.len() < n {
        return Err(DecodeError::at(
            block,
            "a compressed-length header of 1 to 4 bytes",
        ));
    }
    let declared = rest[..n]
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    if declared > MAX_UNCOMPRESSED_QUERY {
        return Err(DecodeError::at(
            block,
            "an uncompressed length within 1 GiB",
        ));
    }
    let stream = &rest[n..];
    let mut out = Vec::with_capacity(declared.min(stream.len().saturating_mul(64)));
    let limit = u64::try_from(declared).unwrap_or(u64::MAX) + 1;
    flate2::read::ZlibDecoder::new(stream)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|_| DecodeError::at(stream, "a valid zlib stream"))?;
    if out.len() != declared {
        return Err(DecodeError::at(
            stream,
            "exactly the declared uncompressed length",
        ));
    }
    Ok(out)
}

impl fmt::Display for Query<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.schema.is_empty() && !self.suppress_use {
            write!(f, "use `{}`; ", Text(self.schema))?;
        }
        match self.text() {
            Ok(t) => write!(f, "{}", Text(&t)),
            Err(e) => write!(f, "<compressed statement: expected {}>", e.expected),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::binlog::events::status_vars::code;

    /// Builds a v4 QUERY body.
    pub(crate) fn query_body(schema: &str, status: &[u8], sql: &[u8]) -> Vec<u8> {
        let mut b = 7u32.to_le_bytes().to_vec();
        b.extend_from_slice(&1u32.to_le_bytes());
        b.push(schema.len() as u8);
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&(status.len() as u16).to_le_bytes());
        b.extend_from_slice(status);
        b.extend_from_slice(schema.as_bytes());
        b.push(0);
        b.extend_from_slice(sql);
        b
    }

    #[test]
    fn v4_query() {
        let b = query_body("test", &[code::FLAGS2, 0, 0, 0, 0], b"BEGIN");
        let q = Query::parse(&b, 13, false).unwrap();
        assert_eq!((q.thread_id, q.exec_time, q.error_code), (7, 1, 0));
        assert_eq!((q.schema, q.query), (&b"test"[..], &b"BEGIN"[..]));
        assert_eq!(q.status().flags2, Some(0));
        assert_eq!(q.to_string(), "use `test`; BEGIN");
    }

    #[test]
    fn status_length_past_the_end_is_an_error() {
        let mut b = query_body("", &[], b"x");
        b[11] = 0x31;
        b[12] = 0x35;
        let e = Query::parse(&b, 13, false).unwrap_err();
        assert_eq!(e.offset_in(&b), 13);
    }

    #[test]
    fn unknown_status_var_keeps_the_statement() {
        let b = query_body("db", &[99, 1, 2], b"SELECT 1");
        let q = Query::parse(&b, 13, false).unwrap();
        assert_eq!(q.status().unknown.map(|u| u.code), Some(99));
        assert_eq!(q.query, b"SELECT 1");
    }

    #[test]
    fn compressed_text_is_inflated_within_bounds() {
        use std::io::Write;
        let sql = b"INSERT INTO t VALUES (1),(2),(3),(4),(5),(6),(7),(8)";
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(sql).unwrap();
        let mut block = vec![0x81, sql.len() as u8];
        block.extend(z.finish().unwrap());
        let b = query_body("", &[], &block);
        let q = Query::parse(&b, 13, true).unwrap();
        assert_eq!(q.text().unwrap().as_ref(), sql);
        // A declared length shorter than the stream is refused.
        block[1] = 10;
        // The stream starts after the flag byte and the one length byte.
        assert_eq!(
            inflate_mariadb(&block).unwrap_err().located(&block),
            (2, "exactly the declared uncompressed length")
        );
    }
}
