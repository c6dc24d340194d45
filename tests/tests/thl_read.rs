//! THL files, records and the log index checked against the facts of
//! `shared/fixtures/thl/README.md` (tables 1.1, 1.2, 2) and the byte examples of
//! `shared/spec/thl-format.md` (sections 3.1, 4, 5.1).

mod thl_common;

use std::collections::{BTreeMap, BTreeSet};

use replog::thl::{FileHeader, LogDir, ReadOptions, RecordKind, ThlFile, MAGIC};
use replog_tests::shared_fixture;
use sha2::{Digest, Sha256};
use thl_common::{events, files, log_dir, records, seqno_ranges, DIRS, SYNTHETIC_RANGES};

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn fixture_files_are_the_documented_ones() {
    replog_tests::require_corpus!();
    let expected = [
        (
            "tungsten-2.2.1/thl.data.0000000001",
            9217,
            "a59433fa866f2c38ceccf9f97b4a5c571c73fa7a43cd8c7401b7b91aaadf7751",
        ),
        (
            "tungsten-3.1.0/thl.data.0000000001",
            9117,
            "d223e83e86f1182c6e09201ded2d52a3f17353b2a7b9379f647437e3d514c22d",
        ),
        (
            "synthetic-4.1.0/thl.data.0000000001",
            2690,
            "4accdf6eb2d7338f4bc39073af166139ab05d9d1206f5113a238e2428a1b7d58",
        ),
        (
            "synthetic-4.1.0/thl.data.0000000002",
            2816,
            "cf22ef87b6899aab3bbba3563cd5675c3f885410256ec4ea094ecb6cc91f9dc4",
        ),
        (
            "synthetic-4.1.0/thl.data.0000000003",
            2530,
            "57f98ddaf81785e24f7b8c371d3d0b9ddeaa4c96fd34515932977f73536274df",
        ),
        (
            "synthetic-4.1.0/thl.data.0000000004",
            1442,
            "159f5492e4eb545bfcfb646593ce962b0ad79681289b1fd0ce1ab0852282fcfe",
        ),
        (
            "synthetic-4.1.0-nocrc/thl.data.0000000001",
            9364,
            "11b717e4eb66889d556d29e9d337c873392d4c2b2917f959d8b0e8e76177e9e6",
        ),
    ];
    for (path, size, sha) in expected {
        let file = ThlFile::open(&shared_fixture(&format!("thl/{path}"))).unwrap();
        assert_eq!(file.bytes().len(), size, "{path}");
        assert_eq!(sha256_hex(file.bytes()), sha, "{path}");
    }
}

#[test]
fn file_headers_and_base_seqnos() {
    replog_tests::require_corpus!();
    let expected: [(&str, &[i64]); 4] = [
        ("tungsten-2.2.1", &[-1]),
        ("tungsten-3.1.0", &[-1]),
        ("synthetic-4.1.0", &[-1, 3, 12, 19]),
        ("synthetic-4.1.0-nocrc", &[-1]),
    ];
    for (dir, bases) in expected {
        let headers: Vec<FileHeader> = files(dir).iter().map(|f| f.header()).collect();
        assert_eq!(
            headers.iter().map(|h| h.base_seqno).collect::<Vec<_>>(),
            bases
        );
        for (f, h) in files(dir).iter().zip(&headers) {
            assert_eq!(&f.bytes()[..4], &MAGIC.to_be_bytes(), "{dir}");
            assert_eq!((h.major, h.minor), (1, 1), "{dir}");
        }
    }
}

