//! WRITE/UPDATE/DELETE/PARTIAL_UPDATE rows events of every layout, and lazy iteration
//! over their row images given the table map.
//!
//! Body layout: table id (6 bytes, 4 when the post-header is 6), flags (2), for v2 an
//! extra-data block (2-byte length counting itself, then tagged items), the column count
//! (packed), the bitmap of columns present in the first image, for updates a second
//! bitmap for the after image, then the rows. Each image is a null bitmap over the
//! present columns followed by the non-NULL values. MariaDB's compressed variants zlib
//! the rows part behind a small header.

use std::borrow::Cow;
use std::fmt;
use std::io::Read as _;

use nom::bytes::complete::take;
use nom::error::context;
use nom::number::complete::{le_u16, le_u32};
use nom::Parser;

use super::column_type::ColumnType;
use super::row_image::{Locator, RowChange, RowImage};
use super::table_map::TableMap;
use super::value::value_len;
use super::wire::{bit_lsb, bitmap_len, count_set, le_u48, packed_len};
use super::{RowsAction, RowsEventKind, RowsVersion};
use crate::binlog::wire::packed_int;
use crate::binlog::FormatContext;
use crate::decode::{finish, DecodeError, Parsed};

/// Post-header length of v2 rows events (the extra-data length follows the flags).
const ROWS_HEADER_LEN_V2: usize = 10;
/// A compressed rows payload may not inflate past this (MySQL/MariaDB cap events at
/// `max_allowed_packet`, at most 1 GiB).
const MAX_UNCOMPRESSED_ROWS: usize = 1 << 30;
/// `value_options` bit: JSON columns flagged in the following bitmap are diffs.
const PARTIAL_JSON_UPDATES: u64 = 1;

/// Rows-event flag: last event of the statement.
pub const STMT_END_F: u16 = 0x0001;
/// Rows-event flag: foreign-key checks were off.
pub const NO_FOREIGN_KEY_CHECKS_F: u16 = 0x0002;
/// Rows-event flag: unique checks were relaxed.
pub const RELAXED_UNIQUE_CHECKS_F: u16 = 0x0004;
/// Rows-event flag: the rows carry every column.
pub const COMPLETE_ROWS_F: u16 = 0x0008;
/// Rows-event flag (MariaDB): CHECK constraints were not checked.
pub const NO_CHECK_CONSTRAINT_CHECKS_F: u16 = 0x0080;

/// The rows-event flags by name, in bit order.
const FLAG_NAMES: [(u16, &str); 5] = [
    (STMT_END_F, "STMT_END_F"),
    (NO_FOREIGN_KEY_CHECKS_F, "NO_FOREIGN_KEY_CHECKS_F"),
    (RELAXED_UNIQUE_CHECKS_F, "RELAXED_UNIQUE_CHECKS_F"),
    (COMPLETE_ROWS_F, "COMPLETE_ROWS_F"),
    (NO_CHECK_CONSTRAINT_CHECKS_F, "NO_CHECK_CONSTRAINT_CHECKS_F"),
];

/// NDB cluster information in a v2 rows event's extra data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdbInfo<'a> {
    /// Format of `data`.
    pub format: u8,
    /// The NDB payload.
    pub data: Cow<'a, [u8]>,
}

/// Partition information in a v2 rows event's extra data (MySQL 8.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionInfo {
    /// Partition the row goes to.
    pub partition_id: u16,
    /// For updates: the partition the row came from.
    pub source_partition_id: Option<u16>,
}

/// The extra data of a v2 rows event (`enum_extra_row_info_typecode`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraRowInfo<'a> {
    /// Tag 0.
    pub ndb: Option<NdbInfo<'a>>,
    /// Tag 1.
    pub partition: Option<PartitionInfo>,
    /// Bytes from the first unknown tag on (MySQL stops reading there too).
    pub unknown: Cow<'a, [u8]>,
}

/// The columns one image of a rows event holds (see [`RowsEvent::before_columns`]).
/// `binlog_row_image=MINIMAL` or `NOBLOB`, and NDB, log images without some columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageColumns<'r> {
    /// Bit i = column i, lowest bit first.
    bits: &'r [u8],
    /// Columns of the table.
    count: usize,
}

impl ImageColumns<'_> {
    /// Whether column `column` (0-based) is in the image.
    pub fn contains(&self, column: usize) -> bool {
        column < self.count && bit_lsb(self.bits, column)
    }

    /// Number of columns in the image.
    pub fn len(&self) -> usize {
        count_set(self.bits, self.count)
    }

    /// Whether the image holds no column.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the image holds every column of the table.
    pub fn is_complete(&self) -> bool {
        self.len() == self.count
    }

    /// The 0-based indexes of the columns in the image, in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.count).filter(|&i| bit_lsb(self.bits, i))
    }
}

