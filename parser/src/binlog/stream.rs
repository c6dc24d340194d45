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

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};
use crate::input::{LogBytes, LogWindow, OpenOptions, BINLOG_MAGIC};
use crate::Flow;

use super::event::Event;
use super::event_type::EventType;
use super::events::format_description::FormatDescription;
use super::events::transaction_payload::InnerEvents;
use super::header::{EventHeader, FLAG_BINLOG_IN_USE, HEADER_LEN};
use super::reader::{frame_checked, CrcCheck, Frames, ParseMode, RawEvent, ReadOptions};
use super::rows::{TableMap, TableMaps};
use super::{sequence, BinlogError, ChecksumAlg, FormatContext};
use crate::decode::DecodeError;

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

/// The visitor: called once per decoded event, with the table maps in force (those the
/// rows events need). While a TABLE_MAP event is visited, the map it replaces may be
/// missing from them: the event is the map of its table id from then on.
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
        let mut end = StreamEnd::default();
        let mut closing_rotate: Option<(String, u64, String)> = None;
        for (index, input) in inputs.iter().enumerate() {
            let name = input.name();
            let start = if index == 0 { self.start_position } else { 0 };
            let stop = if index + 1 == inputs.len() {
                self.stop_position
            } else {
                None
            };
            if let Some((file, offset, named)) = closing_rotate.take() {
                if name != "-" && !sequence::is_named_file(named.as_bytes(), name) {
                    walk.problem(Error::new(
                        file,
                        offset,
                        ErrorKind::Binlog(BinlogError::NextFileMismatch {
                            named,
                            given: name.to_string(),
                        }),
                    ))?;
                }
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
            end = StreamEnd {
                last_file_in_use: file_end.in_use,
                last_file_closed: file_end.closed,
                stopped: file_end.stopped,
            };
            if file_end.stopped {
                break;
            }
            closing_rotate = file_end
                .rotate_to
                .map(|(offset, named)| (name.to_string(), offset, named));
        }
        Ok(end)
    }
}

impl Stream {
    /// Walks `files` as [`Stream::walk`] does, but hands each file to `walk_file` cut
    /// into [`Pieces`] of about `piece_len` bytes, so its pieces can be decoded on
    /// several threads: `walk_file` must walk every piece ([`Piece::walk`]) and return
    /// the [`PieceEnd`] of the last one, or of the first that stopped. What lies
    /// between files (opening them, the check that a closing ROTATE names the file
    /// given next) is done here, in order; `report` gets those problems in permissive
    /// mode. Only files that [`opens_whole`] can be cut: any other input is a problem
    /// (the caller walks such inputs with [`Stream::walk`]).
    pub fn walk_in_pieces<E: From<Error>>(
        self,
        files: &[String],
        piece_len: u64,
        walk_file: &mut dyn FnMut(Pieces<'_>) -> Result<PieceEnd, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<StreamEnd, E> {
        let mut end = StreamEnd::default();
        let mut closing_rotate: Option<(String, u64, String)> = None;
        let permissive = self.read.mode == ParseMode::Permissive;
        let mut problem = |err: Error| -> Result<(), E> {
            if permissive {
                report(err);
                Ok(())
            } else {
                Err(E::from(err))
            }
        };
        for (index, name) in files.iter().enumerate() {
            if let Some((file, offset, named)) = closing_rotate.take() {
                if name != "-" && !sequence::is_named_file(named.as_bytes(), name) {
                    problem(Error::new(
                        file,
                        offset,
                        ErrorKind::Binlog(BinlogError::NextFileMismatch {
                            named,
                            given: name.to_string(),
                        }),
                    ))?;
                }
            }
            let bytes = match open(name, self.open) {
                Ok(Opened::Whole(bytes)) => bytes,
                Ok(_) => {
                    problem(Error::new(
                        name.as_str(),
                        0,
                        ErrorKind::Io(std::io::Error::new(
                            std::io::ErrorKind::InvalidInput,
                            "not a plain binary log file: read through a window, it cannot \
                             be cut into pieces (walk it with Stream::walk)",
                        )),
                    ))?;
                    continue;
                }
                Err(e) => {
                    problem(e)?;
                    continue;
                }
            };
            let mut frames = match Frames::new(bytes.name(), bytes.bytes(), self.read) {
                Ok(f) => f,
                Err(e) => {
                    problem(e)?;
                    end = StreamEnd::default();
                    continue;
                }
            };
            // The cutting pass is serial work. In strict mode it leaves the checksums
            // to the pieces (on their threads): the first mismatch ends the walk in the
            // piece that meets it, where the serial walk would end. In permissive mode
            // a mismatch may make the reader resynchronise elsewhere than the event
            // boundaries, so the pass verifies them to stop cutting there.
            let cut_verifies = self.read.verify_checksums && permissive;
            frames.set_checksum_verification(cut_verifies);
            let stop = if index + 1 == files.len() {
                self.stop_position
            } else {
                None
            };
            let first = Piece {
                file: bytes.name(),
                log_name: log_name(bytes.name()),
                file_len: bytes.bytes().len() as u64,
                frames,
                maps: TableMaps::new(),
                walk: FileWalk {
                    index,
                    start: if index == 0 { self.start_position } else { 0 },
                    stop,
                    end: FileEnd::default(),
                    damage: None,
                },
                ends_file: true,
            };
            let file_end = walk_file(Pieces {
                piece_len: piece_len.max(1),
                verify_checksums: self.read.verify_checksums,
                cut_verifies,
                next: Some(first),
            })?
            .0;
            end = StreamEnd {
                last_file_in_use: file_end.in_use,
                last_file_closed: file_end.closed,
                stopped: file_end.stopped,
            };
            if file_end.stopped {
                break;
            }
            closing_rotate = file_end
                .rotate_to
                .map(|(offset, named)| (name.to_string(), offset, named));
        }
        Ok(end)
    }
}

/// A stretch of one file that can be walked apart from the rest: where its first event
/// is, and what a walk of the whole file would carry to that point (the framing state
/// and format context, the table maps, what the file's format description said). Its
/// events are visited exactly as [`Stream::walk`] visits them, problems included: the
/// concatenated visits of a file's pieces are the visits of the file.
#[derive(Debug)]
pub struct Piece<'a> {
    file: &'a str,
    log_name: String,
    file_len: u64,
    frames: Frames<'a>,
    maps: TableMaps<'a>,
    /// The file's walk as it stands at the piece's first event; its `stop` is where
    /// the next piece starts, or the walk's stop position for the last piece.
    walk: FileWalk,
    /// The last piece: it checks how the file ends.
    ends_file: bool,
}

