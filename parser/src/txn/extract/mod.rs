//! Binary-log events to THL transactions, by the rules of Tungsten's MySQL extractor
//! (thl-format.md §7, §8.2–8.6; parallel-apply.md §1.2).
//!
//! [`Extractor::event`] takes the events of a [`Stream`](crate::binlog::stream::Stream)
//! one at a time and returns a THL fragment record whenever one is complete:
//!
//! - A transaction opens at `BEGIN` (its session settings become the options of a
//!   row-based transaction), `XA START`, or a MariaDB GTID event that is not standalone;
//!   it ends at `XID`, `COMMIT`, `ROLLBACK` (metadata `rollback`) or `XA_PREPARE`.
//!   Outside a transaction every statement stands alone (as does a rows event flagged
//!   as its statement's last, which early 5.1 servers logged without BEGIN), and DDL
//!   (CREATE, DROP, ALTER, RENAME, TRUNCATE) always commits. An empty commit (an XID
//!   with nothing before it) produces nothing.
//! - Statements keep their bytes (LOAD DATA its text, as the reference does), default
//!   schema (written only when it changes inside a transaction), time and session
//!   options; rows events become row changes with the §6.7 types; INTVAR becomes a row
//!   id, RAND and user variables `SET` statements; LOAD DATA blocks become file
//!   fragments and the statement a file query.
//! - A transaction larger than [`ExtractOptions::fragment_size`] (bytes of rows events
//!   and statements) is cut into fragments; later fragments keep the shard of the first.
//! - Tags: seqno (dense, from [`ExtractOptions::first_seqno`]), epoch, eventId (the
//!   file and the position after the last event taken, and the statements' thread id or
//!   -1), sourceId, shard ([`shard`]) and the metadata the reference extractor writes.
//!
//! Where this differs from the reference extractor (documented in README): the source
//! time is that of the transaction's first event (the reference takes whatever event it
//! read first, a ROTATE or format description at a file start); `SAVEPOINT`,
//! `ROLLBACK TO` and `XA` statements are recognized rather than counted as unknown SQL;
//! `extractedTstamp` is the source time, so a re-run writes the same bytes.

mod owned;
mod rows;
mod session;
pub mod shard;
mod sql;

use std::collections::{BTreeSet, HashMap};

use crate::binlog::events::mariadb_gtid::{FL_COMPLETED_XA, FL_STANDALONE};
use crate::binlog::events::user_var::{decimal_to_string, UserVarValue};
use crate::binlog::rows::TableMaps;
use crate::binlog::rows::{NO_FOREIGN_KEY_CHECKS_F, RELAXED_UNIQUE_CHECKS_F, STMT_END_F};
use crate::binlog::stream::EventSite;
use crate::binlog::{BinlogError, Event};
use crate::error::{Error, ErrorKind};
use crate::thl::event::{Event as ThlEvent, Header, ReplDbmsEvent};
use crate::thl::{JavaStr, OwnedRecord, RecordHeader, CRC_32, CRC_NONE};

use super::event_id::EventId;
use super::TxnError;
use owned::{view_options, Options, OwnedChange, OwnedRows, OwnedStatement};
use sql::{classify, Operation};

/// How extraction tags what it produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractOptions {
    /// The replication service (metadata `service`; `tungsten_<service>` tables are
    /// its catalog).
    pub service: String,
    /// The source id of every record (by default the host name).
    pub source_id: String,
    /// The seqno of the first transaction.
    pub first_seqno: i64,
    /// The epoch number: the first seqno extracted by this run.
    pub epoch: i64,
    /// Fragment a transaction once its rows and statements exceed this many bytes
    /// (0: never). The reference template uses 1,000,000.
    pub fragment_size: u64,
    /// Write CRC-32 checksums on records.
    pub checksums: bool,
    /// Strict (an unknown event inside a transaction is an error) or permissive
    /// (reported, and extraction goes on without it).
    pub permissive: bool,
}

