//! `thl list`: select transactions (spec 12) and print them (spec 13).
//!
//! Selection: a seqno range (`-low`/`-high`/`-seqno`, defaulting to the log's first and
//! last complete seqno) or one file (`-file`); then replog's filters `-shard` and
//! `-schema` (regular expressions matched against the whole name), then `-first N` /
//! `-last N` (the first/last N transactions that passed the filters).

use std::cell::Cell;
use std::collections::{HashSet, VecDeque};
use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, OnceLock};

use regex::Regex;
use replog::thl::event::Change;
use replog::thl::{
    Event, IndexEntry, LogDir, LogIndex, ReadOptions, Record, Records, ThlFile, VerifiedFile,
};
use replog::threads::Spread;
use replog::txn::binlog::walk_transactions;
use replog::txn::thl::{Carried, FilePlace, FileWalked, ThlWalk};
use replog::txn::{OwnedTransaction, Transaction};
use replog::Flow;
use replog_render::charset::Charset;
use replog_render::json::JsonArray;
use replog_render::{full, headers, sql, Style};

use super::{
    binlogs, open_log_start, ordered, other_format, zone, Log, LogStart, Problems, Sharing,
};
use crate::args::{Format, Invocation, ListArgs};
use crate::failure::{notice, Failure};

/// Shard of a filtered-range placeholder (spec 8.1).
const UNKNOWN_SHARD: &str = "#UNKNOWN";

/// Runs `thl list`.
pub fn run(invocation: &Invocation, args: &ListArgs, out: &mut impl Write) -> Result<(), Failure> {
    if let (Some(low), Some(high)) = (args.range.low, args.range.high) {
        if low > high {
            return Err(Failure::Error(
                "Invalid range:  -low must be equal to or lower than -high value".into(),
            ));
        }
    }
    let filters = Filters::new(args)?;
    let style = Style {
        zone: zone(invocation),
        charset: charset(args.charset.as_deref()),
        hex: args.hex,
        specs: args.specs,
    };
    if !args.binlogs.is_empty() {
        return list_binlogs(invocation, args, &filters, style, out);
    }
    if let Some(name) = &args.file {
        if !name.starts_with("thl.data.") {
            // The name as given, or inside -dir: a binary log gets a pointer to `thl events`.
            let named = Path::new(name);
            let in_dir = invocation.source.dir.as_ref().map(|d| d.join(name));
            let hint = [Some(named.to_path_buf()), in_dir]
                .into_iter()
                .flatten()
                .find_map(|p| other_format::binlog_hint(&p));
            return Err(Failure::usage(format!(
                "File name must be a THL log file name like thl.data.0000000001{}",
                hint.unwrap_or_default()
            )));
        }
    }
    // The index reads the newest file to its end, with threads in parts on each (unless
    // the header listing starts meanwhile on the older files, see
    // `list_while_indexing`); permissive runs read serially, below.
    let batch_form = BatchForm::of(args.format);
    let index_threads = if invocation.permissive {
        1
    } else {
        args.threads
    };
    let start = open_log_start(invocation, index_threads)?;
    let mut log = if lists_while_indexing(invocation, args, &start) {
        match list_while_indexing(start, args, &filters, &style, out)? {
            Early::Listed(log, listed) => return conclude(&log, args, &filters, listed),
            Early::Redo(log) => log,
        }
    } else {
        start.finish()?
    };
    // (The newest file, kept mapped by a strict index that read it to its end.)
    let verified = log.index.take_verified_file();
    let selection = Selection::new(&log.dir, &log.index, args)?;
    let Some(selection) = selection else {
        notice("INFO No events found; log is empty");
        return Ok(());
    };

    let wanted = match args.last {
        Some(n) => Some(last_seqnos(&log, &selection, &filters, n)?),
        None => None,
    };
    let mut printer = Printer::begin(out, args.format, style.clone())?;
    let mut printed: u64 = 0;
    let mut examined = None;
    let choice = Choice {
        selection: &selection,
        filters: &filters,
        wanted: wanted.as_ref(),
        pending_high: None,
    };
    let files = selection.files(log.index.entries());
    // With threads, the full forms decode and render on `threads` threads, one of them
    // the walk's, which selects and checks CRCs as it reads (a thread of its own
    // checking ahead would touch every byte long before the thread that decodes it,
    // which then finds them out of its cache). The header forms print from the fixed
    // headers the walk reads anyway: their work is reading (the mapping's page faults,
    // CRCs, framing), so with several files each thread walks whole files, and parts of
    // the newest one the index verified; with one file that is not, only the CRC checks
    // leave the walk's thread. Permissive runs report damage as the walk meets it, so
    // they read and print serially.
    let threaded = args.threads > 1 && args.format != Format::Nothing && !log.problems.permissive();
    let render_on_threads = threaded && batch_form.is_some();
    let newest_verified = verified
        .as_ref()
        .is_some_and(|v| files == [v.name.as_str()]);
    let files_on_threads = threaded
        && !render_on_threads
        && (files.len() > 1 || newest_verified)
        && args.first.is_none();
    if files_on_threads {
        let reading = Reading {
            dir: &log.dir,
            options: log.options,
            problems: &log.problems,
        };
        let mut verified = verified;
        let mut ready = |_: &mut dyn Write| Ok(Some(verified.take()));
        let listed = list_files_in_parallel(
            args.threads,
            reading,
            &files,
            &choice,
            &printer,
            &mut ready,
            out,
        )?;
        let listed = listed.expect("a listing whose index was read before it is never redone");
        (printed, examined) = (listed.printed, listed.examined);
    } else {
        let mut verified = verified;
        let mut walk = |print: &mut PrintTransaction<'_>| {
            let verified = verified.take();
            let sharing = Sharing {
                check_ahead: threaded && !render_on_threads,
                visitor_keeps_files: render_on_threads,
            };
            log.walk_sharing_files(
                files.iter().copied(),
                verified,
                sharing,
                &mut |file, txn| {
                    match choice.judge(txn, &log.problems, &mut examined)? {
                        Verdict::Skip => return Ok(Flow::Continue),
                        Verdict::Stop => return Ok(Flow::Stop),
                        Verdict::Print => {}
                    }
                    print(file, txn)?;
                    printed += 1;
                    let done = args.first.is_some_and(|n| printed >= n);
                    Ok(if done { Flow::Stop } else { Flow::Continue })
                },
            )
        };
        if let Some(form) = batch_form.filter(|_| render_on_threads) {
            print_in_parallel(args.threads, form, &style, out, &mut walk)?;
        } else {
            walk(&mut |_, txn| printer.transaction(out, txn, &log.problems))?;
        }
    }
    let json = printer.end(out)?;
    let listed = Concluded {
        selection,
        listed: Listed { printed, examined },
        json,
    };
    conclude(&log, args, &filters, listed)
}

