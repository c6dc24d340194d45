//! Damaged logs: copies of the fixtures cut short, with flipped bytes or broken fields
//! (written to temporary directories, never to the fixture directory), as README
//! section 3 suggests, and the error each must give (spec 3.2, 4, 9).

mod thl_common;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use replog::input::{LogBytes, OpenOptions};
use replog::thl::{
    DamagedTail, JavaStr, LogDir, LogIndex, ReadOptions, RecordHeader, RecordKind, TailPolicy,
    ThlError, ThlFile,
};
use replog::txn::thl::ThlWalk;
use replog::txn::Transaction;
use replog::{Error, ErrorKind, Flow};
use replog_tests::shared_fixture;
use thl_common::{seqno_ranges, SYNTHETIC_RANGES};

const REAL: &str = "thl/tungsten-2.2.1/thl.data.0000000001";
const NOCRC: &str = "thl/synthetic-4.1.0-nocrc/thl.data.0000000001";

fn fixture_bytes(path: &str) -> Vec<u8> {
    std::fs::read(shared_fixture(path)).unwrap()
}

/// A log directory in a temp dir holding `files` (name, bytes).
fn temp_log(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    let path = tmp.path().to_path_buf();
    (tmp, path)
}

fn open_single(bytes: Vec<u8>) -> ThlFile {
    ThlFile::from_bytes(LogBytes::from_vec("damaged", bytes).unwrap()).unwrap()
}

fn read_all(file: &ThlFile, options: ReadOptions) -> Result<Vec<u64>, Error> {
    file.records(options).map(|r| r.map(|r| r.offset)).collect()
}

fn thl_kind(e: &Error) -> &ThlError {
    match &e.kind {
        ErrorKind::Thl(k) => k,
        other => panic!("not a THL error: {other:?}"),
    }
}

#[test]
fn truncated_last_record_is_its_own_variant_or_a_silent_end() {
    replog_tests::require_corpus!();
    // Cut the last record of 2.2.1 (offset 8986, length 231) after 100 bytes.
    let mut bytes = fixture_bytes(REAL);
    bytes.truncate(8986 + 100);
    let file = open_single(bytes.clone());
    let err = read_all(&file, ReadOptions::default()).unwrap_err();
    assert_eq!((err.file.as_str(), err.offset), ("damaged", 8986));
    assert_eq!(
        thl_kind(&err),
        &ThlError::Truncated {
            needed: 231,
            available: 100
        }
    );
    let mut records = file.records(ReadOptions::tungsten());
    assert_eq!(records.by_ref().count(), 9);
    assert_eq!(
        records.damaged_tail(),
        Some(DamagedTail::Truncated {
            offset: 8986,
            needed: 231,
            available: 100
        })
    );
    // Spec 3.2: a read-only opener reports the last seqno whose final fragment is
    // present: seqno 7 lost its last fragment, so the maximum is 6.
    let (_tmp, dir) = temp_log(&[("thl.data.0000000001", &bytes)]);
    let index = LogDir::open(&dir)
        .unwrap()
        .index(ReadOptions::default())
        .unwrap();
    assert_eq!((index.min_seqno(), index.max_seqno()), (0, 6));
}

#[test]
fn partial_length_field() {
    replog_tests::require_corpus!();
    let mut bytes = fixture_bytes(REAL);
    bytes.extend_from_slice(&[0, 0]);
    let file = open_single(bytes);
    let err = read_all(&file, ReadOptions::default()).unwrap_err();
    assert_eq!(err.offset, 9217);
    assert_eq!(
        thl_kind(&err),
        &ThlError::Truncated {
            needed: 4,
            available: 2
        }
    );
    assert_eq!(read_all(&file, ReadOptions::tungsten()).unwrap().len(), 10);
}

