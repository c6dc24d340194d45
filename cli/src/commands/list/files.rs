//! The header listings on threads: the older files walked in halves and the newest in
//! parts, each on a thread, their text written in the files' order.

use std::cell::Cell;
use std::io::Write;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use replog::thl::{LogDir, ReadOptions, ThlFile, VerifiedFile};
use replog::threads::Spread;
use replog::txn::thl::{Carried, FilePlace, FileWalked, ThlWalk};
use replog::txn::Transaction;
use replog::Flow;

use crate::commands::Problems;
use crate::failure::Failure;

use super::choice::{Choice, Verdict};
use super::printer::Printer;
/// Text of one file's listing sent to the writing thread at a time.
const FILE_TEXT_PIECE: usize = 1 << 20;

/// Pieces of text sent and not yet written, all files together: 32 MiB, the header
/// listing of a few files of several hundred MB, so that a thread walking a later file
/// seldom waits for the one before to be written. Each of the files (or parts) walked or
/// waiting at once (see [`list_files_in_parallel`]) gets its share, at least one piece,
/// and room for its [`Piece::First`] and [`Piece::End`] beside: without it, a half of a
/// file whose text filled its share waited for its End to be taken, that is for the
/// first half to be walked and written, idle meanwhile.
const PIECES_IN_FLIGHT: usize = 32;

/// The pieces of an item's that hold no text: its First and its End.
const PIECES_WITHOUT_TEXT: usize = 2;

/// Parts the newest file is cut into per thread (see [`list_files_in_parallel`]): each
/// thread done with the files before takes the next part, so that the threads end
/// together, however unevenly they went through the older files (a core the host
/// lends elsewhere for a while, a file that takes longer).
const NEWEST_PARTS_PER_THREAD: usize = 3;

/// What the walk of one file sends the writing thread, in order.
enum Piece {
    /// The file's first transaction begins at `offset` of `file` with `seqno`: the
    /// writer tells the seqno gap from the files before, if any.
    First {
        file: String,
        offset: u64,
        seqno: i64,
    },
    /// Text of the listing.
    Text(Vec<u8>),
    /// A notice for the run's report channel.
    Notice(replog::Error),
    /// The file's walk ended: how, or what it failed on (after the text sent).
    End(Result<FileListed, Failure>),
    /// An older file's second half that was not walked: the first reads through it.
    Unused,
}

/// What the thread that walks a file, or a part of the newest one, takes (and drops
/// when done, should it panic too: the writer then hears the file end).
struct FileSlot {
    /// Where the file's pieces go.
    pieces: mpsc::SyncSender<Piece>,
    /// The file, when the index kept it (see [`replog::thl::LogIndex::verified_file`]).
    verified: Option<Arc<ThlFile>>,
    /// The records walked (see [`FilePlace::span`]).
    span: Range<u64>,
}

/// How one file's listing ended.
struct FileListed {
    walked: FileWalked,
    carried: Carried,
    listed: Listed,
    /// An older file's first half stopped where its second half begins (see [`Handoff`]).
    handed_over: bool,
}

/// Parts an older file is cut into for the header listing on threads: two, so that the
/// last items the threads take are small and they end together (walked whole, the last
/// older file kept one thread busy for up to 20 ms after the other had listed the rest).
const OLDER_FILE_PARTS: usize = 2;

/// Files smaller than this are walked whole: guessing where the second half begins
/// costs about a millisecond of page faults. (`THL_PIECE_BYTES` sets it: the tests
/// halve small files.)
const LEAST_HALVED_FILE_BYTES: u64 = 8 << 20;

/// An older file listed in two halves on two threads. Records carry no marker of where
/// they begin, so the second half's thread guesses where a transaction begins past the
/// middle ([`ThlFile::guess_transaction_start`]) and offers it. The first half, walked
/// from the file's start, hands over only where a transaction of its own ends exactly
/// at the offer, and otherwise reads on through the file; the second half's listing is
/// then dropped unwritten. So the output is the serial one whatever the guess.
#[derive(Default)]
struct Handoff {
    /// Where the second half begins, once offered (0 before: a record begins at 16 at
    /// the earliest).
    offered: AtomicU64,
    /// Where the first half's latest transaction ended. Only ever grows: once it passed
    /// an offer, the first half cannot hand over there any more.
    reached: AtomicU64,
}

