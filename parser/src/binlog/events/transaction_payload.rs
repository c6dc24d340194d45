//! `TRANSACTION_PAYLOAD_EVENT` (type 40, MySQL 8.0.20+): a whole transaction's events,
//! compressed (`binlog_transaction_compression=ON`).
//!
//! The body starts directly with (type, length, value) fields, all packed integers,
//! ended by type 0; the compressed bytes follow. Decompressed, the payload is a plain
//! sequence of events framed like the file's, but without checksums and with
//! `log_pos` 0. [`TransactionPayload::decompress`] inflates it (bounded by the declared
//! size and [`MAX_UNCOMPRESSED_PAYLOAD`]) and [`InnerEvents`] walks the result.

use std::fmt;
use std::io::Read;

use crate::binlog::event::{decode, Event};
use crate::binlog::event_type::EventType;
use crate::binlog::header::EventHeader;
use crate::binlog::reader::frame;
use crate::binlog::wire::{bytes, packed_int};
use crate::binlog::{BinlogError, FormatContext};
use crate::decode::{finish, DecodeError, Parsed};

/// Hard ceiling on a decompressed payload (MySQL's largest `max_allowed_packet`).
pub const MAX_UNCOMPRESSED_PAYLOAD: u64 = 1 << 30;

mod field {
    pub const END: u64 = 0;
    pub const PAYLOAD_SIZE: u64 = 1;
    pub const COMPRESSION_TYPE: u64 = 2;
    pub const UNCOMPRESSED_SIZE: u64 = 3;
}

/// Compression of a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// zstd (type 0).
    Zstd,
    /// Stored uncompressed (type 255).
    None,
    /// A type this reader does not know.
    Other(u64),
}

/// A decoded `TRANSACTION_PAYLOAD_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionPayload<'a> {
    /// The compression algorithm.
    pub compression: Compression,
    /// The declared decompressed size (0 when not written).
    pub uncompressed_size: u64,
    /// The compressed bytes.
    pub payload: &'a [u8],
}

impl<'a> TransactionPayload<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        finish(Self::fields(body)).map(|(_, v)| v)
    }

    fn fields(mut i: &'a [u8]) -> Parsed<'a, Self> {
        let mut compression = Compression::Zstd;
        let (mut size, mut uncompressed_size) = (None, 0);
        loop {
            let (rest, kind) = packed_int(i)?;
            if kind == field::END {
                i = rest;
                break;
            }
            let (rest, len) = packed_int(rest)?;
            let (rest, value) = bytes(rest, usize::try_from(len).unwrap_or(usize::MAX))?;
            let number = || packed_int(value).map(|(_, v)| v);
            match kind {
                field::PAYLOAD_SIZE => size = Some(number()?),
                field::COMPRESSION_TYPE => {
                    compression = match number()? {
                        0 => Compression::Zstd,
                        255 => Compression::None,
                        t => Compression::Other(t),
                    }
                }
                field::UNCOMPRESSED_SIZE => uncompressed_size = number()?,
                _ => {}
            }
            i = rest;
        }
        let (i, payload) = match size {
            Some(n) => bytes(i, usize::try_from(n).unwrap_or(usize::MAX))?,
            None => (&i[i.len()..], i),
        };
        Ok((
            i,
            TransactionPayload {
                compression,
                uncompressed_size,
                payload,
            },
        ))
    }

    /// The decompressed events. Refuses output of another length than the declared
    /// size (when declared, whatever the compression) or more than
    /// [`MAX_UNCOMPRESSED_PAYLOAD`].
    pub fn decompress(&self) -> Result<Vec<u8>, DecodeError> {
        let limit = match self.uncompressed_size {
            0 => MAX_UNCOMPRESSED_PAYLOAD,
            n if n > MAX_UNCOMPRESSED_PAYLOAD => {
                return Err(DecodeError::at(
                    self.payload,
                    "an uncompressed size within 1 GiB",
                ))
            }
            n => n,
        };
        let out = match self.compression {
            Compression::None => self.payload.to_vec(),
            Compression::Other(_) => {
                return Err(DecodeError::at(
                    self.payload,
                    "zstd or uncompressed payload",
                ))
            }
            Compression::Zstd => {
                let guess = (limit as usize).min(self.payload.len().saturating_mul(32));
                let mut out = Vec::with_capacity(guess);
                let decoder = zstd::stream::read::Decoder::with_buffer(self.payload)
                    .map_err(|_| DecodeError::at(self.payload, "a zstd frame"))?;
                decoder
                    .take(limit + 1)
                    .read_to_end(&mut out)
                    .map_err(|_| DecodeError::at(self.payload, "a valid zstd frame"))?;
                if out.len() as u64 > limit {
                    return Err(DecodeError::at(
                        self.payload,
                        "no more data than the declared size",
                    ));
                }
                out
            }
        };
        // An uncompressed payload is held to its declared size too: a size that
        // disagrees with the bytes means the event is damaged, whatever the codec.
        if self.uncompressed_size != 0 && out.len() as u64 != self.uncompressed_size {
            return Err(DecodeError::at(
                self.payload,
                "exactly the declared uncompressed size",
            ));
        }
        Ok(out)
    }
}

impl fmt::Display for TransactionPayload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = match self.compression {
            Compression::Zstd => "ZSTD".to_string(),
            Compression::None => "NONE".to_string(),
            Compression::Other(t) => format!("type {t}"),
        };
        write!(
            f,
            "compression='{c}', decompressed_size={} bytes, compressed_size={} bytes",
            self.uncompressed_size,
            self.payload.len()
        )
    }
}