#[test]
fn flipped_byte_is_a_crc_mismatch_at_that_record() {
    replog_tests::require_corpus!();
    // Flip a data byte of the record at 2966 (seqno 3): CRC failure naming its offset.
    let mut bytes = fixture_bytes(REAL);
    bytes[2966 + 200] ^= 0x01;
    let file = open_single(bytes);
    let err = read_all(&file, ReadOptions::tungsten()).unwrap_err();
    assert_eq!(err.offset, 2966);
    let ThlError::CrcMismatch {
        crc_type,
        stored,
        computed,
    } = *thl_kind(&err)
    else {
        panic!("{err}")
    };
    assert_eq!(crc_type, 1);
    assert_ne!(stored, computed);
    assert_eq!(
        err.to_string(),
        format!(
            "damaged: at byte 2966: log record CRC failure: crc type=1 stored crc={stored} \
             computed crc={computed}"
        )
    );
    // The records before it were read; with -no-checksum the file reads to its end.
    let before: Vec<_> = file.records(ReadOptions::default()).take(3).collect();
    assert!(before.iter().all(Result::is_ok));
    assert_eq!(
        read_all(&file, ReadOptions::default().no_checksum())
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn flipped_stored_crc_and_crc_type() {
    replog_tests::require_corpus!();
    let mut bytes = fixture_bytes(REAL);
    bytes[820 + 8] ^= 0xFF; // last byte of the first record's CRC
    let err = read_all(&open_single(bytes), ReadOptions::default()).unwrap_err();
    assert!(matches!(thl_kind(&err), ThlError::CrcMismatch { .. }));
    assert_eq!(err.offset, 16);

    let mut bytes = fixture_bytes(REAL);
    bytes[820] = 7; // CRC type
    let err = read_all(&open_single(bytes.clone()), ReadOptions::default()).unwrap_err();
    assert_eq!(thl_kind(&err), &ThlError::InvalidCrcType { crc_type: 7 });
    assert_eq!(err.offset, 16);
    assert!(read_all(&open_single(bytes), ReadOptions::default().no_checksum()).is_ok());

    // CRC type 0: the stored value must be 0 (spec 3).
    let mut bytes = fixture_bytes(NOCRC);
    bytes[16 + 356 - 1] = 1;
    let err = read_all(&open_single(bytes), ReadOptions::default()).unwrap_err();
    assert_eq!(
        thl_kind(&err),
        &ThlError::CrcMismatch {
            crc_type: 0,
            stored: 1,
            computed: 0
        }
    );
}

#[test]
fn invalid_record_lengths() {
    replog_tests::require_corpus!();
    for length in [0i32, 12, -1, 1_000_000_001] {
        let mut bytes = fixture_bytes(REAL);
        bytes[829..833].copy_from_slice(&length.to_be_bytes());
        let file = open_single(bytes);
        let err = read_all(&file, ReadOptions::default()).unwrap_err();
        assert_eq!(err.offset, 829);
        assert_eq!(thl_kind(&err), &ThlError::BadRecordLength { length });
        let mut records = file.records(ReadOptions::tungsten());
        assert_eq!(records.by_ref().count(), 1);
        assert_eq!(
            records.damaged_tail(),
            Some(DamagedTail::BadLength {
                offset: 829,
                length
            })
        );
    }
}

#[test]
fn unknown_record_type_is_kept() {
    replog_tests::require_corpus!();
    // The no-CRC log lets the type byte change without a CRC failure.
    let mut bytes = fixture_bytes(NOCRC);
    bytes[16 + 4] = 9;
    let file = open_single(bytes);
    let first = file
        .records(ReadOptions::default())
        .next()
        .unwrap()
        .unwrap();
    assert!(matches!(first.kind, RecordKind::Unknown { record_type: 9 }));
    assert_eq!(
        ThlError::UnknownRecordType { record_type: 9 }.to_string(),
        "unable to extract a valid record type; expected 1 or 2, found 9"
    );
}

#[test]
fn damaged_protobuf_names_the_offset() {
    replog_tests::require_corpus!();
    // Break the Header message's length prefix of the first no-CRC record: with its
    // continuation bit set it becomes a two-byte varint (with the next byte, 0x08 = the
    // seqno tag) of 0x7F + (8 << 7) = 1151 bytes, more than the record holds.
    let bytes = fixture_bytes(NOCRC);
    let file = open_single(bytes.clone());
    let first = file
        .records(ReadOptions::default())
        .next()
        .unwrap()
        .unwrap();
    let payload_at = first.event().unwrap().payload_offset as usize;
    let mut damaged = bytes;
    assert_eq!(damaged[payload_at + 1], 0x08);
    damaged[payload_at] = 0xFF;
    let file = open_single(damaged);
    let first = file
        .records(ReadOptions::default())
        .next()
        .unwrap()
        .unwrap();
    let err = first.event().unwrap().decode().unwrap_err();
    assert_eq!(err.offset, payload_at as u64 + 2, "{err}");
    let ThlError::Protobuf { message, expected } = thl_kind(&err) else {
        panic!("{err}")
    };
    assert_eq!(*message, "Header");
    assert!(expected.contains("1151 bytes"), "{expected}");
}

#[test]
fn java_serialized_payload_is_named() {
    // Spec 9: a payload starting with the Java stream magic AC ED 00 05.
    let header = RecordHeader {
        seqno: 1,
        fragno: 0,
        last_frag: true,
        epoch: 0,
        source_id: JavaStr::encode("db").unwrap(),
        event_id: JavaStr::encode("x:1;1").unwrap(),
        shard_id: JavaStr::encode("s").unwrap(),
        source_tstamp: 0,
    };
    let mut data = Vec::new();
    header.encode(&mut data);
    data.extend_from_slice(&[0xAC, 0xED, 0x00, 0x05, 0x73, 0x72]);
    let mut bytes = replog::thl::FileHeader::encode(-1).to_vec();
    bytes.extend(replog::thl::writer::frame_record(&data, true));
    let file = open_single(bytes);
    let record = file
        .records(ReadOptions::default())
        .next()
        .unwrap()
        .unwrap();
    let event = record.event().unwrap();
    assert!(event.is_java_serialized());
    let err = event.decode().unwrap_err();
    assert_eq!(thl_kind(&err), &ThlError::JavaSerialized);
    assert_eq!(err.offset, event.payload_offset);
    assert!(err.to_string().contains("Java-serialization"), "{err}");
}

#[test]
fn bad_headers() {
    replog_tests::require_corpus!();
    let mut bytes = fixture_bytes(REAL);
    bytes[0] = 0;
    let err = ThlFile::from_bytes(LogBytes::from_vec("f", bytes).unwrap()).unwrap_err();
    assert_eq!(thl_kind(&err), &ThlError::BadMagic { found: 0x0001_CAFE });

    let mut bytes = fixture_bytes(REAL);
    bytes[5] = 2;
    let err = ThlFile::from_bytes(LogBytes::from_vec("f", bytes).unwrap()).unwrap_err();
    assert_eq!(
        thl_kind(&err),
        &ThlError::IncompatibleVersion { major: 2, minor: 1 }
    );
}

#[test]
fn short_files_in_a_directory() {
    replog_tests::require_corpus!();
    // Spec 1.3: a file shorter than the header is ignored when last, fatal elsewhere.
    let real = fixture_bytes(REAL);
    let (_tmp, dir) = temp_log(&[
        ("thl.data.0000000001", &real),
        ("thl.data.0000000002", &real[..10]),
    ]);
    let index = LogDir::open(&dir)
        .unwrap()
        .index(ReadOptions::default())
        .unwrap();
    assert_eq!(index.entries().len(), 1);
    assert_eq!(index.max_seqno(), 7);
    // Ignored, but said (a notice, in strict mode too).
    let mut heard = Vec::new();
    LogDir::open(&dir)
        .unwrap()
        .index_reporting(ReadOptions::default(), false, &mut |e| heard.push(e))
        .unwrap();
    let [notice] = &heard[..] else {
        panic!("one notice expected: {heard:?}")
    };
    assert!(notice.file.ends_with("thl.data.0000000002"), "{notice}");
    assert_eq!(thl_kind(notice), &ThlError::ShortHeader { len: 10 });

    let (_tmp, dir) = temp_log(&[
        ("thl.data.0000000001", &real[..10]),
        ("thl.data.0000000002", &real),
    ]);
    let err = LogDir::open(&dir)
        .unwrap()
        .index(ReadOptions::default())
        .unwrap_err();
    assert_eq!(
        thl_kind(&err),
        &ThlError::InvalidLogFileHeader {
            name: "thl.data.0000000001".into()
        }
    );
}

#[test]
fn fresh_log_and_empty_directory() {
    // Spec 1.3: only a fresh first file (header with base -1): min = max = -1.
    let header = replog::thl::FileHeader::encode(-1);
    let (_tmp, dir) = temp_log(&[("thl.data.0000000001", &header), ("disklog.lck", b"")]);
    let log = LogDir::open(&dir).unwrap();
    assert_eq!(log.file_names(), ["thl.data.0000000001"]);
    let index = log.index(ReadOptions::default()).unwrap();
    assert_eq!((index.min_seqno(), index.max_seqno()), (-1, -1));

    let (_tmp, dir) = temp_log(&[("disklog.lck", b"")]);
    let err = LogDir::open(&dir).unwrap_err();
    assert_eq!(thl_kind(&err), &ThlError::NoLogFiles);
}

#[test]
fn gzipped_files_read_transparently() {
    replog_tests::require_corpus!();
    use std::io::Write;
    let fixture = LogDir::open(&shared_fixture("thl/synthetic-4.1.0")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for name in fixture.file_names() {
        let bytes = std::fs::read(fixture.file_path(name)).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).unwrap();
        std::fs::write(tmp.path().join(format!("{name}.gz")), gz.finish().unwrap()).unwrap();
    }
    let log = LogDir::open(tmp.path()).unwrap();
    let index = log.index(ReadOptions::default()).unwrap();
    assert_eq!(seqno_ranges(&index), SYNTHETIC_RANGES);
    index.check_sequence(&log).unwrap();
    assert_eq!(
        log.rotate_target("thl.data.0000000001.gz", 2).unwrap(),
        "thl.data.0000000002.gz"
    );
    for name in fixture.file_names() {
        let plain = fixture.open_file(name).unwrap();
        let gz = log.open_file(&format!("{name}.gz")).unwrap();
        assert_eq!(plain.bytes(), gz.bytes());
    }

    // The index streams `.gz` files: with an in-memory limit of one header, no file can
    // be opened whole, yet the index is the same (README 2: files 1..3 end in a rotate
    // record).
    let header_only = OpenOptions { max_in_memory: 16 };
    let log = LogDir::open(tmp.path())
        .unwrap()
        .with_open_options(header_only);
    let index = log.index(ReadOptions::default()).unwrap();
    let facts: Vec<_> = index
        .entries()
        .iter()
        .map(|e| (e.start_seqno, e.end_seqno, e.ends_with_rotate))
        .collect();
    assert_eq!(
        facts,
        [(0, 2, true), (3, 11, true), (12, 18, true), (19, 22, false)]
    );
    let err = log.open_file("thl.data.0000000004.gz").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: at byte 16: gzip stream inflates to more than the 16-byte in-memory limit; \
             expected a smaller input: decompress it to a file first (files are mapped, not \
             held in memory)",
            tmp.path().join("thl.data.0000000004.gz").display()
        )
    );
}

