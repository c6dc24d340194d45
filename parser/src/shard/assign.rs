//! The distributor (`thl-to-q`, spec §1.7): one fragment in, its channel and barrier
//! out, with the positions `trepctl status -name tasks` and `-name shards` report.

use std::collections::BTreeMap;

use super::partitioner::Partitioner;
use super::ShardError;
use crate::thl::{JavaStr, RecordHeader};

/// A shard id, from text or from a THL header's modified UTF-8 (whose UTF-16 units are
/// read directly, so an unpaired surrogate hashes as in Java).
#[derive(Debug, Clone, Copy)]
pub enum ShardId<'a> {
    /// A Rust string.
    Text(&'a str),
    /// A THL header string.
    Java(&'a JavaStr<'a>),
}

impl ShardId<'_> {
    fn text(&self) -> &str {
        match self {
            ShardId::Text(text) => text,
            ShardId::Java(java) => java.text(),
        }
    }

    fn write_units(&self, units: &mut Vec<u16>) {
        units.clear();
        match self {
            ShardId::Text(text) => units.extend(text.encode_utf16()),
            ShardId::Java(java) => units.extend(java.utf16_units()),
        }
    }
}

/// What the distributor reads of one fragment: the THL record header's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fragment<'a> {
    /// Transaction sequence number.
    pub seqno: i64,
    /// Fragment number (0 for the first or only one).
    pub fragno: i16,
    /// Whether this is the transaction's last fragment.
    pub last_frag: bool,
    /// Epoch number.
    pub epoch: i64,
    /// Source id.
    pub source_id: &'a str,
    /// Native position, e.g. `mysql-bin.000002:0000000000000426;34`.
    pub event_id: &'a str,
    /// Shard id.
    pub shard_id: ShardId<'a>,
    /// Source commit time, Java milliseconds.
    pub source_tstamp: i64,
}

impl<'a> From<&'a RecordHeader<'a>> for Fragment<'a> {
    fn from(header: &'a RecordHeader<'a>) -> Self {
        Fragment {
            seqno: header.seqno,
            fragno: header.fragno,
            last_frag: header.last_frag,
            epoch: header.epoch,
            source_id: header.source_id.text(),
            event_id: header.event_id.text(),
            shard_id: ShardId::Java(&header.shard_id),
            source_tstamp: header.source_tstamp,
        }
    }
}

/// A barrier before a fragment: every channel must have committed everything released
/// before it (the disk queue's "block to zero", spec §1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Barrier {
    /// Entering a critical section, or moving one to another channel.
    EnterCritical,
    /// Leaving a critical section: the first non-critical fragment after one.
    LeaveCritical,
}

/// The distributor's answer for one fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// Channel, 0..N.
    pub channel: u32,
    /// Whether the fragment runs inside a critical section.
    pub critical: bool,
    /// Whether all channels must drain before this fragment is released.
    pub barrier: Option<Barrier>,
}

/// The header fields of the last fragment a channel applied: its `trep_commit_seqno`
/// row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedEvent {
    /// Seqno.
    pub seqno: i64,
    /// Fragment number.
    pub fragno: i16,
    /// Last fragment of its transaction.
    pub last_frag: bool,
    /// Epoch number.
    pub epoch: i64,
    /// Source id.
    pub source_id: String,
    /// Event id.
    pub event_id: String,
    /// Shard id.
    pub shard_id: String,
    /// Source commit time, Java milliseconds.
    pub source_tstamp: i64,
}

/// One channel (a `q-to-dbms` task) after the fragments fed so far were applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPosition {
    /// Channel number.
    pub task_id: u32,
    /// Fragments applied. Tungsten's `eventCount` also counts synchronization markers,
    /// whose number depends on timing and configuration; these are not modelled.
    pub event_count: u64,
    /// Barriers this channel drained for (every barrier stops every channel).
    pub barriers: u64,
    /// The last fragment applied; `None` while the channel has applied nothing.
    pub applied: Option<AppliedEvent>,
}

impl ChannelPosition {
    /// `appliedLastSeqno`: -1 before anything was applied.
    pub fn applied_last_seqno(&self) -> i64 {
        self.applied.as_ref().map_or(-1, |a| a.seqno)
    }

