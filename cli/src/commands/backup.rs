//! `thl backup -remote URL -dir OUT [-file FIRST] [-stop-never]`: a server's binary
//! logs saved byte for byte, as `mysqlbinlog --read-from-remote-server --raw` does.
//!
//! Each event is checked (framing, CRC32) by the library's [`Feed`] before it is
//! written, at the offset the server gives it; files get the server's names. The
//! in-use flag of a file's format description is handled as the server does: set while
//! the file is the one being written, cleared when its ROTATE or STOP closes it (the
//! server sends the flag cleared; the CRC32 does not cover it; a file the server left
//! by crashing keeps it set, on the server and here). Files are fsynced at each
//! rotation, at most a second apart while events arrive, at the next heartbeat when the
//! server goes idle, and at the end; a manifest
//! (`backup.manifest`: name, size, `closed` once the server has moved past it, `open`
//! for the last) is rewritten with them.
//!
//! A run continues what the directory holds: the last file is framed and checked, cut
//! after its last complete event (a run killed mid-write leaves a partial one), and
//! the stream asked for from there. With `-stop-never` a dropped connection or a
//! restarted server is followed by a new connection that resumes after the last event
//! written ([`Follower`]).
//!
//! [`Feed`]: replog::binlog::stream::Feed
//! [`Follower`]: replog_remote::Follower

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use replog::binlog::header::FLAG_BINLOG_IN_USE;
use replog::binlog::stream::sequence_of;
use replog::binlog::{EventType, Frames, ReadOptions};
use replog::input::BINLOG_MAGIC;
use replog::Flow;
use replog_remote::{Next, RemoteError, ResumeFrom};

use super::remote;
use crate::args::{BackupArgs, Invocation};
use crate::failure::{error_message, notice, Failure};

/// The manifest's name in the backup directory.
const MANIFEST: &str = "backup.manifest";
/// Offset of the format description's flags (magic, then 17 header bytes).
const FDE_FLAGS_AT: u64 = 4 + 17;
/// Longest time written events stay unsynced while the stream runs.
const SYNC_EVERY: Duration = Duration::from_secs(1);

/// Runs `thl backup`.
pub fn run(invocation: &Invocation, args: &BackupArgs) -> Result<(), Failure> {
    let Some(dir) = invocation.source.dir.clone() else {
        return Err(Failure::usage("backup needs -dir OUT"));
    };
    std::fs::create_dir_all(&dir).map_err(|e| Failure::Fatal(format!("{}: {e}", dir.display())))?;
    let mut backup = Backup::open(dir)?;
    let (file, position) = match &backup.current {
        Some(current) => (Some(current.name.clone()), current.size),
        None => (args.first.clone(), 4),
    };
    if let Some(current) = &backup.current {
        notice(format_args!(
            "INFO continuing {} at {}",
            current.name, current.size
        ));
    }
    let request = remote::request(&args.remote, file.as_deref(), position)?;
    let mut follower = remote::follower(
        &args.remote,
        request,
        ReadOptions::default(),
        ResumeFrom::Event,
    )?;
    let server = follower.server().to_string();
    let result = loop {
        let received = match follower.next(
            &mut |_, _, _| -> Result<Flow, StreamError> { Ok(Flow::Continue) },
            &mut |_| {},
            &mut remote::tell,
        ) {
            Ok(Next::Event(received)) => received,
            Ok(Next::Heartbeat) => {
                // The server is idle: what the last second wrote is synced now rather
                // than with the next event, whenever that comes.
                match backup.sync_unsynced() {
                    Ok(()) => continue,
                    Err(e) => break Err(e),
                }
            }
            Ok(Next::End | Next::Stopped) => break Ok(()),
            Err(StreamError::Remote(e)) => break Err(Failure::from(e)),
            Err(StreamError::Decoder(e)) => {
                break Err(Failure::Fatal(format!("{server}: {}", error_message(&e))))
            }
        };
        let written = backup
            .write(
                received.log_name,
                received.offset,
                received.event_type,
                received.bytes,
            )
            .and_then(|()| backup.sync_if_due());
        if let Err(e) = written {
            break Err(match e {
                Failure::Fatal(m) => Failure::Fatal(format!("{server}: {m}")),
                other => other,
            });
        }
    };
    backup.finish()?;
    result
}

