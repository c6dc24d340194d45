//! One dispatch from a canonical type code to its decoder, producing [`Event`].

use std::fmt;

use super::event_type::EventType as T;
use super::events::append_block::AppendBlock;
use super::events::create_file::CreateFile;
use super::events::delete_file::DeleteFile;
use super::events::exec_load::ExecLoad;
use super::events::execute_load_query::ExecuteLoadQuery;
use super::events::format_description::FormatDescription;
use super::events::gtid::Gtid;
use super::events::gtid_tagged::GtidTagged;
use super::events::heartbeat::Heartbeat;
use super::events::ignorable::Ignorable;
use super::events::incident::Incident;
use super::events::intvar::Intvar;
use super::events::load::Load;
use super::events::mariadb_annotate_rows::AnnotateRows;
use super::events::mariadb_binlog_checkpoint::BinlogCheckpoint;
use super::events::mariadb_gtid::MariaGtid;
use super::events::mariadb_gtid_list::GtidList;
use super::events::mariadb_start_encryption::StartEncryption;
use super::events::previous_gtids::PreviousGtids;
use super::events::query::Query;
use super::events::rand::Rand;
use super::events::rotate::Rotate;
use super::events::rows_query::RowsQuery;
use super::events::start_v3::StartV3;
use super::events::stop::Stop;
use super::events::transaction_context::TransactionContext;
use super::events::transaction_payload::TransactionPayload;
use super::events::user_var::UserVar;
use super::events::view_change::ViewChange;
use super::events::xa_prepare::XaPrepare;
use super::events::xid::Xid;
use super::header::{EventHeader, FLAG_SUPPRESS_USE};
use super::rows::{RowsEvent, RowsEventKind, TableMap};
use super::FormatContext;
use crate::decode::DecodeError;

