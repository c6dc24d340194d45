//! `trep_commit_seqno`: the rows a restart reads and SQL that writes them (spec §1.10).

use std::fmt::Write;

use super::assign::ChannelPosition;

/// One `trep_commit_seqno` row (the columns a restart reads; `applied_latency` and
/// `update_timestamp` are the applier's clock, not the log's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitSeqnoRow<'a> {
    /// Channel number.
    pub task_id: u32,
    /// Last committed seqno; -1 for a channel that applied nothing (such rows are
    /// ignored on restart).
    pub seqno: i64,
    /// Its fragment number.
    pub fragno: i16,
    /// Whether it was the last fragment.
    pub last_frag: bool,
    /// Source id (`None` for an idle channel).
    pub source_id: Option<&'a str>,
    /// Epoch number (-1 for an idle channel).
    pub epoch_number: i64,
    /// Event id (`None` for an idle channel).
    pub eventid: Option<&'a str>,
    /// Shard id (`None` for an idle channel).
    pub shard_id: Option<&'a str>,
    /// Source commit time in Java milliseconds (`None` for an idle channel).
    pub extract_timestamp: Option<i64>,
}

impl ChannelPosition {
    /// This channel's `trep_commit_seqno` row.
    pub fn commit_seqno_row(&self) -> CommitSeqnoRow<'_> {
        match &self.applied {
            Some(a) => CommitSeqnoRow {
                task_id: self.task_id,
                seqno: a.seqno,
                fragno: a.fragno,
                last_frag: a.last_frag,
                source_id: Some(&a.source_id),
                epoch_number: a.epoch,
                eventid: Some(&a.event_id),
                shard_id: Some(&a.shard_id),
                extract_timestamp: Some(a.source_tstamp),
            },
            None => CommitSeqnoRow {
                task_id: self.task_id,
                seqno: -1,
                fragno: 0,
                last_frag: true,
                source_id: None,
                epoch_number: -1,
                eventid: None,
                shard_id: None,
                extract_timestamp: None,
            },
        }
    }
}

/// The seqno a restart resumes after: the minimum over the channels' rows, ignoring
/// rows below 0. Every channel reader restarts at this + 1 and skips what its own row
/// shows applied; `None` means reading starts at the beginning of the log.
pub fn restart_point(channels: &[ChannelPosition]) -> Option<i64> {
    channels
        .iter()
        .map(|c| c.commit_seqno_row().seqno)
        .filter(|&seqno| seqno >= 0)
        .min()
}

/// SQL that makes the `trep_commit_seqno` table of service `service` (schema
/// `tungsten_<service>`) hold exactly these channels' rows, in one transaction. When
/// round-robin assignments are given, `trep_shard_channel` is rewritten to hold them:
/// a restarted replicator must find each shard on the channel whose row covers it.
///
/// Strings are written as hexadecimal literals unless they are printable ASCII
/// without backslashes, so the text means the same whatever the connection's
/// character set and `sql_mode` (`NO_BACKSLASH_ESCAPES`). Timestamps are
/// `FROM_UNIXTIME` of whole seconds, which the server converts from the session zone
/// and back, so the stored instant is exact (the column has no fraction).
pub fn commit_seqno_sql(
    service: &str,
    channels: &[ChannelPosition],
    round_robin: &[(String, u32)],
) -> String {
    let schema = identifier(&format!("tungsten_{service}"));
    let mut sql = String::from("START TRANSACTION;\n");
    let _ = writeln!(sql, "DELETE FROM {schema}.`trep_commit_seqno`;");
    let _ = writeln!(
        sql,
        "INSERT INTO {schema}.`trep_commit_seqno` (task_id, seqno, fragno, last_frag, \
         source_id, epoch_number, eventid, applied_latency, update_timestamp, shard_id, \
         extract_timestamp) VALUES"
    );
    for (i, channel) in channels.iter().enumerate() {
        let row = channel.commit_seqno_row();
        let separator = if i + 1 == channels.len() { ";" } else { "," };
        let _ = writeln!(
            sql,
            "  ({}, {}, {}, {}, {}, {}, {}, 0, NOW(), {}, {}){separator}",
            row.task_id,
            row.seqno,
            row.fragno,
            // A boolean bound to CHAR(1) by the JDBC driver is stored as '1' or '0'.
            if row.last_frag { "'1'" } else { "'0'" },
            string_or_null(row.source_id),
            row.epoch_number,
            string_or_null(row.eventid),
            string_or_null(row.shard_id),
            timestamp(row.extract_timestamp),
        );
    }
    if !round_robin.is_empty() {
        let _ = writeln!(sql, "DELETE FROM {schema}.`trep_shard_channel`;");
        let _ = writeln!(
            sql,
            "INSERT INTO {schema}.`trep_shard_channel` (shard_id, channel) VALUES"
        );
        for (i, (shard, channel)) in round_robin.iter().enumerate() {
            let separator = if i + 1 == round_robin.len() { ";" } else { "," };
            let _ = writeln!(sql, "  ({}, {channel}){separator}", string(shard));
        }
    }
    sql.push_str("COMMIT;\n");
    sql
}