/// Why the stream failed: the server's errors name the server, the decoder's do not.
enum StreamError {
    Remote(RemoteError),
    Decoder(replog::Error),
}

impl From<RemoteError> for StreamError {
    fn from(e: RemoteError) -> Self {
        StreamError::Remote(e)
    }
}

impl From<replog::Error> for StreamError {
    fn from(e: replog::Error) -> Self {
        StreamError::Decoder(e)
    }
}

/// The file being written.
struct Current {
    name: String,
    file: File,
    size: u64,
}

/// The backup directory and what is being written in it.
struct Backup {
    dir: PathBuf,
    current: Option<Current>,
    /// Every file of the backup, and whether it is closed.
    files: Vec<(String, u64, bool)>,
    last_sync: Instant,
    /// Events were written since the last sync.
    unsynced: bool,
}

impl Backup {
    /// Opens `dir`, checking and trimming its last file.
    fn open(dir: PathBuf) -> Result<Backup, Failure> {
        let mut backup = Backup {
            dir,
            current: None,
            files: Vec::new(),
            last_sync: Instant::now(),
            unsynced: false,
        };
        let has_logs = std::fs::read_dir(&backup.dir)
            .map_err(|e| Failure::Fatal(format!("{}: {e}", backup.dir.display())))?
            .filter_map(Result::ok)
            .any(|e| e.file_name() != MANIFEST);
        if !has_logs {
            return Ok(backup);
        }
        let listed = sequence_of(&[backup.dir.display().to_string()])?;
        for path in &listed {
            let name = replog::binlog::stream::log_name(path);
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            backup.files.push((name, size, true));
        }
        if let Some(last) = listed.last() {
            let (name, size, closed) = trimmed(Path::new(last))?;
            let file = OpenOptions::new()
                .append(true)
                .open(last)
                .map_err(|e| Failure::Fatal(format!("{last}: {e}")))?;
            if let Some(entry) = backup.files.last_mut() {
                *entry = (name.clone(), size, false);
            }
            backup.current = Some(Current { name, file, size });
            if closed {
                // A run stopped between writing the closing event and clearing the
                // flag: the flag is cleared now.
                backup.close_current()?;
            }
        }
        Ok(backup)
    }

    /// Writes one event the server sent for `log_name` at `offset`: appended when it is
    /// the next one, skipped when the file already holds it (the format description
    /// a resumed stream starts with), an error when events are missing before it.
    fn write(
        &mut self,
        log_name: &str,
        offset: u64,
        event_type: EventType,
        bytes: &[u8],
    ) -> Result<(), Failure> {
        if self.current.as_ref().is_none_or(|c| c.name != log_name) {
            self.enter(log_name)?;
        }
        let Some(current) = self.current.as_mut() else {
            return Ok(());
        };
        let end = offset + bytes.len() as u64;
        if end <= current.size {
            return Ok(());
        }
        if offset != current.size {
            return Err(Failure::Fatal(format!(
                "{log_name}: the server sent an event at {offset} but the backup ends at {}",
                current.size
            )));
        }
        let io = |e: std::io::Error| Failure::Fatal(format!("{log_name}: {e}"));
        if event_type == EventType::FORMAT_DESCRIPTION {
            // The file is the server's current one until its ROTATE or STOP comes.
            let mut fde = bytes.to_vec();
            fde[(FDE_FLAGS_AT - offset) as usize] |= FLAG_BINLOG_IN_USE as u8;
            current.file.write_all(&fde).map_err(io)?;
        } else {
            current.file.write_all(bytes).map_err(io)?;
        }
        current.size = end;
        self.unsynced = true;
        if let Some(entry) = self.files.last_mut() {
            entry.1 = end;
        }
        if matches!(event_type, EventType::ROTATE | EventType::STOP) {
            self.close_current()?;
        }
        Ok(())
    }