/// How a listing ended, for [`conclude`].
struct Concluded {
    selection: Selection,
    listed: Listed,
    /// The output was a JSON array.
    json: bool,
}

/// The end of a listing: what an empty one means, and the run's verdict.
fn conclude(log: &Log, args: &ListArgs, filters: &Filters, end: Concluded) -> Result<(), Failure> {
    let Concluded {
        selection,
        listed: Listed { printed, examined },
        json,
    } = end;
    // Like Tungsten, an empty `-file` listing or JSON array is not an error.
    if printed == 0 && !json && selection.file.is_none() {
        if filters.active() {
            return Err(Failure::Error(
                "No transactions match the -shard/-schema filters".into(),
            ));
        }
        let seqno = examined.or(args.range.low).unwrap_or(selection.low);
        // Tungsten's corner case: a log whose only transaction is unfinished (max -1).
        if seqno == 0 {
            notice("INFO No events found; log is empty");
            return log.problems.verdict();
        }
        return Err(Failure::Error(format!(
            "Unable to find sequence number: {seqno}"
        )));
    }
    log.problems.verdict()
}

/// Whether [`list_while_indexing`] lists this run: a strict header listing of the whole
/// log on threads, which has older files to list while the newest is indexed.
fn lists_while_indexing(invocation: &Invocation, args: &ListArgs, start: &LogStart) -> bool {
    let whole_log = args.range.low.is_none()
        && args.range.high.is_none()
        && args.file.is_none()
        && args.first.is_none()
        && args.last.is_none();
    let entries = start.partial.entries();
    args.threads > 1
        && !invocation.permissive
        && matches!(args.format, Format::Headers | Format::HeadersJson)
        && whole_log
        && entries.len() > 1
        && entries[0].start_seqno >= 0
}

