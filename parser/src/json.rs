//! JSON text writers shared by every JSON rendering of replog's values and events, so a
//! string or a byte string is written the same way wherever it appears (a row value, a
//! statement, a table name).

use std::io::Write as _;

/// Appends `s` as a JSON string literal, escaping as MySQL's JSON printer does: `\"`,
/// `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other control characters as `\u00XX`.
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len().saturating_add(2));
    out.push(b'"');
    write_string_contents(out, s);
    out.push(b'"');
}

/// Appends `s` escaped as inside a JSON string literal, without the quotes: what
/// [`write_string`] writes between them. Escapes depend on one character at a time, so
/// a string written in parts (by a `fmt::Write` adapter) comes out as it would whole.
pub fn write_string_contents(out: &mut Vec<u8>, s: &str) {
    let mut rest = s.as_bytes();
    // Text such as JSON documents stored as strings has an escape every few bytes:
    // short runs are pushed byte by byte, long ones copied at once.
    while let Some(i) = first_escape(rest) {
        if i < 16 {
            rest[..i].iter().for_each(|&b| out.push(b));
        } else {
            out.extend_from_slice(&rest[..i]);
        }
        let b = rest[i];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                let _ = write!(out, "\\u{:04x}", b);
            }
        }
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

/// Index of the first byte `write_string` must escape. Strings are most of a row
/// image's text and rarely need escaping: eight bytes are tested at a time (a byte
/// below 0x20, `"` or `\` anywhere in the word), and only the word holding one is
/// looked at byte by byte.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    // Whether some byte of `w` is zero (exact as a yes/no, not as a position).
    let has_zero_byte = |w: u64| w.wrapping_sub(ONES) & !w & HIGH_BITS != 0;
    let mut clean = 0;
    for word in bytes.chunks_exact(8) {
        let mut le = [0u8; 8];
        le.copy_from_slice(word);
        let w = u64::from_le_bytes(le);
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH_BITS != 0;
        if control
            || has_zero_byte(w ^ (ONES * u64::from(b'"')))
            || has_zero_byte(w ^ (ONES * u64::from(b'\\')))
        {
            break;
        }
        clean += 8;
    }
    bytes[clean..]
        .iter()
        .position(|&b| NEEDS_ESCAPE[usize::from(b)])
        .map(|i| clean + i)
}

/// The bytes a JSON string must escape: `"`, `\` and the control characters.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = true;
        i += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Appends `{"hex":"…"}` (lower-case digits) for bytes that are not text, followed by
/// `pad` zero bytes.
pub fn write_hex(out: &mut Vec<u8>, bytes: &[u8], pad: usize) {
    out.extend_from_slice(b"{\"hex\":\"");
    // Blobs are the bulk of many row images: write the digits into space reserved
    // once, two at a time from a table, instead of pushing them one by one.
    let digits = bytes.len().saturating_add(pad).saturating_mul(2);
    let start = out.len();
    out.resize(start.saturating_add(digits), b'0');
    for (pair, &b) in out[start..].chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
    }
    out.extend_from_slice(b"\"}");
}

/// The two lower-case hex digits of every byte value.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [HEX[i >> 4], HEX[i & 15]];
        i += 1;
    }
    table
};

/// Appends bytes that are normally text (names, statements): a JSON string when they
/// are UTF-8, else `{"hex":"…"}`.
pub fn write_text(out: &mut Vec<u8>, bytes: &[u8]) {
    // Names, statements and most column text are ASCII with nothing to escape for long
    // stretches: such a stretch is validated and scanned for escapes in one pass and
    // copied; only the rest is checked as UTF-8 and escaped.
    let plain = plain_ascii_prefix(bytes);
    let (head, tail) = bytes.split_at(plain);
    out.reserve(bytes.len().saturating_add(2));
    if tail.is_empty() {
        out.push(b'"');
        out.extend_from_slice(head);
        out.push(b'"');
        return;
    }
    match std::str::from_utf8(tail) {
        Ok(tail) => {
            out.push(b'"');
            out.extend_from_slice(head);
            write_string_contents(out, tail);
            out.push(b'"');
        }
        Err(_) => write_hex(out, bytes, 0),
    }
}

