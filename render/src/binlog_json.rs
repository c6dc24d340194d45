//! `thl events -json`: one JSON object per binary-log event, one per line (JSON Lines).
//!
//! The schema is a public contract documented in README ("`thl events -json`"). Objects
//! are appended to a line buffer the caller reuses for every event, so the hot path
//! builds no intermediate JSON values and allocates nothing per event; row images are
//! rendered by the library's [`RowsEvent::write_rows_json`].

use std::io::Write as _;
use std::ops::Range;

use replog::binlog::events::gtid::Gtid;
use replog::binlog::events::gtid_tagged::GtidTagged;
use replog::binlog::events::mariadb_gtid::{MariaGtid, FL_PREPARED_XA, FL_STANDALONE};
use replog::binlog::events::query::Query;
use replog::binlog::events::start_v3::StartV3;
use replog::binlog::events::user_var::{decimal_to_string, UserVar, UserVarValue};
use replog::binlog::rows::{ImageColumns, RowsEvent, TableIdMap, TableMap, TableMaps, STMT_END_F};
use replog::binlog::Event;
use replog::binlog::{EventHeader, EventType, Flavor, FormatContext};
use replog::decode::DecodeError;
use replog::json::{write_hex, write_string, write_string_contents, write_text};

/// Where an event was found and its common header: the fields every object starts with.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'e> {
    /// `"file":"…",` already rendered for the input (see [`file_field`]).
    pub file_field: &'e [u8],
    /// Absolute offset of the event, or of the TRANSACTION_PAYLOAD holding it.
    pub offset: u64,
    /// Offset inside the decompressed payload, for inner events.
    pub inner_offset: Option<usize>,
    /// Canonical type.
    pub event_type: EventType,
    /// The header as stored.
    pub header: &'e EventHeader,
    /// CRC32 verdict.
    pub checksum_ok: Option<bool>,
}

/// Renders `"file":"NAME",` once per input.
pub fn file_field(name: &str) -> Vec<u8> {
    let mut out = b"{\"file\":".to_vec();
    write_string(&mut out, name);
    out.push(b',');
    out
}

/// How row images are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowsForm {
    /// `[v0, v1, …]`, the values of the present columns in column order.
    Positional,
    /// `{"id": v0, …}`, keyed by column name (`@N` when the table map has no names).
    Named,
}

/// The text of the table maps written so far, by table id. A server writes a table's
/// map again before every statement that changes the table, byte for byte the same
/// while the table does not change: [`TableMapTexts::write_event`] copies the text
/// written for the same bytes before instead of rendering the columns again.
#[derive(Debug, Clone, Default)]
pub struct TableMapTexts {
    by_id: TableIdMap<TableMapText>,
}

/// A table map's text after the envelope, and what it was rendered from.
#[derive(Debug, Clone)]
struct TableMapText {
    body: Vec<u8>,
    /// What decoding the body depends on besides its bytes.
    flavor: Flavor,
    post_header_len: usize,
    text: Vec<u8>,
}

impl TableMapTexts {
    /// As [`write_event`]; `ctx` is the format the event was decoded in. A TABLE_MAP
    /// event whose body and format are those of the last map written for its table id
    /// gets that map's text again (the same bytes decode to the same map).
    #[allow(clippy::too_many_arguments)]
    pub fn write_event(
        &mut self,
        out: &mut Vec<u8>,
        env: &Envelope<'_>,
        event: &Event<'_>,
        body: &[u8],
        ctx: &FormatContext,
        maps: &TableMaps<'_>,
        rows_form: RowsForm,
    ) -> Result<(), DecodeError> {
        let Event::TableMap(t) = event else {
            return write_event(out, env, event, body, maps, rows_form);
        };
        let post_header_len = ctx.post_header_len(EventType::TABLE_MAP.0);
        write_envelope(out, env);
        if let Some(known) = self.by_id.get(&t.table_id) {
            if known.body == body
                && known.flavor == ctx.flavor
                && known.post_header_len == post_header_len
            {
                out.extend_from_slice(&known.text);
                return Ok(());
            }
        }
        let at = out.len();
        table_map(out, t);
        finish_event(out, event, None);
        let text = TableMapText {
            body: body.to_vec(),
            flavor: ctx.flavor,
            post_header_len,
            text: out[at..].to_vec(),
        };
        self.by_id.insert(t.table_id, text);
        Ok(())
    }
}

