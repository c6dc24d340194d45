//! Tungsten's default listing (spec 13.1): the header block, metadata, type and changes.

use std::io::{self, Write};

use replog::thl::event::{
    Change, ColumnSpec, ColumnVal, EventOption, OneRowChange, RowChangeData, StatementData,
};
use replog::thl::Event;

use crate::specs::push_column_label;
use crate::value::push_column_value;
use crate::{instant, query_text, Style};

const EVENT_TYPE: &str = "com.continuent.tungsten.replicator.event.ReplDBMSEvent";
const FILTERED_TYPE: &str = "com.continuent.tungsten.replicator.event.ReplDBMSFilteredEvent";

/// Writes one record in the full format.
pub fn write_event(out: &mut impl Write, event: &Event<'_>, style: &Style) -> io::Result<()> {
    let record = &event.record;
    let last = if record.last_frag { " (last frag)" } else { "" };
    writeln!(
        out,
        "SEQ# = {} / FRAG# = {}{last}",
        record.seqno, record.fragno
    )?;
    let time = event.header.source_tstamp;
    let time = instant::timestamp(time, 0, &style.zone);
    writeln!(out, "- TIME = {time}")?;
    writeln!(out, "- EPOCH# = {}", record.epoch)?;
    writeln!(out, "- EVENTID = {}", record.event_id.text())?;
    writeln!(out, "- SOURCEID = {}", record.source_id.text())?;
    write_body(out, event, style)
}

fn write_body(out: &mut impl Write, event: &Event<'_>, style: &Style) -> io::Result<()> {
    // Tungsten prints file-fragment summaries straight away, before the rest of the body.
    for change in &event.body.changes {
        if let Change::FileFragment(f) = change {
            writeln!(out, "- DATA FILE #{} / size : {}", f.file_id, f.data.len())?;
        }
    }
    write!(out, "- METADATA = [")?;
    write_metadata(out, &event.body.metadata)?;
    writeln!(out, "]")?;
    if event.is_filtered() {
        writeln!(out, "- TYPE = {FILTERED_TYPE}")?;
        return write_filtered_range(out, event);
    }
    writeln!(out, "- TYPE = {EVENT_TYPE}")?;
    let mut last_schema: Option<&str> = None;
    for (i, change) in event.body.changes.iter().enumerate() {
        match change {
            Change::Statement(s) => last_schema = write_statement(out, s, last_schema, i)?,
            Change::FileQuery(q) => {
                last_schema = write_statement(out, &q.statement, last_schema, i)?
            }
            Change::Rows(rows) => {
                write_rows(out, rows, i, style)?;
                last_schema = None;
            }
            Change::RowId(r) => {
                writeln!(out, "- SQL({i}) = SET {} = {}", row_id_name(r.kind()), r.id)?
            }
            Change::FileFragment(f) => {
                write_schema(out, f.database, last_schema)?;
                last_schema = f.database;
            }
            other => writeln!(out, "# change type {}: not supported.", other.change_type())?,
        }
    }
    Ok(())
}

/// The `## Filtered events ##` block (also printed by `-sql`).
pub(crate) fn write_filtered_range(out: &mut impl Write, event: &Event<'_>) -> io::Result<()> {
    let h = &event.header;
    writeln!(out, "## Filtered events ##")?;
    writeln!(out, "From Seqno# {} / Fragno# {}", h.seqno, h.fragno)?;
    writeln!(
        out,
        "To Seqno# {} / Fragno# {}",
        h.seqno_end.unwrap_or(h.seqno),
        h.fragno_end.unwrap_or(h.fragno)
    )
}

/// `SET <name> = <id>` names.
pub(crate) fn row_id_name(kind: replog::thl::event::RowIdKind) -> &'static str {
    match kind {
        replog::thl::event::RowIdKind::LastInsertId => "LAST_INSERT_ID",
        replog::thl::event::RowIdKind::InsertId => "INSERT_ID",
    }
}