#[test]
fn streamed_gz_index_matches_the_mapped_one_on_damaged_files() {
    replog_tests::require_corpus!();
    // The `.gz` path of the index reads records from a stream; the plain path from a
    // mapping. Cut and corrupted copies must give both the same answer (or error).
    use std::io::Write;
    let fixture = LogDir::open(&shared_fixture("thl/synthetic-4.1.0")).unwrap();
    let last = std::fs::read(fixture.file_path("thl.data.0000000004")).unwrap();
    let third = std::fs::read(fixture.file_path("thl.data.0000000003")).unwrap();
    let gzip = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    };
    let summary = |dir: &Path| {
        LogDir::open(dir)
            .unwrap()
            .with_open_options(OpenOptions { max_in_memory: 16 })
            .index(ReadOptions::default())
            .map(|i| told(&i))
            .map_err(|e| (e.offset, e.kind.to_string()))
    };
    let copies = damaged_copies(&last);
    for (what, damaged) in &copies {
        let (_p, plain) = temp_log(&[
            ("thl.data.0000000003", &third),
            ("thl.data.0000000004", damaged),
        ]);
        let (_g, packed) = temp_log(&[
            ("thl.data.0000000003.gz", &gzip(&third)),
            ("thl.data.0000000004.gz", &gzip(damaged)),
        ]);
        // Plain files named like the packed ones: only their content differs.
        for name in ["thl.data.0000000003", "thl.data.0000000004"] {
            std::fs::rename(plain.join(name), plain.join(format!("{name}.gz"))).unwrap();
        }
        assert_eq!(summary(&plain), summary(&packed), "{what}");
    }
}