/// Appends one event's object and a newline to `out`. `body` is the event body `event`
/// was decoded from (errors are relative to it); `maps` holds the table maps seen so far.
/// Every event ends with `info`, the one-line summary the text listing shows. On error
/// `out` holds a partial line the caller must drop.
pub fn write_event(
    out: &mut Vec<u8>,
    env: &Envelope<'_>,
    event: &Event<'_>,
    body: &[u8],
    maps: &TableMaps<'_>,
    rows_form: RowsForm,
) -> Result<(), DecodeError> {
    write_envelope(out, env);
    // Where the statement of an annotation was written in `out`, to copy it as `info`.
    let mut statement_at = None;
    match event {
        Event::Query(q) => query(out, q)?,
        Event::Rotate(r) => {
            let _ = write!(out, ",\"position\":{},\"next_file\":", r.position);
            write_text(out, r.next_file);
        }
        Event::Xid(x) => {
            out.extend_from_slice(b",\"xid\":");
            push_number(out, x.xid);
        }
        Event::Gtid(g) => gtid(out, g),
        Event::GtidTagged(g) => gtid_tagged(out, g),
        Event::MariaGtid(g) => maria_gtid(out, g),
        Event::TableMap(t) => table_map(out, t),
        Event::Rows(r) => rows(out, r, body, maps, rows_form)?,
        Event::FormatDescription(f) => {
            start(out, &f.start);
            out.extend_from_slice(b",\"checksum_alg\":");
            match f.checksum_alg {
                Some(alg) => {
                    let _ = write!(out, "{alg}");
                }
                None => out.extend_from_slice(b"null"),
            }
        }
        Event::StartV3(s) => start(out, s),
        Event::Intvar(i) => {
            let name = match i.kind {
                1 => "LAST_INSERT_ID",
                2 => "INSERT_ID",
                _ => "INVALID_INT",
            };
            let _ = write!(out, ",\"variable\":\"{name}\",\"value\":{}", i.value);
        }
        Event::Rand(r) => {
            let _ = write!(out, ",\"seed1\":{},\"seed2\":{}", r.seed1, r.seed2);
        }
        Event::UserVar(u) => user_var(out, u),
        Event::AnnotateRows(a) => {
            out.extend_from_slice(b",\"query\":");
            let at = out.len();
            write_text(out, a.query);
            statement_at = Some(at..out.len());
        }
        Event::RowsQuery(r) => {
            out.extend_from_slice(b",\"query\":");
            let at = out.len();
            write_text(out, r.query);
            statement_at = Some(at..out.len());
        }
        Event::GtidList(list) => {
            out.extend_from_slice(b",\"gtids\":[");
            for (i, g) in list.gtids().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let _ = write!(out, "\"{}-{}-{}\"", g.domain_id, g.server_id, g.seq_no);
            }
            out.push(b']');
        }
        Event::BinlogCheckpoint(c) => {
            out.extend_from_slice(b",\"binlog_file\":");
            write_text(out, c.file);
        }
        Event::Incident(i) => {
            let _ = write!(out, ",\"incident\":{},\"message\":", i.number);
            write_text(out, i.message);
        }
        _ => {}
    }
    finish_event(out, event, statement_at);
    Ok(())
}