impl Handoff {
    /// The second half offers to begin at `start`: false when the first half is known
    /// to be past it already (the second is then not walked).
    fn offer(&self, start: u64) -> bool {
        self.offered.store(start, Ordering::Relaxed);
        self.reached.load(Ordering::Relaxed) <= start
    }

    /// Whether the first half is known to be past `offset`.
    fn passed(&self, offset: u64) -> bool {
        self.reached.load(Ordering::Relaxed) > offset
    }

    /// The first half's transaction ended at `end`: whether the rest is the second's.
    /// (Relaxed: an offer seen late only makes the first half read on, and the second
    /// half's listing is dropped.)
    fn hands_over_at(&self, end: u64) -> bool {
        self.reached.store(end, Ordering::Relaxed);
        self.offered.load(Ordering::Relaxed) == end
    }
}

/// The item walked for the `ticket`-th ticket taken. Tickets are sent in the order the
/// items are written, but each older file's second half is taken before its first, so
/// that its guess is offered before the first half sets out (taken after it, the
/// second half found the first past the middle in most runs, and the file was walked
/// whole by one thread).
fn item_of_ticket(ticket: usize, older_items: usize) -> usize {
    if ticket >= older_items {
        return ticket;
    }
    let (file, half) = (ticket / OLDER_FILE_PARTS, ticket % OLDER_FILE_PARTS);
    file * OLDER_FILE_PARTS + (OLDER_FILE_PARTS - 1 - half)
}

/// What a listing printed and examined.
#[derive(Default)]
pub(super) struct Listed {
    pub(super) printed: u64,
    /// The last seqno placed in or after the range.
    pub(super) examined: Option<i64>,
}

