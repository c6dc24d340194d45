//! A mapped file read to its end by a strict index (see [`super::LogDir::index`]): on
//! the calling thread, or in parts on several threads when the directory says so (see
//! [`super::LogDir::scanning_in_parts`]).
//!
//! Records carry no marker a reader could find them by from the middle of a file, so
//! each part after the first starts at the first plausible record past its share's
//! start (see [`ThlFile::first_plausible_record`]), which could lie inside another
//! record's data (a BLOB holding THL, say). A part therefore counts only once the part
//! before it, read from where the file's records really are, ends exactly where it
//! starts; one that ran past that start means a wrong guess, and reading goes on from
//! there on the calling thread. Reading stops at the first damage in file order, as
//! a reader going through the file from its start would: what a later part found is
//! dropped. The outcome is that reader's, record for record.

use std::thread;

use crate::error::Error;
use crate::threads::Spread;

use super::file::{DamagedTail, ReadOptions, ThlFile, HEADER_LEN, SYNC_SEARCH_BYTES};
use super::record::{Record, RecordKind};

/// What reading a file (or a part of it) found.
#[derive(Debug)]
pub(super) struct Scanned {
    /// Seqno of the last record with `lastFrag`.
    pub(super) last_seqno: Option<i64>,
    /// Whether the last record read is a rotate record; None when none was read.
    pub(super) last_is_rotate: Option<bool>,
    pub(super) starts: StartsNoted,
    /// Where reading stopped: the file's length when it ends cleanly.
    pub(super) offset: u64,
    /// The damaged tail reading stopped at.
    pub(super) tail: Option<DamagedTail>,
}

impl Scanned {
    /// Nothing read yet of a file of `len` bytes, reading from offset `at`.
    fn from(at: u64, len: u64) -> Scanned {
        Scanned {
            last_seqno: None,
            last_is_rotate: None,
            starts: StartsNoted::spread_over(len, at),
            offset: at,
            tail: None,
        }
    }

    /// Takes in `record`, the next one read.
    fn note(&mut self, record: &Record<'_>) {
        self.starts.note(record);
        match &record.kind {
            RecordKind::Event(event) => {
                if event.header.last_frag {
                    self.last_seqno = Some(event.header.seqno);
                }
                self.last_is_rotate = Some(false);
            }
            RecordKind::Rotate(_) => self.last_is_rotate = Some(true),
            RecordKind::Unknown { .. } => {}
        }
    }

    /// This reading followed by `later`, which began where this one stopped.
    fn then(self, later: Scanned) -> Scanned {
        Scanned {
            last_seqno: later.last_seqno.or(self.last_seqno),
            last_is_rotate: later.last_is_rotate.or(self.last_is_rotate),
            starts: self.starts.then(later.starts),
            offset: later.offset,
            tail: later.tail,
        }
    }
}