/// What [`list_while_indexing`] did.
enum Early {
    /// The listing, done.
    Listed(Log, Concluded),
    /// Nothing was written: the index read to its end selects otherwise than the
    /// listing begun on its first part assumed (a damaged log's seqnos out of order).
    Redo(Log),
}

/// The header listing of the whole log (see [`lists_while_indexing`]) on threads that
/// start on the older files while this one reads the newest file to its end. Nothing
/// is written before the index is read (its damage fails the run before any output, as
/// the ordinary listing's does), and the threads judge transactions as the ordinary
/// listing would: every seqno up to the newest file's start lies below the log's last
/// one, any later one waits for the index to tell that last one, and the listing is
/// redone when the whole index selects otherwise than its first part did.
fn list_while_indexing(
    start: LogStart,
    args: &ListArgs,
    filters: &Filters,
    style: &Style,
    out: &mut impl Write,
) -> Result<Early, Failure> {
    let LogStart {
        dir,
        partial,
        options,
        problems,
    } = start;
    // The other threads walk the older files meanwhile: parts of the newest file read
    // on threads of their own would only take the cores from them.
    let dir = dir.scanning_in_parts(1, u64::MAX);
    let entries = partial.entries();
    let low = entries[0].start_seqno;
    let known_below = entries[entries.len() - 1].start_seqno.saturating_sub(1);
    let assumed = Selection {
        file: None,
        first_entry: 0,
        low,
        high: i64::MAX,
    };
    let pending = PendingHigh::new(known_below);
    let choice = Choice {
        selection: &assumed,
        filters,
        wanted: None,
        pending_high: Some(&pending),
    };
    let files: Vec<String> = entries.iter().map(|e| e.file_name.clone()).collect();
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    // (The JSON array's opening is written once the index is read.)
    let mut opening = Vec::new();
    let printer = Printer::begin(&mut opening, args.format, style.clone())?;
    let mut index = None;
    let mut partial = Some(partial);
    let mut finish_index = |out: &mut dyn Write| -> Result<Option<Verified>, Failure> {
        let finished = partial
            .take()
            .map(|p| p.finish(&dir, &mut |err| problems.hear(err)));
        let finished = match finished {
            Some(Ok(finished)) => finished,
            Some(Err(err)) => {
                // The threads waiting for the last seqno stop.
                pending.tell(i64::MIN);
                return Err(err.into());
            }
            None => return Ok(None),
        };
        let selection = Selection::new(&dir, &finished, args);
        let same = matches!(&selection, Ok(Some(s))
            if s.first_entry == 0 && s.low == low && s.high >= known_below);
        pending.tell(match &selection {
            Ok(Some(s)) => s.high,
            _ => i64::MIN,
        });
        let mut finished = finished;
        let verified = finished.take_verified_file();
        index = Some(finished);
        if !same {
            return Ok(None);
        }
        out.write_all(&opening)?;
        Ok(Some(verified))
    };
    let reading = Reading {
        dir: &dir,
        options,
        problems: &problems,
    };
    let listed = list_files_in_parallel(
        args.threads,
        reading,
        &names,
        &choice,
        &printer,
        &mut finish_index,
        out,
    )?;
    let index = index.expect("the listing reads the index to its end before it writes");
    let log = Log {
        dir,
        index,
        options,
        problems,
    };
    let Some(listed) = listed else {
        return Ok(Early::Redo(log));
    };
    let json = printer.end(out)?;
    let selection = Selection::new(&log.dir, &log.index, args)?
        .expect("the index selected what the listing assumed");
    Ok(Early::Listed(
        log,
        Concluded {
            selection,
            listed,
            json,
        },
    ))
}

/// Record bytes per batch of transactions rendered on one thread: enough that handing
/// batches around costs nothing, small enough that the batches in flight (the rendered
/// text of a full listing is a few times its records) stay within a few tens of MiB.
const BATCH_BYTES: u64 = 1 << 20;

/// Batches taken by the threads and not yet written, per thread: with two on a thread
/// of its own, the walk's thread (which renders a batch whenever the others have enough
/// waiting) seldom comes back from one to find the others idle.
const BATCHES_IN_FLIGHT_PER_THREAD: usize = 3;

/// What prints one selected transaction (found in the file given).
type PrintTransaction<'p> = dyn FnMut(&Arc<ThlFile>, &Transaction<'_>) -> Result<(), Failure> + 'p;

