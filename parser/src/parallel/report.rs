//! Per policy and worker count: makespan, speed-up, utilisation, critical path, `T∞`,
//! barriers, σ and the knee; Tungsten's shard loads; the transactions behind the
//! longest waits (spec §3.2, §3.5).

use std::collections::{BTreeMap, BTreeSet};

use crate::shard::{ShardError, ShardList, UNKNOWN_SHARD};

use super::cost::CostModel;
use super::record::TxnRecord;
use super::schedule::{Schedule, UNLIMITED};
use super::{critical_path_of, simulate, Policy};

/// How many shards and waits are listed.
pub const TOP: usize = 5;

/// What to analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisOptions {
    /// Worker counts (each at least 1).
    pub channels: Vec<u32>,
    /// Policies, in report order.
    pub policies: Vec<Policy>,
    /// The cost model.
    pub cost: CostModel,
    /// Tungsten's `shard.list` (pins, critical shards; the hash method is the policy's).
    pub shard_list: ShardList,
}

/// A transaction that waited with its worker free.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    /// Its seqno.
    pub seqno: i64,
    /// Its shard.
    pub shard: String,
    /// When it started.
    pub start: f64,
    /// How long it waited.
    pub waited: f64,
}

/// One policy with one worker count.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// N.
    pub channels: u32,
    /// `T(N)`.
    pub makespan: f64,
    /// `W / T(N)`.
    pub speedup: f64,
    /// `W / (N·T(N))`.
    pub utilization: f64,
    /// Full barriers.
    pub barriers: u64,
    /// σ: share of the cost run inside barriers.
    pub serial_fraction: f64,
    /// Lock waits (MariaDB optimistic): potential retries.
    pub lock_waits: u64,
    /// The longest waits, longest first ([`TOP`]).
    pub longest_waits: Vec<Wait>,
    /// Cost per channel (Tungsten's fixed channels; empty for dynamic policies).
    pub channel_loads: Vec<f64>,
}

/// One policy over every worker count.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyReport {
    /// The policy.
    pub policy: Policy,
    /// Why it was not simulated: its inputs are absent from the log.
    pub missing: Option<&'static str>,
    /// One run per worker count.
    pub runs: Vec<Run>,
    /// `CP`.
    pub critical_path: f64,
    /// `T∞`: its own scheduler with unlimited workers.
    pub t_infinity: f64,
    /// The smallest N asked for reaching 90% of the `T∞` speed-up.
    pub knee: Option<u32>,
}

/// One shard's load.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardLoad {
    /// Shard id.
    pub shard: String,
    /// Transactions.
    pub transactions: u64,
    /// Their cost.
    pub cost: f64,
    /// Share of `W`.
    pub share: f64,
}

/// The analysis of one stream of transactions.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Transactions.
    pub transactions: usize,
    /// `W`: the serial makespan.
    pub total_cost: f64,
    /// The cost model used.
    pub cost: CostModel,
    /// One report per policy asked for.
    pub policies: Vec<PolicyReport>,
    /// Shards by cost, heaviest first.
    pub shards: Vec<ShardLoad>,
    /// `#UNKNOWN` transactions that touch several known databases (Tungsten
    /// serialises them; the shard-set variant does not).
    pub cross_database: u64,
}