/// A rows event (any action, layout or compression).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsEvent<'a> {
    /// Type-code facts.
    pub kind: RowsEventKind,
    /// The table map this event's rows follow.
    pub table_id: u64,
    /// Rows-event flags ([`STMT_END_F`]…).
    pub flags: u16,
    /// v2 extra data (`None` for other layouts).
    pub extra: Option<ExtraRowInfo<'a>>,
    /// Number of columns of the table as the event sees it.
    pub column_count: usize,
    /// Columns present in the first image: the after image of a WRITE, the before
    /// image of an UPDATE or DELETE (bit i = column i, lowest bit first).
    pub columns: Cow<'a, [u8]>,
    /// Columns present in the after image of an UPDATE (v1/v2; pre-GA updates use
    /// `columns` for both images).
    pub columns_after: Option<Cow<'a, [u8]>>,
    /// The rows part, inflated when the event was compressed.
    rows: Cow<'a, [u8]>,
    /// Where the rows part starts in the body, and the body length, to turn positions
    /// into error offsets.
    rows_at: usize,
    body_len: usize,
}

impl RowsEventKind {
    /// The kind for a rows-event type code (current numbering), if it is one.
    pub fn from_type_code(code: u8) -> Option<Self> {
        use RowsAction::*;
        use RowsVersion::*;
        let (action, version, compressed) = match code {
            20 => (Write, PreGa, false),
            21 => (Update, PreGa, false),
            22 => (Delete, PreGa, false),
            23 => (Write, V1, false),
            24 => (Update, V1, false),
            25 => (Delete, V1, false),
            30 => (Write, V2, false),
            31 => (Update, V2, false),
            32 => (Delete, V2, false),
            39 => (PartialUpdate, V2, false),
            166 => (Write, V1, true),
            167 => (Update, V1, true),
            168 => (Delete, V1, true),
            169 => (Write, V2, true),
            170 => (Update, V2, true),
            171 => (Delete, V2, true),
            _ => return None,
        };
        Some(RowsEventKind {
            action,
            version,
            compressed,
        })
    }

    /// The type code of this kind (inverse of [`RowsEventKind::from_type_code`]).
    pub fn type_code(self) -> u8 {
        let base: u8 = match (self.version, self.compressed) {
            (RowsVersion::PreGa, _) => 20,
            (RowsVersion::V1, false) => 23,
            (RowsVersion::V2, false) => 30,
            (RowsVersion::V1, true) => 166,
            (RowsVersion::V2, true) => 169,
        };
        match self.action {
            RowsAction::Write => base,
            RowsAction::Update => base + 1,
            RowsAction::Delete => base + 2,
            RowsAction::PartialUpdate => 39,
        }
    }

    fn has_after_bitmap(self) -> bool {
        matches!(self.action, RowsAction::Update | RowsAction::PartialUpdate)
            && self.version != RowsVersion::PreGa
    }
}

impl<'a> RowsEvent<'a> {
    /// Decodes a rows event body of the given kind. The table-id width and whether an
    /// extra-data block is present follow the FDE's post-header length for the type
    /// (falling back to the kind's layout when the FDE does not list it).
    pub fn parse(
        body: &'a [u8],
        ctx: &FormatContext,
        kind: RowsEventKind,
    ) -> Result<Self, DecodeError> {
        let (wide_id, has_extra) = match ctx.post_header_len(kind.type_code()) {
            // Not listed: the layout the kind implies (pre-GA trees had 4-byte ids).
            0 => (
                kind.version != RowsVersion::PreGa,
                kind.version == RowsVersion::V2,
            ),
            6 => (false, false),
            n => (true, n == ROWS_HEADER_LEN_V2),
        };
        let (rest, (table_id, flags)) = finish(post_header_fields(body, wide_id))?;
        let (rest, extra) = if has_extra {
            let (rest, extra) = finish(extra_data(rest, kind))?;
            (rest, Some(extra))
        } else {
            (rest, None)
        };
        let (rest, column_count) = finish(packed_len(rest, "the column count"))?;
        let (rest, columns) = finish(
            context("the columns-present bitmap", take(bitmap_len(column_count))).parse(rest),
        )?;
        let (rest, columns_after) = if kind.has_after_bitmap() {
            let (rest, b) = finish(
                context(
                    "the after-image columns bitmap",
                    take(bitmap_len(column_count)),
                )
                .parse(rest),
            )?;
            (rest, Some(Cow::Borrowed(b)))
        } else {
            (rest, None)
        };
        let rows_at = body.len() - rest.len();
        let rows = if kind.compressed {
            Cow::Owned(inflate(rest)?)
        } else {
            Cow::Borrowed(rest)
        };
        Ok(RowsEvent {
            kind,
            table_id,
            flags,
            extra,
            column_count,
            columns: Cow::Borrowed(columns),
            columns_after,
            rows,
            rows_at,
            body_len: body.len(),
        })
    }