/// The listing of several files (strict, with every transaction the filters pass: no
/// `-first`) with `threads` threads each walking halves of the older files (see
/// [`Handoff`]) or parts of the newest one, as [`ThlWalk::walk_file`] lets them, and
/// printing what they select in
/// `printer`'s format; the text, notices and the failure that ends the walk are written
/// and told in the files' order, so the output is the serial one byte for byte. The
/// last file (the newest) waits for `ready`, called before anything is written: None
/// when nothing is to be (then neither is the listing: None). When `ready` gives the
/// newest file as the index verified it, that file is cut into parts at the
/// transaction starts the index noted, each walked on its own.
pub(super) fn list_files_in_parallel(
    threads: usize,
    reading: Reading<'_>,
    files: &[&str],
    choice: &Choice<'_>,
    printer: &Printer,
    ready: &mut Ready<'_>,
    out: &mut impl Write,
) -> Result<Option<Listed>, Failure> {
    let walk = ThlWalk {
        read: reading.options,
        permissive: false,
        check_ahead: false,
        // Each thread prints what it walks before going on, so the walk unmaps each
        // item's pages behind it, on the item's thread: closed whole, a file would hold
        // up the other threads' mappings meanwhile, and the newest file's parts share
        // its mapping, which the writer would otherwise unmap at the end, alone.
        release_behind: true,
    };
    let dir = reading.dir;
    // Items of work: the older files' halves (see `Handoff`), then the newest file's
    // parts (one when it is not cut), known once `ready` returned; up to `most_parts`,
    // a slot each.
    let newest = files.len() - 1;
    let older_items = newest * OLDER_FILE_PARTS;
    let most_parts = threads * NEWEST_PARTS_PER_THREAD;
    let file_of = |item: usize| (item / OLDER_FILE_PARTS).min(newest);
    let handoffs: Vec<Handoff> = (0..newest).map(|_| Handoff::default()).collect();
    let least_halved = crate::commands::piece_bytes(LEAST_HALVED_FILE_BYTES)?;
    // A thread takes the next ticket (see `item_of_ticket`) only once the item `window`
    // places before it is written: at most `window` items are walked or waiting to be
    // written at a time, so memory stays bounded however many files the log has and
    // however fast the threads outrun the writer. One file's halves more than the
    // threads, and the newest file's parts: a thread done with its item while the one
    // before is still walked goes on with the next instead of waiting. The newest file
    // waits for the index to be read to its end (see `ready`).
    let window = threads + OLDER_FILE_PARTS + most_parts;
    let (tickets, next_items) = mpsc::sync_channel::<usize>(window);
    for first in 0..window.min(older_items) {
        tickets
            .send(first)
            .expect("the receiver lives in this function");
    }
    let next_items = Mutex::new(next_items);
    let pieces_per_item = (PIECES_IN_FLIGHT / window).max(1);
    let (slots, receivers): (Vec<_>, Vec<_>) = (0..older_items + most_parts)
        .map(|_| {
            let (pieces, receiver) =
                mpsc::sync_channel::<Piece>(pieces_per_item + PIECES_WITHOUT_TEXT);
            let slot = FileSlot {
                pieces,
                verified: None,
                span: ThlFile::ALL_RECORDS,
            };
            (Mutex::new(Some(slot)), receiver)
        })
        .unzip();
    let list_item = |i: usize| {
        let taken = slots[i].lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(FileSlot {
            pieces,
            verified,
            mut span,
        }) = taken
        else {
            return;
        };
        let send = |piece| pieces.send(piece).is_ok();
        let mut text = Vec::new();
        let mut worker = printer.for_thread();
        let mut listed = Listed::default();
        let mut carried = Carried::default();
        let problems = Problems::new(false);
        let name = files[file_of(i)];
        // An older file's first half hands over to its second (see `Handoff`).
        // (The newest file's parts have none: `handoffs` holds the older files'.)
        let (hands_over, takes_over) = match handoffs.get(i / OLDER_FILE_PARTS) {
            Some(handoff) => match i % OLDER_FILE_PARTS {
                0 => (Some(handoff), None),
                _ => (None, Some(handoff)),
            },
            _ => (None, None),
        };
        let handed_over = Cell::new(false);
        let walked = || -> Result<Option<FileWalked>, Failure> {
            let (file, walk) = match verified {
                // The index read it to its end, checking every CRC: the same records.
                Some(file) => (file, walk.without_checksums()),
                None => (Arc::new(dir.open_file(name)?), walk),
            };
            if let Some(handoff) = takes_over {
                let len = file.bytes().len() as u64;
                // (Past the middle already, the first half reads on: no guess is made.)
                let start = (len >= least_halved && !handoff.passed(len / 2))
                    .then(|| file.guess_transaction_start(len / 2))
                    .flatten()
                    .filter(|&start| handoff.offer(start));
                let Some(start) = start else {
                    return Ok(None);
                };
                span.start = start;
            }
            let follows = files.get(file_of(i) + 1).copied();
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
                        worker.transaction(&mut text, txn, &problems)?;
                        listed.printed += 1;
                        if text.len() >= FILE_TEXT_PIECE
                            && !send(Piece::Text(std::mem::take(&mut text)))
                        {
                            return Ok(Flow::Stop);
                        }
                    }
                }
                if let (Some(handoff), Some(last)) = (hands_over, txn.fragments.last()) {
                    if handoff.hands_over_at(last.offset + u64::from(last.length)) {
                        handed_over.set(true);
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Continue)
            };
            let mut notice = |err| {
                send(Piece::Notice(err));
            };
            let place = FilePlace {
                name,
                file: &file,
                follows,
                span,
            };
            let mut walked =
                walk.walk_file::<Failure>(dir, place, &mut carried, &mut visit, &mut notice)?;
            // (The stop that hands the rest of the file over does not end the listing.)
            walked.stopped &= !handed_over.get();
            Ok(Some(walked))
        };
        let walked = walked();
        if !text.is_empty() {
            send(Piece::Text(text));
        }
        send(match walked {
            Ok(None) => Piece::Unused,
            Ok(Some(walked)) => Piece::End(Ok(FileListed {
                walked,
                carried,
                listed,
                handed_over: handed_over.get(),
            })),
            Err(failure) => Piece::End(Err(failure)),
        });
    };
    let list_items = || loop {
        // The lock is released before the item is walked.
        let next = next_items.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(ticket) = next else {
            return;
        };
        list_item(item_of_ticket(ticket, older_items));
    };
    std::thread::scope(|scope| {
        // `ready` may keep this thread busy (reading the index to its end): the last
        // thread starts once it returned, so that no more threads are busy than asked.
        let mut spread = Spread::from_here();
        for _ in 1..threads {
            spread.spawn(scope, list_items);
        }
        let mut written = || -> Result<Option<Listed>, Failure> {
            let Some(verified) = ready(out)? else {
                return Ok(None);
            };
            // (Spawned plainly: this thread writes from now on, mostly waiting, so the
            // last one may well start on its processor.)
            scope.spawn(list_items);
            // (No thread took an item of the newest file yet: their tickets are sent
            // below.)
            let verified = verified.filter(|v| v.name == files[newest]);
            let spans = newest_parts(verified.as_ref(), most_parts);
            for (part, span) in spans.iter().enumerate() {
                let mut slot = slots[older_items + part]
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if let Some(slot) = slot.as_mut() {
                    slot.verified = verified.as_ref().map(|v| Arc::clone(&v.file));
                    slot.span = span.clone();
                }
            }
            let items = older_items + spans.len();
            for item in (older_items..items).filter(|&item| item < window) {
                tickets.try_send(item).expect(
                    "room: the window holds `window` tickets, those of the newest held back",
                );
            }
            let mut item_written = |i: usize| {
                if i + window < items {
                    tickets.try_send(i + window).expect(
                        "room: the tickets of items up to i were taken, and it holds `window`",
                    );
                }
            };
            let json = printer.json.is_some();
            let problems = reading.problems;
            let receivers = &receivers[..items];
            write_files_in_order(
                walk,
                problems,
                receivers,
                older_items,
                json,
                &mut item_written,
                out,
            )
            .map(Some)
        };
        let written = written();
        // Threads waiting for an item see the window closed, threads still walking see
        // their next piece refused: all stop.
        drop(tickets);
        drop(receivers);
        written
    })
}

