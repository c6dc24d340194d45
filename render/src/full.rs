//! Tungsten's default listing (spec 13.1): the header block, metadata, type and changes.
//!
//! An event's text is composed in one string and handed to the writer in large pieces:
//! writing each line (or each `write!` fragment) through the writer cost more than
//! composing it, and the formatting machinery more than appending the pieces by hand.

use std::io::{self, Write};

use replog::thl::event::{
    Change, ColumnSpec, ColumnVal, EventOption, OneRowChange, RowChangeData, StatementData,
};
use replog::thl::Event;

use crate::specs::push_column_label;
use crate::value::push_column_value;
use crate::{instant, push_integer, query_text, Style};

const EVENT_TYPE: &str = "com.continuent.tungsten.replicator.event.ReplDBMSEvent";
const FILTERED_TYPE: &str = "com.continuent.tungsten.replicator.event.ReplDBMSFilteredEvent";

/// An event's text is handed to the writer once it reaches this size (at the end of a
/// row), so a large event never holds its whole listing in memory. As large as the
/// command line's output buffer: a piece this size goes to stdout without a copy.
const PIECE_BYTES: usize = 64 * 1024;

/// The full format of one record after another: the buffers an event's text is composed
/// in are kept for the next event rather than allocated again for each.
#[derive(Debug, Default)]
pub struct Listing {
    text: String,
    lines: ImageLines,
}

impl Listing {
    /// Writes one record in the full format.
    pub fn write_event(
        &mut self,
        out: &mut impl Write,
        event: &Event<'_>,
        style: &Style,
    ) -> io::Result<()> {
        let text = &mut self.text;
        text.clear();
        push_record_header(text, event, style);
        write_body(Some(out), text, &mut self.lines, event, style)?;
        out.write_all(text.as_bytes())
    }

    /// Appends one record in the full format to `text`, whole: for text that is written
    /// later anyway (a batch rendered on a thread), composed where it stays rather than
    /// composed here and copied there.
    pub fn push_event(&mut self, text: &mut String, event: &Event<'_>, style: &Style) {
        push_record_header(text, event, style);
        // (Nothing is written, so nothing fails.)
        let _ = write_body(None::<&mut io::Sink>, text, &mut self.lines, event, style);
    }
}

/// The `SEQ#`, `TIME`, `EPOCH#`, `EVENTID` and `SOURCEID` lines.
fn push_record_header(text: &mut String, event: &Event<'_>, style: &Style) {
    let record = &event.record;
    text.push_str("SEQ# = ");
    push_integer(text, record.seqno);
    text.push_str(" / FRAG# = ");
    push_integer(text, record.fragno);
    if record.last_frag {
        text.push_str(" (last frag)");
    }
    text.push_str("\n- TIME = ");
    let time = event.header.source_tstamp;
    instant::push_timestamp(text, time, 0, &style.zone);
    text.push_str("\n- EPOCH# = ");
    push_integer(text, record.epoch);
    text.push_str("\n- EVENTID = ");
    text.push_str(record.event_id.text());
    text.push_str("\n- SOURCEID = ");
    text.push_str(record.source_id.text());
    text.push('\n');
}

/// Composes the body in `text`, handing full pieces of it to `out` if given (see
/// [`PIECE_BYTES`]); without one, the whole body stays in `text`.
fn write_body(
    mut out: Option<&mut impl Write>,
    text: &mut String,
    lines: &mut ImageLines,
    event: &Event<'_>,
    style: &Style,
) -> io::Result<()> {
    // Tungsten prints file-fragment summaries straight away, before the rest of the body.
    for change in &event.body.changes {
        if let Change::FileFragment(f) = change {
            text.push_str("- DATA FILE #");
            push_integer(text, f.file_id);
            text.push_str(" / size : ");
            push_integer(text, f.data.len());
            text.push('\n');
        }
    }
    text.push_str("- METADATA = [");
    push_metadata(text, &event.body.metadata);
    text.push_str("]\n");
    if event.is_filtered() {
        text.push_str("- TYPE = ");
        text.push_str(FILTERED_TYPE);
        text.push('\n');
        push_filtered_range(text, event);
        return Ok(());
    }
    text.push_str("- TYPE = ");
    text.push_str(EVENT_TYPE);
    text.push('\n');
    let mut last_schema: Option<&str> = None;
    for (i, change) in event.body.changes.iter().enumerate() {
        match change {
            Change::Statement(s) => last_schema = push_statement(text, s, last_schema, i),
            Change::FileQuery(q) => {
                last_schema = push_statement(text, &q.statement, last_schema, i)
            }
            Change::Rows(rows) => {
                write_rows(out.as_deref_mut(), text, lines, rows, i, style)?;
                last_schema = None;
            }
            Change::RowId(r) => {
                push_sql_label(text, i);
                text.push_str(" SET ");
                text.push_str(row_id_name(r.kind()));
                text.push_str(" = ");
                push_integer(text, r.id);
                text.push('\n');
            }
            Change::FileFragment(f) => {
                push_schema(text, f.database, last_schema);
                last_schema = f.database;
            }
            other => push_unsupported(text, other),
        }
    }
    Ok(())
}