#[test]
fn tungsten_2_2_1_record_table() {
    replog_tests::require_corpus!();
    // README 1.2: offset, length, seqno, fragno, lastFrag, shard, eventId position;session.
    let expected: [(u64, u32, i64, i16, bool, &str, &str); 10] = [
        (16, 813, 0, 0, true, "tungsten_repltest", "0415;-1"),
        (829, 601, 1, 0, true, "test", "0553;52181"),
        (1430, 1536, 2, 0, true, "test", "1625;52181"),
        (2966, 1332, 3, 0, true, "test", "2121;-1"),
        (4298, 1634, 4, 0, true, "test", "2612;-1"),
        (5932, 1088, 5, 0, true, "test", "2978;-1"),
        (7020, 532, 6, 0, true, "test", "3076;52181"),
        (7552, 453, 7, 0, false, "test", "3369;-1"),
        (8005, 981, 7, 1, false, "test", "3946;52181"),
        (8986, 231, 7, 2, true, "test", "3977;-1"),
    ];
    let records = records("tungsten-2.2.1");
    assert_eq!(records.len(), expected.len());
    for ((_, r), &(offset, length, seqno, fragno, last, shard, id)) in records.iter().zip(&expected)
    {
        let e = r.event().expect("every record is an event record");
        assert_eq!((r.offset, r.length), (offset, length));
        let h = &e.header;
        assert_eq!(
            (h.seqno, h.fragno, h.last_frag),
            (seqno, fragno, last),
            "at {offset}"
        );
        assert_eq!(h.shard_id.text(), shard, "at {offset}");
        assert_eq!(
            h.event_id.text(),
            format!("mysql-bin.011742:000000000000{id}")
        );
    }
}

#[test]
fn tungsten_3_1_0_record_table() {
    replog_tests::require_corpus!();
    // README 1.2: offsets and lengths for seqnos 0..7, one record each; eventIds in
    // mysql-bin.011743 at the 2.2.1 positions with session id 52254.
    let offsets = [16, 913, 1532, 3086, 4502, 6197, 7346, 7896];
    let lengths = [897, 619, 1554, 1416, 1695, 1149, 550, 1221];
    let ids = [
        "0415;-1",
        "0553;52254",
        "1625;52254",
        "2121;-1",
        "2612;-1",
        "2978;-1",
        "3076;52254",
        "3977;52254",
    ];
    let records = records("tungsten-3.1.0");
    assert_eq!(records.len(), 8);
    for (i, (_, r)) in records.iter().enumerate() {
        let h = &r.event().unwrap().header;
        assert_eq!((r.offset, r.length), (offsets[i], lengths[i]));
        assert_eq!((h.seqno, h.fragno, h.last_frag), (i as i64, 0, true));
        assert_eq!(
            h.event_id.text(),
            format!("mysql-bin.011743:000000000000{}", ids[i])
        );
    }
}

/// Facts of README tables 1.1 and 2 that every directory has.
struct Summary {
    records_per_file: Vec<(usize, usize)>,
    crc_types: BTreeSet<u8>,
    min_max: (i64, i64),
    event_records: usize,
    distinct_seqnos: usize,
    records_per_shard: BTreeMap<String, usize>,
    transactions_per_shard: BTreeMap<String, usize>,
    first_event_id: String,
    last_event_id: String,
    index: Vec<(i64, i64)>,
}