/// One extracted fragment record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// Its seqno.
    pub seqno: i64,
    /// Its fragno.
    pub fragno: i16,
    /// Whether it is the transaction's last fragment.
    pub last_frag: bool,
    /// Its shard.
    pub shard: String,
    /// Its eventId.
    pub event_id: String,
    /// The framed record (as a THL file stores it, offset 0 and file name empty:
    /// it belongs to no file yet).
    pub record: OwnedRecord,
    /// On the last fragment: what the binary log says about the whole transaction.
    pub facts: Option<SourceFacts>,
}

/// What the binary log says about a whole transaction beyond its THL form: the inputs
/// of the parallel-apply simulators (`parallel-apply.md` §3.1). Carried by the last
/// fragment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFacts {
    /// The databases it touches: row changes' schemas, statements' named schema or
    /// default database. `None` when a statement's reach is unknown (unrecognised SQL
    /// with a default database, FLUSH TABLES, XA outcomes).
    pub databases: Option<BTreeSet<String>>,
    /// Statements it holds (queries, LOAD DATA, and the made-up `SET`s).
    pub statements: u32,
    /// It holds DDL.
    pub ddl: bool,
    /// The thread id of its statements, when it has any.
    pub session: Option<i64>,
    /// MySQL's logical clock from its GTID event: `(last_committed, sequence_number)`.
    pub logical_clock: Option<(i64, i64)>,
    /// MariaDB's GTID event: domain, sequence number, group-commit id, flags.
    pub mariadb_gtid: Option<MariaGtidFacts>,
    /// The rows it writes, as 64-bit keys of table and primary key; `None` when some
    /// change cannot be keyed (a statement, or a table without known primary key).
    pub keys: Option<Vec<u64>>,
}

impl SourceFacts {
    /// A transaction before its first event: no database, no key yet (both known).
    fn empty() -> SourceFacts {
        SourceFacts {
            databases: Some(BTreeSet::new()),
            keys: Some(Vec::new()),
            ..SourceFacts::default()
        }
    }
}

/// The fields of a MariaDB GTID event that parallel replication reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MariaGtidFacts {
    /// Replication domain.
    pub domain_id: u32,
    /// Sequence number in the domain.
    pub seq_no: u64,
    /// Group-commit id, when the transaction was group-committed.
    pub commit_id: Option<u64>,
    /// `FL_*` flags.
    pub flags: u8,
}

/// The state of a fragment being built.
#[derive(Debug, Default)]
struct Building {
    changes: Vec<OwnedChange>,
    /// Schema names for the shard decision, in the order met.
    schemas: Vec<String>,
    /// The `___SERVICE___` name of the fragment's first statement.
    origin_service: Option<String>,
    statements: u32,
    start_time: Option<u32>,
    server_id: Option<u32>,
    session_id: Option<i64>,
    /// The default schema last written on a statement (`Some(None)`: no schema).
    default_schema: Option<Option<String>>,
    begin_options: Options,
    has_rows: bool,
    size: u64,
    unsafe_for_block_commit: bool,
    gtid: Option<(u32, u64)>,
    events: u64,
}

/// Turns binlog events into THL fragment records.
#[derive(Debug)]
pub struct Extractor {
    options: ExtractOptions,
    next_seqno: i64,
    in_transaction: bool,
    building: Building,
    /// Fragno of the fragment being built, and the shard/service fragment 0 chose.
    fragno: i16,
    first_fragment: Option<shard::Decision>,
    /// Database of each LOAD DATA file id, from its statement.
    load_files: HashMap<u32, usize>,
    /// What the transaction so far says beyond THL (across its fragments).
    facts: SourceFacts,
}

impl Extractor {
    /// An extractor tagging with `options`.
    pub fn new(options: ExtractOptions) -> Extractor {
        Extractor {
            next_seqno: options.first_seqno,
            options,
            in_transaction: false,
            building: Building::default(),
            fragno: 0,
            first_fragment: None,
            load_files: HashMap::new(),
            facts: SourceFacts::empty(),
        }
    }

