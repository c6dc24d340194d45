//! Decoding byte strings with a Java charset name (`-charset`, statement `##charset`).
//!
//! Java's own meanings come first where they differ from the web's (ISO-8859-1 and
//! US-ASCII are not windows-1252; UTF-16 without a byte-order mark is big-endian);
//! every other name is looked up among the WHATWG labels `encoding_rs` knows (UTF-8,
//! windows-125x, ISO-8859-x, KOI8, GBK, Big5, Shift_JIS, EUC-JP, EUC-KR…). Malformed
//! input becomes U+FFFD, as Java's decoders do; UTF-8 in as many U+FFFD as the JDK
//! writes ([`push_java_utf8`]).

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

/// A supported charset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// ISO-8859-1 (`latin1`): each byte is the code point of the same value.
    Latin1,
    /// US-ASCII: bytes above 0x7F are malformed.
    Ascii,
    /// UTF-16: big-endian unless a byte-order mark says otherwise.
    Utf16,
    /// Any other encoding, by its WHATWG label.
    Other(&'static Encoding),
}

impl Charset {
    /// UTF-8, the default.
    pub const UTF_8: Charset = Charset::Other(encoding_rs::UTF_8);

    /// Looks a Java charset name or alias up, ignoring case.
    pub fn from_java_name(name: &str) -> Option<Charset> {
        let key = name.to_ascii_lowercase().replace('_', "-");
        Some(match key.as_str() {
            "iso-8859-1" | "iso8859-1" | "latin1" | "l1" | "iso-latin-1" | "8859-1" | "cp819"
            | "ibm819" | "iso-ir-100" | "csisolatin1" => Charset::Latin1,
            "us-ascii" | "ascii" | "iso646-us" | "646" | "cp367" | "ibm367" | "default" => {
                Charset::Ascii
            }
            "utf-16" | "utf16" | "unicode" => Charset::Utf16,
            "unicodebigunmarked" | "x-utf-16be" => Charset::Other(UTF_16BE),
            "unicodelittleunmarked" | "x-utf-16le" => Charset::Other(UTF_16LE),
            _ => Charset::Other(Encoding::for_label(key.as_bytes())?),
        })
    }

    /// Decodes `bytes`; malformed sequences become U+FFFD.
    pub fn decode(self, bytes: &[u8]) -> String {
        let mut text = String::new();
        self.push_decoded(&mut text, bytes);
        text
    }

    /// Appends `bytes` decoded to `text`: straight into it, without the string
    /// [`Charset::decode`] returns (listings decode every byte-string value).
    pub fn push_decoded(self, text: &mut String, bytes: &[u8]) {
        match self {
            Charset::Latin1 => text.extend(bytes.iter().map(|&b| char::from(b))),
            Charset::Ascii => text.extend(bytes.iter().map(|&b| {
                if b.is_ascii() {
                    char::from(b)
                } else {
                    char::REPLACEMENT_CHARACTER
                }
            })),
            Charset::Utf16 => match bytes {
                [0xff, 0xfe, rest @ ..] => push_decoded_with(text, UTF_16LE, rest),
                [0xfe, 0xff, rest @ ..] => push_decoded_with(text, UTF_16BE, rest),
                _ => push_decoded_with(text, UTF_16BE, bytes),
            },
            Charset::Other(encoding) if encoding == encoding_rs::UTF_8 => {
                push_java_utf8(text, bytes)
            }
            // No byte-order-mark sniffing: Java keeps a BOM as U+FEFF in these charsets.
            Charset::Other(encoding) => push_decoded_with(text, encoding, bytes),
        }
    }
}

