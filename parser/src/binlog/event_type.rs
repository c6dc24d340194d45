//! Event type codes and their server-side names.

use std::fmt;

/// A canonical event type code (after undoing the pre-GA 5.1 renumbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventType(pub u8);

macro_rules! event_types {
    ($($(#[$doc:meta])* $konst:ident = $code:literal, $name:literal;)*) => {
        impl EventType {
            $($(#[$doc])* pub const $konst: EventType = EventType($code);)*

            /// The server's name for this type (`QUERY_EVENT`, `MARIADB_GTID_EVENT`…), or
            /// `None` for a code no MySQL or MariaDB release defines.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($code => Some($name),)*
                    _ => None,
                }
            }
        }
    };
}

event_types! {
    /// Never written; code 0 marks an invalid event.
    UNKNOWN = 0, "UNKNOWN_EVENT";
    /// First event of v1/v3 logs (MySQL 3.23–4.1).
    START_V3 = 1, "START_EVENT_V3";
    /// A statement.
    QUERY = 2, "QUERY_EVENT";
    /// Server shut down.
    STOP = 3, "STOP_EVENT";
    /// Next log file.
    ROTATE = 4, "ROTATE_EVENT";
    /// `LAST_INSERT_ID` / `INSERT_ID` for the next statement.
    INTVAR = 5, "INTVAR_EVENT";
    /// `LOAD DATA` (3.23 layout).
    LOAD = 6, "LOAD_EVENT";
    /// Never written to logs.
    SLAVE = 7, "SLAVE_EVENT";
    /// `LOAD DATA` with the first block of the file (4.0).
    CREATE_FILE = 8, "CREATE_FILE_EVENT";
    /// Next block of a `LOAD DATA` file.
    APPEND_BLOCK = 9, "APPEND_BLOCK_EVENT";
    /// Execute the `LOAD DATA` of a file (4.0).
    EXEC_LOAD = 10, "EXEC_LOAD_EVENT";
    /// Discard a `LOAD DATA` file.
    DELETE_FILE = 11, "DELETE_FILE_EVENT";
    /// `LOAD DATA` with multi-character separators (4.0).
    NEW_LOAD = 12, "NEW_LOAD_EVENT";
    /// `RAND()` seeds for the next statement.
    RAND = 13, "RAND_EVENT";
    /// A user variable the next statement reads.
    USER_VAR = 14, "USER_VAR_EVENT";
    /// Format description: fixes the layout of the rest of the file.
    FORMAT_DESCRIPTION = 15, "FORMAT_DESCRIPTION_EVENT";
    /// Transaction commit with its XA id.
    XID = 16, "XID_EVENT";
    /// First block of a `LOAD DATA` file (5.0+).
    BEGIN_LOAD_QUERY = 17, "BEGIN_LOAD_QUERY_EVENT";
    /// The `LOAD DATA` statement that uses the file (5.0+).
    EXECUTE_LOAD_QUERY = 18, "EXECUTE_LOAD_QUERY_EVENT";
    /// Table definition for the rows events that follow.
    TABLE_MAP = 19, "TABLE_MAP_EVENT";
    /// Pre-GA 5.1 write rows.
    PRE_GA_WRITE_ROWS = 20, "PRE_GA_WRITE_ROWS_EVENT";
    /// Pre-GA 5.1 update rows.
    PRE_GA_UPDATE_ROWS = 21, "PRE_GA_UPDATE_ROWS_EVENT";
    /// Pre-GA 5.1 delete rows.
    PRE_GA_DELETE_ROWS = 22, "PRE_GA_DELETE_ROWS_EVENT";
    /// Write rows, v1 layout (5.1–5.5, MariaDB).
    WRITE_ROWS_V1 = 23, "WRITE_ROWS_EVENT_V1";
    /// Update rows, v1 layout.
    UPDATE_ROWS_V1 = 24, "UPDATE_ROWS_EVENT_V1";
    /// Delete rows, v1 layout.
    DELETE_ROWS_V1 = 25, "DELETE_ROWS_EVENT_V1";
    /// Something happened that replicas must know about (e.g. lost events).
    INCIDENT = 26, "INCIDENT_EVENT";
    /// Source-to-replica keepalive (never in files, but in relay streams).
    HEARTBEAT = 27, "HEARTBEAT_LOG_EVENT";
    /// An event a reader may skip.
    IGNORABLE = 28, "IGNORABLE_LOG_EVENT";
    /// The statement text behind the rows events that follow.
    ROWS_QUERY = 29, "ROWS_QUERY_LOG_EVENT";
    /// Write rows, v2 layout (5.6+).
    WRITE_ROWS = 30, "WRITE_ROWS_EVENT";
    /// Update rows, v2 layout.
    UPDATE_ROWS = 31, "UPDATE_ROWS_EVENT";
    /// Delete rows, v2 layout.
    DELETE_ROWS = 32, "DELETE_ROWS_EVENT";
    /// GTID of the next transaction.
    GTID = 33, "GTID_LOG_EVENT";
    /// Anonymous transaction (GTIDs off).
    ANONYMOUS_GTID = 34, "ANONYMOUS_GTID_LOG_EVENT";
    /// GTIDs executed before this file.
    PREVIOUS_GTIDS = 35, "PREVIOUS_GTIDS_LOG_EVENT";
    /// Group Replication certification data.
    TRANSACTION_CONTEXT = 36, "TRANSACTION_CONTEXT_EVENT";
    /// Group Replication view change.
    VIEW_CHANGE = 37, "VIEW_CHANGE_EVENT";
    /// `XA PREPARE`.
    XA_PREPARE = 38, "XA_PREPARE_LOG_EVENT";
    /// Update rows with JSON partial updates (8.0).
    PARTIAL_UPDATE_ROWS = 39, "PARTIAL_UPDATE_ROWS_EVENT";
    /// A compressed transaction (8.0.20+).
    TRANSACTION_PAYLOAD = 40, "TRANSACTION_PAYLOAD_EVENT";
    /// Keepalive with a 64-bit position (8.0.26+).
    HEARTBEAT_V2 = 41, "HEARTBEAT_LOG_EVENT_V2";
    /// GTID with a tag (8.3+).
    GTID_TAGGED = 42, "GTID_TAGGED_LOG_EVENT";
    /// MariaDB: statement text of the rows events that follow.
    MARIADB_ANNOTATE_ROWS = 160, "MARIADB_ANNOTATE_ROWS_EVENT";
    /// MariaDB: oldest binlog still needed for crash recovery.
    MARIADB_BINLOG_CHECKPOINT = 161, "MARIADB_BINLOG_CHECKPOINT_EVENT";
    /// MariaDB: GTID that starts an event group.
    MARIADB_GTID = 162, "MARIADB_GTID_EVENT";
    /// MariaDB: GTID state at the start of the file.
    MARIADB_GTID_LIST = 163, "MARIADB_GTID_LIST_EVENT";
    /// MariaDB: the rest of the file is encrypted.
    MARIADB_START_ENCRYPTION = 164, "MARIADB_START_ENCRYPTION_EVENT";
    /// MariaDB: QUERY with zlib-compressed text.
    MARIADB_QUERY_COMPRESSED = 165, "MARIADB_QUERY_COMPRESSED_EVENT";
    /// MariaDB: compressed write rows, v1 layout.
    MARIADB_WRITE_ROWS_COMPRESSED_V1 = 166, "MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1";
    /// MariaDB: compressed update rows, v1 layout.
    MARIADB_UPDATE_ROWS_COMPRESSED_V1 = 167, "MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1";
    /// MariaDB: compressed delete rows, v1 layout.
    MARIADB_DELETE_ROWS_COMPRESSED_V1 = 168, "MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1";
    /// MariaDB: compressed write rows, v2 layout.
    MARIADB_WRITE_ROWS_COMPRESSED = 169, "MARIADB_WRITE_ROWS_COMPRESSED_EVENT";
    /// MariaDB: compressed update rows, v2 layout.
    MARIADB_UPDATE_ROWS_COMPRESSED = 170, "MARIADB_UPDATE_ROWS_COMPRESSED_EVENT";
    /// MariaDB: compressed delete rows, v2 layout.
    MARIADB_DELETE_ROWS_COMPRESSED = 171, "MARIADB_DELETE_ROWS_COMPRESSED_EVENT";
}

impl EventType {
    /// The name, or `UNKNOWN_EVENT_<code>` for undefined codes.
    pub fn describe(self) -> EventTypeName {
        EventTypeName(self)
    }
}

/// Display helper returned by [`EventType::describe`].
#[derive(Debug, Clone, Copy)]
pub struct EventTypeName(EventType);

impl fmt::Display for EventTypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "UNKNOWN_EVENT_{}", self.0 .0),
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_servers() {
        assert_eq!(EventType(2).name(), Some("QUERY_EVENT"));
        assert_eq!(EventType(42).name(), Some("GTID_TAGGED_LOG_EVENT"));
        assert_eq!(EventType(162).name(), Some("MARIADB_GTID_EVENT"));
        assert_eq!(EventType(99).name(), None);
        assert_eq!(EventType(99).to_string(), "UNKNOWN_EVENT_99");
    }
}
