//! Reading protobuf fields from a borrowed slice.
//!
//! A [`Message`] walks the fields of one message in stored order. Length-delimited
//! values borrow from the input; nested messages are new [`Message`]s over those slices.
//! Every failure carries the absolute offset of the offending byte.

/// Where protobuf decoding failed and why; turned into a [`crate::Error`] by the caller,
/// who knows the file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PbError {
    /// Absolute byte offset in the file.
    pub offset: u64,
    /// The message being decoded.
    pub message: &'static str,
    /// What was expected.
    pub expected: String,
}

/// One message's bytes, read field by field.
#[derive(Debug, Clone)]
pub(crate) struct Message<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Absolute offset of `bytes[0]` in the file.
    base: u64,
    name: &'static str,
}

/// A field's stored value, by wire type.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Varint(u64),
    Fixed64([u8; 8]),
    Bytes(&'a [u8]),
    Fixed32([u8; 4]),
}

/// One field: its number, value and where the value starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    /// The field number.
    pub number: u32,
    value: Value<'a>,
    offset: u64,
    message: &'static str,
}

impl<'a> Message<'a> {
    /// A message of type `name` stored in `bytes`, which start at absolute `base`.
    pub fn new(bytes: &'a [u8], base: u64, name: &'static str) -> Self {
        Message {
            bytes,
            pos: 0,
            base,
            name,
        }
    }

    /// Reads a varint-length-prefixed message (`writeDelimitedTo`) from the front of
    /// `bytes`; returns it and the bytes after it.
    pub fn delimited(
        bytes: &'a [u8],
        base: u64,
        name: &'static str,
    ) -> Result<(Message<'a>, &'a [u8]), PbError> {
        let mut outer = Message::new(bytes, base, name);
        let len = outer.varint("the message length")?;
        let body = outer.take(len, "the whole message")?;
        let body_base = outer.offset() - body.len() as u64;
        let rest = outer.bytes.get(outer.pos..).unwrap_or_default();
        Ok((Message::new(body, body_base, name), rest))
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Absolute offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// An error at absolute `offset` in this message.
    #[cold]
    pub fn error(&self, offset: u64, expected: impl Into<String>) -> PbError {
        PbError {
            offset,
            message: self.name,
            expected: expected.into(),
        }
    }

    /// The error for a required field that never appeared.
    pub fn missing(&self, field: &str) -> PbError {
        self.error(self.base, format!("required field {field}"))
    }

    /// The next field, skipping nothing: unknown fields are returned too and the caller
    /// ignores numbers it does not know. Always inlined into the decoders' loops: left a
    /// call (the compiler's choice, given the error paths), the field travels through
    /// memory and that cost more than reading it.
    #[inline(always)]
    pub fn next_field(&mut self) -> Result<Option<Field<'a>>, PbError> {
        if self.pos >= self.bytes.len() {
            return Ok(None);
        }
        let tag_at = self.offset();
        let tag = self.varint("a field tag")?;
        let number = u32::try_from(tag >> 3)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| self.error(tag_at, "a field number in 1..2^29"))?;
        let offset = self.offset();
        let value = match tag & 7 {
            0 => Value::Varint(self.varint("a varint value")?),
            1 => Value::Fixed64(self.array("8 bytes of a 64-bit value")?),
            2 => {
                let len = self.varint("a length")?;
                Value::Bytes(self.take(len, "length-delimited bytes")?)
            }
            5 => Value::Fixed32(self.array("4 bytes of a 32-bit value")?),
            other => {
                return Err(self.error(
                    tag_at,
                    format!("wire type 0, 1, 2 or 5, found {other} (groups are not used)"),
                ))
            }
        };
        Ok(Some(Field {
            number,
            value,
            offset,
            message: self.name,
        }))
    }

    #[inline]
    fn varint(&mut self, what: &str) -> Result<u64, PbError> {
        // Tags, lengths and most small values fit in one byte: take that path without
        // setting up the general loop (a measurable share of decoding time).
        if let Some(&b) = self.bytes.get(self.pos) {
            if b & 0x80 == 0 {
                self.pos += 1;
                return Ok(u64::from(b));
            }
        }
        self.multi_byte_varint(what)
    }

    fn multi_byte_varint(&mut self, what: &str) -> Result<u64, PbError> {
        let start = self.offset();
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.error(start, format!("{what} (varint cut short)")));
            };
            self.pos += 1;
            value |= u64::from(b & 0x7F).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.error(start, format!("{what} (varint longer than 10 bytes)")))
    }

    fn take(&mut self, len: u64, what: &str) -> Result<&'a [u8], PbError> {
        let start = self.offset();
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| self.pos.checked_add(len))
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| {
                self.error(
                    start,
                    format!(
                        "{what}: {len} bytes, only {} left",
                        self.bytes.len() - self.pos
                    ),
                )
            })?;
        let out = self.bytes.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], PbError> {
        let bytes = self.take(N as u64, what)?;
        Ok(bytes.try_into().unwrap_or([0; N]))
    }
}

