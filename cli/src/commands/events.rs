//! `thl events -file F [F…]`: the events of MySQL/MariaDB binary and relay logs, one line
//! each (or one JSON object each with `-json`), like `SHOW BINLOG EVENTS`.
//!
//! The library's [`Stream`] reads the files as one sequence (mapped, `.gz` inflated,
//! `-` = stdin): format descriptions, table maps, payload events and the check that a
//! file's closing ROTATE names the next file given. Strict by default: the first problem
//! stops the run with the library's message (file, offset, what was expected). With
//! `-permissive` every problem goes to stderr and reading carries on (the library
//! resynchronises on the next plausible event); the run then ends with status 1 and a
//! count of the problems.
//!
//! Ranges follow mysqlbinlog: `-start-position` applies to the first file (a position
//! inside an event starts at the next one, one past the last event is an error),
//! `-stop-position` to the last; the listing starts at the first
//! event at or after `-start-datetime` and keeps everything after it, so a transaction
//! is never shown without some of its events (FDEs are shown all the same), and the
//! first event at or after `-stop-datetime` (FDE and ROTATE excepted) ends the run.
//! Before the start position events are framed but not decoded, except table maps
//! (rows events inside the range need them). The selections (`-database`, `-table`,
//! GTIDs…) are [`EventFilter`]'s; `-v`/`-vv` add each rows event's changes as
//! `mariadb-binlog -v` pseudo-SQL under its line, `-sql`/`-flashback` print only SQL
//! ([`RowSql`]).

use std::cell::RefCell;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use replog::binlog::rows::{TableMaps, STMT_END_F};
use replog::binlog::stream::{opens_whole, EventSite, Piece, PieceEnd, Pieces, Stream};
use replog::binlog::{BinlogError, Event, EventType, ParseMode, ReadOptions};
use replog::decode::DecodeError;
use replog::{Error, ErrorKind, Flow};
use replog_render::binlog_json::{self, Envelope};
use replog_render::binlog_text;
use replog_render::row_sql::Direction;
use replog_render::row_verbose::{self, Verbosity};
use replog_render::zone::Zone;

use super::event_filters::EventFilter;
use super::event_sql::RowSql;
use super::{ordered, other_format, Problems};
use crate::args::{EventsArgs, Invocation, RowsOutput};
use crate::failure::{notice, Failure};