/// The listing's walk: selects the transactions and hands each to the printer given.
type SelectingWalk<'w> = dyn FnMut(&mut PrintTransaction<'_>) -> Result<(), Failure> + 'w;

/// A batch's text, and the failure that ended it (strict: the serial run ends there too,
/// after the same text).
type RenderedBatch = (String, Option<Failure>);

/// Records handed to a thread: where they are, not the records (the walk read and
/// checked them; the thread reads them again from the shared file mapping). A batch
/// ends after about [`BATCH_BYTES`] of records, inside a transaction if need be (each
/// record prints on its own), so a large transaction never makes a large batch.
#[derive(Default)]
struct Batch {
    /// Runs of records of one transaction: their file (in `files`), and their offsets
    /// as a range of `offsets`.
    runs: Vec<(usize, Range<usize>)>,
    /// The files of the runs, each once: the walk's thread counts a file in, the
    /// rendering thread out, so once per transaction would move the count between
    /// their processors every time.
    files: Vec<Arc<ThlFile>>,
    offsets: Vec<u64>,
    /// Bytes of the records.
    bytes: usize,
}

impl Batch {
    /// Adds the first of `records` (of one transaction, in `file`), and the next ones
    /// while the batch is under `limit` bytes; returns how many it took.
    fn take(&mut self, file: &Arc<ThlFile>, records: &[Record<'_>], limit: usize) -> usize {
        let start = self.offsets.len();
        for record in records {
            self.offsets.push(record.offset);
            self.bytes += record.length as usize;
            if self.bytes >= limit {
                break;
            }
        }
        if !self
            .files
            .last()
            .is_some_and(|last| Arc::ptr_eq(last, file))
        {
            self.files.push(Arc::clone(file));
        }
        let file_index = self.files.len() - 1;
        self.runs.push((file_index, start..self.offsets.len()));
        self.offsets.len() - start
    }
}

/// The forms whose text is rendered in batches on threads (see [`print_in_parallel`]):
/// a record's text takes decoding its payload, where the header forms print what the
/// walk already read.
#[derive(Clone, Copy)]
enum BatchForm {
    Full,
    Sql,
}

impl BatchForm {
    fn of(format: Format) -> Option<BatchForm> {
        match format {
            Format::Full => Some(BatchForm::Full),
            Format::Sql => Some(BatchForm::Sql),
            Format::Headers | Format::HeadersJson | Format::Nothing => None,
        }
    }
}

/// What renders the transactions of a batch: composed in the batch's text directly,
/// as it is written later anyway.
struct BatchPrinter {
    form: BatchForm,
    style: Style,
    full: full::Listing,
}

impl BatchPrinter {
    /// Appends `txn` to `text`.
    fn compose(
        &mut self,
        text: &mut String,
        txn: &Transaction<'_>,
        problems: &Problems,
    ) -> Result<(), Failure> {
        for record in &txn.fragments {
            let Some(event) = record.event() else {
                continue;
            };
            if let Some(decoded) = problems.decode(event)? {
                match self.form {
                    BatchForm::Full => self.full.push_event(text, &decoded, &self.style),
                    BatchForm::Sql => sql::push_event(text, &decoded),
                }
            }
        }
        Ok(())
    }
}

/// `list` (full or `-sql`, strict) with the printing on `threads` threads: `walk`
/// selects the transactions as the serial listing does and hands each to the printer
/// given; here that notes where it is in the current batch, batches are rendered on the
/// threads (the walk's among them) and written in order, so the output is the serial one
/// byte for byte. What the walk itself fails on comes after the text of every
/// transaction before it.
fn print_in_parallel(
    threads: usize,
    form: BatchForm,
    style: &Style,
    out: &mut impl Write,
    walk: &mut SelectingWalk<'_>,
) -> Result<(), Failure> {
    let batch_len = usize::try_from(super::piece_bytes(BATCH_BYTES)?).unwrap_or(usize::MAX);
    // Read again without checking CRCs: the walk checked them.
    let read_again = ReadOptions::default().no_checksum();
    // The texts written go back to the threads: a batch's text is about its records'
    // size, and a buffer of that size allocated afresh for each batch is memory the
    // kernel maps and zeroes again (and grows by copying when the text outgrows it).
    let spare_texts = Mutex::new(Vec::<String>::new());
    let render = |batch: Batch| -> RenderedBatch {
        // Strict, as the caller checked: the first record that does not decode fails.
        let problems = Problems::new(false);
        let mut printer = BatchPrinter {
            form,
            style: style.clone(),
            full: full::Listing::default(),
        };
        let spare = spare_texts.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut text = spare.unwrap_or_else(|| String::with_capacity(batch.bytes));
        for (file_index, records) in &batch.runs {
            let file = &batch.files[*file_index];
            let fragments = read_again_at(file, &batch.offsets[records.clone()], read_again);
            let printed = fragments.map_err(Failure::from).and_then(|fragments| {
                printer.compose(&mut text, &Transaction { fragments }, &problems)
            });
            if let Err(failure) = printed {
                return (text, Some(failure));
            }
        }
        // (A file this batch was the last to read closes here.)
        batch.files.into_iter().for_each(ThlFile::close);
        (text, None)
    };
    std::thread::scope(|scope| {
        let mut pool = ordered::Pool::start(
            scope,
            threads,
            threads * BATCHES_IN_FLIGHT_PER_THREAD,
            &render,
        );
        // The serial listing ends at a batch's failure (or the output's): what later
        // batches rendered, still in flight when the walk or the pool hears of it, is
        // dropped.
        let mut failed = false;
        let mut write = |(mut text, failure): RenderedBatch| -> Result<(), Failure> {
            if failed {
                return Ok(());
            }
            failed = true;
            out.write_all(text.as_bytes())?;
            text.clear();
            spare_texts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(text);
            failed = failure.is_some();
            failure.map_or(Ok(()), Err)
        };
        let mut batch = Batch::default();
        let walked = walk(&mut |file, txn| {
            let mut records = txn.fragments.as_slice();
            while !records.is_empty() {
                records = &records[batch.take(file, records, batch_len)..];
                if batch.bytes >= batch_len {
                    pool.submit(std::mem::take(&mut batch), &mut write)?;
                }
            }
            Ok(())
        });
        let written = || {
            if !batch.runs.is_empty() {
                pool.submit(std::mem::take(&mut batch), &mut write)?;
            }
            pool.finish(&mut write)
        };
        // A batch's failure comes from a transaction before anything the walk met.
        written().and(walked)
    })
}

/// The records of `file` at `offsets` (each a record the walk read there, in order),
/// read again. A transaction's records nearly always follow one another: each is read
/// on from the one before, and only one that does not follow is looked for anew.
fn read_again_at<'f>(
    file: &'f ThlFile,
    offsets: &[u64],
    options: ReadOptions,
) -> Result<Vec<Record<'f>>, replog::Error> {
    let mut records = Vec::with_capacity(offsets.len());
    let mut reader: Option<Records<'f>> = None;
    for &offset in offsets {
        let reader = match reader.take_if(|r| r.offset() == offset) {
            Some(following) => reader.insert(following),
            None => reader.insert(file.records_from(offset, options)),
        };
        // (There is one there: the walk read it.)
        if let Some(record) = reader.next() {
            records.push(record?);
        }
    }
    Ok(records)
}

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
struct Listed {
    printed: u64,
    /// The last seqno placed in or after the range.
    examined: Option<i64>,
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
fn list_files_in_parallel(
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
    let least_halved = super::piece_bytes(LEAST_HALVED_FILE_BYTES)?;
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
struct Reading<'a> {
    dir: &'a LogDir,
    options: ReadOptions,
    problems: &'a Problems,
}

/// The newest file, kept mapped by an index that read it checking CRCs (see
/// [`replog::thl::LogIndex::verified_file`]).
type Verified = Option<VerifiedFile>;

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

/// Which transactions a listing prints: those in the selected range that pass the
/// filters and, with `-last`, are among the last ones (`-first` is the caller's count).
struct Choice<'a> {
    selection: &'a Selection,
    filters: &'a Filters,
    wanted: Option<&'a HashSet<i64>>,
    /// The range's end while the index is still read (see [`list_while_indexing`]).
    pending_high: Option<&'a PendingHigh>,
}