/// The fields every object starts with, up to `checksum_ok`. They are written with
/// itoa, not the formatting machinery: most events of an OLTP log are small, so this
/// is much of their cost.
fn write_envelope(out: &mut Vec<u8>, env: &Envelope<'_>) {
    out.extend_from_slice(env.file_field);
    let h = env.header;
    out.extend_from_slice(b"\"offset\":");
    push_number(out, env.offset);
    if let Some(inner) = env.inner_offset {
        out.extend_from_slice(b",\"inner_offset\":");
        push_number(out, inner);
    }
    out.extend_from_slice(b",\"type_code\":");
    push_number(out, env.event_type.0);
    out.extend_from_slice(b",\"type\":");
    match env.event_type.name() {
        Some(name) => write_string(out, name),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"timestamp\":");
    push_number(out, h.timestamp);
    out.extend_from_slice(b",\"server_id\":");
    push_number(out, h.server_id);
    out.extend_from_slice(b",\"event_size\":");
    push_number(out, h.event_size);
    out.extend_from_slice(b",\"log_pos\":");
    push_number(out, h.log_pos);
    out.extend_from_slice(b",\"flags\":");
    push_number(out, h.flags);
    out.extend_from_slice(b",\"checksum_ok\":");
    out.extend_from_slice(match env.checksum_ok {
        Some(true) => b"true",
        Some(false) => b"false",
        None => b"null",
    });
}

/// Ends an object: `info` and the newline. `statement_at` is where an annotation's
/// statement was written in `out`.
fn finish_event(out: &mut Vec<u8>, event: &Event<'_>, statement_at: Option<Range<usize>>) {
    out.extend_from_slice(b",\"info\":");
    match statement_at {
        // The summary of an annotation is its statement: when that is UTF-8 it was
        // just written as the same JSON string, so it is copied rather than rendered
        // and escaped again (statements are the longest text of an OLTP log's events).
        Some(statement) if out.get(statement.start) == Some(&b'"') => {
            out.extend_from_within(statement);
        }
        _ => write_summary(out, event),
    }
    out.extend_from_slice(b"}\n");
}

/// Appends the event's one-line summary (its `Display`) as a JSON string. The events
/// every transaction has (GTID, table map, rows, XID) are written here directly, the
/// same text as their `Display` gives (checked by the test below over real logs);
/// others are escaped as they are formatted: no `String` is built per event.
fn write_summary(out: &mut Vec<u8>, event: &Event<'_>) {
    match event {
        Event::Xid(x) => {
            out.extend_from_slice(b"\"COMMIT /* xid=");
            push_number(out, x.xid);
            out.extend_from_slice(b" */\"");
            return;
        }
        Event::MariaGtid(g) if g.xid.is_none() && g.flags & FL_PREPARED_XA == 0 => {
            out.extend_from_slice(if g.flags & FL_STANDALONE != 0 {
                b"\"GTID "
            } else {
                b"\"BEGIN GTID "
            });
            push_number(out, g.domain_id);
            out.push(b'-');
            push_number(out, g.server_id);
            out.push(b'-');
            push_number(out, g.seq_no);
            if let Some(c) = g.commit_id {
                out.extend_from_slice(b" cid=");
                push_number(out, c);
            }
            out.push(b'"');
            return;
        }
        Event::Rows(r) if r.flags == 0 || r.flags == STMT_END_F => {
            out.extend_from_slice(b"\"table_id: ");
            push_number(out, r.table_id);
            out.extend_from_slice(if r.flags == 0 {
                &b" flags: 0\""[..]
            } else {
                &b" flags: STMT_END_F\""[..]
            });
            return;
        }
        Event::TableMap(t) => {
            if let (Ok(schema), Ok(table)) = (
                std::str::from_utf8(&t.schema),
                std::str::from_utf8(&t.table),
            ) {
                out.extend_from_slice(b"\"table_id: ");
                push_number(out, t.table_id);
                out.extend_from_slice(b" (");
                write_string_contents(out, schema);
                out.push(b'.');
                write_string_contents(out, table);
                out.extend_from_slice(b")\"");
                return;
            }
        }
        _ => {}
    }
    write_formatted_summary(out, event);
}

