//! A walk cut into pieces that several threads can decode, each piece carrying the
//! state the serial walk has at its first event.

use crate::binlog::event::Event;
use crate::binlog::event_type::EventType;
use crate::binlog::header::FLAG_BINLOG_IN_USE;
use crate::binlog::reader::{Frames, ParseMode, ReadOptions};
use crate::binlog::rows::TableMaps;
use crate::binlog::sequence;
use crate::error::{Error, ErrorKind};
use crate::input::{LogBytes, OpenOptions};

use super::files::{log_name, open};
use super::walk::remember_maps;
use super::{Between, FileEnd, FileWalk, Opened, Stream, StreamEnd, Visit, Walk};

impl Stream {
    /// Walks `files` as [`Stream::walk`] does, but hands each file to `walk_file` cut
    /// into [`Pieces`] of about `piece_len` bytes, so its pieces can be decoded on
    /// several threads: `walk_file` must walk every piece ([`Piece::walk`]) and return
    /// the [`PieceEnd`] of the last one, or of the first that stopped. What lies
    /// between files (opening them, the check that a closing ROTATE names the file
    /// given next) is done here, in order; `report` gets those problems in permissive
    /// mode. Only files that [`opens_whole`](super::opens_whole) can be cut: any other input is a problem
    /// (the caller walks such inputs with [`Stream::walk`]).
    pub fn walk_in_pieces<E: From<Error>>(
        self,
        files: &[String],
        piece_len: u64,
        walk_file: &mut dyn FnMut(Pieces<'_>) -> Result<PieceEnd, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<StreamEnd, E> {
        let mut between = Between::default();
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
            if let Some(mismatch) = between.next_file(name) {
                problem(mismatch)?;
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
                    between.end = StreamEnd::default();
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
            let (start, stop) = self.range_in(index, files.len());
            let first = Piece {
                log: &bytes,
                log_name: log_name(bytes.name()),
                frames,
                maps: TableMaps::new(),
                walk: FileWalk {
                    index,
                    start,
                    stop,
                    end: FileEnd::default(),
                    damage: None,
                },
                ends_file: true,
                ahead: &[],
            };
            let file_end = walk_file(Pieces {
                bytes: bytes.bytes(),
                piece_len: piece_len.max(1),
                verify_checksums: self.read.verify_checksums,
                cut_verifies,
                next: Some(first),
            })?
            .0;
            if between.file_ended(name, file_end) {
                break;
            }
        }
        Ok(between.end)
    }
}

/// A stretch of one file that can be walked apart from the rest: where its first event
/// is, and what a walk of the whole file would carry to that point (the framing state
/// and format context, the table maps, what the file's format description said). Its
/// events are visited exactly as [`Stream::walk`] visits them, problems included: the
/// concatenated visits of a file's pieces are the visits of the file.
#[derive(Debug)]
pub struct Piece<'a> {
    /// The file.
    pub(super) log: &'a LogBytes,
    pub(super) log_name: String,
    pub(super) frames: Frames<'a>,
    pub(super) maps: TableMaps<'a>,
    /// The file's walk as it stands at the piece's first event; its `stop` is where
    /// the next piece starts, or the walk's stop position for the last piece.
    pub(super) walk: FileWalk,
    /// The last piece: it checks how the file ends.
    pub(super) ends_file: bool,
    /// Bytes of the file ahead of the cutting pass, which the piece's walk maps in
    /// first (see [`Piece::walk`]).
    pub(super) ahead: &'a [u8],
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
        // The cutting pass is serial and reads a header in every few pages: left to
        // it, the page faults that map a file's pages in are serial too (on a log of
        // large events most of its time). Touched here, on the piece's thread, they
        // are not.
        map_in(self.ahead);
        let mut walk = Walk {
            stream: Stream {
                read,
                ..Stream::new(OpenOptions::default())
            },
            visit,
            report,
        };
        // Unmapping the file's pages at its end would be serial work: the piece's own
        // are unmapped at its end, on its thread.
        walk.stretch(self, false).map(PieceEnd)
    }
}

/// The events the cutting pass reads in full, besides those that change how the rest
/// is framed: those holding table maps, and those that close a file (what the walk
/// knows of the file's end after them, the ROTATE's next file, comes from them).
/// It steps over the others ([`Frames::step_over`]): it needs their size only.
fn read_in_full(event_type: EventType) -> bool {
    matches!(
        event_type,
        EventType::TABLE_MAP | EventType::TRANSACTION_PAYLOAD | EventType::ROTATE | EventType::STOP
    )
}

/// Touches a byte in every [`FAULT_AROUND_BYTES`] of `bytes`, so that the system maps
/// their pages in now.
fn map_in(bytes: &[u8]) {
    for byte in bytes.iter().step_by(FAULT_AROUND_BYTES) {
        std::hint::black_box(*byte);
    }
}

