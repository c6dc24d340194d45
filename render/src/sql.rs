//! `-sql` (spec 13.5): statements as SQL, no header block and no metadata.

use std::io::{self, Write};

use replog::thl::event::{Change, StatementData};
use replog::thl::Event;

use crate::full::{push_filtered_range, row_id_name};
use crate::query_text;

/// Writes one record as SQL.
pub fn write_event(out: &mut impl Write, event: &Event<'_>) -> io::Result<()> {
    for change in &event.body.changes {
        if let Change::FileFragment(f) = change {
            writeln!(out, "- DATA FILE #{} / size : {}", f.file_id, f.data.len())?;
        }
    }
    if event.is_filtered() {
        let mut text = String::new();
        push_filtered_range(&mut text, event);
        return out.write_all(text.as_bytes());
    }
    let mut last_schema: Option<&str> = None;
    for change in &event.body.changes {
        match change {
            Change::Statement(s) => last_schema = write_statement(out, s, last_schema)?,
            Change::FileQuery(q) => last_schema = write_statement(out, &q.statement, last_schema)?,
            Change::Rows(rows) => {
                for _ in &rows.row_changes {
                    writeln!(
                        out,
                        "/* SEQ# = {} - SQL rendering of row change events is not supported */",
                        event.record.seqno
                    )?;
                }
                last_schema = None;
            }
            // Tungsten omits the semicolon, which breaks replaying the output.
            Change::RowId(r) => writeln!(out, "SET {} = {};", row_id_name(r.kind()), r.id)?,
            Change::FileFragment(f) => {
                write_use(out, f.database, last_schema)?;
                last_schema = f.database;
            }
            other => writeln!(out, "# change type {}: not supported.", other.change_type())?,
        }
    }
    Ok(())
}

/// `USE <schema>;` when the schema is non-empty and differs from the last one.
fn write_use(out: &mut impl Write, schema: Option<&str>, last: Option<&str>) -> io::Result<()> {
    match schema {
        Some(schema) if !schema.is_empty() && last != Some(schema) => {
            writeln!(out, "USE {schema};")
        }
        _ => Ok(()),
    }
}

fn write_statement<'a>(
    out: &mut impl Write,
    statement: &StatementData<'a>,
    last_schema: Option<&str>,
) -> io::Result<Option<&'a str>> {
    write_use(out, statement.default_schema, last_schema)?;
    let query = query_text(statement);
    let end = if query.ends_with(';') { "" } else { ";" };
    writeln!(out, "{query}{end}")?;
    Ok(statement.default_schema)
}
