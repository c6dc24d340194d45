//! `thl events -sql` and `-flashback`: row changes as statements a server can execute,
//! and the statements that undo them.
//!
//! | change | `-sql` | `-flashback` |
//! |---|---|---|
//! | write (after A) | `INSERT INTO t (cols) VALUES (A);` | `DELETE FROM t WHERE A LIMIT 1;` |
//! | delete (before B) | `DELETE FROM t WHERE B LIMIT 1;` | `INSERT INTO t (cols) VALUES (B);` |
//! | update (B → A) | `UPDATE t SET A WHERE B LIMIT 1;` | `UPDATE t SET B WHERE A LIMIT 1;` |
//!
//! A WHERE clause names the primary-key columns when the table's [`TableShape`] knows
//! them and the image holds them; otherwise every column of the image except FLOAT,
//! DOUBLE, JSON and GEOMETRY ones, which do not compare equal to their own text. Values
//! are literals that mean the same whatever the session's `sql_mode`: text in single
//! quotes (quotes doubled) or, when it holds backslashes or control characters,
//! `_utf8mb4 X'…'`; bytes that are not text as `X'…'` (BINARY(n) padded back to n bytes);
//! TIMESTAMP as UTC text, which is why the output starts with [`PREAMBLE`].

use std::fmt::Write as _;
use std::io::Write as _;

use replog::binlog::rows::{
    Column, ColumnType, RowImage, RowsAction, RowsEvent, TableMap, Timestamp, Value,
};
use replog::decode::DecodeError;

/// The session settings the statements assume: text sent as UTF-8, TIMESTAMP values
/// written in UTC.
pub const PREAMBLE: &str = "SET NAMES utf8mb4;\nSET time_zone = '+00:00';\n";

/// What SQL needs to know about a table that a table map without
/// `binlog_row_metadata=FULL` leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableShape {
    /// Column names, in table order.
    pub names: Vec<String>,
    /// UNSIGNED, per column (integers the log stores as signed are read back unsigned).
    pub unsigned: Vec<bool>,
    /// Primary-key columns (0-based), empty when unknown.
    pub key: Vec<usize>,
}

impl TableShape {
    /// The shape a table map carries: `None` unless it names every column.
    pub fn from_map(map: &TableMap<'_>) -> Option<TableShape> {
        let names = (0..map.columns.len())
            .map(|i| {
                map.column_name(i)
                    .map(|n| String::from_utf8_lossy(n).into_owned())
            })
            .collect::<Option<Vec<_>>>()?;
        Some(TableShape {
            names,
            unsigned: map.columns.iter().map(|c| c.unsigned).collect(),
            key: map.primary_key(),
        })
    }
}

/// Which statements to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Replay the change.
    Redo,
    /// Undo the change.
    Undo,
}

/// Why a row change has no SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowSqlError {
    /// The rows did not decode.
    Decode(DecodeError),
    /// A value or image SQL cannot express; the text says which and why.
    Unrepresentable(String),
}

impl From<DecodeError> for RowSqlError {
    fn from(err: DecodeError) -> Self {
        RowSqlError::Decode(err)
    }
}

/// Calls `each` with one statement (ending in `;\n`) per row change of `rows`, in log
/// order, for `direction`.
pub fn for_each_statement(
    rows: &RowsEvent<'_>,
    map: &TableMap<'_>,
    shape: &TableShape,
    direction: Direction,
    mut each: impl FnMut(&[u8]),
) -> Result<(), RowSqlError> {
    let undo = direction == Direction::Undo;
    // Undoing a delete or an update writes the before image back: it must be whole.
    let partial_before = rows.before_columns().is_some_and(|c| !c.is_complete());
    if undo && partial_before && rows.kind.action != RowsAction::Write {
        return Err(RowSqlError::Unrepresentable(format!(
            "`{}`.`{}`: the before image leaves out columns (binlog_row_image=MINIMAL or \
             NOBLOB), so the change cannot be undone",
            String::from_utf8_lossy(&map.schema),
            String::from_utf8_lossy(&map.table)
        )));
    }
    let table = Table { map, shape };
    let mut statement = Vec::with_capacity(256);
    for change in rows.rows(map)? {
        let change = change?;
        statement.clear();
        match (rows.kind.action, undo) {
            (RowsAction::Write, false) | (RowsAction::Delete, true) => {
                let row = if undo { &change.before } else { &change.after };
                table.insert(&mut statement, &image(row)?)?;
            }
            (RowsAction::Write, true) => table.delete(&mut statement, &image(&change.after)?)?,
            (RowsAction::Delete, false) => table.delete(&mut statement, &image(&change.before)?)?,
            (RowsAction::Update | RowsAction::PartialUpdate, _) => {
                let (before, after) = (image(&change.before)?, image(&change.after)?);
                if undo {
                    table.update(&mut statement, &before, &after)?;
                } else {
                    table.update(&mut statement, &after, &before)?;
                }
            }
        }
        each(&statement);
    }
    Ok(())
}