    /// The seqno the next transaction gets.
    pub fn next_seqno(&self) -> i64 {
        self.next_seqno
    }

    /// Takes one event; returns the fragment it completes. `report` receives what
    /// permissive mode steps over, and notices (INCIDENT events) in either mode.
    pub fn event(
        &mut self,
        site: &EventSite<'_>,
        event: &Event<'_>,
        maps: &TableMaps<'_>,
        report: &mut dyn FnMut(Error),
    ) -> Result<Option<Fragment>, Error> {
        let locate = |kind| Error::new(site.file, site.offset, kind);
        if is_transactional(event) {
            let b = &mut self.building;
            b.start_time.get_or_insert(site.header.timestamp);
            b.server_id.get_or_insert(site.header.server_id);
            b.events += 1;
        }
        let mut commit = Commit::No;
        match event {
            Event::Query(q) => {
                let text = q.text().map_err(|cause| body_error(site, cause))?;
                commit = self.query(site, q, &text);
            }
            Event::MariaGtid(g) => {
                let standalone = g.flags & (FL_STANDALONE | FL_COMPLETED_XA) != 0;
                if !standalone {
                    self.in_transaction = true;
                }
                self.building.gtid = Some((g.domain_id, g.seq_no));
                self.facts.mariadb_gtid = Some(MariaGtidFacts {
                    domain_id: g.domain_id,
                    seq_no: g.seq_no,
                    commit_id: g.commit_id,
                    flags: g.flags,
                });
            }
            Event::Gtid(g) => {
                self.facts.logical_clock = g
                    .logical_clock
                    .map(|c| (c.last_committed, c.sequence_number));
            }
            Event::Intvar(i) => self.building.changes.push(OwnedChange::RowId {
                id: i.value as i64,
                kind: i32::from(i.kind),
            }),
            Event::Rand(r) => self.made_up_statement(format!(
                "SET @@RAND_SEED1={}, @@RAND_SEED2={}",
                r.seed1, r.seed2
            )),
            Event::UserVar(u) => {
                let value = user_var_text(&u.value);
                let name = String::from_utf8_lossy(u.name).replace('`', "``");
                self.made_up_statement(format!("SET @`{name}`:={value}"));
            }
            Event::Xid(_) => commit = Commit::Yes,
            Event::XaPrepare(_) => commit = Commit::Yes,
            Event::Rows(r) => {
                let map = maps.get(r.table_id).ok_or_else(|| {
                    body_error(
                        site,
                        crate::decode::DecodeError::new(
                            r.body_len(),
                            "a table map for the rows event's table id earlier in the log",
                        ),
                    )
                })?;
                let (change, keys) =
                    rows::row_change(r, map).map_err(|cause| body_error(site, cause))?;
                match (&mut self.facts.keys, keys) {
                    (Some(all), Some(keys)) => all.extend(keys),
                    (all, _) => *all = None,
                }
                let b = &mut self.building;
                b.schemas.push(change.schema.clone());
                b.size += u64::from(site.header.event_size);
                b.has_rows = true;
                let flag = |bit, set: &str, clear: &str| {
                    if r.flags & bit != 0 { set } else { clear }.to_string()
                };
                b.changes.push(OwnedChange::Rows(OwnedRows {
                    change,
                    options: vec![
                        (
                            "foreign_key_checks",
                            flag(NO_FOREIGN_KEY_CHECKS_F, "0", "1"),
                        ),
                        ("unique_checks", flag(RELAXED_UNIQUE_CHECKS_F, "0", "1")),
                        ("time_zone", "'+00:00'".into()),
                        ("##charset", "UTF-8".into()),
                    ],
                }));
                // Early 5.1 servers logged changes to non-transactional tables without
                // BEGIN/COMMIT: the statement's last rows event ends the transaction.
                if !self.in_transaction && r.flags & STMT_END_F != 0 {
                    commit = Commit::Yes;
                }
            }
            Event::BeginLoadQuery(block) | Event::AppendBlock(block) => {
                let b = &mut self.building;
                b.size += block.block.len() as u64;
                self.load_files
                    .entry(block.file_id)
                    .or_insert(b.changes.len());
                b.changes.push(OwnedChange::FileFragment {
                    file_id: block.file_id as i32,
                    data: block.block.to_vec(),
                    database: None,
                });
            }
            Event::ExecuteLoadQuery(e) => {
                let text = e.query.text().map_err(|cause| body_error(site, cause))?;
                commit = self.load_query(site, e, &text);
            }
            Event::Incident(i) => report(locate(ErrorKind::Txn(TxnError::Incident {
                message: i.to_string(),
            }))),
            Event::Unknown { type_code, .. } if self.in_transaction => {
                let err = locate(ErrorKind::Txn(TxnError::UnknownEvent {
                    type_code: *type_code,
                }));
                if !self.options.permissive {
                    return Err(err);
                }
                report(err);
            }
            _ => {}
        }
        match commit {
            Commit::Yes => self.finish_transaction(site, false),
            Commit::Rollback => self.finish_transaction(site, true),
            Commit::No => self.maybe_fragment(site),
        }
    }

