//! `thl shards`: every shard as `trepctl status -name shards` would show it after the
//! log (up to `-high`) was applied with N channels, plus its channel and critical flag.

use std::io::Write;

use replog_render::trepctl;

use super::assign::{assign_log, STAGE};
use crate::args::{AssignArgs, Invocation};
use crate::failure::Failure;

/// Runs `thl shards`.
pub fn run(
    invocation: &Invocation,
    args: &AssignArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let (assigner, problems) = assign_log(invocation, args)?;
    let records: Vec<trepctl::Record> = assigner
        .shards()
        .map(|shard| {
            vec![
                ("shardId", shard.shard_id.clone()),
                ("stage", STAGE.to_string()),
                ("channel", shard.channel.to_string()),
                ("eventCount", shard.event_count.to_string()),
                ("appliedLastSeqno", shard.applied_last_seqno.to_string()),
                ("appliedLastEventId", shard.applied_last_event_id.clone()),
                ("critical", shard.critical.to_string()),
            ]
        })
        .collect();
    if args.json {
        trepctl::write_json(out, trepctl::json_objects(&records, []))?;
    } else {
        trepctl::write_blocks(out, &records)?;
    }
    problems.verdict()
}
