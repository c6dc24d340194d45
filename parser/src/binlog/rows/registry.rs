//! Table maps by table id, as rows decoding needs them.

use std::collections::HashMap;

use super::rows_event::{Rows, RowsEvent};
use super::table_map::TableMap;
use crate::binlog::context::{Flavor, FormatContext};
use crate::binlog::EventType;
use crate::decode::DecodeError;

/// A map keyed by table id. Every rows event and every TABLE_MAP looks one up (millions
/// of times in a log of small transactions), and the standard SipHash costs more than
/// the rest of such a lookup; foldhash is seeded per map too, so the ids a crafted log
/// carries cannot be chosen to share a bucket.
pub type TableIdMap<V> = HashMap<u64, V, foldhash::fast::RandomState>;

/// The table maps seen so far, by table id. A later map for the same id replaces the
/// earlier one (servers reuse ids after a table is closed).
///
/// Maps borrow from the input buffer when they can; maps decoded from a buffer that does
/// not live long enough (a decompressed transaction payload) go in via
/// [`TableMap::into_owned`].
#[derive(Debug, Clone, Default)]
pub struct TableMaps<'a> {
    maps: TableIdMap<TableMap<'a>>,
    /// For maps the stream decoded ([`TableMaps::insert_decoded`]): the body each was
    /// decoded from and how. Servers write a table's map again before every statement
    /// that changes it; a body seen before need not be decoded again.
    sources: TableIdMap<MapSource>,
}

/// The bytes and format a held table map was decoded from.
#[derive(Debug, Clone)]
struct MapSource {
    body: Vec<u8>,
    table_id_len: usize,
    flavor: Flavor,
}

/// Width of a TABLE_MAP body's table id in logs of `ctx`'s format: 6 bytes, or 4 when
/// the post-header is 6 bytes long (servers before 5.1.4), as [`TableMap::parse`] reads it.
fn table_id_len(ctx: &FormatContext) -> usize {
    if ctx.post_header_len(EventType::TABLE_MAP.0) == 6 {
        4
    } else {
        6
    }
}

impl<'a> TableMaps<'a> {
    /// An empty registry.
    pub fn new() -> Self {
        TableMaps::default()
    }

    /// Records `map`, returning the map it replaces.
    pub fn insert(&mut self, map: TableMap<'a>) -> Option<TableMap<'a>> {
        self.sources.remove(&map.table_id);
        self.maps.insert(map.table_id, map)
    }

    /// Records `map`, decoded from the TABLE_MAP `body` in a log of `ctx`'s format, so
    /// that [`TableMaps::held_for`] recognises the same body again.
    pub(crate) fn insert_decoded(&mut self, map: TableMap<'a>, body: &[u8], ctx: &FormatContext) {
        let source = self.sources.entry(map.table_id).or_insert(MapSource {
            body: Vec::new(),
            table_id_len: 0,
            flavor: ctx.flavor,
        });
        source.body.clear();
        source.body.extend_from_slice(body);
        source.table_id_len = table_id_len(ctx);
        source.flavor = ctx.flavor;
        self.maps.insert(map.table_id, map);
    }

    /// The map held for the table id of the TABLE_MAP `body` when it was decoded from
    /// these very bytes in the same format: decoding `body` would give that map again.
    pub(crate) fn held_for(&self, body: &[u8], ctx: &FormatContext) -> Option<&TableMap<'a>> {
        self.maps.get(&self.held_id(body, ctx)?)
    }

    /// As [`TableMaps::held_for`], the map taken out of the registry: lent to a visit
    /// as its event, it comes back with [`TableMaps::put_back`] (what it was decoded
    /// from is kept meanwhile).
    pub(crate) fn take_held(&mut self, body: &[u8], ctx: &FormatContext) -> Option<TableMap<'a>> {
        let table_id = self.held_id(body, ctx)?;
        self.maps.remove(&table_id)
    }

    /// Holds again a map lent by [`TableMaps::take_held`].
    pub(crate) fn put_back(&mut self, map: TableMap<'a>) {
        self.maps.insert(map.table_id, map);
    }

    /// The table id of `body` when the map held for it was decoded from these bytes in
    /// this format.
    fn held_id(&self, body: &[u8], ctx: &FormatContext) -> Option<u64> {
        let id_len = table_id_len(ctx);
        let id = body.get(..id_len)?;
        let mut le = [0u8; 8];
        le[..id_len].copy_from_slice(id);
        let table_id = u64::from_le_bytes(le);
        let source = self.sources.get(&table_id)?;
        let same =
            source.body == body && source.table_id_len == id_len && source.flavor == ctx.flavor;
        same.then_some(table_id)
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
        self.sources.clear();
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
