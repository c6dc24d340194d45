//! What a binary log says about a transaction beyond its THL form.

use std::collections::BTreeSet;

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
    pub(super) fn empty() -> SourceFacts {
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