/// Runs `thl events`.
pub fn run(
    invocation: &Invocation,
    args: &EventsArgs,
    out: &mut (impl Write + Send),
) -> Result<(), Failure> {
    if args.files.is_empty() && args.remote.is_none() {
        return Err(Failure::usage(
            "events needs at least one binary log: thl events -file FILE [FILE...]",
        ));
    }
    let zone = match invocation.timezone.as_deref() {
        None => Zone::utc(),
        Some(name) => match Zone::named(name) {
            (zone, None) => zone,
            (_, Some(_)) => {
                return Err(Failure::usage(format!(
                    "Invalid -timezone '{name}': not a time zone name (Europe/Paris, GMT+2, \
                     PST, UTC…)"
                )))
            }
        },
    };
    let window = Window {
        start_position: args.start_position,
        stop_position: args.stop_position,
        start_time: args
            .start_datetime
            .as_deref()
            .map(|t| epoch_seconds(t, &zone, "-start-datetime"))
            .transpose()?,
        stop_time: args
            .stop_datetime
            .as_deref()
            .map(|t| epoch_seconds(t, &zone, "-stop-datetime"))
            .transpose()?,
    };
    window.check(args.files.len())?;
    let mut filter = EventFilter::new(&args.filters)?;
    let mut row_sql = match args.rows {
        RowsOutput::Sql => Some(RowSql::new(Direction::Redo, args.columns.as_deref())?),
        RowsOutput::Flashback => Some(RowSql::new(Direction::Undo, args.columns.as_deref())?),
        _ => None,
    };
    if let Some(sql) = &row_sql {
        sql.begin(out)?;
    }
    let problems = Problems::new(args.permissive);
    let mut stream = Stream::new(super::open_options()?);
    stream.read = ReadOptions::default()
        .mode(if args.permissive {
            ParseMode::Permissive
        } else {
            ParseMode::Strict
        })
        .verify_checksums(!invocation.no_checksum);
    stream.start_position = window.start_position.unwrap_or(0);
    stream.stop_position = window.stop_position;
    let remote = args.remote.as_ref();
    let mut printer = Printer {
        json: args.json,
        named: args.named,
        verbosity: match args.rows {
            RowsOutput::Verbose => Some(Verbosity::Values),
            RowsOutput::VeryVerbose => Some(Verbosity::Types),
            _ => None,
        },
        zone,
        statement_rows: 0,
        first_count: RowCount::Written,
        file_field: (usize::MAX, Vec::new()),
        table_map_texts: binlog_json::TableMapTexts::default(),
        scratch: String::new(),
    };
    // Row SQL, filters and the datetime window follow the events in order, across
    // pieces (transactions, the first event past a time): those runs, and a followed
    // server, read serially; so do standard input and compressed files, read one event
    // at a time through a window rather than cut into pieces. (`-v`'s statement row
    // counts cross pieces too: the writer completes them, see `RowCount`.)
    let parallel = args.threads > 1
        && remote.is_none()
        && args.files.iter().all(|file| opens_whole(file))
        && row_sql.is_none()
        && !filter.is_active()
        && window.start_time.is_none()
        && window.stop_time.is_none();
    if parallel {
        let start_reached = walk_in_parallel(&stream, args, &printer, &problems, out)?;
        let start = window.start_position.filter(|&p| p > 4);
        if let (false, Some(start), Some(first)) = (start_reached, start, args.files.first()) {
            return Err(Failure::usage(format!(
                "Invalid -start-position {start}: beyond the last event of {first}"
            )));
        }
        return problems.verdict();
    }
    // Lines of several events go out together: files read whole are rendered into
    // one buffer written when it holds `BATCH_BYTES`, which the buffered stdout hands
    // straight to the system (no copy into its own buffer). Input that arrives as it
    // is written (standard input, a followed server) goes out event by event.
    let batched = remote.is_none() && args.files.iter().all(|file| opens_whole(file));
    let mut line = Vec::with_capacity(2 * BATCH_BYTES);
    // A `-start-position` past the last event of the first file selects nothing: an
    // error, as a start after the stop is. (One inside an event starts at the next.)
    let start = window.start_position.filter(|&p| p > 4);
    let mut start_reached = start.is_none();
    let mut started = window.start_time.is_none();
    let mut selected_events = 0u64;
    let mut visit =
        |site: &EventSite<'_>, event: &Event<'_>, maps: &TableMaps<'_>| -> Result<Flow, Hinted> {
            let fde = site.event_type == EventType::FORMAT_DESCRIPTION;
            start_reached = start_reached || (site.file_index == 0 && !fde);
            if past_stop_time(site, &window) {
                return Ok(Flow::Stop);
            }
            // The first event at or after -start-datetime starts the listing; ROTATE does
            // not count (relay logs' carry the writer's time, artificial ones 0).
            started = started
                || (!fde
                    && site.event_type != EventType::ROTATE
                    && window
                        .start_time
                        .is_some_and(|s| i64::from(site.header.timestamp) >= s));
            // The filter sees every event: it follows the transactions (when it selects
            // something: otherwise every event is selected).
            let selected = !filter.is_active() || filter.selects(site, event, maps);
            // FORMAT_DESCRIPTION events are shown whatever the start, as mysqlbinlog and
            // mariadb-binlog print them: they say how the rest of the file is written.
            if !(fde || (started && selected)) {
                return Ok(Flow::Continue);
            }
            selected_events += u64::from(!fde);
            let mark = line.len();
            let shown = match &mut row_sql {
                Some(sql) if fde => Ok(()),
                Some(sql) => sql.event(site, event, maps, out),
                None => printer
                    .event(&mut line, site, event, maps)
                    .map_err(|err| with_hint(&err)),
            };
            if let Err(message) = shown {
                // The event's partial text goes; the events before it still go out.
                line.truncate(mark);
                if !problems.permissive() {
                    out.write_all(&line).map_err(|e| Hinted(Failure::from(e)))?;
                    line.clear();
                    return Err(Hinted(Failure::Fatal(message)));
                }
                problems.report_message(message);
                return Ok(Flow::Continue);
            }
            if row_sql.is_none() && (!batched || line.len() >= BATCH_BYTES) {
                out.write_all(&line).map_err(|e| Hinted(Failure::from(e)))?;
                line.clear();
                if remote.is_some() {
                    // A followed server is read as it writes: each event goes out as
                    // it arrives.
                    out.flush().map_err(|e| Hinted(Failure::from(e)))?;
                }
            }
            Ok(Flow::Continue)
        };
    let mut report = |err: Error| problems.report_message(with_hint(&err));
    // A server starts its stream at the position asked for; only files are checked.
    let local = remote.is_none();
    match remote {
        Some(remote) => {
            super::remote::events(remote, args, stream.read, &mut visit, &mut report)
                .map_err(|hinted| hinted.0)?;
        }
        None => {
            let walked = stream.walk(&args.files, &mut visit, &mut report);
            // What the walk rendered goes out whether or not it ended in an error.
            out.write_all(&line)?;
            walked.map_err(|hinted| hinted.0)?;
        }
    }
    if let (true, false, Some(start), Some(first)) =
        (local, start_reached, start, args.files.first())
    {
        return Err(Failure::usage(format!(
            "Invalid -start-position {start}: beyond the last event of {first}"
        )));
    }
    if let Some(sql) = row_sql {
        sql.finish(out)?;
    }
    if filter.is_active() && selected_events == 0 {
        notice("NOTE no event matches the -database, -table, -server-id, -type or GTID selection");
    }
    problems.verdict()
}

