//! `thl list`: select transactions (spec 12) and print them (spec 13).
//!
//! Selection: a seqno range (`-low`/`-high`/`-seqno`, defaulting to the log's first and
//! last complete seqno) or one file (`-file`); then replog's filters `-shard` and
//! `-schema` (regular expressions matched against the whole name), then `-first N` /
//! `-last N` (the first/last N transactions that passed the filters).
//!
//! Here: the command and its serial paths, the binary logs listed as THL. [`choice`]
//! decides what is printed and [`printer`] prints it; on threads, [`files`] cuts the
//! files into parts, each listed on a thread.

mod choice;
mod files;
mod pieces;
mod printer;

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;

use replog::thl::{Event, Record};
use replog::txn::binlog::walk_transactions;
use replog::txn::{OwnedTransaction, Transaction};
use replog::Flow;
use replog_render::charset::Charset;
use replog_render::Style;

use super::{binlogs, open_log_start, other_format, zone, Log, LogStart, Problems};
use crate::args::{Format, Invocation, ListArgs};
use crate::failure::{notice, Failure};

use choice::{last_seqnos, Choice, Filters, PendingHigh, Selection, Verdict};
use files::{list_files_in_parallel, Cutting, Listed, Reading, Verified};
use printer::Printer;
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
        first: args.first,
    };
    let files = selection.files(log.index.entries());
    // With threads, each file is cut into parts walked (checked, decoded and printed)
    // on the threads, the text written in order (see `files`): the header forms in
    // halves of each file (a few parts of the newest one, when the index verified it),
    // the forms that decode every payload in small parts of every file. A header
    // listing of one file the index did not verify is walked on this thread, only its
    // CRC checks on another. Permissive runs report damage as the walk meets it, so
    // they read and print serially.
    let threaded = args.threads > 1 && !log.problems.permissive();
    let cutting = match args.format {
        Format::Headers | Format::HeadersJson => Some(Cutting::Halves),
        Format::Full | Format::Sql => Some(Cutting::Small),
        Format::Nothing => None,
    }
    .filter(|_| threaded);
    let newest_verified = verified
        .as_ref()
        .is_some_and(|v| files == [v.name.as_str()]);
    let cutting =
        cutting.filter(|&cutting| cutting == Cutting::Small || files.len() > 1 || newest_verified);
    if let Some(cutting) = cutting {
        let reading = Reading {
            dir: &log.dir,
            options: log.options,
            problems: &log.problems,
            threads: args.threads,
            cutting,
        };
        let mut verified = verified;
        let mut ready = |_: &mut dyn Write| Ok(Some(verified.take()));
        let listed = list_files_in_parallel(reading, &files, &choice, &printer, &mut ready, out)?;
        let listed = listed.expect("a listing whose index was read before it is never redone");
        (printed, examined) = (listed.printed, listed.examined);
    } else {
        let check_ahead = args.threads > 1
            && !log.problems.permissive()
            && matches!(args.format, Format::Headers | Format::HeadersJson);
        log.walk_verified(files.iter().copied(), verified, check_ahead, &mut |txn| {
            match choice.judge(txn, &log.problems, &mut examined)? {
                Verdict::Skip => return Ok(Flow::Continue),
                Verdict::Stop => return Ok(Flow::Stop),
                Verdict::Print => {}
            }
            printer.transaction(out, txn, &log.problems)?;
            printed += 1;
            let done = choice.first.is_some_and(|n| printed >= n);
            Ok(if done { Flow::Stop } else { Flow::Continue })
        })?;
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
        first: None,
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
        threads: args.threads,
        cutting: Cutting::Halves,
    };
    let listed =
        list_files_in_parallel(reading, &names, &choice, &printer, &mut finish_index, out)?;
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
    for event in txn.events() {
        events.extend(problems.decode(event)?);
    }
    Ok(events)
}
