//! Writing THL: every fixture record re-encodes to its original bytes, the log writer
//! reproduces whole fixture directories (rotation included), and random events survive
//! a write/read round trip.

mod thl_common;

use std::path::Path;

use proptest::prelude::*;
use replog::thl::event::{
    Action, Change, ColumnSpec, ColumnVal, Event, EventOption, Header, LoadDataFileFragment,
    LoadDataFileQuery, OneRowChange, ReplDbmsEvent, RowChangeData, RowIdData, RowImages,
    StatementData,
};
use replog::thl::writer::{frame_record, LogWriter, WriteOptions};
use replog::thl::{
    file_name, FileHeader, JavaStr, LogDir, ReadOptions, RecordHeader, RecordKind, ThlError,
};
use replog::ErrorKind;
use thl_common::{events, files, log_dir, seqno_ranges, DIRS, SYNTHETIC_RANGES};

#[test]
fn every_record_reencodes_byte_identically() {
    replog_tests::require_corpus!();
    let mut checked = 0;
    for dir in DIRS {
        for file in files(dir) {
            let mut rebuilt = FileHeader::encode(file.header().base_seqno).to_vec();
            for r in file.records(ReadOptions::default()) {
                let r = r.unwrap();
                let data = match &r.kind {
                    RecordKind::Event(e) => e.decode().unwrap().encode(),
                    RecordKind::Rotate(rot) => rot.encode(),
                    other => panic!("{other:?}"),
                };
                assert_eq!(data, r.data, "{dir} {} at {}", file.name(), r.offset);
                rebuilt.extend(frame_record(&data, r.crc_type == 1));
            }
            assert_eq!(rebuilt, file.bytes(), "{}", file.name());
            checked += 1;
        }
    }
    assert_eq!(checked, 7, "all fixture files");
}

/// Writes `events` with `options` into a fresh directory and returns it.
fn write_log(events: &[Event<'_>], options: WriteOptions) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = LogWriter::create(tmp.path(), options).unwrap();
    for e in events {
        w.append(e).unwrap();
    }
    w.finish().unwrap();
    tmp
}

fn assert_same_files(written: &Path, fixture: &LogDir) {
    let out = LogDir::open(written).unwrap();
    assert_eq!(out.file_names(), fixture.file_names());
    for name in fixture.file_names() {
        let a = std::fs::read(out.file_path(name)).unwrap();
        let b = std::fs::read(fixture.file_path(name)).unwrap();
        assert!(a == b, "{name} differs from the fixture");
    }
}

#[test]
fn log_writer_reproduces_the_fixture_directories() {
    replog_tests::require_corpus!();
    // README 2: synthetic logs rotate at 2500 bytes with CRCs on; the no-CRC copy has no
    // rotation; the real logs are single files with CRCs.
    let cases = [
        ("synthetic-4.1.0", 2500, true),
        ("synthetic-4.1.0-nocrc", 1_000_000_000, false),
        ("tungsten-2.2.1", 1_000_000_000, true),
        ("tungsten-3.1.0", 1_000_000_000, true),
    ];
    for (dir, max_file_size, checksums) in cases {
        let options = WriteOptions {
            max_file_size,
            checksums,
            ..WriteOptions::default()
        };
        let tmp = write_log(&events(dir), options);
        assert_same_files(tmp.path(), &log_dir(dir));
    }
}

#[test]
fn writer_refuses_a_directory_with_a_log() {
    replog_tests::require_corpus!();
    let tmp = write_log(&events("tungsten-2.2.1")[..1], WriteOptions::default());
    let err = LogWriter::create(tmp.path(), WriteOptions::default()).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Io(_)), "{err}");
}