/// What an index tells: each file's first and last seqno and whether it ends in its
/// rotate record, and the log's last seqno.
fn told(index: &LogIndex) -> (Vec<(i64, i64, bool)>, i64) {
    let entries = index
        .entries()
        .iter()
        .map(|e| (e.start_seqno, e.end_seqno, e.ends_with_rotate))
        .collect();
    (entries, index.max_seqno())
}

/// Copies of the file `bytes` cut short and with one byte flipped, at its first bytes
/// and then every 37th, and with each record in turn given an unknown type (spec 4:
/// readers abort), its CRC-32 made right.
fn damaged_copies(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut cuts: Vec<usize> = (0..=40).chain((40..bytes.len()).step_by(37)).collect();
    cuts.push(bytes.len() - 1);
    let mut copies = Vec::new();
    for cut in cuts {
        let mut flipped = bytes.to_vec();
        flipped[cut.min(bytes.len() - 1)] ^= 0x20;
        copies.push((format!("cut at {cut}"), bytes[..cut].to_vec()));
        copies.push((format!("flip at {cut}"), flipped));
    }
    // (The CRC-32 is over the data, stored as 8 big-endian bytes after the CRC type.)
    let mut at = 16;
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let mut retyped = bytes.to_vec();
        retyped[at + 4] = 9;
        let mut crc = flate2::Crc::new();
        crc.update(&retyped[at + 4..at + len - 9]);
        let crc = crc.sum();
        retyped[at + len - 8..at + len].copy_from_slice(&u64::from(crc).to_be_bytes());
        copies.push((format!("record at {at} of type 9"), retyped));
        at += len;
    }
    copies
}