/// The end of a whole-log range, the log's last seqno, known once the index is read to
/// the end of the newest file; a seqno up to `known_below` is taken to lie below it (as
/// [`list_while_indexing`] checks once it is known).
struct PendingHigh {
    known_below: i64,
    /// Once told: read by every transaction past `known_below` on every thread, so
    /// without a lock (a lock taken by each would move between the processors).
    high: OnceLock<i64>,
    waiting: Mutex<()>,
    told: Condvar,
}

impl PendingHigh {
    fn new(known_below: i64) -> PendingHigh {
        PendingHigh {
            known_below,
            high: OnceLock::new(),
            waiting: Mutex::new(()),
            told: Condvar::new(),
        }
    }

    /// Tells the threads waiting the range's end (once: later calls change nothing).
    fn tell(&self, high: i64) {
        let _waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let _ = self.high.set(high);
        self.told.notify_all();
    }

    /// The range's end, once told.
    fn wait(&self) -> i64 {
        if let Some(&high) = self.high.get() {
            return high;
        }
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(&high) = self.high.get() {
                return high;
            }
            waiting = self.told.wait(waiting).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// What [`Choice::judge`] says of a transaction.
enum Verdict {
    Skip,
    Print,
    /// The transaction lies past the range: the listing ends.
    Stop,
}

impl Choice<'_> {
    /// Judges one transaction, noting its seqno in `examined` when it lies in or after
    /// the range.
    fn judge(
        &self,
        txn: &Transaction<'_>,
        problems: &Problems,
        examined: &mut Option<i64>,
    ) -> Result<Verdict, Failure> {
        let Some(seqno) = txn.seqno() else {
            return Ok(Verdict::Skip);
        };
        if let Some(pending) = self.pending_high.filter(|p| seqno > p.known_below) {
            if seqno > pending.wait() {
                *examined = Some(seqno);
                return Ok(Verdict::Stop);
            }
        }
        match self.selection.place(txn, seqno, problems)? {
            Place::Before => return Ok(Verdict::Skip),
            Place::After => {
                *examined = Some(seqno);
                return Ok(Verdict::Stop);
            }
            Place::Inside => *examined = Some(seqno),
        }
        if !self.filters.matches(txn, problems)? {
            return Ok(Verdict::Skip);
        }
        if self.wanted.is_some_and(|w| !w.contains(&seqno)) {
            return Ok(Verdict::Skip);
        }
        Ok(Verdict::Print)
    }
}

/// `list -file BINLOG…`: binary logs shown as the THL `extract` would write from them,
/// seqnos assigned on the fly (`-low`/`-high`/`-seqno` address them).
fn list_binlogs(
    invocation: &Invocation,
    args: &ListArgs,
    filters: &Filters,
    style: Style,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let files = binlogs::files(&args.binlogs)?;
    let service = invocation
        .source
        .service
        .as_deref()
        .unwrap_or(binlogs::DEFAULT_SERVICE);
    let options = binlogs::extract_options(invocation, &args.tagging, service, None);
    let problems = Problems::new(invocation.permissive);
    let (low, high) = (
        args.range.low.unwrap_or(i64::MIN),
        args.range.high.unwrap_or(i64::MAX),
    );
    let keep_last = args.last.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut last: VecDeque<OwnedTransaction> = VecDeque::new();
    let mut printer = Printer::begin(out, args.format, style)?;
    let mut printed: u64 = 0;
    walk_transactions(
        &files,
        binlogs::stream(invocation)?,
        options,
        &mut |txn| -> Result<Flow, Failure> {
            let Some(seqno) = txn.seqno() else {
                return Ok(Flow::Continue);
            };
            if seqno < low {
                return Ok(Flow::Continue);
            }
            if seqno > high {
                return Ok(Flow::Stop);
            }
            if !filters.matches(txn, &problems)? {
                return Ok(Flow::Continue);
            }
            if let Some(n) = keep_last {
                if last.len() == n {
                    last.pop_front();
                }
                last.push_back(OwnedTransaction {
                    fragments: txn.fragments.iter().map(Record::to_owned_record).collect(),
                });
                return Ok(Flow::Continue);
            }
            printer.transaction(out, txn, &problems)?;
            printed += 1;
            let done = args.first.is_some_and(|n| printed >= n);
            Ok(if done { Flow::Stop } else { Flow::Continue })
        },
        &mut |err| problems.hear(err),
    )?;
    for owned in &last {
        printer.transaction(out, &owned.transaction()?, &problems)?;
        printed += 1;
    }
    let json = printer.end(out)?;
    if printed == 0 && !json {
        if filters.active() {
            return Err(Failure::Error(
                "No transactions match the -shard/-schema filters".into(),
            ));
        }
        if let Some(low) = args.range.low {
            return Err(Failure::Error(format!(
                "Unable to find sequence number: {low}"
            )));
        }
        notice("INFO No transactions found in the binary logs");
    }
    problems.verdict()
}

/// `-charset`, or None with Tungsten's notice when Java would not know the name.
fn charset(name: Option<&str>) -> Option<Charset> {
    let name = name?;
    let found = Charset::from_java_name(name);
    if found.is_none() {
        notice(format_args!("Unsupported charset {name}. Using default."));
    }
    found
}

/// Decodes every record of a transaction (leaving out, when permissive, those that do
/// not decode).
fn decode_all<'a>(txn: &Transaction<'a>, problems: &Problems) -> Result<Vec<Event<'a>>, Failure> {
    let mut events = Vec::with_capacity(txn.fragments.len());
    for event in txn.fragments.iter().filter_map(Record::event) {
        events.extend(problems.decode(event)?);
    }
    Ok(events)
}