#[test]
fn file_indexes_wrap_around() {
    replog_tests::require_corpus!();
    // Spec 1.2/1.3: the index after 2147483646 is 0; files are ordered by first seqno.
    let events = events("synthetic-4.1.0");
    let options = WriteOptions {
        max_file_size: 2500,
        first_index: 2_147_483_645,
        ..WriteOptions::default()
    };
    let tmp = write_log(&events, options);
    let log = LogDir::open(tmp.path()).unwrap();
    assert_eq!(
        log.file_names()[0],
        "thl.data.0000000000",
        "name order differs"
    );
    let index = log.index(ReadOptions::default()).unwrap();
    let order: Vec<_> = index
        .entries()
        .iter()
        .map(|e| e.file_name.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "thl.data.2147483645",
            "thl.data.2147483646",
            "thl.data.0000000000",
            "thl.data.0000000001"
        ]
    );
    assert_eq!(seqno_ranges(&index), SYNTHETIC_RANGES);
    index.check_sequence(&log).unwrap();
    // Following rotate records from the first file visits every file in order.
    let mut name = order[0].to_string();
    let mut visited = vec![name.clone()];
    loop {
        let file = log.open_file(&name).unwrap();
        let last = file
            .records(ReadOptions::default())
            .last()
            .unwrap()
            .unwrap();
        let RecordKind::Rotate(rot) = last.kind else {
            break;
        };
        name = log
            .rotate_target(&name, rot.next_index)
            .unwrap()
            .to_string();
        visited.push(name.clone());
    }
    assert_eq!(visited, order);
}

#[test]
fn a_missing_file_is_detected() {
    replog_tests::require_corpus!();
    let fixture = log_dir("synthetic-4.1.0");
    let tmp = tempfile::tempdir().unwrap();
    for name in fixture.file_names() {
        if name != "thl.data.0000000002" {
            std::fs::copy(fixture.file_path(name), tmp.path().join(name)).unwrap();
        }
    }
    let log = LogDir::open(tmp.path()).unwrap();
    let index = log.index(ReadOptions::default()).unwrap();
    let err = index.check_sequence(&log).unwrap_err();
    // Found at file 1's rotate record: its last 22 bytes (spec 4) of 2690 (fixture README 2).
    assert!(err.file.ends_with("thl.data.0000000001"), "{err}");
    assert_eq!(err.offset, 2690 - 22);
    assert_eq!(
        err.kind.to_string(),
        ThlError::RotateTargetMissing {
            name: "thl.data.0000000002".into(),
        }
        .to_string()
    );
    // Without rotate records to say so, the names tell: 2 should follow 1.
    std::fs::remove_file(tmp.path().join("thl.data.0000000001")).unwrap();
    std::fs::write(
        tmp.path().join("thl.data.0000000001"),
        &std::fs::read(fixture.file_path("thl.data.0000000001")).unwrap()[..2690 - 22],
    )
    .unwrap();
    let log = LogDir::open(tmp.path()).unwrap();
    // A file another follows ends in a rotate record (spec 1.4): without it, it was cut.
    let err = log.index(ReadOptions::default()).unwrap_err();
    assert!(err.file.ends_with("thl.data.0000000001"), "{err}");
    assert_eq!(err.offset, 2690 - 22);
    assert_eq!(
        err.kind.to_string(),
        ThlError::MissingRotate {
            next: "thl.data.0000000002".into(),
        }
        .to_string()
    );
    let mut reported = Vec::new();
    let index = log
        .index_permissive(ReadOptions::default(), &mut |e| reported.push(e))
        .unwrap();
    // Permissive: the cut, and the seqnos of the missing file, up to file 3's first.
    let lost = ThlError::SeqnosLost {
        first: 3,
        last: 11,
        next: "thl.data.0000000003".into(),
    };
    let reported: Vec<(u64, String)> = reported
        .iter()
        .map(|e| (e.offset, e.kind.to_string()))
        .collect();
    assert_eq!(
        reported,
        [
            (2690 - 22, err.kind.to_string()),
            (2690 - 22, lost.to_string())
        ]
    );
    let err = index.check_sequence(&log).unwrap_err();
    assert_eq!(err.offset, 0);
    assert_eq!(
        err.kind.to_string(),
        ThlError::MissingLogFile {
            expected: "thl.data.0000000002".into(),
            found: "thl.data.0000000003".into()
        }
        .to_string()
    );
    let err = log.rotate_target("thl.data.0000000001", 2).unwrap_err();
    assert!(err.to_string().contains("thl.data.0000000002"), "{err}");
    assert!(err.file.ends_with("thl.data.0000000001"));
}