/// Appends `bytes` decoded as UTF-8 the way the JDK's `new String(bytes, UTF_8)` does
/// (Tungsten prints BLOBs and `-charset utf8` byte strings so).
///
/// Each malformed sequence becomes one U+FFFD, cut where Rust's lossy decoding and the
/// WHATWG decoder cut it (the longest start of a well-formed sequence, else one byte),
/// with one exception: the JDK reads `ED A0..BF` (the start of a surrogate code point,
/// which the others reject at its second byte) as the first two bytes of a three-byte
/// sequence, so `ED A0..BF 80..BF` is one U+FFFD where they write three, and `ED A0..BF`
/// before any other byte, or at the end, is one where they write two.
pub fn push_java_utf8(text: &mut String, bytes: &[u8]) {
    // Nearly every text value is well-formed: validated once (SIMD: a byte-at-a-time
    // check is slow on non-ASCII text) and copied once. Binary BLOBs are not, and go
    // through the decoder after their well-formed start.
    let malformed_at = match simdutf8::compat::from_utf8(bytes) {
        Ok(valid) => return text.push_str(valid),
        Err(error) => error.valid_up_to(),
    };
    // The well-formed start again: it is often nearly all of the value (a long text's
    // first 1000 bytes, cut inside a character).
    let (valid, mut rest) = bytes.split_at(malformed_at);
    text.push_str(simdutf8::basic::from_utf8(valid).unwrap_or_default());
    while !rest.is_empty() {
        rest = push_java_utf8_chunk(text, rest);
    }
}

/// Input bytes [`push_java_utf8_chunk`] decodes at a time.
const CHUNK: usize = 256;

/// Decodes the start of `bytes` (about [`CHUNK`] bytes, ending between characters) as
/// [`push_java_utf8`] does, appends it to `text` and returns the bytes after it.
///
/// Binary values are random bytes: whether the next one is ASCII, a malformed byte or
/// starts a sequence is a coin toss that a branch per byte mispredicts half the time.
/// So the common cases (ASCII, a byte that is malformed alone, a two-byte sequence)
/// are chosen with arithmetic, writing into a buffer four bytes at a time, and only a
/// lead of three or four bytes followed by a continuation byte (about 2 % of random
/// bytes) takes the sequence decoder. The buffer is then validated (SIMD, cheap), the
/// only safe way to hand bytes to a `String`.
fn push_java_utf8_chunk<'a>(text: &mut String, bytes: &'a [u8]) -> &'a [u8] {
    // Each input byte adds three bytes at most (a U+FFFD), written four at a time.
    let mut decoded = [0u8; CHUNK * 3 + 4];
    let mut len = 0;
    let mut at = 0;
    // The byte at `at` continues the two-byte sequence its predecessor started.
    let mut continues = false;
    let end = bytes.len().min(CHUNK);
    while at < end {
        let byte = bytes[at];
        let next_continues = bytes.get(at + 1).is_some_and(|b| b & 0xC0 == 0x80);
        // `&`, not `&&`: no branch.
        let starts_two = (0xC2..=0xDF).contains(&byte) & next_continues;
        if (0xE0..=0xF4).contains(&byte) & next_continues {
            let (character, after) = java_utf8_sequence(byte, &bytes[at + 1..]);
            len += match character {
                Some(c) => c.encode_utf8(&mut decoded[len..len + 4]).len(),
                None => {
                    decoded[len..len + 3].copy_from_slice(REPLACEMENT.as_bytes());
                    3
                }
            };
            at = bytes.len() - after.len();
            continue;
        }
        let kept = byte.is_ascii() | continues | starts_two;
        let written = if kept {
            u32::from(byte)
        } else {
            u32::from_le_bytes([0xEF, 0xBF, 0xBD, 0])
        };
        decoded[len..len + 4].copy_from_slice(&written.to_le_bytes());
        len += if kept { 1 } else { REPLACEMENT.len() };
        continues = starts_two;
        at += 1;
    }
    // A two-byte sequence cut by the chunk's end: its second byte too.
    if continues {
        decoded[len] = bytes[at];
        len += 1;
        at += 1;
    }
    // `simdutf8` checks fewer than 64 bytes a byte at a time, mispredicting on these
    // mixes of one- and three-byte characters: short texts are checked with zeros
    // after them (NUL is a character too). Only whole well-formed sequences were
    // written: the check cannot fail (and if it ever did, the text is still all there).
    let checked = len.max(SIMD_CHECKED);
    decoded[len..checked].fill(0);
    match simdutf8::basic::from_utf8(&decoded[..checked]).map(|with_zeros| with_zeros.get(..len)) {
        Ok(Some(decoded)) => text.push_str(decoded),
        _ => text.push_str(&String::from_utf8_lossy(&decoded[..len])),
    }
    &bytes[at.min(bytes.len())..]
}