/// `# change type N: not supported.`
fn push_unsupported(text: &mut String, change: &Change<'_>) {
    text.push_str("# change type ");
    push_integer(text, change.change_type());
    text.push_str(": not supported.\n");
}

/// `- SQL(i) =`, without the line end.
fn push_sql_label(text: &mut String, i: usize) {
    text.push_str("- SQL(");
    push_integer(text, i);
    text.push_str(") =");
}

/// The `## Filtered events ##` block (also printed by `-sql`).
pub(crate) fn push_filtered_range(text: &mut String, event: &Event<'_>) {
    let h = &event.header;
    text.push_str("## Filtered events ##\nFrom Seqno# ");
    push_integer(text, h.seqno);
    text.push_str(" / Fragno# ");
    push_integer(text, h.fragno);
    text.push_str("\nTo Seqno# ");
    push_integer(text, h.seqno_end.unwrap_or(h.seqno));
    text.push_str(" / Fragno# ");
    push_integer(text, h.fragno_end.unwrap_or(h.fragno));
    text.push('\n');
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
    let mut text = String::new();
    push_metadata(&mut text, options);
    out.write_all(text.as_bytes())
}

fn push_metadata(text: &mut String, options: &[EventOption<'_>]) {
    for (i, o) in options.iter().enumerate() {
        if i > 0 {
            text.push(';');
        }
        text.push_str(o.name);
        if !o.value.is_empty() {
            text.push('=');
            text.push_str(o.value);
        }
    }
}

/// `- OPTIONS = [name = value, ...]`, Java's list text of session options.
fn push_options(text: &mut String, options: &[EventOption<'_>]) {
    text.push_str("- OPTIONS = [");
    for (i, o) in options.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(o.name);
        text.push_str(" = ");
        text.push_str(o.value);
    }
    text.push_str("]\n");
}

fn push_schema(text: &mut String, schema: Option<&str>, last: Option<&str>) {
    match schema {
        Some(schema) if last != Some(schema) => {
            text.push_str("- SCHEMA = ");
            text.push_str(schema);
            text.push('\n');
        }
        _ => {}
    }
}

fn push_statement<'a>(
    text: &mut String,
    statement: &StatementData<'a>,
    last_schema: Option<&str>,
    i: usize,
) -> Option<&'a str> {
    if !statement.options.is_empty() {
        push_options(text, &statement.options);
    }
    push_schema(text, statement.default_schema, last_schema);
    push_sql_label(text, i);
    text.push(' ');
    text.push_str(&query_text(statement));
    text.push('\n');
    statement.default_schema
}

fn write_rows(
    mut out: Option<&mut impl Write>,
    text: &mut String,
    lines: &mut ImageLines,
    rows: &RowChangeData<'_>,
    i: usize,
    style: &Style,
) -> io::Result<()> {
    if !rows.options.is_empty() {
        push_options(text, &rows.options);
    }
    push_sql_label(text, i);
    text.push('\n');
    for change in &rows.row_changes {
        write_row_change(out.as_deref_mut(), text, lines, change, style)?;
    }
    Ok(())
}