/// A temp copy of fixture directory `dir`: the files `names`, each cut to `len` bytes
/// when given.
fn copy_of(dir: &str, names: &[(&str, Option<usize>)]) -> tempfile::TempDir {
    let fixture = log_dir(dir);
    let tmp = tempfile::tempdir().unwrap();
    for (name, len) in names {
        let mut bytes = std::fs::read(fixture.file_path(name)).unwrap();
        bytes.truncate(len.unwrap_or(bytes.len()));
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    tmp
}

#[test]
fn reopening_cuts_a_damaged_tail_and_an_unfinished_transaction() {
    replog_tests::require_corpus!();
    // Spec 3.2. 2.2.1 cut inside 7/2 (offset 8986) or right after 7/1: both leave seqno 7
    // unfinished, so the file goes back to the end of seqno 6 (offset 7552). Appending
    // seqno 7's three fragments again gives the original file.
    let events = events("tungsten-2.2.1");
    for cut in [8986 + 100, 8986, 7552 + 10] {
        let tmp = copy_of("tungsten-2.2.1", &[("thl.data.0000000001", Some(cut))]);
        let mut w = LogWriter::open(tmp.path(), WriteOptions::default()).unwrap();
        assert_eq!(std::fs::metadata(w.current_file()).unwrap().len(), 7552);
        for e in events.iter().filter(|e| e.record.seqno == 7) {
            w.append(e).unwrap();
        }
        w.finish().unwrap();
        assert_same_files(tmp.path(), &log_dir("tungsten-2.2.1"));
    }
}

#[test]
fn reopening_continues_rotation() {
    replog_tests::require_corpus!();
    // Files 1..3 of the synthetic log: the dangling rotate record at the end of file 3 is
    // cut, and appending seqnos 19..22 with the same 2500-byte limit rotates again,
    // rebuilding file 4 (and file 3's rotate record) byte for byte. A leftover file 4
    // shorter than a header is replaced.
    let names = [
        "thl.data.0000000001",
        "thl.data.0000000002",
        "thl.data.0000000003",
    ];
    let events = events("synthetic-4.1.0");
    for leftover in [false, true] {
        let tmp = copy_of("synthetic-4.1.0", &names.map(|n| (n, None)));
        if leftover {
            std::fs::write(tmp.path().join("thl.data.0000000004"), [0xC0, 0x01]).unwrap();
        }
        let options = WriteOptions {
            max_file_size: 2500,
            ..WriteOptions::default()
        };
        let mut w = LogWriter::open(tmp.path(), options).unwrap();
        for e in events.iter().filter(|e| e.record.seqno >= 19) {
            w.append(e).unwrap();
        }
        w.finish().unwrap();
        assert_same_files(tmp.path(), &log_dir("synthetic-4.1.0"));
    }
}

// ---- round trip of random events -------------------------------------------------

#[derive(Debug, Clone)]
struct ValModel {
    ty: i32,
    int: Option<i32>,
    long: Option<i64>,
    float: Option<f32>,
    double: Option<f64>,
    string: Option<String>,
    bytes: Option<Vec<u8>>,
}

/// index, name, type, signed, length, notNull, typeDescription
type SpecModel = (i32, Option<String>, i32, bool, i32, bool, Option<String>);

#[derive(Debug, Clone)]
struct RowModel {
    schema: String,
    table: String,
    action: i32,
    /// Drawn apart from the column specs (a key is usually a subset of the columns, and
    /// a decoder that mixed the two lists up must not pass).
    key_specs: Vec<SpecModel>,
    column_specs: Vec<SpecModel>,
    key_rows: Vec<Vec<ValModel>>,
    col_rows: Vec<Vec<ValModel>>,
    table_id: Option<i64>,
}

#[derive(Debug, Clone)]
enum ChangeModel {
    Statement(StmtModel),
    RowId(i64, Option<i32>),
    Rows(Vec<RowModel>, Vec<(String, String)>),
    Fragment(i32, Vec<u8>, Option<String>),
    Query(StmtModel, i32, i32, i32),
}

#[derive(Debug, Clone)]
struct StmtModel {
    schema: Option<String>,
    timestamp: Option<i64>,
    query: Result<String, Vec<u8>>,
    options: Vec<(String, String)>,
    error_code: i32,
}

#[derive(Debug, Clone)]
struct EventModel {
    fragments: u8,
    epoch: i64,
    source_id: String,
    event_id: String,
    shard_id: String,
    tstamp: i64,
    extracted: i64,
    filtered: Option<(i64, i32)>,
    metadata: Vec<(String, String)>,
    changes: Vec<ChangeModel>,
}

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, NUL and supplementary characters included.
    proptest::collection::vec(any::<char>(), 0..12).prop_map(|c| c.into_iter().collect())
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((text(), text()), 0..3)
}

