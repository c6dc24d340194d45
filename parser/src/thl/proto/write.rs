//! Writing protobuf fields the way protobuf-java 2.6.1 does (spec 6.1): callers emit
//! fields in ascending number order; `int32`/`enum` negatives take ten bytes; nested
//! messages are length-prefixed with a minimal varint.

/// An output buffer for one message.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    out: Vec<u8>,
}

impl Writer {
    /// An empty message.
    pub fn new() -> Self {
        Writer::default()
    }

    /// The encoded message.
    #[cfg(test)]
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    fn tag(&mut self, field: u32, wire: u8) {
        self.varint((u64::from(field) << 3) | u64::from(wire));
    }

    /// `int64`.
    pub fn int64(&mut self, field: u32, v: i64) {
        self.tag(field, 0);
        self.varint(v as u64);
    }

    /// `int32` or `enum`: sign-extended to 64 bits.
    pub fn int32(&mut self, field: u32, v: i32) {
        self.int64(field, i64::from(v));
    }

    /// `sint32` (ZigZag).
    pub fn sint32(&mut self, field: u32, v: i32) {
        self.tag(field, 0);
        self.varint(u64::from(((v << 1) ^ (v >> 31)) as u32));
    }

    /// `sint64` (ZigZag).
    pub fn sint64(&mut self, field: u32, v: i64) {
        self.tag(field, 0);
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    /// `bool`.
    pub fn bool(&mut self, field: u32, v: bool) {
        self.tag(field, 0);
        self.varint(u64::from(v));
    }

    /// `float`.
    pub fn float(&mut self, field: u32, v: f32) {
        self.tag(field, 5);
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    /// `double`.
    pub fn double(&mut self, field: u32, v: f64) {
        self.tag(field, 1);
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    /// `bytes` or `string`.
    pub fn bytes(&mut self, field: u32, v: &[u8]) {
        self.tag(field, 2);
        self.varint(v.len() as u64);
        self.out.extend_from_slice(v);
    }

    /// Bytes already encoded (a message kept raw because it was not understood).
    pub fn raw(&mut self, encoded: &[u8]) {
        self.out.extend_from_slice(encoded);
    }

    /// A nested message built by `build`, in place: its length prefix is reserved as
    /// one byte and widened afterwards when the message is 128 bytes or longer, so a
    /// message's bytes are written once instead of once per level of nesting.
    pub fn message(&mut self, field: u32, build: impl FnOnce(&mut Writer)) {
        self.tag(field, 2);
        let prefix_at = self.out.len();
        self.out.push(0);
        build(self);
        let len = self.out.len() - prefix_at - 1;
        if len < 0x80 {
            self.out[prefix_at] = len as u8;
            return;
        }
        let mut prefix = Writer::new();
        prefix.varint(len as u64);
        self.out
            .splice(prefix_at..=prefix_at, prefix.out.iter().copied());
    }

    /// Appends `message` with a varint length prefix (`writeDelimitedTo`) to `out`.
    pub fn delimited_into(message: Writer, out: &mut Vec<u8>) {
        let mut prefix = Writer::new();
        prefix.varint(message.out.len() as u64);
        out.extend_from_slice(&prefix.out);
        out.extend_from_slice(&message.out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_enum_takes_ten_bytes_as_in_spec() {
        let mut w = Writer::new();
        w.int32(3, -7);
        assert_eq!(
            w.into_bytes(),
            [0x18, 0xF9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        );
    }

    #[test]
    fn nested_messages_get_minimal_length_prefixes() {
        for len in [0usize, 1, 127, 128, 300, 16_383, 16_384, 70_000] {
            let mut w = Writer::new();
            w.message(2, |inner| inner.raw(&vec![7u8; len]));
            let mut expected = Writer::new();
            expected.bytes(2, &vec![7u8; len]);
            assert_eq!(w.into_bytes(), expected.into_bytes(), "length {len}");
        }
        let mut w = Writer::new();
        w.message(1, |a| {
            a.message(2, |b| b.raw(&[1; 200]));
            a.int64(3, 5);
        });
        let mut b = Writer::new();
        b.raw(&[1; 200]);
        let mut a = Writer::new();
        a.bytes(2, &b.out);
        a.int64(3, 5);
        let mut expected = Writer::new();
        expected.bytes(1, &a.out);
        assert_eq!(w.into_bytes(), expected.into_bytes());
    }

    #[test]
    fn zigzag() {
        let mut w = Writer::new();
        w.sint64(1, -1);
        w.sint32(2, 1);
        w.sint32(3, i32::MIN);
        assert_eq!(
            w.into_bytes(),
            [0x08, 0x01, 0x10, 0x02, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        );
    }
}