/// Where a transaction lies relative to the selected range.
enum Place {
    Before,
    Inside,
    After,
}

/// The files to read and the seqno range to print.
struct Selection {
    /// Name of the one file of `-file`, else the index position of the first file.
    file: Option<String>,
    first_entry: usize,
    low: i64,
    high: i64,
}

impl Selection {
    /// None when the log is empty and no range was asked for (Tungsten's "log is
    /// empty" case, a success).
    fn new(dir: &LogDir, index: &LogIndex, args: &ListArgs) -> Result<Option<Selection>, Failure> {
        if let Some(name) = &args.file {
            let Some(found) = dir.find_file(name) else {
                return Err(Failure::Error(format!("File not found: {name}")));
            };
            return Ok(Some(Selection {
                file: Some(found.to_string()),
                first_entry: 0,
                low: i64::MIN,
                high: i64::MAX,
            }));
        }
        let low = args.range.low.unwrap_or(index.min_seqno());
        let high = args.range.high.unwrap_or(index.max_seqno());
        let Some(entry) = index.find(low) else {
            if low == index.min_seqno() {
                return Ok(None);
            }
            return Err(Failure::Error(format!(
                "Unable to find sequence number: {low}"
            )));
        };
        let first_entry = index
            .entries()
            .iter()
            .position(|e| e.file_name == entry.file_name)
            .unwrap_or(0);
        Ok(Some(Selection {
            file: None,
            first_entry,
            low,
            high,
        }))
    }

