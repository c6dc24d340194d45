//! Table maps by table id, as rows decoding needs them.

use std::collections::HashMap;

use super::rows_event::{Rows, RowsEvent};
use super::table_map::TableMap;
use crate::decode::DecodeError;

/// The table maps seen so far, by table id. A later map for the same id replaces the
/// earlier one (servers reuse ids after a table is closed).
///
/// Maps borrow from the input buffer when they can; maps decoded from a buffer that does
/// not live long enough (a decompressed transaction payload) go in via
/// [`TableMap::into_owned`].
#[derive(Debug, Clone, Default)]
pub struct TableMaps<'a> {
    maps: HashMap<u64, TableMap<'a>>,
}

impl<'a> TableMaps<'a> {
    /// An empty registry.
    pub fn new() -> Self {
        TableMaps::default()
    }

    /// Records `map`, returning the map it replaces.
    pub fn insert(&mut self, map: TableMap<'a>) -> Option<TableMap<'a>> {
        self.maps.insert(map.table_id, map)
    }

    /// The map for `table_id`.
    pub fn get(&self, table_id: u64) -> Option<&TableMap<'a>> {
        self.maps.get(&table_id)
    }

    /// Number of maps held.
    pub fn len(&self) -> usize {
        self.maps.len()
    }

    /// Whether no map is held.
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }

    /// Forgets every map (MySQL's `STMT_END_F` ends their validity for the applier;
    /// readers usually keep them until replaced).
    pub fn clear(&mut self) {
        self.maps.clear();
    }

    /// Iterates `event`'s rows with the map its table id names; an error when no map
    /// for that id was seen (reported at the start of the event body).
    pub fn rows<'r>(&'r self, event: &'r RowsEvent<'_>) -> Result<Rows<'r>, DecodeError>
    where
        'a: 'r,
    {
        let map = self.get(event.table_id).ok_or(DecodeError::new(
            event.body_len(),
            "a table map for the rows event's table id earlier in the log",
        ))?;
        event.rows(map)
    }
}