/// A failure whose library error got its hint (see [`with_hint`]).
pub(super) struct Hinted(pub(super) Failure);

impl From<replog_remote::RemoteError> for Hinted {
    fn from(err: replog_remote::RemoteError) -> Hinted {
        Hinted(Failure::from(err))
    }
}

impl From<Error> for Hinted {
    fn from(err: Error) -> Hinted {
        Hinted(Failure::Fatal(with_hint(&err)))
    }
}

/// The error's message; a file that is a THL file, not a binary log, gets a pointer to
/// the command that reads it.
fn with_hint(err: &Error) -> String {
    let mut message = crate::failure::error_message(err);
    if let ErrorKind::Binlog(BinlogError::BadMagic { found }) = &err.kind {
        if let Some(hint) = other_format::thl_hint(&err.file, found) {
            message.push_str(&hint);
        }
    }
    message
}

/// Rendered bytes gathered before they are written, reading whole files serially: at
/// least the buffered stdout's capacity, so that it passes them on without copying.
const BATCH_BYTES: usize = 64 * 1024;

/// Input bytes per piece of a file decoded on its own thread: small enough that the
/// pieces in flight (their rendered text included, a few times the input) stay within a
/// few tens of MiB, large enough that handing pieces around costs little. (Measured on
/// two threads: 1 MiB pieces took 10 % longer than 2 MiB ones on a log of large events
/// listed as text, where a piece is rendered in a fraction of a millisecond.)
const PIECE_BYTES: u64 = 2 << 20;

/// Pieces taken by the threads and not yet written, per thread.
const PIECES_IN_FLIGHT_PER_THREAD: usize = 2;

/// What one piece produced: its text, its problems (permissive), how it ended.
struct Rendered {
    text: Vec<u8>,
    /// `-v`: the row count of the first statement that ends in the piece, left out of
    /// `text` (see [`RowCount`]).
    first_count: RowCount,
    /// `-v`: rows of the statement still open at the piece's end, for the next piece's
    /// first count.
    open_rows: u64,
    problems: Vec<String>,
    end: Result<PieceEnd, Hinted>,
    /// An event of the first file other than its format description was visited.
    start_reached: bool,
}