    fn files<'l>(&'l self, entries: &'l [IndexEntry]) -> Vec<&'l str> {
        match &self.file {
            Some(name) => vec![name.as_str()],
            None => entries
                .iter()
                .skip(self.first_entry)
                .map(|e| e.file_name.as_str())
                .collect(),
        }
    }

    /// A transaction below `low` is still listed when it is the filtered placeholder
    /// whose range covers `low` (spec 8.1: `-seqno 4` prints the record for 3..5).
    fn place(
        &self,
        txn: &Transaction<'_>,
        seqno: i64,
        problems: &Problems,
    ) -> Result<Place, Failure> {
        if seqno > self.high {
            return Ok(Place::After);
        }
        if seqno >= self.low {
            return Ok(Place::Inside);
        }
        let [record] = &txn.fragments[..] else {
            return Ok(Place::Before);
        };
        let Some(event) = record.event() else {
            return Ok(Place::Before);
        };
        if event.header.shard_id.text() != UNKNOWN_SHARD {
            return Ok(Place::Before);
        }
        let Some(decoded) = problems.decode(event)? else {
            return Ok(Place::Before);
        };
        let covers =
            decoded.is_filtered() && decoded.header.seqno_end.is_some_and(|end| end >= self.low);
        Ok(if covers { Place::Inside } else { Place::Before })
    }
}

/// `-shard` and `-schema`.
struct Filters {
    shard: Option<Regex>,
    schema: Option<Regex>,
}

impl Filters {
    fn new(args: &ListArgs) -> Result<Filters, Failure> {
        let compile = |option: &str, pattern: &Option<String>| {
            pattern
                .as_ref()
                .map(|p| {
                    Regex::new(&format!("^(?:{p})$"))
                        .map_err(|e| Failure::usage(format!("Invalid -{option} expression: {e}")))
                })
                .transpose()
        };
        Ok(Filters {
            shard: compile("shard", &args.shard)?,
            schema: compile("schema", &args.schema)?,
        })
    }