    /// The columns of the before images: UPDATE, DELETE and PARTIAL_UPDATE events;
    /// `None` for writes.
    pub fn before_columns(&self) -> Option<ImageColumns<'_>> {
        (self.kind.action != RowsAction::Write).then(|| self.image_columns(&self.columns))
    }

    /// The columns of the after images: WRITE, UPDATE and PARTIAL_UPDATE events (pre-GA
    /// updates have one bitmap for both images); `None` for deletes.
    pub fn after_columns(&self) -> Option<ImageColumns<'_>> {
        (self.kind.action != RowsAction::Delete)
            .then(|| self.image_columns(self.columns_after.as_deref().unwrap_or(&self.columns)))
    }

    fn image_columns<'r>(&self, bits: &'r [u8]) -> ImageColumns<'r> {
        ImageColumns {
            bits,
            count: self.column_count,
        }
    }

    /// Length of the body this event was decoded from (errors are relative to it).
    pub(crate) fn body_len(&self) -> usize {
        self.body_len
    }

    /// The rows part (inflated for compressed events).
    pub fn rows_data(&self) -> &[u8] {
        &self.rows
    }

    /// Copies every borrowed byte so the event outlives its buffer.
    pub fn into_owned(self) -> RowsEvent<'static> {
        fn own(c: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
            Cow::Owned(c.into_owned())
        }
        RowsEvent {
            kind: self.kind,
            table_id: self.table_id,
            flags: self.flags,
            extra: self.extra.map(|e| ExtraRowInfo {
                ndb: e.ndb.map(|n| NdbInfo {
                    format: n.format,
                    data: own(n.data),
                }),
                partition: e.partition,
                unknown: own(e.unknown),
            }),
            column_count: self.column_count,
            columns: own(self.columns),
            columns_after: self.columns_after.map(own),
            rows: own(self.rows),
            rows_at: self.rows_at,
            body_len: self.body_len,
        }
    }

    /// Iterates the rows, decoding them with `map` (the table map for
    /// [`RowsEvent::table_id`]). Fails at once when the map is for another table or has
    /// a different column count.
    pub fn rows<'r>(&'r self, map: &'r TableMap<'_>) -> Result<Rows<'r>, DecodeError> {
        let here = self.locate(0);
        if map.table_id != self.table_id {
            return Err(DecodeError::new(
                here.remaining(),
                "the table map whose table id the rows event names",
            ));
        }
        if map.columns.len() != self.column_count {
            return Err(DecodeError::new(
                here.remaining(),
                "a rows event with as many columns as its table map",
            ));
        }
        let json_columns = map
            .columns
            .iter()
            .filter(|c| c.kind == ColumnType::Json)
            .count();
        Ok(Rows {
            event: self,
            table: map,
            json_columns,
            pos: 0,
            failed: false,
        })
    }

    /// Appends every row as JSON: `[{"before":[…],"after":[…]},…]` (only the images the
    /// action has), one entry per column present in each image, values rendered by
    /// [`Value::write_json`](super::Value::write_json).
    pub fn write_rows_json(
        &self,
        map: &TableMap<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        self.write_changes(map, out, false)
    }

    /// As [`RowsEvent::write_rows_json`], each image an object keyed by column name
    /// ([`RowChange::write_json_named`]).
    pub fn write_rows_json_named(
        &self,
        map: &TableMap<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        self.write_changes(map, out, true)
    }

    fn write_changes(
        &self,
        map: &TableMap<'_>,
        out: &mut Vec<u8>,
        named: bool,
    ) -> Result<(), DecodeError> {
        out.push(b'[');
        for (i, row) in self.rows(map)?.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            row?.write_images(out, named)?;
        }
        out.push(b']');
        Ok(())
    }

    fn locate(&self, pos: usize) -> Locator {
        Locator {
            body_len: self.body_len,
            at: if self.kind.compressed {
                self.rows_at
            } else {
                self.rows_at.saturating_add(pos)
            },
        }
    }
}

impl fmt::Display for RowsEvent<'_> {
    /// `table_id: 28 flags: STMT_END_F`, the flags named as mysqlbinlog names them and
    /// joined with `|` (`flags: 0` when none is set; bits no server defines in hex).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "table_id: {} flags: ", self.table_id)?;
        if self.flags == 0 {
            return f.write_str("0");
        }
        let mut rest = self.flags;
        let mut sep = "";
        for (bit, name) in FLAG_NAMES {
            if rest & bit != 0 {
                write!(f, "{sep}{name}")?;
                sep = "|";
                rest &= !bit;
            }
        }
        if rest != 0 {
            write!(f, "{sep}{rest:#06x}")?;
        }
        Ok(())
    }
}

fn post_header_fields(input: &[u8], wide_id: bool) -> Parsed<'_, (u64, u16)> {
    let (rest, table_id) = if wide_id {
        context("a 6-byte table id", le_u48).parse(input)?
    } else {
        context("a 4-byte table id", le_u32.map(u64::from)).parse(input)?
    };
    let (rest, flags) = context("rows-event flags", le_u16).parse(rest)?;
    Ok((rest, (table_id, flags)))
}

