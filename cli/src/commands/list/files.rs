//! The listings on threads: each file cut into parts, each part walked on a thread
//! (checked, decoded and printed there, so each record's bytes are read by one thread
//! once), the parts' text written in the files' order.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::ops::Range;
use std::sync::{mpsc, Arc, Mutex};

use replog::thl::{LogDir, ReadOptions, ThlFile, VerifiedFile};
use replog::threads::Spread;
use replog::txn::thl::{Carried, FilePlace, FileWalked, ThlWalk};
use replog::txn::Transaction;
use replog::Flow;

use crate::commands::Problems;
use crate::failure::Failure;

use super::choice::{Choice, Verdict};
use super::pieces::Handed;
use super::printer::{PartPrinter, Printer};

/// Text of one part's listing sent to the writing thread at a time (`THL_PIECE_BYTES`
/// sets it).
const PART_TEXT_PIECE: u64 = 1 << 20;

/// Pieces of text sent and not yet written, all parts together: 32 MiB, so that a
/// thread walking a later part seldom waits for the one before to be written. Each of
/// the parts walked or waiting at once (see [`list_files_in_parallel`]) gets its share,
/// at least one piece, and room for its [`Piece::First`] and [`Piece::End`] beside:
/// without it, a part whose text filled its share waited for its End to be taken, that
/// is for the part before to be walked and written, idle meanwhile.
const PIECES_IN_FLIGHT: usize = 32;

/// The pieces of a part's that hold no text: its First and its End.
const PIECES_WITHOUT_TEXT: usize = 2;

/// How a listing's files are cut into the parts its threads walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cutting {
    /// For the header forms, whose work is reading the records (their text is a few
    /// percent of them): each file in two halves, so that the last parts the threads
    /// take are small and they end together (walked whole, the last older file kept one
    /// thread busy for up to 20 ms after the other had listed the rest), but the newest
    /// file, when the index verified it, in [`NEWEST_PARTS_PER_THREAD`] parts per
    /// thread.
    Halves,
    /// For the forms that decode every payload (full, `-sql`), whose text can be as
    /// large as the records: parts of about [`DECODED_PART_BYTES`], so that a part
    /// waiting to be written holds a few MiB of text.
    Small,
}

/// Parts the newest file is cut into per thread by [`Cutting::Halves`]: each thread
/// done with the files before takes the next part, so that the threads end together,
/// however unevenly they went through the older files (a core the host lends elsewhere
/// for a while, a file that takes longer).
const NEWEST_PARTS_PER_THREAD: usize = 3;

/// Files smaller than this are walked whole by [`Cutting::Halves`]: guessing where the
/// second half begins costs page faults. (`THL_PIECE_BYTES` sets it: the tests halve
/// small files.)
const LEAST_HALVED_FILE_BYTES: u64 = 8 << 20;

/// The size of the parts [`Cutting::Small`] cuts files into (`THL_PIECE_BYTES` sets
/// it). Each part guesses where it begins, which past a large record means searching
/// its data (43 µs a guess on average on the 600 MB bench log, whose bytes lie mostly in
/// large records), and a part's text must fit in its share of the pieces in flight, or
/// its thread waits for the part before to be written. `thl list -threads 2` on that
/// log, median of 5 alternating runs: 0.504 s with parts of 2 MiB, 0.497 s with 4 MiB,
/// 0.521 s with 8 MiB (one thread: 0.981 s); `-sql`, whose text is small, 0.241, 0.235
/// and 0.232 s.
const DECODED_PART_BYTES: u64 = 4 << 20;

/// Parts walked or waiting to be written per thread with [`Cutting::Small`]: enough
/// that a thread done with its part finds the next one free.
const SMALL_PARTS_IN_FLIGHT_PER_THREAD: usize = 4;

/// Where a part of a file begins and ends.
enum Cut {
    /// Part `part` of a file cut at guessed transaction starts (see [`GuessedFile`]).
    Guessed { file: Arc<GuessedFile>, part: usize },
    /// The records of `span` of the newest file, between transaction starts the index
    /// noted when it verified the file (their CRCs are not checked again).
    Noted {
        file: Arc<ThlFile>,
        span: Range<u64>,
        part: usize,
        parts: usize,
    },
    /// A file that did not open when its parts were planned: walked whole, it fails to
    /// open again where the serial walk fails.
    Unopened,
}

