//! Extraction of hand-built events.

use super::*;
use crate::binlog::event_type::EventType;
use crate::binlog::events::append_block::AppendBlock;
use crate::binlog::events::execute_load_query::ExecuteLoadQuery;
use crate::binlog::{EventHeader, FormatContext};
use crate::thl::event::Change;

fn options() -> ExtractOptions {
    ExtractOptions {
        fragment_size: 0,
        ..ExtractOptions::new("s", "h")
    }
}

/// The format context every site of these tests is read with.
static CONTEXT: std::sync::LazyLock<FormatContext> =
    std::sync::LazyLock::new(FormatContext::v4_default);

/// The site of an event of `type_code` at `offset` in `mysql-bin.000001` (the
/// extractor reads the decoded event, not the site's body).
fn site(header: &EventHeader, type_code: u8, offset: u64) -> EventSite<'_> {
    EventSite {
        file: "mysql-bin.000001",
        file_index: 0,
        log_name: "mysql-bin.000001",
        offset,
        next_position: offset + u64::from(header.event_size),
        inner_offset: None,
        header,
        event_type: EventType(type_code),
        body: &[],
        checksum_ok: None,
        header_len: 19,
        context: &CONTEXT,
    }
}

#[test]
fn load_data_statement_is_kept_as_text() {
    let mut extractor = Extractor::new(options());
    let maps = TableMaps::new();
    let header = |type_code, event_size| EventHeader {
        timestamp: 1_420_873_382,
        type_code,
        server_id: 1,
        event_size,
        log_pos: 0,
        flags: 0,
    };
    let mut block_body = 1u32.to_le_bytes().to_vec();
    block_body.extend_from_slice("1\tz\u{e9}ro\n".as_bytes());
    let block = AppendBlock::parse(&block_body, 4).unwrap();
    let block_header = header(17, 40);
    let fragment = extractor
        .event(
            &site(&block_header, 17, 100),
            &Event::BeginLoadQuery(block),
            &maps,
            &mut |e| panic!("{e}"),
        )
        .unwrap();
    assert!(fragment.is_none(), "the block waits for its statement");

    // EXECUTE_LOAD_QUERY: thread 7, schema `test`, client charset utf8 (33), file 1,
    // file name span at bytes 9..36 of the statement, which holds a non-ASCII letter.
    let text = "LOAD DATA INFILE 'donn\u{e9}es.csv' INTO TABLE `t`";
    let status = [4u8, 33, 0, 33, 0, 33, 0];
    let mut body = 7u32.to_le_bytes().to_vec();
    body.extend_from_slice(&0u32.to_le_bytes());
    body.push(4);
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&(status.len() as u16).to_le_bytes());
    body.extend_from_slice(&1u32.to_le_bytes());
    body.extend_from_slice(&9u32.to_le_bytes());
    body.extend_from_slice(&36u32.to_le_bytes());
    body.push(0);
    body.extend_from_slice(&status);
    body.extend_from_slice(b"test\0");
    body.extend_from_slice(text.as_bytes());
    let execute = ExecuteLoadQuery::parse(&body, 26).unwrap();
    let execute_header = header(18, 19 + body.len() as u32 + 4);
    let fragment = extractor
        .event(
            &site(&execute_header, 18, 140),
            &Event::ExecuteLoadQuery(execute),
            &maps,
            &mut |e| panic!("{e}"),
        )
        .unwrap()
        .expect("outside a transaction the statement commits");
    let record = fragment.record.record().unwrap();
    let event = record.event().unwrap().decode().unwrap();
    let [Change::FileFragment(block), Change::FileQuery(load)] = &event.body.changes[..] else {
        panic!("{:?}", event.body.changes);
    };
    assert_eq!((block.file_id, block.database), (1, Some("test")));
    assert_eq!(load.statement.query, Some(text));
    assert_eq!(load.statement.query_as_bytes, None);
    assert_eq!(load.statement.option("##charset"), None);
    assert_eq!(load.statement.option("character_set_client"), Some("33"));
    assert_eq!(
        (load.file_id, load.filename_start_pos, load.filename_end_pos),
        (1, 9, 36)
    );
}
