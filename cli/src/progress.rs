//! Progress of a long read, drawn on stderr while a command that prints only at its end
//! (`extract`, `stats`, `shards`, `channels`, `parallel`) works through a large log.
//!
//! Drawn only when stderr is a terminal, so that a redirected or piped stderr (a log
//! file, a test harness) never gets it; and never by the commands that stream to
//! stdout (`list`, `events`), whose output would interleave with it on a terminal or
//! under `less`. The line is redrawn in place at most a few times a second, wiped before
//! any notice is written ([`clear_line`]) and when the read ends.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use replog::txn::event_id::EventId;
use replog::txn::Transaction;

/// Whether a progress line is on the screen (a notice must wipe it first).
static LINE_SHOWN: AtomicBool = AtomicBool::new(false);

/// How often the line is redrawn: often enough to look alive, rarely enough to cost
/// nothing.
const REDRAW_EVERY: Duration = Duration::from_millis(250);

/// Wipes the progress line, if one is shown, so that what follows starts a clean line.
pub fn clear_line(stderr: &mut impl Write) {
    if LINE_SHOWN.swap(false, Ordering::Relaxed) {
        let _ = stderr.write_all(b"\r\x1b[K");
    }
}

/// How far a read through a sequence of files has come.
#[derive(Debug)]
pub struct Progress {
    /// Each file's name (as a log names it: the base name) and the bytes of the files
    /// before it.
    files: Vec<(String, u64)>,
    total: u64,
    started: Instant,
    next_redraw: Instant,
    /// Drawing: stderr is a terminal.
    drawing: bool,
}

impl Progress {
    /// Progress through `paths` read in order; drawn only when stderr is a terminal.
    pub fn over<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Progress {
        let drawing = io::stderr().is_terminal();
        let mut files = Vec::new();
        let mut total = 0;
        if drawing {
            for path in paths {
                let path = path.as_ref();
                files.push((base_name(path), total));
                total += std::fs::metadata(path).map_or(0, |m| m.len());
            }
        }
        let now = Instant::now();
        Progress {
            files,
            total,
            started: now,
            // The first position is drawn at once: a short run shows its line too.
            next_redraw: now,
            drawing,
        }
    }

    /// Notes that the read has reached `offset` in the file named `file` (a path or a
    /// base name).
    pub fn at(&mut self, file: &str, offset: u64) {
        let Some(now) = self.redraw_due() else {
            return;
        };
        let name = base_name(Path::new(file));
        self.next_redraw = now + REDRAW_EVERY;
        let Some((_, before)) = self.files.iter().find(|(n, _)| *n == name) else {
            return;
        };
        let line = self.line(&name, before + offset, now - self.started);
        let mut stderr = io::stderr().lock();
        let _ = stderr.write_all(line.as_bytes());
        let _ = stderr.flush();
        LINE_SHOWN.store(true, Ordering::Relaxed);
    }

    /// Notes the position a transaction ends at: its last fragment's place in a THL
    /// file, or, for a transaction extracted from a binary log, its eventId.
    pub fn after(&mut self, txn: &Transaction<'_>) {
        if self.redraw_due().is_none() {
            return;
        }
        let Some(last) = txn.fragments.last() else {
            return;
        };
        if !last.file.is_empty() {
            self.at(last.file, last.offset + u64::from(last.length));
        } else if let Some(header) = txn.last() {
            self.at_event_id(header.event_id.text());
        }
    }

    /// Notes the position an eventId names (`mysql-bin.000042:0000000000000415;52254`).
    pub fn at_event_id(&mut self, event_id: &str) {
        // Checked before the eventId is parsed: most calls draw nothing.
        if self.redraw_due().is_none() {
            return;
        }
        if let Some(id) = EventId::parse(event_id) {
            self.at(&id.file, id.position);
        }
    }

    /// The time now, when the line is to be drawn (stderr is a terminal and the last
    /// drawing is old enough); `at` then takes the next slot.
    fn redraw_due(&self) -> Option<Instant> {
        if !self.drawing {
            return None;
        }
        let now = Instant::now();
        (now >= self.next_redraw).then_some(now)
    }

    /// The text drawn: how far, in percent and megabytes, where, and how fast.
    fn line(&self, file: &str, done: u64, elapsed: Duration) -> String {
        let percent = if self.total == 0 {
            100.0
        } else {
            done as f64 * 100.0 / self.total as f64
        };
        let seconds = elapsed.as_secs_f64().max(0.001);
        format!(
            "\r{percent:5.1}%  {} of {} MB  {} MB/s  {file}\x1b[K",
            megabytes(done as f64),
            megabytes(self.total as f64),
            megabytes(done as f64 / seconds),
        )
    }
}

/// Decimal megabytes, with a tenth where the whole number would say little.
fn megabytes(bytes: f64) -> String {
    let mb = bytes / 1e6;
    if mb < 100.0 {
        format!("{mb:.1}")
    } else {
        format!("{mb:.0}")
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.drawing {
            clear_line(&mut io::stderr().lock());
        }
    }
}

fn base_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(files: &[(&str, u64)], total: u64) -> Progress {
        let now = Instant::now();
        Progress {
            files: files.iter().map(|(n, b)| (n.to_string(), *b)).collect(),
            total,
            started: now,
            next_redraw: now,
            drawing: true,
        }
    }

    #[test]
    fn the_line_counts_the_files_before() {
        let p = progress(
            &[("mysql-bin.000001", 0), ("mysql-bin.000002", 600_000_000)],
            1_000_000_000,
        );
        let line = p.line(
            "mysql-bin.000002",
            600_000_000 + 150_000_000,
            Duration::from_secs(5),
        );
        assert_eq!(
            line,
            "\r 75.0%  750 of 1000 MB  150 MB/s  mysql-bin.000002\x1b[K"
        );
    }

    #[test]
    fn an_empty_log_is_done() {
        let p = progress(&[("thl.data.0000000001", 0)], 0);
        assert!(p
            .line("thl.data.0000000001", 0, Duration::ZERO)
            .starts_with("\r100.0%"));
    }

    #[test]
    fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
        // The test harness captures stderr: not a terminal.
        let mut p = Progress::over(["Cargo.toml"]);
        assert!(!p.drawing);
        assert!(p.files.is_empty(), "sizes are not even looked up");
        p.at("Cargo.toml", 10);
        p.at_event_id("mysql-bin.000001:0000000000000415;1");
        assert!(!LINE_SHOWN.load(Ordering::Relaxed));
    }
}
