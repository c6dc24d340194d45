//! How the comparison counts what it compared and records where the decoders disagree.

use std::collections::BTreeMap;
use std::fmt::{Debug, Display};

/// One disagreement: the event's offset (the payload's, for an event inside a
/// transaction payload), the field that differs and what each decoder said.
#[derive(Debug, Clone)]
pub struct Diff {
    pub offset: u64,
    pub field: String,
    pub what: String,
}

/// What one file's comparison found.
#[derive(Default)]
pub struct Tally {
    /// Events framed by both decoders (inner events of payloads included).
    pub events: usize,
    /// Field comparisons made, per event type name.
    pub fields: BTreeMap<&'static str, usize>,
    /// Row values compared (also counted in `fields`).
    pub values: usize,
    /// Event types whose bodies mysql_common does not decode, with how many there were:
    /// nothing to compare them with.
    pub unread: BTreeMap<&'static str, usize>,
    /// (replog type, mysql_common variant) pairs both decode but the test does not
    /// compare: must stay empty.
    pub uncompared: BTreeMap<String, usize>,
    pub diffs: Vec<Diff>,
}

impl Tally {
    /// Adds another file's counts.
    pub fn add(&mut self, other: &Tally) {
        self.events += other.events;
        self.values += other.values;
        for (k, n) in &other.fields {
            *self.fields.entry(k).or_default() += n;
        }
        for (k, n) in &other.unread {
            *self.unread.entry(k).or_default() += n;
        }
        for (k, n) in &other.uncompared {
            *self.uncompared.entry(k.clone()).or_default() += n;
        }
    }

    pub fn field_count(&self) -> usize {
        self.fields.values().sum()
    }
}

/// Compares the fields of one event, naming each difference `<prefix>.<field>`.
pub struct Cmp<'t> {
    t: &'t mut Tally,
    at: u64,
    kind: &'static str,
    prefix: String,
}

impl<'t> Cmp<'t> {
    /// `kind` is the event type name the comparisons are counted under; `prefix` names
    /// the event in difference reports (the type name, and the position inside a payload).
    pub fn new(t: &'t mut Tally, at: u64, kind: &'static str, prefix: String) -> Self {
        Cmp {
            t,
            at,
            kind,
            prefix,
        }
    }

    /// Compares one field; a difference is recorded, not fatal.
    pub fn eq<T: PartialEq + Debug>(&mut self, field: impl Display, ours: T, theirs: T) -> bool {
        *self.t.fields.entry(self.kind).or_default() += 1;
        let same = ours == theirs;
        if !same {
            self.differ(field, format!("replog {ours:?}, mysql_common {theirs:?}"));
        }
        same
    }

    /// Records a difference that is not a plain value mismatch (a failure of one side).
    pub fn differ(&mut self, field: impl Display, what: impl Into<String>) {
        self.t.diffs.push(Diff {
            offset: self.at,
            field: format!("{}.{field}", self.prefix),
            what: what.into(),
        });
    }

    /// Counts one row value compared.
    pub fn value_compared(&mut self) {
        self.t.values += 1;
        *self.t.fields.entry(self.kind).or_default() += 1;
    }

    pub fn tally(&mut self) -> &mut Tally {
        self.t
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    pub fn at(&self) -> u64 {
        self.at
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

/// Bytes that are usually text, compared exactly and shown with escapes.
#[derive(Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    pub fn of(b: &[u8]) -> Bytes {
        Bytes(b.to_vec())
    }
}

impl Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}