#[test]
fn an_index_reading_the_newest_file_in_parts_matches_the_serial_one() {
    replog_tests::require_corpus!();
    // Each part after the first starts at a guess, confirmed only when the part before
    // ends there; damage anywhere must fail (or end) the index where reading the file
    // from its start does, with the same notices.
    // Every log of the corpus, its newest file damaged: Tungsten 2.2.1 and 3.1.0 files,
    // and the synthetic log with CRCs and without (whose records give no guess).
    for log in [
        "thl/synthetic-4.1.0",
        "thl/synthetic-4.1.0-nocrc",
        "thl/tungsten-2.2.1",
        "thl/tungsten-3.1.0",
    ] {
        let fixture = LogDir::open(&shared_fixture(log)).unwrap();
        let names = fixture.file_names();
        let files: Vec<(&str, Vec<u8>)> = names
            .iter()
            .map(|name| {
                (
                    name.as_str(),
                    std::fs::read(fixture.file_path(name)).unwrap(),
                )
            })
            .collect();
        let (newest, last) = files.last().unwrap();
        let summary = |dir: &Path, parts: usize| {
            let mut notices = Vec::new();
            let index = LogDir::open(dir)
                .unwrap()
                .scanning_in_parts(parts, 1)
                .index_reporting(ReadOptions::default(), false, &mut |e| {
                    notices.push(located(&e))
                })
                .map(|i| told(&i))
                .map_err(|e| located(&e));
            (index, notices)
        };
        let mut copies = damaged_copies(last);
        copies.push(("sound".to_string(), last.clone()));
        for (what, damaged) in &copies {
            let mut log_files: Vec<(&str, &[u8])> =
                files.iter().map(|(n, b)| (*n, &b[..])).collect();
            *log_files.last_mut().unwrap() = (newest, damaged);
            let (_d, dir) = temp_log(&log_files);
            let serial = summary(&dir, 1);
            for parts in [2, 3, 8] {
                assert_eq!(summary(&dir, parts), serial, "{log}: {what}, {parts} parts");
            }
        }
    }
}