/// `thl events` over local files on `args.threads` threads: each file is cut into
/// pieces ([`Stream::walk_in_pieces`]), each piece rendered on a thread into its own
/// buffer, and the buffers written in order, so the output is the serial one byte for
/// byte. Returns whether the start position was reached.
///
/// The piece whose text goes out next (every piece before it written: the head) does
/// not keep its text: it writes it as it goes, every `BATCH_BYTES`, as the serial walk
/// does. Rendering into a buffer of a few MiB that is written only at the end misses
/// the processor's caches at every line (measured: the serial walk batching 6 MB took
/// 14 % more time); only the pieces ahead of the head pay that now.
fn walk_in_parallel(
    stream: &Stream,
    args: &EventsArgs,
    printer: &Printer,
    problems: &Problems,
    out: &mut (impl Write + Send),
) -> Result<bool, Failure> {
    let read = stream.read;
    let piece_bytes = super::piece_bytes(PIECE_BYTES)?;
    // The head writes its text every `BATCH_BYTES`, or every piece's worth when pieces
    // are smaller (`THL_PIECE_BYTES`, as the tests cut small logs: the head's writes
    // then happen in them too).
    let head_batch = usize::try_from(piece_bytes).map_or(BATCH_BYTES, |p| p.min(BATCH_BYTES));
    let mut start_reached = false;
    // Text buffers go back to the threads once written: a piece's text (a few MiB of
    // JSON) is then rendered into memory already grown and touched, not into a fresh
    // allocation that regrows by copying and faults its pages in again.
    let spare_texts = Mutex::new(Vec::<Vec<u8>>::new());
    let output = Mutex::new(Output { out, open_rows: 0 });
    // The index, among the pieces of the file walked, of the head.
    let head = AtomicUsize::new(0);
    let render = |(index, piece): (usize, Piece<'_>)| -> Rendered {
        let mut printer = Printer {
            first_count: RowCount::LeaveOut,
            ..printer.clone()
        };
        let text = spare_texts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        let mut rendered = Rendered {
            text,
            first_count: RowCount::LeaveOut,
            open_rows: 0,
            problems: Vec::new(),
            end: Ok(PieceEnd::default()),
            start_reached: false,
        };
        // Damage reported by the walk and events that do not render, in their order.
        let piece_problems = RefCell::new(Vec::new());
        let mut visit = |site: &EventSite<'_>, event: &Event<'_>, maps: &TableMaps<'_>| {
            let fde = site.event_type == EventType::FORMAT_DESCRIPTION;
            rendered.start_reached |= site.file_index == 0 && !fde;
            let mark = rendered.text.len();
            if let Err(err) = printer.event(&mut rendered.text, site, event, maps) {
                rendered.text.truncate(mark);
                if read.mode == ParseMode::Strict {
                    return Err(Hinted(Failure::Fatal(with_hint(&err))));
                }
                piece_problems.borrow_mut().push(with_hint(&err));
            }
            if rendered.text.len() >= head_batch && head.load(Ordering::Acquire) == index {
                output
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .write_head(&mut printer, &mut rendered.text)
                    .map_err(|e| Hinted(Failure::from(e)))?;
            }
            Ok(Flow::Continue)
        };
        let mut report = |err: Error| piece_problems.borrow_mut().push(with_hint(&err));
        let end = piece.walk(read, &mut visit, &mut report);
        rendered.end = end;
        rendered.first_count = printer.first_count;
        rendered.open_rows = printer.statement_rows;
        rendered.problems = piece_problems.into_inner();
        rendered
    };
    let threads = args.threads;
    let mut walk_file = |pieces: Pieces<'_>| -> Result<PieceEnd, Hinted> {
        let mut last = PieceEnd::default();
        head.store(0, Ordering::Release);
        ordered::in_order(
            pieces.enumerate(),
            threads,
            threads * PIECES_IN_FLIGHT_PER_THREAD,
            render,
            |rendered: Rendered| -> Result<ordered::Next, Hinted> {
                output
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .write_piece(&rendered)
                    .map_err(|e| Hinted(Failure::from(e)))?;
                let mut text = rendered.text;
                text.clear();
                spare_texts
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(text);
                for message in rendered.problems {
                    problems.report_message(message);
                }
                start_reached |= rendered.start_reached;
                last = rendered.end?;
                if last.stopped() {
                    return Ok(ordered::Next::Done);
                }
                // The next piece is the head now (only when there is one to write:
                // pieces past a stop are rendered but never written).
                head.fetch_add(1, Ordering::AcqRel);
                Ok(ordered::Next::More)
            },
        )?;
        Ok(last)
    };
    let mut report = |err: Error| problems.report_message(with_hint(&err));
    (*stream)
        .walk_in_pieces(&args.files, piece_bytes, &mut walk_file, &mut report)
        .map_err(|hinted| hinted.0)?;
    Ok(start_reached)
}

