//! TUNGSTEN and TUNGSTEN-SHARDSET (spec §3.3): fixed channels from the partitioner,
//! the disk queue's full barriers around critical transactions (§1.7), in-order release.

use std::collections::HashMap;

use crate::shard::{Partitioner, ShardError, UNKNOWN_SHARD};

use super::record::TxnRecord;
use super::schedule::{Schedule, Slot};

/// Where a transaction runs: one channel, or (shard-set) the channels of its databases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    pub channels: Vec<u32>,
    pub critical: bool,
}

/// How the channels of a simulation are chosen.
pub(crate) enum Channels<'p> {
    /// The partitioner's answers (N channels).
    Partitioner(&'p mut Partitioner),
    /// One channel per shard (or database), critical flags from the partitioner: the
    /// constraint graph without hash collisions, whose longest path is `T∞` (and `CP`).
    PerShard(&'p mut Partitioner, HashMap<String, u32>),
}

impl Channels<'_> {
    fn channel(&mut self, name: &str) -> Result<(u32, bool), ShardError> {
        let units: Vec<u16> = name.encode_utf16().collect();
        match self {
            Channels::Partitioner(p) => {
                let part = p.partition(&units)?;
                Ok((part.channel, part.critical))
            }
            Channels::PerShard(p, seen) => {
                let critical = p.partition(&units)?.critical;
                let next = seen.len() as u32;
                Ok((*seen.entry(name.to_string()).or_insert(next), critical))
            }
        }
    }

    /// TUNGSTEN: the channel of the shard id. TUNGSTEN-SHARDSET: a transaction that is
    /// `#UNKNOWN` only because it touches several known databases, none of them
    /// critical, takes the channels of those databases instead of a barrier.
    fn place(&mut self, record: &TxnRecord, shard_set: bool) -> Result<Placement, ShardError> {
        if shard_set && record.shard == UNKNOWN_SHARD && record.is_cross_database() {
            let mut placement = Placement {
                channels: Vec::new(),
                critical: false,
            };
            for db in record.dbs.iter().flatten() {
                let (channel, critical) = self.channel(db)?;
                placement.critical |= critical;
                if !placement.channels.contains(&channel) {
                    placement.channels.push(channel);
                }
            }
            if !placement.critical {
                return Ok(placement);
            }
        }
        let (channel, critical) = self.channel(&record.shard)?;
        Ok(Placement {
            channels: vec![channel],
            critical,
        })
    }
}

/// Simulates the disk queue (spec §3.3 TUNGSTEN steps 2–4): a barrier releases a
/// transaction only when every earlier one has finished; releases are in order; a
/// transaction starts when released and its channels are free.
pub(crate) fn simulate(
    records: &[TxnRecord],
    costs: &[f64],
    mut channels: Channels<'_>,
    shard_set: bool,
) -> Result<Schedule, ShardError> {
    let mut free: Vec<f64> = Vec::new();
    let mut schedule = Schedule::default();
    let (mut release, mut latest_finish) = (0.0f64, 0.0f64);
    // `criticalPartition` of §1.7: the channel of the critical section we are in.
    let mut critical_channel: Option<u32> = None;
    for (record, &cost) in records.iter().zip(costs) {
        let placement = channels.place(record, shard_set)?;
        let first = placement.channels[0];
        let barrier = if placement.critical && critical_channel != Some(first) {
            critical_channel = Some(first);
            true
        } else if !placement.critical && critical_channel.is_some() {
            critical_channel = None;
            true
        } else {
            false
        };
        let before = release;
        if barrier {
            schedule.barriers += 1;
            release = release.max(latest_finish);
        }
        let mut available: f64 = 0.0;
        for &c in &placement.channels {
            let c = c as usize;
            if c >= free.len() {
                free.resize(c + 1, 0.0);
            }
            available = available.max(free[c]);
        }
        let start = release.max(available);
        let finish = start + cost;
        for &c in &placement.channels {
            free[c as usize] = finish;
        }
        latest_finish = latest_finish.max(finish);
        if placement.critical {
            schedule.serialized_cost += cost;
        }
        schedule.slots.push(Slot {
            worker: first,
            start,
            finish,
            commit: finish,
            waited: start - before.max(available),
        });
    }
    Ok(schedule)
}