impl Cut {
    /// The part's place among its file's parts.
    fn part(&self) -> usize {
        match self {
            Cut::Guessed { part, .. } | Cut::Noted { part, .. } => *part,
            Cut::Unopened => 0,
        }
    }
}

/// A file cut into parts at guessed transaction starts, mapped once and shared by its
/// parts. Records carry no marker of where they begin, so a part begins where
/// [`ThlFile::guess_transaction_start`] guesses a transaction begins past its share of
/// the file (the first part at the file's start). The part before, walked from where it
/// began, hands over only where one of its transactions ends exactly at that guess;
/// otherwise it reads on to a later part's guess, or to the end of the file, and the
/// parts it read through are dropped unwritten. So the output is the serial one
/// whatever the guesses; and as a guess is the same whichever thread makes it (the
/// same bytes), a part and the one before agree on where one hands over to the other
/// without waiting for each other.
struct GuessedFile {
    file: Arc<ThlFile>,
    parts: usize,
    /// Guesses made and not asked for again yet: a part's start is asked for by the
    /// part and by the one before (only once its walk reached that part's share, by
    /// when the part has usually guessed it), and guessed once.
    known: Mutex<HashMap<usize, Option<u64>>>,
}

impl GuessedFile {
    /// Where part `part`'s share of the file begins.
    fn share(&self, part: usize) -> u64 {
        let len = self.file.bytes().len() as u128;
        let share = len * part as u128 / self.parts as u128;
        u64::try_from(share).unwrap_or(u64::MAX)
    }

    /// Where part `part` begins, if a transaction start was found past its share.
    fn start(&self, part: usize) -> Option<u64> {
        if part == 0 {
            return Some(ThlFile::ALL_RECORDS.start);
        }
        let known = || self.known.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(start) = known().remove(&part) {
            return start;
        }
        let start = self.file.guess_transaction_start(self.share(part));
        known().insert(part, start);
        start
    }

    /// Lets go of one part's share of `file`: the last one closes it (see
    /// [`ThlFile::close`]).
    fn close(file: Arc<GuessedFile>) {
        if let Some(file) = Arc::into_inner(file) {
            ThlFile::close(file.file);
        }
    }
}

/// Where a guessed part's walk hands the rest of its file over (see [`GuessedFile`]).
struct Handover<'f> {
    file: &'f GuessedFile,
    /// The part that takes over next, unless the walk passes its start.
    next: usize,
    /// Its start, once guessed.
    next_start: Option<Option<u64>>,
}

impl Handover<'_> {
    /// One of the part's transactions ended at `end`: the part that takes over there,
    /// if any. (A part whose start the walk passed is skipped: the walk read it. A
    /// part begins past its share of the file: before it, its start is not asked for.)
    fn taken_over_at(&mut self, end: u64) -> Option<usize> {
        while self.next < self.file.parts && end >= self.file.share(self.next) {
            let start = *self
                .next_start
                .get_or_insert_with(|| self.file.start(self.next));
            match start {
                Some(start) if start == end => return Some(self.next),
                Some(start) if start > end => return None,
                _ => {
                    self.next += 1;
                    self.next_start = None;
                }
            }
        }
        None
    }
}

/// What the walk of one part sends the writing thread, in order.
enum Piece {
    /// The part's first transaction begins at `offset` of `file` with `seqno`: the
    /// writer tells the seqno gap from the parts before, if any.
    First {
        file: String,
        offset: u64,
        seqno: i64,
    },
    /// Text of the listing, and where in it transactions end (with `-first` only).
    Text(Handed),
    /// A notice for the run's report channel.
    Notice(replog::Error),
    /// The part's walk ended: how, or what it failed on (after the text sent).
    End(Result<PartListed, Failure>),
    /// A guessed part that found no transaction start past its share of the file: the
    /// part before reads through it.
    Unused,
}

/// How one part's listing ended.
struct PartListed {
    walked: FileWalked,
    carried: Carried,
    listed: Listed,
    /// Where the part began.
    began: u64,
    /// The part of the same file that goes on from where this one ended, and where;
    /// none when this one walked to the end of its file (or stopped).
    taken_over: Option<(usize, u64)>,
}