fn summary(dir: &str) -> Summary {
    let log = log_dir(dir);
    let index = log.index(ReadOptions::default()).unwrap();
    let mut s = Summary {
        records_per_file: Vec::new(),
        crc_types: BTreeSet::new(),
        min_max: (index.min_seqno(), index.max_seqno()),
        event_records: 0,
        distinct_seqnos: 0,
        records_per_shard: BTreeMap::new(),
        transactions_per_shard: BTreeMap::new(),
        first_event_id: String::new(),
        last_event_id: String::new(),
        index: seqno_ranges(&index),
    };
    let mut seqnos = BTreeSet::new();
    for file in files(dir) {
        let mut rotates = 0;
        let mut count = 0;
        let mut iter = file.records(ReadOptions::default());
        for r in &mut iter {
            let r = r.unwrap();
            count += 1;
            s.crc_types.insert(r.crc_type);
            match &r.kind {
                RecordKind::Rotate(_) => rotates += 1,
                RecordKind::Event(e) => {
                    let h = &e.header;
                    s.event_records += 1;
                    seqnos.insert(h.seqno);
                    *s.records_per_shard
                        .entry(h.shard_id.to_string())
                        .or_default() += 1;
                    if h.last_frag {
                        *s.transactions_per_shard
                            .entry(h.shard_id.to_string())
                            .or_default() += 1;
                    }
                    if s.first_event_id.is_empty() {
                        s.first_event_id = h.event_id.to_string();
                    }
                    s.last_event_id = h.event_id.to_string();
                }
                other => panic!("unexpected record {other:?}"),
            }
        }
        // "bytes after last record": none, reading ends exactly at the end of the file.
        assert_eq!(iter.offset(), file.bytes().len() as u64, "{dir}");
        assert_eq!(iter.damaged_tail(), None);
        s.records_per_file.push((count, rotates));
    }
    s.distinct_seqnos = seqnos.len();
    s
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

#[test]
fn real_log_summaries() {
    replog_tests::require_corpus!();
    for (dir, records, per_shard, binlog, last_session) in [
        ("tungsten-2.2.1", 10, 9, "011742", "-1"),
        ("tungsten-3.1.0", 8, 7, "011743", "52254"),
    ] {
        let s = summary(dir);
        assert_eq!(s.records_per_file, [(records, 0)], "{dir}");
        assert_eq!(s.crc_types, BTreeSet::from([1]), "{dir}");
        assert_eq!(s.min_max, (0, 7));
        assert_eq!(s.index, [(0, 7)]);
        assert_eq!(s.distinct_seqnos, 8);
        assert_eq!(
            s.records_per_shard,
            counts(&[("test", per_shard), ("tungsten_repltest", 1)])
        );
        assert_eq!(
            s.transactions_per_shard,
            counts(&[("test", 7), ("tungsten_repltest", 1)])
        );
        assert_eq!(
            s.first_event_id,
            format!("mysql-bin.{binlog}:0000000000000415;-1")
        );
        assert_eq!(
            s.last_event_id,
            format!("mysql-bin.{binlog}:0000000000003977;{last_session}")
        );
        let events = events(dir);
        for e in &events {
            assert_eq!((e.record.epoch, e.record.source_id.text()), (0, "logos1"));
            assert_eq!(e.header.shard_id, "#DEFAULT");
            assert!(!e.is_filtered());
        }
        // Fragmented seqnos: 7 in 2.2.1 (fragnos 0, 1, 2; the last one empty), none in 3.1.0.
        let fragmented: Vec<(i64, i16, bool, usize)> = events
            .iter()
            .filter(|e| !(e.record.fragno == 0 && e.record.last_frag))
            .map(|e| {
                (
                    e.record.seqno,
                    e.record.fragno,
                    e.record.last_frag,
                    e.body.changes.len(),
                )
            })
            .collect();
        if dir == "tungsten-2.2.1" {
            assert_eq!(fragmented.len(), 3);
            assert_eq!(
                fragmented
                    .iter()
                    .map(|f| (f.0, f.1, f.2))
                    .collect::<Vec<_>>(),
                [(7, 0, false), (7, 1, false), (7, 2, true)]
            );
            assert_eq!(fragmented[2].3, 0, "the last fragment is empty");
        } else {
            assert!(fragmented.is_empty());
        }
    }
}

#[test]
fn synthetic_log_summaries() {
    replog_tests::require_corpus!();
    let shards = [
        ("app1", 11),
        ("app0", 4),
        ("app2", 4),
        ("#UNKNOWN", 3),
        ("schéma", 1),
    ];
    let transactions = [
        ("app1", 9),
        ("app0", 4),
        ("app2", 4),
        ("#UNKNOWN", 3),
        ("schéma", 1),
    ];
    for (dir, per_file, crc, index) in [
        (
            "synthetic-4.1.0",
            vec![(4, 1), (10, 1), (8, 1), (4, 0)],
            1,
            SYNTHETIC_RANGES.to_vec(),
        ),
        ("synthetic-4.1.0-nocrc", vec![(23, 0)], 0, vec![(0, 22)]),
    ] {
        let s = summary(dir);
        assert_eq!(s.records_per_file, per_file, "{dir}");
        assert_eq!(s.crc_types, BTreeSet::from([crc]), "{dir}");
        assert_eq!(s.index, index, "{dir}");
        assert_eq!(s.min_max, (0, 22));
        assert_eq!((s.event_records, s.distinct_seqnos), (23, 21));
        assert_eq!(s.records_per_shard, counts(&shards));
        assert_eq!(s.transactions_per_shard, counts(&transactions));
        assert_eq!(s.first_event_id, "mysql-bin.000002:0000000000000426;34");
        assert_eq!(s.last_event_id, "mysql-bin.000003:0000000000002050;39");
        for e in events(dir) {
            assert_eq!(e.record.epoch, 3);
            if e.record.seqno != 9 {
                assert_eq!(e.record.source_id.text(), "db01");
            }
        }
    }
    // CRC type 0 means a stored CRC of 0 (README table 2).
    for (_, r) in records("synthetic-4.1.0-nocrc") {
        assert_eq!(r.crc, 0);
    }
}

#[test]
fn index_entries_and_lookup() {
    replog_tests::require_corpus!();
    let log = log_dir("synthetic-4.1.0");
    let index = log.index(ReadOptions::default()).unwrap();
    let names: Vec<_> = index
        .entries()
        .iter()
        .map(|e| e.file_name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "thl.data.0000000001",
            "thl.data.0000000002",
            "thl.data.0000000003",
            "thl.data.0000000004"
        ]
    );
    // README 2: files 1..3 hold one rotate record each, which is their last (spec 4).
    let rotates: Vec<_> = index.entries().iter().map(|e| e.ends_with_rotate).collect();
    assert_eq!(rotates, [true, true, true, false]);
    // Spec 1.3: the entry whose range holds the seqno; a seqno past the end gives the last
    // file; negative seqnos are not in the log.
    assert_eq!(index.find(0).unwrap().file_name, "thl.data.0000000001");
    assert_eq!(index.find(4).unwrap().file_name, "thl.data.0000000002");
    assert_eq!(index.find(12).unwrap().file_name, "thl.data.0000000003");
    assert_eq!(index.find(99).unwrap().file_name, "thl.data.0000000004");
    assert!(index.find(-1).is_none());
    index.check_sequence(&log).unwrap();
    // Rotate records name the next file, which the directory holds.
    for (name, r) in records("synthetic-4.1.0") {
        if let RecordKind::Rotate(rot) = r.kind {
            let next = log.rotate_target(name, rot.next_index).unwrap();
            assert_eq!(next, rot.next_file_name());
            assert_eq!(replog::thl::file_index(name).unwrap() + 1, rot.next_index);
        }
    }
}