    /// Called at the end of the input: a transaction still open is reported (strict
    /// mode: returned as an error when the log was closed, since a closed log cannot
    /// end inside a transaction).
    pub fn finish(
        &mut self,
        last_file: &str,
        end_offset: u64,
        log_in_use: bool,
        report: &mut dyn FnMut(Error),
    ) -> Result<(), Error> {
        let open = self.in_transaction || !self.building.changes.is_empty() || self.fragno > 0;
        if !open {
            return Ok(());
        }
        let err = Error::new(
            last_file,
            end_offset,
            ErrorKind::Txn(TxnError::Incomplete {
                events: self.building.events,
                log_in_use,
            }),
        );
        if log_in_use || self.options.permissive {
            report(err);
            Ok(())
        } else {
            Err(err)
        }
    }

    fn made_up_statement(&mut self, text: String) {
        self.facts.statements += 1;
        self.building.size += text.len() as u64;
        self.building
            .changes
            .push(OwnedChange::Statement(OwnedStatement {
                text: Some(text),
                ..OwnedStatement::default()
            }));
    }

    /// The default schema a statement carries: the session's, except for CREATE/DROP
    /// DATABASE, and inside a transaction only when it changed.
    fn default_schema(&mut self, thread_id: u32, schema: &[u8], prepend: bool) -> Option<String> {
        let db = (!schema.is_empty()).then(|| String::from_utf8_lossy(schema).into_owned());
        let b = &mut self.building;
        let first = b.default_schema.is_none();
        if first {
            b.session_id = Some(i64::from(thread_id));
        }
        if !prepend {
            if first {
                b.default_schema = Some(None);
            }
            return None;
        }
        if b.default_schema.as_ref() == Some(&db) {
            return None;
        }
        b.default_schema = Some(db.clone());
        db
    }