/// The image a change of its kind always has (the rows decoder framed it).
fn image<'r>(image: &Option<RowImage<'r>>) -> Result<RowImage<'r>, RowSqlError> {
    image
        .clone()
        .ok_or_else(|| RowSqlError::Unrepresentable("a row change without its image".into()))
}

/// A table map and the shape that names its columns.
struct Table<'t> {
    map: &'t TableMap<'t>,
    shape: &'t TableShape,
}

impl Table<'_> {
    fn name(&self, out: &mut Vec<u8>) {
        push_identifier(out, &String::from_utf8_lossy(&self.map.schema));
        out.push(b'.');
        push_identifier(out, &String::from_utf8_lossy(&self.map.table));
    }

    fn column(&self, out: &mut Vec<u8>, i: usize) {
        push_identifier(out, &self.shape.names[i]);
    }

    fn literal(&self, out: &mut Vec<u8>, i: usize, value: &Value<'_>) -> Result<(), RowSqlError> {
        let unsigned = self.shape.unsigned.get(i).copied().unwrap_or(false);
        push_literal(
            out,
            value,
            &self.map.columns[i],
            self.map.members(i),
            unsigned,
        )
        .map_err(|why| {
            RowSqlError::Unrepresentable(format!("column `{}`: {why}", self.shape.names[i]))
        })
    }

    /// `INSERT INTO t (`a`,`b`) VALUES (1,'x');`
    fn insert(&self, out: &mut Vec<u8>, row: &RowImage<'_>) -> Result<(), RowSqlError> {
        out.extend_from_slice(b"INSERT INTO ");
        self.name(out);
        out.extend_from_slice(b" (");
        let cells = row.iter().collect::<Result<Vec<_>, _>>()?;
        for (n, cell) in cells.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            self.column(out, cell.column);
        }
        out.extend_from_slice(b") VALUES (");
        for (n, cell) in cells.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            self.literal(out, cell.column, &cell.value)?;
        }
        out.extend_from_slice(b");\n");
        Ok(())
    }

    /// `DELETE FROM t WHERE … LIMIT 1;`
    fn delete(&self, out: &mut Vec<u8>, row: &RowImage<'_>) -> Result<(), RowSqlError> {
        out.extend_from_slice(b"DELETE FROM ");
        self.name(out);
        self.where_clause(out, row)?;
        out.extend_from_slice(b" LIMIT 1;\n");
        Ok(())
    }

    /// `UPDATE t SET `a`=1, … WHERE … LIMIT 1;`: the row found by `found` takes the
    /// values of `set`.
    fn update(
        &self,
        out: &mut Vec<u8>,
        set: &RowImage<'_>,
        found: &RowImage<'_>,
    ) -> Result<(), RowSqlError> {
        out.extend_from_slice(b"UPDATE ");
        self.name(out);
        out.extend_from_slice(b" SET ");
        for (n, cell) in set.iter().enumerate() {
            let cell = cell?;
            if n > 0 {
                out.extend_from_slice(b", ");
            }
            self.column(out, cell.column);
            out.push(b'=');
            self.literal(out, cell.column, &cell.value)?;
        }
        self.where_clause(out, found)?;
        out.extend_from_slice(b" LIMIT 1;\n");
        Ok(())
    }

    /// ` WHERE `k`=1 AND `n` IS NULL`: the key columns when known and present, else
    /// every comparable column of the image.
    fn where_clause(&self, out: &mut Vec<u8>, row: &RowImage<'_>) -> Result<(), RowSqlError> {
        let key = &self.shape.key;
        let by_key = !key.is_empty() && key.iter().all(|&k| row.has_column(k));
        let mut first = true;
        for cell in row.iter() {
            let cell = cell?;
            let kind = self.map.columns[cell.column].kind;
            let wanted = if by_key {
                key.contains(&cell.column)
            } else {
                !matches!(
                    kind,
                    ColumnType::Float
                        | ColumnType::Double
                        | ColumnType::Json
                        | ColumnType::Geometry
                )
            };
            if !wanted {
                continue;
            }
            out.extend_from_slice(if first { b" WHERE " } else { b" AND " });
            first = false;
            self.column(out, cell.column);
            if cell.value == Value::Null {
                out.extend_from_slice(b" IS NULL");
            } else {
                out.push(b'=');
                self.literal(out, cell.column, &cell.value)?;
            }
        }
        if first {
            return Err(RowSqlError::Unrepresentable(format!(
                "`{}`.`{}`: no column of the row can identify it (no primary key known, \
                 only FLOAT, DOUBLE, JSON or GEOMETRY values)",
                String::from_utf8_lossy(&self.map.schema),
                String::from_utf8_lossy(&self.map.table)
            )));
        }
        Ok(())
    }
}