/// `FROM_UNIXTIME` of the whole seconds; NULL before 1970, which a TIMESTAMP column
/// cannot hold.
fn timestamp(ms: Option<i64>) -> String {
    match ms {
        Some(ms) if ms >= 0 => format!("FROM_UNIXTIME({})", ms / 1000),
        _ => "NULL".to_string(),
    }
}

/// A MySQL identifier in backquotes (a backquote doubled).
fn identifier(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn string_or_null(text: Option<&str>) -> String {
    text.map_or_else(|| "NULL".to_string(), string)
}

/// A string literal that needs no escape rules: `'…'` with `'` doubled for printable
/// ASCII without backslashes, else `X'…'`.
fn string(text: &str) -> String {
    let plain = text
        .bytes()
        .all(|b| (0x20..0x7F).contains(&b) && b != b'\\');
    if plain {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        format!("X'{}'", crate::error::hex(text.as_bytes()).to_uppercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::AppliedEvent;

    fn channel(task_id: u32, applied: Option<(i64, &str)>) -> ChannelPosition {
        ChannelPosition {
            task_id,
            event_count: 0,
            barriers: 0,
            applied: applied.map(|(seqno, event_id)| AppliedEvent {
                seqno,
                fragno: 2,
                last_frag: true,
                epoch: 3,
                source_id: "db01".into(),
                event_id: event_id.into(),
                shard_id: "app1".into(),
                source_tstamp: 1_391_124_602_999,
            }),
        }
    }

    #[test]
    fn restart_point_is_the_minimum_ignoring_idle_channels() {
        // Spec §1.10 example: rows {0: 1041, 1: 1037, 2: 1044} restart after 1037.
        let rows = [
            channel(0, Some((1041, "a"))),
            channel(1, Some((1037, "b"))),
            channel(2, Some((1044, "c"))),
        ];
        assert_eq!(restart_point(&rows), Some(1037));
        let rows = [channel(0, None), channel(1, Some((5, "b")))];
        assert_eq!(restart_point(&rows), Some(5));
        assert_eq!(restart_point(&[channel(0, None)]), None);
    }

    #[test]
    fn idle_channel_row() {
        let idle = channel(1, None);
        assert_eq!(
            idle.commit_seqno_row(),
            CommitSeqnoRow {
                task_id: 1,
                seqno: -1,
                fragno: 0,
                last_frag: true,
                source_id: None,
                epoch_number: -1,
                eventid: None,
                shard_id: None,
                extract_timestamp: None,
            }
        );
    }

    #[test]
    fn sql_for_two_channels() {
        let rows = [
            channel(0, Some((7, "mysql-bin.000002:0000000000000426;34"))),
            channel(1, None),
        ];
        assert_eq!(
            commit_seqno_sql("alpha", &rows, &[]),
            "START TRANSACTION;\n\
             DELETE FROM `tungsten_alpha`.`trep_commit_seqno`;\n\
             INSERT INTO `tungsten_alpha`.`trep_commit_seqno` (task_id, seqno, fragno, \
             last_frag, source_id, epoch_number, eventid, applied_latency, \
             update_timestamp, shard_id, extract_timestamp) VALUES\n  \
             (0, 7, 2, '1', 'db01', 3, 'mysql-bin.000002:0000000000000426;34', 0, NOW(), \
             'app1', FROM_UNIXTIME(1391124602)),\n  \
             (1, -1, 0, '1', NULL, -1, NULL, 0, NOW(), NULL, NULL);\n\
             COMMIT;\n"
        );
    }

    #[test]
    fn sql_quoting_and_shard_channel_rows() {
        let rows = [channel(0, Some((1, "it's")))];
        let rr = [
            ("o'k".to_string(), 0),
            ("sch\u{e9}ma".to_string(), 1),
            ("a\\b".to_string(), 0),
        ];
        let sql = commit_seqno_sql("we`ird", &rows, &rr);
        assert!(sql.contains("DELETE FROM `tungsten_we``ird`.`trep_commit_seqno`;\n"));
        assert!(sql.contains(", 'it''s', 0, NOW(),"));
        assert!(sql.ends_with(
            "DELETE FROM `tungsten_we``ird`.`trep_shard_channel`;\n\
             INSERT INTO `tungsten_we``ird`.`trep_shard_channel` (shard_id, channel) VALUES\n  \
             ('o''k', 0),\n  \
             (X'736368C3A96D61', 1),\n  \
             (X'615C62', 0);\n\
             COMMIT;\n"
        ));
    }

    #[test]
    fn timestamps_before_1970_are_null() {
        let mut c = channel(0, Some((1, "e")));
        if let Some(a) = &mut c.applied {
            a.source_tstamp = -1;
        }
        assert!(commit_seqno_sql("s", &[c], &[]).ends_with("0, NOW(), 'app1', NULL);\nCOMMIT;\n"));
    }
}
