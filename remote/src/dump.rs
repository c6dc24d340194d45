//! Asking for the binlog stream and reading it one event per packet.

use std::time::Duration;

use mysql_common::packets::{BinlogDumpFlags, ComBinlogDump, ComRegisterSlave};
use mysql_common::proto::MySerialize;

use crate::connection::Connection;
use crate::error::{RemoteError, RemoteErrorKind};

/// Where the stream starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A file and position (`file` empty: the server's first log).
    Position {
        /// The server's log name (`mariadb-bin.000003`), or empty.
        file: String,
        /// Offset in it (4: its beginning).
        position: u64,
    },
    /// A MariaDB GTID position (`0-1-100,1-1-7`): the stream starts after it.
    MariaDbGtid(String),
}

/// What to ask the server for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpRequest {
    /// This replica's server id (must differ from every other replica's: a server drops
    /// the older connection of a duplicate id).
    pub server_id: u32,
    /// Where to start.
    pub start: Start,
    /// Keep waiting for new events at the end of the last log (else the server ends
    /// the stream there).
    pub follow: bool,
    /// Heartbeat period while following (zero: none): the server sends a heartbeat
    /// when it has had nothing to send for this long, so an idle stream does not look
    /// dead (MySQL's `MASTER_HEARTBEAT_PERIOD`).
    pub heartbeat: Duration,
}

/// MariaDB's `BINLOG_SEND_ANNOTATE_ROWS_EVENT`: without it the server leaves the
/// ANNOTATE_ROWS events out of the stream, and the stream would differ from the file.
/// MySQL gives the bit another meaning (`BINLOG_THROUGH_POSITION`, GTID requests only),
/// so a position request is unaffected there.
const SEND_ANNOTATE_ROWS: u16 = 0x02;
/// `MARIA_SLAVE_CAPABILITY_GTID`: the replica understands every MariaDB event as the
/// server writes it (GTID, GTID list, checkpoint), so none is rewritten or left out.
const MARIADB_CAPABILITY_GTID: u8 = 4;
/// A packet holding an event starts with this byte.
const EVENT: u8 = 0x00;
/// End of the stream (`EOF` packet, shorter than any event packet).
const END: u8 = 0xFE;
const ERR: u8 = 0xFF;

/// An open binlog stream.
#[derive(Debug)]
pub struct Dump {
    conn: Connection,
    packet: Vec<u8>,
}

impl Dump {
    /// Announces what this replica understands, registers it and asks for the stream.
    pub fn start(mut conn: Connection, request: &DumpRequest) -> Result<Dump, RemoteError> {
        // Checksums are announced under both names (MySQL 8.0.26 renamed the variable;
        // MariaDB reads the old one); events then arrive with the CRC32 the file has.
        conn.execute("SET @master_binlog_checksum = 'CRC32', @source_binlog_checksum = 'CRC32'")?;
        conn.execute(&format!(
            "SET @mariadb_slave_capability = {MARIADB_CAPABILITY_GTID}"
        ))?;
        if request.follow && !request.heartbeat.is_zero() {
            let nanos = request.heartbeat.as_nanos();
            conn.execute(&format!(
                "SET @master_heartbeat_period = {nanos}, @source_heartbeat_period = {nanos}"
            ))?;
        }
        let (file, position) = match &request.start {
            Start::Position { file, position } => (file.clone(), *position),
            Start::MariaDbGtid(gtids) => {
                if !gtids
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b',')
                {
                    return Err(conn.error(RemoteErrorKind::Protocol(format!(
                        "'{gtids}' is not a MariaDB GTID position (D-S-N[,D-S-N...])"
                    ))));
                }
                conn.execute(&format!("SET @slave_connect_state = '{gtids}'"))?;
                conn.execute("SET @slave_gtid_strict_mode = 0, @slave_gtid_ignore_duplicates = 0")?;
                (String::new(), 4)
            }
        };
        let mut out = Vec::new();
        ComRegisterSlave::new(request.server_id).serialize(&mut out);
        conn.command(&out)?;
        let mut reply = Vec::new();
        if !conn.read_packet(&mut reply)? {
            return Err(conn.error(RemoteErrorKind::Dropped));
        }
        if reply.first() == Some(&ERR) {
            return Err(conn.server_error(&reply));
        }
        let mut flags = BinlogDumpFlags::from_bits_retain(SEND_ANNOTATE_ROWS);
        if !request.follow {
            flags |= BinlogDumpFlags::BINLOG_DUMP_NON_BLOCK;
        }
        let position = u32::try_from(position).map_err(|_| {
            conn.error(RemoteErrorKind::Protocol(format!(
                "position {position} is past what COM_BINLOG_DUMP can ask for"
            )))
        })?;
        out.clear();
        ComBinlogDump::new(request.server_id)
            .with_pos(position)
            .with_flags(flags)
            .with_filename(file.into_bytes())
            .serialize(&mut out);
        conn.command(&out)?;
        Ok(Dump {
            conn,
            packet: Vec::new(),
        })
    }

    /// The next event's bytes (header, body, checksum), or `None` at the end of a
    /// stream that does not follow. A connection closed by the server is an error.
    pub fn next_event(&mut self) -> Result<Option<&[u8]>, RemoteError> {
        if !self.conn.read_packet(&mut self.packet)? {
            return Err(self.conn.error(RemoteErrorKind::Dropped));
        }
        match self.packet.first() {
            Some(&EVENT) => Ok(Some(&self.packet[1..])),
            Some(&END) if self.packet.len() < 9 => Ok(None),
            Some(&ERR) => Err(self.conn.server_error(&self.packet)),
            _ => Err(self.conn.error(RemoteErrorKind::Protocol(
                "a packet that is neither an event, the end nor an error".into(),
            ))),
        }
    }

    /// The server, as messages name it.
    pub fn server(&self) -> &str {
        &self.conn.server
    }

    /// The bytes of the event [`Dump::next_event`] returned last.
    pub(crate) fn event_bytes(&self) -> &[u8] {
        self.packet.get(1..).unwrap_or_default()
    }

    /// Makes a read that waits longer than `timeout` fail (`None`: wait for ever).
    pub(crate) fn set_read_timeout(
        &mut self,
        timeout: Option<Duration>,
    ) -> Result<(), RemoteError> {
        self.conn.set_read_timeout(timeout)
    }
}
