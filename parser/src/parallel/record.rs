//! The per-transaction record every simulator reads (spec `parallel-apply.md` §3.1).

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use crate::error::Error;
use crate::thl::event::{Change, ColumnVal};
use crate::txn::extract::{MariaGtidFacts, SourceFacts};
use crate::txn::Transaction;

/// MySQL's logical clock of one transaction (GTID event offsets 26 and 34).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogicalClock {
    /// `last_committed`: the commit parent; 0 means "after everything before".
    pub last_committed: i64,
    /// `sequence_number`: position in commit order, restarting at 1 in every file.
    pub sequence_number: i64,
}

/// One transaction as the simulators see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxnRecord {
    /// THL seqno.
    pub seqno: i64,
    /// Fragment records.
    pub frags: u32,
    /// The Tungsten shard id of its first fragment.
    pub shard: String,
    /// Databases it touches; `None` when its reach is unknown.
    pub dbs: Option<BTreeSet<String>>,
    /// Tables it writes rows of (`schema.table`); `None` when it holds statements,
    /// whose tables are not known.
    pub tables: Option<BTreeSet<String>>,
    /// It holds DDL.
    pub is_ddl: bool,
    /// It holds statements (no write set can be derived from them).
    pub is_statement: bool,
    /// Write-set keys (table and row); `None` when some change cannot be keyed.
    pub keys: Option<Vec<u64>>,
    /// MySQL logical clock, when its GTID event has one.
    pub clock: Option<LogicalClock>,
    /// The binary log it comes from (the file part of its eventId): logical clocks
    /// restart in every file.
    pub binlog_file: Option<String>,
    /// MariaDB GTID: domain, commit id, flags.
    pub mariadb: Option<MariaGtidFacts>,
    /// Thread id of its statements.
    pub session: Option<i64>,
    /// Server id of the source (`mysql_server_id` metadata).
    pub server_id: Option<u32>,
    /// Source commit time, Java milliseconds.
    pub src_ts: i64,
    /// Row changes.
    pub rows: u64,
    /// Bytes of its THL records.
    pub bytes: u64,
    /// Statements.
    pub stmts: u64,
}

impl TxnRecord {
    /// Summarises `txn` (its payloads are decoded). `facts`, given for binary logs, is
    /// what the binlog says beyond THL and takes precedence over what the payload
    /// shows. `None` for a transaction without an event record.
    pub fn from_transaction(
        txn: &Transaction<'_>,
        facts: Option<&SourceFacts>,
    ) -> Result<Option<TxnRecord>, Error> {
        let (Some(first), Some(last)) = (txn.first(), txn.last()) else {
            return Ok(None);
        };
        let mut record = TxnRecord {
            seqno: first.seqno,
            frags: txn.fragments.len() as u32,
            shard: first.shard_id.text().to_string(),
            src_ts: first.source_tstamp,
            binlog_file: last
                .event_id
                .text()
                .split_once(':')
                .map(|(file, _)| file.to_string()),
            ..TxnRecord::default()
        };
        let mut dbs = Some(BTreeSet::new());
        let mut tables = Some(BTreeSet::new());
        let mut keys = Some(Vec::new());
        for fragment in &txn.fragments {
            record.bytes += u64::from(fragment.length);
            let Some(event_record) = fragment.event() else {
                continue;
            };
            let event = event_record.decode()?;
            if record.server_id.is_none() {
                record.server_id = event
                    .metadata("mysql_server_id")
                    .and_then(|id| id.parse().ok());
            }
            for change in &event.body.changes {
                match change {
                    Change::Statement(statement) => {
                        record.stmts += 1;
                        record.is_statement = true;
                        keys = None;
                        tables = None;
                        // A statement may reach beyond its default schema; without one
                        // its reach is unknown.
                        match (statement.default_schema, &mut dbs) {
                            (Some(schema), Some(set)) if !schema.is_empty() => {
                                set.insert(schema.to_string());
                            }
                            _ => dbs = None,
                        }
                    }
                    Change::FileQuery(_) => {
                        record.stmts += 1;
                        record.is_statement = true;
                        keys = None;
                        tables = None;
                    }
                    Change::Rows(rows) => {
                        for one in &rows.row_changes {
                            record.rows += one.row_count() as u64;
                            if let Some(set) = &mut dbs {
                                set.insert(one.schema_name.to_string());
                            }
                            if let Some(set) = &mut tables {
                                set.insert(format!("{}.{}", one.schema_name, one.table_name));
                            }
                            if let Some(keys) = &mut keys {
                                // THL knows no primary key: a row is keyed by its whole
                                // image, before and after, so two transactions touching
                                // the same row version share a key (see README).
                                for image in one.key_values.iter().chain(&one.column_values) {
                                    keys.push(image_key(one.schema_name, one.table_name, image));
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        record.dbs = dbs;
        record.tables = tables;
        record.keys = keys;
        if let Some(facts) = facts {
            record.dbs = facts.databases.clone();
            record.is_ddl = facts.ddl;
            record.is_statement = facts.statements > 0;
            if record.is_statement {
                record.tables = None;
            }
            record.keys = facts.keys.clone();
            record.clock = facts.logical_clock.map(|(l, s)| LogicalClock {
                last_committed: l,
                sequence_number: s,
            });
            record.mariadb = facts.mariadb_gtid;
            record.session = facts.session;
        }
        Ok(Some(record))
    }

    /// Whether the database set is known and names more than one database.
    pub fn is_cross_database(&self) -> bool {
        self.dbs.as_ref().is_some_and(|dbs| dbs.len() > 1)
    }
}

/// A write-set key from a table and one row image.
fn image_key(schema: &str, table: &str, image: &[ColumnVal<'_>]) -> u64 {
    let mut hasher = DefaultHasher::new();
    (schema, table).hash(&mut hasher);
    for value in image {
        value.value_type.hash(&mut hasher);
        value.int_value.hash(&mut hasher);
        value.long_value.hash(&mut hasher);
        value.float_value.map(f32::to_bits).hash(&mut hasher);
        value.double_value.map(f64::to_bits).hash(&mut hasher);
        value.string_value.hash(&mut hasher);
        value.bytes_value.hash(&mut hasher);
    }
    hasher.finish()
}
