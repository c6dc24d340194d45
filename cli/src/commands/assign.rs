//! What `shards` and `channels` share: the partitioner built from the options and one
//! walk of the transactions' record headers (of the THL, or of the THL binary logs
//! become) through the library's distributor.

use std::path::Path;

use replog::shard::{Assigner, Fragment, Partitioner, ShardError, ShardList};

use replog::txn::extract::SourceFacts;
use replog::txn::Transaction;

use super::{binlogs, Flow, Problems};
use crate::args::{AssignArgs, Invocation};
use crate::failure::{notice, Failure};

/// The stage whose tasks are the channels (spec §1.1).
pub const STAGE: &str = "q-to-dbms";

/// Reads `-shard-list`, builds the partitioner (refusing what Tungsten would mishandle),
/// then feeds every fragment of the log, up to `-high`, to the distributor. The
/// problems `-permissive` reported come back too: the caller prints its view, then
/// gives their verdict.
pub fn assign_log(
    invocation: &Invocation,
    args: &AssignArgs,
) -> Result<(Assigner, Problems), Failure> {
    let list = match &args.shard_list {
        Some(path) => read_shard_list(path)?,
        None => ShardList::default(),
    };
    let list = match args.hash_method {
        Some(method) => list.with_hash_method(method),
        None => list,
    };
    let partitioner = Partitioner::shard_list(list, args.channels).map_err(config_failure)?;
    let mut assigner = Assigner::new(partitioner);

    let mut any = false;
    let mut visit = |txn: &Transaction<'_>, _: Option<&SourceFacts>| -> Result<Flow, Failure> {
        for record in &txn.fragments {
            let Some(event) = record.event() else {
                continue;
            };
            let header = &event.header;
            if args.high.is_some_and(|high| header.seqno > high) {
                return Ok(Flow::Stop);
            }
            any = true;
            assigner.assign(&Fragment::from(header)).map_err(|err| {
                // A THL record is located in its file; one extracted on the fly by the
                // binlog position it comes from.
                let place = if event.file().is_empty() {
                    format!("eventId {}", header.event_id.text())
                } else {
                    format!("file={} offset={}", event.file(), record.offset)
                };
                Failure::Fatal(format!("seqno {} ({place}): {err}", header.seqno))
            })?;
        }
        Ok(Flow::Continue)
    };
    // Binary logs are assigned as the THL extracted from them would be.
    let problems = binlogs::walk_named_log(invocation, &args.binlogs, &args.tagging, &mut visit)?;
    if !any {
        notice("INFO No events found; log is empty");
    }
    Ok((assigner, problems))
}

/// Tungsten's message for a missing file, with the reason.
pub fn read_shard_list(path: &Path) -> Result<ShardList, Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::Fatal(format!(
            "Shard map file missing or unreadable: {}: {e}",
            path.display()
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::Fatal(format!(
            "Shard map file is not UTF-8: {}: {e}",
            path.display()
        ))
    })?;
    ShardList::parse(&path.display().to_string(), &text).map_err(config_failure)
}

fn config_failure(err: ShardError) -> Failure {
    Failure::Fatal(err.to_string())
}