impl Piece<'_> {
    /// Visits the piece's events; `read` is the walk's (strict: the first problem ends
    /// the piece with its error).
    pub fn walk<E: From<Error>>(
        self,
        read: ReadOptions,
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<PieceEnd, E> {
        let mut walk = Walk {
            stream: Stream {
                read,
                ..Stream::new(OpenOptions::default())
            },
            visit,
            report,
        };
        walk.stretch(self).map(PieceEnd)
    }
}

/// How a piece's walk ended.
#[derive(Debug, Clone, Default)]
pub struct PieceEnd(FileEnd);

impl PieceEnd {
    /// The visitor asked to stop (or the walk's stop position was reached): the pieces
    /// after this one are not part of the walk.
    pub fn stopped(&self) -> bool {
        self.0.stopped
    }
}

/// The pieces of one file, cut by a framing pass: each ends where about `piece_len`
/// bytes of events have been framed, at the next event boundary. Any boundary will do,
/// since a piece carries the table maps and format context in force there. A framing
/// problem ends the cutting: the rest of the file is the last piece, which meets the
/// problem where the serial walk would. (In strict mode the pass leaves checksums to
/// the pieces: a mismatch ends the walk in the piece that meets it.)
#[derive(Debug)]
pub struct Pieces<'a> {
    piece_len: u64,
    /// The walk's checksum verification, for the pieces.
    verify_checksums: bool,
    /// Whether the cutting pass verifies checksums itself (permissive mode): the
    /// pieces then need not.
    cut_verifies: bool,
    /// The piece being cut; its `frames` are the framing pass, its other fields what
    /// the pass has carried so far.
    next: Option<Piece<'a>>,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        let mut cutting = self.next.take()?;
        // The piece handed out resumes where the pass stands now.
        let mut frames = cutting.frames.resume_point()?;
        frames.set_checksum_verification(self.verify_checksums);
        let mut piece = Piece {
            file: cutting.file,
            log_name: cutting.log_name.clone(),
            file_len: cutting.file_len,
            frames,
            maps: cutting.maps.clone(),
            walk: FileWalk {
                end: cutting.walk.end.clone(),
                damage: None,
                ..cutting.walk
            },
            ends_file: true,
        };
        let from = cutting.frames.position();
        loop {
            let at = cutting.frames.position();
            if at >= from.saturating_add(self.piece_len) && at < cutting.file_len {
                if let Some(resume) = cutting.frames.resume_point() {
                    piece.walk.stop = Some(at);
                    piece.ends_file = false;
                    // This pass framed the piece's events without a problem, checksums
                    // included when it verifies them: the piece need not compute them
                    // again. (Damage ends the cutting: the last piece checks its own.)
                    if self.cut_verifies {
                        piece.frames.checksums_verified_until(at);
                    }
                    cutting.frames = resume;
                    self.next = Some(cutting);
                    return Some(piece);
                }
            }
            let raw = match cutting.frames.next() {
                Some(Ok(raw)) => raw,
                // The end, or damage: the rest is the last piece.
                None | Some(Err(_)) => break,
            };
            if cutting.walk.stop.is_some_and(|stop| raw.offset >= stop) {
                break;
            }
            // What the walk would know of the file's end after this event, as
            // `Walk::item` keeps it (for a last piece that starts at the very end).
            let end = &mut cutting.walk.end;
            end.closed = matches!(raw.event_type, EventType::ROTATE | EventType::STOP);
            end.rotate_to = None;
            end.last_event = Some((raw.offset, raw.event_type));
            let is_fde = raw.event_type == EventType::FORMAT_DESCRIPTION;
            if is_fde {
                end.in_use = raw.header.flags & FLAG_BINLOG_IN_USE != 0;
                end.described = true;
            }
            let ctx = cutting.frames.context();
            let delivered = raw.offset >= cutting.walk.start || is_fde;
            if let (true, EventType::ROTATE) = (delivered, raw.event_type) {
                if let Ok(Event::Rotate(r)) = raw.decode(ctx) {
                    if sequence::names_next_file(&raw.header) {
                        let next = String::from_utf8_lossy(r.next_file).into_owned();
                        end.rotate_to = Some((raw.offset, next));
                    }
                }
            }
            remember_maps(&raw, ctx, &mut cutting.maps, |t| t);
        }
        Some(piece)
    }
}

