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
use std::io::Read as _;

use nom::bytes::complete::take;
use nom::error::context;
use nom::number::complete::{le_u16, le_u32};
use nom::Parser;

use super::column_type::ColumnType;
use super::table_map::{Column, TableMap};
use super::value::{decode, Value};
use super::wire::{bit_lsb, bitmap_len, count_set, le_u48, packed_int, packed_len};
use super::{RowsAction, RowsEventKind, RowsVersion};
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
        let post_header = ctx.post_header_len(kind.type_code());
        let wide_id = post_header != 6;
        let has_extra = match post_header {
            0 => kind.version == RowsVersion::V2,
            n => n == ROWS_HEADER_LEN_V2,
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
            columns: &map.columns,
            json_columns,
            pos: 0,
            failed: false,
        })
    }

    /// Appends every row as JSON: `[{"before":[…],"after":[…]},…]` (only the images the
    /// action has), one entry per column present in each image, values rendered by
    /// [`Value::write_json`].
    pub fn write_rows_json(
        &self,
        map: &TableMap<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), DecodeError> {
        out.push(b'[');
        for (i, row) in self.rows(map)?.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            row?.write_json(out)?;
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

/// Turns a position in the rows part into a body-relative error.
#[derive(Debug, Clone, Copy)]
struct Locator {
    body_len: usize,
    /// Body offset of the position (the start of the compressed data when inflated).
    at: usize,
}

impl Locator {
    fn remaining(self) -> usize {
        self.body_len.saturating_sub(self.at)
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
    columns: &'r [Column],
    json_columns: usize,
    pos: usize,
    failed: bool,
}

/// One row change: the images its action carries.
#[derive(Debug, Clone)]
pub struct RowChange<'r> {
    /// The row before the change (UPDATE, DELETE, PARTIAL_UPDATE).
    pub before: Option<RowImage<'r>>,
    /// The row after the change (WRITE, UPDATE, PARTIAL_UPDATE).
    pub after: Option<RowImage<'r>>,
}

impl RowChange<'_> {
    /// Appends `{"before":[…],"after":[…]}` with the images present.
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        out.push(b'{');
        if let Some(b) = &self.before {
            out.extend_from_slice(b"\"before\":");
            b.write_json(out)?;
        }
        if let Some(a) = &self.after {
            if self.before.is_some() {
                out.push(b',');
            }
            out.extend_from_slice(b"\"after\":");
            a.write_json(out)?;
        }
        out.push(b'}');
        Ok(())
    }
}

/// One row image: the present columns' values, decoded on demand by
/// [`RowImage::iter`]. The image's layout was checked when it was framed.
#[derive(Debug, Clone)]
pub struct RowImage<'r> {
    columns: &'r [Column],
    present: &'r [u8],
    nulls: &'r [u8],
    values: &'r [u8],
    /// Bit per JSON column of the table, set = stored as diffs (partial after images).
    partial_json: Option<&'r [u8]>,
    /// Pre-GA layout: the table's record null bytes (a leading "deleted" bit, then one
    /// bit per column) and every value stored even when NULL.
    pre_ga: bool,
    locator: Locator,
}

/// A column value with its column index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell<'r> {
    /// Index of the column in the table.
    pub column: usize,
    /// The value.
    pub value: Value<'r>,
}

impl<'r> RowImage<'r> {
    /// Number of columns present in the image.
    pub fn len(&self) -> usize {
        count_set(self.present, self.columns.len())
    }

    /// Whether no column is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether column `i` is present in the image.
    pub fn has_column(&self, i: usize) -> bool {
        i < self.columns.len() && bit_lsb(self.present, i)
    }

    /// The present columns' values in column order.
    pub fn iter(&self) -> Cells<'r> {
        Cells {
            image: self.clone(),
            column: 0,
            present_index: 0,
            json_index: 0,
            pos: 0,
        }
    }

    /// The value of column `i`, if present in the image.
    pub fn get(&self, i: usize) -> Option<Result<Value<'r>, DecodeError>> {
        if !self.has_column(i) {
            return None;
        }
        self.iter()
            .find(|c| c.as_ref().map_or(true, |c| c.column == i))
            .map(|c| c.map(|c| c.value))
    }

    /// Appends `[v0, v1, …]`, one entry per present column (see [`Value::write_json`]).
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        out.push(b'[');
        for (k, cell) in self.iter().enumerate() {
            let cell = cell?;
            if k > 0 {
                out.push(b',');
            }
            cell.value
                .write_json(self.columns.get(cell.column), out)
                .map_err(|what| DecodeError::new(self.locator.remaining(), what))?;
        }
        out.push(b']');
        Ok(())
    }
}

/// Iterator over the values of a [`RowImage`].
#[derive(Debug, Clone)]
pub struct Cells<'r> {
    image: RowImage<'r>,
    column: usize,
    present_index: usize,
    json_index: usize,
    pos: usize,
}

impl<'r> Iterator for Cells<'r> {
    type Item = Result<Cell<'r>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let img = &self.image;
        while self.column < img.columns.len() {
            let i = self.column;
            let col = &img.columns[i];
            self.column += 1;
            let partial = if col.kind == ColumnType::Json {
                self.json_index += 1;
                img.partial_json
                    .is_some_and(|b| bit_lsb(b, self.json_index - 1))
            } else {
                false
            };
            if !bit_lsb(img.present, i) {
                continue;
            }
            let null_bit = if img.pre_ga {
                self.present_index + 1
            } else {
                self.present_index
            };
            self.present_index += 1;
            let null = bit_lsb(img.nulls, null_bit);
            if null && !img.pre_ga {
                return Some(Ok(Cell {
                    column: i,
                    value: Value::Null,
                }));
            }
            let data = img.values.get(self.pos..).unwrap_or(&[]);
            return Some(match decode(col, partial, data) {
                Ok((value, used)) => {
                    self.pos += used;
                    let value = if null { Value::Null } else { value };
                    Ok(Cell { column: i, value })
                }
                Err(what) => {
                    self.column = img.columns.len();
                    Err(DecodeError::new(img.locator.remaining(), what))
                }
            });
        }
        None
    }
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
        let n_present = count_set(present, self.columns.len());
        let null_len = bitmap_len(n_present + usize::from(pre_ga));
        let start = self.pos;
        let nulls = rows
            .get(start..start.saturating_add(null_len))
            .ok_or_else(|| self.err(start, "a row's null bitmap"))?;
        let values_at = start + null_len;
        let mut p = values_at;
        let (mut present_index, mut json_index) = (0usize, 0usize);
        for (i, col) in self.columns.iter().enumerate() {
            let partial = if col.kind == ColumnType::Json {
                json_index += 1;
                partial_json.is_some_and(|b| bit_lsb(b, json_index - 1))
            } else {
                false
            };
            if !bit_lsb(present, i) {
                continue;
            }
            let null_bit = present_index + usize::from(pre_ga);
            present_index += 1;
            if bit_lsb(nulls, null_bit) && !pre_ga {
                continue;
            }
            let data = rows.get(p..).unwrap_or(&[]);
            let (_, used) = decode(col, partial, data).map_err(|what| self.err(p, what))?;
            p += used;
        }
        self.pos = p;
        Ok(RowImage {
            columns: self.columns,
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
        let r = self.next_row();
        self.failed = r.is_err();
        Some(r)
    }
}