/// Runs every policy of `options` for every worker count.
pub fn analyze(records: &[TxnRecord], options: &AnalysisOptions) -> Result<Analysis, ShardError> {
    let costs: Vec<f64> = records.iter().map(|r| options.cost.cost(r)).collect();
    let total: f64 = costs.iter().sum();
    let mut policies = Vec::new();
    for &policy in &options.policies {
        if let Some(missing) = policy.missing_input(records) {
            policies.push(PolicyReport {
                policy,
                missing: Some(missing),
                runs: Vec::new(),
                critical_path: 0.0,
                t_infinity: 0.0,
                knee: None,
            });
            continue;
        }
        let list = &options.shard_list;
        let t_infinity = simulate(policy, records, &costs, UNLIMITED, list)?.makespan();
        let critical_path = critical_path_of(policy, records, &costs, list)?;
        let mut runs = Vec::new();
        for &n in &options.channels {
            let schedule = simulate(policy, records, &costs, n, list)?;
            runs.push(run(policy, records, &costs, n, &schedule, total));
        }
        let ceiling = speedup(total, t_infinity);
        let knee = runs
            .iter()
            .find(|r| r.speedup >= 0.9 * ceiling - 1e-9)
            .map(|r| r.channels);
        policies.push(PolicyReport {
            policy,
            missing: None,
            runs,
            critical_path,
            t_infinity,
            knee,
        });
    }
    let mut by_shard: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    for (r, &c) in records.iter().zip(&costs) {
        let entry = by_shard.entry(&r.shard).or_default();
        entry.0 += 1;
        entry.1 += c;
    }
    let mut shards: Vec<ShardLoad> = by_shard
        .into_iter()
        .map(|(shard, (transactions, cost))| ShardLoad {
            shard: shard.to_string(),
            transactions,
            cost,
            share: if total > 0.0 { cost / total } else { 0.0 },
        })
        .collect();
    shards.sort_by(|a, b| b.cost.total_cmp(&a.cost).then(a.shard.cmp(&b.shard)));
    Ok(Analysis {
        transactions: records.len(),
        total_cost: total,
        cost: options.cost,
        policies,
        shards,
        cross_database: records
            .iter()
            .filter(|r| r.shard == UNKNOWN_SHARD && r.is_cross_database())
            .count() as u64,
    })
}

fn speedup(total: f64, makespan: f64) -> f64 {
    if makespan > 0.0 {
        total / makespan
    } else {
        1.0
    }
}

fn run(
    policy: Policy,
    records: &[TxnRecord],
    costs: &[f64],
    channels: u32,
    schedule: &Schedule,
    total: f64,
) -> Run {
    let makespan = schedule.makespan();
    let mut waits: Vec<Wait> = schedule
        .slots
        .iter()
        .zip(records)
        .filter(|(s, _)| s.waited > 0.0)
        .map(|(s, r)| Wait {
            seqno: r.seqno,
            shard: r.shard.clone(),
            start: s.start,
            waited: s.waited,
        })
        .collect();
    waits.sort_by(|a, b| b.waited.total_cmp(&a.waited).then(a.seqno.cmp(&b.seqno)));
    waits.truncate(TOP);
    let fixed_channels = matches!(
        policy,
        Policy::TungstenHash | Policy::TungstenRoundRobin | Policy::TungstenShardSet
    );
    let mut channel_loads = Vec::new();
    if fixed_channels {
        channel_loads = vec![0.0; channels as usize];
        for (slot, &cost) in schedule.slots.iter().zip(costs) {
            channel_loads[slot.worker as usize] += cost;
        }
    }
    Run {
        channels,
        makespan,
        speedup: speedup(total, makespan),
        utilization: if makespan > 0.0 {
            total / (f64::from(channels) * makespan)
        } else {
            1.0
        },
        barriers: schedule.barriers,
        serial_fraction: if total > 0.0 {
            schedule.serialized_cost / total
        } else {
            0.0
        },
        lock_waits: schedule.lock_waits,
        longest_waits: waits,
        channel_loads,
    }
}

/// What separates the streams of a mixed log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// MariaDB replication domains.
    Domain,
    /// Source server ids.
    ServerId,
}

/// A log's streams, when it has more than one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Streams {
    /// Domains or server ids.
    pub kind: StreamKind,
    /// Each stream's id and its transactions (indexes into the records), in log order.
    pub streams: Vec<(u32, Vec<usize>)>,
}

impl Streams {
    /// The streams of `records`: MariaDB domains when there are several, else server
    /// ids when there are several; `None` for a single-stream log.
    pub fn of(records: &[TxnRecord]) -> Option<Streams> {
        let split = |key: &dyn Fn(&TxnRecord) -> Option<u32>| {
            let ids: BTreeSet<u32> = records.iter().filter_map(key).collect();
            (ids.len() > 1).then(|| {
                ids.into_iter()
                    .map(|id| {
                        let members = (0..records.len())
                            .filter(|&i| key(&records[i]) == Some(id))
                            .collect();
                        (id, members)
                    })
                    .collect::<Vec<_>>()
            })
        };
        if let Some(streams) = split(&|r| r.mariadb.map(|g| g.domain_id)) {
            return Some(Streams {
                kind: StreamKind::Domain,
                streams,
            });
        }
        split(&|r| r.server_id).map(|streams| Streams {
            kind: StreamKind::ServerId,
            streams,
        })
    }
}
