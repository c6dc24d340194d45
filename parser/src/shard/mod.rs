//! Tungsten's parallel-apply channel assignment (spec `parallel-apply.md` §1), exactly,
//! except that configurations Tungsten accepts and then silently mishandles are refused.
//!
//! # API structure
//!
//! - [`java_hash`] / [`java_channel`]: `String.hashCode` over UTF-16 units and
//!   `abs(h) % N` with Java's `int` rules (§1.5).
//! - [`ShardList::parse`] reads a `shard.list` (`java.util.Properties` syntax): explicit
//!   channels, the `(*)` default, `(critical)` shards, `(hash-method)` (§1.6).
//! - [`Partitioner`] turns a shard id into a channel and a critical flag:
//!   `ShardListPartitioner` semantics ([`Partitioner::shard_list`]) or
//!   `HashPartitioner` ([`Partitioner::hash`]) (§1.4).
//! - [`Assigner`] is the distributor (`thl-to-q`): feed it every [`Fragment`] in log
//!   order and it answers with an [`Assignment`] (channel, critical, and whether all
//!   channels must drain first, §1.7), keeping fragments on their transaction's
//!   channel. It keeps the per-channel ([`ChannelPosition`]) and per-shard
//!   ([`ShardPosition`]) positions `trepctl status -name tasks` / `-name shards` show.
//! - [`CommitSeqnoRow`], [`restart_point`] and [`commit_seqno_sql`]: the
//!   `trep_commit_seqno` rows a restart would read, and SQL that writes them (§1.10).
//!
//! # Example
//!
//! ```
//! use replog::shard::{Assigner, Barrier, Fragment, Partitioner, ShardId, ShardList};
//!
//! # fn main() -> Result<(), replog::shard::ShardError> {
//! let list = ShardList::parse("shard.list", "billing=1\n(critical)=common\n")?;
//! let mut assigner = Assigner::new(Partitioner::shard_list(list, 4)?);
//! let fragment = |seqno, shard| Fragment {
//!     seqno,
//!     fragno: 0,
//!     last_frag: true,
//!     epoch: 0,
//!     source_id: "db01",
//!     event_id: "mysql-bin.000002:0000000000000426;34",
//!     shard_id: ShardId::Text(shard),
//!     source_tstamp: 0,
//! };
//! // `test` hashes to 3556498, channel 2 of 4 (spec §1.5).
//! let a = assigner.assign(&fragment(0, "test"))?;
//! assert_eq!((a.channel, a.critical, a.barrier), (2, false, None));
//! assert_eq!(assigner.assign(&fragment(1, "billing"))?.channel, 1);
//! // A critical shard waits until every channel has committed what came before it.
//! let a = assigner.assign(&fragment(2, "common"))?;
//! assert_eq!(a.barrier, Some(Barrier::EnterCritical));
//! # Ok(())
//! # }
//! ```
//!
//! Reading a THL log, `Fragment::from(&event_record.header)` builds the input from a
//! record's fixed header.
//!
//! # Refused where Tungsten is silent
//!
//! Zero channels, a `shard.list` channel outside 0..N, and a shard whose hash gives a
//! negative channel (`abs(-2³¹)` stays negative) are [`ShardError`]s.

mod assign;
mod commit_seqno;
mod hash;
mod partitioner;
mod properties;
mod shard_list;

pub use assign::{
    AppliedEvent, Assigner, Assignment, Barrier, ChannelPosition, Fragment, ShardId, ShardPosition,
};
pub use commit_seqno::{commit_seqno_sql, restart_point, CommitSeqnoRow};
pub use hash::{java_channel, java_hash, java_hash_str};
pub use partitioner::{Partition, Partitioner};
pub use shard_list::{HashMethod, ShardList};

use std::fmt;

/// The shard id Tungsten gives a transaction it cannot attribute to one schema.
pub const UNKNOWN_SHARD: &str = "#UNKNOWN";

/// The most channels accepted. Tungsten takes any `int`, but each channel is a thread
/// with its own THL reader and database connection, so a larger count is a typo; the
/// positions of every channel are also kept in memory.
pub const MAX_CHANNELS: u32 = 65_535;