/// The spans of the newest file's parts: up to `most` parts of about equal size cut at
/// the transaction starts the index noted in it when it verified it, else the whole file.
fn newest_parts(verified: Option<&VerifiedFile>, most: usize) -> Vec<Range<u64>> {
    let whole = ThlFile::ALL_RECORDS;
    let Some(verified) = verified else {
        return vec![whole];
    };
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
}

/// The newest file, kept mapped by an index that read it checking CRCs (see
/// [`replog::thl::LogIndex::verified_file`]).
pub(super) type Verified = Option<VerifiedFile>;

/// What [`list_files_in_parallel`] calls before it writes anything: the newest file
/// the index verified, or None when the listing must not be written (nothing was).
/// It may write what comes before the listing to the output given.
type Ready<'r> = dyn FnMut(&mut dyn Write) -> Result<Option<Verified>, Failure> + 'r;

/// The writing side of [`list_files_in_parallel`]: each file's (or part's) pieces from
/// `receivers`, in order, until a walk stops or fails; `item_written` hears each one done.
fn write_files_in_order(
    walk: ThlWalk,
    problems: &Problems,
    receivers: &[mpsc::Receiver<Piece>],
    older_items: usize,
    json: bool,
    item_written: &mut dyn FnMut(usize),
    out: &mut impl Write,
) -> Result<Listed, Failure> {
    let mut carried = Carried::default();
    let mut total = Listed::default();
    // The item before handed the rest of its file over to this one (see `Handoff`).
    let mut handed_over = false;
    for (i, pieces) in receivers.iter().enumerate() {
        // Each item's JSON objects come without the separator before the first.
        let mut separate = json && total.printed > 0;
        // An older file's second half whose first half read on through it is dropped.
        let dropped = i < older_items && i % OLDER_FILE_PARTS != 0 && !handed_over;
        handed_over = false;
        loop {
            // (A thread sends its file's End whatever happens, unless it panicked.)
            let Ok(piece) = pieces.recv() else {
                return Err(Failure::Fatal("a listing thread ended early".into()));
            };
            if dropped {
                if matches!(piece, Piece::End(_) | Piece::Unused) {
                    item_written(i);
                    break;
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
                Piece::Text(text) => {
                    if std::mem::take(&mut separate) {
                        out.write_all(b",\n")?;
                    }
                    out.write_all(&text)?;
                }
                Piece::Notice(err) => problems.hear(err),
                Piece::Unused => {
                    return Err(Failure::Fatal(
                        "a file's second half was not listed where its first handed over".into(),
                    ))
                }
                Piece::End(end) => {
                    let FileListed {
                        walked,
                        carried: after,
                        listed,
                        handed_over: hands_over,
                    } = end?;
                    handed_over = hands_over;
                    total.printed += listed.printed;
                    total.examined = listed.examined.or(total.examined);
                    if walked.stopped {
                        return Ok(total);
                    }
                    walk.join(&mut carried, &walked, after, &mut |err| problems.hear(err))?;
                    item_written(i);
                    break;
                }
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_older_files_second_half_is_taken_before_its_first() {
        // Three older files (six halves), then two parts of the newest.
        let taken: Vec<usize> = (0..8).map(|ticket| item_of_ticket(ticket, 6)).collect();
        assert_eq!(taken, [1, 0, 3, 2, 5, 4, 6, 7]);
    }
}
