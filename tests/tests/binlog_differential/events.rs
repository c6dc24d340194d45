//! Event bodies other than table maps and rows: every field mysql_common decodes.

use mysql_common::binlog::consts::{BinlogChecksumAlg, StatusVarKey};
use mysql_common::binlog::events::{
    AnonymousGtidEvent, Event as TheirEvent, EventData, FormatDescriptionEvent, GtidEvent,
    PreviousGtidsEvent, StatusVarVal, StatusVars as TheirVars, TransactionPayloadEvent,
    UserVarEvent,
};
use mysql_common::binlog::EventStreamReader;
use replog::binlog::events::format_description::FormatDescription;
use replog::binlog::events::gtid::{Gtid, UNDEFINED_SERVER_VERSION};
use replog::binlog::events::gtid_tagged::GtidTagged;
use replog::binlog::events::previous_gtids::PreviousGtids;
use replog::binlog::events::status_vars::StatusVars;
use replog::binlog::events::transaction_payload::{Compression, TransactionPayload};
use replog::binlog::events::user_var::{UserVar, UserVarValue};
use replog::binlog::rows::TableMaps;
use replog::binlog::{Event, FormatContext, InnerEvents};

use crate::rows::compare_rows;
use crate::table_map::compare_table_map;
use crate::tally::{Bytes, Cmp};

/// Compares one decoded event (top level or inside a payload) with mysql_common's.
pub fn compare_event<'a>(
    c: &mut Cmp<'_>,
    mine: &Event<'_>,
    other: &TheirEvent,
    ctx: &FormatContext,
    reader: &mut EventStreamReader,
    maps: &mut TableMaps<'a>,
) {
    let data = match other.read_data() {
        Ok(Some(d)) => d,
        Ok(None) => {
            let kind = c.kind();
            *c.tally().unread.entry(kind).or_default() += 1;
            return;
        }
        Err(e) => {
            c.differ("body", format!("mysql_common fails: {e}"));
            return;
        }
    };
    match (mine, &data) {
        (Event::Query(q), EventData::QueryEvent(o)) => {
            c.eq("thread_id", q.thread_id, o.thread_id());
            c.eq("exec_time", q.exec_time, o.execution_time());
            c.eq("error_code", q.error_code, o.error_code());
            c.eq("schema", Bytes::of(q.schema), Bytes::of(o.schema_raw()));
            c.eq(
                "query",
                Bytes::of(&q.text().unwrap()),
                Bytes::of(o.query_raw()),
            );
            c.eq(
                "status",
                Bytes::of(q.status_vars),
                Bytes::of(o.status_vars_raw()),
            );
            compare_status_vars(c, &q.status(), o.status_vars());
        }
        (Event::ExecuteLoadQuery(e), EventData::ExecuteLoadQueryEvent(o)) => {
            let q = &e.query;
            c.eq("thread_id", q.thread_id, o.thread_id());
            c.eq("exec_time", q.exec_time, o.execution_time());
            c.eq("error_code", q.error_code, o.error_code());
            c.eq("schema", Bytes::of(q.schema), Bytes::of(o.schema_raw()));
            c.eq("query", Bytes::of(q.query), Bytes::of(o.query_raw()));
            c.eq(
                "status",
                Bytes::of(q.status_vars),
                Bytes::of(o.status_vars_raw()),
            );
            compare_status_vars(c, &q.status(), o.status_vars());
            c.eq("file_id", e.file_id, o.file_id());
            c.eq("file_name_start", e.file_name_start, o.start_pos());
            c.eq("file_name_end", e.file_name_end, o.end_pos());
            c.eq("dup_handling", e.dup_handling, o.dup_handling() as u8);
        }
        (Event::BeginLoadQuery(b), EventData::BeginLoadQueryEvent(o)) => {
            c.eq("file_id", b.file_id, o.file_id());
            c.eq("block", Bytes::of(b.block), Bytes::of(o.block_data()));
        }
        (Event::AppendBlock(b), EventData::AppendBlockEvent(raw)) => {
            // mysql_common keeps this body raw: replog's fields must lay it out again
            // (a 4-byte little-endian file id, then the block).
            let mut laid_out = b.file_id.to_le_bytes().to_vec();
            laid_out.extend_from_slice(b.block);
            c.eq("body", Bytes::of(&laid_out), Bytes::of(raw));
        }
        (Event::Rotate(r), EventData::RotateEvent(o)) => {
            c.eq("position", r.position, o.position());
            c.eq("next_file", Bytes::of(r.next_file), Bytes::of(o.name_raw()));
        }
        (Event::Intvar(i), EventData::IntvarEvent(o)) => {
            c.eq("kind", i.kind, u8::from(o.subtype()));
            c.eq("value", i.value, o.value());
        }
        (Event::Rand(r), EventData::RandEvent(o)) => {
            c.eq("seed1", r.seed1, o.seed1.0);
            c.eq("seed2", r.seed2, o.seed2.0);
        }
        (Event::UserVar(u), EventData::UserVarEvent(o)) => compare_user_var(c, u, o),
        (Event::FormatDescription(f), EventData::FormatDescriptionEvent(o)) => compare_fde(c, f, o),
        (Event::Xid(x), EventData::XidEvent(o)) => {
            c.eq("xid", x.xid, o.xid);
        }
        (Event::Incident(i), EventData::IncidentEvent(o)) => {
            let number = o.incident_type().map_or_else(|e| e.0, |t| t as u16);
            c.eq("number", i.number, number);
            c.eq("message", Bytes::of(i.message), Bytes::of(o.message_raw()));
        }
        (Event::Gtid(g), EventData::GtidEvent(o)) => compare_gtid(c, g, o, false),
        (Event::Gtid(g), EventData::AnonymousGtidEvent(AnonymousGtidEvent(o))) => {
            compare_gtid(c, g, o, true)
        }
        (Event::GtidTagged(g), EventData::GtidEvent(o)) => compare_gtid_tagged(c, g, o),
        (Event::PreviousGtids(p), EventData::PreviousGtidsEvent(o)) => {
            compare_previous_gtids(c, p, o)
        }
        // A STOP event has no body.
        (Event::Stop(_), EventData::StopEvent) => {}
        (Event::TableMap(m), EventData::TableMapEvent(o)) => compare_table_map(c, m, o),
        (Event::Rows(r), EventData::RowsEvent(o)) => {
            let (Some(map), Some(tme)) = (maps.get(r.table_id), reader.get_tme(o.table_id()))
            else {
                c.differ("table_id", format!("no table map for {}", r.table_id));
                return;
            };
            compare_rows(c, r, map, o, tme);
        }
        (Event::TransactionPayload(p), EventData::TransactionPayloadEvent(o)) => {
            compare_payload(c, p, o, ctx, reader, maps);
        }
        (_, theirs) => {
            let pair = format!("{} / {}", c.kind(), variant_name(theirs));
            *c.tally().uncompared.entry(pair).or_default() += 1;
        }
    }
}

