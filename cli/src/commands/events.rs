//! `thl events -file F [F…]`: the events of MySQL/MariaDB binary and relay logs, one line
//! each (or one JSON object each with `-json`), like `SHOW BINLOG EVENTS`.
//!
//! Files are read through [`LogBytes`] (mapped, `.gz` inflated, `-` = stdin) and framed
//! with the library's [`Frames`]; bodies are decoded as needed. Strict by default: the
//! first problem stops the run with the library's message (file, offset, what was expected). With `-permissive` every
//! problem goes to stderr and reading carries on (the library resynchronises on the next
//! plausible event); the run then ends with status 1 and a count of the problems.
//!
//! Several files are a sequence: when one ends with a ROTATE the server wrote, the
//! next file given must be the one it names ([`sequence`]), else a file is missing.
//!
//! Ranges follow mysqlbinlog: `-start-position` applies to the first file and
//! `-stop-position` to the last; events older than `-start-datetime` are skipped (FDEs
//! are shown all the same) and the first event at or after `-stop-datetime` (FDE and
//! ROTATE excepted) ends the run.
//! Events outside the range are framed but only decoded for their context: table maps
//! before the start position are remembered so that rows events inside it can be
//! rendered, and a damaged body before the start does not stop the run.

use std::io::Write;
use std::path::Path;

use replog::binlog::events::transaction_payload::TransactionPayload;
use replog::binlog::rows::TableMaps;
use replog::binlog::{sequence, InnerEvents, ParseMode, RawEvent, ReadOptions};
use replog::binlog::{BinlogError, Event, EventType, FormatContext, Frames, InnerEvent};
use replog::decode::DecodeError;
use replog::input::{LogBytes, OpenOptions};
use replog::{Error, ErrorKind, Flow};
use replog_render::binlog_json::{self, Envelope};
use replog_render::binlog_text;

use super::other_format;
use crate::args::{EventsArgs, Invocation};
use crate::failure::{error_message, Failure};

/// Runs `thl events`.
pub fn run(
    invocation: &Invocation,
    args: &EventsArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    if args.files.is_empty() {
        return Err(Failure::usage(
            "events needs at least one binary log: thl events -file FILE [FILE...]",
        ));
    }
    let zone = invocation.timezone.as_deref();
    let window = Window {
        start_position: args.start_position,
        stop_position: args.stop_position,
        start_time: args
            .start_datetime
            .as_deref()
            .map(|t| epoch_seconds(t, zone, "-start-datetime"))
            .transpose()?,
        stop_time: args
            .stop_datetime
            .as_deref()
            .map(|t| epoch_seconds(t, zone, "-stop-datetime"))
            .transpose()?,
    };
    let mut run = Run {
        json: args.json,
        options: ReadOptions::default()
            .mode(if args.permissive {
                ParseMode::Permissive
            } else {
                ParseMode::Strict
            })
            .verify_checksums(!invocation.no_checksum),
        problems: 0,
        closing_rotate: None,
        line: Vec::with_capacity(1 << 16),
        scratch: String::new(),
    };
    let open_options = super::open_options()?;
    let last = args.files.len() - 1;
    for (i, name) in args.files.iter().enumerate() {
        if let Some(rotate) = run.closing_rotate.take() {
            if name != "-" && !sequence::is_named_file(rotate.named.as_bytes(), name) {
                let e = Error::new(
                    rotate.file,
                    rotate.offset,
                    ErrorKind::Binlog(BinlogError::NextFileMismatch {
                        named: rotate.named,
                        given: name.clone(),
                    }),
                );
                run.problem(e.to_string())?;
            }
        }
        let bytes = match open(name, open_options) {
            Ok(b) => b,
            Err(e) => {
                run.problem(error_message(&e))?;
                continue;
            }
        };
        let range = FileRange {
            start: if i == 0 { window.start_position } else { None },
            stop: if i == last {
                window.stop_position
            } else {
                None
            },
        };
        if run.file(&bytes, range, &window, out)? == Flow::Stop {
            break;
        }
    }
    match run.problems {
        0 => Ok(()),
        1 => Err(Failure::Error("1 problem reported (-permissive)".into())),
        n => Err(Failure::Error(format!(
            "{n} problems reported (-permissive)"
        ))),
    }
}

fn open(name: &str, options: OpenOptions) -> Result<LogBytes, Error> {
    if name == "-" {
        LogBytes::from_reader_with("<stdin>", std::io::stdin().lock(), options)
    } else {
        LogBytes::open_with(Path::new(name), options)
    }
}