    /// `appliedLastEventId`: empty before anything was applied.
    pub fn applied_last_event_id(&self) -> &str {
        self.applied.as_ref().map_or("", |a| a.event_id.as_str())
    }
}

/// One shard after the fragments fed so far were applied (`trepctl status -name
/// shards`, plus its channel and critical flag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardPosition {
    /// The shard id.
    pub shard_id: String,
    /// Its channel.
    pub channel: u32,
    /// Fragments carrying this shard.
    pub event_count: u64,
    /// Seqno of its last fragment.
    pub applied_last_seqno: i64,
    /// Event id of its last fragment.
    pub applied_last_event_id: String,
    /// Whether its fragments run in critical sections.
    pub critical: bool,
}

/// The transaction whose later fragments are still to come.
#[derive(Debug, Clone)]
struct OpenTransaction {
    seqno: i64,
    channel: u32,
    critical: bool,
    shard: Vec<u16>,
}

/// The distributor: assigns fragments in log order and keeps the positions.
#[derive(Debug, Clone)]
pub struct Assigner {
    partitioner: Partitioner,
    channels: Vec<ChannelPosition>,
    /// Keyed by UTF-16 units, so iteration is Java's `String.compareTo` order.
    shards: BTreeMap<Vec<u16>, ShardPosition>,
    critical_partition: Option<u32>,
    serialization_count: u64,
    open: Option<OpenTransaction>,
    units: Vec<u16>,
}

impl Assigner {
    /// A distributor over `partitioner`'s channels, all empty.
    pub fn new(partitioner: Partitioner) -> Assigner {
        let channels = (0..partitioner.channels())
            .map(|task_id| ChannelPosition {
                task_id,
                event_count: 0,
                barriers: 0,
                applied: None,
            })
            .collect();
        Assigner {
            partitioner,
            channels,
            shards: BTreeMap::new(),
            critical_partition: None,
            serialization_count: 0,
            open: None,
            units: Vec::new(),
        }
    }

    /// Assigns the next fragment in log order. A later fragment of the transaction
    /// still open (same seqno, the previous fragment not the last) keeps the
    /// transaction's channel and shard without asking the partitioner again.
    pub fn assign(&mut self, fragment: &Fragment<'_>) -> Result<Assignment, ShardError> {
        let open = self
            .open
            .take()
            .filter(|open| open.seqno == fragment.seqno && fragment.fragno > 0);
        let (channel, critical, shard) = match open {
            Some(open) => (open.channel, open.critical, open.shard),
            None => {
                fragment.shard_id.write_units(&mut self.units);
                let partition = self.partitioner.partition(&self.units)?;
                (
                    partition.channel,
                    partition.critical,
                    std::mem::take(&mut self.units),
                )
            }
        };

        let barrier = if critical && self.critical_partition != Some(channel) {
            self.serialization_count += 1;
            self.critical_partition = Some(channel);
            Some(Barrier::EnterCritical)
        } else if !critical && self.critical_partition.is_some() {
            self.critical_partition = None;
            Some(Barrier::LeaveCritical)
        } else {
            None
        };
        if barrier.is_some() {
            for position in &mut self.channels {
                position.barriers += 1;
            }
        }

        self.record(channel, critical, &shard, fragment);
        if fragment.last_frag {
            self.units = shard;
        } else {
            self.open = Some(OpenTransaction {
                seqno: fragment.seqno,
                channel,
                critical,
                shard,
            });
        }
        Ok(Assignment {
            channel,
            critical,
            barrier,
        })
    }

    fn record(&mut self, channel: u32, critical: bool, shard: &[u16], fragment: &Fragment<'_>) {
        let position = &mut self.channels[channel as usize];
        position.event_count += 1;
        let applied = position.applied.get_or_insert_with(|| AppliedEvent {
            seqno: -1,
            fragno: 0,
            last_frag: true,
            epoch: 0,
            source_id: String::new(),
            event_id: String::new(),
            shard_id: String::new(),
            source_tstamp: 0,
        });
        applied.seqno = fragment.seqno;
        applied.fragno = fragment.fragno;
        applied.last_frag = fragment.last_frag;
        applied.epoch = fragment.epoch;
        // Reuse the buffers: this runs once per fragment of a possibly huge log.
        replace(&mut applied.source_id, fragment.source_id);
        replace(&mut applied.event_id, fragment.event_id);
        replace(&mut applied.shard_id, fragment.shard_id.text());
        applied.source_tstamp = fragment.source_tstamp;

        let position = match self.shards.get_mut(shard) {
            Some(position) => position,
            None => self
                .shards
                .entry(shard.to_vec())
                .or_insert_with(|| ShardPosition {
                    shard_id: String::from_utf16_lossy(shard),
                    channel,
                    event_count: 0,
                    applied_last_seqno: -1,
                    applied_last_event_id: String::new(),
                    critical,
                }),
        };
        position.event_count += 1;
        position.applied_last_seqno = fragment.seqno;
        replace(&mut position.applied_last_event_id, fragment.event_id);
    }

