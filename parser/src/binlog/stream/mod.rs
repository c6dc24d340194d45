//! A stateful walk over a sequence of binary logs: the state a reader must carry from
//! event to event, kept in one place.
//!
//! [`Stream::walk`] opens each file in turn: a plain file is mapped ([`LogBytes`]);
//! standard input, `.gz`/`.zst` files and special files are read through a sliding
//! window ([`LogWindow`]), one event at a time, so that memory stays bounded whatever
//! their size. It frames each with the format description in force, decodes every body, expands the
//! events packed in a `TRANSACTION_PAYLOAD_EVENT`, remembers table maps (a rows event
//! is useless without its map) and checks that a file's closing ROTATE names the file
//! given next. Each decoded event reaches the visitor with its [`EventSite`] (file,
//! offset, where the next event starts) and the table maps in force.
//!
//! Strict by default: the first problem ends the walk with its error. Permissive: every
//! problem goes to the report channel and the walk carries on with the next readable
//! event (see [`super::reader`] for how framing resynchronises).
//!
//! [`Stream::walk_in_pieces`] walks the same files cut into [`Pieces`] that can be
//! decoded on several threads, each carrying the state a walk has at its first event;
//! the pieces' visits, concatenated, are the serial walk's.
//!
//! [`sequence_of`] turns what a user names (files, a directory, a `*.index` file) into
//! the ordered file list.

use crate::error::{Error, ErrorKind};
use crate::input::{LogBytes, LogWindow, OpenOptions};
use crate::Flow;

use super::event::Event;
use super::event_type::EventType;
use super::header::EventHeader;
use super::reader::ReadOptions;
use super::rows::TableMaps;
use super::{sequence, BinlogError, FormatContext};

mod feed;
mod files;
mod pieces;
#[cfg(test)]
mod tests;
mod walk;

pub use feed::Feed;
use files::open;
pub use files::{log_name, opens_whole, sequence_of};
pub use pieces::{Piece, PieceEnd, Pieces};

/// Where an event was found.
#[derive(Debug, Clone, Copy)]
pub struct EventSite<'s> {
    /// The input's name as given (a path, or `<stdin>`).
    pub file: &'s str,
    /// Position of the file in the sequence walked (0 for the first).
    pub file_index: usize,
    /// The file's base name without a `.gz` suffix, as a server names it
    /// (`mysql-bin.000042`).
    pub log_name: &'s str,
    /// Absolute offset of the event (of the enclosing payload event for inner events).
    pub offset: u64,
    /// Where the next event of the file starts: the position a reader resumes from.
    pub next_position: u64,
    /// Offset inside the decompressed payload, for events packed in a payload.
    pub inner_offset: Option<usize>,
    /// The event's own common header.
    pub header: &'s EventHeader,
    /// Its canonical type.
    pub event_type: EventType,
    /// Its body (after the common header, before the checksum).
    pub body: &'s [u8],
    /// The CRC32 verdict (`None`: no checksum, not checked, or an inner event).
    pub checksum_ok: Option<bool>,
    /// The common-header length in force (19, or 13 in v1 logs): where the body starts.
    pub header_len: usize,
    /// The format context in force (from the file's format description): what decoding
    /// a body again needs.
    pub context: &'s FormatContext,
}

/// How a walk ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamEnd {
    /// The last file's format description had the in-use flag set: the server was still
    /// writing it (or crashed), so an unfinished last transaction is expected.
    pub last_file_in_use: bool,
    /// The last file ended with a ROTATE or STOP, as a closed log does (one that does
    /// not is reported: [`BinlogError::Unclosed`]).
    pub last_file_closed: bool,
    /// The visitor asked to stop before the end.
    pub stopped: bool,
}