#[test]
fn worked_example_of_spec_3_1() {
    replog_tests::require_corpus!();
    let file = files("tungsten-2.2.1")[0];
    let r = file
        .records(ReadOptions::default())
        .next()
        .unwrap()
        .unwrap();
    let e = r.event().unwrap();
    assert_eq!((r.offset, r.length, r.data.len()), (16, 813, 800));
    assert_eq!(r.crc_type, 1);
    assert_eq!(file.bytes()[820], 1, "crcType at file offset 820");
    assert_eq!(r.crc, 0x3B29_CE63);
    assert_eq!(e.header.source_tstamp, 1_420_849_937_000);
    assert_eq!(e.header.source_id.text(), "logos1");
    assert_eq!(e.header.event_id.raw().len(), 36);
    assert_eq!(e.header.shard_id.raw().len(), 17);
    // Payload: varint 0x50 + 80-byte Header, then varint F0 04 + 624-byte event.
    assert_eq!(e.payload[0], 0x50);
    assert_eq!(&e.payload[81..83], &[0xF0, 0x04]);
    assert_eq!(e.payload.len(), 1 + 80 + 2 + 624);
}

#[test]
fn rotate_record_bytes_of_spec_4() {
    replog_tests::require_corpus!();
    let file = files("synthetic-4.1.0")[0];
    let bytes = file.bytes();
    let expected = [
        0x00, 0x00, 0x00, 0x16, 0x02, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x01, 0, 0, 0, 0, 0x26, 0xF1,
        0x5D, 0x04,
    ];
    assert_eq!(&bytes[bytes.len() - 22..], &expected);
    let last = file
        .records(ReadOptions::default())
        .last()
        .unwrap()
        .unwrap();
    assert_eq!(last.length, 22);
    assert!(matches!(last.kind, RecordKind::Rotate(r) if r.next_index == 2));
}

