//! The full and `-sql` listings on threads: transactions gathered in batches, each
//! rendered on a thread into its own text, the texts written in order.

use std::io::Write;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use replog::thl::{ReadOptions, Record, Records, ThlFile};
use replog::txn::Transaction;
use replog_render::{full, sql, Style};

use crate::args::Format;
use crate::commands::{ordered, Problems};
use crate::failure::Failure;
/// Record bytes per batch of transactions rendered on one thread: enough that handing
/// batches around costs nothing, small enough that the batches in flight (the rendered
/// text of a full listing is a few times its records) stay within a few tens of MiB.
const BATCH_BYTES: u64 = 1 << 20;

/// Batches taken by the threads and not yet written, per thread: with two on a thread
/// of its own, the walk's thread (which renders a batch whenever the others have enough
/// waiting) seldom comes back from one to find the others idle.
const BATCHES_IN_FLIGHT_PER_THREAD: usize = 3;

/// What prints one selected transaction (found in the file given).
pub(super) type PrintTransaction<'p> =
    dyn FnMut(&Arc<ThlFile>, &Transaction<'_>) -> Result<(), Failure> + 'p;

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
pub(super) enum BatchForm {
    Full,
    Sql,
}

impl BatchForm {
    pub(super) fn of(format: Format) -> Option<BatchForm> {
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
        for event in txn.events() {
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
pub(super) fn print_in_parallel(
    threads: usize,
    form: BatchForm,
    style: &Style,
    out: &mut impl Write,
    walk: &mut SelectingWalk<'_>,
) -> Result<(), Failure> {
    let batch_len =
        usize::try_from(crate::commands::piece_bytes(BATCH_BYTES)?).unwrap_or(usize::MAX);
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
