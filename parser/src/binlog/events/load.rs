//! `LOAD_EVENT` (type 6) and `NEW_LOAD_EVENT` (type 12): `LOAD DATA INFILE` as MySQL
//! 3.23–4.x logged it. They differ only in the separators block: LOAD stores each
//! separator as one byte, NEW_LOAD as length-prefixed strings.

use std::fmt;

use nom::number::complete::{le_u32, le_u8};

use super::Text;
use crate::binlog::wire::{bytes, cstr, skip_post_header_rest, str_u8};
use crate::decode::{finish, DecodeError, Parsed};

/// Fixed post-header of LOAD, NEW_LOAD and CREATE_FILE.
pub const LOAD_POST_HEADER_LEN: usize = 18;

/// The `FIELDS … LINES …` clause (`sql_ex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators<'a> {
    /// `FIELDS TERMINATED BY`.
    pub field_term: &'a [u8],
    /// `ENCLOSED BY`.
    pub enclosed: &'a [u8],
    /// `LINES TERMINATED BY`.
    pub line_term: &'a [u8],
    /// `LINES STARTING BY`.
    pub line_start: &'a [u8],
    /// `ESCAPED BY`.
    pub escaped: &'a [u8],
    /// `OPT_ENCLOSED`, `REPLACE`, `IGNORE` bits.
    pub opt_flags: u8,
    /// Old format only: which separators are empty (new format has no such byte: 0).
    pub empty_flags: u8,
}

/// A decoded LOAD, NEW_LOAD (or the load part of CREATE_FILE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Load<'a> {
    /// Session id.
    pub thread_id: u32,
    /// Seconds the load took.
    pub exec_time: u32,
    /// `IGNORE n LINES`.
    pub skip_lines: u32,
    /// Target table.
    pub table: &'a [u8],
    /// Default database.
    pub schema: &'a [u8],
    /// The separators.
    pub separators: Separators<'a>,
    /// Number of column names.
    pub num_fields: u32,
    /// One length byte per column name.
    pub field_lens: &'a [u8],
    /// Column names, each NUL-terminated.
    pub fields: &'a [u8],
    /// The file name given to `LOAD DATA`.
    pub file_name: &'a [u8],
}

impl<'a> Load<'a> {
    /// Decodes a LOAD (`new_format` false) or NEW_LOAD (`new_format` true) body.
    pub fn parse(
        body: &'a [u8],
        post_header_len: usize,
        new_format: bool,
    ) -> Result<Self, DecodeError> {
        finish(Self::fields(body, post_header_len, 0, new_format, false)).map(|(_, (l, _))| l)
    }

    /// Shared decoder. `extra` bytes of post-header after the LOAD fields are returned
    /// unread (CREATE_FILE's file id); `nul_terminated_name` is CREATE_FILE's layout,
    /// where the file name ends in a NUL and data follows.
    pub(crate) fn fields(
        i: &'a [u8],
        post_header_len: usize,
        extra: usize,
        new_format: bool,
        nul_terminated_name: bool,
    ) -> Parsed<'a, (Self, &'a [u8])> {
        let (i, thread_id) = le_u32(i)?;
        let (i, exec_time) = le_u32(i)?;
        let (i, skip_lines) = le_u32(i)?;
        let (i, table_len) = le_u8(i)?;
        let (i, schema_len) = le_u8(i)?;
        let (i, num_fields) = le_u32(i)?;
        let (i, ()) = skip_post_header_rest(i, post_header_len, LOAD_POST_HEADER_LEN)?;
        let (i, extra_fields) = bytes(i, extra)?;
        let (i, separators) = if new_format {
            new_separators(i)?
        } else {
            old_separators(i)?
        };
        let (i, field_lens) = bytes(i, usize::try_from(num_fields).unwrap_or(usize::MAX))?;
        let names_len = field_lens
            .iter()
            .map(|&n| usize::from(n) + 1)
            .sum::<usize>();
        let (i, fields) = bytes(i, names_len)?;
        let (i, table) = bytes(i, usize::from(table_len))?;
        let (i, _) = bytes(i, 1)?;
        let (i, schema) = bytes(i, usize::from(schema_len))?;
        let (i, _) = bytes(i, 1)?;
        let (i, file_name) = if nul_terminated_name {
            cstr(i)?
        } else {
            (&i[i.len()..], i)
        };
        Ok((
            i,
            (
                Load {
                    thread_id,
                    exec_time,
                    skip_lines,
                    table,
                    schema,
                    separators,
                    num_fields,
                    field_lens,
                    fields,
                    file_name,
                },
                extra_fields,
            ),
        ))
    }

    /// Column names given in the statement.
    pub fn field_names(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut rest = self.fields;
        std::iter::from_fn(move || {
            let (after, name) = cstr(rest).ok()?;
            rest = after;
            Some(name)
        })
    }
}

fn old_separators(i: &[u8]) -> Parsed<'_, Separators<'_>> {
    let (i, b) = bytes(i, 5)?;
    let (i, opt_flags) = le_u8(i)?;
    let (i, empty_flags) = le_u8(i)?;
    Ok((
        i,
        Separators {
            field_term: &b[0..1],
            enclosed: &b[1..2],
            line_term: &b[2..3],
            line_start: &b[3..4],
            escaped: &b[4..5],
            opt_flags,
            empty_flags,
        },
    ))
}

fn new_separators(i: &[u8]) -> Parsed<'_, Separators<'_>> {
    let (i, field_term) = str_u8(i)?;
    let (i, enclosed) = str_u8(i)?;
    let (i, line_term) = str_u8(i)?;
    let (i, line_start) = str_u8(i)?;
    let (i, escaped) = str_u8(i)?;
    let (i, opt_flags) = le_u8(i)?;
    Ok((
        i,
        Separators {
            field_term,
            enclosed,
            line_term,
            line_start,
            escaped,
            opt_flags,
            empty_flags: 0,
        },
    ))
}

impl fmt::Display for Load<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "use `{}`; LOAD DATA INFILE '{}' INTO TABLE `{}`",
            Text(self.schema),
            Text(self.file_name),
            Text(self.table)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_load_layout() {
        let mut b = Vec::new();
        for v in [3u32, 0, 1] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend([2, 4]);
        b.extend_from_slice(&2u32.to_le_bytes());
        b.extend([1, b',', 1, b'"', 1, b'\n', 0, 1, b'\\', 0]);
        b.extend([1, 2, b'a', 0, b'b', b'c', 0]);
        b.extend(b"t1\0test\0/tmp/x.txt");
        let l = Load::parse(&b, 18, true).unwrap();
        assert_eq!(
            (l.table, l.schema, l.file_name),
            (&b"t1"[..], &b"test"[..], &b"/tmp/x.txt"[..])
        );
        assert_eq!(l.separators.field_term, b",");
        assert_eq!(
            l.field_names().collect::<Vec<_>>(),
            vec![&b"a"[..], &b"bc"[..]]
        );
        assert_eq!(l.skip_lines, 1);
        assert_eq!(
            Load::parse(&b[..30], 18, true)
                .unwrap_err()
                .located(&b[..30]),
            (30, "more bytes")
        );
    }
}
