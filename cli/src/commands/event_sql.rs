//! `thl events -sql` and `-flashback`: the selected row changes as SQL, or the SQL that
//! undoes them (newest first, in one transaction, so that a statement that fails leaves
//! the tables as they were when the client disconnects).
//!
//! Column names come from the table map (`binlog_row_metadata=FULL`) or from the
//! `-columns` file; a rows event of a table that neither names is an error saying so.
//! Statements the log holds as text (DDL, statement-format DML) are not rewritten: they
//! are counted and the count is reported on stderr.

use std::io::Write;

use replog::binlog::rows::TableMaps;
use replog::binlog::stream::EventSite;
use replog::binlog::Event;
use replog_render::create_table::TableDefinitions;
use replog_render::row_sql::{self, Direction, RowSqlError, TableShape};

use crate::failure::{error_message, notice, Failure};

/// The state of an `-sql` or `-flashback` run.
pub struct RowSql {
    direction: Direction,
    definitions: Option<TableDefinitions>,
    /// `-flashback`: the undo statements of each rows event (a comment naming the event
    /// first), in log order; written reversed at the end.
    undo_blocks: Vec<Vec<u8>>,
    /// Statements in the selection that only exist as text.
    statements_left_out: u64,
}

impl RowSql {
    /// Reads the `-columns` file, if any.
    pub fn new(direction: Direction, columns: Option<&std::path::Path>) -> Result<Self, Failure> {
        let definitions = columns
            .map(|path| {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Failure::Fatal(format!("cannot read -columns {}: {e}", path.display()))
                })?;
                TableDefinitions::parse(&text)
                    .map_err(|e| Failure::Fatal(format!("-columns {}: {e}", path.display())))
            })
            .transpose()?;
        Ok(RowSql {
            direction,
            definitions,
            undo_blocks: Vec::new(),
            statements_left_out: 0,
        })
    }

    /// The session settings the statements need (and, to undo, the transaction).
    pub fn begin(&self, out: &mut impl Write) -> Result<(), Failure> {
        out.write_all(row_sql::PREAMBLE.as_bytes())?;
        if self.direction == Direction::Undo {
            out.write_all(b"START TRANSACTION;\n")?;
        }
        Ok(())
    }

    /// Writes (or, to undo, keeps) the SQL of one selected event; the error is the
    /// message for this event (file, offset, why).
    pub fn event(
        &mut self,
        site: &EventSite<'_>,
        event: &Event<'_>,
        maps: &TableMaps<'_>,
        out: &mut impl Write,
    ) -> Result<(), String> {
        let rows = match event {
            Event::Rows(rows) => rows,
            Event::Query(q) if !q.text().is_ok_and(|text| is_transaction_control(&text)) => {
                self.statements_left_out += 1;
                return Ok(());
            }
            _ => return Ok(()),
        };
        let at = |why: String| format!("{}: at byte {}: {why}", site.file, site.offset);
        let map = maps.get(rows.table_id).ok_or_else(|| {
            at(format!(
                "{}: no table map for table id {} earlier in the log",
                site.event_type.name().unwrap_or("rows event"),
                rows.table_id
            ))
        })?;
        let (schema, table) = (
            String::from_utf8_lossy(&map.schema),
            String::from_utf8_lossy(&map.table),
        );
        let from_map = TableShape::from_map(map);
        let shape = match (&from_map, &self.definitions) {
            (Some(shape), _) => shape,
            (None, Some(definitions)) => {
                match definitions.shape(&schema, &table, map.columns.len()) {
                    Some(found) => found.map_err(at)?,
                    None => return Err(at(no_names(&schema, &table, true))),
                }
            }
            (None, None) => return Err(at(no_names(&schema, &table, false))),
        };
        let mut block = Vec::new();
        let _ = writeln!(
            block,
            "-- {} {} {} `{schema}`.`{table}`",
            site.file,
            site.offset,
            site.event_type.name().unwrap_or("rows event")
        );
        let mut statements = Vec::new();
        row_sql::for_each_statement(rows, map, shape, self.direction, |s| {
            statements.push(s.to_vec())
        })
        .map_err(|err| match err {
            RowSqlError::Decode(cause) => error_message(&super::events::body_error(site, cause)),
            RowSqlError::Unrepresentable(why) => at(why),
        })?;
        if self.direction == Direction::Undo {
            // A rows event's changes are undone last first, like the events themselves.
            statements.reverse();
        }
        for statement in statements {
            block.extend_from_slice(&statement);
        }
        match self.direction {
            Direction::Redo => out.write_all(&block).map_err(|e| e.to_string()),
            Direction::Undo => {
                self.undo_blocks.push(block);
                Ok(())
            }
        }
    }

    /// Writes the undo statements, newest first, and the notice about statements left
    /// out.
    pub fn finish(self, out: &mut impl Write) -> Result<(), Failure> {
        for block in self.undo_blocks.iter().rev() {
            out.write_all(block)?;
        }
        if self.direction == Direction::Undo {
            out.write_all(b"COMMIT;\n")?;
        }
        if self.statements_left_out > 0 {
            notice(format!(
                "NOTE {} statement(s) logged as text (DDL or statement-format DML) are in \
                 the selection and not in the SQL: only row events are {}",
                self.statements_left_out,
                match self.direction {
                    Direction::Redo => "rendered",
                    Direction::Undo => "undone",
                }
            ));
        }
        Ok(())
    }
}

/// `BEGIN`, `COMMIT`, `ROLLBACK`: the statements that frame row events.
fn is_transaction_control(query: &[u8]) -> bool {
    let text = String::from_utf8_lossy(query);
    let word = text.trim().trim_end_matches(';').to_ascii_uppercase();
    matches!(
        word.as_str(),
        "BEGIN" | "COMMIT" | "ROLLBACK" | "XA END" | "START TRANSACTION"
    )
}

fn no_names(schema: &str, table: &str, columns_given: bool) -> String {
    let why = if columns_given {
        "and the -columns file has no CREATE TABLE for it"
    } else {
        "; give its SHOW CREATE TABLE output with -columns FILE"
    };
    format!(
        "`{schema}`.`{table}`: SQL needs column names, the log does not carry them \
         (binlog_row_metadata=FULL) {why}"
    )
}