/// Where the pieces' texts go, in order.
struct Output<'o, W> {
    out: &'o mut W,
    /// `-v`: rows of the statement open at the end of the text written so far.
    open_rows: u64,
}

impl<W: Write> Output<'_, W> {
    /// Writes the rest of a piece's text, after what it wrote as the head.
    fn write_piece(&mut self, rendered: &Rendered) -> std::io::Result<()> {
        self.write_text(&rendered.text, rendered.first_count)?;
        self.open_rows += rendered.open_rows;
        Ok(())
    }

    /// Writes and empties the `text` rendered so far by the head's `printer`. From then
    /// on the printer writes its statements' row counts itself (`-v`): the rows of the
    /// statement open before its piece are known, and the open statement's go on from
    /// them.
    fn write_head(&mut self, printer: &mut Printer, text: &mut Vec<u8>) -> std::io::Result<()> {
        if let RowCount::LeaveOut = printer.first_count {
            printer.statement_rows += std::mem::take(&mut self.open_rows);
        }
        self.write_text(text, printer.first_count)?;
        printer.first_count = RowCount::Written;
        text.clear();
        Ok(())
    }

    /// Writes `text` with the row count left out of it (`-v`), if any, completed by the
    /// rows of the statement open before it.
    fn write_text(&mut self, text: &[u8], first_count: RowCount) -> std::io::Result<()> {
        let RowCount::LeftOut { at, rows } = first_count else {
            return self.out.write_all(text);
        };
        let (before, after) = text.split_at(at);
        let mut count = Vec::new();
        row_verbose::write_row_count(&mut count, std::mem::take(&mut self.open_rows) + rows);
        self.out.write_all(before)?;
        self.out.write_all(&count)?;
        self.out.write_all(after)
    }
}

/// `-v`: what becomes of a statement's row count (`# Number of rows: N`), written where
/// its last rows event (`STMT_END_F`) is.
#[derive(Debug, Clone, Copy)]
enum RowCount {
    /// Written: every statement's rows were counted (the serial walk, or a piece once
    /// it is the head, see [`Output::write_head`]).
    Written,
    /// The first statement that ends in a piece may have begun in the pieces before,
    /// whose rows a piece rendered on its own cannot count: its count is left out, for
    /// the writer, who knows them.
    LeaveOut,
    /// Left out at `at` in the piece's text, after `rows` of the piece's rows.
    LeftOut { at: usize, rows: u64 },
}

/// Renders events, one at a time.
#[derive(Clone)]
struct Printer {
    json: bool,
    /// `-json -named`: row images keyed by column name.
    named: bool,
    /// `-v`/`-vv`: rows events are followed by their changes as pseudo-SQL.
    verbosity: Option<Verbosity>,
    /// The zone of the TIME column.
    zone: Zone,
    /// `-v`: rows of the current statement so far (its rows events end at STMT_END_F).
    statement_rows: u64,
    /// `-v`: what becomes of the next statement's row count.
    first_count: RowCount,
    /// The JSON `"file":…` field of the file last seen, by file index.
    file_field: (usize, Vec<u8>),
    /// `-json`: the table maps' text, copied when a map comes again unchanged.
    table_map_texts: binlog_json::TableMapTexts,
    scratch: String,
}