/// The shortest input `simdutf8` checks with SIMD instructions.
const SIMD_CHECKED: usize = 64;

/// U+FFFD, the text of a malformed sequence.
const REPLACEMENT: &str = "\u{FFFD}";

/// The character a sequence starting with the non-ASCII byte `lead` encodes, or None
/// for a malformed sequence, and the bytes after it (`rest` holds those after the lead;
/// see [`push_java_utf8`] for where a malformed sequence ends).
fn java_utf8_sequence(lead: u8, rest: &[u8]) -> (Option<char>, &[u8]) {
    // The range of the second byte, and how many continuation bytes follow the lead.
    let (second, continuation) = match lead {
        0xC2..=0xDF => (0x80..=0xBF, 1),
        0xE0 => (0xA0..=0xBF, 2),
        // ED A0..BF included: the JDK rejects an encoded surrogate only once it is whole.
        0xE1..=0xEF => (0x80..=0xBF, 2),
        0xF0 => (0x90..=0xBF, 3),
        0xF1..=0xF3 => (0x80..=0xBF, 3),
        0xF4 => (0x80..=0x8F, 3),
        _ => return (None, rest),
    };
    if !rest.first().is_some_and(|b| second.contains(b)) {
        return (None, rest);
    }
    let mut code = u32::from(lead) & (0x7F >> (continuation + 1));
    for taken in 0..continuation {
        match rest.get(taken) {
            Some(&b) if b & 0xC0 == 0x80 => code = (code << 6) | u32::from(b & 0x3F),
            // A sequence cut short: one U+FFFD for what it had.
            _ => return (None, &rest[taken..]),
        }
    }
    // An encoded surrogate is the only well-formed sequence here that is no `char`.
    (char::from_u32(code), &rest[continuation..])
}