/// [`write_summary`] through `Display`, escaped as it is formatted.
fn write_formatted_summary(out: &mut Vec<u8>, event: &Event<'_>) {
    /// Escapes each piece the formatter hands over; JSON escapes are per character,
    /// so the pieces escaped one by one make the escaped whole.
    struct Escaping<'o>(&'o mut Vec<u8>);
    impl std::fmt::Write for Escaping<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            write_string_contents(self.0, s);
            Ok(())
        }
    }
    out.push(b'"');
    let _ = std::fmt::Write::write_fmt(&mut Escaping(out), format_args!("{event}"));
    out.push(b'"');
}

/// Appends an integer's decimal digits.
fn push_number(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// The fields of a format description (or a v3 start event): who wrote the file.
fn start(out: &mut Vec<u8>, s: &StartV3<'_>) {
    let _ = write!(
        out,
        ",\"binlog_version\":{},\"server_version\":",
        s.binlog_version
    );
    let end = s
        .server_version
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(s.server_version.len());
    write_text(out, &s.server_version[..end]);
    let _ = write!(out, ",\"created\":{}", s.created);
}

/// `"name"` and `"value"` of a user variable: NULL, a number, a DECIMAL as a string,
/// text (with its collation id in `charset`), or hex for what is not decoded.
fn user_var(out: &mut Vec<u8>, u: &UserVar<'_>) {
    out.extend_from_slice(b",\"name\":");
    write_text(out, u.name);
    out.extend_from_slice(b",\"value\":");
    match u.value {
        UserVarValue::Null => out.extend_from_slice(b"null"),
        UserVarValue::Int { value, unsigned } if unsigned => {
            let _ = write!(out, "{}", value as u64);
        }
        UserVarValue::Int { value, .. } => {
            let _ = write!(out, "{value}");
        }
        UserVarValue::Real(x) if x.is_finite() => {
            let _ = write!(out, "{x:?}");
        }
        UserVarValue::Real(_) => out.extend_from_slice(b"null"),
        UserVarValue::Decimal {
            precision,
            scale,
            bytes,
        } => match decimal_to_string(precision, scale, bytes) {
            Some(text) => write_string(out, &text),
            None => write_hex(out, bytes, 0),
        },
        UserVarValue::String { charset, bytes } => {
            write_text(out, bytes);
            let _ = write!(out, ",\"charset\":{charset}");
        }
        UserVarValue::Other { bytes, .. } => write_hex(out, bytes, 0),
    }
}

fn query(out: &mut Vec<u8>, q: &Query<'_>) -> Result<(), DecodeError> {
    let _ = write!(out, ",\"thread_id\":{},\"schema\":", q.thread_id);
    write_text(out, q.schema);
    out.extend_from_slice(b",\"query\":");
    write_text(out, &q.text()?);
    let _ = write!(out, ",\"error_code\":{}", q.error_code);
    Ok(())
}

fn gtid(out: &mut Vec<u8>, g: &Gtid) {
    if g.anonymous {
        out.extend_from_slice(b",\"gtid\":null");
    } else {
        let _ = write!(out, ",\"gtid\":\"{}:{}\"", g.sid, g.gno);
    }
    match g.logical_clock {
        Some(lc) => {
            let _ = write!(
                out,
                ",\"last_committed\":{},\"sequence_number\":{}",
                lc.last_committed, lc.sequence_number
            );
        }
        None => out.extend_from_slice(b",\"last_committed\":null,\"sequence_number\":null"),
    }
}

fn gtid_tagged(out: &mut Vec<u8>, g: &GtidTagged<'_>) {
    let _ = write!(out, ",\"gtid\":");
    let mut id = Vec::with_capacity(64);
    let _ = write!(id, "{}:", g.sid);
    id.extend_from_slice(g.tag);
    let _ = write!(id, ":{}", g.gno);
    write_text(out, &id);
    let lc = g.logical_clock;
    let _ = write!(
        out,
        ",\"last_committed\":{},\"sequence_number\":{}",
        lc.last_committed, lc.sequence_number
    );
}

fn maria_gtid(out: &mut Vec<u8>, g: &MariaGtid<'_>) {
    out.extend_from_slice(b",\"gtid\":\"");
    push_number(out, g.domain_id);
    out.push(b'-');
    push_number(out, g.server_id);
    out.push(b'-');
    push_number(out, g.seq_no);
    out.extend_from_slice(b"\",\"commit_id\":");
    match g.commit_id {
        Some(c) => push_number(out, c),
        None => out.extend_from_slice(b"null"),
    }
}

fn table_names(out: &mut Vec<u8>, table_id: u64, t: &TableMap<'_>) {
    out.extend_from_slice(b",\"table_id\":");
    push_number(out, table_id);
    out.extend_from_slice(b",\"schema\":");
    write_text(out, &t.schema);
    out.extend_from_slice(b",\"table\":");
    write_text(out, &t.table);
}

fn table_map(out: &mut Vec<u8>, t: &TableMap<'_>) {
    table_names(out, t.table_id, t);
    out.extend_from_slice(b",\"columns\":[");
    let signedness = t.optional.signedness.is_some();
    for (i, c) in t.columns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Type names are upper-case ASCII words: nothing to escape.
        out.extend_from_slice(b"{\"type\":\"");
        out.extend_from_slice(c.kind.name().as_bytes());
        out.push(b'"');
        if let Some(name) = t.column_name(i) {
            out.extend_from_slice(b",\"name\":");
            write_text(out, name);
        }
        if signedness && c.kind.is_numeric() {
            out.extend_from_slice(if c.unsigned {
                b",\"unsigned\":true"
            } else {
                b",\"unsigned\":false"
            });
        }
        out.push(b'}');
    }
    out.push(b']');
}

