//! `thl index`: one `LogIndexEntry` line per file, then an empty line (spec 14).

use std::io::Write;

use super::open_log;
use crate::args::Invocation;
use crate::failure::Failure;

/// Runs `thl index`.
pub fn run(invocation: &Invocation, out: &mut impl Write) -> Result<(), Failure> {
    let log = open_log(invocation)?;
    let entries = log.index.entries();
    if entries.is_empty() {
        // A log whose only file is shorter than its header: Tungsten's fresh-log line.
        writeln!(out, "LogIndexEntry thl.data.0000000001(-1:-1)")?;
    }
    for e in entries {
        writeln!(
            out,
            "LogIndexEntry {}({}:{})",
            e.file_name, e.start_seqno, e.end_seqno
        )?;
    }
    writeln!(out)?;
    Ok(())
}
