use super::*;
use crate::binlog::reader::Frames;
use crate::binlog::ChecksumAlg;

/// What a visit saw, comparable across sources.
fn seen(site: &EventSite<'_>, event: &Event<'_>) -> String {
    format!(
        "{} {} {} {:?} {} {event}",
        site.log_name, site.offset, site.next_position, site.inner_offset, site.event_type
    )
}

/// An artificial ROTATE as a server sends it first: timestamp 0, `log_pos` 0, the
/// artificial flag, and a CRC32.
fn fake_rotate(name: &str) -> Vec<u8> {
    let size = 19 + 8 + name.len() + 4;
    let mut ev = Vec::new();
    ev.extend_from_slice(&0u32.to_le_bytes());
    ev.push(EventType::ROTATE.0);
    ev.extend_from_slice(&1u32.to_le_bytes());
    ev.extend_from_slice(&(size as u32).to_le_bytes());
    ev.extend_from_slice(&0u32.to_le_bytes());
    ev.extend_from_slice(&super::super::header::FLAG_ARTIFICIAL.to_le_bytes());
    ev.extend_from_slice(&4u64.to_le_bytes());
    ev.extend_from_slice(name.as_bytes());
    let crc = crc32fast::hash(&ev);
    ev.extend_from_slice(&crc.to_le_bytes());
    ev
}

#[test]
fn a_feed_of_single_events_sees_what_the_file_walk_sees() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/mariadb/sample-bin.000001"
    );
    let mut from_file = Vec::new();
    Stream::new(OpenOptions::default())
        .walk(
            &[path.to_string()],
            &mut |site, event, _| -> Result<Flow, Error> {
                from_file.push(seen(site, event));
                Ok(Flow::Continue)
            },
            &mut |e| panic!("{e}"),
        )
        .unwrap();
    let bytes = std::fs::read(path).unwrap();
    let mut feed = Feed::new(ReadOptions::default(), ChecksumAlg::Crc32);
    let mut from_feed = Vec::new();
    let mut visit = |site: &EventSite<'_>, event: &Event<'_>, _: &TableMaps<'_>| {
        from_feed.push(seen(site, event));
        Ok::<_, Error>(Flow::Continue)
    };
    feed.event(&fake_rotate("sample-bin.000001"), &mut visit, &mut |e| {
        panic!("{e}")
    })
    .unwrap();
    let frames = Frames::new("f", &bytes, ReadOptions::default()).unwrap();
    for raw in frames {
        let raw = raw.unwrap();
        let one = &bytes[raw.offset as usize..raw.end_offset() as usize];
        feed.event(one, &mut visit, &mut |e| panic!("{e}")).unwrap();
    }
    assert!(from_file.len() > 10, "{from_file:?}");
    assert_eq!(from_feed, from_file);
    assert_eq!(feed.next_position(), bytes.len() as u64);
}

#[test]
fn a_packet_holding_more_than_one_event_is_refused() {
    let mut two = fake_rotate("a.000001");
    two.extend(fake_rotate("a.000001"));
    let mut feed = Feed::new(ReadOptions::default(), ChecksumAlg::Crc32);
    let err = feed
        .event(
            &two,
            &mut |_, _, _| Ok::<_, Error>(Flow::Continue),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("declares event_size 39 but 78 bytes arrived"),
        "{err}"
    );
}

#[test]
fn log_names_drop_directories_and_gz() {
    assert_eq!(
        log_name("/var/lib/mysql/mysql-bin.000042"),
        "mysql-bin.000042"
    );
    assert_eq!(log_name("logs/mysql-bin.000042.gz"), "mysql-bin.000042");
    assert_eq!(log_name("<stdin>"), "<stdin>");
}

#[test]
fn directories_and_index_files_become_ordered_sequences() {
    let dir = std::env::temp_dir().join(format!("replog-seq-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for n in [
        "mysql-bin.000010",
        "mysql-bin.000002",
        "mysql-bin.000009.gz",
        "notes.txt",
    ] {
        std::fs::write(dir.join(n), b"").unwrap();
    }
    let listed = sequence_of(&[dir.display().to_string()]).unwrap();
    let names: Vec<String> = listed.iter().map(|p| log_name(p)).collect();
    assert_eq!(
        names,
        ["mysql-bin.000002", "mysql-bin.000009", "mysql-bin.000010"]
    );
    std::fs::write(
        dir.join("mysql-bin.index"),
        "./mysql-bin.000009\n./mysql-bin.000010\n",
    )
    .unwrap();
    let listed = sequence_of(&[dir.display().to_string()]).unwrap();
    assert_eq!(
        listed,
        [
            dir.join("mysql-bin.000009").display().to_string(),
            dir.join("mysql-bin.000010").display().to_string()
        ]
    );
    std::fs::write(dir.join("other-bin.000001"), b"").unwrap();
    std::fs::remove_file(dir.join("mysql-bin.index")).unwrap();
    let err = sequence_of(&[dir.display().to_string()]).unwrap_err();
    assert!(err.to_string().contains("several base names"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