/// What a listing printed and examined.
#[derive(Default)]
pub(super) struct Listed {
    pub(super) printed: u64,
    /// The last seqno placed in or after the range.
    pub(super) examined: Option<i64>,
}

/// A part handed to a thread: the file's place in the listing's files, where the part
/// lies, and where its pieces go (dropped when the part is done, should its walk panic
/// too: the writer then hears the part end).
struct Ticket {
    file: usize,
    cut: Cut,
    pieces: mpsc::SyncSender<Piece>,
}

/// Text buffers written and emptied, for the threads' next pieces: a buffer allocated
/// afresh for each piece is memory the system maps and zeroes again, grown by copying.
struct Spares {
    buffers: Mutex<Vec<Vec<u8>>>,
    /// The bytes of text handed over at a time.
    piece: usize,
}

impl Spares {
    fn take(&self) -> Vec<u8> {
        let spare = self.buffers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        // (Room for a piece, unless `THL_PIECE_BYTES` asks for a huge one.)
        spare.unwrap_or_else(|| Vec::with_capacity(self.piece.min(1 << 20)))
    }

    /// Keeps `text`'s buffer for a later piece, unless the spares are many, or it grew
    /// far larger than a piece (the text of a large event): kept, its memory would stay
    /// in use.
    fn put(&self, mut text: Vec<u8>) {
        text.clear();
        let mut spares = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        if spares.len() < PIECES_IN_FLIGHT && text.capacity() <= self.piece.saturating_mul(2) {
            spares.push(text);
        }
    }
}