impl Printer {
    /// Appends one event's line(s) to `line`; an error when its body does not render
    /// (`line` then holds part of it: the caller drops it, so a failed event leaves
    /// nothing behind).
    fn event(
        &mut self,
        line: &mut Vec<u8>,
        site: &EventSite<'_>,
        event: &Event<'_>,
        maps: &TableMaps<'_>,
    ) -> Result<(), Error> {
        if self.file_field.0 != site.file_index {
            self.file_field = (site.file_index, binlog_json::file_field(site.file));
        }
        let env = Envelope {
            file_field: &self.file_field.1,
            offset: site.offset,
            inner_offset: site.inner_offset,
            event_type: site.event_type,
            header: site.header,
            checksum_ok: site.checksum_ok,
        };
        if self.json {
            let rows = if self.named {
                binlog_json::RowsForm::Named
            } else {
                binlog_json::RowsForm::Positional
            };
            return self
                .table_map_texts
                .write_event(line, &env, event, site.body, site.context, maps, rows)
                .map_err(|cause| body_error(site, cause));
        }
        binlog_text::write_event(line, &mut self.scratch, site.file, &env, event, &self.zone);
        if let (Some(verbosity), Event::Rows(rows)) = (self.verbosity, event) {
            let map = maps.get(rows.table_id).ok_or_else(|| {
                body_error(
                    site,
                    DecodeError::new(
                        site.body.len(),
                        "a table map for the rows event's table id earlier in the log",
                    ),
                )
            })?;
            self.statement_rows += row_verbose::write_rows(line, rows, map, verbosity)
                .map_err(|cause| body_error(site, cause))?;
            if rows.flags & STMT_END_F != 0 {
                match self.first_count {
                    RowCount::LeaveOut => {
                        self.first_count = RowCount::LeftOut {
                            at: line.len(),
                            rows: self.statement_rows,
                        }
                    }
                    _ => row_verbose::write_row_count(line, self.statement_rows),
                }
                self.statement_rows = 0;
            }
        }
        Ok(())
    }
}

/// The library error for a body that did not decode (or render), at the event's place.
pub(super) fn body_error(site: &EventSite<'_>, cause: DecodeError) -> Error {
    let kind = match site.inner_offset {
        None => BinlogError::body(
            site.event_type,
            site.offset + site.header_len as u64,
            site.body,
            cause,
        ),
        Some(inner_offset) => BinlogError::InPayload {
            inner_offset,
            cause: Box::new(BinlogError::body(site.event_type, 0, site.body, cause)),
        },
    };
    Error::new(site.file, site.offset, ErrorKind::Binlog(kind))
}

/// `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` in `-timezone` (UTC when absent) as epoch seconds.
fn epoch_seconds(text: &str, zone: &Zone, option: &str) -> Result<i64, Failure> {
    let bad = |why: String| Failure::usage(format!("Invalid {option} '{text}': {why}"));
    let civil: jiff::civil::DateTime = match text.parse() {
        Ok(dt) => dt,
        Err(_) => text
            .parse::<jiff::civil::Date>()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|_| bad("expected YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'".into()))?,
    };
    let zoned = civil
        .to_zoned(zone.time_zone().clone())
        .map_err(|e| bad(e.to_string()))?;
    Ok(zoned.timestamp().as_second())
}

/// The selection, as typed.
#[derive(Debug, Clone, Copy)]
struct Window {
    start_position: Option<u64>,
    stop_position: Option<u64>,
    start_time: Option<i64>,
    stop_time: Option<i64>,
}

impl Window {
    /// Ranges that select nothing are mistakes: a start after the stop.
    fn check(&self, files: usize) -> Result<(), Failure> {
        if let (Some(start), Some(stop), 1) = (self.start_position, self.stop_position, files) {
            if start >= stop {
                return Err(Failure::usage(format!(
                    "Invalid range: -start-position {start} is not before -stop-position {stop}"
                )));
            }
        }
        if let (Some(start), Some(stop)) = (self.start_time, self.stop_time) {
            if start >= stop {
                return Err(Failure::usage(
                    "Invalid range: -start-datetime is not before -stop-datetime",
                ));
            }
        }
        Ok(())
    }
}

/// Whether `site` is the first event at or after `-stop-datetime`. FDE and ROTATE do
/// not count: relay logs and rotations carry the time they were written, not the
/// source's.
fn past_stop_time(site: &EventSite<'_>, window: &Window) -> bool {
    window.stop_time.is_some_and(|stop| {
        i64::from(site.header.timestamp) >= stop
            && !matches!(
                site.event_type,
                EventType::FORMAT_DESCRIPTION | EventType::ROTATE
            )
    })
}