/// `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` in `-timezone` (UTC when absent) as epoch seconds.
fn epoch_seconds(text: &str, zone: Option<&str>, option: &str) -> Result<i64, Failure> {
    let bad = |why: String| Failure::usage(format!("Invalid {option} '{text}': {why}"));
    let civil: jiff::civil::DateTime = match text.parse() {
        Ok(dt) => dt,
        Err(_) => text
            .parse::<jiff::civil::Date>()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|_| bad("expected YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'".into()))?,
    };
    let tz = match zone {
        None => jiff::tz::TimeZone::UTC,
        Some(name) => {
            jiff::tz::TimeZone::get(name).map_err(|_| bad(format!("unknown time zone '{name}'")))?
        }
    };
    let zoned = civil.to_zoned(tz).map_err(|e| bad(e.to_string()))?;
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

/// The positions that apply to one file.
#[derive(Debug, Clone, Copy)]
struct FileRange {
    start: Option<u64>,
    stop: Option<u64>,
}

/// State of one `events` run.
struct Run {
    json: bool,
    options: ReadOptions,
    problems: usize,
    /// The ROTATE the last file read ended with, checked against the next file given.
    closing_rotate: Option<ClosingRotate>,
    /// The line being built; written out whole, so a failed event leaves nothing behind.
    line: Vec<u8>,
    scratch: String,
}

/// A file's last event, when it is a ROTATE naming the next file of the sequence.
struct ClosingRotate {
    file: String,
    offset: u64,
    named: String,
}

/// The input an event comes from.
struct Input<'f> {
    name: &'f str,
    file_field: &'f [u8],
    /// Common-header length in force (19, or 13 in v1 logs), to locate body errors.
    header_len: usize,
}

impl Run {
    /// Strict: the problem ends the run. Permissive: report it and count it.
    fn problem(&mut self, message: String) -> Result<(), Failure> {
        if self.options.mode == ParseMode::Strict {
            return Err(Failure::Fatal(message));
        }
        self.problems += 1;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{message}");
        Ok(())
    }

    fn file(
        &mut self,
        bytes: &LogBytes,
        range: FileRange,
        window: &Window,
        out: &mut impl Write,
    ) -> Result<Flow, Failure> {
        let name = bytes.name();
        let file_field = binlog_json::file_field(name);
        let mut frames = match Frames::new(name, bytes.bytes(), self.options) {
            Ok(f) => f,
            Err(e) => {
                let hint = other_format::thl_hint(name, bytes.bytes());
                self.problem(format!("{e}{}", hint.unwrap_or_default()))?;
                return Ok(Flow::Continue);
            }
        };
        let mut maps = TableMaps::new();
        while let Some(item) = frames.next() {
            self.closing_rotate = None;
            let raw = match item {
                Ok(raw) => raw,
                Err(e) => {
                    self.problem(e.to_string())?;
                    continue;
                }
            };
            if range.stop.is_some_and(|stop| raw.offset >= stop) || past_stop_time(&raw, window) {
                return Ok(Flow::Stop);
            }
            let ctx = frames.context();
            if raw.event_type == EventType::ROTATE && sequence::names_next_file(&raw.header) {
                if let Ok(Event::Rotate(r)) = raw.decode(ctx) {
                    self.closing_rotate = Some(ClosingRotate {
                        file: name.to_string(),
                        offset: raw.offset,
                        named: String::from_utf8_lossy(r.next_file).into_owned(),
                    });
                }
            }
            let input = Input {
                name,
                file_field: &file_field,
                header_len: ctx.header_len,
            };
            // FORMAT_DESCRIPTION events are shown whatever the start, as mysqlbinlog and
            // mariadb-binlog print them: they say how the rest of the file is written.
            let shown = raw.event_type == EventType::FORMAT_DESCRIPTION
                || range.start.is_none_or(|s| raw.offset >= s)
                    && window
                        .start_time
                        .is_none_or(|s| i64::from(raw.header.timestamp) >= s);
            // Outside the range only what later events depend on is decoded, so a
            // damaged body there does not stop the run.
            let context = matches!(
                raw.event_type,
                EventType::TABLE_MAP | EventType::TRANSACTION_PAYLOAD
            );
            if !shown && !context {
                continue;
            }
            let event = match raw.decode(ctx) {
                Ok(event) => event,
                Err(cause) if shown => {
                    self.problem(
                        body_error(&input, &raw, raw.event_type, raw.body, cause).to_string(),
                    )?;
                    continue;
                }
                Err(_) => continue,
            };
            if shown {
                self.event(&input, &raw, None, &event, raw.body, &maps, out)?;
            }
            if let Event::TransactionPayload(p) = &event {
                self.payload(&input, &raw, p, ctx, shown, &mut maps, out)?;
            }
            if let Event::TableMap(t) = event {
                maps.insert(*t);
            }
        }
        Ok(Flow::Continue)
    }