/// Reads a sequence of binary logs as one stream.
#[derive(Debug, Clone, Copy)]
pub struct Stream {
    /// Framing and checksum options; the mode decides strict or permissive.
    pub read: ReadOptions,
    /// How inputs are opened (in-memory limit for `.gz` and pipes).
    pub open: OpenOptions,
    /// Where reading starts in the first file: events before this offset are framed
    /// and not visited, except format descriptions (which say how the file is written);
    /// their table maps are still remembered (a rows event after the start needs its
    /// map), and a damaged body there stops nothing.
    pub start_position: u64,
    /// Where reading stops in the last file: the first event at or past this offset
    /// ends the walk, undecoded.
    pub stop_position: Option<u64>,
}

/// The visitor: called once per decoded event, with the table maps in force.
pub type Visit<'v, E> =
    dyn FnMut(&EventSite<'_>, &Event<'_>, &TableMaps<'_>) -> Result<Flow, E> + 'v;

/// What a walk needs besides its inputs: the visitor and the report channel of
/// permissive mode.
struct Walk<'w, 'v, E> {
    stream: Stream,
    visit: &'w mut Visit<'v, E>,
    report: &'w mut dyn FnMut(Error),
}

impl Stream {
    /// Strict reading with checksums verified.
    pub fn new(open: OpenOptions) -> Stream {
        Stream {
            read: ReadOptions::default(),
            open,
            start_position: 0,
            stop_position: None,
        }
    }

    /// Walks `files` in order, opening one at a time. `report` receives each problem in
    /// permissive mode (in strict mode the first one is returned instead).
    pub fn walk<E: From<Error>>(
        self,
        files: &[String],
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<StreamEnd, E> {
        let open_options = self.open;
        self.walk_opened(
            files,
            &mut |name: &String| open(name, open_options),
            visit,
            report,
        )
    }

    /// Walks logs already in memory (or mapped), in order; their names are what the
    /// sequence check compares with closing ROTATEs.
    pub fn walk_logs<E: From<Error>>(
        self,
        logs: &[LogBytes],
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<StreamEnd, E> {
        self.walk_opened(logs, &mut |log| Ok(Opened::Borrowed(log)), visit, report)
    }

    /// Walks files or logs, whichever `inputs` holds.
    pub fn walk_inputs<E: From<Error>>(
        self,
        inputs: Inputs<'_>,
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<StreamEnd, E> {
        match inputs {
            Inputs::Files(files) => self.walk(files, visit, report),
            Inputs::Logs(logs) => self.walk_logs(logs, visit, report),
        }
    }

    fn walk_opened<'i, I: Named, E: From<Error>>(
        self,
        inputs: &'i [I],
        open: &mut dyn FnMut(&'i I) -> Result<Opened<'i>, Error>,
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<StreamEnd, E> {
        let mut walk = Walk {
            stream: self,
            visit,
            report,
        };
        let mut between = Between::default();
        for (index, input) in inputs.iter().enumerate() {
            let name = input.name();
            let (start, stop) = self.range_in(index, inputs.len());
            if let Some(mismatch) = between.next_file(name) {
                walk.problem(mismatch)?;
            }
            let bytes = match open(input) {
                Ok(b) => b,
                Err(e) => {
                    walk.problem(e)?;
                    continue;
                }
            };
            let file = FileWalk {
                index,
                start,
                stop,
                end: FileEnd::default(),
                damage: None,
            };
            let file_end = match bytes {
                Opened::Whole(b) => walk.file(&b, file)?,
                Opened::Borrowed(b) => walk.file(b, file)?,
                Opened::Streamed(window) => walk.streamed_file(window, file)?,
            };
            if between.file_ended(name, file_end) {
                break;
            }
        }
        Ok(between.end)
    }

    /// Where reading starts and stops in file `index` of `count`: the start position
    /// applies to the first file, the stop position to the last.
    fn range_in(&self, index: usize, count: usize) -> (u64, Option<u64>) {
        let start = if index == 0 { self.start_position } else { 0 };
        let stop = if index + 1 == count {
            self.stop_position
        } else {
            None
        };
        (start, stop)
    }
}

/// What a walk carries from one file to the next: the closing ROTATE the next file's
/// name must match, and how the last file ended.
#[derive(Debug, Default)]
struct Between {
    /// File, offset and target of the previous file's closing ROTATE.
    closing_rotate: Option<(String, u64, String)>,
    end: StreamEnd,
}

impl Between {
    /// The problem when the previous file's closing ROTATE names a file other than
    /// `name` (standard input has no name to check).
    fn next_file(&mut self, name: &str) -> Option<Error> {
        let (file, offset, named) = self.closing_rotate.take()?;
        if name == "-" || sequence::is_named_file(named.as_bytes(), name) {
            return None;
        }
        Some(Error::new(
            file,
            offset,
            ErrorKind::Binlog(BinlogError::NextFileMismatch {
                named,
                given: name.to_string(),
            }),
        ))
    }

    /// Notes how the file `name` ended; true when the walk stops there.
    fn file_ended(&mut self, name: &str, file_end: FileEnd) -> bool {
        self.end = StreamEnd {
            last_file_in_use: file_end.in_use,
            last_file_closed: file_end.closed,
            stopped: file_end.stopped,
        };
        self.closing_rotate = file_end
            .rotate_to
            .map(|(offset, named)| (name.to_string(), offset, named));
        file_end.stopped
    }
}

/// What a walk reads: files it opens one at a time, or logs already opened.
#[derive(Debug, Clone, Copy)]
pub enum Inputs<'a> {
    /// Paths (`-` is standard input).
    Files(&'a [String]),
    /// Logs in memory or mapped.
    Logs(&'a [LogBytes]),
}

impl<'a> From<&'a [String]> for Inputs<'a> {
    fn from(files: &'a [String]) -> Self {
        Inputs::Files(files)
    }
}

impl<'a> From<&'a Vec<String>> for Inputs<'a> {
    fn from(files: &'a Vec<String>) -> Self {
        Inputs::Files(files)
    }
}

impl<'a> From<&'a [LogBytes]> for Inputs<'a> {
    fn from(logs: &'a [LogBytes]) -> Self {
        Inputs::Logs(logs)
    }
}

/// A log opened by the walk (mapped, or read through a window when it cannot be
/// mapped), or given to it opened.
enum Opened<'i> {
    Whole(LogBytes),
    Streamed(LogWindow),
    Borrowed(&'i LogBytes),
}

/// An input of a walk: a file name, or a log already opened.
trait Named {
    fn name(&self) -> &str;
}

impl Named for String {
    fn name(&self) -> &str {
        self
    }
}

impl Named for LogBytes {
    fn name(&self) -> &str {
        LogBytes::name(self)
    }
}

/// Where an event sits: what [`EventSite`] takes from its source rather than from the
/// event itself.
struct Place<'p> {
    file: &'p str,
    file_index: usize,
    log_name: &'p str,
    offset: u64,
    next_position: u64,
}

/// What delivering one event leaves to its caller.
struct Delivered {
    flow: Flow,
    /// The file a ROTATE names (real or artificial: the caller decides what it means).
    rotate_to: Option<String>,
}

/// One file's walk: where it sits in the sequence, the range read in it, what was
/// found so far, and the damage that ended its input early (a cut compressed stream).
#[derive(Debug)]
struct FileWalk {
    index: usize,
    start: u64,
    stop: Option<u64>,
    end: FileEnd,
    damage: Option<Error>,
}

/// What one file's walk found at its end.
#[derive(Debug, Clone, Default)]
struct FileEnd {
    in_use: bool,
    closed: bool,
    stopped: bool,
    /// Offset and target of the file's closing ROTATE.
    rotate_to: Option<(u64, String)>,
    /// Offset and type of the last event framed, when the file's last item was one
    /// (not an error): the file was read to its end.
    last_event: Option<(u64, EventType)>,
    /// A format description was read (v4 log): the in-use flag is known.
    described: bool,
}
