//! Just enough character-set knowledge to turn a text column's bytes into UTF-8: which
//! collation ids are binary, latin1 (MySQL's latin1 is Windows-1252), UCS-2/UTF-16/UTF-32,
//! and which are already UTF-8 or ASCII.

/// The collation id of the `binary` character set.
pub(crate) const BINARY: u64 = 63;

/// How a column's bytes are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Not text (BINARY, VARBINARY, BLOB).
    Binary,
    /// latin1 (Windows-1252 in MySQL).
    Latin1,
    /// UCS-2 or UTF-16, big-endian.
    Utf16Be,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-32, big-endian.
    Utf32Be,
    /// UTF-8, ASCII, or not known: shown as text when the bytes are valid UTF-8.
    Utf8OrUnknown,
}

/// The encoding of a collation id (MariaDB's NO PAD variants are the base id + 1024).
pub(crate) fn encoding(collation: u64) -> Encoding {
    let id = if (1024..2048).contains(&collation) {
        collation - 1024
    } else {
        collation
    };
    match id {
        BINARY => Encoding::Binary,
        5 | 8 | 15 | 31 | 47 | 48 | 49 | 94 => Encoding::Latin1,
        35 | 90 | 128..=151 | 159 | 54 | 55 | 101..=124 => Encoding::Utf16Be,
        56 | 62 => Encoding::Utf16Le,
        60 | 61 | 160..=183 => Encoding::Utf32Be,
        _ => Encoding::Utf8OrUnknown,
    }
}

/// Windows-1252 code points for bytes 0x80-0x9F (the five unassigned bytes map to the
/// C1 control with the same value, as MySQL's latin1 does).
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
];

/// The text of `bytes` in `encoding`, or `None` when it is binary or not valid in it.
pub(crate) fn decode(bytes: &[u8], encoding: Encoding) -> Option<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    match encoding {
        Encoding::Binary => None,
        Encoding::Utf8OrUnknown => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
        Encoding::Latin1 => {
            if bytes.is_ascii() {
                return std::str::from_utf8(bytes).ok().map(Cow::Borrowed);
            }
            let s = bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9F => char::from_u32(u32::from(CP1252_HIGH[usize::from(b - 0x80)]))
                        .unwrap_or(char::REPLACEMENT_CHARACTER),
                    _ => char::from(b),
                })
                .collect();
            Some(Cow::Owned(s))
        }
        Encoding::Utf16Be | Encoding::Utf16Le => {
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units = bytes.chunks_exact(2).map(|c| {
                if encoding == Encoding::Utf16Be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            });
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
                .map(Cow::Owned)
        }
        Encoding::Utf32Be => {
            if bytes.len() % 4 != 0 {
                return None;
            }
            bytes
                .chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect::<Option<String>>()
                .map(Cow::Owned)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode(b"caf\xe9", encoding(8)).unwrap(), "café");
        assert_eq!(decode(b"\x80\x9f", encoding(47)).unwrap(), "€Ÿ");
        assert_eq!(decode(b"\xff", encoding(45)), None);
        assert_eq!(decode("é".as_bytes(), encoding(255)).unwrap(), "é");
        assert_eq!(decode(b"ab", encoding(BINARY)), None);
        assert_eq!(
            decode(&[0xD8, 0x3D, 0xDE, 0x00], encoding(54)).unwrap(),
            "😀"
        );
        assert_eq!(
            decode(&[0x3D, 0xD8, 0x00, 0xDE], encoding(56)).unwrap(),
            "😀"
        );
        assert_eq!(decode(&[0, 1, 0xF6, 0x00], encoding(60)).unwrap(), "😀");
        assert_eq!(decode(b"caf\xe9", encoding(1032)).unwrap(), "café");
    }
}
