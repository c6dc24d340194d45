//! `thl channels`: every channel as `trepctl status -name tasks` would show its
//! `q-to-dbms` task after the log (up to `-high`) was applied with N channels, then the
//! `trep_commit_seqno` rows a restart would read; or (`-sql`) SQL writing those rows.

use std::io::Write;

use replog::shard::{commit_seqno_sql, restart_point, Assigner, CommitSeqnoRow};
use replog_render::instant;
use replog_render::trepctl;
use replog_render::zone::Zone;
use serde_json::json;

use super::assign::{assign_log, STAGE};
use super::zone;
use crate::args::{AssignArgs, Invocation};
use crate::failure::Failure;

/// The columns printed, in the table's order.
const COLUMNS: &str = "task_id\tseqno\tfragno\tlast_frag\tsource_id\tepoch_number\teventid\t\
                       shard_id\textract_timestamp";

/// Runs `thl channels`.
pub fn run(
    invocation: &Invocation,
    args: &AssignArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let sql_service = match (args.sql, invocation.source.service.as_deref()) {
        (false, _) => None,
        (true, Some(service)) => Some(service),
        (true, None) => {
            return Err(Failure::usage(
                "-sql needs -service NAME: the rows go to schema tungsten_NAME",
            ))
        }
    };
    let zone = zone(invocation);
    let (assigner, problems) = assign_log(invocation, args)?;
    if let Some(service) = sql_service {
        let round_robin = assigner.partitioner().round_robin_assignments();
        out.write_all(commit_seqno_sql(service, assigner.channels(), &round_robin).as_bytes())?;
        return problems.verdict();
    }
    let records = tasks(&assigner);
    if args.json {
        let rows = assigner
            .channels()
            .iter()
            .map(|c| vec![("trep_commit_seqno", row_json(&c.commit_seqno_row(), &zone))]);
        trepctl::write_json(out, trepctl::json_objects(&records, rows))?;
        return problems.verdict();
    }
    trepctl::write_blocks(out, &records)?;
    writeln!(out)?;
    writeln!(out, "trep_commit_seqno")?;
    writeln!(out, "{COLUMNS}")?;
    for channel in assigner.channels() {
        writeln!(out, "{}", row_text(&channel.commit_seqno_row(), &zone))?;
    }
    match restart_point(assigner.channels()) {
        Some(seqno) => writeln!(
            out,
            "restart point: seqno {seqno} (channel readers resume at {})",
            seqno.saturating_add(1)
        )?,
        None => writeln!(out, "restart point: none (reading starts at seqno 0)")?,
    }
    problems.verdict()
}

/// The `status -name tasks` fields of each channel.
fn tasks(assigner: &Assigner) -> Vec<trepctl::Record> {
    assigner
        .channels()
        .iter()
        .map(|channel| {
            vec![
                ("taskId", channel.task_id.to_string()),
                ("stage", STAGE.to_string()),
                ("eventCount", channel.event_count.to_string()),
                ("appliedLastSeqno", channel.applied_last_seqno().to_string()),
                (
                    "appliedLastEventId",
                    channel.applied_last_event_id().to_string(),
                ),
                ("barriers", channel.barriers.to_string()),
            ]
        })
        .collect()
}

/// `yyyy-MM-dd HH:mm:ss` in the display zone, as the TIMESTAMP column would show it.
fn timestamp(ms: i64, zone: &Zone) -> String {
    instant::datetime(ms, 0, zone).0
}

/// One tab-separated line; NULL where the row has no value.
fn row_text(row: &CommitSeqnoRow<'_>, zone: &Zone) -> String {
    let or_null = |text: Option<&str>| text.unwrap_or("NULL").to_string();
    [
        row.task_id.to_string(),
        row.seqno.to_string(),
        row.fragno.to_string(),
        u8::from(row.last_frag).to_string(),
        or_null(row.source_id),
        row.epoch_number.to_string(),
        or_null(row.eventid),
        or_null(row.shard_id),
        row.extract_timestamp
            .map_or_else(|| "NULL".to_string(), |ms| timestamp(ms, zone)),
    ]
    .join("\t")
}

/// The row as a JSON object keyed by column name.
fn row_json(row: &CommitSeqnoRow<'_>, zone: &Zone) -> serde_json::Value {
    json!({
        "task_id": row.task_id,
        "seqno": row.seqno,
        "fragno": row.fragno,
        "last_frag": row.last_frag,
        "source_id": row.source_id,
        "epoch_number": row.epoch_number,
        "eventid": row.eventid,
        "shard_id": row.shard_id,
        "extract_timestamp": row.extract_timestamp.map(|ms| timestamp(ms, zone)),
    })
}