    /// Renders one event (`inner` = its offset inside a payload) and writes the line.
    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        input: &Input<'_>,
        at: &RawEvent<'_>,
        inner: Option<(usize, &InnerEvent<'_>)>,
        event: &Event<'_>,
        body: &[u8],
        maps: &TableMaps<'_>,
        out: &mut impl Write,
    ) -> Result<(), Failure> {
        let (header, event_type, checksum_ok) = match inner {
            Some((_, e)) => (&e.header, e.event_type, None),
            None => (&at.header, at.event_type, at.checksum_ok),
        };
        let env = Envelope {
            file_field: input.file_field,
            offset: at.offset,
            inner_offset: inner.map(|(o, _)| o),
            event_type,
            header,
            checksum_ok,
        };
        self.line.clear();
        if self.json {
            if let Err(cause) = binlog_json::write_event(&mut self.line, &env, event, body, maps) {
                let message = match inner {
                    None => body_error(input, at, event_type, body, cause).to_string(),
                    Some((o, _)) => format!(
                        "{}: at byte {}: payload event at inner offset {o}: {}: expected {}",
                        input.name,
                        at.offset,
                        event_type.name().unwrap_or("UNKNOWN_EVENT"),
                        cause.expected
                    ),
                };
                return self.problem(message);
            }
        } else {
            binlog_text::write_event(&mut self.line, &mut self.scratch, input.name, &env, event);
        }
        out.write_all(&self.line)?;
        Ok(())
    }

    /// The events inside a TRANSACTION_PAYLOAD: shown when the payload is, and their
    /// table maps remembered in any case.
    #[allow(clippy::too_many_arguments)]
    fn payload(
        &mut self,
        input: &Input<'_>,
        at: &RawEvent<'_>,
        payload: &TransactionPayload<'_>,
        ctx: &FormatContext,
        shown: bool,
        maps: &mut TableMaps<'_>,
        out: &mut impl Write,
    ) -> Result<(), Failure> {
        let buf = match payload.decompress() {
            Ok(b) => b,
            Err(cause) => {
                let e = body_error(input, at, at.event_type, at.body, cause);
                return self.problem(e.to_string());
            }
        };
        for item in InnerEvents::new(&buf, ctx) {
            let inner_failed =
                |e: &dyn std::fmt::Display| format!("{}: at byte {}: {e}", input.name, at.offset);
            let inner = match item {
                Ok(i) => i,
                Err(e) => return self.problem(inner_failed(&e)),
            };
            let event = match inner.decode(ctx) {
                Ok(ev) => ev,
                Err(e) => {
                    self.problem(inner_failed(&e))?;
                    continue;
                }
            };
            if shown {
                let here = Some((inner.inner_offset, &inner));
                self.event(input, at, here, &event, inner.body, maps, out)?;
            }
            if let Event::TableMap(t) = event {
                maps.insert((*t).into_owned());
            }
        }
        Ok(())
    }
}

/// Whether `ev` is the first event at or after `-stop-datetime`. FDE and ROTATE do not
/// count: relay logs and rotations carry the time they were written, not the source's.
fn past_stop_time(ev: &RawEvent<'_>, window: &Window) -> bool {
    window.stop_time.is_some_and(|stop| {
        i64::from(ev.header.timestamp) >= stop
            && !matches!(
                ev.event_type,
                EventType::FORMAT_DESCRIPTION | EventType::ROTATE
            )
    })
}

/// A body that did not render, located in the file as the library locates its own.
fn body_error(
    input: &Input<'_>,
    at: &RawEvent<'_>,
    event_type: EventType,
    body: &[u8],
    cause: DecodeError,
) -> Error {
    let body_at = at.offset + input.header_len as u64;
    Error::new(
        input.name,
        at.offset,
        ErrorKind::Binlog(BinlogError::body(event_type, body_at, body, cause)),
    )
}
