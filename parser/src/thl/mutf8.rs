//! Java `DataOutput.writeUTF` strings: a u16 byte count, then modified UTF-8 (spec 5.1).
//!
//! Modified UTF-8 differs from UTF-8 in two ways: U+0000 is written `C0 80`, and a
//! character above U+FFFF is written as its two UTF-16 surrogates, three bytes each.
//! [`JavaStr`] keeps the stored bytes (so records re-encode byte for byte) beside the
//! decoded text, which borrows from the input whenever the two coincide.

use std::borrow::Cow;
use std::fmt;

/// A fixed-header string: its stored modified UTF-8 bytes and the text they encode.
#[derive(Clone, PartialEq, Eq)]
pub struct JavaStr<'a> {
    raw: Cow<'a, [u8]>,
    text: Cow<'a, str>,
}

/// The modified UTF-8 was malformed (a lead byte `80..BF`/`F0..FF`, a bad continuation
/// byte, or a sequence cut short).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

impl<'a> JavaStr<'a> {
    /// Decodes stored bytes the way `DataInputStream.readUTF` does: raw `00` bytes and
    /// over-long forms are accepted. Unpaired surrogates, which a Java string may carry but
    /// a Rust string cannot, become U+FFFD in [`text`](Self::text); [`raw`](Self::raw)
    /// still holds them.
    pub fn decode(raw: &'a [u8]) -> Result<Self, Malformed> {
        let text = match std::str::from_utf8(raw) {
            // UTF-8 without four-byte forms means the same text in both encodings (UTF-8
            // never contains C0 and rejects the surrogates ED A0..BF). Most fixed-header
            // strings are ASCII, checked a word at a time before the byte-wise test.
            Ok(s) if s.is_ascii() || !raw.iter().any(|&b| b >= 0xF0) => Cow::Borrowed(s),
            _ => Cow::Owned(decode_units(raw)?),
        };
        Ok(JavaStr {
            raw: Cow::Borrowed(raw),
            text,
        })
    }

    /// Encodes `text` as Java would. Fails (returns `None`) above 65535 encoded bytes.
    pub fn encode(text: &'a str) -> Option<Self> {
        let raw = encode_str(text);
        if raw.len() > usize::from(u16::MAX) {
            return None;
        }
        let raw = if raw.as_slice() == text.as_bytes() {
            Cow::Borrowed(text.as_bytes())
        } else {
            Cow::Owned(raw)
        };
        Some(JavaStr {
            raw,
            text: Cow::Borrowed(text),
        })
    }

    /// The decoded text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The stored modified UTF-8 bytes (without the u16 count).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The string's UTF-16 code units as Java holds them, decoded from the stored bytes:
    /// unpaired surrogates stay themselves (in [`text`](Self::text) they became U+FFFD),
    /// so `String.hashCode` and `compareTo` can be computed exactly.
    pub fn utf16_units(&self) -> Utf16Units<'_> {
        Utf16Units {
            raw: &self.raw,
            at: 0,
        }
    }

    /// A copy that owns its bytes and text.
    pub fn into_owned(self) -> JavaStr<'static> {
        JavaStr {
            raw: Cow::Owned(self.raw.into_owned()),
            text: Cow::Owned(self.text.into_owned()),
        }
    }
}

impl fmt::Debug for JavaStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text, f)
    }
}

impl fmt::Display for JavaStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Decodes to UTF-16 code units like `readUTF`, then to text (lossy on lone surrogates).
fn decode_units(raw: &[u8]) -> Result<String, Malformed> {
    let mut units = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(unit) = next_unit(raw, &mut i)? {
        units.push(unit);
    }
    Ok(String::from_utf16_lossy(&units))
}

/// The UTF-16 code unit that starts at `raw[*i]`, advancing `i` past it; `None` at the
/// end.
fn next_unit(raw: &[u8], i: &mut usize) -> Result<Option<u16>, Malformed> {
    let Some(&b) = raw.get(*i) else {
        return Ok(None);
    };
    let at = *i;
    let cont = |k: usize| match raw.get(at + k) {
        Some(&c) if c & 0xC0 == 0x80 => Ok(u16::from(c & 0x3F)),
        _ => Err(Malformed),
    };
    let (unit, width) = match b >> 4 {
        0..=7 => (u16::from(b), 1),
        12 | 13 => ((u16::from(b & 0x1F) << 6) | cont(1)?, 2),
        14 => ((u16::from(b & 0x0F) << 12) | (cont(1)? << 6) | cont(2)?, 3),
        _ => return Err(Malformed),
    };
    *i += width;
    Ok(Some(unit))
}

