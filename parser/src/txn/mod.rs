//! Transactions: the one model every consumer reads, whatever log they came from.
//!
//! A [`Transaction`] is a THL transaction: one seqno, its fragments as THL event
//! records in fragno order (the last one has `lastFrag` set), each carrying epoch,
//! eventId, sourceId, shard and source time in its fixed header and metadata, options
//! and changes in its payload. A THL log holds them as stored; a binary log becomes
//! them through [`extract`], which applies the rules of Tungsten's MySQL extractor and
//! produces the very records `thl extract` writes ([`OwnedTransaction`]), so listing a
//! binlog and listing the THL extracted from it are the same thing.
//!
//! - [`extract::Extractor`] turns the events of a [`crate::binlog::stream::Stream`]
//!   into fragment records, tagged with seqno, eventId ([`event_id`]) and shard.
//! - [`Grouping`] collects fragment records into transactions; [`thl::ThlWalk`] reads a
//!   THL log as transactions, [`binlog::walk_transactions`] binary logs.
//! - [`stats::Stats`] sums transactions by shard, table and size.
//! - [`boundary::TransactionBoundaries`] says where a binlog stream stands between
//!   transactions (where a replication client may resume).

pub mod binlog;
pub mod boundary;
mod error;
pub mod event_id;
pub mod extract;
pub mod stats;
pub mod thl;

pub use error::TxnError;

use crate::error::Error;
use crate::thl::{EventRecord, OwnedRecord, Record, RecordHeader};

/// One transaction: its fragment records, fragno 0 first.
#[derive(Debug, Clone)]
pub struct Transaction<'a> {
    /// The event records of the transaction.
    pub fragments: Vec<Record<'a>>,
}

impl<'a> Transaction<'a> {
    /// The fixed header of the first fragment.
    pub fn first(&self) -> Option<&RecordHeader<'a>> {
        self.fragments
            .first()
            .and_then(|r| r.event())
            .map(|e| &e.header)
    }

    /// The fixed header of the last fragment read.
    pub fn last(&self) -> Option<&RecordHeader<'a>> {
        self.fragments
            .last()
            .and_then(|r| r.event())
            .map(|e| &e.header)
    }

    /// The transaction's event records, in order (any other record skipped).
    pub fn events(&self) -> impl Iterator<Item = &EventRecord<'a>> {
        self.fragments.iter().filter_map(Record::event)
    }

    /// The transaction's seqno.
    pub fn seqno(&self) -> Option<i64> {
        self.first().map(|h| h.seqno)
    }

    /// Whether its last fragment is present.
    pub fn is_complete(&self) -> bool {
        self.last().is_some_and(|h| h.last_frag)
    }
}

/// A transaction that owns its records (what extraction produces).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnedTransaction {
    /// The fragment records, fragno 0 first.
    pub fragments: Vec<OwnedRecord>,
}

impl OwnedTransaction {
    /// The transaction, borrowing from `self`.
    pub fn transaction(&self) -> Result<Transaction<'_>, Error> {
        let fragments = self
            .fragments
            .iter()
            .map(OwnedRecord::record)
            .collect::<Result<_, _>>()?;
        Ok(Transaction { fragments })
    }
}

/// Collects fragment records into whole transactions: fragments of one seqno are
/// consecutive, and the one with `lastFrag` set closes the transaction.
#[derive(Debug, Default)]
pub struct Grouping {
    open: OwnedTransaction,
}

impl Grouping {
    /// Adds a fragment; returns the transaction it completes.
    pub fn push(&mut self, fragment: OwnedRecord, last_frag: bool) -> Option<OwnedTransaction> {
        self.open.fragments.push(fragment);
        last_frag.then(|| std::mem::take(&mut self.open))
    }

    /// Fragments of a transaction whose last fragment never came.
    pub fn unfinished(&self) -> &[OwnedRecord] {
        &self.open.fragments
    }
}