    fn active(&self) -> bool {
        self.shard.is_some() || self.schema.is_some()
    }

    /// Shard: the fixed header's shard id of the first fragment. Schema: any statement's
    /// default schema, row change's schema or LOAD DATA database in any fragment.
    fn matches(&self, txn: &Transaction<'_>, problems: &Problems) -> Result<bool, Failure> {
        if let Some(shard) = &self.shard {
            let id = txn.first().map(|h| h.shard_id.text());
            if !id.is_some_and(|id| shard.is_match(id)) {
                return Ok(false);
            }
        }
        let Some(schema) = &self.schema else {
            return Ok(true);
        };
        for event in decode_all(txn, problems)? {
            for change in &event.body.changes {
                let found = match change {
                    Change::Statement(s) => s.default_schema.is_some_and(|n| schema.is_match(n)),
                    Change::FileQuery(q) => q
                        .statement
                        .default_schema
                        .is_some_and(|n| schema.is_match(n)),
                    Change::FileFragment(f) => f.database.is_some_and(|n| schema.is_match(n)),
                    Change::Rows(r) => r.row_changes.iter().any(|c| schema.is_match(c.schema_name)),
                    _ => false,
                };
                if found {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

/// First pass of `-last N`: the seqnos of the last N selected transactions.
fn last_seqnos(
    log: &Log,
    selection: &Selection,
    filters: &Filters,
    n: u64,
) -> Result<HashSet<i64>, Failure> {
    let cap = usize::try_from(n).unwrap_or(usize::MAX);
    let mut last: VecDeque<i64> = VecDeque::new();
    log.walk_transactions(selection.files(log.index.entries()), &mut |txn| {
        let Some(seqno) = txn.seqno() else {
            return Ok(Flow::Continue);
        };
        match selection.place(txn, seqno, &log.problems)? {
            Place::Before => return Ok(Flow::Continue),
            Place::After => return Ok(Flow::Stop),
            Place::Inside => {}
        }
        if cap > 0 && filters.matches(txn, &log.problems)? {
            if last.len() == cap {
                last.pop_front();
            }
            last.push_back(seqno);
        }
        Ok(Flow::Continue)
    })?;
    Ok(last.into_iter().collect())
}

/// Prints transactions in the chosen format.
struct Printer {
    format: Format,
    style: Style,
    json: Option<JsonArray>,
    full: full::Listing,
    /// A `-sql` event's text, composed before it is written.
    sql_text: String,
}

impl Printer {
    fn begin(out: &mut impl Write, format: Format, style: Style) -> Result<Printer, Failure> {
        let json = match format {
            Format::HeadersJson => Some(JsonArray::begin(out)?),
            _ => None,
        };
        Ok(Printer {
            format,
            style,
            json,
            full: full::Listing::default(),
            sql_text: String::new(),
        })
    }

    fn transaction(
        &mut self,
        out: &mut impl Write,
        txn: &Transaction<'_>,
        problems: &Problems,
    ) -> Result<(), Failure> {
        for record in &txn.fragments {
            let Some(event) = record.event() else {
                continue;
            };
            match self.format {
                Format::Headers => headers::write_tab(out, &event.header, &self.style.zone)?,
                Format::HeadersJson => {
                    if let Some(json) = &mut self.json {
                        json.item(out, &event.header, &self.style.zone)?;
                    }
                }
                Format::Nothing => {}
                Format::Full => {
                    if let Some(decoded) = problems.decode(event)? {
                        self.full.write_event(out, &decoded, &self.style)?;
                    }
                }
                Format::Sql => {
                    if let Some(decoded) = problems.decode(event)? {
                        self.sql_text.clear();
                        sql::push_event(&mut self.sql_text, &decoded);
                        out.write_all(self.sql_text.as_bytes())?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A printer of the same form for a thread printing part of the listing (a JSON
    /// array's objects without the separator before the first).
    fn for_thread(&self) -> Printer {
        Printer {
            format: self.format,
            style: self.style.clone(),
            json: self.json.as_ref().map(|_| JsonArray::default()),
            full: full::Listing::default(),
            sql_text: String::new(),
        }
    }

    /// Closes the JSON array; tells whether the output was JSON.
    fn end(self, out: &mut impl Write) -> Result<bool, Failure> {
        match self.json {
            Some(json) => {
                json.end(out)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
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