/// The UTF-16 code units of a [`JavaStr`], decoded from its stored bytes.
#[derive(Debug, Clone)]
pub struct Utf16Units<'s> {
    raw: &'s [u8],
    at: usize,
}

impl Iterator for Utf16Units<'_> {
    type Item = u16;

    fn next(&mut self) -> Option<u16> {
        // A JavaStr's bytes were checked when it was decoded or encoded, so a malformed
        // sequence cannot occur; were it ever to, it reads as U+FFFD, as `text` does.
        match next_unit(self.raw, &mut self.at) {
            Ok(unit) => unit,
            Err(Malformed) => {
                self.at = self.raw.len();
                Some(0xFFFD)
            }
        }
    }
}

/// `writeUTF`'s byte form of `text`.
fn encode_str(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for unit in text.encode_utf16() {
        match unit {
            0x0001..=0x007F => out.push(unit as u8),
            0x0000 | 0x0080..=0x07FF => {
                out.push(0xC0 | (unit >> 6) as u8);
                out.push(0x80 | (unit & 0x3F) as u8);
            }
            _ => {
                out.push(0xE0 | (unit >> 12) as u8);
                out.push(0x80 | ((unit >> 6) & 0x3F) as u8);
                out.push(0x80 | (unit & 0x3F) as u8);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Spec 5.1 example: sourceId "h\u{0}sté😀".
    const SPEC_BYTES: &[u8] = &[
        0x68, 0xC0, 0x80, 0x73, 0x74, 0xC3, 0xA9, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80,
    ];

    #[test]
    fn spec_example_decodes_and_encodes() {
        let s = JavaStr::decode(SPEC_BYTES).unwrap();
        assert_eq!(s.text(), "h\u{0}st\u{e9}\u{1F600}");
        assert_eq!(
            JavaStr::encode("h\u{0}st\u{e9}\u{1F600}").unwrap().raw(),
            SPEC_BYTES
        );
    }

    #[test]
    fn ascii_borrows() {
        let s = JavaStr::decode(b"logos1").unwrap();
        assert!(matches!(s.text, Cow::Borrowed(_)));
    }

    #[test]
    fn malformed_lead_and_continuation_bytes_are_refused() {
        assert_eq!(JavaStr::decode(&[0x80]), Err(Malformed));
        assert_eq!(JavaStr::decode(&[0xF0, 0x9F, 0x98, 0x80]), Err(Malformed));
        assert_eq!(JavaStr::decode(&[0xC3]), Err(Malformed));
        assert_eq!(JavaStr::decode(&[0xE2, 0x82, 0x41]), Err(Malformed));
    }

    #[test]
    fn raw_nul_and_lone_surrogate_are_accepted_like_java() {
        assert_eq!(JavaStr::decode(&[0x61, 0x00]).unwrap().text(), "a\u{0}");
        assert_eq!(
            JavaStr::decode(&[0xED, 0xA0, 0xBD]).unwrap().text(),
            "\u{FFFD}"
        );
    }

    #[test]
    fn utf16_units_keep_surrogates_and_nul() {
        // Spec 5.1 example: h, U+0000, s, t, U+00E9, then U+1F600 as D83D DE00.
        let units: Vec<u16> = JavaStr::decode(SPEC_BYTES).unwrap().utf16_units().collect();
        assert_eq!(units, [0x68, 0, 0x73, 0x74, 0xE9, 0xD83D, 0xDE00]);
        let lone: Vec<u16> = JavaStr::decode(&[0xED, 0xA0, 0xBD])
            .unwrap()
            .utf16_units()
            .collect();
        assert_eq!(lone, [0xD83D]);
    }

    #[test]
    fn over_long_strings_cannot_be_encoded() {
        let long = "é".repeat(40_000);
        assert!(JavaStr::encode(&long).is_none());
    }
}