    /// The channels, by task id.
    pub fn channels(&self) -> &[ChannelPosition] {
        &self.channels
    }

    /// The shards seen, sorted by shard id in Java string order (UTF-16 units).
    pub fn shards(&self) -> impl Iterator<Item = &ShardPosition> {
        self.shards.values()
    }

    /// Entries into critical sections (`serializationCount`).
    pub fn serialization_count(&self) -> u64 {
        self.serialization_count
    }

    /// The partitioner (for its round-robin assignments).
    pub fn partitioner(&self) -> &Partitioner {
        &self.partitioner
    }
}

fn replace(buffer: &mut String, text: &str) {
    buffer.clear();
    buffer.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::ShardList;

    fn fragment(seqno: i64, fragno: i16, last_frag: bool, shard: &str) -> Fragment<'_> {
        Fragment {
            seqno,
            fragno,
            last_frag,
            epoch: 3,
            source_id: "db01",
            event_id: "",
            shard_id: ShardId::Text(shard),
            source_tstamp: 1_000 * seqno,
        }
    }

    fn assigner(text: &str, channels: u32) -> Assigner {
        let list = ShardList::parse("shard.list", text).unwrap();
        Assigner::new(Partitioner::shard_list(list, channels).unwrap())
    }

    /// (channel, critical, barrier) for each (seqno, fragno, last, shard).
    fn run(
        a: &mut Assigner,
        input: &[(i64, i16, bool, &str)],
    ) -> Vec<(u32, bool, Option<Barrier>)> {
        input
            .iter()
            .map(|&(seqno, fragno, last, shard)| {
                let got = a.assign(&fragment(seqno, fragno, last, shard)).unwrap();
                (got.channel, got.critical, got.barrier)
            })
            .collect()
    }

    #[test]
    fn critical_sections_enter_and_leave_with_barriers() {
        use Barrier::*;
        // N = 4, string hash (spec §1.5): db1 → 3, db2 → 0, #UNKNOWN → 3 (critical),
        // common pinned to 1 and critical.
        let mut a = assigner("common=1\n(critical)=common", 4);
        let got = run(
            &mut a,
            &[
                (0, 0, true, "db1"),
                (1, 0, true, "#UNKNOWN"),
                (2, 0, true, "#UNKNOWN"),
                (3, 0, true, "common"),
                (4, 0, true, "db2"),
                (5, 0, true, "db1"),
            ],
        );
        assert_eq!(
            got,
            [
                (3, false, None),
                (3, true, Some(EnterCritical)),
                // Same channel, still critical: no new barrier.
                (3, true, None),
                // Critical on another channel: a new barrier.
                (1, true, Some(EnterCritical)),
                (0, false, Some(LeaveCritical)),
                (3, false, None),
            ]
        );
        assert_eq!(a.serialization_count(), 2);
        let barriers: Vec<u64> = a.channels().iter().map(|c| c.barriers).collect();
        assert_eq!(barriers, [3, 3, 3, 3]);
    }

    #[test]
    fn fragments_keep_their_transactions_channel() {
        // Extraction forces fragment 0's shard onto the later fragments; should a later
        // fragment say otherwise, the transaction's channel still holds. db1 → 1 and
        // db2 → 2 of 3 (spec §1.5).
        let mut a = assigner("", 3);
        let got = run(
            &mut a,
            &[
                (7, 0, false, "db1"),
                (7, 1, false, "db2"),
                (7, 2, true, "db2"),
                (8, 0, true, "db2"),
            ],
        );
        assert_eq!(
            got,
            [
                (1, false, None),
                (1, false, None),
                (1, false, None),
                (2, false, None)
            ]
        );
        let shards: Vec<(&str, u32, u64)> = a
            .shards()
            .map(|s| (s.shard_id.as_str(), s.channel, s.event_count))
            .collect();
        assert_eq!(shards, [("db1", 1, 3), ("db2", 2, 1)]);
        let last = a.channels()[1].applied.as_ref().unwrap();
        assert_eq!((last.seqno, last.fragno, last.last_frag), (7, 2, true));
        assert_eq!(last.shard_id, "db2");
    }

    #[test]
    fn positions_per_channel_and_shard() {
        // N = 2, string hash: mydb1 → 1, mydb2 → 0, test → 0 (spec §1.5).
        let mut a = assigner("", 2);
        for (seqno, shard) in [(10, "mydb1"), (11, "mydb2"), (12, "test"), (13, "mydb1")] {
            let id = format!("bin.1:{seqno};5");
            let f = Fragment {
                event_id: &id,
                ..fragment(seqno, 0, true, shard)
            };
            a.assign(&f).unwrap();
        }
        let c: Vec<(u32, u64, i64, &str)> = a
            .channels()
            .iter()
            .map(|c| {
                (
                    c.task_id,
                    c.event_count,
                    c.applied_last_seqno(),
                    c.applied_last_event_id(),
                )
            })
            .collect();
        assert_eq!(c, [(0, 2, 12, "bin.1:12;5"), (1, 2, 13, "bin.1:13;5")]);
        let s: Vec<(&str, u64, i64, &str)> = a
            .shards()
            .map(|s| {
                (
                    s.shard_id.as_str(),
                    s.event_count,
                    s.applied_last_seqno,
                    s.applied_last_event_id.as_str(),
                )
            })
            .collect();
        assert_eq!(
            s,
            [
                ("mydb1", 2, 13, "bin.1:13;5"),
                ("mydb2", 1, 11, "bin.1:11;5"),
                ("test", 1, 12, "bin.1:12;5")
            ]
        );
    }

    #[test]
    fn shards_sort_in_java_order() {
        // UTF-16 order: U+FF5E (one unit) sorts after the surrogate pair of U+1F600
        // (D83D ...), the reverse of UTF-8 and code point order.
        let mut a = assigner("", 1);
        run(
            &mut a,
            &[
                (0, 0, true, "\u{FF5E}"),
                (1, 0, true, "\u{1F600}"),
                (2, 0, true, "B"),
                (3, 0, true, "a"),
            ],
        );
        let order: Vec<&str> = a.shards().map(|s| s.shard_id.as_str()).collect();
        assert_eq!(order, ["B", "a", "\u{1F600}", "\u{FF5E}"]);
    }

    #[test]
    fn idle_channel_has_no_position() {
        let a = assigner("", 3);
        assert_eq!(a.channels()[2].applied_last_seqno(), -1);
        assert_eq!(a.channels()[2].applied_last_event_id(), "");
    }

    #[test]
    fn negative_channel_stops_the_assignment() {
        let mut a = assigner("", 3);
        assert!(matches!(
            a.assign(&fragment(0, 0, true, "polygenelubricants")),
            Err(ShardError::NegativeChannel { channel: -2, .. })
        ));
    }

    #[test]
    fn thl_header_shard_is_hashed_from_its_utf16_units() {
        // "db😀" stored as modified UTF-8: d, b, then D83D and DE00 as 3-byte forms.
        // Spec §1.5: H = 4846177, channel 2 of 5.
        let raw = [0x64, 0x62, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80];
        let shard = JavaStr::decode(&raw).unwrap();
        let header = RecordHeader {
            seqno: 1,
            fragno: 0,
            last_frag: true,
            epoch: 0,
            source_id: JavaStr::decode(b"s").unwrap(),
            event_id: JavaStr::decode(b"e").unwrap(),
            shard_id: shard,
            source_tstamp: 0,
        };
        let mut a = assigner("", 5);
        assert_eq!(a.assign(&Fragment::from(&header)).unwrap().channel, 2);
        assert_eq!(a.shards().next().unwrap().shard_id, "db\u{1F600}");
    }
}