/// A stream fed one event at a time, as a replication connection delivers them (each
/// packet one event: common header, body, checksum). It keeps what [`Stream`] keeps
/// across events (the format context, table maps) and hands each event to the visitor
/// through the same decoding and payload expansion; the file name and positions come
/// from the events themselves: a ROTATE names the file the following events belong to,
/// and each header's `log_pos` is where the next event of the file starts.
///
/// What a server makes up rather than reads from its file is not visited: artificial
/// ROTATEs (they only name the file), heartbeats, and any other event with `log_pos` 0
/// except the format description (always at offset 4, sent again whenever a stream
/// starts inside a file; its zeroed `log_pos` is given back its value in the file).
#[derive(Debug)]
pub struct Feed {
    read: ReadOptions,
    ctx: FormatContext,
    maps: TableMaps<'static>,
    log_name: String,
    file_index: usize,
    next_position: u64,
}

/// Where the FDE of every v4 file sits: right after the 4-byte magic.
const FDE_OFFSET: u64 = 4;

impl Feed {
    /// A feed that reads with `read` (strict or permissive, checksums verified or not).
    /// `checksum` is what the replica announced to the server (`@master_binlog_checksum`):
    /// the events sent before the first format description (the artificial ROTATE)
    /// carry it. Until a ROTATE names one, events are placed in a file called
    /// `<unnamed>`.
    pub fn new(read: ReadOptions, checksum: ChecksumAlg) -> Feed {
        let mut ctx = FormatContext::v4_default();
        ctx.checksum = checksum;
        Feed {
            read,
            ctx,
            maps: TableMaps::new(),
            log_name: "<unnamed>".to_string(),
            file_index: 0,
            next_position: FDE_OFFSET,
        }
    }

    /// The file the next event belongs to, as the server names it.
    pub fn log_name(&self) -> &str {
        &self.log_name
    }

    /// Where the next event of the file starts (after the last event fed).
    pub fn next_position(&self) -> u64 {
        self.next_position
    }

    /// The format context in force (from the last format description).
    pub fn context(&self) -> &FormatContext {
        &self.ctx
    }

