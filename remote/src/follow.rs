//! A stream that outlives its connections. [`Follower`] reads a server's events, has
//! them decoded and visited through a [`Feed`], and when the connection drops or the
//! server restarts it connects again (waiting longer after each failed attempt) and asks
//! for the stream from a point where resuming is safe: after the last event delivered,
//! or after the last transaction that ended. Events a new stream sends again before the
//! last one delivered are decoded (the format description and table maps must come
//! from the new stream) but not delivered twice.
//!
//! Only a stream that follows the server reconnects, and only after a failure that may
//! pass (the network, a server going away or restarting: see
//! [`RemoteErrorKind::is_transient`]); the first connection, and answers the server means
//! (access denied, a purged log, an unknown GTID), end the run.

use std::fmt;
use std::time::Duration;

use replog::binlog::rows::TableMaps;
use replog::binlog::stream::{EventSite, Feed, Visit};
use replog::binlog::{ChecksumAlg, Event, EventType, ReadOptions};
use replog::txn::boundary::TransactionBoundaries;
use replog::{Error, Flow};

use crate::connection::Connection;
use crate::dump::{Dump, DumpRequest, Start};
use crate::error::{RemoteError, RemoteErrorKind};

/// How a follower reconnects after a failure that may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in a row before giving up (`None`: no limit). A stream that delivers
    /// again starts the count anew.
    pub attempts: Option<u32>,
    /// The wait before the first attempt; it doubles after each failed one, up to
    /// `max_wait`.
    pub first_wait: Duration,
    /// The longest wait between two attempts.
    pub max_wait: Duration,
}

impl Retry {
    /// The wait before attempt `attempt` (1 for the first after a failure).
    pub fn wait(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(30);
        self.first_wait
            .saturating_mul(1 << doublings)
            .min(self.max_wait)
    }
}

/// Where a new stream starts after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeFrom {
    /// After the last event delivered: each event stands on its own (a backup writes
    /// each one whole).
    Event,
    /// After the last transaction that ended, so that a new stream never starts inside
    /// one ([`TransactionBoundaries`]): the events of the unfinished one are read again
    /// (their table maps with them) and those already delivered are not delivered again.
    Transaction,
}

/// How a [`Follower`] reads.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    /// Decoding: strict or permissive, checksums verified or not.
    pub read: ReadOptions,
    /// Reconnecting after a failure that may pass, when the request follows the server
    /// (`None`: the first failure ends the run).
    pub retry: Option<Retry>,
    /// Where a new stream starts.
    pub resume_from: ResumeFrom,
}

/// What a follower has to say while it works; the library prints nothing, the caller
/// decides where it goes.
#[derive(Debug)]
pub enum Notice<'a> {
    /// The stream failed; a new connection is tried after `wait`.
    Reconnecting {
        /// The failure, with the server and where the stream was.
        error: &'a RemoteError,
        /// This attempt's number (1 for the first after the failure).
        attempt: u32,
        /// The most attempts allowed (`None`: no limit).
        limit: Option<u32>,
        /// The wait before the attempt.
        wait: Duration,
        /// Where the new stream is asked to start.
        resume: &'a str,
    },
    /// A new stream sends events again.
    Resumed {
        /// The server.
        server: &'a str,
        /// Where the stream was asked to start.
        resume: &'a str,
    },
}

impl fmt::Display for Notice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::Reconnecting {
                error,
                attempt,
                limit,
                wait,
                resume,
            } => {
                write!(
                    f,
                    "{error}; reconnecting in {} s (attempt {attempt}",
                    wait.as_secs_f64()
                )?;
                if let Some(limit) = limit {
                    write!(f, " of {limit}")?;
                }
                write!(f, ") to resume at {resume}")
            }
            Notice::Resumed { server, resume } => {
                write!(f, "{server}: reconnected, resuming at {resume}")
            }
        }
    }
}

/// What [`Follower::next`] got.
#[derive(Debug)]
pub enum Next<'a> {
    /// An event was delivered to the visitor (and those packed in it).
    Event(Received<'a>),
    /// The server has had nothing to send for a heartbeat period: a moment for work
    /// that waits on a timer (syncing what was written).
    Heartbeat,
    /// The visitor asked to stop.
    Stopped,
    /// The server ended a stream that does not follow it: everything was read.
    End,
}

