//! The selections of `thl events`: `-database`, `-table`, `-server-id`,
//! `-include-gtids`, `-exclude-gtids`, `-type`.
//!
//! `-database` and `-table` keep the events that name a matching schema or table (a
//! statement by its default schema, a table map and a rows event by their table), so a
//! listing narrowed to one table is its table maps and row changes, and `-sql` and
//! `-flashback` touch only that table. The GTID options keep or drop whole transactions:
//! an event belongs to the transaction of the last GTID event before it, and events
//! written between transactions (rotations, GTID lists, checkpoints) belong to none.

use regex::Regex;
use replog::binlog::gtid_set::{GtidSet, TransactionGtid};
use replog::binlog::rows::TableMaps;
use replog::binlog::stream::EventSite;
use replog::binlog::{Event, EventType};

use crate::args::EventFilters;
use crate::failure::Failure;

/// The compiled selections, and the transaction the walk is in.
pub struct EventFilter {
    database: Option<Regex>,
    table: Option<Regex>,
    server_id: Option<u32>,
    include: Option<GtidSet>,
    exclude: Option<GtidSet>,
    types: Option<Vec<EventType>>,
    /// The GTID of the transaction the walk is in.
    transaction: Option<TransactionGtid>,
}

impl EventFilter {
    /// Compiles the options; a malformed one is a usage error naming it.
    pub fn new(filters: &EventFilters) -> Result<EventFilter, Failure> {
        let regex = |option: &str, text: &Option<String>| {
            text.as_deref()
                .map(|re| {
                    Regex::new(&format!("^(?:{re})$"))
                        .map_err(|e| Failure::usage(format!("Invalid {option} '{re}': {e}")))
                })
                .transpose()
        };
        let gtids = |option: &str, text: &Option<String>| {
            text.as_deref()
                .map(|t| {
                    t.parse::<GtidSet>()
                        .map_err(|e| Failure::usage(format!("Invalid {option}: {e}")))
                })
                .transpose()
        };
        Ok(EventFilter {
            database: regex("-database", &filters.database)?,
            table: regex("-table", &filters.table)?,
            server_id: filters.server_id,
            include: gtids("-include-gtids", &filters.include_gtids)?,
            exclude: gtids("-exclude-gtids", &filters.exclude_gtids)?,
            types: filters.event_type.as_deref().map(event_types).transpose()?,
            transaction: None,
        })
    }

    /// Whether any selection was given.
    pub fn is_active(&self) -> bool {
        self.database.is_some()
            || self.table.is_some()
            || self.server_id.is_some()
            || self.include.is_some()
            || self.exclude.is_some()
            || self.types.is_some()
    }

    /// Whether the event passes every selection. Called for every event in order (it
    /// follows the transactions).
    pub fn selects(
        &mut self,
        site: &EventSite<'_>,
        event: &Event<'_>,
        maps: &TableMaps<'_>,
    ) -> bool {
        if let Some(gtid) = TransactionGtid::of(event) {
            self.transaction = Some(gtid);
        } else if between_transactions(event) {
            self.transaction = None;
        }
        if self.server_id.is_some_and(|id| id != site.header.server_id) {
            return false;
        }
        if let Some(types) = &self.types {
            if !types.contains(&site.event_type) {
                return false;
            }
        }
        let in_set = |set: &GtidSet| self.transaction.as_ref().is_some_and(|g| set.contains(g));
        if self.include.as_ref().is_some_and(|set| !in_set(set)) {
            return false;
        }
        if self.exclude.as_ref().is_some_and(in_set) {
            return false;
        }
        if self.database.is_none() && self.table.is_none() {
            return true;
        }
        let (schema, table): (&[u8], Option<&[u8]>) = match event {
            Event::Query(q) => (q.schema, None),
            Event::TableMap(t) => (&t.schema, Some(&t.table)),
            Event::Rows(r) => match maps.get(r.table_id) {
                Some(t) => (&t.schema, Some(&t.table)),
                None => return false,
            },
            _ => return false,
        };
        let matches = |re: &Option<Regex>, name: Option<&[u8]>| match (re, name) {
            (None, _) => true,
            (Some(re), Some(name)) => re.is_match(&String::from_utf8_lossy(name)),
            (Some(_), None) => false,
        };
        matches(&self.database, Some(schema)) && matches(&self.table, table)
    }
}

/// Events a server writes between transactions, which no GTID covers.
fn between_transactions(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::FormatDescription(_)
            | Event::Rotate(_)
            | Event::Stop(_)
            | Event::PreviousGtids(_)
            | Event::GtidList(_)
            | Event::BinlogCheckpoint(_)
            | Event::Heartbeat(_)
            | Event::StartEncryption(_)
    )
}

/// `-type A,B`: event type names as the server spells them, any case, each naming its
/// family: `_EVENT`, `_V1`, `_COMPRESSED` and `MARIADB_` are left out when comparing, so
/// `write_rows` is MySQL's WRITE_ROWS_EVENT, the v1 type MariaDB writes and MariaDB's
/// compressed ones, and `mariadb_gtid_event` and `gtid` both name MARIADB_GTID_EVENT.
fn event_types(text: &str) -> Result<Vec<EventType>, Failure> {
    let mut types = Vec::new();
    for name in text.split(',').map(str::trim) {
        let wanted = family(name);
        let before = types.len();
        types.extend(
            (0..=u8::MAX)
                .map(EventType)
                .filter(|t| t.name().is_some_and(|n| family(n) == wanted)),
        );
        if types.len() == before {
            return Err(Failure::usage(format!(
                "Invalid -type '{name}': not an event type name (QUERY_EVENT, \
                 WRITE_ROWS_EVENT_V1, MARIADB_GTID_EVENT…: the TYPE column of thl events)"
            )));
        }
    }
    Ok(types)
}

/// A type name without the parts that only tell versions apart.
fn family(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("MARIADB_").unwrap_or(&upper);
    bare.replace("_EVENT", "")
        .replace("_V1", "")
        .replace("_COMPRESSED", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_with_or_without_the_suffix() {
        let types = event_types("Xid_Event,mariadb_gtid,write_rows").unwrap();
        assert_eq!(
            types[..3],
            [
                EventType::XID,
                EventType::MARIADB_GTID,
                EventType::WRITE_ROWS_V1
            ]
        );
        assert!(types.contains(&EventType::WRITE_ROWS));
        assert!(
            types.contains(&EventType(166)),
            "MariaDB's compressed v1 writes"
        );
        assert!(event_types("querry")
            .unwrap_err()
            .to_string()
            .contains("'querry'"));
    }
}
