//! A fast reader for the usual shape of the small, numerous messages (column values,
//! column specs, options): fields with one-byte tags whose values lie within the message.
//!
//! It keeps no offsets and builds no errors: every read answers `None` at anything else
//! (a longer tag, a field it was not asked for, a cut value), and the caller then decodes
//! the same bytes again with a [`super::Message`], which handles the rare shapes and
//! reports a damaged message where and how it always has. So a message read here either
//! gives the value the checked decoder would give, or nothing.

/// Wire type 0.
pub(crate) const VARINT: u8 = 0;
/// Wire type 1.
pub(crate) const FIXED64: u8 = 1;
/// Wire type 2.
pub(crate) const LENGTH_DELIMITED: u8 = 2;
/// Wire type 5.
pub(crate) const FIXED32: u8 = 5;

/// The one-byte tag of field `number` (1..=15) stored as `wire`.
pub(crate) const fn tag(number: u8, wire: u8) -> u8 {
    (number << 3) | wire
}

/// One message's bytes, read field by field without offsets (see the module comment).
/// It holds the unread bytes only, each read splitting off its front: fewer bounds checks
/// than a slice and a position.
#[derive(Debug, Clone)]
pub(crate) struct QuickFields<'a> {
    rest: &'a [u8],
}

impl<'a> QuickFields<'a> {
    /// The fields stored in `bytes`.
    #[inline(always)]
    pub fn new(bytes: &'a [u8]) -> Self {
        QuickFields { rest: bytes }
    }

    /// The next field's tag byte, `Some(None)` at the end of the message, `None` for a
    /// tag that takes more than one byte.
    #[inline(always)]
    pub fn tag(&mut self) -> Option<Option<u8>> {
        let Some((&b, rest)) = self.rest.split_first() else {
            return Some(None);
        };
        if b & 0x80 != 0 {
            return None;
        }
        self.rest = rest;
        Some(Some(b))
    }

    /// The number of bytes not read yet.
    pub fn unread_len(&self) -> usize {
        self.rest.len()
    }

