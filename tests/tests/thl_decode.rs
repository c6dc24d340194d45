//! Decoded event contents checked against README table 1.2 / 2 contents, the workload
//! described in README section 1, and the `thl list` examples of spec 13.2 (values and
//! metadata rendered by `thl list`'s renderer, display zone UTC, `-charset utf8`).

mod thl_common;

use replog::thl::event::{Action, Change, Event, OneRowChange, RowIdKind, StatementData, Value};
use replog::thl::java_text;
use replog_render::full;
use thl_common::{events, render_value, seqno, DIRS};

fn ts(millis: i64) -> String {
    let mut s = String::new();
    java_text::timestamp(&mut s, millis, 0, 0).unwrap();
    s
}

/// `k=v;k;...` as `thl list` prints METADATA.
fn metadata(e: &Event<'_>) -> String {
    let mut text = Vec::new();
    full::write_metadata(&mut text, &e.body.metadata).unwrap();
    String::from_utf8(text).unwrap()
}

fn statement<'a>(c: &'a Change<'static>) -> &'a StatementData<'static> {
    match c {
        Change::Statement(s) => s,
        other => panic!("expected a statement, got {other:?}"),
    }
}

fn row_changes<'a>(e: &'a Event<'static>) -> Vec<&'a OneRowChange<'static>> {
    e.body
        .changes
        .iter()
        .flat_map(|c| match c {
            Change::Rows(r) => r.row_changes.iter().collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Values of row `row` of the after (`columns`) or before image, rendered.
fn rendered(rc: &OneRowChange<'_>, row: usize, after: bool) -> Vec<String> {
    let (specs, rows) = if after {
        (&rc.column_spec, &rc.column_values)
    } else {
        (&rc.key_spec, &rc.key_values)
    };
    rows[row]
        .iter()
        .zip(specs)
        .map(|(v, s)| render_value(v, s))
        .collect()
}

#[test]
fn protobuf_header_agrees_with_the_record_header() {
    replog_tests::require_corpus!();
    // Spec 5.1: seqno, fragno, lastFrag, epoch, sourceId, eventId duplicate the protobuf
    // Header; sourceTstamp too except for filtered events; Header.shardId is #DEFAULT.
    for dir in DIRS {
        for e in events(dir) {
            let (r, h) = (&e.record, &e.header);
            assert_eq!(
                (h.seqno, h.fragno, h.last_frag),
                (r.seqno, i32::from(r.fragno), r.last_frag)
            );
            assert_eq!(
                (h.epoch_number, h.source_id, h.event_id),
                (r.epoch, r.source_id.text(), r.event_id.text())
            );
            assert_eq!(h.shard_id, "#DEFAULT");
            if !e.is_filtered() {
                assert_eq!(h.source_tstamp, r.source_tstamp);
                // The record's shard is the `shard` metadata, or #UNKNOWN (spec 5.1).
                assert_eq!(
                    e.metadata("shard").unwrap_or("#UNKNOWN"),
                    r.shard_id.text(),
                    "{dir} seqno {}",
                    r.seqno
                );
            }
        }
    }
}

#[test]
fn heartbeat_of_2_2_1_as_in_spec_13_2() {
    replog_tests::require_corpus!();
    let events = events("tungsten-2.2.1");
    let e = &seqno(&events, 0)[0];
    assert_eq!(ts(e.header.source_tstamp), "2015-01-10 00:32:17.0");
    assert_eq!(
        metadata(e),
        "mysql_server_id=1;dbms_type=mysql;is_metadata=true;service=repltest;\
         shard=tungsten_repltest;heartbeat=MASTER_ONLINE"
    );
    let [Change::Rows(rows)] = e.body.changes.as_slice() else {
        panic!("one row change expected")
    };
    let opts: Vec<_> = rows.options.iter().map(|o| (o.name, o.value)).collect();
    assert_eq!(opts, [("foreign_key_checks", "1"), ("unique_checks", "1")]);
    let [rc] = rows.row_changes.as_slice() else {
        panic!()
    };
    assert_eq!(
        (rc.action, rc.schema_name, rc.table_name),
        (Action::Update, "tungsten_repltest", "heartbeat")
    );
    assert_eq!(rc.row_count(), 1);
    assert_eq!(
        rendered(rc, 0, true),
        [
            "1",
            "NULL",
            "NULL",
            "2015-01-10 00:32:17.0",
            "NULL",
            "NULL",
            "1",
            "MASTER_ONLINE"
        ]
    );
    let indexes: Vec<_> = rc.column_spec.iter().map(|s| s.index).collect();
    assert_eq!(indexes, [1, 2, 3, 4, 5, 6, 7, 8]);
    // `-specs`: COL(index=8 name= type=12 [VARCHAR] length=0 unsigned=false ... desc=).
    let spec8 = rc.column_spec[7];
    assert_eq!(
        (spec8.name, spec8.sql_type, spec8.length, !spec8.signed),
        (None, 12, 0, false)
    );
    assert_eq!(java_text::sql_type_name(spec8.sql_type), Some("VARCHAR"));
    assert_eq!(spec8.type_description, None);
    // Heartbeats keep only the first key column: KEY(1: ) = 1.
    assert_eq!(rc.key_spec.iter().map(|s| s.index).collect::<Vec<_>>(), [1]);
    assert_eq!(rendered(rc, 0, false), ["1"]);
    // Spec 6.7: BINARYSTRING without -charset is the bytes themselves.
    assert_eq!(
        rc.column_values[0][7].value(),
        Value::BinaryString(b"MASTER_ONLINE")
    );
}

#[test]
fn statement_of_2_2_1_as_in_spec_13_2() {
    replog_tests::require_corpus!();
    let events = events("tungsten-2.2.1");
    let e = &seqno(&events, 1)[0];
    assert_eq!(ts(e.header.source_tstamp), "2015-01-10 00:32:39.0");
    assert_eq!(
        metadata(e),
        "mysql_server_id=1;unsafe_for_block_commit;dbms_type=mysql;service=repltest;shard=test"
    );
    let [c] = e.body.changes.as_slice() else {
        panic!()
    };
    let s = statement(c);
    let opts: Vec<String> = s
        .options
        .iter()
        .map(|o| format!("{} = {}", o.name, o.value))
        .collect();
    assert_eq!(
        opts.join(", "),
        "##charset = UTF-8, autocommit = 1, sql_auto_is_null = 0, foreign_key_checks = 1, \
         unique_checks = 1, sql_mode = 'NO_ENGINE_SUBSTITUTION', character_set_client = 33, \
         collation_connection = 33, collation_server = 33"
    );
    assert_eq!(s.default_schema, Some("test"));
    // README: statements are stored as bytes with ##charset = UTF-8.
    assert_eq!(s.query, None);
    assert_eq!(s.charset(), Some("UTF-8"));
    assert_eq!(
        s.query_bytes(),
        b"DROP TABLE IF EXISTS `all_mysql_types` /* generated by server */"
    );
    assert_eq!(s.error_code, 0);
    // Seqno 2: CREATE TABLE (spec 13.5 shows its first and last line).
    let create = statement(&seqno(&events, 2)[0].body.changes[0]).query_bytes();
    let create = std::str::from_utf8(create).unwrap();
    assert!(
        create.starts_with("CREATE TABLE `all_mysql_types` ("),
        "{create}"
    );
    assert!(
        create.ends_with(") ENGINE=InnoDB DEFAULT CHARSET=utf8"),
        "{create}"
    );
    // Seqno 6: TRUNCATE.
    let truncate = statement(&seqno(&events, 6)[0].body.changes[0]).query_bytes();
    assert!(
        truncate.starts_with(b"TRUNCATE"),
        "{}",
        String::from_utf8_lossy(truncate)
    );
}

/// The workload row of README section 1, as spec 6.5 renders it, for the extractor JVM's
/// TIME rendering (`time`); the TIMESTAMP column (NOW()) is checked separately.
fn workload_row(id: &str, time: &str) -> Vec<String> {
    [
        id,
        "1",
        "5",
        "0",
        "500",
        "50000",
        "50000000",
        "6666666",
        "10.50000",
        "10.55",
        "500.11",
        "2014-01-31",
        "2014-01-30 01:30:02",
        "NOW",
        time,
        "2013",
        "abcdef",
        "abcdefgh",
        "tiny text",
        "text",
        "medium text",
        "long text",
        "2",
        "2",
    ]
    .map(String::from)
    .to_vec()
}

fn check_row(actual: Vec<String>, expected: Vec<String>, context: &str) {
    assert_eq!(actual.len(), 24, "{context}: 24 columns");
    for (i, (a, x)) in actual.iter().zip(&expected).enumerate() {
        if x != "NOW" {
            assert_eq!(a, x, "{context}: column {}", i + 1);
        }
    }
}

#[test]
fn workload_rows_of_the_real_logs() {
    replog_tests::require_corpus!();
    // README 1: TIME '11:12:13' is 19:12:13 UTC in 2.2.1 (JVM at UTC-8) and 11:12:13 in
    // 3.1.0; both print as full timestamps (spec 6.5 note).
    for (dir, time) in [
        ("tungsten-2.2.1", "1970-01-01 19:12:13.0"),
        ("tungsten-3.1.0", "1970-01-01 11:12:13.0"),
    ] {
        let events = events(dir);
        let insert = &seqno(&events, 3)[0];
        let [rc] = row_changes(insert)[..] else {
            panic!()
        };
        assert_eq!(
            (rc.action, rc.schema_name, rc.table_name),
            (Action::Insert, "test", "all_mysql_types")
        );
        assert_eq!((rc.column_values.len(), rc.key_values.len()), (2, 0));
        check_row(rendered(rc, 0, true), workload_row("1", time), dir);
        check_row(rendered(rc, 1, true), workload_row("2", time), dir);
        // NOW(): a TIMESTAMP within a minute of the commit.
        let Value::Timestamp { millis, .. } = rc.column_values[0][13].value() else {
            panic!("column 14 is a TIMESTAMP")
        };
        assert!((millis - insert.record.source_tstamp).abs() < 60_000);
        // Spec 6.7 spec types: DATETIME as DATE (91), BIGINT as INTEGER/8.
        assert_eq!(rc.column_spec[12].sql_type, 91);
        assert_eq!(
            (rc.column_spec[7].sql_type, rc.column_spec[7].length),
            (4, 8)
        );

        // Seqno 4: update row 1, bit to 0 and decimal to 11.6; before and after images.
        let update = seqno(&events, 4);
        let [rc] = row_changes(&update[0])[..] else {
            panic!()
        };
        assert_eq!(
            (rc.action, rc.key_values.len(), rc.column_values.len()),
            (Action::Update, 1, 1)
        );
        let mut after = workload_row("1", time);
        after[1] = "0".into();
        after[8] = "11.60000".into();
        check_row(rendered(rc, 0, true), after, dir);
        check_row(rendered(rc, 0, false), workload_row("1", time), dir);

        // Seqno 5: delete row 2 (before image only).
        let delete = seqno(&events, 5);
        let [rc] = row_changes(&delete[0])[..] else {
            panic!()
        };
        assert_eq!(
            (rc.action, rc.key_values.len(), rc.column_values.len()),
            (Action::Delete, 1, 0)
        );
        check_row(rendered(rc, 0, false), workload_row("2", time), dir);
    }
}

#[test]
fn load_data_of_the_real_logs() {
    replog_tests::require_corpus!();
    // 2.2.1: seqno 7 in three fragments: file fragment (id 339, 179 bytes), the LOAD DATA
    // query, an empty last fragment (spec 8.2, 13.2).
    let events_221 = events("tungsten-2.2.1");
    let frags = seqno(&events_221, 7);
    assert_eq!(frags.len(), 3);
    assert_eq!(ts(frags[0].header.source_tstamp), "2015-01-10 00:32:41.0");
    assert_eq!(
        metadata(&frags[0]),
        "mysql_server_id=1;dbms_type=mysql;service=repltest;shard=test"
    );
    let [Change::FileFragment(f)] = frags[0].body.changes.as_slice() else {
        panic!()
    };
    assert_eq!(
        (f.file_id, f.data.len(), f.database),
        (339, 179, Some("test"))
    );
    let [Change::FileQuery(q)] = frags[1].body.changes.as_slice() else {
        panic!()
    };
    assert_eq!(q.file_id, 339);
    check_load_query(
        q.statement.query_bytes(),
        q.filename_start_pos,
        q.filename_end_pos,
    );
    assert!(frags[2].body.changes.is_empty());
    let names: Vec<_> = frags[2].body.metadata.iter().map(|o| o.name).collect();
    assert_eq!(names, ["dbms_type", "service", "shard"]);
    // Spec 13.3 example: `-headers` time of fragment 1 comes from the fixed header.
    assert_eq!(ts(frags[1].record.source_tstamp), "2015-01-10 00:32:41.0");

    // 3.1.0: one record holds both the fragment (file id 340) and the query.
    let events_310 = events("tungsten-3.1.0");
    let [e] = seqno(&events_310, 7).try_into().unwrap();
    let [Change::FileFragment(f), Change::FileQuery(q)] = e.body.changes.as_slice() else {
        panic!("{:?}", e.body.changes)
    };
    assert_eq!((f.file_id, f.data.len(), q.file_id), (340, 179, 340));
    check_load_query(
        q.statement.query_bytes(),
        q.filename_start_pos,
        q.filename_end_pos,
    );
    assert_eq!(e.metadata("tz_aware"), Some("true"));
}

/// Spec 7.3: positions 9..48 cover ` INFILE '<file name>' INTO` after `LOAD DATA`.
fn check_load_query(query: &[u8], start: i32, end: i32) {
    assert_eq!((start, end), (9, 48));
    let query = std::str::from_utf8(query).unwrap();
    assert!(query.starts_with("LOAD DATA"), "{query}");
    let span = &query[9..48];
    assert!(
        span.starts_with(" INFILE '") && span.ends_with("' INTO"),
        "{span}"
    );
}

#[test]
fn value_zoo_of_the_synthetic_log() {
    replog_tests::require_corpus!();
    // Spec 13.2 "Value zoo" (seqno 1, -charset utf8) and its second row.
    let events = events("synthetic-4.1.0");
    let e = &seqno(&events, 1)[0];
    let [rc] = row_changes(e)[..] else { panic!() };
    assert_eq!(
        (rc.action, rc.schema_name, rc.table_name),
        (Action::Insert, "app1", "types")
    );
    let names: Vec<_> = rc.column_spec.iter().map(|s| s.name.unwrap()).collect();
    assert_eq!(
        names,
        [
            "c_int",
            "c_bigint",
            "c_float",
            "c_double",
            "c_dec",
            "c_str",
            "c_bin",
            "c_ts",
            "c_date",
            "c_datetime",
            "c_time",
            "c_blob",
            "c_bit",
            "c_enum",
            "c_null"
        ]
    );
    assert_eq!(
        rc.column_spec
            .iter()
            .filter(|s| s.type_description.is_some())
            .count(),
        1
    );
    assert_eq!(rc.column_values.len(), 2);
    let row = rendered(rc, 0, true);
    let blob = format!("{}<...>", "x".repeat(1000));
    let expected = [
        "-42",
        "-9000000000",
        "1.0E10",
        "1.0E-5",
        "-12.345",
        "café 😀",
        "biné",
        "2015-01-01 00:00:01.123456789",
        "2015-01-01",
        "2015-01-01 01:02:03",
        "01:02:03",
        blob.as_str(),
        "5",
        "2",
        "NULL",
    ];
    assert_eq!(row, expected);
    assert!(matches!(rc.column_values[0][11].value(), Value::Blob(b) if b.len() == 1005));
    // README 2, seqno 1: the stored value types, and ENUM with spec type OTHER (1111).
    use replog::thl::event::ValueType as T;
    let kinds: Vec<_> = rc.column_values[0]
        .iter()
        .map(|v| v.kind().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            T::Int,
            T::Long,
            T::Float,
            T::Double,
            T::Decimal,
            T::String,
            T::BinaryString,
            T::Timestamp,
            T::Date,
            T::Date,
            T::Time,
            T::Blob,
            T::Bit,
            T::Int,
            T::Null
        ]
    );
    assert_eq!(rc.column_spec[13].sql_type, 1111);
    assert_eq!(java_text::sql_type_name(1111), Some("OTHER"));
    let row2 = rendered(rc, 1, true);
    assert_eq!(row2[7], "0", "zero timestamp");
    assert_eq!(row2[8], "0", "zero date");
    assert_eq!(row2[9], "2015-01-01 01:02:03.500000000");
    assert_eq!(row2[10], "1970-01-01 01:02:03.00025");
    assert_eq!(row2[5], "", "empty string");
    assert!(matches!(rc.column_values[1][11].value(), Value::Blob(b) if b.len() == 5));
}

#[test]
fn special_events_of_the_synthetic_log() {
    replog_tests::require_corpus!();
    for dir in ["synthetic-4.1.0", "synthetic-4.1.0-nocrc"] {
        let events = events(dir);
        // Seqno 0: statement stored as a string.
        let s0 = statement(&seqno(&events, 0)[0].body.changes[0]).clone();
        assert!(s0.query.is_some() && s0.query_as_bytes.is_none());
        assert_eq!(s0.default_schema, Some("app1"));

        // Seqno 2: UPDATE app1.t1 and DELETE app2.t9, shard #UNKNOWN.
        let e2 = &seqno(&events, 2)[0];
        let tables: Vec<_> = row_changes(e2)
            .iter()
            .map(|rc| (rc.schema_name, rc.table_name, rc.action))
            .collect();
        assert_eq!(
            tables,
            [
                ("app1", "t1", Action::Update),
                ("app2", "t9", Action::Delete)
            ]
        );
        assert_eq!(e2.record.shard_id.text(), "#UNKNOWN");

        // Seqno 3: filtered placeholder for 3..5 (spec 8.1, 13.2).
        let [f] = seqno(&events, 3).try_into().unwrap();
        assert!(f.is_filtered());
        assert_eq!(
            (f.header.seqno_end, f.header.fragno_end, f.record.fragno),
            (Some(5), Some(0), 0)
        );
        assert_eq!(
            f.record.event_id.text(),
            "mysql-bin.000002:0000000000002500;35"
        );
        assert_eq!((f.record.epoch, f.record.source_id.text()), (3, "db01"));
        assert_eq!(f.record.shard_id.text(), "#UNKNOWN");
        assert_eq!(ts(f.header.source_tstamp), "2015-01-01 00:00:03.0");
        assert_eq!(
            f.body,
            Default::default(),
            "no metadata, options or changes"
        );
        assert_eq!(
            *f.encode().last().unwrap(),
            0x00,
            "the empty event message is `00`"
        );
        assert!(seqno(&events, 4).is_empty() && seqno(&events, 5).is_empty());

        // Seqno 6: three fragments, lastFrag only on the last; same service and shard.
        let frags = seqno(&events, 6);
        let shape: Vec<_> = frags
            .iter()
            .map(|e| (e.record.fragno, e.record.last_frag))
            .collect();
        assert_eq!(shape, [(0, false), (1, false), (2, true)]);
        for e in &frags {
            assert_eq!(e.metadata("service"), frags[0].metadata("service"));
            assert_eq!(e.metadata("shard"), frags[0].metadata("shard"));
        }

        // Seqno 7 (spec 13.2 "Row ids").
        let e7 = &seqno(&events, 7)[0];
        let [Change::RowId(a), Change::RowId(b), Change::Statement(s)] = e7.body.changes.as_slice()
        else {
            panic!("{:?}", e7.body.changes)
        };
        assert_eq!((a.kind(), a.id), (RowIdKind::LastInsertId, 55));
        assert_eq!((b.kind(), b.id), (RowIdKind::InsertId, 56));
        assert_eq!(
            s.query,
            Some("INSERT INTO t1 VALUES (NULL, LAST_INSERT_ID())")
        );
        assert_eq!(s.default_schema, Some("app1"));
        let opts: Vec<_> = s.options.iter().map(|o| (o.name, o.value)).collect();
        assert_eq!(opts, [("autocommit", "1"), ("sql_mode", "''")]);

        // Seqno 8: no changes, metadata only heartbeat=NIGHTLY (spec 13.2).
        let e8 = &seqno(&events, 8)[0];
        assert!(e8.body.changes.is_empty());
        assert_eq!(metadata(e8), "heartbeat=NIGHTLY");
        assert_eq!(ts(e8.header.source_tstamp), "2015-01-01 00:00:06.0");
        assert_eq!(
            e8.record.event_id.text(),
            "mysql-bin.000002:0000000000004100;-1"
        );

        // Seqno 10: bytes in ISO-8859-1.
        let s10 = statement(&seqno(&events, 10)[0].body.changes[0]).clone();
        assert!(s10.query.is_none() && s10.query_as_bytes.is_some());
        assert_eq!(s10.charset(), Some("ISO-8859-1"));

        // Seqnos 11..22: filler statements cycling over app0, app1, app2.
        for n in 11..=22 {
            let e = &seqno(&events, n)[0];
            assert_eq!(
                e.record.shard_id.text(),
                ["app0", "app1", "app2"][(n as usize - 11) % 3]
            );
            assert!(matches!(e.body.changes.as_slice(), [Change::Statement(_)]));
        }
    }
}
