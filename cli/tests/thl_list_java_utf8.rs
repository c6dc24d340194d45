//! Malformed UTF-8 in BLOBs and byte strings: `thl list -charset utf8` prints what the
//! reference Java `thl` prints, byte for byte. Java decodes both with the JDK's UTF-8
//! decoder (`new String(bytes, UTF_8)`), which cuts some malformed sequences differently
//! from Rust's lossy decoding (an encoded surrogate, `ED A0..BF 80..BF`, is one U+FFFD in
//! Java and three in Rust). The log is written by replog's writer and holds each byte
//! sequence below as a BLOB and as a BINARYSTRING.

mod common;

use std::process::Command;

use common::thl;
use replog::thl::event::{
    Action, Change, ColumnSpec, ColumnVal, Header, OneRowChange, ReplDbmsEvent, RowChangeData,
    RowImages, ValueType,
};
use replog::thl::writer::{LogWriter, WriteOptions};
use replog::thl::{Event, JavaStr, RecordHeader};

/// Malformed (and a few well-formed) sequences, each between ASCII letters, at the end of
/// a value, and alone.
const SEQUENCES: &[&[u8]] = &[
    // Encoded surrogates, whole and cut short.
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xed\xa0",
    b"\xed\xb0",
    b"\xed\xa0\x80\xed\xb0\x80",
    b"\xed\xa0\x80\x80",
    b"\xed\xa0\xc0",
    b"\xed\xa0\xf0\x9f\x98\x80",
    b"\xed",
    b"\xed\x80",
    b"\xed\x9f\xbf",
    // Overlong forms.
    b"\xc0\xaf",
    b"\xc1\x81",
    b"\xe0\x80\x80",
    b"\xe0\x9f\xbf",
    b"\xf0\x80\x80\x80",
    b"\xf0\x8f\xbf\xbf",
    // Above U+10FFFF, and bytes that never start a sequence.
    b"\xf4\x90\x80\x80",
    b"\xf5\x80\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xff",
    b"\xfe\xff",
    // Continuation bytes without a start.
    b"\x80",
    b"\xbf\x80\x80",
    // Sequences cut short.
    b"\xc3",
    b"\xe2\x82",
    b"\xe0\xa0",
    b"\xf0\x9f\x98",
    b"\xf0\x9f",
    b"\xf4\x8f\xbf",
    // Well-formed, at the edges of the ranges.
    b"\xc2\x80",
    b"\xef\xbf\xbf",
    b"\xf0\x90\x80\x80",
    b"\xf4\x8f\xbf\xbf",
];

#[test]
fn malformed_utf8_is_listed_as_java_lists_it() {
    let Some(reference) = reference_thl() else {
        replog_tests::skip_unless_required!(
            "the reference Java thl (../shared/tools/ref-thl/thl and java on the PATH)",
            "install a JDK and the shared tools beside the checkout"
        );
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("thl");
    write_log(&dir);
    let conf = tmp.path().join("static-alpha.properties");
    std::fs::write(
        &conf,
        format!("replicator.store.thl.log_dir={}\n", dir.display()),
    )
    .unwrap();
    let java = Command::new(&reference)
        .arg("-conf")
        .arg(&conf)
        .args(["list", "-charset", "utf8"])
        // The JVM writes its text in UTF-8 and its times in UTC, as replog does.
        .env("JVM_OPTIONS", "-Dfile.encoding=UTF-8 -Duser.timezone=UTC")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(java.status.success(), "{java:?}");
    let ours = thl(&["-dir", dir.to_str().unwrap(), "list", "-charset", "utf8"]).ok();
    let java = String::from_utf8(java.stdout).expect("Java writes UTF-8");
    // Every value was listed, and some were malformed.
    let values = SEQUENCES.len() * 3 * 2;
    assert_eq!(ours.matches("  - COL(").count(), values, "{ours}");
    assert!(ours.contains('\u{fffd}'));
    for (n, (java, ours)) in java.lines().zip(ours.lines()).enumerate() {
        assert_eq!(ours, java, "line {n}: replog, then Java");
    }
    assert_eq!(ours, java);
}

/// One transaction per sequence: one inserted row of a BLOB and a BINARYSTRING column
/// holding it between letters, then the same at the end of a value, then alone.
fn write_log(dir: &std::path::Path) {
    let mut writer = LogWriter::create(dir, WriteOptions::default()).unwrap();
    for (seqno, sequence) in SEQUENCES.iter().enumerate() {
        let seqno = seqno as i64;
        let between = [b"a", *sequence, b"z"].concat();
        let at_end = [b"a", *sequence].concat();
        let values: Vec<&[u8]> = vec![&between, &at_end, sequence];
        let row: Vec<ColumnVal<'_>> = values
            .iter()
            .flat_map(|&bytes| {
                [ValueType::Blob, ValueType::BinaryString].map(|value_type| ColumnVal {
                    bytes_value: Some(bytes),
                    ..ColumnVal::empty(value_type)
                })
            })
            .collect();
        let specs = (0..row.len())
            .map(|i| ColumnSpec {
                index: i as i32 + 1,
                name: None,
                // java.sql.Types BLOB and VARBINARY.
                sql_type: if i % 2 == 0 { 2004 } else { -3 },
                signed: true,
                length: 0,
                not_null: false,
                type_description: None,
            })
            .collect();
        let change = OneRowChange {
            schema_name: "test",
            table_name: "bytes",
            action: Action::Insert,
            key_spec: vec![],
            column_spec: specs,
            key_values: RowImages::new(),
            column_values: [row].into_iter().collect(),
            table_id: Some(70),
        };
        let java = |s| JavaStr::encode(s).unwrap();
        let event_id = format!("mysql-bin.000001:{:016};-1", 4 + seqno * 100);
        let millis = 1_709_542_800_000 + seqno;
        let event = Event {
            record: RecordHeader {
                seqno,
                fragno: 0,
                last_frag: true,
                epoch: 0,
                source_id: java("db1"),
                event_id: java(&event_id),
                shard_id: java("test"),
                source_tstamp: millis,
            },
            header: Header {
                seqno,
                fragno: 0,
                last_frag: true,
                source_tstamp: millis,
                extracted_tstamp: millis,
                source_id: "db1",
                epoch_number: 0,
                event_id: &event_id,
                shard_id: "#DEFAULT",
                filtered_event: false,
                seqno_end: None,
                fragno_end: None,
            },
            body: ReplDbmsEvent {
                changes: vec![Change::Rows(RowChangeData {
                    row_changes: vec![change],
                    options: vec![],
                })],
                metadata: vec![],
                options: vec![],
            },
        };
        writer.append(&event).unwrap();
    }
    writer.finish().unwrap();
}

/// The reference tool, when it and `java` are there.
fn reference_thl() -> Option<std::path::PathBuf> {
    let tool = replog_tests::shared_corpus_root()
        .parent()?
        .join("tools/ref-thl/thl");
    let java = Command::new("java").arg("-version").output();
    (tool.is_file() && java.is_ok_and(|o| o.status.success())).then_some(tool)
}