/// What goes between the brackets of `- METADATA = [...]`: `name=value;name;...` (a pair
/// with an empty value is just its name).
pub fn write_metadata(out: &mut impl Write, options: &[EventOption<'_>]) -> io::Result<()> {
    for (i, o) in options.iter().enumerate() {
        let separator = if i == 0 { "" } else { ";" };
        if o.value.is_empty() {
            write!(out, "{separator}{}", o.name)?;
        } else {
            write!(out, "{separator}{}={}", o.name, o.value)?;
        }
    }
    Ok(())
}

/// `- OPTIONS = [name = value, ...]`, Java's list text of session options.
fn write_options(out: &mut impl Write, options: &[EventOption<'_>]) -> io::Result<()> {
    write!(out, "- OPTIONS = [")?;
    for (i, o) in options.iter().enumerate() {
        let separator = if i == 0 { "" } else { ", " };
        write!(out, "{separator}{} = {}", o.name, o.value)?;
    }
    writeln!(out, "]")
}

fn write_schema(out: &mut impl Write, schema: Option<&str>, last: Option<&str>) -> io::Result<()> {
    match schema {
        Some(schema) if last != Some(schema) => writeln!(out, "- SCHEMA = {schema}"),
        _ => Ok(()),
    }
}

fn write_statement<'a>(
    out: &mut impl Write,
    statement: &StatementData<'a>,
    last_schema: Option<&str>,
    i: usize,
) -> io::Result<Option<&'a str>> {
    if !statement.options.is_empty() {
        write_options(out, &statement.options)?;
    }
    write_schema(out, statement.default_schema, last_schema)?;
    writeln!(out, "- SQL({i}) = {}", query_text(statement))?;
    Ok(statement.default_schema)
}

fn write_rows(
    out: &mut impl Write,
    rows: &RowChangeData<'_>,
    i: usize,
    style: &Style,
) -> io::Result<()> {
    if !rows.options.is_empty() {
        write_options(out, &rows.options)?;
    }
    writeln!(out, "- SQL({i}) =")?;
    for change in &rows.row_changes {
        write_row_change(out, change, style)?;
    }
    Ok(())
}

fn write_row_change(
    out: &mut impl Write,
    change: &OneRowChange<'_>,
    style: &Style,
) -> io::Result<()> {
    write_action(out, change.action)?;
    writeln!(out, " - SCHEMA = {}", change.schema_name)?;
    writeln!(out, " - TABLE = {}", change.table_name)?;
    // One line buffer for every column line of this change, reused.
    let mut line = String::new();
    for row in 0..change.row_count() {
        writeln!(out, " - ROW# = {row}")?;
        if !change.column_values.is_empty() {
            let values = change.column_values.get(row).map(Vec::as_slice);
            write_image(out, &mut line, "COL", &change.column_spec, values, style)?;
        } else if !change.column_spec.is_empty() {
            let names: Vec<&str> = change
                .column_spec
                .iter()
                .map(|s| s.name.unwrap_or_default())
                .collect();
            writeln!(out, "Column specs only found : {}", names.join(", "))?;
        }
        if !change.key_values.is_empty() {
            let values = change.key_values.get(row).map(Vec::as_slice);
            write_image(out, &mut line, "KEY", &change.key_spec, values, style)?;
        }
    }
    Ok(())
}

/// One row image, a `  - KIND(label) = value` line per column spec (`COL` for after
/// images, `KEY` for before images); a value missing from the image shows as `NULL`.
/// Each line is composed in `line` and written whole: these lines are most of a
/// listing, and building them in one reused buffer avoids allocating per value.
fn write_image(
    out: &mut impl Write,
    line: &mut String,
    kind: &str,
    specs: &[ColumnSpec<'_>],
    values: Option<&[ColumnVal<'_>]>,
    style: &Style,
) -> io::Result<()> {
    for (i, spec) in specs.iter().enumerate() {
        let value = values.and_then(|v| v.get(i));
        line.clear();
        line.push_str("  - ");
        line.push_str(kind);
        line.push('(');
        push_column_label(line, spec, style.specs);
        line.push_str(") = ");
        push_column_value(line, Some(spec), value, style);
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

fn write_action(out: &mut impl Write, action: replog::thl::event::Action) -> io::Result<()> {
    use replog::thl::event::Action;
    match action {
        Action::Insert => writeln!(out, " - ACTION = INSERT"),
        Action::Delete => writeln!(out, " - ACTION = DELETE"),
        Action::Update => writeln!(out, " - ACTION = UPDATE"),
        Action::Other(code) => writeln!(out, " - ACTION = UNKNOWN({code})"),
    }
}
