//! What the commands that read from a server share (`events`, `backup`, `extract` with
//! `-remote`): the password (never from argv), the connection and the request.

use std::io::{BufRead, Write};

use replog_remote::{Address, Connection, DumpRequest, RemoteError, Start};

use crate::args::RemoteArgs;
use crate::failure::Failure;

/// The environment variable the MySQL clients read a password from.
const PASSWORD_VAR: &str = "MYSQL_PWD";

/// Seconds between the server's heartbeats while following: an idle stream stays
/// distinguishable from a dead connection.
const HEARTBEAT_SECONDS: u32 = 30;

impl From<RemoteError> for Failure {
    fn from(err: RemoteError) -> Self {
        Failure::Fatal(err.to_string())
    }
}

/// Connects to the server `remote` names. The password comes from `-password-file`
/// (its first line), else `MYSQL_PWD`, else a prompt on the terminal (none when there
/// is no terminal).
pub fn connect(remote: &RemoteArgs) -> Result<Connection, Failure> {
    let address =
        Address::parse(&remote.url).map_err(|m| Failure::usage(format!("-remote {m}")))?;
    let password = password(remote, &address)?;
    Ok(Connection::connect(&address, &password)?)
}

fn password(remote: &RemoteArgs, address: &Address) -> Result<String, Failure> {
    if let Some(path) = &remote.password_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Fatal(format!("-password-file {}: {e}", path.display())))?;
        return Ok(text.lines().next().unwrap_or_default().to_string());
    }
    if let Some(password) = std::env::var_os(PASSWORD_VAR) {
        return Ok(password.to_string_lossy().into_owned());
    }
    prompt(&format!("Password for {address}: "))
}

/// Reads a line from the terminal with echo off; empty when there is no terminal.
fn prompt(question: &str) -> Result<String, Failure> {
    use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
    let Ok(tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    else {
        return Ok(String::new());
    };
    let Ok(saved) = tcgetattr(&tty) else {
        return Ok(String::new());
    };
    let mut silent = saved.clone();
    silent.local_modes.remove(LocalModes::ECHO);
    let io = |e: std::io::Error| Failure::Fatal(format!("password prompt: {e}"));
    (&tty).write_all(question.as_bytes()).map_err(io)?;
    tcsetattr(&tty, OptionalActions::Flush, &silent).map_err(|e| io(std::io::Error::from(e)))?;
    let mut line = String::new();
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    let _ = tcsetattr(&tty, OptionalActions::Flush, &saved);
    let _ = (&tty).write_all(b"\n");
    read.map_err(io)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// The request: from `-start-gtid` (a MariaDB GTID position or a MySQL GTID set, told
/// apart by their syntax), or from `file` (empty: the server's first log) at `position`.
pub fn request(
    remote: &RemoteArgs,
    file: Option<&str>,
    position: u64,
) -> Result<DumpRequest, Failure> {
    let start = match &remote.start_gtid {
        Some(gtid) => Start::gtid(gtid).map_err(|m| Failure::usage(format!("-start-gtid {m}")))?,
        None => Start::Position {
            file: file.unwrap_or_default().to_string(),
            position,
        },
    };
    Ok(DumpRequest {
        server_id: server_id(),
        start,
        follow: remote.stop_never,
        heartbeat_seconds: HEARTBEAT_SECONDS,
    })
}

/// A server id unlikely to be any replica's: a server drops the older connection of
/// two with the same id, so two `thl` runs (or a real replica) must not share one.
fn server_id() -> u32 {
    0x7000_0000 | (std::process::id() & 0x00ff_ffff)
}

/// `events -remote`: the server's events from `-file` (default: its first log) at
/// `-start-position` (default 4), through the visitor `thl events` prints files with.
pub(super) fn events(
    remote: &RemoteArgs,
    args: &crate::args::EventsArgs,
    read: replog::binlog::ReadOptions,
    visit: &mut replog::binlog::stream::Visit<'_, super::events::Hinted>,
    report: &mut dyn FnMut(replog::Error),
) -> Result<(), super::events::Hinted> {
    let file = match &args.files[..] {
        [] => None,
        [one] => Some(one.as_str()),
        _ => {
            return Err(super::events::Hinted(Failure::usage(
                "events -remote takes one -file: the server's log to start from",
            )))
        }
    };
    if args.stop_position.is_some() {
        return Err(super::events::Hinted(Failure::usage(
            "-stop-position is not supported with -remote (use -stop-datetime)",
        )));
    }
    let conn = connect(remote).map_err(super::events::Hinted)?;
    let request =
        request(remote, file, args.start_position.unwrap_or(4)).map_err(super::events::Hinted)?;
    replog_remote::follow(conn, &request, read, visit, report)?;
    Ok(())
}

/// `extract -remote`: the server's transactions through the same [`Extractor`] as
/// offline extraction, each fragment appended to `writer` as it completes and synced
/// when its transaction ends. A new log starts at `-file` (default: the server's first
/// log); a continued one right after its last eventId. Returns the transactions
/// written and their first and last seqnos.
///
/// [`Extractor`]: replog::txn::extract::Extractor
pub(super) fn extract(
    remote: &RemoteArgs,
    args: &crate::args::ExtractArgs,
    resume: Option<replog::txn::binlog::Resume>,
    options: replog::txn::extract::ExtractOptions,
    writer: &mut replog::thl::writer::LogWriter,
    problems: &super::Problems,
) -> Result<(u64, Option<(i64, i64)>), Failure> {
    let (file, position) = match &resume {
        Some(resume) if !resume.after.file.contains('.') => {
            return Err(Failure::Fatal(format!(
                "the log's last eventId names file '{}' without its base name: the server's \
                 log cannot be asked for by it",
                resume.after.file
            )))
        }
        Some(resume) => (Some(resume.after.file.clone()), resume.after.position),
        None => match &args.files[..] {
            [] => (None, 4),
            [one] => (Some(one.clone()), 4),
            _ => {
                return Err(Failure::usage(
                    "extract -remote takes one -file: the server's log to start from",
                ))
            }
        },
    };
    let conn = connect(remote)?;
    let request = request(remote, file.as_deref(), position)?;
    let mut extractor = replog::txn::extract::Extractor::new(options);
    let mut transactions = 0u64;
    let mut seqnos: Option<(i64, i64)> = None;
    let read = replog::binlog::ReadOptions::default().mode(if problems.permissive() {
        replog::binlog::ParseMode::Permissive
    } else {
        replog::binlog::ParseMode::Strict
    });
    replog_remote::follow(
        conn,
        &request,
        read,
        &mut |site, event, maps| -> Result<replog::Flow, Failure> {
            let Some(fragment) = extractor.event(site, event, maps, &mut |e| problems.hear(e))?
            else {
                return Ok(replog::Flow::Continue);
            };
            writer.append_data(fragment.seqno, fragment.fragno, &fragment.record.data)?;
            if fragment.last_frag {
                transactions += 1;
                writer.sync()?;
            }
            let first = seqnos.map_or(fragment.seqno, |(first, _)| first);
            seqnos = Some((first, fragment.seqno));
            Ok(replog::Flow::Continue)
        },
        &mut |e| problems.hear(e),
    )?;
    Ok((transactions, seqnos))
}