    fn query(
        &mut self,
        site: &EventSite<'_>,
        q: &crate::binlog::events::query::Query<'_>,
        text: &[u8],
    ) -> Commit {
        let op = classify(text);
        let status = q.status();
        match op.operation {
            Operation::Begin | Operation::XaStart => {
                self.in_transaction = true;
                self.building.begin_options = session::begin_options(&status);
                return Commit::No;
            }
            Operation::Commit => return Commit::Yes,
            Operation::Rollback => return Commit::Rollback,
            Operation::XaEnd => {
                // Applies nothing, but it is the session's statement.
                self.building
                    .session_id
                    .get_or_insert(i64::from(q.thread_id));
                return Commit::No;
            }
            _ => {}
        }
        let prepend = !(op.commits_implicitly() && op.schema_object);
        let default_schema = self.default_schema(q.thread_id, q.schema, prepend);
        let b = &mut self.building;
        // The shard counts the schema the statement names, else the session's.
        let session_db = (!q.schema.is_empty()).then(|| String::from_utf8_lossy(q.schema));
        match (&op.schema, op.operation) {
            (Some(s), _) => b.schemas.push(s.clone()),
            // FLUSH TABLES touches every schema; XA COMMIT/ROLLBACK ends changes
            // logged earlier whose schemas it does not name: both run alone.
            (None, Operation::FlushTables | Operation::XaOutcome) => {
                b.schemas.push(shard::UNKNOWN.into())
            }
            (None, Operation::Unrecognized) if session_db.is_some() => {
                b.schemas.push(shard::UNKNOWN.into())
            }
            (None, _) => {
                if let Some(db) = session_db {
                    b.schemas.push(db.into_owned());
                }
            }
        }
        if b.statements == 0 {
            b.origin_service = shard::origin_service(text);
        }
        b.statements += 1;
        b.unsafe_for_block_commit |= op.unsafe_for_block_commit();
        self.facts.statements += 1;
        self.facts.ddl |= op.commits_implicitly();
        self.facts.keys = None;
        b.size += text.len() as u64;
        let mut options = Options::new();
        let charset = status
            .charset
            .as_ref()
            .and_then(|c| session::java_charset(c.client));
        if let Some(name) = charset {
            options.push(("##charset", name.to_string()));
        }
        if op.schema_object {
            options.push(("createOrDropDB", String::new()));
        }
        options.extend(session::statement_options(&status));
        b.changes.push(OwnedChange::Statement(OwnedStatement {
            default_schema,
            timestamp: Some(i64::from(site.header.timestamp) * 1000),
            text: None,
            bytes: Some(text.to_vec()),
            options,
            error_code: i32::from(q.error_code),
        }));
        if !self.in_transaction || op.commits_implicitly() {
            Commit::Yes
        } else {
            Commit::No
        }
    }

    fn load_query(
        &mut self,
        site: &EventSite<'_>,
        e: &crate::binlog::events::execute_load_query::ExecuteLoadQuery<'_>,
        text: &[u8],
    ) -> Commit {
        let q = &e.query;
        self.default_schema(q.thread_id, q.schema, true);
        let db = (!q.schema.is_empty()).then(|| String::from_utf8_lossy(q.schema).into_owned());
        let op = classify(text);
        let b = &mut self.building;
        if let Some(s) = op.schema.clone().or_else(|| db.clone()) {
            b.schemas.push(s);
        }
        // The file's blocks belong to the statement's database.
        let blocks_at = self.load_files.get(&e.file_id).copied();
        if let Some(blocks) = blocks_at.and_then(|at| b.changes.get_mut(at..)) {
            for change in blocks {
                if let OwnedChange::FileFragment {
                    file_id, database, ..
                } = change
                {
                    if *file_id == e.file_id as i32 {
                        *database = db.clone();
                    }
                }
            }
        }
        self.load_files.remove(&e.file_id);
        b.statements += 1;
        self.facts.statements += 1;
        self.facts.keys = None;
        b.size += text.len() as u64;
        let status = q.status();
        b.changes.push(OwnedChange::FileQuery {
            statement: OwnedStatement {
                default_schema: db,
                timestamp: Some(i64::from(site.header.timestamp) * 1000),
                // Unlike other statements, the reference extractor keeps the LOAD DATA
                // statement as text (`query`, no `##charset`): it decodes the event's
                // bytes with its JVM's charset, UTF-8 (the real 3.1.0 THL, seqno 7).
                text: Some(String::from_utf8_lossy(text).into_owned()),
                bytes: None,
                options: session::statement_options(&status),
                error_code: i32::from(q.error_code),
            },
            file_id: e.file_id as i32,
            filename_start: e.file_name_start as i32,
            filename_end: e.file_name_end as i32,
        });
        if self.in_transaction {
            Commit::No
        } else {
            Commit::Yes
        }
    }