fn push_decoded_with(text: &mut String, encoding: &'static Encoding, bytes: &[u8]) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    // Room for the worst case, so the one call decodes everything.
    if let Some(room) = decoder.max_utf8_buffer_length(bytes.len()) {
        text.reserve(room);
        let _ = decoder.decode_to_string(bytes, text, true);
    } else {
        text.push_str(&encoding.decode_without_bom_handling(bytes).0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_names_and_aliases() {
        assert_eq!(Charset::from_java_name("utf8"), Some(Charset::UTF_8));
        assert_eq!(Charset::from_java_name("UTF-8"), Some(Charset::UTF_8));
        assert_eq!(Charset::from_java_name("ISO-8859-1"), Some(Charset::Latin1));
        assert_eq!(Charset::from_java_name("latin1"), Some(Charset::Latin1));
        assert_eq!(Charset::from_java_name("ISO8859_1"), Some(Charset::Latin1));
        assert_eq!(
            Charset::from_java_name("Cp1252"),
            Some(Charset::Other(encoding_rs::WINDOWS_1252))
        );
        assert_eq!(
            Charset::from_java_name("Shift_JIS"),
            Some(Charset::Other(encoding_rs::SHIFT_JIS))
        );
        assert_eq!(Charset::from_java_name("klingon"), None);
    }

    #[test]
    fn decoding() {
        assert_eq!(Charset::UTF_8.decode("café 😀".as_bytes()), "café 😀");
        assert_eq!(Charset::UTF_8.decode(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(Charset::Latin1.decode(b"bin\xe9\x80"), "bin\u{e9}\u{80}");
        assert_eq!(Charset::Ascii.decode(b"a\xe9"), "a\u{fffd}");
        let cp1252 = Charset::from_java_name("windows-1252").unwrap();
        assert_eq!(cp1252.decode(b"\x80\xe9"), "€é");
        let gbk = Charset::from_java_name("GBK").unwrap();
        assert_eq!(gbk.decode(b"\xd6\xd0\xce\xc4"), "中文");
        assert_eq!(Charset::Utf16.decode(b"\xff\xfea\x00"), "a");
        assert_eq!(Charset::Utf16.decode(b"\x00a"), "a");
        assert_eq!(Charset::UTF_8.decode(b"\xef\xbb\xbfa"), "\u{feff}a");
    }

    /// The rule of [`push_java_utf8`]; `cli/tests/thl_list_java_utf8.rs` checks the same
    /// byte sequences against the JDK through the reference `thl`.
    #[test]
    fn utf8_is_replaced_as_the_jdk_replaces_it() {
        let java = |bytes: &[u8]| {
            let mut text = String::new();
            push_java_utf8(&mut text, bytes);
            text
        };
        // An encoded surrogate: one U+FFFD for the three bytes, or for its first two.
        assert_eq!(java(b"a\xed\xa0\x80b"), "a\u{fffd}b");
        assert_eq!(java(b"a\xed\xbf\xbf"), "a\u{fffd}");
        assert_eq!(java(b"a\xed\xa0"), "a\u{fffd}");
        assert_eq!(java(b"a\xed\xa0b"), "a\u{fffd}b");
        assert_eq!(java(b"\xed\xa0\x80\x80"), "\u{fffd}\u{fffd}");
        assert_eq!(java(b"\xed\xa0\xc0"), "\u{fffd}\u{fffd}");
        assert_eq!(java(b"\xed\xa0\x80\xed\xb0\x80"), "\u{fffd}\u{fffd}");
        assert_eq!(java(b"\xed\xa0\xf0\x9f\x98\x80"), "\u{fffd}\u{1f600}");
        // Elsewhere the cut is Rust's: the longest well-formed start, else one byte.
        assert_eq!(java(b"\xed\x9f\xbf"), "\u{d7ff}");
        assert_eq!(java(b"\xed"), "\u{fffd}");
        assert_eq!(java(b"\xed\x80"), "\u{fffd}");
        assert_eq!(java(b"\xc0\xaf"), "\u{fffd}\u{fffd}");
        assert_eq!(java(b"\xe0\x80\x80"), "\u{fffd}\u{fffd}\u{fffd}");
        assert_eq!(java(b"\xf4\x90\x80\x80"), "\u{fffd}".repeat(4));
        assert_eq!(java(b"\xe2\x82b"), "\u{fffd}b");
        assert_eq!(java(b"\xf0\x9f\x98"), "\u{fffd}");
        assert_eq!(java(b"\x80\x80"), "\u{fffd}\u{fffd}");
        // A text cut inside a character: its well-formed start, then one U+FFFD.
        assert_eq!(java(&"é€".repeat(3).as_bytes()[..14]), "é€é€é\u{fffd}");
        assert_eq!(Charset::UTF_8.decode(b"\xed\xa0\x80"), "\u{fffd}");
    }

    /// Random bytes without 0xED, biased towards the lead and continuation bytes of
    /// sequences, `len(next)` long.
    fn random_values(count: usize, len: impl Fn(u8) -> usize) -> Vec<Vec<u8>> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as u8
        };
        (0..count)
            .map(|_| {
                let len = len(next());
                (0..len)
                    .map(|_| match next() % 4 {
                        0 => next() % 0x80,
                        1 => 0x80 | (next() % 0x40),
                        _ => 0xC0 | (next() % 0x40),
                    })
                    .filter(|&b| b != 0xED)
                    .collect()
            })
            .collect()
    }

    fn assert_replaced_as_rust_replaces(values: &[Vec<u8>]) {
        for bytes in values {
            let mut text = String::new();
            push_java_utf8(&mut text, bytes);
            assert_eq!(text, String::from_utf8_lossy(bytes), "{bytes:02x?}");
        }
    }

    #[test]
    fn utf8_without_encoded_surrogates_is_replaced_as_rust_replaces_it() {
        assert_replaced_as_rust_replaces(&random_values(20_000, |n| usize::from(n % 12)));
    }

    /// Values longer than a chunk: every kind of sequence, well-formed or not, is cut
    /// by a chunk's end somewhere.
    #[test]
    fn long_values_are_decoded_across_chunks() {
        let lengths = |n: u8| CHUNK - 8 + usize::from(n) * 3;
        assert_replaced_as_rust_replaces(&random_values(3_000, lengths));
        // An encoded surrogate across a chunk's end is still one U+FFFD.
        for start in CHUNK - 3..=CHUNK + 1 {
            let mut bytes = vec![0x80; start];
            bytes.extend_from_slice(b"\xed\xa0\x80z");
            let mut text = String::new();
            push_java_utf8(&mut text, &bytes);
            assert_eq!(text, format!("{}z", "\u{fffd}".repeat(start + 1)));
        }
    }
}
