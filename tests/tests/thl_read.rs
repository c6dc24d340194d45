//! THL reading checked against the facts of `shared/fixtures/thl/README.md` (tables 1.1,
//! 1.2 and 2) and the examples of `shared/spec/thl-format.md`.

use replog::thl::{LogDir, ReadOptions, Record, RecordKind, ThlFile};
use replog_tests::shared_fixture;

/// Every record of a one-file fixture directory, read with CRCs verified.
fn with_records<T>(dir: &str, file: &str, f: impl FnOnce(&ThlFile, Vec<Record<'_>>) -> T) -> T {
    let file = ThlFile::open(&shared_fixture(&format!("thl/{dir}/{file}"))).unwrap();
    let records = file
        .records(ReadOptions::default())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    f(&file, records)
}

#[test]
fn tungsten_2_2_1_record_table() {
    // README 1.2: offset, length, seqno, fragno, lastFrag, shard, eventId position/session.
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
    with_records("tungsten-2.2.1", "thl.data.0000000001", |file, records| {
        assert_eq!(file.bytes().len(), 9217);
        assert_eq!(records.len(), expected.len());
        for (r, &(offset, length, seqno, fragno, last, shard, id)) in records.iter().zip(&expected)
        {
            let RecordKind::Event(e) = &r.kind else {
                panic!("record at {} is not an event", r.offset)
            };
            assert_eq!((r.offset, r.length), (offset, length));
            assert_eq!(r.crc_type, 1, "CRC-32 at {offset}");
            let h = &e.header;
            assert_eq!((h.seqno, h.fragno, h.last_frag), (seqno, fragno, last));
            assert_eq!(h.shard_id.text(), shard);
            assert_eq!(
                h.event_id.text(),
                format!("mysql-bin.011742:000000000000{id}")
            );
            assert_eq!((h.epoch, h.source_id.text()), (0, "logos1"));
        }
    });
}

#[test]
fn index_of_the_rotated_synthetic_log() {
    let dir = LogDir::open(&shared_fixture("thl/synthetic-4.1.0")).unwrap();
    let index = dir.index(ReadOptions::default()).unwrap();
    let ranges: Vec<_> = index
        .entries()
        .iter()
        .map(|e| {
            (
                e.file_name.as_str(),
                e.base_seqno,
                e.start_seqno,
                e.end_seqno,
            )
        })
        .collect();
    assert_eq!(
        ranges,
        [
            ("thl.data.0000000001", -1, 0, 2),
            ("thl.data.0000000002", 3, 3, 11),
            ("thl.data.0000000003", 12, 12, 18),
            ("thl.data.0000000004", 19, 19, 22),
        ]
    );
    assert_eq!((index.min_seqno(), index.max_seqno()), (0, 22));
    index.check_sequence(&dir).unwrap();
}
