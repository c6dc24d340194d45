//! Shard id → (channel, critical): Tungsten's `ShardListPartitioner` and
//! `HashPartitioner` (spec §1.4).

use std::collections::HashMap;

use super::hash::{java_channel, java_hash};
use super::shard_list::{HashMethod, ShardList};
use super::{ShardError, MAX_CHANNELS, UNKNOWN_SHARD};

/// Where one fragment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// Channel, 0..N.
    pub channel: u32,
    /// Whether the fragment must run inside a critical section (spec §1.7).
    pub critical: bool,
}

/// A partitioner for N channels.
#[derive(Debug, Clone)]
pub struct Partitioner {
    channels: u32,
    rule: Rule,
}

#[derive(Debug, Clone)]
// One partitioner exists per run; boxing its one large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Rule {
    ShardList {
        list: ShardList,
        /// Round-robin answers, remembered like `trep_shard_channel` rows.
        assigned: HashMap<Vec<u16>, u32>,
        /// Starts at 0 on every start, not derived from earlier rows (spec §1.4).
        next_channel: u32,
    },
    Hash,
}

impl Partitioner {
    /// `ShardListPartitioner` over `list` for `channels` channels. Refuses N = 0 and
    /// any channel written in the list outside 0..N.
    pub fn shard_list(list: ShardList, channels: u32) -> Result<Partitioner, ShardError> {
        check_count(channels)?;
        list.check_range(channels)?;
        Ok(Partitioner {
            channels,
            rule: Rule::ShardList {
                list,
                assigned: HashMap::new(),
                next_channel: 0,
            },
        })
    }

    /// `HashPartitioner`: `abs(H(shard)) % N` on the shard as stored (a blank shard is
    /// hashed as it is), critical only for `#UNKNOWN` (or a blank shard).
    pub fn hash(channels: u32) -> Result<Partitioner, ShardError> {
        check_count(channels)?;
        Ok(Partitioner {
            channels,
            rule: Rule::Hash,
        })
    }

    /// N.
    pub fn channels(&self) -> u32 {
        self.channels
    }

    /// The channel and critical flag of a fragment whose shard id has the UTF-16 units
    /// `shard`. Round-robin remembers each new shard's channel, so call this in log
    /// order.
    pub fn partition(&mut self, shard: &[u16]) -> Result<Partition, ShardError> {
        // `String.trim()` drops every unit up to U+0020, so such a shard is blank.
        let blank = shard.iter().all(|&u| u <= 0x20);
        let effective = if blank { &UNKNOWN_UNITS[..] } else { shard };
        let is_unknown = effective == UNKNOWN_UNITS;
        match &mut self.rule {
            Rule::Hash => Ok(Partition {
                channel: hashed(shard, self.channels)?,
                critical: is_unknown,
            }),
            Rule::ShardList {
                list,
                assigned,
                next_channel,
            } => {
                // `check_range` made every written channel fit 0..N.
                let written = list
                    .explicit
                    .get(effective)
                    .map(|pin| pin.channel)
                    .or_else(|| list.default_channel())
                    .map(|c| c as u32);
                let channel = match (written, list.hash_method()) {
                    (Some(channel), _) => channel,
                    (None, HashMethod::StringHash) => hashed(effective, self.channels)?,
                    (None, HashMethod::RoundRobin) => match assigned.get(effective) {
                        Some(&channel) => channel,
                        None => {
                            let channel = *next_channel;
                            *next_channel = (channel + 1) % self.channels;
                            assigned.insert(effective.to_vec(), channel);
                            channel
                        }
                    },
                };
                Ok(Partition {
                    channel,
                    critical: is_unknown || list.critical.contains(effective),
                })
            }
        }
    }

    /// The round-robin assignments made so far (what Tungsten writes to
    /// `trep_shard_channel`), sorted by shard in Java string order. Empty for the hash
    /// rule and for shards placed by `shard.list`.
    pub fn round_robin_assignments(&self) -> Vec<(String, u32)> {
        let Rule::ShardList { assigned, .. } = &self.rule else {
            return Vec::new();
        };
        let mut rows: Vec<(&Vec<u16>, u32)> = assigned.iter().map(|(s, &c)| (s, c)).collect();
        rows.sort();
        rows.into_iter()
            .map(|(shard, channel)| (String::from_utf16_lossy(shard), channel))
            .collect()
    }
}