fn write_row_change(
    mut out: Option<&mut impl Write>,
    text: &mut String,
    lines: &mut ImageLines,
    change: &OneRowChange<'_>,
    style: &Style,
) -> io::Result<()> {
    push_action(text, change.action);
    text.push_str(" - SCHEMA = ");
    text.push_str(change.schema_name);
    text.push_str("\n - TABLE = ");
    text.push_str(change.table_name);
    text.push('\n');
    let rows = change.row_count();
    if rows == 0 {
        return Ok(());
    }
    lines.after.compose(AFTER_LINE, &change.column_spec, style);
    if change.key_spec == change.column_spec {
        // An UPDATE's before and after images usually have the same specs.
        lines.before.relabel(BEFORE_LINE, &lines.after);
    } else {
        lines.before.compose(BEFORE_LINE, &change.key_spec, style);
    }
    for row in 0..rows {
        text.push_str(" - ROW# = ");
        push_integer(text, row);
        text.push('\n');
        if !change.column_values.is_empty() {
            let values = change.column_values.get(row);
            push_image(text, &lines.after, &change.column_spec, values, style);
        } else if !change.column_spec.is_empty() {
            push_spec_names(text, &change.column_spec);
        }
        if !change.key_values.is_empty() {
            let values = change.key_values.get(row);
            push_image(text, &lines.before, &change.key_spec, values, style);
        }
        if let Some(out) = out.as_deref_mut().filter(|_| text.len() >= PIECE_BYTES) {
            out.write_all(text.as_bytes())?;
            text.clear();
        }
    }
    Ok(())
}

/// The line starts of a row change's after and before images; one pair per listing, so
/// their buffers are reused from change to change and event to event.
#[derive(Debug, Default)]
struct ImageLines {
    after: LineStarts,
    before: LineStarts,
}

/// How a line of an after image starts, before its label.
const AFTER_LINE: &str = "  - COL(";
/// How a line of a before image starts, before its label.
const BEFORE_LINE: &str = "  - KEY(";

/// The start of each line of a row image, `  - KIND(label) = `, one per column spec
/// (`COL` for after images, `KEY` for before images): composed once per row change and
/// copied for each of its rows, which share the labels.
#[derive(Debug, Default)]
struct LineStarts {
    text: String,
    /// Where each spec's line start ends in `text`.
    ends: Vec<usize>,
    /// What each line starts with, before its label ([`AFTER_LINE`] or [`BEFORE_LINE`]).
    kind: &'static str,
}

impl LineStarts {
    fn compose(&mut self, kind: &'static str, specs: &[ColumnSpec<'_>], style: &Style) {
        self.text.clear();
        self.ends.clear();
        self.kind = kind;
        for spec in specs {
            self.text.push_str(kind);
            push_column_label(&mut self.text, spec, style.specs);
            self.text.push_str(") = ");
            self.ends.push(self.text.len());
        }
    }

    /// The line starts of `other`'s specs, starting with `kind`: its labels are copied
    /// rather than composed again.
    fn relabel(&mut self, kind: &'static str, other: &LineStarts) {
        self.text.clear();
        self.ends.clear();
        self.kind = kind;
        for line in other.iter() {
            self.text.push_str(kind);
            self.text
                .push_str(line.get(other.kind.len()..).unwrap_or_default());
            self.ends.push(self.text.len());
        }
    }

    /// The line starts, in spec order.
    fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| self.text.get(start..end).unwrap_or_default())
    }
}

/// `Column specs only found : a, b, c` (names of unnamed columns are empty).
fn push_spec_names(text: &mut String, specs: &[ColumnSpec<'_>]) {
    text.push_str("Column specs only found : ");
    for (i, spec) in specs.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(spec.name.unwrap_or_default());
    }
    text.push('\n');
}

/// One row image, a `  - KIND(label) = value` line per column spec; a value missing from
/// the image shows as `NULL`.
fn push_image(
    text: &mut String,
    lines: &LineStarts,
    specs: &[ColumnSpec<'_>],
    values: Option<&[ColumnVal<'_>]>,
    style: &Style,
) {
    for ((i, spec), start) in specs.iter().enumerate().zip(lines.iter()) {
        let value = values.and_then(|v| v.get(i));
        text.push_str(start);
        push_column_value(text, Some(spec), value, style);
        text.push('\n');
    }
}

fn push_action(text: &mut String, action: replog::thl::event::Action) {
    use replog::thl::event::Action;
    text.push_str(" - ACTION = ");
    match action {
        Action::Insert => text.push_str("INSERT"),
        Action::Delete => text.push_str("DELETE"),
        Action::Update => text.push_str("UPDATE"),
        Action::Other(code) => {
            text.push_str("UNKNOWN(");
            push_integer(text, code);
            text.push(')');
        }
    }
    text.push('\n');
}
