//! Conformance of the binary-log reader with the shared corpus.
//!
//! The expected facts come from `fixtures/binlog/README.md` itself (parsed here), which
//! was written from an independent parser: every one of the 38 files is checked for
//! server version, checksum algorithm, size, event count and event type counts, and the
//! special facts of individual files are checked in the tests below. Event type names
//! are mapped to codes with the servers' numbering (`Log_event_type`), written out here
//! rather than taken from the library.
//!
//! Row decoding lives in `binlog::rows`; these tests use the framing iterator and the
//! non-row decoders only, so they hold whatever the row decoder does.

use std::collections::BTreeMap;
use std::path::PathBuf;

use replog::binlog::events::incident::Incident;
use replog::binlog::{
    BinlogError, ChecksumAlg, Event, EventType, Frames, InnerEvents, RawEvent, ReadOptions, Reader,
};
use replog::ErrorKind;
use replog_tests::shared_fixture;

/// The servers' type codes for the README's names.
fn code_of(name: &str) -> u8 {
    match name {
        "QUERY" => 2,
        "STOP" => 3,
        "ROTATE" => 4,
        "INTVAR" => 5,
        "APPEND_BLOCK" => 9,
        "RAND" => 13,
        "USER_VAR" => 14,
        "FDE" => 15,
        "XID" => 16,
        "BEGIN_LOAD_QUERY" => 17,
        "EXECUTE_LOAD_QUERY" => 18,
        "TABLE_MAP" => 19,
        "PRE_GA_WRITE_ROWS" => 20,
        "PRE_GA_UPDATE_ROWS" => 21,
        "PRE_GA_DELETE_ROWS" => 22,
        "WRITE_ROWS_V1" => 23,
        "UPDATE_ROWS_V1" => 24,
        "DELETE_ROWS_V1" => 25,
        "INCIDENT" => 26,
        "WRITE_ROWS" => 30,
        "UPDATE_ROWS" => 31,
        "DELETE_ROWS" => 32,
        "GTID" => 33,
        "ANONYMOUS_GTID" => 34,
        "PREVIOUS_GTIDS" => 35,
        "PARTIAL_UPDATE_ROWS" => 39,
        "TRANSACTION_PAYLOAD" => 40,
        "GTID_TAGGED" => 42,
        "MARIADB_ANNOTATE_ROWS" => 160,
        "MARIADB_BINLOG_CHECKPOINT" => 161,
        "MARIADB_GTID" => 162,
        "MARIADB_GTID_LIST" => 163,
        other => panic!("README names an event type this test does not know: {other}"),
    }
}

/// One file's facts as the README states them.
#[derive(Debug, Default)]
struct Facts {
    file: String,
    server: Option<String>,
    fde_count: usize,
    checksum: String,
    bytes: usize,
    events: usize,
    types: BTreeMap<u8, usize>,
    payload_types: BTreeMap<u8, usize>,
    special: String,
}

fn number(s: &str) -> usize {
    s.trim()
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

fn readme() -> Vec<Facts> {
    let text = std::fs::read_to_string(shared_fixture("binlog/README.md")).unwrap();
    let mut all: Vec<Facts> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("### `").and_then(|l| l.strip_suffix('`')) {
            all.push(Facts {
                file: name.to_string(),
                fde_count: 1,
                ..Facts::default()
            });
            continue;
        }
        let Some(f) = all.last_mut() else { continue };
        if let Some(rest) = line.strip_prefix("- Server: ") {
            let parts: Vec<&str> = rest.split("; ").collect();
            assert_eq!(parts.len(), 4, "server line of {}", f.file);
            let server = parts[0];
            if let Some((v, note)) = server.split_once(" (") {
                f.server = Some(v.to_string());
                f.fde_count = number(note.split_whitespace().next().unwrap());
            } else if server != "–" {
                f.server = Some(server.to_string());
            } else {
                f.fde_count = 0;
            }
            f.checksum = parts[1].trim_start_matches("binlog_checksum: ").to_string();
            f.bytes = number(parts[2].trim_end_matches(" bytes"));
            f.events = number(parts[3].split_whitespace().next().unwrap());
        } else if let Some(rest) = line.strip_prefix("- Event types: ") {
            if rest == "(none)" {
                continue;
            }
            for item in rest.split(", ") {
                let (target, item) = match item.strip_prefix("(in payload) ") {
                    Some(i) => (&mut f.payload_types, i),
                    None => (&mut f.types, item),
                };
                let (name, n) = match item.split_once('×') {
                    Some((name, n)) => (name, number(n)),
                    None => (item, 1),
                };
                *target.entry(code_of(name)).or_default() += n;
            }
        } else if let Some(rest) = line.strip_prefix("- Special: ") {
            f.special = rest.to_string();
        }
    }
    all
}

