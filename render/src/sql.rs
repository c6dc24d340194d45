//! `-sql` (spec 13.5): statements as SQL, no header block and no metadata.

use replog::thl::event::{Change, StatementData};
use replog::thl::Event;

use crate::full::{push_filtered_range, row_id_name};
use crate::{push_integer, query_text};

/// Appends one record as SQL to `text`. (Composed in a string, as the full listing is:
/// a batch of the listing rendered on a thread keeps its text as a string, which this
/// text then joins without being checked again as UTF-8.)
pub fn push_event(text: &mut String, event: &Event<'_>) {
    for change in &event.body.changes {
        if let Change::FileFragment(f) = change {
            text.push_str("- DATA FILE #");
            push_integer(text, f.file_id);
            text.push_str(" / size : ");
            push_integer(text, f.data.len());
            text.push('\n');
        }
    }
    if event.is_filtered() {
        push_filtered_range(text, event);
        return;
    }
    let mut last_schema: Option<&str> = None;
    for change in &event.body.changes {
        match change {
            Change::Statement(s) => last_schema = push_statement(text, s, last_schema),
            Change::FileQuery(q) => last_schema = push_statement(text, &q.statement, last_schema),
            Change::Rows(rows) => {
                for _ in &rows.row_changes {
                    text.push_str("/* SEQ# = ");
                    push_integer(text, event.record.seqno);
                    text.push_str(" - SQL rendering of row change events is not supported */\n");
                }
                last_schema = None;
            }
            // Tungsten omits the semicolon, which breaks replaying the output.
            Change::RowId(r) => {
                text.push_str("SET ");
                text.push_str(row_id_name(r.kind()));
                text.push_str(" = ");
                push_integer(text, r.id);
                text.push_str(";\n");
            }
            Change::FileFragment(f) => {
                push_use(text, f.database, last_schema);
                last_schema = f.database;
            }
            other => {
                text.push_str("# change type ");
                push_integer(text, other.change_type());
                text.push_str(": not supported.\n");
            }
        }
    }
}

/// `USE <schema>;` when the schema is non-empty and differs from the last one.
fn push_use(text: &mut String, schema: Option<&str>, last: Option<&str>) {
    match schema {
        Some(schema) if !schema.is_empty() && last != Some(schema) => {
            text.push_str("USE ");
            text.push_str(schema);
            text.push_str(";\n");
        }
        _ => {}
    }
}

fn push_statement<'a>(
    text: &mut String,
    statement: &StatementData<'a>,
    last_schema: Option<&str>,
) -> Option<&'a str> {
    push_use(text, statement.default_schema, last_schema);
    let query = query_text(statement);
    text.push_str(&query);
    if !query.ends_with(';') {
        text.push(';');
    }
    text.push('\n');
    statement.default_schema
}
