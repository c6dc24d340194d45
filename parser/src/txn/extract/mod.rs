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

mod emit;
mod facts;
mod owned;
mod rows;
mod session;
pub mod shard;
pub(super) mod sql;
mod statements;
#[cfg(test)]
mod tests;

pub use facts::{MariaGtidFacts, SourceFacts};
use statements::user_var_text;

use std::collections::HashMap;

use crate::binlog::rows::TableMaps;
use crate::binlog::rows::{NO_FOREIGN_KEY_CHECKS_F, RELAXED_UNIQUE_CHECKS_F, STMT_END_F};
use crate::binlog::stream::EventSite;
use crate::binlog::{BinlogError, Event};
use crate::error::{Error, ErrorKind};
use crate::thl::OwnedRecord;

use super::TxnError;
use owned::{Options, OwnedChange, OwnedRows};

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

/// The fragment size of Tungsten's MySQL extractor template
/// (`replicator.extractor.dbms.transaction_frag_size`).
pub const DEFAULT_FRAGMENT_SIZE: u64 = 1_000_000;

impl ExtractOptions {
    /// Tags for `service` and `source_id` with the reference extractor's defaults: a new
    /// log from seqno 0 (its epoch), fragments at [`DEFAULT_FRAGMENT_SIZE`], CRC-32 on
    /// records, strict.
    pub fn new(service: impl Into<String>, source_id: impl Into<String>) -> ExtractOptions {
        ExtractOptions {
            service: service.into(),
            source_id: source_id.into(),
            first_seqno: 0,
            epoch: 0,
            fragment_size: DEFAULT_FRAGMENT_SIZE,
            checksums: true,
            permissive: false,
        }
    }
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
                if g.opens_transaction() {
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
