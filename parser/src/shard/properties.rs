//! The line grammar of `java.util.Properties.load`, which `shard.list` is read with
//! (spec §1.6), over UTF-16 code units as Java holds them.
//!
//! Natural lines end at `\n`, `\r` or `\r\n`. A line whose first non-blank character is
//! `#` or `!` is a comment; a blank line is skipped. A line ending in an odd number of
//! backslashes continues on the next one, whose leading blanks are dropped. The key
//! runs to the first unescaped `=`, `:` or blank; blanks, then one `=` or `:`, then
//! blanks are skipped; the value is the rest of the line, trailing blanks included.
//! Backslash escapes (`\t`, `\n`, `\r`, `\f`, `\uXXXX`, and `\x` for any other `x`)
//! are resolved in keys and values.

use super::ShardListProblem;

/// One `key=value` entry and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Property {
    pub key: Vec<u16>,
    pub value: Vec<u16>,
    pub line: usize,
}

const BACKSLASH: u16 = b'\\' as u16;

fn is_blank(unit: u16) -> bool {
    matches!(unit, 0x20 | 0x09 | 0x0C)
}

/// The entries of a properties text, in file order (duplicates kept; the caller lets the
/// later one win). Fails on a malformed `\uXXXX` escape, naming its line.
pub(crate) fn parse(text: &str) -> Result<Vec<Property>, (usize, ShardListProblem)> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let lines = natural_lines(&units);
    let mut properties = Vec::new();
    let mut next = 0;
    while next < lines.len() {
        let line = next + 1;
        let first = skip_blanks(lines[next]);
        next += 1;
        if matches!(first.first(), None | Some(&0x23) | Some(&0x21)) {
            continue; // blank, `#` or `!`
        }
        let mut logical = Vec::new();
        let mut current = first;
        loop {
            let trailing = current
                .iter()
                .rev()
                .take_while(|&&u| u == BACKSLASH)
                .count();
            if trailing % 2 == 0 {
                logical.extend_from_slice(current);
                break;
            }
            logical.extend_from_slice(&current[..current.len() - 1]);
            let Some(continued) = lines.get(next) else {
                break; // a continuation at the end of the file continues with nothing
            };
            current = skip_blanks(continued);
            next += 1;
        }
        let (key, value) = split_entry(&logical);
        properties.push(Property {
            key: unescape(key).map_err(|p| (line, p))?,
            value: unescape(value).map_err(|p| (line, p))?,
            line,
        });
    }
    Ok(properties)
}