fn float() -> impl Strategy<Value = f32> {
    use proptest::num::f32::*;
    NORMAL | SUBNORMAL | ZERO | INFINITE | NEGATIVE | POSITIVE
}

fn double() -> impl Strategy<Value = f64> {
    use proptest::num::f64::*;
    NORMAL | SUBNORMAL | ZERO | INFINITE | NEGATIVE | POSITIVE
}

prop_compose! {
    fn val()(
        ty in 1..=13i32,
        int in proptest::option::of(any::<i32>()),
        long in proptest::option::of(any::<i64>()),
        float in proptest::option::of(float()),
        double in proptest::option::of(double()),
        string in proptest::option::of(text()),
        bytes in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8)),
    ) -> ValModel {
        ValModel { ty, int, long, float, double, string, bytes }
    }
}

fn spec() -> impl Strategy<Value = SpecModel> {
    (
        any::<i32>(),
        proptest::option::of(text()),
        -20..2020i32,
        any::<bool>(),
        any::<i32>(),
        any::<bool>(),
        proptest::option::of(text()),
    )
}

fn images() -> impl Strategy<Value = Vec<Vec<ValModel>>> {
    proptest::collection::vec(proptest::collection::vec(val(), 0..4), 0..3)
}

prop_compose! {
    fn row()(
        schema in text(),
        table in text(),
        action in 1..=3i32,
        key_specs in proptest::collection::vec(spec(), 0..4),
        column_specs in proptest::collection::vec(spec(), 0..4),
        key_rows in images(),
        col_rows in images(),
        table_id in proptest::option::of(any::<i64>()),
    ) -> RowModel {
        RowModel { schema, table, action, key_specs, column_specs, key_rows, col_rows, table_id }
    }
}

prop_compose! {
    fn stmt()(
        schema in proptest::option::of(text()),
        timestamp in proptest::option::of(any::<i64>()),
        query in prop_oneof![
            text().prop_map(Ok),
            proptest::collection::vec(any::<u8>(), 0..20).prop_map(Err)
        ],
        options in pairs(),
        error_code in any::<i32>(),
    ) -> StmtModel {
        StmtModel { schema, timestamp, query, options, error_code }
    }
}

