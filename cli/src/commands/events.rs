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
//! Ranges follow mysqlbinlog: `-start-position` applies to the first file and
//! `-stop-position` to the last; events older than `-start-datetime` are skipped (FDEs
//! are shown all the same) and the first event at or after `-stop-datetime` (FDE and
//! ROTATE excepted) ends the run. Before the start position events are framed but not
//! decoded, except table maps (rows events inside the range need them).

use std::io::Write;

use replog::binlog::rows::TableMaps;
use replog::binlog::stream::{EventSite, Stream};
use replog::binlog::{BinlogError, Event, EventType, ParseMode, ReadOptions};
use replog::{Error, ErrorKind, Flow};
use replog_render::binlog_json::{self, Envelope};
use replog_render::binlog_text;

use super::{other_format, Problems};
use crate::args::{EventsArgs, Invocation};
use crate::failure::Failure;

/// Runs `thl events`.
pub fn run(
    invocation: &Invocation,
    args: &EventsArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    if args.files.is_empty() && args.remote.is_none() {
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
        file_field: (usize::MAX, Vec::new()),
        line: Vec::with_capacity(1 << 16),
        scratch: String::new(),
    };
    let mut visit =
        |site: &EventSite<'_>, event: &Event<'_>, maps: &TableMaps<'_>| -> Result<Flow, Hinted> {
            if past_stop_time(site, &window) {
                return Ok(Flow::Stop);
            }
            // FORMAT_DESCRIPTION events are shown whatever the start, as mysqlbinlog and
            // mariadb-binlog print them: they say how the rest of the file is written.
            let shown = site.event_type == EventType::FORMAT_DESCRIPTION
                || window
                    .start_time
                    .is_none_or(|s| i64::from(site.header.timestamp) >= s);
            if shown {
                if let Err(err) = printer.event(site, event, maps) {
                    if !problems.permissive() {
                        return Err(Hinted::from(err));
                    }
                    problems.report_message(with_hint(&err));
                    return Ok(Flow::Continue);
                }
                out.write_all(&printer.line)
                    .map_err(|e| Hinted(Failure::from(e)))?;
                if remote.is_some() {
                    // A followed server is read as it writes: each event goes out as
                    // it arrives.
                    out.flush().map_err(|e| Hinted(Failure::from(e)))?;
                }
            }
            Ok(Flow::Continue)
        };
    let mut report = |err: Error| problems.report_message(with_hint(&err));
    match remote {
        Some(remote) => {
            super::remote::events(remote, args, stream.read, &mut visit, &mut report)
                .map_err(|hinted| hinted.0)?;
        }
        None => {
            stream
                .walk(&args.files, &mut visit, &mut report)
                .map_err(|hinted| hinted.0)?;
        }
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

/// Renders events into one reused line buffer.
struct Printer {
    json: bool,
    /// The JSON `"file":…` field of the file last seen, by file index.
    file_field: (usize, Vec<u8>),
    /// The line being built; written out whole, so a failed event leaves nothing behind.
    line: Vec<u8>,
    scratch: String,
}

impl Printer {
    /// Renders one event into `self.line`; an error when its body does not render.
    fn event(
        &mut self,
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
        self.line.clear();
        if !self.json {
            binlog_text::write_event(&mut self.line, &mut self.scratch, site.file, &env, event);
            return Ok(());
        }
        binlog_json::write_event(&mut self.line, &env, event, site.body, maps).map_err(|cause| {
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
        })
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