fn decode_everything(path: &Path, bytes: Vec<u8>, options: ReadOptions) {
    let Ok(file) =
        ThlFile::from_bytes(LogBytes::from_vec(path.display().to_string(), bytes).unwrap())
    else {
        return;
    };
    for record in file.records(options) {
        let Ok(record) = record else { break };
        if let Some(e) = record.event() {
            if let Ok(event) = e.decode() {
                let _ = event.encode();
                for c in &event.body.changes {
                    if let replog::thl::event::Change::Rows(rows) = c {
                        for rc in &rows.row_changes {
                            for v in rc.column_values.iter().chain(&rc.key_values).flatten() {
                                let _ = v.value();
                            }
                        }
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No damage makes the reader panic; with CRCs off every flipped byte reaches the
    /// decoders.
    #[test]
    fn random_damage_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        which in 0..2usize,
    ) {
        replog_tests::require_corpus!(Ok(()));
        let mut bytes = fixture_bytes([REAL, NOCRC][which]);
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        decode_everything(Path::new("x"), bytes.clone(), ReadOptions::default().no_checksum());
        bytes.truncate(cut.index(bytes.len() + 1));
        for tail in [TailPolicy::Report, TailPolicy::Stop] {
            decode_everything(Path::new("x"), bytes.clone(), ReadOptions { verify_checksums: false, tail });
        }
    }

    /// Mutating only the protobuf payload of one record (bytes flipped, inserted or
    /// removed, fixed header intact) gives an error or an event, never a panic.
    #[test]
    fn damaged_payloads_never_panic(
        record in 0..23usize,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..8),
    ) {
        replog_tests::require_corpus!(Ok(()));
        let file = open_single(fixture_bytes(NOCRC));
        let r = file.records(ReadOptions::default()).nth(record).unwrap().unwrap();
        let e = r.event().unwrap();
        let header_len = r.data.len() - e.payload.len();
        let mut data = r.data.to_vec();
        for (at, value, op) in edits {
            let i = header_len + at.index(data.len() - header_len + 1);
            match op {
                0 if i < data.len() => data[i] = value,
                1 => data.insert(i, value),
                _ if i < data.len() => { data.remove(i); }
                _ => {}
            }
        }
        if let Ok(RecordKind::Event(e)) = RecordKind::parse("mem", 0, &data) {
            if let Ok(event) = e.decode() {
                let _ = event.encode();
            }
        }
    }
}

#[test]
fn last_file_ending_in_a_rotate_record() {
    replog_tests::require_corpus!();
    // Spec 1.3: its end is left open; the maximum falls back to the previous file's end,
    // or -1 when there is none. Spec 1.4: readers tolerate the missing successor.
    let fixture = LogDir::open(&shared_fixture("thl/synthetic-4.1.0")).unwrap();
    let copy = |names: &[&str]| {
        let files: Vec<(&str, Vec<u8>)> = names
            .iter()
            .map(|n| (*n, std::fs::read(fixture.file_path(n)).unwrap()))
            .collect();
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        temp_log(&refs)
    };
    let (_tmp, dir) = copy(&["thl.data.0000000001"]);
    let index = LogDir::open(&dir)
        .unwrap()
        .index(ReadOptions::default())
        .unwrap();
    assert_eq!((index.min_seqno(), index.max_seqno()), (0, -1));
    assert!(index.entries()[0].ends_with_rotate);

    let (_tmp, dir) = copy(&[
        "thl.data.0000000001",
        "thl.data.0000000002",
        "thl.data.0000000003",
    ]);
    let log = LogDir::open(&dir).unwrap();
    let index = log.index(ReadOptions::default()).unwrap();
    assert_eq!((index.min_seqno(), index.max_seqno()), (0, 11));
    index.check_sequence(&log).unwrap();
    let err = log.rotate_target("thl.data.0000000003", 4).unwrap_err();
    assert_eq!(
        thl_kind(&err),
        &ThlError::RotateTargetMissing {
            name: "thl.data.0000000004".into()
        }
    );
}

#[test]
fn filtered_placeholder_event_message_is_not_read() {
    replog_tests::require_corpus!();
    // Spec 5.2: readers of filtered events do not look at the second message. Break it
    // in the no-CRC log's placeholder (README 2: seqno 3; offset 2668, length 179), whose
    // event message is the last data byte `00`.
    let mut bytes = fixture_bytes(NOCRC);
    let last_data_byte = 2668 + 179 - 9 - 1;
    assert_eq!(bytes[last_data_byte], 0x00);
    bytes[last_data_byte] = 0x05;
    let file = open_single(bytes);
    let record = file
        .records(ReadOptions::default())
        .find(|r| r.as_ref().unwrap().offset == 2668)
        .unwrap()
        .unwrap();
    let event = record.event().unwrap().decode().unwrap();
    assert!(event.is_filtered());
    assert_eq!(event.header.seqno_end, Some(5));
}

#[test]
fn a_gz_copy_beside_its_plain_file_is_set_aside() {
    replog_tests::require_corpus!();
    let fixture = LogDir::open(&shared_fixture("thl/synthetic-4.1.0")).unwrap();
    let two = std::fs::read(fixture.file_path("thl.data.0000000002")).unwrap();
    let one = std::fs::read(fixture.file_path("thl.data.0000000001")).unwrap();
    let (_tmp, dir) = temp_log(&[
        ("thl.data.0000000001.gz", &one),
        ("thl.data.0000000002", &two),
        ("thl.data.0000000002.gz", &two),
    ]);
    let log = LogDir::open(&dir).unwrap();
    assert_eq!(
        log.file_names(),
        ["thl.data.0000000001.gz", "thl.data.0000000002"]
    );
    assert_eq!(log.ignored_copies(), ["thl.data.0000000002.gz"]);
    assert_eq!(
        log.ignored_copy_of("thl.data.0000000002"),
        Some("thl.data.0000000002.gz")
    );
    assert_eq!(log.ignored_copy_of("thl.data.0000000001"), None);
    assert_eq!(
        log.find_file("thl.data.0000000001"),
        Some("thl.data.0000000001.gz")
    );
    assert_eq!(
        log.find_file("thl.data.0000000002"),
        Some("thl.data.0000000002")
    );
    assert_eq!(
        log.find_file("thl.data.0000000002.gz"),
        Some("thl.data.0000000002.gz")
    );
    assert_eq!(log.find_file("thl.data.0000000003"), None);
    // README 2: files 1 and 2 hold seqnos 0..2 and 3..11.
    let index = log.index(ReadOptions::default()).unwrap();
    let ranges: Vec<_> = index
        .entries()
        .iter()
        .map(|e| (e.file_name.as_str(), e.start_seqno, e.end_seqno))
        .collect();
    assert_eq!(
        ranges,
        [
            ("thl.data.0000000001.gz", 0, 2),
            ("thl.data.0000000002", 3, 11)
        ]
    );
}

/// What a walk did: the seqnos handed over, what went to the report channel and how the
/// walk ended.
type Walked = (Vec<i64>, Vec<Error>, Result<(), Error>);

/// Walks every file of the log in `dir` ([`walk_log_with`]), releasing the pages walked
/// behind it, as `ThlWalk::walk` does; the same walk keeping them mapped, and a strict
/// walk with its CRCs checked on another thread, must do the same.
fn walk_log(dir: &Path, permissive: bool) -> Walked {
    let walk = ThlWalk {
        read: ReadOptions::tungsten(),
        permissive,
        check_ahead: false,
        release_behind: true,
    };
    let walked = walk_log_with(dir, walk);
    let summary = |(seqnos, reported, end): &Walked| {
        let reported: Vec<_> = reported.iter().map(located).collect();
        (
            seqnos.clone(),
            reported,
            end.as_ref().map_err(located).copied(),
        )
    };
    let kept = ThlWalk {
        release_behind: false,
        ..walk
    };
    let kept = walk_log_with(dir, kept);
    assert_eq!(summary(&kept), summary(&walked), "pages kept mapped");
    if !permissive {
        let ahead = ThlWalk {
            check_ahead: true,
            ..walk
        };
        let ahead = walk_log_with(dir, ahead);
        assert_eq!(summary(&ahead), summary(&walked), "CRCs checked ahead");
    }
    walked
}

/// Walks every file of the log in `dir` as `walk` says.
fn walk_log_with(dir: &Path, walk: ThlWalk) -> Walked {
    let log = LogDir::open(dir).unwrap();
    let index = log
        .index_permissive(ReadOptions::tungsten(), &mut |_| {})
        .unwrap();
    let mut seqnos = Vec::new();
    let mut reported = Vec::new();
    let end = walk.walk_sharing_files(
        &log,
        index.entries().iter().map(|e| e.file_name.as_str()),
        None,
        &mut |_, txn: &Transaction<'_>| -> Result<Flow, Error> {
            seqnos.extend(txn.seqno());
            Ok(Flow::Continue)
        },
        &mut |e| reported.push(e),
    );
    (seqnos, reported, end)
}

fn located(e: &Error) -> (String, u64, String) {
    let file = Path::new(&e.file).file_name().unwrap();
    (
        file.to_string_lossy().into_owned(),
        e.offset,
        e.kind.to_string(),
    )
}

#[test]
fn a_file_another_follows_cut_short_is_damage_to_the_index_and_the_walk() {
    replog_tests::require_corpus!();
    // Spec 1.4: every file but the newest ends in a rotate record. Cut file 3 of the
    // rotated log (seqnos 12..18, 2530 bytes, its rotate record at 2508) inside a
    // record and at a record boundary; plain and gzipped.
    use std::io::Write;
    let fixture = shared_fixture("thl/synthetic-4.1.0");
    let names = [
        "thl.data.0000000001",
        "thl.data.0000000002",
        "thl.data.0000000003",
        "thl.data.0000000004",
    ];
    let files: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(fixture.join(n)).unwrap())
        .collect();
    let third = &files[2];
    let gzip = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    };
    let first_record = u32::from_be_bytes(third[16..20].try_into().unwrap()) as u64;
    for (cut, damage, lost) in [
        (
            100,
            (
                16,
                ThlError::Truncated {
                    needed: first_record,
                    available: 84,
                },
            ),
            Some((12, 18)),
        ),
        (
            2508,
            (
                2508,
                ThlError::MissingRotate {
                    next: names[3].into(),
                },
            ),
            None,
        ),
    ] {
        let mut copy: Vec<(&str, Vec<u8>)> = names.iter().copied().zip(files.clone()).collect();
        copy[2].1.truncate(cut);
        let plain: Vec<(&str, &[u8])> = copy.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        let packed: Vec<(String, Vec<u8>)> = copy
            .iter()
            .map(|(n, b)| (format!("{n}.gz"), gzip(b)))
            .collect();
        let packed: Vec<(&str, &[u8])> = packed
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        for (what, files) in [("plain", plain), ("gz", packed)] {
            let gz = if what == "gz" { ".gz" } else { "" };
            let mut expected = vec![(format!("{}{gz}", names[2]), damage.0, damage.1.to_string())];
            if let Some((first, last)) = lost {
                let lost = ThlError::SeqnosLost {
                    first,
                    last,
                    next: format!("{}{gz}", names[3]),
                };
                expected.push((format!("{}{gz}", names[2]), damage.0, lost.to_string()));
            }
            let (_tmp, dir) = temp_log(&files);
            let log = LogDir::open(&dir).unwrap();
            let err = log.index(ReadOptions::tungsten()).unwrap_err();
            assert_eq!(located(&err), expected[0], "{what} cut at {cut}");
            let mut reported = Vec::new();
            let index = log
                .index_permissive(ReadOptions::tungsten(), &mut |e| reported.push(e))
                .unwrap();
            let reported: Vec<_> = reported.iter().map(located).collect();
            assert_eq!(reported, expected, "{what} cut at {cut}");
            let ranges: Vec<(i64, i64)> = index
                .entries()
                .iter()
                .map(|e| (e.start_seqno, e.end_seqno))
                .collect();
            let third_range = if lost.is_some() { (12, 11) } else { (12, 18) };
            assert_eq!(ranges, [(0, 2), (3, 11), third_range, (19, 22)], "{what}");
            if what == "plain" {
                // The walk: strict stops there after the transactions before it;
                // permissive reports it and goes on with file 4.
                let (seqnos, _, end) = walk_log(&dir, false);
                assert_eq!(located(&end.unwrap_err()), expected[0]);
                assert_eq!(seqnos.last(), Some(&if lost.is_some() { 11 } else { 18 }));
                let (seqnos, reported, end) = walk_log(&dir, true);
                end.unwrap();
                assert_eq!(seqnos.last(), Some(&22));
                assert_eq!(located(&reported[0]), expected[0]);
            }
        }
    }
}