fn path_of(file: &str) -> PathBuf {
    shared_fixture(&format!("binlog/{file}"))
}

fn raw_events(data: &[u8]) -> (Vec<RawEvent<'_>>, Vec<replog::Error>, Frames<'_>) {
    let mut frames = Frames::new("corpus", data, ReadOptions::default()).unwrap();
    let (mut ok, mut errs) = (Vec::new(), Vec::new());
    for r in frames.by_ref() {
        match r {
            Ok(ev) => ok.push(ev),
            Err(e) => errs.push(e),
        }
    }
    (ok, errs, frames)
}

#[test]
fn readme_lists_every_file_in_the_directory() {
    replog_tests::require_corpus!();
    let facts = readme();
    let mut on_disk = Vec::new();
    for dir in ["binlog", "binlog/tungsten"] {
        for e in std::fs::read_dir(shared_fixture(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() && p.file_name().unwrap() != "README.md" {
                let rel = p.strip_prefix(shared_fixture("binlog")).unwrap();
                on_disk.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = facts.iter().map(|f| f.file.clone()).collect();
    listed.sort();
    assert_eq!(listed, on_disk);
    assert_eq!(listed.len(), 38);
}

#[test]
fn every_file_matches_its_readme_facts() {
    replog_tests::require_corpus!();
    for f in readme() {
        let data = std::fs::read(path_of(&f.file)).unwrap();
        assert_eq!(data.len(), f.bytes, "{}: size", f.file);
        let (events, errors, frames) = raw_events(&data);
        assert_eq!(events.len(), f.events, "{}: event count", f.file);

        let mut types = BTreeMap::new();
        for ev in &events {
            *types.entry(ev.header.type_code).or_insert(0usize) += 1;
        }
        assert_eq!(types, f.types, "{}: event types (raw codes)", f.file);

        let fdes: Vec<_> = events
            .iter()
            .filter(|e| e.event_type == EventType::FORMAT_DESCRIPTION)
            .collect();
        assert_eq!(fdes.len(), f.fde_count, "{}: FDE count", f.file);

        let ctx = frames.context();
        match &f.server {
            Some(v) => assert_eq!(&ctx.server_version, v, "{}: server version", f.file),
            None => assert!(fdes.is_empty()),
        }
        match f.checksum.as_str() {
            "CRC32" => {
                assert_eq!(
                    (ctx.checksum, ctx.checksum_declared),
                    (ChecksumAlg::Crc32, true)
                );
                // "Every CRC32 checksum in these files verifies."
                for ev in &events {
                    assert_eq!(ev.checksum_ok, Some(true), "{} at {}", f.file, ev.offset);
                }
            }
            "NONE" => {
                assert_eq!(
                    (ctx.checksum, ctx.checksum_declared),
                    (ChecksumAlg::None, true)
                );
                assert!(events.iter().all(|e| e.checksum_ok.is_none()));
            }
            "none (pre-5.6.1 format)" => {
                assert_eq!(
                    (ctx.checksum, ctx.checksum_declared),
                    (ChecksumAlg::None, false)
                );
            }
            "–" => assert!(fdes.is_empty()),
            other => panic!("{}: unexpected checksum text {other}", f.file),
        }

        if let Some(fde) = fdes.first() {
            let in_use = f.special.contains("in-use flag set");
            assert_eq!(fde.header.in_use(), in_use, "{}: in-use flag", f.file);
        }

        // Only the files truncated on purpose end in an error.
        let truncated = f.file.starts_with("binlog_truncated");
        assert_eq!(
            errors.len(),
            usize::from(truncated),
            "{}: {errors:?}",
            f.file
        );
    }
}

#[test]
fn truncated_files_report_truncation_where_the_readme_says() {
    replog_tests::require_corpus!();
    for (file, offset, good) in [
        ("binlog_truncated_event.000001", 4, 0),
        ("binlog_truncated_prev_gtid_event.000001", 120, 1),
    ] {
        let data = std::fs::read(path_of(file)).unwrap();
        let items: Vec<_> = Reader::new(file, &data).unwrap().collect();
        assert_eq!(items.len(), good + 1, "{file}");
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.offset, offset, "{file}");
        assert!(
            matches!(err.kind, ErrorKind::Binlog(BinlogError::Truncated { .. })),
            "{file}: {err}"
        );
        assert!(err.to_string().contains(file));
    }
}

#[test]
fn corrupt_query_stops_strict_mode_and_is_skipped_permissively() {
    replog_tests::require_corpus!();
    let file = "corrupt-relay-bin.000624";
    let data = std::fs::read(path_of(file)).unwrap();

    // Strict: everything before the corrupt event decodes, then the error names it.
    let items: Vec<_> = Reader::new(file, &data).unwrap().collect();
    let (last, before) = items.split_last().unwrap();
    assert!(before.iter().all(|r| r.is_ok()));
    let err = last.as_ref().unwrap_err();
    assert_eq!(err.offset, 91204);
    match &err.kind {
        ErrorKind::Binlog(BinlogError::Body { event, at, .. }) => {
            assert_eq!(*event, "QUERY_EVENT");
            // The status variables start after the 19-byte header and 13-byte post-header.
            assert_eq!(*at, 91204 + 19 + 13);
        }
        other => panic!("unexpected {other:?}"),
    }
    // The declared status-variable length (the post-header's last field, at offset 11
    // in MySQL's layout) runs far past the end of the 171-byte event.
    let status_len = u16::from_le_bytes([data[91204 + 19 + 11], data[91204 + 19 + 12]]);
    assert!(usize::from(status_len) > 171);

    // Permissive: one error, every other event decodes, ending with the ROTATE.
    let items: Vec<_> = Reader::with_options(file, &data, ReadOptions::permissive())
        .unwrap()
        .collect();
    assert_eq!(items.len(), 874);
    let errors: Vec<String> = items
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors, [err.to_string()], "the strict error, once");
    let Ok(last) = items.last().unwrap() else {
        panic!()
    };
    match &last.event {
        Event::Rotate(r) => assert_eq!(r.next_file, b"relay-bin.000625"),
        other => panic!("expected ROTATE, got {other:?}"),
    }
}

#[test]
fn relay_logs_carry_two_fdes_and_a_fake_rotate() {
    replog_tests::require_corpus!();
    // corrupt-relay-bin: replica FDE (5.0.46-enterprise, server 20162), fake ROTATE to
    // mysql-bin.010260:230184, source FDE (5.0.30-enterprise, server 20160), then
    // statements from server 10909.
    let data = std::fs::read(path_of("corrupt-relay-bin.000624")).unwrap();
    let evs: Vec<_> = Reader::new("r", &data)
        .unwrap()
        .take(4)
        .map(Result::unwrap)
        .collect();
    match &evs[0].event {
        Event::FormatDescription(f) => {
            assert!(f.start.server_version.starts_with(b"5.0.46-enterprise"))
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(evs[0].raw.header.server_id, 20162);
    match &evs[1].event {
        Event::Rotate(r) => assert_eq!(
            (r.next_file, r.position),
            (&b"mysql-bin.010260"[..], 230184)
        ),
        e => panic!("{e:?}"),
    }
    assert_eq!(evs[2].raw.header.server_id, 20160);
    assert_eq!(evs[3].raw.header.server_id, 10909);

    // bug33029: replica FDE (server 2), fake ROTATE with timestamp 0 and log_pos 0,
    // source FDE (server 1); 11 INSERT_ID events.
    let data = std::fs::read(path_of("bug33029-slave-relay-bin.000001")).unwrap();
    let evs: Vec<_> = Reader::new("r", &data)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(evs[0].raw.header.server_id, 2);
    assert_eq!(evs[1].raw.event_type, EventType::ROTATE);
    assert_eq!(
        (evs[1].raw.header.timestamp, evs[1].raw.header.log_pos),
        (0, 0)
    );
    assert_eq!(evs[2].raw.header.server_id, 1);
    let insert_ids = evs
        .iter()
        .filter(|e| matches!(&e.event, Event::Intvar(i) if i.kind == 2))
        .count();
    assert_eq!(insert_ids, 11);

    // binlog_savepoint: fake ROTATE (log_pos 0) naming master-bin.000003.
    let data = std::fs::read(path_of("binlog_savepoint.000001")).unwrap();
    let evs: Vec<_> = Reader::new("r", &data)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(evs[1].raw.header.log_pos, 0);
    assert!(matches!(&evs[1].event, Event::Rotate(r) if r.next_file == b"master-bin.000003"));
    assert_eq!(
        (evs[0].raw.header.server_id, evs[2].raw.header.server_id),
        (2, 1)
    );
}

#[test]
fn rotate_targets() {
    replog_tests::require_corpus!();
    for (file, target) in [
        ("binlog_transaction.000001", "master-bin.000002"),
        (
            "binlog_transaction_previous_GTID_no_tag.000001",
            "binlog.000008",
        ),
        ("bug40482-bin.000001", "master-bin.000003"),
    ] {
        let data = std::fs::read(path_of(file)).unwrap();
        let last = Reader::new(file, &data).unwrap().last().unwrap().unwrap();
        match last.event {
            Event::Rotate(r) => {
                assert_eq!(r.next_file, target.as_bytes(), "{file}");
                assert_eq!(r.position, 4);
            }
            e => panic!("{file}: {e:?}"),
        }
    }
}

/// README: the BEGIN/COMMIT/ROLLBACK query events of `binlog_transaction.000001` carry
/// `LOG_EVENT_SUPPRESS_USE_F` (0x8), so they print without `use`.
#[test]
fn transaction_control_statements_suppress_use() {
    replog_tests::require_corpus!();
    let data = std::fs::read(path_of("binlog_transaction.000001")).unwrap();
    let mut seen = 0;
    for e in Reader::new("t", &data).unwrap().map(Result::unwrap) {
        let Event::Query(q) = &e.event else { continue };
        if matches!(q.query, b"BEGIN" | b"COMMIT" | b"ROLLBACK") {
            assert_eq!(e.raw.header.flags & 0x8, 0x8);
            assert_eq!(e.event.to_string().as_bytes(), q.query);
            seen += 1;
        }
    }
    // Three sequences (InnoDB, MyISAM, NDB), each with at least its BEGIN.
    assert!(seen >= 3);
}

fn decoded(file: &str) -> Vec<replog::binlog::OwnedEvent> {
    let data = std::fs::read(path_of(file)).unwrap();
    Reader::with_options(file, &data, ReadOptions::permissive())
        .unwrap()
        .flatten()
        .map(|e| e.to_owned_event())
        .collect()
}

fn queries(file: &str) -> Vec<String> {
    let data = std::fs::read(path_of(file)).unwrap();
    Reader::with_options(file, &data, ReadOptions::permissive())
        .unwrap()
        .flatten()
        .filter_map(|e| match e.event {
            Event::Query(q) => Some(String::from_utf8_lossy(q.query).into_owned()),
            _ => None,
        })
        .collect()
}

/// Smaller facts from the README's "Special" notes.
#[test]
fn special_notes() {
    replog_tests::require_corpus!();
    let ctx = replog::binlog::FormatContext::v4_default();
    // master-bin: an empty PREVIOUS_GTIDS.
    let evs = decoded("master-bin.000001");
    let Ok(Event::PreviousGtids(p)) = evs[1].decode(&ctx) else {
        panic!()
    };
    assert_eq!(p.count, 0);
    // The 8.0.40 header-only file: an untagged set.
    let evs = decoded("binlog_transaction_previous_GTID_no_tag.000001");
    let Ok(Event::PreviousGtids(p)) = evs[1].decode(&ctx) else {
        panic!()
    };
    assert!(!p.tagged && p.count >= 1);
    // Galera 5.1.28: the FDE's create_timestamp is 0.
    let evs = decoded("tungsten/binlog_rbr_1.000001");
    let Ok(Event::FormatDescription(f)) = evs[0].decode(&ctx) else {
        panic!()
    };
    assert_eq!(f.start.created, 0);
    // 5.0.16: a trigger using CURRENT_USER().
    assert!(queries("bug16266.000001")
        .iter()
        .any(|q| q.contains("CREATE TRIGGER") && q.contains("CURRENT_USER()")));
    // Savepoints in a statement transaction.
    let q = queries("binlog_savepoint.000001");
    assert!(q.iter().any(|q| q == "SavePoint mixed_cases"));
    assert!(q.iter().any(|q| q == "ROLLBACK TO mixed_cases"));
    // Character set / collation ids in the status variables.
    let data = std::fs::read(path_of(
        "rpl_cross_version_default_utf8mb4_collation.000001",
    ))
    .unwrap();
    let with_charset = Reader::new("c", &data)
        .unwrap()
        .map(Result::unwrap)
        .filter(|e| matches!(&e.event, Event::Query(q) if q.status().charset.is_some()))
        .count();
    assert_eq!(with_charset, 7);
    // transaction_compression: ANONYMOUS_GTID, then the payload.
    let evs = decoded("transaction_compression.000001");
    let gtid = evs
        .iter()
        .position(|e| e.event_type == EventType::ANONYMOUS_GTID)
        .unwrap();
    assert_eq!(evs[gtid + 1].event_type, EventType::TRANSACTION_PAYLOAD);
    // slave-relay-bin: still open, last event a QUERY.
    let evs = decoded("slave-relay-bin.000001");
    assert_eq!(evs.last().unwrap().event_type, EventType::QUERY);
}

#[test]
fn unknown_incident_is_reported() {
    replog_tests::require_corpus!();
    let data = std::fs::read(path_of("bug40482-bin.000001")).unwrap();
    let evs: Vec<_> = Reader::new("r", &data)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let Event::Incident(i) = &evs[1].event else {
        panic!()
    };
    assert_eq!(
        *i,
        Incident {
            number: 66,
            message: b""
        }
    );
    assert!(!i.is_known());
    assert!(evs[1].event.to_string().contains("unknown incident"));
}

#[test]
fn gtids_56_57_and_tagged() {
    replog_tests::require_corpus!();
    // 5.6: UUID 1111…, 48-byte events without logical clock.
    let data = std::fs::read(path_of("binlog_56_gtid_reserved_word.000001")).unwrap();
    let gtids: Vec<_> = Frames::new("r", &data, ReadOptions::default())
        .unwrap()
        .map(Result::unwrap)
        .filter(|e| e.event_type == EventType::GTID)
        .collect();
    assert_eq!(gtids.len(), 6);
    for g in &gtids {
        assert_eq!(g.header.event_size, 48);
        let Ok(Event::Gtid(d)) = g.decode(&replog::binlog::FormatContext::v4_default()) else {
            panic!()
        };
        assert_eq!(d.sid.to_string(), "11111111-1111-1111-1111-111111111111");
        assert_eq!(d.logical_clock, None);
    }

    // 5.7.6-m16 anonymous GTIDs: 65 bytes, logical clock present, no commit timestamps.
    let data = std::fs::read(path_of("binlog_transaction_with_anonymous_GTID.000001")).unwrap();
    let anon: Vec<_> = Reader::new("r", &data)
        .unwrap()
        .map(Result::unwrap)
        .filter(|e| e.raw.event_type == EventType::ANONYMOUS_GTID)
        .collect();
    assert_eq!(anon.len(), 2);
    for a in &anon {
        assert_eq!(a.raw.header.event_size, 65);
        let Event::Gtid(g) = &a.event else { panic!() };
        assert!(g.anonymous && g.logical_clock.is_some() && g.commit_timestamps.is_none());
    }

    // 9.6 tagged GTID …:mytag:3 and PREVIOUS_GTIDS …:1-13 plus …:mytag:1-2.
    let data = std::fs::read(path_of("binlog_transaction_with_GTID_TAG.000001")).unwrap();
    let evs: Vec<_> = Frames::new("r", &data, ReadOptions::default())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let ctx = replog::binlog::FormatContext::v4_default();
    let decode = |e: &RawEvent<'_>| e.decode(&ctx).unwrap().to_string();
    let prev = evs
        .iter()
        .find(|e| e.event_type == EventType::PREVIOUS_GTIDS)
        .unwrap();
    let Ok(Event::PreviousGtids(p)) = prev.decode(&ctx) else {
        panic!()
    };
    assert!(p.tagged);
    let entries: Vec<_> = p.entries().collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0].tag, entries[0].intervals().collect::<Vec<_>>()),
        (&b""[..], vec![(1, 13)])
    );
    assert_eq!(
        (entries[1].tag, entries[1].intervals().collect::<Vec<_>>()),
        (&b"mytag"[..], vec![(1, 2)])
    );
    let tagged = evs
        .iter()
        .find(|e| e.event_type == EventType::GTID_TAGGED)
        .unwrap();
    let Ok(Event::GtidTagged(g)) = tagged.decode(&ctx) else {
        panic!()
    };
    assert_eq!((g.tag, g.gno), (&b"mytag"[..], 3));
    assert_eq!(g.sid, entries[1].sid);
    assert!(decode(tagged).ends_with(":mytag:3' last_committed=0 sequence_number=1"));
}

#[test]
fn mariadb_gtids_and_lists() {
    replog_tests::require_corpus!();
    let data = std::fs::read(path_of("mariadb-bin.000001")).unwrap();
    let ctx = replog::binlog::FormatContext::v4_default();
    let mut gtids = Vec::new();
    for e in Frames::new("r", &data, ReadOptions::default())
        .unwrap()
        .map(Result::unwrap)
    {
        if e.event_type == EventType::MARIADB_GTID {
            let Ok(Event::MariaGtid(g)) = e.decode(&ctx) else {
                panic!()
            };
            gtids.push((
                format!("{}-{}-{}", g.domain_id, g.server_id, g.seq_no),
                g.flags,
            ));
        }
    }
    // GTIDs 0-1-1 and 0-1-2, flags transactional (4) + allow-parallel (8).
    assert_eq!(
        gtids,
        vec![("0-1-1".to_string(), 12), ("0-1-2".to_string(), 12)]
    );
}

#[test]
fn user_var_with_numeric_name_and_null_value() {
    replog_tests::require_corpus!();
    let data = std::fs::read(path_of("bug11747887-bin.000003")).unwrap();
    let uv = Reader::new("r", &data)
        .unwrap()
        .map(Result::unwrap)
        .find_map(|e| match e.event {
            Event::UserVar(u) => Some(u),
            _ => None,
        })
        .unwrap();
    assert_eq!(uv.name, b"2");
    assert_eq!(
        uv.value,
        replog::binlog::events::user_var::UserVarValue::Null
    );
}

#[test]
fn transaction_payload_holds_four_inner_events() {
    replog_tests::require_corpus!();
    let data = std::fs::read(path_of("transaction_compression.000001")).unwrap();
    let mut frames = Frames::new("r", &data, ReadOptions::default()).unwrap();
    let payload = frames
        .by_ref()
        .map(Result::unwrap)
        .find(|e| e.event_type == EventType::TRANSACTION_PAYLOAD)
        .unwrap();
    assert_eq!(payload.checksum_ok, Some(true));
    let ctx = frames.context().clone();
    let Ok(Event::TransactionPayload(p)) = payload.decode(&ctx) else {
        panic!()
    };
    // zstd, 124 compressed -> 179 bytes.
    assert_eq!(p.payload.len(), 124);
    assert_eq!(p.uncompressed_size, 179);
    let buf = p.decompress().unwrap();
    assert_eq!(buf.len(), 179);
    let inner: Vec<_> = InnerEvents::new(&buf, &ctx).map(Result::unwrap).collect();
    let codes: Vec<u8> = inner.iter().map(|e| e.header.type_code).collect();
    assert_eq!(
        codes,
        vec![
            code_of("QUERY"),
            code_of("TABLE_MAP"),
            code_of("WRITE_ROWS"),
            code_of("XID")
        ]
    );
    assert!(inner.iter().all(|e| e.header.log_pos == 0));
    assert_eq!(inner[0].inner_offset, 0);
    let Ok(Event::Query(q)) = inner[0].decode(&ctx) else {
        panic!()
    };
    assert_eq!(q.query, b"BEGIN");
    assert!(matches!(inner[3].decode(&ctx), Ok(Event::Xid(_))));
    let end = inner
        .last()
        .map(|e| e.inner_offset + e.header.event_size as usize);
    assert_eq!(end, Some(179));
}

/// Pre-GA 5.1 trees: raw codes 16–22 mean TABLE_MAP, PRE_GA_WRITE/UPDATE/DELETE_ROWS,
/// XID, BEGIN_LOAD_QUERY, EXECUTE_LOAD_QUERY (README, `ver_5_1-wl2325_r.001`).
#[test]
fn pre_ga_numbering_is_mapped() {
    replog_tests::require_corpus!();
    let canonical = |file: &str| {
        let data = std::fs::read(path_of(file)).unwrap();
        let mut counts = BTreeMap::new();
        let mut sizes = Vec::new();
        for e in Frames::new(file, &data, ReadOptions::default())
            .unwrap()
            .map(Result::unwrap)
        {
            *counts.entry(e.event_type.0).or_insert(0usize) += 1;
            sizes.push((e.event_type.0, e.header.event_size));
        }
        (counts, sizes)
    };
    // Row-based file: README raw XID×3, BEGIN_LOAD_QUERY, EXECUTE_LOAD_QUERY, TABLE_MAP.
    let (counts, _) = canonical("ver_5_1-wl2325_r.001");
    let expected: BTreeMap<u8, usize> = [
        ("QUERY", 3),
        ("TABLE_MAP", 3),
        ("PRE_GA_WRITE_ROWS", 1),
        ("PRE_GA_UPDATE_ROWS", 1),
        ("PRE_GA_DELETE_ROWS", 1),
        ("FDE", 1),
        ("STOP", 1),
    ]
    .into_iter()
    .map(|(n, c)| (code_of(n), c))
    .collect();
    assert_eq!(counts, expected);
    // Statement file: raw 20/21/22 are XID, BEGIN_LOAD_QUERY (131,095 bytes) and
    // EXECUTE_LOAD_QUERY; the file continues in a 17,687-byte APPEND_BLOCK.
    let (counts, sizes) = canonical("ver_5_1-wl2325_s.001");
    assert_eq!(counts[&code_of("XID")], 1);
    assert_eq!(counts[&code_of("EXECUTE_LOAD_QUERY")], 1);
    assert!(sizes.contains(&(code_of("BEGIN_LOAD_QUERY"), 131_095)));
    assert!(sizes.contains(&(code_of("APPEND_BLOCK"), 17_687)));
    assert!(!counts.contains_key(&code_of("PRE_GA_WRITE_ROWS")));

    // The statement file decodes fully with the mapping.
    let data = std::fs::read(path_of("ver_5_1-wl2325_s.001")).unwrap();
    let all: Vec<_> = Reader::new("s", &data).unwrap().collect();
    assert_eq!(all.len(), 15);
    assert!(
        all.iter().all(|r| r.is_ok()),
        "{:?}",
        all.iter().find(|r| r.is_err())
    );
}

#[test]
fn load_data_events_decode() {
    replog_tests::require_corpus!();
    for file in [
        "ver_5_1_23.001",
        "ver_trunk_row_v2.001",
        "ver_5_1-wl2325_s.001",
    ] {
        let data = std::fs::read(path_of(file)).unwrap();
        let mut begin = None;
        let mut appended = 0;
        let mut exec = None;
        for e in Reader::with_options(file, &data, ReadOptions::permissive())
            .unwrap()
            .flatten()
        {
            match e.event {
                Event::BeginLoadQuery(b) => begin = Some((b.file_id, e.raw.header.event_size)),
                Event::AppendBlock(b) => appended += b.block.len(),
                Event::ExecuteLoadQuery(x) => {
                    exec = Some((x.file_id, x.file_name().map(<[u8]>::to_vec)))
                }
                _ => {}
            }
        }
        let (id, size) = begin.unwrap();
        assert_eq!(size, 131_095, "{file}");
        // The APPEND_BLOCK event is 17,687 bytes: header and file id around the block.
        assert_eq!(appended, 17_687 - 19 - 4, "{file}");
        let (exec_id, name) = exec.unwrap();
        assert_eq!(exec_id, id, "{file}");
        assert!(name.is_some_and(|n| !n.is_empty()), "{file}");
    }
}

/// Cutting a file anywhere inside an event gives the truncation error at that event's
/// start; flipping bits never panics. Small files are cut at every offset, large ones
/// at a sample of offsets.
#[test]
fn damaged_copies_give_errors_not_panics() {
    replog_tests::require_corpus!();
    for f in readme() {
        let data = std::fs::read(path_of(&f.file)).unwrap();
        let (events, _, _) = raw_events(&data);
        let mut boundaries: Vec<usize> = events.iter().map(|e| e.offset as usize).collect();
        boundaries.extend(
            events
                .iter()
                .map(|e| e.offset as usize + e.header.event_size as usize),
        );
        boundaries.sort_unstable();
        let step = (data.len() / 250).max(1);
        for cut in (4..data.len()).step_by(step) {
            let cut_data = &data[..cut];
            let (ok, errs, _) = raw_events(cut_data);
            let inside = boundaries.iter().rev().find(|&&s| s <= cut).copied();
            if let Some(start) = inside {
                if !boundaries.contains(&cut) {
                    let last = errs
                        .last()
                        .unwrap_or_else(|| panic!("{} cut at {cut}", f.file));
                    assert_eq!(last.offset as usize, start, "{} cut at {cut}", f.file);
                    assert!(matches!(
                        last.kind,
                        ErrorKind::Binlog(BinlogError::Truncated { .. })
                    ));
                    assert!(ok.len() <= events.len());
                }
            }
            for opts in [ReadOptions::default(), ReadOptions::permissive()] {
                Reader::with_options("cut", cut_data, opts)
                    .unwrap()
                    .for_each(drop);
            }
        }
        let mut flipped = data.clone();
        for pos in (4..data.len()).step_by((data.len() / 120).max(1)) {
            for bit in [0u8, 3, 7] {
                flipped[pos] ^= 1 << bit;
                for opts in [ReadOptions::default(), ReadOptions::permissive()] {
                    let n = Reader::with_options("flip", &flipped, opts)
                        .unwrap()
                        .take(10_000)
                        .count();
                    assert!(n < 10_000, "{}: reader does not terminate", f.file);
                }
                flipped[pos] ^= 1 << bit;
            }
        }
    }
}

#[test]
fn bad_magic_is_refused() {
    let err = Reader::new("x", b"\xfebix").unwrap_err();
    assert_eq!(err.offset, 0);
    assert!(matches!(
        err.kind,
        ErrorKind::Binlog(BinlogError::BadMagic { .. })
    ));
}