/// `` `name` `` with backticks doubled.
fn push_identifier(out: &mut Vec<u8>, name: &str) {
    out.push(b'`');
    out.extend_from_slice(name.replace('`', "``").as_bytes());
    out.push(b'`');
}

/// One value as an SQL literal; an error names what SQL cannot express.
fn push_literal(
    out: &mut Vec<u8>,
    value: &Value<'_>,
    column: &Column,
    members: Option<&[std::borrow::Cow<'_, [u8]>]>,
    unsigned: bool,
) -> Result<(), &'static str> {
    match *value {
        Value::Null => out.extend_from_slice(b"NULL"),
        Value::Int(n) if unsigned && n < 0 => {
            let bits = match column.kind {
                ColumnType::Tiny => 8,
                ColumnType::Short => 16,
                ColumnType::Int24 => 24,
                ColumnType::Long => 32,
                _ => 64,
            };
            let raw = n as u64;
            let _ = write!(
                out,
                "{}",
                if bits == 64 {
                    raw
                } else {
                    raw & ((1 << bits) - 1)
                }
            );
        }
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::UInt(n) | Value::Bit(n) => {
            let _ = write!(out, "{n}");
        }
        // The shortest text that reads back as the same FLOAT / DOUBLE.
        Value::Float(x) if x.is_finite() => {
            let _ = write!(out, "{x:?}");
        }
        Value::Double(x) if x.is_finite() => {
            let _ = write!(out, "{x:?}");
        }
        Value::Float(_) | Value::Double(_) => return Err("infinity or NaN has no SQL literal"),
        Value::Decimal(d) => {
            let _ = write!(out, "{d}");
        }
        Value::Date(d) => {
            let _ = write!(out, "'{d}'");
        }
        Value::Time(t) => {
            let _ = write!(out, "'{t}'");
        }
        Value::DateTime(t) => {
            let _ = write!(out, "'{t}'");
        }
        Value::Timestamp(t) => push_utc_timestamp(out, &t),
        Value::Year(y) => {
            let _ = write!(out, "{y}");
        }
        Value::Enum(index) => match members.and_then(|m| m.get(usize::from(index).checked_sub(1)?))
        {
            Some(name) => push_text_or_hex(out, name, column),
            None => {
                let _ = write!(out, "{index}");
            }
        },
        Value::Set(bits) => {
            let named = members.filter(|m| m.len() >= 64 || bits >> m.len() == 0);
            match named {
                Some(names) => {
                    let mut joined = Vec::new();
                    for (i, name) in names.iter().enumerate().take(64) {
                        if bits & (1 << i) != 0 {
                            if !joined.is_empty() {
                                joined.push(b',');
                            }
                            joined.extend_from_slice(name);
                        }
                    }
                    push_text_or_hex(out, &joined, column);
                }
                None => {
                    let _ = write!(out, "{bits}");
                }
            }
        }
        Value::String(bytes) => {
            let binary_width = (column.kind == ColumnType::String && column.collation == Some(63))
                .then_some(usize::from(column.string_length));
            match binary_width {
                Some(width) if bytes.len() < width => {
                    let mut padded = bytes.to_vec();
                    padded.resize(width, 0);
                    push_hex(out, &padded);
                }
                _ => push_text_or_hex(out, bytes, column),
            }
        }
        Value::Blob(bytes) => push_text_or_hex(out, bytes, column),
        Value::Geometry(bytes) | Value::Vector(bytes) => push_hex(out, bytes),
        Value::Json(json) => {
            let text = json.to_json_text()?;
            push_text(out, &text);
        }
        Value::JsonDiff(_) => {
            return Err(
                "a partial JSON update (binlog_row_value_options=PARTIAL_JSON) holds \
                        only the change, not the value",
            )
        }
        Value::Compressed(_) => {
            return Err("MariaDB compressed column values are not decompressed for SQL")
        }
    }
    Ok(())
}