/// An event delivered, as the server sent it.
#[derive(Debug)]
pub struct Received<'a> {
    /// Its bytes: header, body, checksum.
    pub bytes: &'a [u8],
    /// The server's file it belongs to.
    pub log_name: &'a str,
    /// Its offset in that file.
    pub offset: u64,
    /// Its type.
    pub event_type: EventType,
}

/// Where an event's type code sits in its common header (after the timestamp).
const EVENT_TYPE_AT: usize = 4;

/// Opens a connection to the server, authenticated (called again to reconnect).
pub type Connect<'c> = dyn FnMut() -> Result<Connection, RemoteError> + 'c;

/// A server's binlog stream read across connections (see the module documentation).
pub struct Follower<'c> {
    connect: Box<Connect<'c>>,
    request: DumpRequest,
    options: FollowOptions,
    server: String,
    feed: Feed,
    /// The current stream (after a failure that ended the run, the dead one).
    dump: Dump,
    marks: Marks,
    /// Failed reconnection attempts since a stream last sent an event.
    attempts: u32,
    /// The current stream has sent an event.
    receiving: bool,
}

impl fmt::Debug for Follower<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Follower")
            .field("server", &self.server)
            .field("request", &self.request)
            .field("feed", &self.feed)
            .finish_non_exhaustive()
    }
}

/// The points a follower keeps in the stream.
#[derive(Debug, Default)]
struct Marks {
    boundaries: TransactionBoundaries,
    /// Where a new stream starts (`None`: where the request starts).
    resume: Option<(String, u64)>,
    /// Where the last event delivered ends.
    delivered: Option<(String, u64)>,
    /// A new stream is sending events again that an earlier one delivered.
    replaying: bool,
    /// The offset and type of the event (not one packed in a payload) just delivered.
    received: Option<(u64, EventType)>,
}

/// What one packet came to.
enum Step {
    /// An event was delivered: its offset and type.
    Delivered(u64, EventType),
    Heartbeat,
    Stopped,
    End,
    /// Nothing delivered (an event the server makes up, one sent again, a failure
    /// followed by a new connection): read on.
    Nothing,
}

