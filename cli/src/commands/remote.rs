//! What the commands that read from a server share (`events`, `backup`, `extract` with
//! `-remote`): the password (never from argv), the connection, the request, and how
//! a followed stream reconnects (`-retry`, `-retry-max-seconds`), with each attempt
//! said on stderr.

use std::io::{BufRead, Write};
use std::time::Duration;

use replog_remote::{
    Address, Connect, Connection, DumpRequest, FollowOptions, Follower, Notice, RemoteError,
    ResumeFrom, Retry, Start,
};

use crate::args::RemoteArgs;
use crate::failure::{notice, Failure};

/// The environment variable the MySQL clients read a password from.
const PASSWORD_VAR: &str = "MYSQL_PWD";

/// The wait before the first reconnection attempt (it doubles after each failed one):
/// a server restarting is back within seconds, a dead network is not tried in a loop.
const FIRST_RETRY_WAIT: Duration = Duration::from_millis(500);

impl From<RemoteError> for Failure {
    fn from(err: RemoteError) -> Self {
        Failure::Fatal(err.to_string())
    }
}

/// How to connect to the server `remote` names, as often as needed. The password is
/// read once, from `-password-file` (its first line), else `MYSQL_PWD`, else a prompt
/// on the terminal (none when there is no terminal).
pub fn connector(remote: &RemoteArgs) -> Result<Box<Connect<'static>>, Failure> {
    let address =
        Address::parse(&remote.url).map_err(|m| Failure::usage(format!("-remote {m}")))?;
    let password = password(remote, &address)?;
    Ok(Box::new(move || Connection::connect(&address, &password)))
}

/// Connects and asks for the stream: events decoded with `read`, and with
/// `-stop-never` a new connection after a drop (unless `-retry 0`), resuming as
/// `resume_from` says.
pub fn follower(
    remote: &RemoteArgs,
    request: DumpRequest,
    read: replog::binlog::ReadOptions,
    resume_from: ResumeFrom,
) -> Result<Follower<'static>, Failure> {
    let retry = (remote.stop_never && remote.retry != Some(0)).then(|| Retry {
        attempts: remote.retry,
        first_wait: FIRST_RETRY_WAIT.min(remote.retry_max_wait),
        max_wait: remote.retry_max_wait,
    });
    let options = FollowOptions {
        read,
        retry,
        resume_from,
    };
    Ok(Follower::start(connector(remote)?, request, options)?)
}

/// Says on stderr what a follower reports: each reconnection attempt, and the stream
/// running again.
pub fn tell(told: Notice<'_>) {
    match told {
        Notice::Reconnecting { .. } => notice(format_args!("WARN {told}")),
        Notice::Resumed { .. } => notice(format_args!("INFO {told}")),
    }
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
        heartbeat: remote.heartbeat,
    })
}

/// A server id unlikely to be any replica's: a server drops the older connection of
/// two with the same id, so two `thl` runs (or a real replica) must not share one.
fn server_id() -> u32 {
    0x7000_0000 | (std::process::id() & 0x00ff_ffff)
}

/// `events -remote`: the server's events from `-file` (default: its first log) at
/// `-start-position` (default 4), through the visitor `thl events` prints files with.
/// `-stop-position` applies to the log the stream starts in: the first event at or past
/// it, or the first of another log, ends the run. After a reconnection the stream
/// resumes after the last transaction printed, so none is printed twice or lost.
pub(super) fn events(
    remote: &RemoteArgs,
    args: &crate::args::EventsArgs,
    read: replog::binlog::ReadOptions,
    visit: &mut replog::binlog::stream::Visit<'_, super::events::Hinted>,
    report: &mut dyn FnMut(replog::Error),
) -> Result<(), super::events::Hinted> {
    use super::events::Hinted;
    let file = match &args.files[..] {
        [] => None,
        [one] => Some(one.as_str()),
        _ => {
            return Err(Hinted(Failure::usage(
                "events -remote takes one -file: the server's log to start from",
            )))
        }
    };
    let request = request(remote, file, args.start_position.unwrap_or(4)).map_err(Hinted)?;
    let mut follower = follower(remote, request, read, ResumeFrom::Transaction).map_err(Hinted)?;
    match args.stop_position {
        None => follower.run(visit, report, &mut tell)?,
        Some(stop) => {
            // The log the stream starts in is named by the server's first ROTATE.
            let mut first_log: Option<String> = None;
            let mut until_stop = |site: &replog::binlog::stream::EventSite<'_>,
                                  event: &replog::binlog::Event<'_>,
                                  maps: &replog::binlog::rows::TableMaps<'_>|
             -> Result<replog::Flow, Hinted> {
                let first = first_log.get_or_insert_with(|| site.log_name.to_string());
                if site.log_name != first || site.offset >= stop {
                    return Ok(replog::Flow::Stop);
                }
                visit(site, event, maps)
            };
            follower.run(&mut until_stop, report, &mut tell)?
        }
    };
    Ok(())
}

/// `extract -remote`: the server's transactions through the same [`Extractor`] as
/// offline extraction, each fragment appended to `writer` as it completes and synced
/// when its transaction ends. A new log starts at `-file` (default: the server's first
/// log); a continued one right after its last eventId. After a reconnection the stream
/// resumes after the last transaction extracted. Returns the transactions written and
/// their first and last seqnos.
///
/// [`Extractor`]: replog::txn::extract::Extractor
pub(super) fn extract(
    remote: &RemoteArgs,
    args: &crate::args::ExtractArgs,
    resume: Option<replog::txn::binlog::Resume>,
    options: replog::txn::extract::ExtractOptions,
    writer: &mut super::extract::Destination,
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
    let read = replog::binlog::ReadOptions::default().mode(if problems.permissive() {
        replog::binlog::ParseMode::Permissive
    } else {
        replog::binlog::ParseMode::Strict
    });
    let request = request(remote, file.as_deref(), position)?;
    let mut follower = follower(remote, request, read, ResumeFrom::Transaction)?;
    let mut extractor = replog::txn::extract::Extractor::new(options);
    let mut transactions = 0u64;
    let mut seqnos: Option<(i64, i64)> = None;
    follower.run(
        &mut |site, event, maps| -> Result<replog::Flow, Failure> {
            let Some(fragment) = extractor.event(site, event, maps, &mut |e| problems.hear(e))?
            else {
                return Ok(replog::Flow::Continue);
            };
            let writer = writer.get()?;
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
        &mut tell,
    )?;
    Ok((transactions, seqnos))
}