/// How much of a mapped file one page fault maps in when its pages are cached: Linux
/// maps the aligned 64 KiB around the faulting page (`fault_around_bytes`). Touching
/// every page instead waits for memory at each one, to no use: on two threads, 3 % more
/// wall time for `events -json` on a log of large events, 7 % more as text.
const FAULT_AROUND_BYTES: usize = 64 << 10;

/// Reads a byte in every cache line of `bytes`, so that the processor fetches them now.
///
/// The cutting pass reads a header per event, each at an offset the one before gives:
/// alone, each of those reads waits for memory in turn. The reads of the lines of the
/// event it steps over are independent of each other, go out together, and make a
/// forward stream the processor's prefetcher follows: the next header is then in
/// cache when it is read, and the piece's walk, which reads the same bytes next on the
/// same thread, finds them there too. (Measured on a log of small events, two threads:
/// 5 to 8 % less wall time for the listing, as text or JSON.)
fn bring_in(bytes: &[u8]) {
    for byte in bytes.iter().step_by(CACHE_LINE_BYTES) {
        std::hint::black_box(*byte);
    }
}

/// The usual size of a processor cache line.
const CACHE_LINE_BYTES: usize = 64;

/// How much of an event the cutting pass brings into the cache ([`bring_in`]): the
/// size of small events (those of a log of many events, where the pass spends its
/// time); of a larger one, the rest is left to the piece's walk.
const BRING_IN_BYTES: usize = 1024;

/// How many pieces ahead of its own start a piece maps the file in: far enough that
/// the cutting pass, cutting the pieces in between, is not there yet.
const MAP_IN_AHEAD: u64 = 2;

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
    /// The whole file.
    bytes: &'a [u8],
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

impl<'a> Pieces<'a> {
    /// The first [`BRING_IN_BYTES`] of the event stepped over at `offset`, which ends
    /// at `end`.
    fn stepped_over(&self, offset: u64, end: u64) -> &'a [u8] {
        let clip =
            |at: u64| usize::try_from(at).map_or(self.bytes.len(), |at| at.min(self.bytes.len()));
        let start = clip(offset);
        let end = clip(end).clamp(start, start.saturating_add(BRING_IN_BYTES));
        &self.bytes[start..end]
    }

    /// What the piece that ends at `stop` maps in: the stretch of about one piece that
    /// starts `MAP_IN_AHEAD - 1` pieces after it (consecutive pieces' stretches
    /// follow each other, as pieces are at least `piece_len` long).
    fn ahead_of(&self, stop: u64) -> &'a [u8] {
        let start = stop.saturating_add(self.piece_len.saturating_mul(MAP_IN_AHEAD - 1));
        let end = start.saturating_add(self.piece_len);
        let clip =
            |at: u64| usize::try_from(at).map_or(self.bytes.len(), |at| at.min(self.bytes.len()));
        &self.bytes[clip(start)..clip(end)]
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        let mut cutting = self.next.take()?;
        // The piece handed out resumes where the pass stands now.
        let mut frames = cutting.frames.resume_point()?;
        frames.set_checksum_verification(self.verify_checksums);
        let mut piece = Piece {
            log: cutting.log,
            log_name: cutting.log_name.clone(),
            frames,
            maps: cutting.maps.clone(),
            walk: FileWalk {
                end: cutting.walk.end.clone(),
                damage: None,
                ..cutting.walk
            },
            ends_file: true,
            ahead: &[],
        };
        let from = cutting.frames.position();
        loop {
            let at = cutting.frames.position();
            if at >= from.saturating_add(self.piece_len) && at < self.bytes.len() as u64 {
                if let Some(resume) = cutting.frames.resume_point() {
                    piece.walk.stop = Some(at);
                    piece.ends_file = false;
                    // This pass framed the piece's events without a problem, checksums
                    // included when it verifies them: the piece need not compute them
                    // again. (Damage ends the cutting: the last piece checks its own.)
                    if self.cut_verifies {
                        piece.frames.checksums_verified_until(at);
                    }
                    piece.ahead = self.ahead_of(at);
                    cutting.frames = resume;
                    self.next = Some(cutting);
                    return Some(piece);
                }
            }
            let limit = cutting.walk.stop.unwrap_or(u64::MAX);
            if let Some((offset, event_type)) = cutting.frames.step_over(limit, read_in_full) {
                // Of the file's end, all the walk would know after this event.
                let end = &mut cutting.walk.end;
                end.closed = false;
                end.rotate_to = None;
                end.last_event = Some((offset, event_type));
                bring_in(self.stepped_over(offset, cutting.frames.position()));
                continue;
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