fn rows(
    out: &mut Vec<u8>,
    r: &RowsEvent<'_>,
    body: &[u8],
    maps: &TableMaps<'_>,
    form: RowsForm,
) -> Result<(), DecodeError> {
    let map = maps.get(r.table_id).ok_or(DecodeError::new(
        body.len(),
        "a table map for the rows event's table id earlier in the log",
    ))?;
    table_names(out, r.table_id, map);
    image_columns(out, "before_columns", r.before_columns());
    image_columns(out, "after_columns", r.after_columns());
    out.extend_from_slice(b",\"rows\":");
    match form {
        RowsForm::Positional => r.write_rows_json(map, out),
        RowsForm::Named => r.write_rows_json_named(map, out),
    }
}

/// `,"before_columns":[0,2]`: which columns an image's values are, written only when
/// the image leaves some out (minimal and NOBLOB row images), since `rows` lists the
/// present columns' values without their indexes.
fn image_columns(out: &mut Vec<u8>, field: &str, columns: Option<ImageColumns<'_>>) {
    let Some(columns) = columns.filter(|c| !c.is_complete()) else {
        return;
    };
    let _ = write!(out, ",\"{field}\":[");
    for (n, i) in columns.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let _ = write!(out, "{i}");
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use replog::binlog::Reader;

    /// The summaries written directly are the events' `Display`, over every event of
    /// the project's MariaDB logs and those of other servers.
    #[test]
    fn summaries_are_the_display_text() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let logs = [
            "mariadb/sample-bin.000001",
            "mariadb/types-bin.000001",
            "mariadb/compressed-bin.000001",
            "tungsten/mysql-bin.000001",
            "txn/small/mysql-bin.000001",
        ];
        let mut seen = 0;
        for log in logs {
            let bytes = std::fs::read(root.join(log)).unwrap();
            for item in Reader::new(log, &bytes).unwrap() {
                let Ok(event) = item else { continue };
                let (mut fast, mut formatted) = (Vec::new(), Vec::new());
                write_summary(&mut fast, &event.event);
                write_string(&mut formatted, &event.event.to_string());
                assert_eq!(
                    String::from_utf8_lossy(&fast),
                    String::from_utf8_lossy(&formatted),
                    "{log}"
                );
                seen += 1;
            }
        }
        assert!(seen > 100, "only {seen} events");
    }
}