fn natural_lines(units: &[u16]) -> Vec<&[u16]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < units.len() {
        match units[i] {
            0x0A => {
                lines.push(&units[start..i]);
                start = i + 1;
            }
            0x0D => {
                lines.push(&units[start..i]);
                if units.get(i + 1) == Some(&0x0A) {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < units.len() {
        lines.push(&units[start..]);
    }
    lines
}

fn skip_blanks(line: &[u16]) -> &[u16] {
    let blanks = line.iter().take_while(|&&u| is_blank(u)).count();
    &line[blanks..]
}

/// Splits a logical line into its (still escaped) key and value.
fn split_entry(line: &[u16]) -> (&[u16], &[u16]) {
    let mut key_end = line.len();
    let mut value_start = line.len();
    let mut separated = false;
    let mut escaped = false;
    for (i, &unit) in line.iter().enumerate() {
        if !escaped && (unit == u16::from(b'=') || unit == u16::from(b':')) {
            (key_end, value_start, separated) = (i, i + 1, true);
            break;
        }
        if !escaped && is_blank(unit) {
            (key_end, value_start) = (i, i + 1);
            break;
        }
        escaped = unit == BACKSLASH && !escaped;
    }
    while let Some(&unit) = line.get(value_start) {
        if !is_blank(unit) {
            if separated || (unit != u16::from(b'=') && unit != u16::from(b':')) {
                break;
            }
            separated = true;
        }
        value_start += 1;
    }
    (&line[..key_end], &line[value_start..])
}

fn unescape(text: &[u16]) -> Result<Vec<u16>, ShardListProblem> {
    let mut out = Vec::with_capacity(text.len());
    let mut units = text.iter().copied();
    while let Some(unit) = units.next() {
        if unit != BACKSLASH {
            out.push(unit);
            continue;
        }
        let Some(escaped) = units.next() else {
            break; // a lone final backslash was a line continuation
        };
        out.push(match u8::try_from(escaped) {
            Ok(b't') => 0x09,
            Ok(b'n') => 0x0A,
            Ok(b'r') => 0x0D,
            Ok(b'f') => 0x0C,
            Ok(b'u') => {
                let mut value = 0u16;
                for _ in 0..4 {
                    let digit = units
                        .next()
                        .and_then(|u| char::from_u32(u32::from(u)))
                        .and_then(|c| c.to_digit(16))
                        .ok_or(ShardListProblem::MalformedUnicodeEscape)?;
                    value = (value << 4) | digit as u16;
                }
                value
            }
            _ => escaped,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<(String, String, usize)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|p| {
                (
                    String::from_utf16(&p.key).unwrap(),
                    String::from_utf16(&p.value).unwrap(),
                    p.line,
                )
            })
            .collect()
    }

    fn entry(key: &str, value: &str, line: usize) -> (String, String, usize) {
        (key.into(), value.into(), line)
    }

    #[test]
    fn three_separators_and_leading_blanks() {
        assert_eq!(
            entries("a=1\n  b : 2\nc 3\nd\t=\t4\ne\n"),
            [
                entry("a", "1", 1),
                entry("b", "2", 2),
                entry("c", "3", 3),
                entry("d", "4", 4),
                entry("e", "", 5),
            ]
        );
    }

    #[test]
    fn trailing_blanks_stay_in_the_value() {
        assert_eq!(entries("a=1 \t"), [entry("a", "1 \t", 1)]);
    }

    #[test]
    fn comments_and_blank_lines_are_skipped_and_counted() {
        assert_eq!(
            entries("# c\n\n   ! c\n  \t\n#UNKNOWN=0\nx=1\r\ny=2\rz=3"),
            [entry("x", "1", 6), entry("y", "2", 7), entry("z", "3", 8)]
        );
    }

    #[test]
    fn escaped_hash_starts_a_key() {
        assert_eq!(entries("\\#UNKNOWN=0"), [entry("#UNKNOWN", "0", 1)]);
    }

    #[test]
    fn escaped_separators_and_blanks_belong_to_the_key() {
        assert_eq!(
            entries("a\\=b\\:c\\ d=1\nk\\\\=v"),
            [entry("a=b:c d", "1", 1), entry("k\\", "v", 2)]
        );
    }

    #[test]
    fn only_one_separator_is_skipped() {
        assert_eq!(entries("a = = 1"), [entry("a", "= 1", 1)]);
        assert_eq!(entries("a :=1"), [entry("a", "=1", 1)]);
    }

    #[test]
    fn escapes_in_values() {
        assert_eq!(entries("a=x\\ty\\u00e9\\q"), [entry("a", "x\ty\u{e9}q", 1)]);
    }

    #[test]
    fn continuation_lines_join_without_their_leading_blanks() {
        assert_eq!(
            entries("(critical)=a,\\\n     b,\\\n\tc\nnext=1"),
            [entry("(critical)", "a,b,c", 1), entry("next", "1", 4)]
        );
        // An even number of backslashes is an escaped backslash, not a continuation.
        assert_eq!(
            entries("a=x\\\\\nb=y"),
            [entry("a", "x\\", 1), entry("b", "y", 2)]
        );
        // A continued line starting with `#` is not a comment.
        assert_eq!(entries("a=1\\\n#2"), [entry("a", "1#2", 1)]);
        assert_eq!(entries("a=1\\"), [entry("a", "1", 1)]);
    }

    #[test]
    fn malformed_unicode_escape_names_the_line() {
        assert_eq!(
            parse("ok=1\nbad=\\u00g1"),
            Err((2, ShardListProblem::MalformedUnicodeEscape))
        );
        assert_eq!(
            parse("bad=\\u12"),
            Err((1, ShardListProblem::MalformedUnicodeEscape))
        );
    }
}