impl<'a> Field<'a> {
    fn mismatch(&self, wanted: &str) -> PbError {
        PbError {
            offset: self.offset,
            message: self.message,
            expected: format!("field {} as {wanted}", self.number),
        }
    }

    fn varint(&self) -> Result<u64, PbError> {
        match self.value {
            Value::Varint(v) => Ok(v),
            _ => Err(self.mismatch("a varint")),
        }
    }

    /// `int64`.
    pub fn int64(&self) -> Result<i64, PbError> {
        Ok(self.varint()? as i64)
    }

    /// `int32` or `enum` (the low 32 bits of the varint, as protobuf readers do).
    pub fn int32(&self) -> Result<i32, PbError> {
        Ok(self.varint()? as u32 as i32)
    }

    /// `sint32` (ZigZag).
    pub fn sint32(&self) -> Result<i32, PbError> {
        Ok(zigzag32(self.varint()?))
    }

    /// `sint64` (ZigZag).
    pub fn sint64(&self) -> Result<i64, PbError> {
        Ok(zigzag64(self.varint()?))
    }

    /// `bool`.
    pub fn bool(&self) -> Result<bool, PbError> {
        Ok(self.varint()? != 0)
    }

    /// `float` (4 bytes little-endian).
    pub fn float(&self) -> Result<f32, PbError> {
        match self.value {
            Value::Fixed32(b) => Ok(f32::from_le_bytes(b)),
            _ => Err(self.mismatch("a 32-bit float")),
        }
    }

    /// `double` (8 bytes little-endian).
    pub fn double(&self) -> Result<f64, PbError> {
        match self.value {
            Value::Fixed64(b) => Ok(f64::from_le_bytes(b)),
            _ => Err(self.mismatch("a 64-bit double")),
        }
    }

    /// `bytes`, borrowed.
    pub fn bytes(&self) -> Result<&'a [u8], PbError> {
        match self.value {
            Value::Bytes(b) => Ok(b),
            _ => Err(self.mismatch("length-delimited bytes")),
        }
    }

    /// `string`: standard UTF-8, borrowed.
    pub fn string(&self) -> Result<&'a str, PbError> {
        let b = self.bytes()?;
        std::str::from_utf8(b).map_err(|e| PbError {
            offset: self.offset + e.valid_up_to() as u64,
            message: self.message,
            expected: format!("UTF-8 text in string field {}", self.number),
        })
    }

    /// A nested message of type `name`.
    pub fn message(&self, name: &'static str) -> Result<Message<'a>, PbError> {
        let b = self.bytes()?;
        // `offset` is where the length prefix starts; the body follows it.
        let prefix = varint_len(b.len() as u64);
        Ok(Message::new(b, self.offset + prefix, name))
    }
}

/// A `sint32` from its stored varint (ZigZag over the low 32 bits).
pub(crate) fn zigzag32(varint: u64) -> i32 {
    let v = varint as u32;
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

/// A `sint64` from its stored varint (ZigZag).
pub(crate) fn zigzag64(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Bytes a varint of `v` takes.
pub(crate) fn varint_len(v: u64) -> u64 {
    u64::from((64 - (v | 1).leading_zeros()).div_ceil(7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_varints_zigzag_and_negative_int32() {
        // field 1 = 150, field 2 (sint64) = -1, field 3 (int32) = -7 in 10 bytes.
        let bytes = [
            0x08, 0x96, 0x01, 0x10, 0x01, 0x18, 0xF9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0x01,
        ];
        let mut m = Message::new(&bytes, 100, "T");
        assert_eq!(m.next_field().unwrap().unwrap().int64().unwrap(), 150);
        assert_eq!(m.next_field().unwrap().unwrap().sint64().unwrap(), -1);
        assert_eq!(m.next_field().unwrap().unwrap().int32().unwrap(), -7);
        assert!(m.next_field().unwrap().is_none());
    }

    #[test]
    fn length_past_the_end_is_an_error_at_its_offset() {
        let bytes = [0x0A, 0x05, b'a'];
        let mut m = Message::new(&bytes, 100, "T");
        let e = m.next_field().unwrap_err();
        assert_eq!(e.offset, 102);
        assert!(e.expected.contains("5 bytes, only 1 left"), "{e:?}");
    }

    #[test]
    fn groups_are_refused() {
        let mut m = Message::new(&[0x0B], 0, "T");
        let e = m.next_field().unwrap_err();
        assert_eq!((e.offset, e.message), (0, "T"));
        assert_eq!(
            e.expected,
            "wire type 0, 1, 2 or 5, found 3 (groups are not used)"
        );
    }

    #[test]
    fn varint_lengths() {
        assert_eq!(varint_len(0), 1);
        assert_eq!(varint_len(127), 1);
        assert_eq!(varint_len(128), 2);
        assert_eq!(varint_len(u64::MAX), 10);
    }
}
