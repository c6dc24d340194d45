//! Where a binlog stream stands between transactions: the points a reader can start a
//! new stream from without landing inside one (a replication client resuming after a
//! dropped connection).

use crate::binlog::Event;

use super::extract::sql::{classify, Operation};

/// Follows a stream's events and says after which ones no transaction is open.
///
/// A transaction opens at `BEGIN`, `XA START` or a MariaDB GTID event that opens one
/// ([`MariaGtid::opens_transaction`](crate::binlog::events::mariadb_gtid::MariaGtid::opens_transaction), the extractor's rule), and ends at `XID`, `COMMIT`, `ROLLBACK` or `XA_PREPARE`. A GTID event of
/// MySQL, or a standalone one of MariaDB, announces a group whose first statement
/// decides: `BEGIN` opens a transaction, anything else (DDL) is the whole group. A format
/// description, ROTATE or STOP is always between transactions (none spans files).
/// Events packed in a `TRANSACTION_PAYLOAD_EVENT` are followed like the others.
#[derive(Debug, Clone, Default)]
pub struct TransactionBoundaries {
    state: State,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum State {
    /// No transaction open.
    #[default]
    Between,
    /// A GTID announced a group; its first statement says whether it is a transaction.
    Announced,
    /// Inside a transaction.
    Open,
}

impl TransactionBoundaries {
    /// A stream that starts between transactions.
    pub fn new() -> TransactionBoundaries {
        TransactionBoundaries::default()
    }

    /// Follows `event`; returns whether the stream stands between transactions after it.
    pub fn event(&mut self, event: &Event<'_>) -> bool {
        self.state = match event {
            Event::MariaGtid(g) if g.opens_transaction() => State::Open,
            Event::MariaGtid(_) => State::Announced,
            Event::Gtid(_) | Event::GtidTagged(_) => State::Announced,
            Event::Query(q) => match q.text().map(|text| classify(&text).operation) {
                Ok(Operation::Begin | Operation::XaStart) => State::Open,
                Ok(Operation::Commit | Operation::Rollback) => State::Between,
                _ if self.state == State::Announced => State::Between,
                _ => self.state,
            },
            Event::Xid(_)
            | Event::XaPrepare(_)
            | Event::FormatDescription(_)
            | Event::Rotate(_)
            | Event::Stop(_) => State::Between,
            _ => self.state,
        };
        self.state == State::Between
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binlog::events::mariadb_gtid::{MariaGtid, FL_COMPLETED_XA, FL_STANDALONE};
    use crate::binlog::events::query::Query;
    use crate::binlog::events::xid::Xid;

    fn gtid(flags: u8) -> Event<'static> {
        Event::MariaGtid(MariaGtid {
            domain_id: 0,
            server_id: 1,
            seq_no: 7,
            flags,
            commit_id: None,
            xid: None,
            flags_extra: None,
            extra_engines: None,
            start_alter_seq_no: None,
            thread_id: None,
        })
    }

    fn query(text: &'static str) -> Event<'static> {
        Event::Query(Query {
            thread_id: 1,
            exec_time: 0,
            error_code: 0,
            schema: b"shop",
            status_vars: b"",
            query: text.as_bytes(),
            compressed: false,
            suppress_use: false,
        })
    }

    #[test]
    fn transactions_open_and_end() {
        let mut b = TransactionBoundaries::new();
        // MariaDB: a transactional group opens at its GTID and ends at XID.
        assert!(!b.event(&gtid(0)));
        assert!(!b.event(&query("INSERT INTO t VALUES (1)")));
        assert!(b.event(&Event::Xid(Xid { xid: 3 })));
        // A standalone GTID: its one statement is the group.
        assert!(!b.event(&gtid(FL_STANDALONE)));
        assert!(b.event(&query("CREATE TABLE t (a INT)")));
        // MySQL-style: GTID, BEGIN, statements, COMMIT.
        assert!(!b.event(&gtid(FL_STANDALONE)));
        assert!(!b.event(&query("BEGIN")));
        assert!(!b.event(&query("UPDATE t SET a = 2")));
        assert!(!b.event(&query("SAVEPOINT s")));
        assert!(b.event(&query("COMMIT")));
        // The XA COMMIT of a transaction prepared earlier: its GTID announces one
        // statement, after which no transaction is open.
        assert!(!b.event(&gtid(FL_COMPLETED_XA)));
        assert!(b.event(&query("XA COMMIT X'31',X'',1")));
        // A statement outside any group (old servers) stands alone.
        assert!(b.event(&query("DROP TABLE t")));
    }
}