/// A TIMESTAMP as `'YYYY-MM-DD HH:MM:SS[.fraction]'` in UTC; the zero TIMESTAMP as
/// `'0000-00-00 00:00:00'`.
fn push_utc_timestamp(out: &mut Vec<u8>, t: &Timestamp) {
    let mut text = String::with_capacity(32);
    if t.seconds == 0 && t.micros == 0 {
        text.push_str("0000-00-00 00:00:00");
    } else {
        let utc = jiff::Timestamp::from_second(i64::from(t.seconds))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(jiff::tz::TimeZone::UTC);
        let _ = write!(text, "{}", utc.strftime("%Y-%m-%d %H:%M:%S"));
    }
    if t.fsp > 0 {
        let digits = usize::from(t.fsp.min(6));
        let _ = write!(text, ".{:06}", t.micros);
        text.truncate(text.len() - (6 - digits));
    }
    let _ = write!(out, "'{text}'");
}

/// Text of the column's character set as a string literal, other bytes as `X'…'`.
fn push_text_or_hex(out: &mut Vec<u8>, bytes: &[u8], column: &Column) {
    match column.text(bytes) {
        Some(text) => push_text(out, &text),
        None => push_hex(out, bytes),
    }
}

/// `'text'` with quotes doubled; text with backslashes or control characters, whose
/// reading depends on `NO_BACKSLASH_ESCAPES`, as `_utf8mb4 X'…'`.
fn push_text(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| b == b'\\' || b < 0x20 || b == 0x7f) {
        out.extend_from_slice(b"_utf8mb4 ");
        push_hex(out, text.as_bytes());
        return;
    }
    out.push(b'\'');
    out.extend_from_slice(text.replace('\'', "''").as_bytes());
    out.push(b'\'');
}

/// `X'0a1b'`.
fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(b"X'");
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
    out.push(b'\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_literals_do_not_depend_on_the_sql_mode() {
        let mut out = Vec::new();
        push_text(&mut out, "O'Brien");
        out.push(b' ');
        push_text(&mut out, "a\\b\n");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "'O''Brien' _utf8mb4 X'615C620A'"
        );
    }

    #[test]
    fn timestamps_are_utc_text() {
        let mut out = Vec::new();
        let t = Timestamp {
            seconds: 1_391_045_402,
            micros: 123_456,
            fsp: 3,
        };
        push_utc_timestamp(&mut out, &t);
        out.push(b' ');
        let zero = Timestamp {
            seconds: 0,
            micros: 0,
            fsp: 0,
        };
        push_utc_timestamp(&mut out, &zero);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "'2014-01-30 01:30:02.123' '0000-00-00 00:00:00'"
        );
    }
}