    fn maybe_fragment(&mut self, site: &EventSite<'_>) -> Result<Option<Fragment>, Error> {
        let limit = self.options.fragment_size;
        if limit == 0 || self.building.size <= limit || self.building.changes.is_empty() {
            return Ok(None);
        }
        let fragment = self.emit(site, false, false)?;
        self.fragno += 1;
        Ok(Some(fragment))
    }

    fn finish_transaction(
        &mut self,
        site: &EventSite<'_>,
        rollback: bool,
    ) -> Result<Option<Fragment>, Error> {
        self.in_transaction = false;
        self.load_files.clear();
        if self.building.changes.is_empty() && self.fragno == 0 {
            // Nothing to apply (an XID after an empty transaction).
            self.building = Building::default();
            self.take_facts();
            return Ok(None);
        }
        let fragment = self.emit(site, true, rollback)?;
        self.fragno = 0;
        self.first_fragment = None;
        self.next_seqno += 1;
        Ok(Some(fragment))
    }

    /// Builds the record of the fragment so far and starts the next one.
    fn emit(
        &mut self,
        site: &EventSite<'_>,
        last_frag: bool,
        rollback: bool,
    ) -> Result<Fragment, Error> {
        let b = std::mem::take(&mut self.building);
        for schema in &b.schemas {
            match &mut self.facts.databases {
                Some(_) if schema == shard::UNKNOWN => self.facts.databases = None,
                Some(set) => {
                    set.insert(schema.clone());
                }
                None => {}
            }
        }
        self.facts.session = self.facts.session.or(b.session_id);
        let decision = match &self.first_fragment {
            Some(d) => d.clone(),
            None => {
                let d = shard::decide(
                    &b.schemas,
                    b.origin_service.as_deref(),
                    &self.options.service,
                );
                self.first_fragment = Some(d.clone());
                d
            }
        };
        let mut metadata: Options = Vec::new();
        metadata.push((
            "mysql_server_id",
            b.server_id.unwrap_or(site.header.server_id).to_string(),
        ));
        if let Some((domain, seqno)) = b.gtid {
            metadata.push(("gtid_domain_id", domain.to_string()));
            metadata.push(("gtid_seqno", seqno.to_string()));
        }
        if rollback {
            metadata.push(("rollback", String::new()));
        }
        if b.unsafe_for_block_commit {
            metadata.push(("unsafe_for_block_commit", String::new()));
        }
        metadata.push(("tz_aware", "true".into()));
        metadata.push(("dbms_type", "mysql".into()));
        if decision.is_metadata {
            metadata.push(("is_metadata", "true".into()));
        }
        metadata.push(("service", decision.service.clone()));
        metadata.push(("shard", decision.shard.clone()));
        let options = if b.has_rows {
            b.begin_options
        } else {
            Vec::new()
        };
        let event_id = EventId {
            file: site.log_name.to_string(),
            position: site.next_position,
            session: Some(b.session_id.unwrap_or(-1)),
        }
        .to_string();
        let source_tstamp = i64::from(b.start_time.unwrap_or(site.header.timestamp)) * 1000;
        let seqno = self.next_seqno;
        let too_long = |what| {
            Error::new(
                site.file,
                site.offset,
                ErrorKind::Txn(TxnError::TooLong { what }),
            )
        };
        let record = RecordHeader {
            seqno,
            fragno: self.fragno,
            last_frag,
            epoch: self.options.epoch,
            source_id: JavaStr::encode(&self.options.source_id)
                .ok_or_else(|| too_long("the source id"))?,
            event_id: JavaStr::encode(&event_id).ok_or_else(|| too_long("the eventId"))?,
            shard_id: JavaStr::encode(&decision.shard).ok_or_else(|| too_long("the shard id"))?,
            source_tstamp,
        };
        let event = ThlEvent {
            record,
            header: Header {
                seqno,
                fragno: i32::from(self.fragno),
                last_frag,
                source_tstamp,
                extracted_tstamp: source_tstamp,
                source_id: &self.options.source_id,
                epoch_number: self.options.epoch,
                event_id: &event_id,
                shard_id: "#DEFAULT",
                filtered_event: false,
                seqno_end: None,
                fragno_end: None,
            },
            body: ReplDbmsEvent {
                changes: b.changes.iter().map(OwnedChange::view).collect(),
                metadata: view_options(&metadata),
                options: view_options(&options),
            },
        };
        let record = owned_record(event.encode(), self.options.checksums);
        Ok(Fragment {
            seqno,
            fragno: self.fragno,
            last_frag,
            shard: decision.shard,
            event_id,
            record,
            facts: last_frag.then(|| self.take_facts()),
        })
    }