/// A decoded event body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event<'a> {
    /// `START_EVENT_V3`.
    StartV3(StartV3<'a>),
    /// `QUERY_EVENT` or `MARIADB_QUERY_COMPRESSED_EVENT`.
    Query(Query<'a>),
    /// `STOP_EVENT`.
    Stop(Stop),
    /// `ROTATE_EVENT`.
    Rotate(Rotate<'a>),
    /// `INTVAR_EVENT`.
    Intvar(Intvar),
    /// `LOAD_EVENT` or `NEW_LOAD_EVENT` (3.23/4.0 only, boxed to keep the enum small).
    Load(Box<Load<'a>>),
    /// `CREATE_FILE_EVENT` (4.0 only, boxed to keep the enum small).
    CreateFile(Box<CreateFile<'a>>),
    /// `APPEND_BLOCK_EVENT`.
    AppendBlock(AppendBlock<'a>),
    /// `EXEC_LOAD_EVENT`.
    ExecLoad(ExecLoad),
    /// `DELETE_FILE_EVENT`.
    DeleteFile(DeleteFile),
    /// `RAND_EVENT`.
    Rand(Rand),
    /// `USER_VAR_EVENT`.
    UserVar(UserVar<'a>),
    /// `FORMAT_DESCRIPTION_EVENT`.
    FormatDescription(FormatDescription<'a>),
    /// `XID_EVENT`.
    Xid(Xid),
    /// `BEGIN_LOAD_QUERY_EVENT` (same layout as APPEND_BLOCK).
    BeginLoadQuery(AppendBlock<'a>),
    /// `EXECUTE_LOAD_QUERY_EVENT`.
    ExecuteLoadQuery(ExecuteLoadQuery<'a>),
    /// `TABLE_MAP_EVENT` (boxed: its decoder allocates its column list anyway, and
    /// keeping it out of line keeps every other event small to move).
    TableMap(Box<TableMap<'a>>),
    /// Any rows event (pre-GA, v1, v2, partial update, MariaDB compressed).
    Rows(RowsEvent<'a>),
    /// `INCIDENT_EVENT`.
    Incident(Incident<'a>),
    /// `HEARTBEAT_LOG_EVENT` or `HEARTBEAT_LOG_EVENT_V2`.
    Heartbeat(Heartbeat<'a>),
    /// `IGNORABLE_LOG_EVENT`.
    Ignorable(Ignorable<'a>),
    /// `ROWS_QUERY_LOG_EVENT`.
    RowsQuery(RowsQuery<'a>),
    /// `GTID_LOG_EVENT` or `ANONYMOUS_GTID_LOG_EVENT`.
    Gtid(Gtid),
    /// `GTID_TAGGED_LOG_EVENT`.
    GtidTagged(GtidTagged<'a>),
    /// `PREVIOUS_GTIDS_LOG_EVENT`.
    PreviousGtids(PreviousGtids<'a>),
    /// `TRANSACTION_CONTEXT_EVENT`.
    TransactionContext(TransactionContext<'a>),
    /// `VIEW_CHANGE_EVENT`.
    ViewChange(ViewChange<'a>),
    /// `XA_PREPARE_LOG_EVENT`.
    XaPrepare(XaPrepare<'a>),
    /// `TRANSACTION_PAYLOAD_EVENT`.
    TransactionPayload(TransactionPayload<'a>),
    /// `MARIADB_ANNOTATE_ROWS_EVENT`.
    AnnotateRows(AnnotateRows<'a>),
    /// `MARIADB_BINLOG_CHECKPOINT_EVENT`.
    BinlogCheckpoint(BinlogCheckpoint<'a>),
    /// `MARIADB_GTID_EVENT`.
    MariaGtid(MariaGtid<'a>),
    /// `MARIADB_GTID_LIST_EVENT`.
    GtidList(GtidList<'a>),
    /// `MARIADB_START_ENCRYPTION_EVENT`.
    StartEncryption(StartEncryption<'a>),
    /// A type this reader does not decode; the body is kept.
    Unknown {
        /// The canonical type code.
        type_code: u8,
        /// The body.
        body: &'a [u8],
    },
}

/// Decodes the body of an event of canonical type `t`.
pub fn decode<'a>(
    t: T,
    header: &EventHeader,
    body: &'a [u8],
    ctx: &FormatContext,
) -> Result<Event<'a>, DecodeError> {
    let post = ctx.post_header_len(t.0);
    Ok(match t {
        T::START_V3 => Event::StartV3(StartV3::parse(body)?),
        T::QUERY | T::MARIADB_QUERY_COMPRESSED => {
            let compressed = t == T::MARIADB_QUERY_COMPRESSED;
            let mut q = Query::parse(body, post, compressed)?;
            q.suppress_use = header.flags & FLAG_SUPPRESS_USE != 0;
            Event::Query(q)
        }
        T::STOP => Event::Stop(Stop::parse(body)),
        T::ROTATE => Event::Rotate(Rotate::parse(body, ctx)?),
        T::INTVAR => Event::Intvar(Intvar::parse(body)?),
        T::LOAD => Event::Load(Box::new(Load::parse(body, post, false)?)),
        T::NEW_LOAD => Event::Load(Box::new(Load::parse(body, post, true)?)),
        T::CREATE_FILE => {
            let load_post = ctx.post_header_len(T::LOAD.0);
            Event::CreateFile(Box::new(CreateFile::parse(body, load_post)?))
        }
        T::APPEND_BLOCK => Event::AppendBlock(AppendBlock::parse(body, post)?),
        T::EXEC_LOAD => Event::ExecLoad(ExecLoad::parse(body)?),
        T::DELETE_FILE => Event::DeleteFile(DeleteFile::parse(body)?),
        T::RAND => Event::Rand(Rand::parse(body)?),
        T::USER_VAR => Event::UserVar(UserVar::parse(body)?),
        T::FORMAT_DESCRIPTION => Event::FormatDescription(FormatDescription::parse(body)?),
        T::XID => Event::Xid(Xid::parse(body)?),
        T::BEGIN_LOAD_QUERY => Event::BeginLoadQuery(AppendBlock::parse(body, post)?),
        T::EXECUTE_LOAD_QUERY => Event::ExecuteLoadQuery(ExecuteLoadQuery::parse(body, post)?),
        T::TABLE_MAP => Event::TableMap(Box::new(TableMap::parse(body, ctx)?)),
        T::INCIDENT => Event::Incident(Incident::parse(body, post)?),
        T::HEARTBEAT => Event::Heartbeat(Heartbeat::parse_v1(body)),
        T::HEARTBEAT_V2 => Event::Heartbeat(Heartbeat::parse_v2(body)?),
        T::IGNORABLE => Event::Ignorable(Ignorable::parse(body)),
        T::ROWS_QUERY => Event::RowsQuery(RowsQuery::parse(body)?),
        T::GTID => Event::Gtid(Gtid::parse(body, false)?),
        T::ANONYMOUS_GTID => Event::Gtid(Gtid::parse(body, true)?),
        T::GTID_TAGGED => Event::GtidTagged(GtidTagged::parse(body)?),
        T::PREVIOUS_GTIDS => Event::PreviousGtids(PreviousGtids::parse(body)?),
        T::TRANSACTION_CONTEXT => Event::TransactionContext(TransactionContext::parse(body, post)?),
        T::VIEW_CHANGE => Event::ViewChange(ViewChange::parse(body, post)?),
        T::XA_PREPARE => Event::XaPrepare(XaPrepare::parse(body)?),
        T::TRANSACTION_PAYLOAD => Event::TransactionPayload(TransactionPayload::parse(body)?),
        T::MARIADB_ANNOTATE_ROWS => Event::AnnotateRows(AnnotateRows::parse(body)),
        T::MARIADB_BINLOG_CHECKPOINT => Event::BinlogCheckpoint(BinlogCheckpoint::parse(body)?),
        T::MARIADB_GTID => Event::MariaGtid(MariaGtid::parse(body, header.server_id)?),
        T::MARIADB_GTID_LIST => Event::GtidList(GtidList::parse(body)?),
        T::MARIADB_START_ENCRYPTION => Event::StartEncryption(StartEncryption::parse(body)?),
        t => match RowsEventKind::from_type_code(t.0) {
            Some(kind) => Event::Rows(RowsEvent::parse(body, ctx, kind)?),
            None => Event::Unknown {
                type_code: t.0,
                body,
            },
        },
    })
}

impl fmt::Display for Event<'_> {
    /// A one-line summary in the spirit of `SHOW BINLOG EVENTS`' `Info` column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::StartV3(e) => e.fmt(f),
            Event::Query(e) => e.fmt(f),
            Event::Stop(e) => e.fmt(f),
            Event::Rotate(e) => e.fmt(f),
            Event::Intvar(e) => e.fmt(f),
            Event::Load(e) => e.fmt(f),
            Event::CreateFile(e) => e.fmt(f),
            Event::AppendBlock(e) | Event::BeginLoadQuery(e) => e.fmt(f),
            Event::ExecLoad(e) => e.fmt(f),
            Event::DeleteFile(e) => e.fmt(f),
            Event::Rand(e) => e.fmt(f),
            Event::UserVar(e) => e.fmt(f),
            Event::FormatDescription(e) => e.fmt(f),
            Event::Xid(e) => e.fmt(f),
            Event::ExecuteLoadQuery(e) => e.fmt(f),
            Event::TableMap(t) => write!(
                f,
                "table_id: {} ({}.{})",
                t.table_id,
                super::events::Text(&t.schema),
                super::events::Text(&t.table)
            ),
            Event::Rows(e) => e.fmt(f),
            Event::Incident(e) => e.fmt(f),
            Event::Heartbeat(e) => e.fmt(f),
            Event::Ignorable(e) => e.fmt(f),
            Event::RowsQuery(e) => e.fmt(f),
            Event::Gtid(e) => e.fmt(f),
            Event::GtidTagged(e) => e.fmt(f),
            Event::PreviousGtids(e) => e.fmt(f),
            Event::TransactionContext(e) => e.fmt(f),
            Event::ViewChange(e) => e.fmt(f),
            Event::XaPrepare(e) => e.fmt(f),
            Event::TransactionPayload(e) => e.fmt(f),
            Event::AnnotateRows(e) => e.fmt(f),
            Event::BinlogCheckpoint(e) => e.fmt(f),
            Event::MariaGtid(e) => e.fmt(f),
            Event::GtidList(e) => e.fmt(f),
            Event::StartEncryption(e) => e.fmt(f),
            Event::Unknown { type_code, body } => {
                write!(f, "# unknown event type {type_code} ({} bytes)", body.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binlog::test_log::POST_HEADER_80;
    use crate::binlog::ChecksumAlg;

    /// A small deterministic generator (xorshift) for arbitrary bodies.
    fn bytes(seed: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                (*seed >> 24) as u8
            })
            .collect()
    }

    /// Every type code with arbitrary bodies of many lengths decodes or fails cleanly,
    /// and failures point inside the body.
    #[test]
    fn arbitrary_bodies_never_panic() {
        let contexts = [
            FormatContext::from_fde(4, "8.0.40", 19, &POST_HEADER_80, Some(ChecksumAlg::Crc32)),
            FormatContext::pre_v4(1, String::new()),
            FormatContext::v4_default(),
        ];
        let header = EventHeader {
            timestamp: 0,
            type_code: 0,
            server_id: 1,
            event_size: 0,
            log_pos: 0,
            flags: 0,
        };
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for ctx in &contexts {
            for code in 0..=255u8 {
                for len in [0usize, 1, 2, 5, 8, 13, 19, 26, 40, 64, 200] {
                    for _ in 0..4 {
                        let body = bytes(&mut seed, len);
                        match decode(T(code), &header, &body, ctx) {
                            Err(e) => assert!(e.offset_in(&body) <= body.len()),
                            Ok(ev) => {
                                if let Event::Query(q) = &ev {
                                    let _ = q.status();
                                }
                                let _ = ev.to_string();
                            }
                        }
                    }
                }
            }
        }
    }
}