/// The listing (strict) of `files` cut into parts as `reading` says, the parts walked
/// on its threads as [`ThlWalk::walk_file`] lets them, printing what `choice` selects in
/// `printer`'s format; the text, notices and the failure that ends the walk are written
/// and told in the files' order, up to the end of the transaction `-first` ends at, so
/// the output is the serial one byte for byte. The last file (the
/// newest) waits for `ready`, called before anything is written: None when nothing is
/// to be (then neither is the listing: None). When `ready` gives the newest file as the
/// index verified it, that file is cut at the transaction starts the index noted.
pub(super) fn list_files_in_parallel(
    reading: Reading<'_>,
    files: &[&str],
    choice: &Choice<'_>,
    printer: &Printer,
    ready: &mut Ready<'_>,
    out: &mut impl Write,
) -> Result<Option<Listed>, Failure> {
    let Reading {
        threads, cutting, ..
    } = reading;
    let walk = ThlWalk {
        read: reading.options,
        permissive: false,
        check_ahead: false,
        // The header forms' parts are large: each unmaps its pages behind it, on its
        // thread, so that closing a file does not hold up the other threads' mappings.
        // Small parts would unmap a few pages at a time (each unmapping interrupts the
        // other processors): their files are released when closed, by the last part.
        release_behind: cutting == Cutting::Halves,
    };
    let dir = reading.dir;
    let plan = Plan::new(threads, cutting, dir, files)?;
    let window = plan.window();
    let piece = crate::commands::piece_bytes(PART_TEXT_PIECE)?;
    let spares = Spares {
        buffers: Mutex::default(),
        piece: usize::try_from(piece).unwrap_or(usize::MAX),
    };
    let (tickets, next_tickets) = mpsc::channel::<Ticket>();
    let next_tickets = Mutex::new(next_tickets);
    let walk_part = |ticket: Ticket| {
        let Ticket { file, cut, pieces } = ticket;
        let send = |piece| pieces.send(piece).is_ok();
        let mut part = PartPrinter::new(printer, spares.take(), choice.first.is_some());
        let mut listed = Listed::default();
        let mut carried = Carried::default();
        let mut began = 0;
        // Where a noted part's successor goes on, and where a guessed part handed over.
        let mut noted_next = None;
        let mut handed_over = None;
        let problems = Problems::new(false);
        let mut walked = || -> Result<Option<FileWalked>, Failure> {
            let unopened;
            let (opened, walk, span, mut handover) = match &cut {
                Cut::Guessed {
                    file: guessed,
                    part,
                } => {
                    let Some(start) = guessed.start(*part) else {
                        return Ok(None);
                    };
                    let handover = Handover {
                        file: guessed,
                        next: part + 1,
                        next_start: None,
                    };
                    let span = start..ThlFile::ALL_RECORDS.end;
                    (&guessed.file, walk, span, Some(handover))
                }
                Cut::Noted {
                    file,
                    span,
                    part,
                    parts,
                } => {
                    noted_next = (part + 1 < *parts).then_some((part + 1, span.end));
                    // The index read it to its end, checking every CRC: the same records.
                    (file, walk.without_checksums(), span.clone(), None)
                }
                Cut::Unopened => {
                    unopened = Arc::new(dir.open_file(files[file])?);
                    (&unopened, walk, ThlFile::ALL_RECORDS, None)
                }
            };
            began = span.start;
            let mut first = true;
            let mut visit = |_: &Arc<ThlFile>, txn: &Transaction<'_>| {
                if std::mem::take(&mut first) {
                    let record = &txn.fragments[0];
                    if let Some(seqno) = txn.seqno() {
                        let (file, offset) = (record.file.to_string(), record.offset);
                        if !send(Piece::First {
                            file,
                            offset,
                            seqno,
                        }) {
                            return Ok(Flow::Stop);
                        }
                    }
                }
                match choice.judge(txn, &problems, &mut listed.examined)? {
                    Verdict::Skip => {}
                    Verdict::Stop => return Ok(Flow::Stop),
                    Verdict::Print => {
                        for event in txn.events() {
                            part.event(event, &problems)?;
                            let next_buffer = &mut || spares.take();
                            let send_text = &mut |text| send(Piece::Text(text));
                            if !part.hand_over(spares.piece, next_buffer, send_text) {
                                return Ok(Flow::Stop);
                            }
                        }
                        part.transaction_ended();
                        listed.printed += 1;
                        // (No part prints more than `-first` asks: the writer ends the
                        // listing at that many, from this part or before it.)
                        if choice.first.is_some_and(|n| listed.printed >= n) {
                            return Ok(Flow::Stop);
                        }
                    }
                }
                if let (Some(handover), Some(last)) = (handover.as_mut(), txn.fragments.last()) {
                    let end = last.offset + u64::from(last.length);
                    if let Some(next) = handover.taken_over_at(end) {
                        handed_over = Some((next, end));
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Continue)
            };
            let mut notice = |err| {
                send(Piece::Notice(err));
            };
            let place = FilePlace {
                name: files[file],
                file: opened,
                follows: files.get(file + 1).copied(),
                span,
            };
            walk.walk_file::<Failure>(dir, place, &mut carried, &mut visit, &mut notice)
                .map(Some)
        };
        let walked = walked();
        // (The last part of a file to end closes it.)
        match cut {
            Cut::Guessed { file, .. } => GuessedFile::close(file),
            Cut::Noted { file, .. } => ThlFile::close(file),
            Cut::Unopened => {}
        }
        let (mut rest, ends) = part.into_rest();
        // (Grown for a large event, the buffer gives back what the rest does not use.)
        if rest.capacity() > spares.piece.saturating_mul(2) {
            rest.shrink_to_fit();
        }
        if rest.is_empty() && ends.is_empty() {
            spares.put(rest);
        } else {
            send(Piece::Text((rest, ends)));
        }
        send(match walked {
            Ok(None) => Piece::Unused,
            Ok(Some(mut walked)) => {
                // (The stop that hands the rest of the file over does not end the listing.)
                walked.stopped &= handed_over.is_none();
                let taken_over = handed_over.or(noted_next).filter(|_| !walked.stopped);
                Piece::End(Ok(PartListed {
                    walked,
                    carried,
                    listed,
                    began,
                    taken_over,
                }))
            }
            Err(failure) => Piece::End(Err(failure)),
        });
    };
    let walk_parts = || loop {
        // The lock is released before the part is walked.
        let next = next_tickets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .recv();
        let Ok(ticket) = next else {
            return;
        };
        walk_part(ticket);
    };
    let mut issuer = Issuer {
        plan,
        tickets,
        issued: VecDeque::new(),
        window,
        pieces: (PIECES_IN_FLIGHT / window).max(1) + PIECES_WITHOUT_TEXT,
    };
    std::thread::scope(|scope| {
        // `ready` may keep this thread busy (reading the index to its end): the last
        // thread starts once it returned, so that no more threads are busy than asked.
        let mut spread = Spread::from_here();
        for _ in 1..threads {
            spread.spawn(scope, walk_parts);
        }
        let mut written = || -> Result<Option<Listed>, Failure> {
            // (The older files' parts are walked meanwhile.)
            issuer.top_up();
            let Some(verified) = ready(out)? else {
                return Ok(None);
            };
            // (Spawned plainly: this thread writes from now on, mostly waiting, so the
            // last one may well start on its processor.)
            scope.spawn(walk_parts);
            issuer.plan.newest_is(verified);
            let json = printer.json.is_some();
            let problems = reading.problems;
            let first = choice.first;
            write_parts_in_order(walk, problems, &mut issuer, json, first, &spares, out).map(Some)
        };
        let written = written();
        // Threads waiting for a part see the tickets end, threads still walking see
        // their next piece refused: all stop.
        drop(issuer);
        written
    })
}