/// mysql_common's variant name, for the report of pairs the test does not compare.
fn variant_name(d: &EventData<'_>) -> String {
    let debug = format!("{d:?}");
    debug
        .split(|ch: char| !ch.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Every status variable mysql_common reads, by its code: present in both or in neither,
/// with the same value.
fn compare_status_vars<'v>(c: &mut Cmp<'_>, ours: &StatusVars<'_>, theirs: &'v TheirVars<'v>) {
    use StatusVarKey as K;
    use StatusVarVal as V;
    let v = ours;
    var(c, "flags2", v.flags2, theirs, K::Flags2, |x| match x {
        V::Flags2(f) => Some(f.0),
        _ => None,
    });
    var(c, "sql_mode", v.sql_mode, theirs, K::SqlMode, |x| match x {
        V::SqlMode(f) => Some(f.0),
        _ => None,
    });
    var(
        c,
        "catalog",
        v.catalog.map(Bytes::of),
        theirs,
        K::CatalogNz,
        |x| match x {
            V::CatalogNz(s) => Some(Bytes::of(s.as_bytes())),
            _ => None,
        },
    );
    var(
        c,
        "auto_increment",
        v.auto_increment,
        theirs,
        K::AutoIncrement,
        |x| match x {
            V::AutoIncrement { increment, offset } => Some((increment, offset)),
            _ => None,
        },
    );
    let charset = v.charset.map(|c| (c.client, c.connection, c.server));
    var(c, "charset", charset, theirs, K::Charset, |x| match x {
        V::Charset {
            charset_client,
            collation_connection,
            collation_server,
        } => Some((charset_client, collation_connection, collation_server)),
        _ => None,
    });
    var(
        c,
        "time_zone",
        v.time_zone.map(Bytes::of),
        theirs,
        K::TimeZone,
        |x| match x {
            V::TimeZone(s) => Some(Bytes::of(s.as_bytes())),
            _ => None,
        },
    );
    var(
        c,
        "lc_time_names",
        v.lc_time_names,
        theirs,
        K::LcTimeNames,
        |x| match x {
            V::LcTimeNames(n) => Some(n),
            _ => None,
        },
    );
    var(
        c,
        "charset_database",
        v.charset_database,
        theirs,
        K::CharsetDatabase,
        |x| match x {
            V::CharsetDatabase(n) => Some(n),
            _ => None,
        },
    );
    let tmfu = v.table_map_for_update;
    var(
        c,
        "table_map_for_update",
        tmfu,
        theirs,
        K::TableMapForUpdate,
        |x| match x {
            V::TableMapForUpdate(n) => Some(n),
            _ => None,
        },
    );
    let mdw = v.master_data_written;
    var(
        c,
        "master_data_written",
        mdw,
        theirs,
        K::MasterDataWritten,
        |x| match x {
            V::MasterDataWritten(b) => Some(u32::from_le_bytes(b)),
            _ => None,
        },
    );
    let invoker = v.invoker.map(|i| (Bytes::of(i.user), Bytes::of(i.host)));
    var(c, "invoker", invoker, theirs, K::Invoker, |x| match x {
        V::Invoker { username, hostname } => Some((
            Bytes::of(username.as_bytes()),
            Bytes::of(hostname.as_bytes()),
        )),
        _ => None,
    });
    let dbs = v
        .updated_db_names
        .map(|d| d.names().map(Bytes::of).collect::<Vec<_>>());
    var(
        c,
        "updated_db_names",
        dbs,
        theirs,
        K::UpdatedDbNames,
        |x| match x {
            V::UpdatedDbNames(names) => {
                Some(names.iter().map(|n| Bytes::of(n.as_bytes())).collect())
            }
            _ => None,
        },
    );
    var(
        c,
        "microseconds",
        v.microseconds,
        theirs,
        K::Microseconds,
        |x| match x {
            V::Microseconds(n) => Some(n),
            _ => None,
        },
    );
    let explicit = v.explicit_defaults_ts.map(|b| b != 0);
    var(
        c,
        "explicit_defaults_ts",
        explicit,
        theirs,
        K::ExplicitDefaultsForTimestamp,
        |x| match x {
            V::ExplicitDefaultsForTimestamp(b) => Some(b),
            _ => None,
        },
    );
    var(
        c,
        "ddl_xid",
        v.ddl_xid,
        theirs,
        K::DdlLoggedWithXid,
        |x| match x {
            V::DdlLoggedWithXid(n) => Some(n),
            _ => None,
        },
    );
    let utf8mb4 = v.default_collation_for_utf8mb4;
    var(
        c,
        "default_collation_for_utf8mb4",
        utf8mb4,
        theirs,
        K::DefaultCollationForUtf8mb4,
        |x| match x {
            V::DefaultCollationForUtf8mb4(n) => Some(n),
            _ => None,
        },
    );
    let pk = v.sql_require_primary_key;
    var(
        c,
        "sql_require_primary_key",
        pk,
        theirs,
        K::SqlRequirePrimaryKey,
        |x| match x {
            V::SqlRequirePrimaryKey(n) => Some(n),
            _ => None,
        },
    );
    let enc = v.default_table_encryption;
    var(
        c,
        "default_table_encryption",
        enc,
        theirs,
        K::DefaultTableEncryption,
        |x| match x {
            V::DefaultTableEncryption(n) => Some(n),
            _ => None,
        },
    );
}

/// Compares one status variable: replog's value against the one mysql_common finds
/// under `key` (`pick` extracts it from mysql_common's value).
fn var<'v, T: PartialEq + std::fmt::Debug>(
    c: &mut Cmp<'_>,
    name: &str,
    ours: Option<T>,
    theirs: &'v TheirVars<'v>,
    key: StatusVarKey,
    pick: impl FnOnce(StatusVarVal<'_>) -> Option<T>,
) {
    let field = format!("status.{name}");
    let theirs = match theirs.get_status_var(key) {
        None => None,
        Some(var) => match var.get_value() {
            Ok(value) => pick(value),
            Err(raw) => {
                c.differ(
                    field,
                    format!("mysql_common cannot read the value {raw:?}; replog {ours:?}"),
                );
                return;
            }
        },
    };
    c.eq(field, ours, theirs);
}

fn compare_user_var(c: &mut Cmp<'_>, u: &UserVar<'_>, o: &UserVarEvent<'_>) {
    c.eq("name", Bytes::of(u.name), Bytes::of(o.name_raw()));
    c.eq("is_null", u.value == UserVarValue::Null, o.is_null());
    if o.is_null() {
        return;
    }
    // mysql_common keeps the value raw, with its result type and charset: replog's
    // decoded value must lay out to the same bytes.
    let (kind, charset, bytes) = match u.value {
        UserVarValue::Null => return,
        UserVarValue::String { charset, bytes } => (0, Some(charset), bytes.to_vec()),
        UserVarValue::Real(x) => (1, None, x.to_le_bytes().to_vec()),
        UserVarValue::Int { value, .. } => (2, None, value.to_le_bytes().to_vec()),
        UserVarValue::Decimal {
            precision,
            scale,
            bytes,
        } => (4, None, [&[precision, scale][..], bytes].concat()),
        UserVarValue::Other { kind, bytes } => (kind as i8, None, bytes.to_vec()),
    };
    let their_kind = o.value_type().map_or_else(|e| e.0, |t| t as i8);
    c.eq("type", kind, their_kind);
    if let Some(charset) = charset {
        c.eq("charset", charset, o.charset());
    }
    c.eq("value", Bytes::of(&bytes), Bytes::of(o.value()));
    c.eq("flags", u.flags.unwrap_or(0), o.flags_raw());
    if let UserVarValue::Int { unsigned, .. } = u.value {
        c.eq("unsigned", unsigned, o.flags_raw() & 1 != 0);
    }
}

fn compare_fde(c: &mut Cmp<'_>, f: &FormatDescription<'_>, o: &FormatDescriptionEvent<'_>) {
    c.eq(
        "binlog_version",
        f.start.binlog_version,
        o.binlog_version() as u16,
    );
    // mysql_common hands out the whole 50-byte field; the servers read it up to the
    // first NUL (the padding).
    let theirs = o.server_version_raw();
    let end = theirs.iter().position(|&b| b == 0).unwrap_or(theirs.len());
    c.eq(
        "server_version",
        Bytes::of(f.start.server_version),
        Bytes::of(&theirs[..end]),
    );
    c.eq("created", f.start.created, o.create_timestamp());
    c.eq("header_len", f.header_len, o.event_header_length());
    c.eq(
        "post_header_lengths",
        Bytes::of(f.post_header_lengths),
        Bytes::of(o.event_type_header_lengths()),
    );
    let alg = match o.footer().get_checksum_alg() {
        Ok(alg) => alg.map(|a: BinlogChecksumAlg| a as u8),
        Err(unknown) => Some(unknown.0),
    };
    c.eq("checksum_alg", f.checksum_alg, alg);
}

/// mysql_common gives absent trailing fields as zeros and an undefined server version;
/// replog as `None`: `None` must stand where mysql_common has those defaults.
fn compare_gtid(c: &mut Cmp<'_>, g: &Gtid, o: &GtidEvent, anonymous: bool) {
    c.eq("anonymous", g.anonymous, anonymous);
    c.eq("flags", g.flags, o.flags_raw());
    c.eq("sid", g.sid.0, o.sid());
    c.eq("gno", g.gno as u64, o.gno());
    let clock = g
        .logical_clock
        .map(|lc| (lc.last_committed as u64, lc.sequence_number as u64));
    let their_clock = o
        .lc_typecode()
        .map(|_| (o.last_committed(), o.sequence_number()));
    c.eq("logical_clock", clock, their_clock);
    let ts = g.commit_timestamps.map(|t| (t.immediate, t.original));
    c.eq(
        "commit_timestamps",
        ts.unwrap_or((0, 0)),
        (
            o.immediate_commit_timestamp(),
            o.original_commit_timestamp(),
        ),
    );
    c.eq(
        "transaction_length",
        g.transaction_length.unwrap_or(0),
        o.tx_length(),
    );
    let versions = g.server_versions.map(|v| (v.immediate, v.original));
    c.eq(
        "server_versions",
        versions.unwrap_or((UNDEFINED_SERVER_VERSION, UNDEFINED_SERVER_VERSION)),
        (o.immediate_server_version(), o.original_server_version()),
    );
    c.eq(
        "commit_group_ticket",
        g.commit_group_ticket.unwrap_or(0),
        o.commit_group_ticket(),
    );
}

fn compare_gtid_tagged(c: &mut Cmp<'_>, g: &GtidTagged<'_>, o: &GtidEvent) {
    let tag = o.tag().map(|t| t.as_str().as_bytes().to_vec());
    c.eq("flags", g.flags, o.flags_raw());
    c.eq("sid", g.sid.0, o.sid());
    c.eq("gno", g.gno as u64, o.gno());
    c.eq("tag", Some(g.tag.to_vec()), tag);
    let lc = g.logical_clock;
    c.eq(
        "logical_clock",
        (lc.last_committed as u64, lc.sequence_number as u64),
        (o.last_committed(), o.sequence_number()),
    );
    let ts = g.commit_timestamps;
    c.eq(
        "commit_timestamps",
        (ts.immediate, ts.original),
        (
            o.immediate_commit_timestamp(),
            o.original_commit_timestamp(),
        ),
    );
    c.eq("transaction_length", g.transaction_length, o.tx_length());
    let v = g.server_versions;
    c.eq(
        "server_versions",
        (v.immediate, v.original),
        (o.immediate_server_version(), o.original_server_version()),
    );
    c.eq(
        "commit_group_ticket",
        g.commit_group_ticket.unwrap_or(0),
        o.commit_group_ticket(),
    );
}

fn compare_previous_gtids(c: &mut Cmp<'_>, p: &PreviousGtids<'_>, o: &PreviousGtidsEvent<'_>) {
    let theirs = o.sids();
    c.eq("count", p.count, theirs.len() as u64);
    for (i, (ours, theirs)) in p.entries().zip(theirs).enumerate() {
        c.eq(format_args!("entry[{i}].sid"), ours.sid.0, theirs.uuid());
        let tag = theirs.tag().map_or(&b""[..], |t| t.as_str().as_bytes());
        c.eq(
            format_args!("entry[{i}].tag"),
            Bytes::of(ours.tag),
            Bytes::of(tag),
        );
        // replog gives intervals as GTID sets write them (last included), mysql_common
        // as stored (end excluded).
        let ours: Vec<_> = ours.intervals().map(|(a, b)| (a, b + 1)).collect();
        let theirs: Vec<_> = theirs
            .intervals()
            .iter()
            .map(|i| (i.start(), i.end()))
            .collect();
        c.eq(format_args!("entry[{i}].intervals"), ours, theirs);
    }
}

fn compare_payload<'a>(
    c: &mut Cmp<'_>,
    p: &TransactionPayload<'_>,
    o: &TransactionPayloadEvent<'_>,
    ctx: &FormatContext,
    reader: &mut EventStreamReader,
    maps: &mut TableMaps<'a>,
) {
    let compression = match p.compression {
        Compression::Zstd => 0,
        Compression::None => 255,
        Compression::Other(x) => x,
    };
    c.eq("compression", compression, o.algorithm() as u64);
    c.eq(
        "uncompressed_size",
        p.uncompressed_size,
        o.uncompressed_size(),
    );
    c.eq("payload_size", p.payload.len() as u64, o.payload_size());
    c.eq("payload", Bytes::of(p.payload), Bytes::of(o.payload_raw()));
    let buf = p.decompress().unwrap();
    let theirs_buf = o.clone().danger_decompress();
    c.eq("decompressed", Bytes::of(&buf), Bytes::of(&theirs_buf));
    let mut input = &theirs_buf[..];
    for (i, inner) in InnerEvents::new(&buf, ctx).enumerate() {
        let inner = inner.unwrap();
        let other = reader
            .read_decompressed(&mut input)
            .unwrap()
            .expect("mysql_common frames the same inner events");
        c.tally().events += 1;
        let kind = inner.event_type.name().unwrap_or("UNKNOWN_EVENT");
        let at = c.at();
        let prefix = format!("{}.inner[{i}].{kind}", c.prefix());
        let mut ic = Cmp::new(c.tally(), at, kind, prefix);
        let h = other.header();
        ic.eq("header.timestamp", inner.header.timestamp, h.timestamp());
        ic.eq(
            "header.type_code",
            inner.header.type_code,
            h.event_type_raw(),
        );
        ic.eq("header.server_id", inner.header.server_id, h.server_id());
        ic.eq("header.event_size", inner.header.event_size, h.event_size());
        ic.eq("header.log_pos", inner.header.log_pos, h.log_pos());
        ic.eq("header.flags", inner.header.flags, h.flags_raw());
        let event = inner.decode(ctx).unwrap();
        compare_event(&mut ic, &event, &other, ctx, reader, maps);
        if let Event::TableMap(tm) = event {
            maps.insert((*tm).into_owned());
        }
    }
    c.eq("inner events left to mysql_common", input.len(), 0);
}