#[test]
fn the_newest_file_cut_short_is_a_notice() {
    replog_tests::require_corpus!();
    // Cut the 2.2.1 log inside its last record (8986, 231 bytes): a log being written.
    let bytes = fixture_bytes(REAL);
    let (_tmp, dir) = temp_log(&[("thl.data.0000000001", &bytes[..8986 + 50])]);
    let notice = (
        "thl.data.0000000001".to_string(),
        8986,
        ThlError::IncompleteTail {
            needed: 231,
            available: 50,
        }
        .to_string(),
    );
    for permissive in [false, true] {
        let (seqnos, reported, end) = walk_log(&dir, permissive);
        end.unwrap();
        assert_eq!(
            seqnos.last(),
            Some(&7),
            "fragments 0 and 1 of seqno 7 remain"
        );
        let reported: Vec<_> = reported.iter().map(located).collect();
        assert_eq!(reported, std::slice::from_ref(&notice));
        let mut heard = Vec::new();
        LogDir::open(&dir)
            .unwrap()
            .index_reporting(ReadOptions::tungsten(), permissive, &mut |e| heard.push(e))
            .unwrap();
        let heard: Vec<_> = heard.iter().map(located).collect();
        assert_eq!(heard, std::slice::from_ref(&notice));
    }
}

