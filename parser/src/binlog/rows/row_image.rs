//! Row images: which columns an image holds, their values decoded on demand, and the
//! JSON rendering of an image and of a row change.

use super::column_type::ColumnType;
use super::table_map::TableMap;
use super::value::{decode, Value};
use super::wire::{bit_lsb, count_set};
use crate::decode::DecodeError;
use crate::json::{write_string, write_text};

/// Turns a position in the rows part into a body-relative error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Locator {
    pub(crate) body_len: usize,
    /// Body offset of the position (the start of the compressed data when inflated).
    pub(crate) at: usize,
}

impl Locator {
    pub(crate) fn remaining(self) -> usize {
        self.body_len.saturating_sub(self.at)
    }
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
        self.write_images(out, false)
    }

    /// Appends `{"before":{"id":1,…},"after":{…}}`: the images keyed by column name
    /// (see [`RowImage::write_json_named`]).
    pub fn write_json_named(&self, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        self.write_images(out, true)
    }

    /// The images as arrays of values, or objects keyed by column name (`named`).
    pub(crate) fn write_images(&self, out: &mut Vec<u8>, named: bool) -> Result<(), DecodeError> {
        out.push(b'{');
        if let Some(b) = &self.before {
            out.extend_from_slice(b"\"before\":");
            b.write_values(out, named)?;
        }
        if let Some(a) = &self.after {
            if self.before.is_some() {
                out.push(b',');
            }
            out.extend_from_slice(b"\"after\":");
            a.write_values(out, named)?;
        }
        out.push(b'}');
        Ok(())
    }
}

/// One row image: the present columns' values, decoded on demand by
/// [`RowImage::iter`]. The image's layout was checked when it was framed.
#[derive(Debug, Clone)]
pub struct RowImage<'r> {
    /// The table map the image follows (columns, member names).
    pub(crate) table: &'r TableMap<'r>,
    pub(crate) present: &'r [u8],
    pub(crate) nulls: &'r [u8],
    pub(crate) values: &'r [u8],
    /// Bit per JSON column of the table, set = stored as diffs (partial after images).
    pub(crate) partial_json: Option<&'r [u8]>,
    /// Pre-GA layout: the table's record null bytes (a leading "deleted" bit, then one
    /// bit per column) and every value stored even when NULL.
    pub(crate) pre_ga: bool,
    pub(crate) locator: Locator,
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
        count_set(self.present, self.table.columns.len())
    }

    /// Whether no column is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether column `i` is present in the image.
    pub fn has_column(&self, i: usize) -> bool {
        i < self.table.columns.len() && bit_lsb(self.present, i)
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
        self.write_values(out, false)
    }

    /// Appends `{"name0":v0,…}`, one entry per present column keyed by the name the
    /// table map gives it (`binlog_row_metadata=FULL`), or `@N` (1-based, as
    /// mariadb-binlog numbers columns) when it gives none.
    pub fn write_json_named(&self, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        self.write_values(out, true)
    }

    fn write_values(&self, out: &mut Vec<u8>, named: bool) -> Result<(), DecodeError> {
        out.push(if named { b'{' } else { b'[' });
        // The cursor directly rather than `Cell`s: values go straight to the renderer.
        let mut cells = self.iter();
        let mut first = true;
        while let Some((i, partial)) = cells.advance() {
            let value = cells.value(i, partial)?;
            if !first {
                out.push(b',');
            }
            first = false;
            if named {
                match self.table.column_name(i) {
                    Some(name) => write_text(out, name),
                    None => write_string(out, &format!("@{}", i + 1)),
                }
                out.push(b':');
            }
            value
                .write_json(self.table.column_info(i), out)
                .map_err(|what| DecodeError::new(self.locator.remaining(), what))?;
        }
        out.push(if named { b'}' } else { b']' });
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

impl<'r> Cells<'r> {
    /// Moves to the next present column: its index, and whether it is a partial JSON
    /// diff.
    #[inline]
    fn advance(&mut self) -> Option<(usize, bool)> {
        let img = &self.image;
        while self.column < img.table.columns.len() {
            let i = self.column;
            self.column += 1;
            // The partial-JSON bits count every JSON column of the table.
            let partial = match img.partial_json {
                Some(bits) if img.table.columns[i].kind == ColumnType::Json => {
                    self.json_index += 1;
                    bit_lsb(bits, self.json_index - 1)
                }
                _ => false,
            };
            if bit_lsb(img.present, i) {
                return Some((i, partial));
            }
        }
        None
    }

    /// The value of column `i` (just returned by `advance`), consuming its bytes.
    /// Always inlined: returning the value through memory costs more than decoding it.
    #[inline(always)]
    fn value(&mut self, i: usize, partial: bool) -> Result<Value<'r>, DecodeError> {
        let img = &self.image;
        let null_bit = self.present_index + usize::from(img.pre_ga);
        self.present_index += 1;
        let null = bit_lsb(img.nulls, null_bit);
        if null && !img.pre_ga {
            return Ok(Value::Null);
        }
        let data = img.values.get(self.pos..).unwrap_or_default();
        let col = img
            .table
            .columns
            .get(i)
            .ok_or_else(|| self.fail("a column of the table map"))?;
        match decode(col, partial, data) {
            // Pre-GA images store NULL columns' bytes too.
            Ok((value, used)) => {
                self.pos += used;
                Ok(if null { Value::Null } else { value })
            }
            Err(what) => Err(self.fail(what)),
        }
    }

    /// Stops the iteration with an error at the image.
    fn fail(&mut self, what: &'static str) -> DecodeError {
        self.column = self.image.table.columns.len();
        DecodeError::new(self.image.locator.remaining(), what)
    }
}

impl<'r> Iterator for Cells<'r> {
    type Item = Result<Cell<'r>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (column, partial) = self.advance()?;
        Some(
            self.value(column, partial)
                .map(|value| Cell { column, value }),
        )
    }
}