fn change() -> impl Strategy<Value = ChangeModel> {
    prop_oneof![
        stmt().prop_map(ChangeModel::Statement),
        (any::<i64>(), proptest::option::of(1..=2i32))
            .prop_map(|(id, t)| ChangeModel::RowId(id, t)),
        (proptest::collection::vec(row(), 0..3), pairs())
            .prop_map(|(r, o)| ChangeModel::Rows(r, o)),
        (
            any::<i32>(),
            proptest::collection::vec(any::<u8>(), 0..40),
            proptest::option::of(text())
        )
            .prop_map(|(id, d, db)| ChangeModel::Fragment(id, d, db)),
        (stmt(), any::<i32>(), any::<i32>(), any::<i32>())
            .prop_map(|(s, id, a, b)| ChangeModel::Query(s, id, a, b)),
    ]
}

prop_compose! {
    fn event_model()(
        fragments in 1..=3u8,
        epoch in any::<i64>(),
        source_id in text(),
        event_id in text(),
        shard_id in text(),
        tstamp in any::<i64>(),
        extracted in any::<i64>(),
        filtered in proptest::option::of((0..100i64, 0..5i32)),
        metadata in pairs(),
        changes in proptest::collection::vec(change(), 0..4),
    ) -> EventModel {
        EventModel {
            fragments,
            epoch,
            source_id,
            event_id,
            shard_id,
            tstamp,
            extracted,
            filtered,
            metadata,
            changes,
        }
    }
}

fn options(p: &[(String, String)]) -> Vec<EventOption<'_>> {
    p.iter()
        .map(|(n, v)| EventOption { name: n, value: v })
        .collect()
}

fn statement(s: &StmtModel) -> StatementData<'_> {
    StatementData {
        default_schema: s.schema.as_deref(),
        timestamp: s.timestamp,
        query: s.query.as_ref().ok().map(String::as_str),
        options: options(&s.options),
        error_code: s.error_code,
        query_as_bytes: s.query.as_ref().err().map(Vec::as_slice),
    }
}

fn column_val(v: &ValModel) -> ColumnVal<'_> {
    ColumnVal {
        value_type: v.ty,
        int_value: v.int,
        long_value: v.long,
        float_value: v.float,
        double_value: v.double,
        string_value: v.string.as_deref(),
        bytes_value: v.bytes.as_deref(),
    }
}

fn one_row_change(r: &RowModel) -> OneRowChange<'_> {
    OneRowChange {
        schema_name: &r.schema,
        table_name: &r.table,
        action: Action::from_code(r.action),
        key_spec: specs(&r.key_specs),
        column_spec: specs(&r.column_specs),
        key_values: rows(&r.key_rows),
        column_values: rows(&r.col_rows),
        table_id: r.table_id,
    }
}

fn specs(models: &[SpecModel]) -> Vec<ColumnSpec<'_>> {
    models
        .iter()
        .map(|s| ColumnSpec {
            index: s.0,
            name: s.1.as_deref(),
            sql_type: s.2,
            signed: s.3,
            length: s.4,
            not_null: s.5,
            type_description: s.6.as_deref(),
        })
        .collect()
}

fn rows(rows: &[Vec<ValModel>]) -> RowImages<'_> {
    rows.iter().map(|r| r.iter().map(column_val)).collect()
}

fn build_change(c: &ChangeModel) -> Change<'_> {
    match c {
        ChangeModel::Statement(s) => Change::Statement(statement(s)),
        ChangeModel::RowId(id, t) => Change::RowId(RowIdData {
            id: *id,
            id_type: *t,
        }),
        ChangeModel::Rows(rows, opts) => Change::Rows(RowChangeData {
            row_changes: rows.iter().map(one_row_change).collect(),
            options: options(opts),
        }),
        ChangeModel::Fragment(id, data, db) => Change::FileFragment(LoadDataFileFragment {
            file_id: *id,
            data,
            database: db.as_deref(),
        }),
        ChangeModel::Query(s, id, a, b) => Change::FileQuery(LoadDataFileQuery {
            statement: statement(s),
            file_id: *id,
            filename_start_pos: *a,
            filename_end_pos: *b,
        }),
    }
}