/// The v2 extra data: a length that counts its own 2 bytes, then tagged items.
fn extra_data(input: &[u8], kind: RowsEventKind) -> Parsed<'_, ExtraRowInfo<'_>> {
    let (rest, len) = context("the extra-data length", le_u16).parse(input)?;
    let Some(body_len) = usize::from(len).checked_sub(2) else {
        return DecodeError::at(input, "an extra-data length of at least 2").fail();
    };
    let (rest, mut items) = context("the extra data", take(body_len)).parse(rest)?;
    let mut extra = ExtraRowInfo::default();
    while let Some((&tag, after_tag)) = items.split_first() {
        match tag {
            0 => {
                // [length counting itself and the format byte][format][data]
                let n = usize::from(after_tag.first().copied().unwrap_or(0));
                if n < 2 || n > after_tag.len() {
                    return DecodeError::at(items, "NDB extra info within the extra data").fail();
                }
                extra.ndb = Some(NdbInfo {
                    format: after_tag[1],
                    data: Cow::Borrowed(&after_tag[2..n]),
                });
                items = &after_tag[n..];
            }
            1 => {
                let (r, partition_id) = context("a partition id", le_u16).parse(after_tag)?;
                let (r, source_partition_id) = if kind.has_after_bitmap() {
                    let (r, s) = context("a source partition id", le_u16).parse(r)?;
                    (r, Some(s))
                } else {
                    (r, None)
                };
                extra.partition = Some(PartitionInfo {
                    partition_id,
                    source_partition_id,
                });
                items = r;
            }
            _ => {
                extra.unknown = Cow::Borrowed(items);
                break;
            }
        }
    }
    Ok((rest, extra))
}

/// Inflates MariaDB's compressed rows: a header byte `1 alg(3) 0 lenlen(3)` (alg 0 =
/// zlib), `lenlen` bytes of big-endian uncompressed length, then the zlib stream.
fn inflate(input: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let bad = |what| DecodeError::at(input, what);
    let (&head, rest) = input.split_first().ok_or(bad("a compressed-rows header"))?;
    if head & 0x80 == 0 {
        return Err(bad("a compressed-rows header with its top bit set"));
    }
    if head & 0x70 != 0 {
        return Err(bad("compression algorithm 0 (zlib)"));
    }
    let lenlen = usize::from(head & 0x07);
    if !(1..=4).contains(&lenlen) {
        return Err(bad("an uncompressed-length size of 1-4 bytes"));
    }
    let len_bytes = rest.get(..lenlen).ok_or(bad("the uncompressed length"))?;
    let declared = len_bytes
        .iter()
        .fold(0usize, |v, &b| (v << 8) | usize::from(b));
    if declared > MAX_UNCOMPRESSED_ROWS {
        return Err(bad("an uncompressed rows size of at most 1 GiB"));
    }
    let stream = &rest[lenlen..];
    // Grow as data arrives rather than trusting the declared size up front.
    let mut out = Vec::with_capacity(declared.min(stream.len().saturating_mul(8).max(64)));
    flate2::read::ZlibDecoder::new(stream)
        .take(declared as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| bad("a valid zlib stream"))?;
    if out.len() != declared {
        return Err(bad("compressed rows that inflate to their declared size"));
    }
    Ok(out)
}

/// Iterator over the rows of a [`RowsEvent`]; see [`RowsEvent::rows`].
#[derive(Debug, Clone)]
pub struct Rows<'r> {
    event: &'r RowsEvent<'r>,
    table: &'r TableMap<'r>,
    json_columns: usize,
    pos: usize,
    failed: bool,
}

impl<'r> Rows<'r> {
    fn rows(&self) -> &'r [u8] {
        &self.event.rows
    }

    /// Frames one image starting at `self.pos`, checking every value fits.
    fn image(
        &mut self,
        present: &'r [u8],
        partial_json: Option<&'r [u8]>,
    ) -> Result<RowImage<'r>, DecodeError> {
        let rows = self.rows();
        let pre_ga = self.event.kind.version == RowsVersion::PreGa;
        let n_present = count_set(present, self.table.columns.len());
        let null_len = bitmap_len(n_present + usize::from(pre_ga));
        let start = self.pos;
        let nulls = rows
            .get(start..start.saturating_add(null_len))
            .ok_or_else(|| self.err(start, "a row's null bitmap"))?;
        let values_at = start + null_len;
        let mut p = values_at;
        let mut present_index = 0usize;
        for (i, col) in self.table.columns.iter().enumerate() {
            if !bit_lsb(present, i) {
                continue;
            }
            let null_bit = present_index + usize::from(pre_ga);
            present_index += 1;
            if bit_lsb(nulls, null_bit) && !pre_ga {
                continue;
            }
            // A partial JSON diff list has the same 4-byte length prefix as a document.
            let data = rows.get(p..).unwrap_or_default();
            p += value_len(col, data).map_err(|what| self.err(p, what))?;
        }
        self.pos = p;
        Ok(RowImage {
            table: self.table,
            present,
            nulls,
            values: &rows[values_at..p],
            partial_json,
            pre_ga,
            locator: self.event.locate(values_at),
        })
    }

    fn err(&self, pos: usize, what: &'static str) -> DecodeError {
        DecodeError::new(self.event.locate(pos).remaining(), what)
    }

    fn next_row(&mut self) -> Result<RowChange<'r>, DecodeError> {
        let event = self.event;
        let first: &'r [u8] = &event.columns;
        let after_cols: &'r [u8] = event.columns_after.as_deref().unwrap_or(first);
        match event.kind.action {
            RowsAction::Write => Ok(RowChange {
                before: None,
                after: Some(self.image(first, None)?),
            }),
            RowsAction::Delete => Ok(RowChange {
                before: Some(self.image(first, None)?),
                after: None,
            }),
            RowsAction::Update => {
                let before = self.image(first, None)?;
                let after = self.image(after_cols, None)?;
                Ok(RowChange {
                    before: Some(before),
                    after: Some(after),
                })
            }
            RowsAction::PartialUpdate => {
                let before = self.image(first, None)?;
                let rows = self.rows();
                let at = self.pos;
                let rest = rows.get(at..).unwrap_or(&[]);
                let (rest2, options) =
                    packed_int(rest).map_err(|_| self.err(at, "the row's value options"))?;
                self.pos = rows.len() - rest2.len();
                let partial = if options & PARTIAL_JSON_UPDATES != 0 {
                    let n = bitmap_len(self.json_columns);
                    let at = self.pos;
                    let bits = rows
                        .get(at..at + n)
                        .ok_or_else(|| self.err(at, "the partial-JSON column bitmap"))?;
                    self.pos += n;
                    Some(bits)
                } else {
                    None
                };
                let after = self.image(after_cols, partial)?;
                Ok(RowChange {
                    before: Some(before),
                    after: Some(after),
                })
            }
        }
    }
}

