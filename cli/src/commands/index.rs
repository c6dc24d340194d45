//! `thl index`: one `LogIndexEntry` line per file, then an empty line (spec 14).
//!
//! A file missing from the sequence fails it (the entries before the hole would claim
//! the seqnos of the missing file), as `list` fails when it reaches the hole.

use std::io::Write;

use super::open_log;
use crate::args::Invocation;
use crate::failure::Failure;

/// Runs `thl index`.
pub fn run(invocation: &Invocation, out: &mut impl Write) -> Result<(), Failure> {
    let log = open_log(invocation)?;
    log.check_sequence()?;
    for e in log.index.entries() {
        writeln!(
            out,
            "LogIndexEntry {}({}:{})",
            e.file_name, e.start_seqno, e.end_seqno
        )?;
    }
    writeln!(out)?;
    log.problems.verdict()
}