/// Length of the leading run of ASCII bytes that need no JSON escape, found eight bytes
/// at a time, then byte by byte past the last whole word (short values, such as most
/// column text, are all tail): a prefix that is valid UTF-8 and copies into a JSON
/// string unchanged.
fn plain_ascii_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let has_zero_byte = |w: u64| w.wrapping_sub(ONES) & !w & HIGH_BITS != 0;
    let mut plain = 0;
    for word in bytes.chunks_exact(8) {
        let mut le = [0u8; 8];
        le.copy_from_slice(word);
        let w = u64::from_le_bytes(le);
        let special = w & HIGH_BITS != 0
            || w.wrapping_sub(ONES * 0x20) & !w & HIGH_BITS != 0
            || has_zero_byte(w ^ (ONES * u64::from(b'"')))
            || has_zero_byte(w ^ (ONES * u64::from(b'\\')));
        if special {
            return plain;
        }
        plain += 8;
    }
    let plain_byte = |&b: &u8| b < 0x80 && !NEEDS_ESCAPE[usize::from(b)];
    plain + bytes[plain..].iter().take_while(|b| plain_byte(b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_json_requires() {
        let tricky = "a\"b\\c\nd\te\u{1}f\u{1f}\u{8}\u{c}é😀 and a longer run of plain text";
        let out = rendered(|o| write_string(o, tricky));
        assert_eq!(
            out,
            r#""a\"b\\c\nd\te\u0001f\u001f\b\fé😀 and a longer run of plain text""#
        );
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, tricky);
    }

    #[test]
    fn the_word_scan_finds_the_first_byte_to_escape() {
        let bytewise = |b: &[u8]| b.iter().position(|&c| NEEDS_ESCAPE[usize::from(c)]);
        let mut text = b"plain text, long enough for several words: abcdefghijklmnop".to_vec();
        assert_eq!(first_escape(&text), None);
        // Every byte value at every position of a word, and just past the words.
        for at in [0, 5, 7, 8, 13, 31, text.len() - 1] {
            for b in 0..=255u8 {
                let saved = text[at];
                text[at] = b;
                assert_eq!(first_escape(&text), bytewise(&text), "{b:#x} at {at}");
                text[at] = saved;
            }
        }
    }

    #[test]
    fn bytes_are_hex_with_padding() {
        assert_eq!(
            rendered(|o| write_hex(o, b"\x00\xab", 2)),
            r#"{"hex":"00ab0000"}"#
        );
        assert_eq!(rendered(|o| write_hex(o, b"", 0)), r#"{"hex":""}"#);
    }

    #[test]
    fn text_in_one_pass_matches_validation_then_escaping() {
        let cases: [&[u8]; 9] = [
            b"",
            b"plain ascii text longer than a word or two",
            b"SELECT \"a\" FROM t WHERE x = 'caf\xc3\xa9' -- and more after it",
            b"01234567\xc3\xa9 then ascii",
            b"0123456\xc3\xa9 split across words",
            b"01234567\n",
            b"valid prefix, then \xff invalid",
            b"\xe2\x82",
            b"tab\there, quote\" and backslash\\ in ascii",
        ];
        for bytes in cases {
            let expected = rendered(|o| match std::str::from_utf8(bytes) {
                Ok(s) => write_string(o, s),
                Err(_) => write_hex(o, bytes, 0),
            });
            assert_eq!(rendered(|o| write_text(o, bytes)), expected, "{bytes:?}");
        }
    }

    #[test]
    fn text_is_a_string_when_utf8_else_hex() {
        assert_eq!(rendered(|o| write_text(o, "é".as_bytes())), r#""é""#);
        assert_eq!(
            rendered(|o| write_text(o, b"\xff\x00a")),
            r#"{"hex":"ff0061"}"#
        );
    }
}
