//! `thl info`: a summary of the log (spec 14).

use std::io::Write;
use std::time::UNIX_EPOCH;

use replog_render::instant;
use replog_render::zone::Zone;

use super::{open_log, zone};
use crate::args::Invocation;
use crate::failure::Failure;

/// Runs `thl info`.
pub fn run(invocation: &Invocation, out: &mut impl Write) -> Result<(), Failure> {
    let log = open_log(invocation)?;
    log.check_sequence()?;
    let zone = zone(invocation);
    let index = &log.index;
    let total: u64 = log
        .dir
        .file_names()
        .iter()
        .filter_map(|name| std::fs::metadata(log.file_path(name)).ok())
        .map(|m| m.len())
        .sum();
    let (min, max) = (index.min_seqno(), index.max_seqno());
    // Tungsten's count (spec 14, quirk 5): max - min, one short of the number of seqnos
    // the log covers, kept so that scripts reading it get the same number.
    let events = max.saturating_sub(min);
    writeln!(out, "log directory = {}", log.dir_display())?;
    writeln!(out, "log files = {}", index.entries().len())?;
    writeln!(out, "logs size = {} MB", megabytes(total))?;
    writeln!(out, "min seq# = {min}")?;
    writeln!(out, "max seq# = {max}")?;
    writeln!(out, "events = {events}")?;
    let entries = index.entries();
    let describe = |name: Option<&str>| {
        name.map(|n| file_info(&log, n, &zone))
            .unwrap_or_else(|| "?".into())
    };
    writeln!(
        out,
        "oldest file = {}",
        describe(entries.first().map(|e| e.file_name.as_str()))
    )?;
    writeln!(
        out,
        "newest file = {}",
        describe(entries.last().map(|e| e.file_name.as_str()))
    )?;
    log.problems.verdict()
}

/// `name (0.01 MB, yyyy-MM-dd HH:mm:ss)`, or `?` when the file is gone.
fn file_info(log: &super::Log, name: &str, zone: &Zone) -> String {
    let Ok(meta) = std::fs::metadata(log.file_path(name)) else {
        return "?".into();
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0);
    format!(
        "{name} ({} MB, {})",
        megabytes(meta.len()),
        instant::datetime(modified, 0, zone).0
    )
}

/// Bytes in MiB with two decimals, rounded half up (Java's `%.2f`).
fn megabytes(bytes: u64) -> String {
    let hundredths = (u128::from(bytes) * 100 + 524_288) / 1_048_576;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::megabytes;

    #[test]
    fn megabytes_round_half_up() {
        assert_eq!(megabytes(9217), "0.01");
        assert_eq!(megabytes(0), "0.00");
        assert_eq!(megabytes(131_072), "0.13");
        assert_eq!(megabytes(1_048_576 * 3 / 2), "1.50");
    }
}
