//! Decoding byte strings with a Java charset name (`-charset`, statement `##charset`).
//!
//! Covers the charsets MySQL extractors record and users pass: UTF-8, ISO-8859-1,
//! US-ASCII, windows-1252 and UTF-16. Malformed input becomes U+FFFD, as Java's
//! decoders do.

/// A supported charset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8 (`utf8`, `UTF-8`).
    Utf8,
    /// ISO-8859-1 (`latin1`): each byte is the code point of the same value.
    Latin1,
    /// US-ASCII: bytes above 0x7F are malformed.
    Ascii,
    /// windows-1252 (`cp1252`), MySQL's real `latin1`.
    Windows1252,
    /// UTF-16, big-endian unless a byte-order mark says otherwise.
    Utf16,
    /// UTF-16BE.
    Utf16Be,
    /// UTF-16LE.
    Utf16Le,
}

impl Charset {
    /// Looks a Java charset name or alias up, ignoring case.
    pub fn from_java_name(name: &str) -> Option<Charset> {
        let key = name.to_ascii_lowercase().replace('_', "-");
        Some(match key.as_str() {
            "utf-8" | "utf8" | "unicode-1-1-utf-8" => Charset::Utf8,
            "iso-8859-1" | "iso8859-1" | "latin1" | "l1" | "iso-latin-1" | "8859-1" | "cp819"
            | "ibm819" | "iso-ir-100" | "csisolatin1" => Charset::Latin1,
            "us-ascii" | "ascii" | "iso646-us" | "646" | "cp367" | "ibm367" | "default" => {
                Charset::Ascii
            }
            "windows-1252" | "cp1252" | "cp5348" => Charset::Windows1252,
            "utf-16" | "utf16" | "unicode" => Charset::Utf16,
            "utf-16be" | "utf16be" | "x-utf-16be" | "unicodebigunmarked" => Charset::Utf16Be,
            "utf-16le" | "utf16le" | "x-utf-16le" | "unicodelittleunmarked" => Charset::Utf16Le,
            _ => return None,
        })
    }

    /// Decodes `bytes`; malformed sequences become U+FFFD.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
            Charset::Ascii => bytes
                .iter()
                .map(|&b| {
                    if b.is_ascii() {
                        char::from(b)
                    } else {
                        char::REPLACEMENT_CHARACTER
                    }
                })
                .collect(),
            Charset::Windows1252 => bytes.iter().map(|&b| windows_1252(b)).collect(),
            Charset::Utf16 => match bytes {
                [0xff, 0xfe, rest @ ..] => utf16(rest, u16::from_le_bytes),
                [0xfe, 0xff, rest @ ..] => utf16(rest, u16::from_be_bytes),
                _ => utf16(bytes, u16::from_be_bytes),
            },
            Charset::Utf16Be => utf16(bytes, u16::from_be_bytes),
            Charset::Utf16Le => utf16(bytes, u16::from_le_bytes),
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let chunks = bytes.chunks_exact(2);
    let odd = !chunks.remainder().is_empty();
    let mut text: String = char::decode_utf16(chunks.map(|c| unit([c[0], c[1]])))
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if odd {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// windows-1252 differs from ISO-8859-1 only in 0x80..0x9F.
fn windows_1252(b: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9f => HIGH
            .get(usize::from(b - 0x80))
            .and_then(|&u| char::from_u32(u32::from(u)))
            .unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_names_and_aliases() {
        assert_eq!(Charset::from_java_name("utf8"), Some(Charset::Utf8));
        assert_eq!(Charset::from_java_name("UTF-8"), Some(Charset::Utf8));
        assert_eq!(Charset::from_java_name("ISO-8859-1"), Some(Charset::Latin1));
        assert_eq!(Charset::from_java_name("latin1"), Some(Charset::Latin1));
        assert_eq!(Charset::from_java_name("ISO8859_1"), Some(Charset::Latin1));
        assert_eq!(
            Charset::from_java_name("Cp1252"),
            Some(Charset::Windows1252)
        );
        assert_eq!(Charset::from_java_name("klingon"), None);
    }

    #[test]
    fn decoding() {
        assert_eq!(Charset::Utf8.decode("café 😀".as_bytes()), "café 😀");
        assert_eq!(Charset::Utf8.decode(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(Charset::Latin1.decode(b"bin\xe9"), "biné");
        assert_eq!(Charset::Ascii.decode(b"a\xe9"), "a\u{fffd}");
        assert_eq!(Charset::Windows1252.decode(b"\x80\xe9"), "€é");
        assert_eq!(Charset::Utf16.decode(b"\xff\xfea\x00"), "a");
        assert_eq!(Charset::Utf16Be.decode(b"\x00a\x00"), "a\u{fffd}");
    }
}