#[test]
fn a_base_seqno_is_checked_against_the_file_before_when_the_first_record_is_damaged() {
    replog_tests::require_corpus!();
    // File 3 of the rotated log (seqnos 12..18; file 2 ends in its rotate record) with
    // a flipped byte in its first record (a CRC mismatch at 16): the header's base
    // seqno can only be checked against where file 2 left off.
    let fixture = shared_fixture("thl/synthetic-4.1.0");
    let names = [
        "thl.data.0000000001",
        "thl.data.0000000002",
        "thl.data.0000000003",
        "thl.data.0000000004",
    ];
    for (base, wrong) in [(12i64, false), (13, true)] {
        let files: Vec<Vec<u8>> = names
            .iter()
            .map(|n| {
                let mut bytes = std::fs::read(fixture.join(n)).unwrap();
                if *n == names[2] {
                    bytes[8..16].copy_from_slice(&base.to_be_bytes());
                    bytes[40] ^= 0x01;
                }
                bytes
            })
            .collect();
        let copy: Vec<(&str, &[u8])> = names
            .iter()
            .copied()
            .zip(files.iter().map(Vec::as_slice))
            .collect();
        let (_tmp, dir) = temp_log(&copy);
        let (_, reported, end) = walk_log(&dir, true);
        end.unwrap();
        let reported: Vec<(String, u64, String)> = reported.iter().map(located).collect();
        let file3 = names[2].to_string();
        let crc = "log record CRC failure: crc type=1 stored crc=257680980 computed \
                   crc=209515240";
        // Seqno 13 at 372 is the file's first readable record: seqno 12 was lost.
        let mut expected = vec![
            (file3.clone(), 16, crc.to_string()),
            (
                file3.clone(),
                372,
                "sequence number gap: expected seqno 12, found 13".to_string(),
            ),
        ];
        if wrong {
            let base_error = ThlError::BaseSeqnoAfter {
                found: 13,
                expected: 12,
                previous: names[1].into(),
            };
            expected.push((file3, 8, base_error.to_string()));
        }
        assert_eq!(reported, expected);
    }
}