/// Why an assignment cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShardError {
    /// The channel count is 0 (N must be at least 1: 1 is serial apply) or above
    /// [`MAX_CHANNELS`].
    ChannelCount {
        /// The count asked for.
        channels: u32,
    },
    /// A `shard.list` entry that cannot be used.
    ShardList {
        /// The file name as given to [`ShardList::parse`].
        file: String,
        /// 1-based line where the entry starts.
        line: usize,
        /// What is wrong with it.
        problem: ShardListProblem,
    },
    /// The hash rule gives this shard a negative channel: its hash is `-2³¹`, whose
    /// `abs` stays negative, and N is not a power of two. Tungsten never applies such
    /// a transaction.
    NegativeChannel {
        /// The shard id.
        shard: String,
        /// `H(shard)`.
        hash: i32,
        /// N.
        channels: u32,
        /// `abs(hash) % N`.
        channel: i32,
    },
}

/// What is wrong with a `shard.list` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShardListProblem {
    /// A `\u` escape not followed by four hexadecimal digits.
    MalformedUnicodeEscape,
    /// A channel (explicit or `(*)`) that `Integer.parseInt` refuses.
    NotAnInteger {
        /// The key (shard id, or `(*)`).
        key: String,
        /// The value, trailing blanks included.
        value: String,
    },
    /// `(hash-method)` other than `string-hash` or `round-robin`.
    UnknownHashMethod {
        /// The value as written.
        value: String,
    },
    /// An explicit channel outside 0..N.
    ChannelOutOfRange {
        /// The shard.
        shard: String,
        /// The channel written.
        channel: i32,
        /// N.
        channels: u32,
    },
    /// A `(*)` channel outside 0..N that is not -1 (none).
    DefaultOutOfRange {
        /// The channel written.
        channel: i32,
        /// N.
        channels: u32,
    },
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardError::ChannelCount { channels: 0 } => f.write_str(
                "0 channels: the channel count must be at least 1 (1 is serial apply; \
                 channels are numbered 0..N-1)",
            ),
            ShardError::ChannelCount { channels } => write!(
                f,
                "{channels} channels: the channel count must be at most {MAX_CHANNELS} \
                 (each channel is an apply thread with its own THL reader)"
            ),
            ShardError::ShardList {
                file,
                line,
                problem,
            } => write!(f, "{file}: line {line}: {problem}"),
            ShardError::NegativeChannel {
                shard,
                hash,
                channels,
                channel,
            } => write!(
                f,
                "shard '{shard}' hashes to {hash}, whose abs() stays negative: channel \
                 {channel} for {channels} channels, which Tungsten never applies; pin the \
                 shard in shard.list or use a power-of-two channel count"
            ),
        }
    }
}

impl fmt::Display for ShardListProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardListProblem::MalformedUnicodeEscape => {
                f.write_str("malformed \\uxxxx escape: expected four hexadecimal digits")
            }
            ShardListProblem::NotAnInteger { key, value } => {
                let what = if key == "(*)" {
                    "default channel (*)".to_string()
                } else {
                    format!("channel of shard '{key}'")
                };
                write!(f, "{what} is not an integer: '{value}'")?;
                if value.trim_end() != value {
                    f.write_str(" (trailing blanks count: Java keeps them in the value)")?;
                }
                Ok(())
            }
            ShardListProblem::UnknownHashMethod { value } => write!(
                f,
                "(hash-method) must be string-hash or round-robin, found '{value}'"
            ),
            ShardListProblem::ChannelOutOfRange {
                shard,
                channel,
                channels,
            } => write!(
                f,
                "shard '{shard}' is placed on channel {channel}, outside 0..{} for \
                 {channels} channels (Tungsten would never apply its transactions)",
                channels.saturating_sub(1)
            ),
            ShardListProblem::DefaultOutOfRange { channel, channels } => write!(
                f,
                "default channel (*)={channel} is outside 0..{} for {channels} channels \
                 (-1 means no default)",
                channels.saturating_sub(1)
            ),
        }
    }
}

impl std::error::Error for ShardError {}