/// The parts of a listing's files, planned a file at a time as they are handed out.
struct Plan<'a> {
    threads: usize,
    cutting: Cutting,
    dir: &'a LogDir,
    files: &'a [&'a str],
    /// See [`LEAST_HALVED_FILE_BYTES`] and [`DECODED_PART_BYTES`].
    least_halved: u64,
    part_bytes: u64,
    /// The next file to plan.
    next_file: usize,
    /// The parts of the file planned last not handed out yet: its index and them.
    planned: Option<(usize, Planned)>,
    /// The newest file as the index verified it (if it did), once `ready` told it and
    /// until it is planned.
    newest: Option<Verified>,
}

/// The parts of one file not handed out yet (at least one).
enum Planned {
    Guessed {
        file: Arc<GuessedFile>,
        next: usize,
    },
    Noted {
        file: Arc<ThlFile>,
        spans: VecDeque<Range<u64>>,
        parts: usize,
    },
    Unopened,
}

impl<'a> Plan<'a> {
    fn new(
        threads: usize,
        cutting: Cutting,
        dir: &'a LogDir,
        files: &'a [&'a str],
    ) -> Result<Plan<'a>, Failure> {
        Ok(Plan {
            threads,
            cutting,
            dir,
            files,
            least_halved: crate::commands::piece_bytes(LEAST_HALVED_FILE_BYTES)?,
            part_bytes: crate::commands::piece_bytes(DECODED_PART_BYTES)?,
            next_file: 0,
            planned: None,
            newest: None,
        })
    }

    /// Parts walked or waiting to be written at once: at most this many, so memory
    /// stays bounded however many files the log has and however fast the threads outrun
    /// the writer. With halves: one file's halves more than the threads, and the newest
    /// file's parts, so that a thread done with its part while the one before is still
    /// walked goes on with the next instead of waiting.
    fn window(&self) -> usize {
        match self.cutting {
            Cutting::Halves => self.threads * (1 + NEWEST_PARTS_PER_THREAD) + 2,
            Cutting::Small => self.threads * SMALL_PARTS_IN_FLIGHT_PER_THREAD,
        }
    }

    /// The newest file, as `ready` gave it: its parts can be planned.
    fn newest_is(&mut self, verified: Verified) {
        let newest = self.files[self.files.len() - 1];
        self.newest = Some(verified.filter(|v| v.name == newest));
    }

    /// The next part: its file's index and where it lies. None when every file is
    /// planned, or when the newest is next and `ready` has not told it yet.
    fn next(&mut self) -> Option<(usize, Cut)> {
        if self.planned.is_none() {
            let file = self.next_file;
            let newest = file + 1 == self.files.len();
            if file >= self.files.len() || (newest && self.newest.is_none()) {
                return None;
            }
            self.planned = Some((file, self.plan_file(file)));
            self.next_file += 1;
        }
        let (file, planned) = self.planned.as_mut()?;
        let file = *file;
        // (The plan lets go of the file with its last part.)
        let (cut, last) = match planned {
            Planned::Guessed { file, next } => {
                let part = *next;
                *next += 1;
                let last = *next >= file.parts;
                let file = Arc::clone(file);
                (Cut::Guessed { file, part }, last)
            }
            Planned::Noted { file, spans, parts } => {
                let span = spans.pop_front().unwrap_or(ThlFile::ALL_RECORDS);
                let cut = Cut::Noted {
                    file: Arc::clone(file),
                    part: *parts - spans.len() - 1,
                    span,
                    parts: *parts,
                };
                (cut, spans.is_empty())
            }
            Planned::Unopened => (Cut::Unopened, true),
        };
        if last {
            self.planned = None;
        }
        Some((file, cut))
    }

    /// How file `index` is cut. (The newest file is planned once `ready` told it.)
    fn plan_file(&mut self, index: usize) -> Planned {
        let name = self.files[index];
        let verified = match index + 1 == self.files.len() {
            true => self.newest.take().flatten(),
            false => None,
        };
        if let Some(verified) = verified {
            let len = verified.file.bytes().len() as u64;
            let most = match self.cutting {
                Cutting::Halves => self.threads * NEWEST_PARTS_PER_THREAD,
                Cutting::Small => self.small_parts(len),
            };
            let spans: VecDeque<_> = newest_parts(&verified, most).into();
            return Planned::Noted {
                parts: spans.len(),
                spans,
                file: verified.file,
            };
        }
        // Mapped here, once for all its parts: they read the same bytes.
        let Ok(file) = self.dir.open_file(name) else {
            return Planned::Unopened;
        };
        let len = file.bytes().len() as u64;
        let parts = match self.cutting {
            Cutting::Halves if len >= self.least_halved => 2,
            Cutting::Halves => 1,
            Cutting::Small => self.small_parts(len),
        };
        let file = GuessedFile {
            file: Arc::new(file),
            parts,
            known: Mutex::default(),
        };
        Planned::Guessed {
            file: Arc::new(file),
            next: 0,
        }
    }

    /// Parts of [`DECODED_PART_BYTES`] in `len` bytes.
    fn small_parts(&self, len: u64) -> usize {
        usize::try_from(len.div_ceil(self.part_bytes))
            .unwrap_or(usize::MAX)
            .max(1)
    }
}