#[test]
fn modified_utf8_in_the_fixed_header() {
    replog_tests::require_corpus!();
    // Spec 5.1 example and README table 2, seqno 9.
    let (_, r) = records("synthetic-4.1.0")
        .into_iter()
        .find(|(_, r)| r.event().is_some_and(|e| e.header.seqno == 9))
        .unwrap();
    let h = &r.event().unwrap().header;
    assert_eq!(h.source_id.text(), "h\u{0}st\u{e9}\u{1F600}");
    assert_eq!(
        h.source_id.raw(),
        [0x68, 0xC0, 0x80, 0x73, 0x74, 0xC3, 0xA9, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]
    );
    // The u16 count 00 0D precedes it in the record data.
    let at = r.data.windows(2).position(|w| w == [0x00, 0x0D]).unwrap();
    assert_eq!(&r.data[at + 2..at + 15], h.source_id.raw());
    assert!(h.event_id.text().ends_with('\u{e9}'));
    assert_eq!(h.shard_id.text(), "schéma");
    // The protobuf header carries the same text as standard UTF-8 (4-byte emoji).
    let e = r.event().unwrap().decode().unwrap();
    assert_eq!(e.header.source_id, "h\u{0}st\u{e9}\u{1F600}");
    assert_eq!(e.header.event_id, h.event_id.text());
}

#[test]
fn every_directory_opens() {
    replog_tests::require_corpus!();
    for dir in DIRS {
        let log = LogDir::open(&shared_fixture(&format!("thl/{dir}"))).unwrap();
        assert!(log.file_names().iter().all(|f| f.starts_with("thl.data.")));
        let index = log.index(ReadOptions::default().no_checksum()).unwrap();
        // `thl info`: events = max - min (quirk 5).
        let max_minus_min = index.max_seqno() - index.min_seqno();
        let expected = if dir.starts_with("tungsten") { 7 } else { 22 };
        assert_eq!(max_minus_min, expected);
    }
}

#[test]
fn owned_records_outlive_their_file() {
    replog_tests::require_corpus!();
    let owned: Vec<replog::thl::OwnedRecord> = {
        let file =
            ThlFile::open(&shared_fixture("thl/tungsten-2.2.1/thl.data.0000000001")).unwrap();
        let records = file.records(ReadOptions::default());
        records.map(|r| r.unwrap().to_owned_record()).collect()
    };
    assert_eq!(owned.len(), 10);
    let last = owned[9].record().unwrap();
    assert!(last.file.ends_with("thl.data.0000000001"));
    assert_eq!((last.offset, last.length), (8986, 231));
    let event = last.event().unwrap().decode().unwrap();
    assert_eq!((event.record.seqno, event.record.fragno), (7, 2));
    assert!(event.body.changes.is_empty());
}

#[test]
fn released_pages_read_again_as_before() {
    replog_tests::require_corpus!();
    let file = ThlFile::open(&shared_fixture("thl/tungsten-3.1.0/thl.data.0000000001")).unwrap();
    let read = |file: &ThlFile| -> Vec<(u64, u32, u64, Vec<u8>)> {
        file.records(ReadOptions::tungsten())
            .map(|r| r.unwrap())
            .map(|r| (r.offset, r.length, r.crc, r.data.to_vec()))
            .collect()
    };
    let before = read(&file);
    assert!(file.bytes().len() > 2 * 4096, "a file of several pages");
    // A part's span, then the whole file (and a span past its end): the bytes map in
    // again, the same, CRCs checked.
    file.release(4096..3 * 4096);
    assert_eq!(read(&file), before);
    file.release(ThlFile::ALL_RECORDS);
    assert_eq!(read(&file), before);
    // README 1.2: seqnos 0..7, one record each.
    assert_eq!(before.len(), 8);
}