/// Reads the records of `file` to its end, strictly (the first damage, or a record of
/// unknown type, is the error), in up to `parts` parts of at least `least_part_bytes`
/// each, each part but the first on a thread of its own.
pub(super) fn scan(
    file: &ThlFile,
    options: ReadOptions,
    parts: usize,
    least_part_bytes: u64,
) -> Result<Scanned, Error> {
    let len = file.bytes().len() as u64;
    let first = HEADER_LEN as u64;
    let records_len = len.saturating_sub(first);
    // As many parts as asked, as long as each is at least `least_part_bytes` long.
    let most_parts = usize::try_from(records_len / least_part_bytes.max(1)).unwrap_or(usize::MAX);
    let parts = parts.min(most_parts);
    let fresh = |at| Scanned::from(at, len);
    if parts <= 1 {
        return read_part(file, options, fresh(first), u64::MAX);
    }
    let share = records_len / parts as u64;
    // Part k reads from the first record at or past its share's start to the first
    // record at or past the next share's start, where the next part begins when its
    // guess is right. (Each guess is made on the part's own thread: past a large
    // record it may take a millisecond.)
    let shares: Vec<u64> = (0..parts as u64).map(|k| first + share * k).collect();
    let ends: Vec<u64> = shares[1..].iter().copied().chain([u64::MAX]).collect();
    let (read, later) = thread::scope(|scope| {
        let mut spread = Spread::from_here();
        let later: Vec<_> = shares[1..]
            .iter()
            .zip(&ends[1..])
            .map(|(&share, &end)| {
                spread.spawn(scope, move || {
                    let start = file.first_plausible_record(share, SYNC_SEARCH_BYTES)?;
                    Some((start, read_part(file, options, fresh(start), end)))
                })
            })
            .collect();
        let read = read_part(file, options, fresh(first), ends[0]);
        let later: Vec<_> = later
            .into_iter()
            .map(|part| {
                part.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        (read, later)
    });
    let mut whole = read?;
    // (A part without a record to begin at is read through by the one before.)
    for (start, read) in later.into_iter().flatten() {
        if whole.tail.is_none() && whole.offset < start {
            // The guess passed over records (damaged ones, say): read on to it.
            whole = read_part(file, options, whole, start)?;
        }
        if whole.tail.is_some() || whole.offset < start {
            // Reading stopped at a damaged tail before this part: so would a reader
            // going through the file.
            return Ok(whole);
        }
        if whole.offset > start {
            // This part starts inside a record: its reading was a wrong guess.
            return read_part(file, options, whole, u64::MAX);
        }
        whole = whole.then(read?);
    }
    if whole.tail.is_none() {
        whole = read_part(file, options, whole, u64::MAX)?;
    }
    Ok(whole)
}

/// Reads the records of `file` from `scanned.offset` on, until one starts at or past
/// `until` or they end.
fn read_part(
    file: &ThlFile,
    options: ReadOptions,
    mut scanned: Scanned,
    until: u64,
) -> Result<Scanned, Error> {
    let mut records = file.records_from(scanned.offset, options);
    while records.offset() < until {
        let Some(record) = records.next() else {
            break;
        };
        let record = record?;
        if let Some(err) = record.unknown_type_error() {
            return Err(err);
        }
        scanned.note(&record);
    }
    scanned.offset = records.offset();
    scanned.tail = records.damaged_tail();
    Ok(scanned)
}

/// Transaction starts noted in a file read to its end, spread over it (see
/// [`super::VerifiedFile::transaction_starts`]).
#[derive(Debug)]
pub(super) struct StartsNoted {
    /// Bytes between two offsets after which the next start is noted.
    spacing: u64,
    /// The next start noted is the first at or after this offset.
    next_at: u64,
    /// The seqno of the record before: a record of another begins a transaction.
    seqno_before: Option<i64>,
    /// A rotate record was read: readers stop there (spec 1.4), so no start after it
    /// is theirs.
    rotated: bool,
    pub(super) offsets: Vec<u64>,
}

impl StartsNoted {
    /// Starts are noted this many times in a file at most: enough for a reader to cut
    /// it into parts of about equal size, one for each of a few dozen threads or more.
    const MOST: u64 = 64;

    /// A noter of the starts in a file of `len` bytes read from offset `at` on.
    fn spread_over(len: u64, at: u64) -> StartsNoted {
        let spacing = (len / Self::MOST).max(1);
        StartsNoted {
            spacing,
            next_at: at.max(HEADER_LEN as u64) + spacing,
            seqno_before: None,
            rotated: false,
            offsets: Vec::new(),
        }
    }

    /// Notes `record` (the next one read) if it begins a transaction due to be noted.
    /// (The first record read is never noted: what comes before it is not known.)
    fn note(&mut self, record: &Record<'_>) {
        let seqno = match &record.kind {
            RecordKind::Event(event) => event.header.seqno,
            _ => {
                self.rotated = true;
                return;
            }
        };
        let begins = self.seqno_before.is_some_and(|before| before != seqno);
        if begins && record.offset >= self.next_at && !self.rotated {
            self.offsets.push(record.offset);
            self.next_at = record.offset.saturating_add(self.spacing);
        }
        self.seqno_before = Some(seqno);
    }

    /// These starts followed by those noted by `later`, which read on from here.
    fn then(mut self, later: StartsNoted) -> StartsNoted {
        if self.rotated {
            return self;
        }
        self.offsets.extend(later.offsets);
        StartsNoted {
            offsets: self.offsets,
            ..later
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::thl::writer::{frame_record, LogWriter, WriteOptions};
    use crate::thl::LogDir;

    use super::*;

    /// A directory of its own under the system's temporary one, removed when dropped.
    struct TempDir(std::path::PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir =
                std::env::temp_dir().join(format!("replog-scan-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Event record data (type byte onward) of fragment `fragno` of transaction
    /// `seqno`, the last when `last_frag`, `payload` after the fixed header (spec 3).
    fn event_data(seqno: i64, fragno: i16, last_frag: bool, payload: &[u8]) -> Vec<u8> {
        let mut data = vec![1];
        data.extend(seqno.to_be_bytes());
        data.extend(fragno.to_be_bytes());
        data.push(u8::from(last_frag));
        data.extend(7i64.to_be_bytes());
        for text in ["alpha", "mysql-bin.000001:0000000000000415;52254", "shop"] {
            data.extend((text.len() as u16).to_be_bytes());
            data.extend(text.as_bytes());
        }
        data.extend(1_700_000_000_000i64.to_be_bytes());
        data.extend(payload);
        data
    }

    /// A one-file log of `transactions` transactions of one to three fragments, whose
    /// payloads hold, every few transactions, a whole framed record of the log (with a
    /// CRC-32 that matches, and a seqno of the file): a guess at a part's start can
    /// land on one. Its file's path and bytes.
    fn write_log(dir: &Path, transactions: i64) -> (PathBuf, Vec<u8>) {
        let mut writer = LogWriter::create(dir, WriteOptions::default()).unwrap();
        for seqno in 0..transactions {
            let fragments = 1 + seqno % 3;
            for fragno in 0..fragments {
                let mut payload = vec![(seqno % 251) as u8; (seqno as usize * 37) % 300];
                if seqno % 5 == 2 {
                    let inner = event_data(seqno, 0, true, b"a record inside a record");
                    payload.extend(frame_record(&inner, true));
                }
                let last = fragno == fragments - 1;
                let data = event_data(seqno, fragno as i16, last, &payload);
                writer.append_data(seqno, fragno as i16, &data).unwrap();
            }
        }
        writer.finish().unwrap();
        let path = std::fs::read_dir(dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let bytes = std::fs::read(&path).unwrap();
        (path, bytes)
    }

    /// An index's entries (first and last seqno, rotate record at the end) or its
    /// error, and its notices.
    type Told = (Result<Vec<(i64, i64, bool)>, String>, Vec<String>);

    /// What an index of the log in `dir` tells, read serially or in `parts` parts.
    fn index_of(dir: &Path, parts: usize) -> Told {
        let log = LogDir::open(dir).unwrap().scanning_in_parts(parts, 1);
        let mut notices = Vec::new();
        let index = log.index_reporting(ReadOptions::default(), false, &mut |e| {
            notices.push(format!("{} {}", e.offset, e.kind))
        });
        let index = index
            .map(|index| {
                let starts = index
                    .verified_file(&index.entries()[0].file_name)
                    .map(|file| {
                        file.records(ReadOptions::default())
                            .map_while(|r| r.ok().map(|r| r.offset))
                            .collect::<Vec<_>>()
                    });
                let entries = index
                    .entries()
                    .iter()
                    .map(|e| (e.start_seqno, e.end_seqno, e.ends_with_rotate))
                    .collect();
                // (Every transaction start noted is a record's offset.)
                if let (Some(mut verified), Some(starts)) =
                    (index.clone().take_verified_file(), starts)
                {
                    let noted = std::mem::take(&mut verified.transaction_starts);
                    assert!(noted.iter().all(|at| starts.contains(at)), "{noted:?}");
                }
                entries
            })
            .map_err(|e| format!("{} {}", e.offset, e.kind));
        (index, notices)
    }

    #[test]
    fn parts_read_what_one_reader_reads_on_sound_and_damaged_files() {
        let tmp = TempDir::new("parts");
        let sound = tmp.path().join("sound");
        let (path, bytes) = write_log(&sound, 120);
        let name = path.file_name().unwrap();
        for parts in [2, 3, 7] {
            assert_eq!(
                index_of(&sound, parts),
                index_of(&sound, 1),
                "{parts} parts"
            );
        }
        let damaged = tmp.path().join("damaged");
        std::fs::create_dir(&damaged).unwrap();
        let mut copies = Vec::new();
        for at in (HEADER_LEN..bytes.len()).step_by(53) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x41;
            copies.push((format!("byte {at} flipped"), flipped));
            copies.push((format!("cut at {at}"), bytes[..at].to_vec()));
        }
        for (what, copy) in copies {
            std::fs::write(damaged.join(name), copy).unwrap();
            let serial = index_of(&damaged, 1);
            for parts in [2, 5] {
                assert_eq!(index_of(&damaged, parts), serial, "{what}, {parts} parts");
            }
        }
    }

    #[test]
    fn a_transaction_start_guessed_is_a_first_fragment_of_the_chain_or_of_a_payload() {
        let tmp = TempDir::new("first-fragment");
        let (path, bytes) = write_log(tmp.path(), 60);
        let file = ThlFile::open(&path).unwrap();
        let records: Vec<_> = file
            .records(ReadOptions::default())
            .map(|r| r.unwrap())
            .collect();
        let first_fragments: Vec<u64> = records
            .iter()
            .filter(|r| matches!(&r.kind, RecordKind::Event(e) if e.header.fragno == 0))
            .map(|r| r.offset)
            .collect();
        let starts: Vec<u64> = records.iter().map(|r| r.offset).collect();
        let (mut in_chain, mut inside) = (0, 0);
        for from in (HEADER_LEN as u64..bytes.len() as u64).step_by(7) {
            let Some(guess) = file.guess_transaction_start(from) else {
                continue;
            };
            assert!(guess >= from, "{guess} before {from}");
            if starts.contains(&guess) {
                // On the chain, only a first fragment is guessed.
                assert!(first_fragments.contains(&guess), "{guess} from {from}");
                in_chain += 1;
            } else {
                inside += 1;
            }
        }
        assert!(
            in_chain > 0 && inside > 0,
            "{in_chain} on the chain, {inside} inside"
        );
    }

    #[test]
    fn a_guess_inside_a_record_is_read_past() {
        let tmp = TempDir::new("guess");
        let (path, bytes) = write_log(tmp.path(), 60);
        let file = ThlFile::open(&path).unwrap();
        let starts: Vec<u64> = file
            .records(ReadOptions::default())
            .map(|r| r.unwrap().offset)
            .collect();
        // Every guess from the header on: some land inside a record, on the one its
        // payload holds.
        let inside = (HEADER_LEN as u64..bytes.len() as u64)
            .filter_map(|from| file.first_plausible_record(from, 1 << 20))
            .filter(|at| !starts.contains(at))
            .count();
        assert!(inside > 0, "the log holds records inside records");
        let whole = scan(&file, ReadOptions::default(), 1, 1).unwrap();
        for parts in 2..=9 {
            let read = scan(&file, ReadOptions::default(), parts, 1).unwrap();
            assert_eq!(
                (read.offset, read.last_seqno, read.last_is_rotate, read.tail),
                (
                    whole.offset,
                    whole.last_seqno,
                    whole.last_is_rotate,
                    whole.tail
                ),
                "{parts} parts"
            );
        }
    }
}