/// Hands the planned parts to the threads, at most a window of them not yet written,
/// and the writer each part's pieces, in order.
struct Issuer<'a> {
    plan: Plan<'a>,
    tickets: mpsc::Sender<Ticket>,
    issued: VecDeque<Issued>,
    window: usize,
    /// Room in each part's channel, in pieces.
    pieces: usize,
}

/// A part handed out: its file, its place among the file's parts, and its pieces.
struct Issued {
    file: usize,
    part: usize,
    pieces: mpsc::Receiver<Piece>,
}

impl Issuer<'_> {
    /// Hands out the next parts planned, up to the window.
    fn top_up(&mut self) {
        while self.issued.len() < self.window {
            let Some((file, cut)) = self.plan.next() else {
                return;
            };
            let part = cut.part();
            let (sender, pieces) = mpsc::sync_channel(self.pieces);
            // (Should the threads be gone, the writer hears the part end unwalked.)
            let _ = self.tickets.send(Ticket {
                file,
                cut,
                pieces: sender,
            });
            self.issued.push_back(Issued { file, part, pieces });
        }
    }

    /// The next part to write (the window counts it until the one after is asked for).
    fn next_to_write(&mut self) -> Option<Issued> {
        self.top_up();
        self.issued.pop_front()
    }
}

/// The spans of the newest file's parts: up to `most` parts of about equal size cut at
/// the transaction starts the index noted in it when it verified it.
fn newest_parts(verified: &VerifiedFile, most: usize) -> Vec<Range<u64>> {
    let whole = ThlFile::ALL_RECORDS;
    let starts = &verified.transaction_starts;
    let first = whole.start;
    let len = (verified.file.bytes().len() as u64).max(first);
    let parts = most.min(starts.len() + 1).max(1) as u64;
    let mut cuts = vec![first];
    for k in 1..parts {
        let target = first + (len - first) / parts * k;
        let at = starts.partition_point(|&s| s < target);
        if let Some(&cut) = starts.get(at).filter(|&&cut| cut > cuts[cuts.len() - 1]) {
            cuts.push(cut);
        }
    }
    let ends = cuts.iter().skip(1).copied().chain([whole.end]);
    cuts.iter()
        .zip(ends)
        .map(|(&start, end)| start..end)
        .collect()
}