impl<'r> Iterator for Rows<'r> {
    type Item = Result<RowChange<'r>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.rows().len() {
            return None;
        }
        let start = self.pos;
        // A row with no column present (or a table of no columns) occupies no bytes:
        // it cannot be told apart from the next one, and would repeat forever.
        let r = self.next_row().and_then(|row| match self.pos {
            p if p == start => Err(self.err(start, "a row image with at least one column")),
            _ => Ok(row),
        });
        self.failed = r.is_err();
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;
    use crate::binlog::rows::test_support::{ctx, rows_body, table_map_body};
    use crate::binlog::rows::Value;

    fn kind(code: u8) -> RowsEventKind {
        RowsEventKind::from_type_code(code).unwrap()
    }

    /// Renders every row of an event as JSON text.
    fn render(ev: &RowsEvent<'_>, map: &TableMap<'_>) -> String {
        let mut out = Vec::new();
        ev.write_rows_json(map, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// INT, VARCHAR(20), both nullable.
    fn int_varchar_map() -> Vec<u8> {
        table_map_body(42, b"db", b"t", &[3, 15], &[20, 0], &[0b11], &[])
    }

    #[test]
    fn v2_write_with_nulls() {
        let map_body = int_varchar_map();
        let map = TableMap::parse(&map_body, &ctx()).unwrap();
        let mut rows = vec![0b00];
        rows.extend_from_slice(&5i32.to_le_bytes());
        rows.extend_from_slice(b"\x02ab");
        rows.push(0b10); // column 1 NULL
        rows.extend_from_slice(&(-1i32).to_le_bytes());
        rows.push(0b11); // both NULL
        let body = rows_body(42, Some(&[]), 2, &[0b11], None, &rows);
        let ev = RowsEvent::parse(&body, &ctx(), kind(30)).unwrap();
        assert_eq!(ev.flags, STMT_END_F);
        assert_eq!(ev.extra, Some(ExtraRowInfo::default()));
        assert_eq!(ev.before_columns(), None);
        assert_eq!(
            ev.after_columns().unwrap().iter().collect::<Vec<_>>(),
            [0, 1]
        );
        assert_eq!(
            render(&ev, &map),
            r#"[{"after":[5,"ab"]},{"after":[-1,null]},{"after":[null,null]}]"#
        );
        let first = ev.rows(&map).unwrap().next().unwrap().unwrap();
        let after = first.after.unwrap();
        assert_eq!(after.len(), 2);
        assert_eq!(after.get(1).unwrap().unwrap(), Value::String(b"ab"));
        assert!(first.before.is_none());
    }

    #[test]
    fn vector_values_match_their_dimensions_and_render_as_hex() {
        // INT, VECTOR(2), VECTOR(1); VECTOR_DIMENSIONALITY lists 2 and 1.
        let map_body = table_map_body(9, b"d", b"v", &[3, 242, 242], &[4, 4], &[0], &[13, 2, 2, 1]);
        let map = TableMap::parse(&map_body, &ctx()).unwrap();
        let mut rows = vec![0b000];
        rows.extend_from_slice(&7i32.to_le_bytes());
        let pair: Vec<u8> = [1.0f32, -2.5]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        rows.extend_from_slice(&(pair.len() as u32).to_le_bytes());
        rows.extend_from_slice(&pair);
        rows.extend_from_slice(&4u32.to_le_bytes());
        rows.extend_from_slice(&0.5f32.to_le_bytes());
        let body = rows_body(9, Some(&[]), 3, &[0b111], None, &rows);
        let ev = RowsEvent::parse(&body, &ctx(), kind(30)).unwrap();
        let row = ev.rows(&map).unwrap().next().unwrap().unwrap();
        for cell in row.after.unwrap().iter().skip(1) {
            let cell = cell.unwrap();
            let Value::Vector(v) = cell.value else {
                panic!("{cell:?}")
            };
            // FLOAT32 elements: 4 bytes each.
            let dims = map.columns[cell.column].vector_dimensions.unwrap();
            assert_eq!(v.len() as u64, 4 * dims);
        }
        // 1.0 = 0x3f800000, -2.5 = 0xc0200000, 0.5 = 0x3f000000, little-endian.
        assert_eq!(
            render(&ev, &map),
            r#"[{"after":[7,{"hex":"0000803f000020c0"},{"hex":"0000003f"}]}]"#
        );
    }

    #[test]
    fn v1_update_with_different_bitmaps_and_delete() {
        let map_body = int_varchar_map();
        let map = TableMap::parse(&map_body, &ctx()).unwrap();
        // Before image: column 0 only; after image: both columns.
        let mut rows = vec![0b0];
        rows.extend_from_slice(&7i32.to_le_bytes());
        rows.push(0b00);
        rows.extend_from_slice(&8i32.to_le_bytes());
        rows.extend_from_slice(b"\x01z");
        let body = rows_body(42, None, 2, &[0b01], Some(&[0b11]), &rows);
        let ev = RowsEvent::parse(&body, &ctx(), kind(24)).unwrap();
        assert_eq!(ev.extra, None);
        let before = ev.before_columns().unwrap();
        assert_eq!(before.iter().collect::<Vec<_>>(), [0]);
        assert!(!before.is_complete() && before.contains(0) && !before.contains(1));
        assert!(ev.after_columns().unwrap().is_complete());
        assert_eq!(render(&ev, &map), r#"[{"before":[7],"after":[8,"z"]}]"#);
        let change = ev.rows(&map).unwrap().next().unwrap().unwrap();
        let before = change.before.unwrap();
        assert!(before.has_column(0) && !before.has_column(1));
        let cols: Vec<_> = before.iter().map(|c| c.unwrap().column).collect();
        assert_eq!(cols, [0]);

        let mut rows = vec![0b0];
        rows.extend_from_slice(&9i32.to_le_bytes());
        let body = rows_body(42, None, 2, &[0b01], None, &rows);
        let ev = RowsEvent::parse(&body, &ctx(), kind(25)).unwrap();
        assert_eq!(render(&ev, &map), r#"[{"before":[9]}]"#);
        assert_eq!(ev.before_columns().unwrap().len(), 1);
        assert_eq!(ev.after_columns(), None);
    }

    #[test]
    fn v2_extra_data_items() {
        let map_body = int_varchar_map();
        let map = TableMap::parse(&map_body, &ctx()).unwrap();
        // NDB (length 4 counts itself and the format byte), partition for an update
        // (target 3, source 7), then a tag this decoder does not know.
        let extra = [0, 4, 1, 0xAA, 0xBB, 1, 3, 0, 7, 0, 9, 1, 2];
        let mut rows = vec![0b10];
        rows.extend_from_slice(&1i32.to_le_bytes());
        rows.push(0b10);
        rows.extend_from_slice(&2i32.to_le_bytes());
        let body = rows_body(42, Some(&extra), 2, &[0b11], Some(&[0b11]), &rows);
        let ev = RowsEvent::parse(&body, &ctx(), kind(31)).unwrap();
        let x = ev.extra.clone().unwrap();
        let ndb = x.ndb.unwrap();
        assert_eq!((ndb.format, &*ndb.data), (1, &[0xAA, 0xBB][..]));
        assert_eq!(
            x.partition,
            Some(PartitionInfo {
                partition_id: 3,
                source_partition_id: Some(7)
            })
        );
        assert_eq!(&*x.unknown, &[9, 1, 2]);
        assert_eq!(
            render(&ev, &map),
            r#"[{"before":[1,null],"after":[2,null]}]"#
        );
        // A write's partition item has no source partition.
        let body = rows_body(42, Some(&[1, 5, 0]), 2, &[0b11], None, &[]);
        let ev = RowsEvent::parse(&body, &ctx(), kind(30)).unwrap();
        assert_eq!(
            ev.extra.unwrap().partition,
            Some(PartitionInfo {
                partition_id: 5,
                source_partition_id: None
            })
        );
        // Length below 2, and an NDB item longer than the extra data.
        let mut bad = rows_body(42, Some(&[]), 2, &[0b11], None, &[]);
        bad[8] = 1;
        assert_eq!(
            RowsEvent::parse(&bad, &ctx(), kind(30))
                .unwrap_err()
                .located(&bad),
            (8, "an extra-data length of at least 2")
        );
        let bad = rows_body(42, Some(&[0, 9, 1]), 2, &[0b11], None, &[]);
        assert_eq!(
            RowsEvent::parse(&bad, &ctx(), kind(30))
                .unwrap_err()
                .located(&bad),
            (12, "NDB extra info within the extra data")
        );
    }

    #[test]
    fn partial_update_with_json_diffs() {
        // INT, JSON, JSON (pack length 4).
        let map_body = table_map_body(7, b"d", b"j", &[3, 245, 245], &[4, 4], &[0b110], &[]);
        let map = TableMap::parse(&map_body, &ctx()).unwrap();
        let mut rows = vec![0b0];
        rows.extend_from_slice(&1i32.to_le_bytes()); // before: id only
        rows.push(1); // value_options = PARTIAL_JSON_UPDATES
        rows.push(0b01); // first JSON column partial, second full
        rows.push(0b00); // after image null bitmap over columns 1, 2
        let mut diff = vec![0, 5];
        diff.extend_from_slice(b"$.age");
        diff.extend_from_slice(&[3, 0x05, 26, 0]);
        rows.extend_from_slice(&(diff.len() as u32).to_le_bytes());
        rows.extend_from_slice(&diff);
        rows.extend_from_slice(&2u32.to_le_bytes());
        rows.extend_from_slice(&[0x04, 0x01]); // literal true
        let body = rows_body(7, Some(&[]), 3, &[0b001], Some(&[0b110]), &rows);
        let ev = RowsEvent::parse(&body, &ctx(), kind(39)).unwrap();
        assert_eq!(
            render(&ev, &map),
            r#"[{"before":[1],"after":[{"json_diff":[{"op":"REPLACE","path":"$.age","value":26}]},true]}]"#
        );
        // value_options 0: no partial bitmap, JSON stored whole.
        let mut rows = vec![0b0];
        rows.extend_from_slice(&1i32.to_le_bytes());
        rows.push(0);
        rows.push(0b10); // column 2 NULL
        rows.extend_from_slice(&2u32.to_le_bytes());
        rows.extend_from_slice(&[0x04, 0x02]);
        let body = rows_body(7, Some(&[]), 3, &[0b001], Some(&[0b110]), &rows);
        let ev = RowsEvent::parse(&body, &ctx(), kind(39)).unwrap();
        assert_eq!(
            render(&ev, &map),
            r#"[{"before":[1],"after":[false,null]}]"#
        );
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn mariadb_compressed_rows() {
        let map_body = int_varchar_map();
        let map = TableMap::parse(&map_body, &ctx()).unwrap();
        let mut plain = Vec::new();
        for i in 0..50i32 {
            plain.push(0);
            plain.extend_from_slice(&i.to_le_bytes());
            plain.extend_from_slice(b"\x03abc");
        }
        // Header: top bit, algorithm 0, 2 length bytes (big-endian), then zlib.
        let mut packed = vec![0x82];
        packed.extend_from_slice(&(plain.len() as u16).to_be_bytes());
        packed.extend_from_slice(&zlib(&plain));
        let body = rows_body(42, None, 2, &[0b11], None, &packed);
        let ev = RowsEvent::parse(&body, &ctx(), kind(166)).unwrap();
        assert_eq!(ev.rows_data(), &plain[..]);
        assert_eq!(ev.rows(&map).unwrap().count(), 50);
        let owned = ev.clone().into_owned();
        assert_eq!(owned, ev);

        let with_header = |head: &[u8]| {
            let mut p = head.to_vec();
            p.extend_from_slice(&zlib(&plain));
            rows_body(42, None, 2, &[0b11], None, &p)
        };
        let wrong_size = (plain.len() as u16 + 1).to_be_bytes();
        // The compressed-rows header starts at byte 10 of these bodies.
        for (head, expected) in [
            (
                vec![0x82, wrong_size[0], wrong_size[1]],
                "compressed rows that inflate to their declared size",
            ),
            (
                vec![0x02, 0, 1],
                "a compressed-rows header with its top bit set",
            ),
            (vec![0x92, 0, 1], "compression algorithm 0 (zlib)"),
            (
                vec![0x85, 0, 0, 0, 0, 1],
                "an uncompressed-length size of 1-4 bytes",
            ),
            (
                vec![0x84, 0x7f, 0xff, 0xff, 0xff],
                "an uncompressed rows size of at most 1 GiB",
            ),
        ] {
            let body = with_header(&head);
            assert_eq!(
                RowsEvent::parse(&body, &ctx(), kind(166))
                    .unwrap_err()
                    .located(&body),
                (10, expected),
                "{head:02x?}"
            );
        }
        let mut garbage = vec![0x81, 10];
        garbage.extend_from_slice(b"not zlib at all");
        let body = rows_body(42, None, 2, &[0b11], None, &garbage);
        assert_eq!(
            RowsEvent::parse(&body, &ctx(), kind(166))
                .unwrap_err()
                .located(&body),
            (10, "a valid zlib stream")
        );
    }

    #[test]
    fn pre_ga_rows_keep_null_values_and_4_byte_ids() {
        let mut c = ctx();
        c.post_header_lengths[19] = 6;
        c.post_header_lengths[20] = 6;
        // Pre-GA map: nothing after the types (INT, CHAR).
        let map_body = [9, 0, 0, 0, 0, 0, 1, b'd', 0, 1, b't', 0, 2, 3, 254];
        let map = TableMap::parse(&map_body, &c).unwrap();
        // Record null byte: bit 0 is the deleted-row bit, then one bit per column; the
        // NULL column's bytes are still stored.
        let mut rows = vec![0b1111_1011];
        rows.extend_from_slice(&3i32.to_le_bytes());
        rows.extend_from_slice(b"\x03one");
        rows.push(0b1111_1001);
        rows.extend_from_slice(&4i32.to_le_bytes());
        rows.extend_from_slice(b"\x03two");
        let mut body = vec![9, 0, 0, 0, 1, 0, 2, 0b11];
        body.extend_from_slice(&rows);
        let ev = RowsEvent::parse(&body, &c, kind(20)).unwrap();
        assert_eq!(ev.table_id, 9);
        assert_eq!(
            render(&ev, &map),
            r#"[{"after":[null,"one"]},{"after":[4,"two"]}]"#
        );
    }

    #[test]
    fn flags_are_shown_by_name() {
        let mut body = rows_body(42, None, 2, &[0b11], None, &[]);
        let mut shown = |flags: u16| {
            body[6..8].copy_from_slice(&flags.to_le_bytes());
            RowsEvent::parse(&body, &ctx(), kind(23))
                .unwrap()
                .to_string()
        };
        assert_eq!(shown(0), "table_id: 42 flags: 0");
        assert_eq!(shown(STMT_END_F), "table_id: 42 flags: STMT_END_F");
        assert_eq!(
            shown(0x0f),
            "table_id: 42 flags: STMT_END_F|NO_FOREIGN_KEY_CHECKS_F|RELAXED_UNIQUE_CHECKS_F|COMPLETE_ROWS_F"
        );
        assert_eq!(
            shown(0x0080 | 0x0100 | 0x0002),
            "table_id: 42 flags: NO_FOREIGN_KEY_CHECKS_F|NO_CHECK_CONSTRAINT_CHECKS_F|0x0100"
        );
    }

    #[test]
    fn layout_from_the_kind_when_the_fde_lists_no_post_header() {
        let mut c = ctx();
        c.post_header_lengths = [0; 256];
        let body = rows_body(42, Some(&[]), 2, &[0b11], None, &[]);
        let ev = RowsEvent::parse(&body, &c, kind(30)).unwrap();
        assert_eq!((ev.table_id, ev.extra.is_some()), (42, true));
        let body = rows_body(42, None, 2, &[0b11], None, &[]);
        let ev = RowsEvent::parse(&body, &c, kind(23)).unwrap();
        assert_eq!((ev.table_id, ev.extra.is_none()), (42, true));
        let body = [42, 0, 0, 0, 1, 0, 2, 0b11];
        let ev = RowsEvent::parse(&body, &c, kind(20)).unwrap();
        assert_eq!((ev.table_id, ev.column_count), (42, 2));
    }

    #[test]
    fn a_bitmap_naming_no_column_is_an_error_not_an_endless_iteration() {
        let map_body = int_varchar_map();
        let map = TableMap::parse(&map_body, &ctx()).unwrap();
        let body = rows_body(42, None, 2, &[0b00], None, &[1, 2, 3]);
        let ev = RowsEvent::parse(&body, &ctx(), kind(23)).unwrap();
        let rows: Vec<_> = ev.rows(&map).unwrap().collect();
        assert_eq!(rows.len(), 1);
        // The row image (bytes 10..13 of the body) names no column.
        let err = rows[0].as_ref().unwrap_err();
        assert_eq!(
            err.located(&body),
            (10, "a row image with at least one column")
        );
    }

    #[test]
    fn map_mismatches_are_errors() {
        let map_body = int_varchar_map();
        let map = TableMap::parse(&map_body, &ctx()).unwrap();
        let body = rows_body(43, None, 2, &[0b11], None, &[]);
        let ev = RowsEvent::parse(&body, &ctx(), kind(23)).unwrap();
        assert_eq!(
            ev.rows(&map).unwrap_err().located(&body),
            (
                body.len(),
                "the table map whose table id the rows event names"
            )
        );
        let body = rows_body(42, None, 3, &[0b111], None, &[]);
        let ev = RowsEvent::parse(&body, &ctx(), kind(23)).unwrap();
        let e = ev.rows(&map).unwrap_err();
        assert_eq!(
            e.expected,
            "a rows event with as many columns as its table map"
        );
        let mut maps = super::super::TableMaps::new();
        assert_eq!(
            maps.rows(&ev).unwrap_err().located(&body),
            (
                0,
                "a table map for the rows event's table id earlier in the log"
            )
        );
        maps.insert(map);
        assert_eq!(
            maps.rows(&ev).unwrap_err().located(&body),
            (
                body.len(),
                "a rows event with as many columns as its table map"
            )
        );
    }

    #[test]
    fn every_truncation_is_an_error_with_an_offset_inside_the_body() {
        let map_body = int_varchar_map();
        let map = TableMap::parse(&map_body, &ctx()).unwrap();
        let mut rows = vec![0b00];
        rows.extend_from_slice(&5i32.to_le_bytes());
        rows.extend_from_slice(b"\x02ab");
        let body = rows_body(42, Some(&[1, 2, 0, 3, 0]), 2, &[0b11], Some(&[0b11]), &[]);
        let mut full = body.clone();
        full.extend_from_slice(&rows);
        full.extend_from_slice(&rows);
        for cut in 0..full.len() {
            let part = &full[..cut];
            let outcome = RowsEvent::parse(part, &ctx(), kind(31)).and_then(|ev| {
                for r in ev.rows(&map)? {
                    r?;
                }
                Ok(())
            });
            if cut == body.len() {
                assert!(outcome.is_ok(), "an event without rows is fine");
                continue;
            }
            let e = outcome.expect_err("truncated");
            assert!(e.remaining <= part.len(), "cut {cut}: {e:?}");
        }
    }
}