/// The records of transaction `seqno` described by `m` (one per fragment).
fn build(m: &EventModel, seqno: i64) -> Vec<Event<'_>> {
    (0..m.fragments)
        .map(|frag| {
            let last = frag + 1 == m.fragments;
            Event {
                record: RecordHeader {
                    seqno,
                    fragno: i16::from(frag),
                    last_frag: last,
                    epoch: m.epoch,
                    source_id: JavaStr::encode(&m.source_id).unwrap(),
                    event_id: JavaStr::encode(&m.event_id).unwrap(),
                    shard_id: JavaStr::encode(&m.shard_id).unwrap(),
                    source_tstamp: m.tstamp,
                },
                header: Header {
                    seqno,
                    fragno: i32::from(frag),
                    last_frag: last,
                    source_tstamp: m.tstamp,
                    extracted_tstamp: m.extracted,
                    source_id: &m.source_id,
                    epoch_number: m.epoch,
                    event_id: &m.event_id,
                    shard_id: "#DEFAULT",
                    filtered_event: m.filtered.is_some(),
                    seqno_end: m.filtered.map(|f| seqno + f.0),
                    fragno_end: m.filtered.map(|f| f.1),
                },
                // Spec 8.1: filtered placeholders have no metadata, options or changes.
                body: if m.filtered.is_some() {
                    ReplDbmsEvent::default()
                } else {
                    ReplDbmsEvent {
                        changes: m.changes.iter().map(build_change).collect(),
                        metadata: options(&m.metadata),
                        options: options(&m.metadata),
                    }
                },
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_events_round_trip(
        models in proptest::collection::vec(event_model(), 1..8),
        max_file_size in 0..3000u64,
        checksums in any::<bool>(),
    ) {
        let built: Vec<Event<'_>> = models
            .iter()
            .enumerate()
            .flat_map(|(i, m)| build(m, i as i64 * 10))
            .collect();
        let tmp = write_log(&built, WriteOptions { max_file_size, checksums, ..Default::default() });
        let log = LogDir::open(tmp.path()).unwrap();
        let index = log.index(ReadOptions::default()).unwrap();
        index.check_sequence(&log).unwrap();
        prop_assert_eq!(index.max_seqno(), (models.len() as i64 - 1) * 10);
        let mut read = Vec::new();
        for (i, entry) in index.entries().iter().enumerate() {
            let file = log.open_file(&entry.file_name).unwrap();
            let records: Vec<_> = file.records(ReadOptions::default()).map(Result::unwrap).collect();
            // Spec 1.4: every non-first file starts with fragment 0 of its base seqno.
            if i > 0 {
                let first = records[0].event().unwrap();
                prop_assert_eq!((first.header.seqno, first.header.fragno), (entry.base_seqno, 0));
            }
            for r in &records {
                prop_assert_eq!(r.crc_type, u8::from(checksums));
                if let Some(e) = r.event() {
                    read.push(e.decode().unwrap().encode());
                }
            }
        }
        // Decoded events equal the written ones (compared through their encoding, which
        // is injective on the model, so that NaN-free float fields compare bit for bit).
        let written: Vec<Vec<u8>> = built.iter().map(Event::encode).collect();
        prop_assert_eq!(read.len(), written.len());
        prop_assert!(read == written);
        for (e, bytes) in built.iter().zip(&written) {
            let decoded = replog::thl::RecordKind::parse("mem", 0, bytes).unwrap();
            let RecordKind::Event(rec) = decoded else { panic!() };
            prop_assert_eq!(&rec.decode().unwrap(), e);
        }
    }
}

#[test]
fn names_of_files() {
    assert_eq!(file_name(1), "thl.data.0000000001");
    assert_eq!(file_name(2_147_483_646), "thl.data.2147483646");
    assert_eq!(replog::thl::next_index(2_147_483_646), 0);
    assert_eq!(replog::thl::file_index("thl.data.0000000042.gz"), Some(42));
}