    /// Starts the file `log_name`. The server has moved past the previous one: it is
    /// `closed` in the manifest even when no ROTATE or STOP ended it (a server that
    /// crashed leaves its file so, in-use flag set, and so does the backup).
    fn enter(&mut self, log_name: &str) -> Result<(), Failure> {
        if log_name.contains('/') || log_name.is_empty() {
            return Err(Failure::Fatal(format!(
                "the server names a log '{log_name}' that is no file name"
            )));
        }
        if let Some(entry) = self.files.last_mut() {
            entry.2 = true;
        }
        self.sync()?;
        let path = self.dir.join(log_name);
        let io = |e: std::io::Error| Failure::Fatal(format!("{}: {e}", path.display()));
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        file.write_all(&BINLOG_MAGIC).map_err(io)?;
        self.files.push((log_name.to_string(), 4, false));
        self.current = Some(Current {
            name: log_name.to_string(),
            file,
            size: BINLOG_MAGIC.len() as u64,
        });
        Ok(())
    }

    /// The current file was closed by the server: its in-use flag is cleared.
    fn close_current(&mut self) -> Result<(), Failure> {
        let Some(current) = self.current.as_mut() else {
            return Ok(());
        };
        let path = self.dir.join(&current.name);
        let io = |e: std::io::Error| Failure::Fatal(format!("{}: {e}", path.display()));
        let mut flags = [0u8; 1];
        {
            use std::os::unix::fs::FileExt;
            let file = File::open(&path).map_err(io)?;
            file.read_exact_at(&mut flags, FDE_FLAGS_AT).map_err(io)?;
            let file = OpenOptions::new().write(true).open(&path).map_err(io)?;
            flags[0] &= !(FLAG_BINLOG_IN_USE as u8);
            file.write_all_at(&flags, FDE_FLAGS_AT).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        if let Some(entry) = self.files.last_mut() {
            entry.2 = true;
        }
        self.sync()
    }

    fn sync_if_due(&mut self) -> Result<(), Failure> {
        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    fn sync_unsynced(&mut self) -> Result<(), Failure> {
        if self.unsynced {
            self.sync()?;
        }
        Ok(())
    }

    /// Makes what was written durable and rewrites the manifest.
    fn sync(&mut self) -> Result<(), Failure> {
        if let Some(current) = &self.current {
            current
                .file
                .sync_all()
                .map_err(|e| Failure::Fatal(format!("{}: {e}", current.name)))?;
        }
        let mut text = String::new();
        for (name, size, closed) in &self.files {
            let state = if *closed { "closed" } else { "open" };
            text.push_str(&format!("{name}\t{size}\t{state}\n"));
        }
        let path = self.dir.join(MANIFEST);
        let temporary = self.dir.join(format!("{MANIFEST}.new"));
        let io = |e: std::io::Error| Failure::Fatal(format!("{}: {e}", path.display()));
        std::fs::write(&temporary, text).map_err(io)?;
        File::open(&temporary)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        std::fs::rename(&temporary, &path).map_err(io)?;
        self.last_sync = Instant::now();
        self.unsynced = false;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Failure> {
        self.sync()
    }
}

/// Checks the backup's last file and cuts it after its last complete, verified event.
/// Returns its name, its size and whether its last event closes it (ROTATE, STOP).
fn trimmed(path: &Path) -> Result<(String, u64, bool), Failure> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Failure::Fatal(format!("{shown}: {e}")))?;
    let mut good = BINLOG_MAGIC.len() as u64;
    let mut closed = false;
    if bytes.len() >= BINLOG_MAGIC.len() {
        for raw in Frames::new(shown.clone(), &bytes, ReadOptions::default())? {
            match raw {
                Ok(raw) => {
                    good = raw.end_offset();
                    closed = matches!(raw.event_type, EventType::ROTATE | EventType::STOP);
                }
                Err(_) => break,
            }
        }
    }
    if good < bytes.len() as u64 {
        notice(format_args!(
            "WARN {shown}: cut {} bytes after the last complete event (at {good}); they \
             are fetched again",
            bytes.len() as u64 - good
        ));
    }
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Failure::Fatal(format!("{shown}: {e}")))?;
    if bytes.len() < BINLOG_MAGIC.len() {
        (&file)
            .write_all(&BINLOG_MAGIC[..])
            .map_err(|e| Failure::Fatal(format!("{shown}: {e}")))?;
    }
    file.set_len(good)
        .map_err(|e| Failure::Fatal(format!("{shown}: {e}")))?;
    Ok((replog::binlog::stream::log_name(&shown), good, closed))
}