/// Where and how the files of a listing are read.
#[derive(Clone, Copy)]
pub(super) struct Reading<'a> {
    pub(super) dir: &'a LogDir,
    pub(super) options: ReadOptions,
    pub(super) problems: &'a Problems,
    /// The threads that walk the parts.
    pub(super) threads: usize,
    pub(super) cutting: Cutting,
}

/// The newest file, kept mapped by an index that read it checking CRCs (see
/// [`replog::thl::LogIndex::verified_file`]).
pub(super) type Verified = Option<VerifiedFile>;

/// What [`list_files_in_parallel`] calls before it writes anything: the newest file
/// the index verified, or None when the listing must not be written (nothing was).
/// It may write what comes before the listing to the output given.
type Ready<'r> = dyn FnMut(&mut dyn Write) -> Result<Option<Verified>, Failure> + 'r;

/// The writing side of [`list_files_in_parallel`]: each part's pieces, in order, until
/// a walk stops or fails. The parts a part before read through (see [`GuessedFile`]) are
/// dropped.
fn write_parts_in_order(
    walk: ThlWalk,
    problems: &Problems,
    issuer: &mut Issuer<'_>,
    json: bool,
    first: Option<u64>,
    spares: &Spares,
    out: &mut impl Write,
) -> Result<Listed, Failure> {
    let mut carried = Carried::default();
    let mut total = Listed::default();
    // The part the listing goes on with: its file, its place in the file, and where
    // the part before handed over to it.
    let mut next = (0, 0, None);
    while let Some(Issued { file, part, pieces }) = issuer.next_to_write() {
        let dropped = (file, part) < (next.0, next.1);
        if !dropped && (file, part) != (next.0, next.1) {
            return Err(Failure::Fatal(
                "a part of the listing was handed over to but not walked".into(),
            ));
        }
        // Each part's JSON objects come without the separator before the first.
        let mut separate = json && total.printed > 0;
        // Transactions of this part written (counted with `-first` only).
        let mut in_part = 0;
        loop {
            // (A thread sends its part's End whatever happens, unless it panicked.)
            let Ok(piece) = pieces.recv() else {
                return Err(Failure::Fatal("a listing thread ended early".into()));
            };
            if dropped {
                match piece {
                    Piece::Text((text, _)) => spares.put(text),
                    Piece::End(_) | Piece::Unused => break,
                    Piece::First { .. } | Piece::Notice(_) => {}
                }
                continue;
            }
            match piece {
                Piece::First {
                    file,
                    offset,
                    seqno,
                } => {
                    if let Some(gap) = carried.gap_before(&file, offset, seqno) {
                        problems.hear(gap);
                    }
                }
                Piece::Text((text, ends)) => {
                    if std::mem::take(&mut separate) {
                        out.write_all(b",\n")?;
                    }
                    // With `-first N`, the listing ends where the Nth transaction ends.
                    if let Some(n) = first {
                        let room = n.saturating_sub(total.printed + in_part);
                        let last = usize::try_from(room).ok().and_then(|r| r.checked_sub(1));
                        if let Some(&end) = last.and_then(|last| ends.get(last)) {
                            out.write_all(&text[..end])?;
                            total.printed = n;
                            return Ok(total);
                        }
                    }
                    in_part += ends.len() as u64;
                    out.write_all(&text)?;
                    spares.put(text);
                }
                Piece::Notice(err) => problems.hear(err),
                Piece::Unused => {
                    return Err(Failure::Fatal(
                        "a part of a file found no start where the part before handed over".into(),
                    ))
                }
                Piece::End(end) => {
                    let PartListed {
                        walked,
                        carried: after,
                        listed,
                        began,
                        taken_over,
                    } = end?;
                    if next.2.is_some_and(|at| at != began) {
                        return Err(Failure::Fatal(
                            "a part of a file began elsewhere than the part before ended".into(),
                        ));
                    }
                    total.printed += listed.printed;
                    total.examined = listed.examined.or(total.examined);
                    if walked.stopped {
                        return Ok(total);
                    }
                    walk.join(&mut carried, &walked, after, &mut |err| problems.hear(err))?;
                    next = match taken_over {
                        Some((part, at)) => (file, part, Some(at)),
                        None => (file + 1, 0, None),
                    };
                    break;
                }
            }
        }
    }
    Ok(total)
}