/// [`UNKNOWN_SHARD`] in UTF-16.
const UNKNOWN_UNITS: [u16; 8] = {
    let bytes = UNKNOWN_SHARD.as_bytes();
    let mut units = [0u16; 8];
    let mut i = 0;
    while i < units.len() {
        units[i] = bytes[i] as u16;
        i += 1;
    }
    units
};

fn check_count(channels: u32) -> Result<(), ShardError> {
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(ShardError::ChannelCount { channels });
    }
    Ok(())
}

/// `abs(H(shard)) % N`, refusing the negative channel of a `-2³¹` hash.
fn hashed(shard: &[u16], channels: u32) -> Result<u32, ShardError> {
    let hash = java_hash(shard.iter().copied());
    // `check_count` keeps N within MAX_CHANNELS, far inside i32.
    let channel = java_channel(hash, channels as i32);
    u32::try_from(channel).map_err(|_| ShardError::NegativeChannel {
        shard: String::from_utf16_lossy(shard),
        hash,
        channels,
        channel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::ShardListProblem;

    fn units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn part(p: &mut Partitioner, shard: &str) -> (u32, bool) {
        let Partition { channel, critical } = p.partition(&units(shard)).unwrap();
        (channel, critical)
    }

    fn list(text: &str) -> ShardList {
        ShardList::parse("shard.list", text).unwrap()
    }

    #[test]
    fn zero_channels_refused() {
        assert_eq!(
            Partitioner::shard_list(ShardList::default(), 0).unwrap_err(),
            ShardError::ChannelCount { channels: 0 }
        );
        assert_eq!(
            Partitioner::hash(0).unwrap_err(),
            ShardError::ChannelCount { channels: 0 }
        );
        assert!(Partitioner::hash(65_535).is_ok());
        assert_eq!(
            Partitioner::hash(65_536).unwrap_err().to_string(),
            "65536 channels: the channel count must be at most 65535 (each channel is an \
             apply thread with its own THL reader)"
        );
    }

    #[test]
    fn string_hash_follows_the_spec_table() {
        // Spec §1.5 table, N = 5: mydb1 2, db3 4, sbtest 0, #UNKNOWN 3 (critical).
        let mut p = Partitioner::shard_list(ShardList::default(), 5).unwrap();
        assert_eq!(part(&mut p, "mydb1"), (2, false));
        assert_eq!(part(&mut p, "db3"), (4, false));
        assert_eq!(part(&mut p, "sbtest"), (0, false));
        assert_eq!(part(&mut p, "#UNKNOWN"), (3, true));
    }

    #[test]
    fn blank_shard_becomes_unknown_before_hashing() {
        // " " would hash to channel 2 of 3; as #UNKNOWN it goes to 2 as well, so use
        // N = 4: " " → 0, #UNKNOWN → 3.
        let mut p = Partitioner::shard_list(ShardList::default(), 4).unwrap();
        assert_eq!(part(&mut p, " "), (3, true));
        assert_eq!(part(&mut p, ""), (3, true));
        assert_eq!(part(&mut p, "\u{1} \t"), (3, true));
    }

    #[test]
    fn hash_partitioner_hashes_the_raw_shard() {
        let mut p = Partitioner::hash(4).unwrap();
        assert_eq!(part(&mut p, " "), (0, true));
        assert_eq!(part(&mut p, ""), (0, true));
        assert_eq!(part(&mut p, "#UNKNOWN"), (3, true));
        assert_eq!(part(&mut p, "test"), (2, false));
    }

    #[test]
    fn precedence_explicit_then_default_then_hash() {
        let mut p = Partitioner::shard_list(list("db1=0\n(*)=2\n"), 3).unwrap();
        assert_eq!(part(&mut p, "db1"), (0, false));
        // db2 would hash to 2 of 3, mydb1 to 0: the default wins over both.
        assert_eq!(part(&mut p, "mydb1"), (2, false));
        let mut p = Partitioner::shard_list(list("db1=0\n(*)=-1\n"), 3).unwrap();
        assert_eq!(part(&mut p, "db1"), (0, false));
        assert_eq!(part(&mut p, "db2"), (2, false));
    }

    #[test]
    fn critical_shards_and_unknown() {
        // Spec §1.5 table, N = 8: db2 → 4, db1 → 3.
        let mut p = Partitioner::shard_list(list("(critical)=db2\n\\#UNKNOWN=1"), 8).unwrap();
        assert_eq!(part(&mut p, "db2"), (4, true));
        assert_eq!(part(&mut p, "#UNKNOWN"), (1, true));
        assert_eq!(part(&mut p, "db1"), (3, false));
    }

    #[test]
    fn round_robin_by_first_appearance_wrapping_at_n() {
        // Spec §1.4 worked example: N = 3, db1, db2, #UNKNOWN, db3 → 0, 1, 2, 0.
        let mut p = Partitioner::shard_list(list("(hash-method)=round-robin"), 3).unwrap();
        assert_eq!(part(&mut p, "db1"), (0, false));
        assert_eq!(part(&mut p, "db2"), (1, false));
        assert_eq!(part(&mut p, "db1"), (0, false));
        assert_eq!(part(&mut p, "#UNKNOWN"), (2, true));
        assert_eq!(part(&mut p, "db3"), (0, false));
        assert_eq!(part(&mut p, "db2"), (1, false));
        assert_eq!(
            p.round_robin_assignments(),
            [
                ("#UNKNOWN".to_string(), 2),
                ("db1".to_string(), 0),
                ("db2".to_string(), 1),
                ("db3".to_string(), 0)
            ]
        );
    }

    #[test]
    fn round_robin_skips_pinned_shards() {
        let text = "(hash-method)=round-robin\npinned=1";
        let mut p = Partitioner::shard_list(list(text), 2).unwrap();
        assert_eq!(part(&mut p, "pinned"), (1, false));
        assert_eq!(part(&mut p, "a"), (0, false));
        assert_eq!(part(&mut p, "b"), (1, false));
        assert_eq!(p.round_robin_assignments().len(), 2);
    }

    #[test]
    fn serial_apply_puts_everything_on_channel_zero() {
        let mut p = Partitioner::shard_list(ShardList::default(), 1).unwrap();
        for shard in ["mydb1", "sbtest", "polygenelubricants", "#UNKNOWN"] {
            assert_eq!(part(&mut p, shard).0, 0, "{shard}");
        }
    }

    #[test]
    fn negative_hash_channel_is_an_error() {
        // Spec §1.5: polygenelubricants hashes to -2³¹: channel -2 of 3, -3 of 5, 0 of 4.
        let mut p = Partitioner::shard_list(ShardList::default(), 3).unwrap();
        assert_eq!(
            p.partition(&units("polygenelubricants")),
            Err(ShardError::NegativeChannel {
                shard: "polygenelubricants".into(),
                hash: i32::MIN,
                channels: 3,
                channel: -2
            })
        );
        let mut p = Partitioner::hash(5).unwrap();
        assert!(matches!(
            p.partition(&units("polygenelubricants")),
            Err(ShardError::NegativeChannel { channel: -3, .. })
        ));
        let mut p = Partitioner::shard_list(ShardList::default(), 4).unwrap();
        assert_eq!(part(&mut p, "polygenelubricants"), (0, false));
        // Pinned, it is fine.
        let mut p = Partitioner::shard_list(list("polygenelubricants=1"), 3).unwrap();
        assert_eq!(part(&mut p, "polygenelubricants"), (1, false));
    }

    #[test]
    fn out_of_range_pin_refused_at_construction() {
        let err = Partitioner::shard_list(list("db1=0\ndb2=2"), 2).unwrap_err();
        assert!(
            matches!(err, ShardError::ShardList { line: 2, .. }),
            "{err:?}"
        );
        assert_eq!(
            Partitioner::shard_list(list("db1=1"), 1).unwrap_err(),
            ShardError::ShardList {
                file: "shard.list".into(),
                line: 1,
                problem: ShardListProblem::ChannelOutOfRange {
                    shard: "db1".into(),
                    channel: 1,
                    channels: 1
                }
            }
        );
    }
}