    /// Frames, checks and decodes one event and visits it (and, for a payload event,
    /// the events packed in it). Strict: a problem is returned; permissive: reported,
    /// and the event is left out.
    pub fn event<E: From<Error>>(
        &mut self,
        bytes: &[u8],
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<Flow, E> {
        let mut walk = Walk {
            stream: Stream {
                read: self.read,
                open: OpenOptions::default(),
                start_position: 0,
                stop_position: None,
            },
            visit,
            report,
        };
        let framed = frame_checked(
            bytes,
            0,
            &self.ctx,
            true,
            CrcCheck::verify_if(self.read.verify_checksums),
        )
        .and_then(|fr| {
            if fr.size == bytes.len() {
                Ok(fr)
            } else {
                Err(BinlogError::EventSizeMismatch {
                    event_size: fr.header.event_size,
                    received: bytes.len() as u64,
                })
            }
        });
        let fr = match framed {
            Ok(fr) => fr,
            Err(e) => {
                walk.problem(self.error(e))?;
                return Ok(Flow::Continue);
            }
        };
        let raw = RawEvent {
            offset: 0,
            header: fr.header,
            event_type: fr.event_type,
            body: fr.body,
            checksum_ok: fr.checksum_ok,
        };
        let log_pos = u64::from(raw.header.log_pos);
        let size = u64::from(raw.header.event_size);
        let offset = match raw.event_type {
            EventType::FORMAT_DESCRIPTION => {
                match FormatDescription::parse(raw.body)
                    .map_err(|c| BinlogError::body(raw.event_type, FDE_OFFSET, raw.body, c))
                    .and_then(|fde| fde.context())
                {
                    Ok(ctx) => self.ctx = ctx,
                    Err(e) => {
                        walk.problem(self.error(e))?;
                        return Ok(Flow::Continue);
                    }
                }
                FDE_OFFSET
            }
            EventType::ROTATE if !sequence::names_next_file(&raw.header) => {
                if let Ok(Event::Rotate(r)) = raw.decode(&self.ctx) {
                    self.enter(String::from_utf8_lossy(r.next_file).into_owned());
                    self.next_position = r.position;
                }
                return Ok(Flow::Continue);
            }
            EventType::HEARTBEAT | EventType::HEARTBEAT_V2 => return Ok(Flow::Continue),
            _ if log_pos == 0 => return Ok(Flow::Continue),
            _ => log_pos.saturating_sub(size),
        };
        let mut raw = RawEvent { offset, ..raw };
        if raw.event_type == EventType::FORMAT_DESCRIPTION && log_pos == 0 {
            // A stream that starts inside a file gets the FDE with `log_pos` zeroed (so
            // a replica does not take it for its position); the file has the real one.
            raw.header.log_pos = (FDE_OFFSET + size) as u32;
        }
        let log_name = self.log_name.clone();
        let place = Place {
            file: &log_name,
            file_index: self.file_index,
            log_name: &log_name,
            offset,
            next_position: offset + size,
        };
        self.next_position = place.next_position;
        let delivered =
            walk.deliver(&place, &raw, &self.ctx, &mut self.maps, |t| t.into_owned())?;
        if let Some(next) = delivered.rotate_to {
            if sequence::names_next_file(&raw.header) {
                self.enter(next);
                self.next_position = FDE_OFFSET;
            }
        }
        Ok(delivered.flow)
    }

    /// The events that follow belong to `log_name`: a new file has its own table maps.
    fn enter(&mut self, log_name: String) {
        if log_name != self.log_name {
            self.file_index += 1;
            self.log_name = log_name;
            self.maps = TableMaps::new();
        }
    }

    fn error(&self, e: BinlogError) -> Error {
        Error::new(
            self.log_name.clone(),
            self.next_position,
            ErrorKind::Binlog(e),
        )
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

impl<E: From<Error>> Walk<'_, '_, E> {
    fn permissive(&self) -> bool {
        self.stream.read.mode == ParseMode::Permissive
    }

    /// Strict: the error ends the walk. Permissive: reported, and the walk goes on.
    fn problem(&mut self, err: Error) -> Result<(), E> {
        if self.permissive() {
            (self.report)(err);
            Ok(())
        } else {
            Err(E::from(err))
        }
    }

    fn body_error(name: &str, raw: &RawEvent<'_>, header_len: usize, cause: DecodeError) -> Error {
        let body_at = raw.offset + header_len as u64;
        Error::new(
            name,
            raw.offset,
            ErrorKind::Binlog(BinlogError::body(raw.event_type, body_at, raw.body, cause)),
        )
    }

    /// Walks one file held whole (mapped or in memory): its table maps borrow from it.
    fn file(&mut self, bytes: &LogBytes, file: FileWalk) -> Result<FileEnd, E> {
        let name = bytes.name();
        let frames = match Frames::new(name, bytes.bytes(), self.stream.read) {
            Ok(f) => f,
            Err(e) => {
                self.problem(e)?;
                return Ok(FileEnd::default());
            }
        };
        self.stretch(Piece {
            file: name,
            log_name: log_name(name),
            file_len: bytes.bytes().len() as u64,
            frames,
            maps: TableMaps::new(),
            walk: file,
            ends_file: true,
        })
    }

    /// Walks a stretch of one file held whole: the whole file, or one piece of it (see
    /// [`Pieces`]), from the state the walk had reached at its first event.
    fn stretch(&mut self, piece: Piece<'_>) -> Result<FileEnd, E> {
        let Piece {
            file: name,
            log_name,
            file_len,
            mut frames,
            mut maps,
            walk: mut file,
            ends_file,
        } = piece;
        loop {
            // A piece ends where the next starts, before framing what lies there (it
            // may be damage, the next piece's to report).
            if !ends_file && file.stop.is_some_and(|stop| frames.position() >= stop) {
                return Ok(file.end);
            }
            let Some(item) = frames.next() else {
                break;
            };
            let site = (name, log_name.as_str());
            if self.item(&mut file, site, item, frames.context(), &mut maps, |t| t)? == Flow::Stop {
                return Ok(file.end);
            }
        }
        if !ends_file {
            return Ok(file.end);
        }
        self.finish_file(name, file_len, file)
    }

    /// Walks one file read through a window (a pipe, a compressed file), one event at a
    /// time: each event borrows from the window while it is visited, and the table
    /// maps that must outlive it are copied. A read that fails (a cut `.gz` file) ends
    /// the input where its readable bytes stop, and is reported after their events (as
    /// the event it cuts short, when there is one).
    fn streamed_file(&mut self, mut window: LogWindow, mut file: FileWalk) -> Result<FileEnd, E> {
        let name = window.name().to_string();
        let log_name = log_name(&name);
        let max_event = self.stream.open.max_in_memory;
        window.fill_to((BINLOG_MAGIC.len() + HEADER_LEN) as u64);
        file.damage = window.take_damage();
        let first = Frames::windowed(
            &*name,
            window.bytes(),
            window.is_complete(),
            self.stream.read,
            max_event,
        );
        let mut state = match first {
            Ok(frames) => frames.detach(),
            Err(e) => {
                self.problem(file.damage.take().unwrap_or(e))?;
                return Ok(FileEnd::default());
            }
        };
        let mut maps = TableMaps::new();
        loop {
            let mut frames = state.attach(window.bytes(), window.base(), window.is_complete());
            if let Some(wanted) = frames.wants().filter(|&end| end > window.end()) {
                state = frames.detach();
                window.fill_to(wanted);
                if let Some(damage) = window.take_damage() {
                    file.damage = Some(damage);
                }
                continue;
            }
            // A queued item borrows the window: it is taken before the window moves.
            let mut ended = false;
            loop {
                let Some(item) = frames.next() else {
                    ended = true;
                    break;
                };
                let site = (name.as_str(), log_name.as_str());
                let keep = TableMap::into_owned;
                if self.item(&mut file, site, item, frames.context(), &mut maps, keep)?
                    == Flow::Stop
                {
                    return Ok(file.end);
                }
                if !frames.has_queued() {
                    break;
                }
            }
            state = frames.detach();
            if ended {
                break;
            }
            window.discard_before(state.position());
        }
        self.finish_file(&name, window.end(), file)
    }

    /// One item framed in a file: an event is checked against the range, remembered
    /// as what the file ends with, and delivered; an error is a problem (the cut that a
    /// damaged compressed stream causes is reported as that damage). `keep` turns a
    /// table map borrowed from the event into one the registry can hold. Returns
    /// `Stop` when the file's walk ends here.
    fn item<'e, 'm>(
        &mut self,
        file: &mut FileWalk,
        (name, log_name): (&str, &str),
        item: Result<RawEvent<'e>, Error>,
        ctx: &FormatContext,
        maps: &mut TableMaps<'m>,
        keep: impl Fn(TableMap<'e>) -> TableMap<'m> + Copy,
    ) -> Result<Flow, E> {
        let end = &mut file.end;
        let raw = match item {
            Ok(raw) => raw,
            Err(e) => {
                end.last_event = None;
                let cut = matches!(e.kind, ErrorKind::Binlog(BinlogError::Truncated { .. }));
                if let (true, Some(damage)) = (cut, file.damage.take()) {
                    self.problem(damage)?;
                    return Ok(Flow::Stop);
                }
                self.problem(e)?;
                return Ok(Flow::Continue);
            }
        };
        if file.stop.is_some_and(|stop| raw.offset >= stop) {
            end.stopped = true;
            return Ok(Flow::Stop);
        }
        end.closed = matches!(raw.event_type, EventType::ROTATE | EventType::STOP);
        end.rotate_to = None;
        end.last_event = Some((raw.offset, raw.event_type));
        let is_fde = raw.event_type == EventType::FORMAT_DESCRIPTION;
        if is_fde {
            end.in_use = raw.header.flags & FLAG_BINLOG_IN_USE != 0;
            end.described = true;
        }
        if raw.offset < file.start && !is_fde {
            remember_maps(&raw, ctx, maps, keep);
            return Ok(Flow::Continue);
        }
        let place = Place {
            file: name,
            file_index: file.index,
            log_name,
            offset: raw.offset,
            next_position: raw.end_offset(),
        };
        let delivered = self.deliver(&place, &raw, ctx, maps, keep)?;
        if let Some(next) = delivered.rotate_to {
            if sequence::names_next_file(&raw.header) {
                file.end.rotate_to = Some((raw.offset, next));
            }
        }
        if delivered.flow == Flow::Stop {
            file.end.stopped = true;
        }
        Ok(delivered.flow)
    }

    /// A file read to its end: damage that ended its input is reported after its
    /// events; otherwise it must end as a closed log does.
    fn finish_file(&mut self, name: &str, len: u64, mut file: FileWalk) -> Result<FileEnd, E> {
        match file.damage.take() {
            Some(damage) => self.problem(damage)?,
            None => self.check_closed(name, len, &file.end)?,
        }
        Ok(file.end)
    }

    /// A file read to its end without a problem there must end as a server leaves a
    /// log it closed, with ROTATE or STOP: a closed one (in-use flag clear) that does
    /// not was cut at an event boundary, which framing alone cannot see. One still in
    /// use is not reported: the server may be writing it.
    fn check_closed(&mut self, name: &str, len: u64, end: &FileEnd) -> Result<(), E> {
        match end.last_event {
            Some(last_event) if end.described && !end.in_use && !end.closed => {
                self.problem(Error::new(
                    name,
                    len,
                    ErrorKind::Binlog(BinlogError::Unclosed { last_event }),
                ))
            }
            _ => Ok(()),
        }
    }

    /// What every framed event goes through, whatever its source (a file, or a server
    /// sending one event at a time): decoding, the visit, then what it leaves for later
    /// events (its table map, or the events packed in its payload). `keep` turns a table
    /// map borrowed from the event into one the registry can hold (the identity for a
    /// file in memory, a copy for an event whose bytes go away).
    fn deliver<'e, 'm>(
        &mut self,
        place: &Place<'_>,
        raw: &RawEvent<'e>,
        ctx: &FormatContext,
        maps: &mut TableMaps<'m>,
        keep: impl FnOnce(TableMap<'e>) -> TableMap<'m>,
    ) -> Result<Delivered, E> {
        let mut delivered = Delivered {
            flow: Flow::Continue,
            rotate_to: None,
        };
        let site = EventSite {
            file: place.file,
            file_index: place.file_index,
            log_name: place.log_name,
            offset: place.offset,
            next_position: place.next_position,
            inner_offset: None,
            header: &raw.header,
            event_type: raw.event_type,
            body: raw.body,
            checksum_ok: raw.checksum_ok,
            header_len: ctx.header_len,
            context: ctx,
        };
        if raw.event_type == EventType::TABLE_MAP {
            // A table's map comes again before each statement that changes the table,
            // mostly byte for byte: the map held already is what decoding would give. It
            // is lent to the visit as the event and then held again, neither decoded
            // nor copied.
            if let Some(held) = maps.take_held(raw.body, ctx) {
                let event = Event::TableMap(Box::new(held));
                let visited = (self.visit)(&site, &event, maps);
                if let Event::TableMap(map) = event {
                    maps.put_back(*map);
                }
                if visited? == Flow::Stop {
                    delivered.flow = Flow::Stop;
                }
                return Ok(delivered);
            }
        }
        let event = match raw.decode(ctx) {
            Ok(event) => event,
            Err(cause) => {
                self.problem(Self::body_error(place.file, raw, ctx.header_len, cause))?;
                return Ok(delivered);
            }
        };
        if let Event::Rotate(r) = &event {
            delivered.rotate_to = Some(String::from_utf8_lossy(r.next_file).into_owned());
        }
        if (self.visit)(&site, &event, maps)? == Flow::Stop {
            delivered.flow = Flow::Stop;
            return Ok(delivered);
        }
        match event {
            Event::TableMap(t) => {
                maps.insert_decoded(keep(*t), raw.body, ctx);
            }
            Event::TransactionPayload(p) => {
                let inflated = match p.decompress() {
                    Ok(b) => b,
                    Err(cause) => {
                        self.problem(Self::body_error(place.file, raw, ctx.header_len, cause))?;
                        return Ok(delivered);
                    }
                };
                delivered.flow = self.payload(&site, &inflated, ctx, maps)?;
            }
            _ => {}
        }
        Ok(delivered)
    }

    /// The events packed in one `TRANSACTION_PAYLOAD_EVENT`.
    fn payload(
        &mut self,
        outer: &EventSite<'_>,
        inflated: &[u8],
        ctx: &FormatContext,
        maps: &mut TableMaps<'_>,
    ) -> Result<Flow, E> {
        let located = |e: super::InnerEventError| {
            Error::new(
                outer.file,
                outer.offset,
                ErrorKind::Binlog(BinlogError::InPayload {
                    inner_offset: e.inner_offset,
                    cause: Box::new(e.error),
                }),
            )
        };
        for item in InnerEvents::new(inflated, ctx) {
            let inner = match item {
                Ok(i) => i,
                Err(e) => {
                    self.problem(located(e))?;
                    return Ok(Flow::Continue);
                }
            };
            let event = match inner.decode(ctx) {
                Ok(ev) => ev,
                Err(e) => {
                    self.problem(located(e))?;
                    continue;
                }
            };
            let site = EventSite {
                inner_offset: Some(inner.inner_offset),
                header: &inner.header,
                event_type: inner.event_type,
                body: inner.body,
                checksum_ok: None,
                ..*outer
            };
            if (self.visit)(&site, &event, maps)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
            if let Event::TableMap(t) = event {
                maps.insert((*t).into_owned());
            }
        }
        Ok(Flow::Continue)
    }
}

/// Before the start position only table maps matter (directly or inside a payload);
/// one that does not decode is left out, as the events it serves are not read either.
fn remember_maps<'a, 'm>(
    raw: &RawEvent<'a>,
    ctx: &FormatContext,
    maps: &mut TableMaps<'m>,
    keep: impl FnOnce(TableMap<'a>) -> TableMap<'m>,
) {
    match raw.event_type {
        EventType::TABLE_MAP => {
            if maps.held_for(raw.body, ctx).is_some() {
                // Decoding it again would give the map held: the pass that cuts a file
                // into pieces (serial) skips most of its table maps this way.
                return;
            }
            if let Ok(Event::TableMap(t)) = raw.decode(ctx) {
                maps.insert_decoded(keep(*t), raw.body, ctx);
            }
        }
        EventType::TRANSACTION_PAYLOAD => {
            let Ok(Event::TransactionPayload(p)) = raw.decode(ctx) else {
                return;
            };
            let Ok(inflated) = p.decompress() else {
                return;
            };
            for inner in InnerEvents::new(&inflated, ctx).map_while(Result::ok) {
                if let Ok(Event::TableMap(t)) = inner.decode(ctx) {
                    maps.insert((*t).into_owned());
                }
            }
        }
        _ => {}
    }
}

/// Whether a walk maps `name` whole: a regular file holding a binary log as it is (or
/// a directory, refused by name where logs are opened whole). Only such files can be
/// cut into pieces ([`Stream::walk_in_pieces`]); standard input (`-`), compressed and
/// special files are read through a window, one event at a time ([`Stream::walk`]).
pub fn opens_whole(name: &str) -> bool {
    let path = Path::new(name);
    let starts_as_log = || {
        let mut head = [0u8; BINLOG_MAGIC.len()];
        std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok_and(|()| head == BINLOG_MAGIC)
    };
    name != "-"
        && std::fs::metadata(path).is_ok_and(|m| m.is_dir() || (m.is_file() && starts_as_log()))
}

/// Opens one input: mapped when it [`opens_whole`], else read through a window.
fn open(name: &str, options: OpenOptions) -> Result<Opened<'static>, Error> {
    if opens_whole(name) {
        LogBytes::open_with(Path::new(name), options).map(Opened::Whole)
    } else if name == "-" {
        LogWindow::new("<stdin>", std::io::stdin()).map(Opened::Streamed)
    } else {
        LogWindow::open(Path::new(name)).map(Opened::Streamed)
    }
}

/// The base name a server gives the file (`.gz` removed): what eventIds carry.
pub fn log_name(path: &str) -> String {
    let base = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string());
    match base.strip_suffix(".gz") {
        Some(b) => b.to_string(),
        None => base,
    }
}

/// The ordered file list a user means by `names`: a file stands for itself, a
/// `*.index` file for the files it lists (resolved in its directory), and a directory
/// for its index file when it has exactly one, else for its files named
/// `BASE.NNNNNN` (one base name only), in numeric order.
pub fn sequence_of(names: &[String]) -> Result<Vec<String>, Error> {
    let mut files = Vec::new();
    for name in names {
        let path = Path::new(name);
        if path.is_dir() {
            files.extend(directory_sequence(path)?);
        } else if name.ends_with(".index") {
            files.extend(index_sequence(path)?);
        } else {
            files.push(name.clone());
        }
    }
    Ok(files)
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::new(path.display().to_string(), 0, ErrorKind::Io(e))
}

fn index_sequence(index: &Path) -> Result<Vec<String>, Error> {
    let text = std::fs::read_to_string(index).map_err(|e| io_error(index, e))?;
    let dir = index.parent().unwrap_or(Path::new("."));
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            // Servers write paths relative to their data directory (`./mysql-bin.000001`);
            // the files sit beside the index.
            let base = Path::new(line)
                .file_name()
                .map_or(line.into(), PathBuf::from);
            dir.join(base).display().to_string()
        })
        .collect())
}

fn directory_sequence(dir: &Path) -> Result<Vec<String>, Error> {
    let mut indexes = Vec::new();
    let mut numbered: Vec<(String, u64, String)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let name = entry
            .map_err(|e| io_error(dir, e))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".index") {
            indexes.push(name);
            continue;
        }
        let plain = name.strip_suffix(".gz").unwrap_or(&name);
        if let Some((base, number)) = plain.rsplit_once('.') {
            if number.len() >= 6 && number.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(n) = number.parse() {
                    numbered.push((base.to_string(), n, name.clone()));
                }
            }
        }
    }
    if let [index] = indexes.as_slice() {
        return index_sequence(&dir.join(index));
    }
    numbered.sort();
    let bases: std::collections::BTreeSet<&str> =
        numbered.iter().map(|(b, _, _)| b.as_str()).collect();
    if bases.len() > 1 {
        let listed: Vec<&str> = bases.into_iter().collect();
        return Err(io_error(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "the directory holds logs of several base names ({}); name the files or \
                     the .index file to read",
                    listed.join(", ")
                ),
            ),
        ));
    }
    if numbered.is_empty() {
        return Err(io_error(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no binary log (NAME.NNNNNN) or .index file in the directory",
            ),
        ));
    }
    Ok(numbered
        .into_iter()
        .map(|(_, _, name)| dir.join(name).display().to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a visit saw, comparable across sources.
    fn seen(site: &EventSite<'_>, event: &Event<'_>) -> String {
        format!(
            "{} {} {} {:?} {} {event}",
            site.log_name, site.offset, site.next_position, site.inner_offset, site.event_type
        )
    }

    /// An artificial ROTATE as a server sends it first: timestamp 0, `log_pos` 0, the
    /// artificial flag, and a CRC32.
    fn fake_rotate(name: &str) -> Vec<u8> {
        let size = 19 + 8 + name.len() + 4;
        let mut ev = Vec::new();
        ev.extend_from_slice(&0u32.to_le_bytes());
        ev.push(EventType::ROTATE.0);
        ev.extend_from_slice(&1u32.to_le_bytes());
        ev.extend_from_slice(&(size as u32).to_le_bytes());
        ev.extend_from_slice(&0u32.to_le_bytes());
        ev.extend_from_slice(&super::super::header::FLAG_ARTIFICIAL.to_le_bytes());
        ev.extend_from_slice(&4u64.to_le_bytes());
        ev.extend_from_slice(name.as_bytes());
        let crc = crc32fast::hash(&ev);
        ev.extend_from_slice(&crc.to_le_bytes());
        ev
    }

    #[test]
    fn a_feed_of_single_events_sees_what_the_file_walk_sees() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/mariadb/sample-bin.000001"
        );
        let mut from_file = Vec::new();
        Stream::new(OpenOptions::default())
            .walk(
                &[path.to_string()],
                &mut |site, event, _| -> Result<Flow, Error> {
                    from_file.push(seen(site, event));
                    Ok(Flow::Continue)
                },
                &mut |e| panic!("{e}"),
            )
            .unwrap();
        let bytes = std::fs::read(path).unwrap();
        let mut feed = Feed::new(ReadOptions::default(), ChecksumAlg::Crc32);
        let mut from_feed = Vec::new();
        let mut visit = |site: &EventSite<'_>, event: &Event<'_>, _: &TableMaps<'_>| {
            from_feed.push(seen(site, event));
            Ok::<_, Error>(Flow::Continue)
        };
        feed.event(&fake_rotate("sample-bin.000001"), &mut visit, &mut |e| {
            panic!("{e}")
        })
        .unwrap();
        let frames = Frames::new("f", &bytes, ReadOptions::default()).unwrap();
        for raw in frames {
            let raw = raw.unwrap();
            let one = &bytes[raw.offset as usize..raw.end_offset() as usize];
            feed.event(one, &mut visit, &mut |e| panic!("{e}")).unwrap();
        }
        assert!(from_file.len() > 10, "{from_file:?}");
        assert_eq!(from_feed, from_file);
        assert_eq!(feed.next_position(), bytes.len() as u64);
    }

    #[test]
    fn a_packet_holding_more_than_one_event_is_refused() {
        let mut two = fake_rotate("a.000001");
        two.extend(fake_rotate("a.000001"));
        let mut feed = Feed::new(ReadOptions::default(), ChecksumAlg::Crc32);
        let err = feed
            .event(
                &two,
                &mut |_, _, _| Ok::<_, Error>(Flow::Continue),
                &mut |_| {},
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("declares event_size 39 but 78 bytes arrived"),
            "{err}"
        );
    }

    #[test]
    fn log_names_drop_directories_and_gz() {
        assert_eq!(
            log_name("/var/lib/mysql/mysql-bin.000042"),
            "mysql-bin.000042"
        );
        assert_eq!(log_name("logs/mysql-bin.000042.gz"), "mysql-bin.000042");
        assert_eq!(log_name("<stdin>"), "<stdin>");
    }

    #[test]
    fn directories_and_index_files_become_ordered_sequences() {
        let dir = std::env::temp_dir().join(format!("replog-seq-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for n in [
            "mysql-bin.000010",
            "mysql-bin.000002",
            "mysql-bin.000009.gz",
            "notes.txt",
        ] {
            std::fs::write(dir.join(n), b"").unwrap();
        }
        let listed = sequence_of(&[dir.display().to_string()]).unwrap();
        let names: Vec<String> = listed.iter().map(|p| log_name(p)).collect();
        assert_eq!(
            names,
            ["mysql-bin.000002", "mysql-bin.000009", "mysql-bin.000010"]
        );
        std::fs::write(
            dir.join("mysql-bin.index"),
            "./mysql-bin.000009\n./mysql-bin.000010\n",
        )
        .unwrap();
        let listed = sequence_of(&[dir.display().to_string()]).unwrap();
        assert_eq!(
            listed,
            [
                dir.join("mysql-bin.000009").display().to_string(),
                dir.join("mysql-bin.000010").display().to_string()
            ]
        );
        std::fs::write(dir.join("other-bin.000001"), b"").unwrap();
        std::fs::remove_file(dir.join("mysql-bin.index")).unwrap();
        let err = sequence_of(&[dir.display().to_string()]).unwrap_err();
        assert!(err.to_string().contains("several base names"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