/// One event from a decompressed payload, framed but not decoded.
#[derive(Debug, Clone, Copy)]
pub struct InnerEvent<'b> {
    /// Offset of the event in the decompressed buffer.
    pub inner_offset: usize,
    /// Its header (`log_pos` is 0).
    pub header: EventHeader,
    /// Canonical type.
    pub event_type: EventType,
    /// Body bytes (inner events carry no checksum).
    pub body: &'b [u8],
}

impl<'b> InnerEvent<'b> {
    /// Decodes the body with the file's context.
    pub fn decode(&self, ctx: &FormatContext) -> Result<Event<'b>, InnerEventError> {
        decode(self.event_type, &self.header, self.body, ctx).map_err(|cause| InnerEventError {
            inner_offset: self.inner_offset,
            error: BinlogError::body(
                self.event_type,
                (self.inner_offset + ctx.header_len) as u64,
                self.body,
                cause,
            ),
        })
    }
}

/// A failure inside a decompressed payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InnerEventError {
    /// Offset in the decompressed buffer of the event concerned.
    pub inner_offset: usize,
    /// What was wrong (offsets inside are relative to the buffer).
    pub error: BinlogError,
}

impl fmt::Display for InnerEventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "payload event at inner offset {}: {}",
            self.inner_offset, self.error
        )
    }
}

/// Iterator over the events of a decompressed payload; stops after a framing error.
#[derive(Debug)]
pub struct InnerEvents<'b, 'c> {
    buf: &'b [u8],
    pos: usize,
    ctx: &'c FormatContext,
    failed: bool,
}

impl<'b, 'c> InnerEvents<'b, 'c> {
    /// Walks `buf` (from [`TransactionPayload::decompress`]) with the file's context.
    pub fn new(buf: &'b [u8], ctx: &'c FormatContext) -> Self {
        InnerEvents {
            buf,
            pos: 0,
            ctx,
            failed: false,
        }
    }
}

impl<'b> Iterator for InnerEvents<'b, '_> {
    type Item = Result<InnerEvent<'b>, InnerEventError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let at = self.pos;
        match frame(self.buf, at, self.ctx, false) {
            Ok(fr) => {
                self.pos = at + fr.size;
                Some(Ok(InnerEvent {
                    inner_offset: at,
                    header: fr.header,
                    event_type: fr.event_type,
                    body: fr.body,
                }))
            }
            Err(error) => {
                self.failed = true;
                Some(Err(InnerEventError {
                    inner_offset: at,
                    error,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_then_payload() {
        let data = b"hello";
        let z = zstd::encode_all(&data[..], 3).unwrap();
        let mut b = vec![2, 1, 0, 3, 1, data.len() as u8, 1, 1, z.len() as u8, 0];
        b.extend(&z);
        let p = TransactionPayload::parse(&b).unwrap();
        assert_eq!((p.compression, p.uncompressed_size), (Compression::Zstd, 5));
        assert_eq!(p.decompress().unwrap(), data);
        // Declaring less than the stream holds is refused.
        b[5] = 3;
        let p = TransactionPayload::parse(&b).unwrap();
        assert_eq!(
            p.decompress().unwrap_err().located(p.payload),
            (0, "no more data than the declared size")
        );
        // A payload size past the end fails to parse.
        b[8] = 200;
        assert_eq!(
            TransactionPayload::parse(&b).unwrap_err().located(&b),
            (10, "more bytes")
        );
    }

    #[test]
    fn an_uncompressed_payload_is_held_to_its_declared_size() {
        let data = b"hello";
        // Compression type 255 (none) takes a three-byte packed integer.
        let n = data.len() as u8;
        let mut b = vec![2, 3, 0xfc, 255, 0, 3, 1, n, 1, 1, n, 0];
        b.extend(data);
        let p = TransactionPayload::parse(&b).unwrap();
        assert_eq!((p.compression, p.uncompressed_size), (Compression::None, 5));
        assert_eq!(p.decompress().unwrap(), data);
        for declared in [4, 6] {
            b[7] = declared;
            let p = TransactionPayload::parse(&b).unwrap();
            assert_eq!(
                p.decompress().unwrap_err().located(p.payload),
                (0, "exactly the declared uncompressed size")
            );
        }
    }

    #[test]
    fn inner_events_are_framed_without_checksums() {
        use crate::binlog::test_log::POST_HEADER_80;
        let ctx = FormatContext::from_fde(
            4,
            "8.0.40",
            19,
            &POST_HEADER_80,
            Some(crate::binlog::ChecksumAlg::Crc32),
        );
        let mut buf = Vec::new();
        for (type_code, body) in [
            (16u8, 5u64.to_le_bytes().to_vec()),
            (16, 6u64.to_le_bytes().to_vec()),
        ] {
            buf.extend(0u32.to_le_bytes());
            buf.push(type_code);
            buf.extend(1u32.to_le_bytes());
            buf.extend(((19 + body.len()) as u32).to_le_bytes());
            buf.extend(0u32.to_le_bytes());
            buf.extend(0u16.to_le_bytes());
            buf.extend(body);
        }
        let whole = buf.len();
        buf.extend([0; 10]);
        let items: Vec<_> = InnerEvents::new(&buf, &ctx).collect();
        assert_eq!(items.len(), 3);
        let first = items[0].as_ref().unwrap();
        assert_eq!((first.inner_offset, first.body.len()), (0, 8));
        assert!(matches!(first.decode(&ctx), Ok(Event::Xid(x)) if x.xid == 5));
        assert_eq!(items[1].as_ref().unwrap().inner_offset, 27);
        let err = items[2].as_ref().unwrap_err();
        assert_eq!(err.inner_offset, whole);
        assert!(matches!(err.error, BinlogError::Truncated { .. }));
    }
}