    /// The facts of the transaction that just ended; the next starts afresh.
    fn take_facts(&mut self) -> SourceFacts {
        std::mem::replace(&mut self.facts, SourceFacts::empty())
    }
}

/// The record of encoded event data, as a THL file would frame it (length, data, CRC
/// type and CRC; the same framing as the writer's), without copying the data.
fn owned_record(data: Vec<u8>, checksums: bool) -> OwnedRecord {
    let (crc_type, crc) = if checksums {
        (CRC_32, u64::from(crc32fast::hash(&data)))
    } else {
        (CRC_NONE, 0)
    };
    OwnedRecord {
        file: String::new(),
        offset: 0,
        // The length field counts itself (4), the CRC type (1) and the CRC (8).
        length: (data.len() + 13) as u32,
        crc_type,
        crc,
        data,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Commit {
    No,
    Yes,
    Rollback,
}

/// Events that belong to a transaction (their time and server id tag it), as opposed
/// to file framing (format description, rotate, stop, GTID lists).
fn is_transactional(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Query(_)
            | Event::MariaGtid(_)
            | Event::Gtid(_)
            | Event::Intvar(_)
            | Event::Rand(_)
            | Event::UserVar(_)
            | Event::Xid(_)
            | Event::XaPrepare(_)
            | Event::TableMap(_)
            | Event::Rows(_)
            | Event::AnnotateRows(_)
            | Event::RowsQuery(_)
            | Event::BeginLoadQuery(_)
            | Event::AppendBlock(_)
            | Event::ExecuteLoadQuery(_)
    )
}

fn body_error(site: &EventSite<'_>, cause: crate::decode::DecodeError) -> Error {
    Error::new(
        site.file,
        site.offset,
        ErrorKind::Binlog(BinlogError::Body {
            event: site.event_type.name().unwrap_or("UNKNOWN_EVENT"),
            at: site.offset,
            cause,
        }),
    )
}

/// A user variable's value as SQL text.
fn user_var_text(value: &UserVarValue<'_>) -> String {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02X}")).collect::<String>();
    match value {
        UserVarValue::Null => "NULL".into(),
        UserVarValue::String { charset, bytes } => {
            let introducer = match session::java_charset(*charset as u16) {
                Some("UTF-8") => "_utf8mb4 ",
                Some("ISO-8859-1") if *charset != 63 => "_latin1 ",
                _ => "_binary ",
            };
            format!("{introducer}X'{}'", hex(bytes))
        }
        UserVarValue::Real(v) => format!("{v:e}"),
        UserVarValue::Int {
            value,
            unsigned: true,
        } => (*value as u64).to_string(),
        UserVarValue::Int { value, .. } => value.to_string(),
        UserVarValue::Decimal {
            precision,
            scale,
            bytes,
        } => decimal_to_string(*precision, *scale, bytes).unwrap_or_else(|| "NULL".into()),
        UserVarValue::Other { bytes, .. } => format!("_binary X'{}'", hex(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binlog::event_type::EventType;
    use crate::binlog::events::append_block::AppendBlock;
    use crate::binlog::events::execute_load_query::ExecuteLoadQuery;
    use crate::binlog::{EventHeader, FormatContext};
    use crate::thl::event::Change;

    fn options() -> ExtractOptions {
        ExtractOptions {
            service: "s".into(),
            source_id: "h".into(),
            first_seqno: 0,
            epoch: 0,
            fragment_size: 0,
            checksums: true,
            permissive: false,
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
}