impl<'c> Follower<'c> {
    /// Connects with `connect` and asks for the stream `request` names. A failure here
    /// is returned as it is: reconnecting is for a stream that has been running.
    pub fn start(
        mut connect: Box<Connect<'c>>,
        request: DumpRequest,
        options: FollowOptions,
    ) -> Result<Follower<'c>, RemoteError> {
        let conn = connect()?;
        let server = conn.server.clone();
        let mut dump = Dump::start(conn, &request)?;
        dump.set_read_timeout(silence_limit(&request))?;
        Ok(Follower {
            connect,
            request,
            options,
            feed: Feed::new(options.read, ChecksumAlg::Crc32).with_origin(&server),
            server,
            dump,
            marks: Marks::default(),
            attempts: 0,
            receiving: false,
        })
    }

    /// The server, as messages name it.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Reads until an event is delivered to `visit` (with those packed in it), the
    /// visitor stops, or a stream that does not follow ends. Decoding problems go to
    /// `report` in permissive mode; reconnections are told to `notice`.
    pub fn next<E: From<Error> + From<RemoteError>>(
        &mut self,
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
        notice: &mut dyn FnMut(Notice<'_>),
    ) -> Result<Next<'_>, E> {
        let (offset, event_type) = loop {
            match self.step(visit, report, notice)? {
                Step::Nothing => {}
                Step::Heartbeat => return Ok(Next::Heartbeat),
                Step::Stopped => return Ok(Next::Stopped),
                Step::End => return Ok(Next::End),
                Step::Delivered(offset, event_type) => break (offset, event_type),
            }
        };
        Ok(Next::Event(Received {
            bytes: self.dump.event_bytes(),
            log_name: self.marks.delivered.as_ref().map_or("", |(file, _)| file),
            offset,
            event_type,
        }))
    }

    /// Reads to the end of a stream that does not follow, or until the visitor stops.
    pub fn run<E: From<Error> + From<RemoteError>>(
        &mut self,
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
        notice: &mut dyn FnMut(Notice<'_>),
    ) -> Result<Flow, E> {
        loop {
            match self.next(visit, report, notice)? {
                Next::Event(_) | Next::Heartbeat => {}
                Next::Stopped => return Ok(Flow::Stop),
                Next::End => return Ok(Flow::Continue),
            }
        }
    }

    fn step<E: From<Error> + From<RemoteError>>(
        &mut self,
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
        notice: &mut dyn FnMut(Notice<'_>),
    ) -> Result<Step, E> {
        let failure = match self.dump.next_event() {
            Ok(Some(bytes)) => {
                if !self.receiving {
                    self.receiving = true;
                    if self.attempts > 0 {
                        self.attempts = 0;
                        let resume = resume_text(&self.marks.resume);
                        notice(Notice::Resumed {
                            server: &self.server,
                            resume: &resume,
                        });
                    }
                }
                let heartbeat = bytes.get(EVENT_TYPE_AT).is_some_and(|&t| {
                    EventType(t) == EventType::HEARTBEAT || EventType(t) == EventType::HEARTBEAT_V2
                });
                let marks = &mut self.marks;
                let resume_from = self.options.resume_from;
                marks.received = None;
                let flow = self.feed.event(
                    bytes,
                    &mut |site, event, maps| marks.visit(site, event, maps, visit, resume_from),
                    report,
                )?;
                return Ok(match (flow, marks.received) {
                    (Flow::Stop, _) => Step::Stopped,
                    (Flow::Continue, Some((offset, event_type))) => {
                        Step::Delivered(offset, event_type)
                    }
                    (Flow::Continue, None) if heartbeat => Step::Heartbeat,
                    (Flow::Continue, None) => Step::Nothing,
                });
            }
            Ok(None) if !self.request.follow => return Ok(Step::End),
            Ok(None) => RemoteError::new(&self.server, RemoteErrorKind::Ended),
            Err(e) => e,
        };
        let failure = self.placed(self.named(failure));
        match self.options.retry {
            Some(retry) if self.request.follow && failure.kind.is_transient() => {
                self.reconnect(retry, failure, notice)?;
                Ok(Step::Nothing)
            }
            _ => Err(E::from(failure)),
        }
    }

    /// Connects again until a new stream starts, waiting longer after each failure,
    /// for as many attempts as `retry` allows.
    fn reconnect(
        &mut self,
        retry: Retry,
        mut failure: RemoteError,
        notice: &mut dyn FnMut(Notice<'_>),
    ) -> Result<(), RemoteError> {
        let request = self.resumed_request();
        let resume = resume_text(&self.marks.resume);
        loop {
            if retry.attempts.is_some_and(|limit| self.attempts >= limit) {
                failure.kind = RemoteErrorKind::GaveUp {
                    attempts: self.attempts,
                    last: Box::new(failure.kind),
                };
                return Err(failure);
            }
            self.attempts += 1;
            let wait = retry.wait(self.attempts);
            notice(Notice::Reconnecting {
                error: &failure,
                attempt: self.attempts,
                limit: retry.attempts,
                wait,
                resume: &resume,
            });
            std::thread::sleep(wait);
            let started = (self.connect)().and_then(|conn| {
                let mut dump = Dump::start(conn, &request)?;
                dump.set_read_timeout(silence_limit(&request))?;
                Ok(dump)
            });
            match started {
                Ok(dump) => {
                    self.dump = dump;
                    self.receiving = false;
                    self.feed.restart();
                    self.marks.replaying = self.marks.delivered.is_some();
                    return Ok(());
                }
                Err(e) if e.kind.is_transient() => failure = e.at_start(&request.start),
                Err(e) => return Err(e.at_start(&request.start)),
            }
        }
    }

    /// The request for a new stream: from the resume point once there is one.
    fn resumed_request(&self) -> DumpRequest {
        match &self.marks.resume {
            Some((file, position)) => DumpRequest {
                start: Start::Position {
                    file: file.clone(),
                    position: *position,
                },
                ..self.request.clone()
            },
            None => self.request.clone(),
        }
    }

    /// The error placed where the stream was, or where it was asked to start when it
    /// had sent nothing yet.
    fn placed(&self, e: RemoteError) -> RemoteError {
        if self.receiving {
            e.at(self.feed.log_name(), self.feed.next_position())
        } else {
            e.at_start(&self.resumed_request().start)
        }
    }

    /// A read failure said for what it is: a read that timed out is the silence
    /// [`silence_limit`] allows; a connection closed inside a packet is a closed
    /// connection (`mysql_common` reports it as "bytes remaining on stream").
    fn named(&self, mut e: RemoteError) -> RemoteError {
        if let RemoteErrorKind::Io(io) = &e.kind {
            let timed_out = matches!(
                io.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            );
            match silence_limit(&self.request) {
                Some(limit) if timed_out => e.kind = RemoteErrorKind::Silent(limit),
                _ if io.to_string() == "bytes remaining on stream" => {
                    e.kind = RemoteErrorKind::Dropped
                }
                _ => {}
            }
        }
        e
    }
}

impl Marks {
    /// Visits one event unless an earlier stream delivered it, and moves the marks.
    fn visit<E>(
        &mut self,
        site: &EventSite<'_>,
        event: &Event<'_>,
        maps: &TableMaps<'_>,
        visit: &mut Visit<'_, E>,
        resume_from: ResumeFrom,
    ) -> Result<Flow, E> {
        let between = match resume_from {
            ResumeFrom::Event => true,
            ResumeFrom::Transaction => self.boundaries.event(event),
        };
        let delivered_before = self.replaying
            && self
                .delivered
                .as_ref()
                .is_some_and(|(file, end)| file == site.log_name && site.offset < *end);
        let mut flow = Flow::Continue;
        if !delivered_before {
            self.replaying = false;
            flow = visit(site, event, maps)?;
            move_to(&mut self.delivered, site.log_name, site.next_position);
            if site.inner_offset.is_none() {
                self.received = Some((site.offset, site.event_type));
            }
        }
        if between {
            // Only forward: a format description sent again at the start of a new
            // stream lies before the point it resumes from.
            let behind = self
                .resume
                .as_ref()
                .is_some_and(|(file, at)| file == site.log_name && site.next_position <= *at);
            if !behind {
                move_to(&mut self.resume, site.log_name, site.next_position);
            }
        }
        Ok(flow)
    }
}

/// Sets a mark, reusing its file name's allocation.
fn move_to(mark: &mut Option<(String, u64)>, log_name: &str, position: u64) {
    match mark {
        Some((file, at)) => {
            if file != log_name {
                file.clear();
                file.push_str(log_name);
            }
            *at = position;
        }
        None => *mark = Some((log_name.to_string(), position)),
    }
}

/// A resume point as notices name it.
fn resume_text(resume: &Option<(String, u64)>) -> String {
    match resume {
        Some((file, position)) => format!("{file} at {position}"),
        None => "the start asked for".to_string(),
    }
}

/// How long a followed stream may stay silent before the connection is taken for dead:
/// two heartbeat periods (none when no heartbeat was asked for, or the stream ends at
/// the end of the last log).
fn silence_limit(request: &DumpRequest) -> Option<Duration> {
    (request.follow && !request.heartbeat.is_zero()).then(|| request.heartbeat * 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap() {
        let retry = Retry {
            attempts: None,
            first_wait: Duration::from_millis(500),
            max_wait: Duration::from_secs(3),
        };
        let waits: Vec<f64> = (1..=6).map(|a| retry.wait(a).as_secs_f64()).collect();
        assert_eq!(waits, [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]);
        assert_eq!(retry.wait(u32::MAX), Duration::from_secs(3));
    }

    #[test]
    fn notices_name_the_server_and_both_positions() {
        let error = RemoteError::new("mysql://repl@db1:3306", RemoteErrorKind::Dropped)
            .at("mariadb-bin.000007", 5316142);
        let told = Notice::Reconnecting {
            error: &error,
            attempt: 2,
            limit: Some(5),
            wait: Duration::from_secs(1),
            resume: "mariadb-bin.000007 at 1468",
        };
        assert_eq!(
            told.to_string(),
            "mysql://repl@db1:3306, mariadb-bin.000007 at 5316142: the server closed the \
             connection; reconnecting in 1 s (attempt 2 of 5) to resume at \
             mariadb-bin.000007 at 1468"
        );
        let told = Notice::Resumed {
            server: "mysql://repl@db1:3306",
            resume: "mariadb-bin.000007 at 1468",
        };
        assert_eq!(
            told.to_string(),
            "mysql://repl@db1:3306: reconnected, resuming at mariadb-bin.000007 at 1468"
        );
    }

    #[test]
    fn what_passes_and_what_does_not() {
        let server = |code| RemoteErrorKind::Server {
            code,
            message: String::new(),
        };
        assert!(RemoteErrorKind::Dropped.is_transient());
        assert!(RemoteErrorKind::Ended.is_transient());
        assert!(server(1053).is_transient());
        assert!(server(1927).is_transient());
        assert!(!server(1045).is_transient());
        assert!(!server(1236).is_transient());
        assert!(!RemoteErrorKind::Protocol(String::new()).is_transient());
    }
}