    /// A varint, with the checked reader's arithmetic (ten bytes at most, bits past the
    /// 64th dropped).
    #[inline(always)]
    pub fn varint(&mut self) -> Option<u64> {
        let (&first, rest) = self.rest.split_first()?;
        self.rest = rest;
        if first & 0x80 == 0 {
            return Some(u64::from(first));
        }
        let mut value = u64::from(first & 0x7F);
        for shift in (7..70).step_by(7) {
            let (&b, rest) = self.rest.split_first()?;
            self.rest = rest;
            value |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// An `int32` or `enum`: the varint's low 32 bits, as the checked reader takes them.
    #[inline(always)]
    pub fn int32(&mut self) -> Option<i32> {
        Some(self.varint()? as u32 as i32)
    }

    /// A `sint32` (ZigZag), as the checked reader reads it.
    #[inline(always)]
    pub fn sint32(&mut self) -> Option<i32> {
        Some(super::zigzag32(self.varint()?))
    }

    /// A `sint64` (ZigZag), as the checked reader reads it.
    #[inline(always)]
    pub fn sint64(&mut self) -> Option<i64> {
        Some(super::zigzag64(self.varint()?))
    }

    /// A `bool`: any varint but 0 is true, as the checked reader takes it.
    #[inline(always)]
    pub fn bool(&mut self) -> Option<bool> {
        Some(self.varint()? != 0)
    }

    /// A length-delimited value, borrowed.
    #[inline(always)]
    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.varint()?).ok()?;
        let (out, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        Some(out)
    }

    /// A length-delimited value that is UTF-8 text.
    #[inline(always)]
    pub fn string(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    /// [`QuickFields::string`] for fields read from `whole`, the message's bytes already
    /// found to be UTF-8: the value is a slice of it, UTF-8 exactly when its ends fall on
    /// character boundaries, which is checked instead of validating the value again. A
    /// message of short text fields (tags and lengths below 128 are ASCII) is so
    /// validated in one call rather than one per field.
    #[inline(always)]
    pub fn string_within(&mut self, whole: &'a str) -> Option<&'a str> {
        let value = self.bytes()?;
        let end = whole.len().checked_sub(self.rest.len())?;
        let start = end.checked_sub(value.len())?;
        whole.get(start..end)
    }

    /// How many length-delimited fields tagged `tag` come in a row from here, counting
    /// the one whose value is next (its tag just read): a capacity for the repeated
    /// fields writers store together. Reads tags and lengths only; stops early at
    /// anything unusual, so it is a hint and never an error.
    pub fn run_length(&self, tag: u8) -> usize {
        let mut ahead = self.clone();
        match ahead.bytes() {
            Some(_) => 1 + ahead.leading_run(tag),
            None => 1,
        }
    }

    /// How many length-delimited fields tagged `tag` come first from here (a hint, as
    /// [`QuickFields::run_length`]).
    pub fn leading_run(mut self, tag: u8) -> usize {
        let mut count = 0;
        while self.tag() == Some(Some(tag)) && self.bytes().is_some() {
            count += 1;
        }
        count
    }

    /// A fixed-width value (`float`: 4, `double`: 8 bytes).
    #[inline(always)]
    pub fn fixed<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (out, rest) = self.rest.split_first_chunk::<N>()?;
        self.rest = rest;
        Some(*out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_checked_reader_reads() {
        // field 1 = 150, field 2 = "ab", field 3 (fixed32) = 1.5f32.
        let mut bytes = vec![0x08, 0x96, 0x01, 0x12, 0x02, b'a', b'b', 0x1D];
        bytes.extend_from_slice(&1.5f32.to_le_bytes());
        let mut q = QuickFields::new(&bytes);
        assert_eq!(q.tag(), Some(Some(tag(1, VARINT))));
        assert_eq!(q.varint(), Some(150));
        assert_eq!(q.tag(), Some(Some(tag(2, LENGTH_DELIMITED))));
        assert_eq!(q.string(), Some("ab"));
        assert_eq!(q.tag(), Some(Some(tag(3, FIXED32))));
        assert_eq!(q.fixed::<4>().map(f32::from_le_bytes), Some(1.5));
        assert_eq!(q.tag(), Some(None));
    }

    #[test]
    fn strings_within_validated_text_are_its_slices() {
        // field 1 = "é", field 2 = "ab", then field 1 = the first byte of "é" alone.
        let text = "\u{a}\u{2}é\u{12}\u{2}ab";
        let mut q = QuickFields::new(text.as_bytes());
        assert_eq!(q.tag(), Some(Some(tag(1, LENGTH_DELIMITED))));
        assert_eq!(q.string_within(text), Some("é"));
        assert_eq!(q.tag(), Some(Some(tag(2, LENGTH_DELIMITED))));
        assert_eq!(q.string_within(text), Some("ab"));
        let text = "\u{a}\u{1}é";
        let mut q = QuickFields::new(text.as_bytes());
        assert_eq!(q.tag(), Some(Some(tag(1, LENGTH_DELIMITED))));
        assert_eq!(q.string_within(text), None);
    }

    #[test]
    fn run_lengths_count_the_fields_stored_together() {
        // Three fields 2, a field 3, a field 2, then a field 2 cut short.
        let bytes = [
            0x12, 0x00, 0x12, 0x01, b'a', 0x12, 0x00, 0x18, 0x01, 0x12, 0x00, 0x12, 0x05,
        ];
        let mut q = QuickFields::new(&bytes);
        assert_eq!(q.tag(), Some(Some(tag(2, LENGTH_DELIMITED))));
        assert_eq!(q.run_length(tag(2, LENGTH_DELIMITED)), 3);
        let mut q = QuickFields::new(&bytes[9..]);
        assert_eq!(q.tag(), Some(Some(tag(2, LENGTH_DELIMITED))));
        assert_eq!(q.run_length(tag(2, LENGTH_DELIMITED)), 1);
    }

    #[test]
    fn answers_nothing_for_the_unusual() {
        // A two-byte tag (field 16).
        assert_eq!(QuickFields::new(&[0x80, 0x01, 0x00]).tag(), None);
        // A length past the end, a cut varint, a varint of eleven bytes, bad UTF-8.
        assert_eq!(QuickFields::new(&[0x05, b'a']).bytes(), None);
        assert_eq!(QuickFields::new(&[0x96]).varint(), None);
        assert_eq!(QuickFields::new(&[0xFF; 11]).varint(), None);
        assert_eq!(QuickFields::new(&[0x01, 0xFF]).string(), None);
        // Ten bytes are read, the bits past the 64th dropped.
        let mut ten = [0xFF; 10];
        ten[9] = 0x7F;
        assert_eq!(QuickFields::new(&ten).varint(), Some(u64::MAX));
    }
}
