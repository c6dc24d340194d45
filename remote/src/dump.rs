//! Asking for the binlog stream and reading it one event per packet.

use std::str::FromStr;
use std::time::Duration;

use mysql_common::packets::{
    BinlogDumpFlags, ComBinlogDump, ComBinlogDumpGtid, ComRegisterSlave, Sid,
};
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
    /// A MySQL GTID set (`3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,…`): the stream
    /// holds the transactions not in it.
    MySqlGtidSet(String),
}

impl Start {
    /// The start `-start-gtid TEXT` names, by its syntax: a MySQL GTID set has a `:`
    /// after each server's uuid (`uuid:1-5`), a MariaDB position is
    /// `domain-server-sequence` triples.
    pub fn gtid(text: &str) -> Result<Start, String> {
        if text.contains(':') {
            mysql_gtid_set(text)?;
            Ok(Start::MySqlGtidSet(text.to_string()))
        } else if is_mariadb_position(text) {
            Ok(Start::MariaDbGtid(text.to_string()))
        } else {
            Err(format!(
                "'{text}' is neither a MariaDB GTID position (domain-server-sequence[,...]) \
                 nor a MySQL GTID set (uuid:interval[:interval...][,...])"
            ))
        }
    }
}

/// Whether `text` is `D-S-N[,D-S-N…]` (numbers only: it is put in a statement).
fn is_mariadb_position(text: &str) -> bool {
    text.split(',').all(|gtid| {
        let parts: Vec<&str> = gtid.split('-').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The servers' uuids and intervals of a MySQL GTID set, as `COM_BINLOG_DUMP_GTID`
/// carries them. Whitespace around each server's part is allowed: MySQL prints
/// `@@gtid_executed` with a line break after each comma.
fn mysql_gtid_set(text: &str) -> Result<Vec<Sid<'static>>, String> {
    text.split(',')
        .map(|part| {
            Sid::from_str(part.trim()).map_err(|e| {
                format!("'{text}' is not a MySQL GTID set (uuid:interval[:interval...][,...]): {e}")
            })
        })
        .collect()
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

/// The command that asks for the stream `request` names: `COM_BINLOG_DUMP` by file and
/// position (a MariaDB GTID start was set in `@slave_connect_state` before, and asks for
/// no file), `COM_BINLOG_DUMP_GTID` with a MySQL GTID set.
fn dump_command(request: &DumpRequest, out: &mut Vec<u8>) -> Result<(), String> {
    let mut flags = BinlogDumpFlags::empty();
    if !request.follow {
        flags |= BinlogDumpFlags::BINLOG_DUMP_NON_BLOCK;
    }
    let (file, position) = match &request.start {
        Start::Position { file, position } => (file.as_str(), *position),
        Start::MariaDbGtid(_) => ("", FIRST_EVENT),
        Start::MySqlGtidSet(set) => {
            // No ANNOTATE_ROWS bit here: MySQL reads 0x02 as BINLOG_THROUGH_POSITION.
            // mysql_common sets BINLOG_THROUGH_GTID, which says the set follows.
            ComBinlogDumpGtid::new(request.server_id)
                .with_pos(FIRST_EVENT)
                .with_sids(mysql_gtid_set(set)?)
                .with_flags(flags)
                .serialize(out);
            return Ok(());
        }
    };
    let position = u32::try_from(position)
        .map_err(|_| format!("position {position} is past what COM_BINLOG_DUMP can ask for"))?;
    ComBinlogDump::new(request.server_id)
        .with_pos(position)
        .with_flags(flags | BinlogDumpFlags::from_bits_retain(SEND_ANNOTATE_ROWS))
        .with_filename(file.as_bytes())
        .serialize(out);
    Ok(())
}

/// Where a log's first event starts (after its 4-byte magic): where a GTID request
/// names no file, the position is this.
const FIRST_EVENT: u64 = 4;

/// An open binlog stream.
#[derive(Debug)]
pub struct Dump {
    conn: Connection,
    packet: Vec<u8>,
}

impl Dump {
    /// Announces what this replica understands, registers it and asks for the stream.
    /// Errors are placed at the start asked for.
    pub fn start(conn: Connection, request: &DumpRequest) -> Result<Dump, RemoteError> {
        Dump::ask(conn, request).map_err(|e| e.at_start(&request.start))
    }

    fn ask(mut conn: Connection, request: &DumpRequest) -> Result<Dump, RemoteError> {
        let gtid_of_mariadb = match &request.start {
            Start::MariaDbGtid(gtid) => Some((gtid, true)),
            Start::MySqlGtidSet(set) => Some((set, false)),
            Start::Position { .. } => None,
        };
        if let Some((gtid, of_mariadb)) = gtid_of_mariadb {
            if of_mariadb != conn.is_mariadb() {
                return Err(conn.error(RemoteErrorKind::GtidFlavour {
                    gtid: gtid.clone(),
                    server_is_mariadb: conn.is_mariadb(),
                    server_version: conn.server_version().to_string(),
                }));
            }
        }
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
        if let Start::MariaDbGtid(gtids) = &request.start {
            if !is_mariadb_position(gtids) {
                return Err(conn.error(RemoteErrorKind::Protocol(format!(
                    "'{gtids}' is not a MariaDB GTID position (D-S-N[,D-S-N...])"
                ))));
            }
            conn.execute(&format!("SET @slave_connect_state = '{gtids}'"))?;
            conn.execute("SET @slave_gtid_strict_mode = 0, @slave_gtid_ignore_duplicates = 0")?;
        }
        let mut out = Vec::new();
        ComRegisterSlave::new(request.server_id).serialize(&mut out);
        conn.command(&out)?;
        let mut reply = Vec::new();
        if !conn.read_packet(&mut reply)? {
            return Err(conn.error(RemoteErrorKind::Dropped));
        }
        if reply.first() == Some(&ERR) {
            let refusal = conn.server_error(&reply);
            return Err(match refusal.kind {
                RemoteErrorKind::Server { code, message } => {
                    conn.error(RemoteErrorKind::Register { code, message })
                }
                _ => refusal,
            });
        }
        out.clear();
        dump_command(request, &mut out)
            .map_err(|what| conn.error(RemoteErrorKind::Protocol(what)))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(start: Start, follow: bool) -> DumpRequest {
        DumpRequest {
            server_id: 0x0102_0304,
            start,
            follow,
            heartbeat: Duration::ZERO,
        }
    }

    #[test]
    fn start_gtid_is_told_apart_by_its_syntax() {
        assert_eq!(
            Start::gtid("0-1-100,1-2-7"),
            Ok(Start::MariaDbGtid("0-1-100,1-2-7".into()))
        );
        let set = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,\n\
                   4e11fa47-71ca-11e1-9e33-c80aa9429562:1-3";
        assert_eq!(Start::gtid(set), Ok(Start::MySqlGtidSet(set.into())));
        assert_eq!(
            Start::gtid("0-1"),
            Err(
                "'0-1' is neither a MariaDB GTID position (domain-server-sequence[,...]) nor \
                 a MySQL GTID set (uuid:interval[:interval...][,...])"
                    .into()
            )
        );
        assert_eq!(
            Start::gtid("0-1-1'; DROP"),
            Err("'0-1-1'; DROP' is neither a MariaDB GTID position \
                 (domain-server-sequence[,...]) nor a MySQL GTID set \
                 (uuid:interval[:interval...][,...])"
                .into())
        );
        let bad = Start::gtid("3e11fa47-71ca-11e1-9e33-c80aa9429562:5-x").unwrap_err();
        assert!(
            bad.starts_with(
                "'3e11fa47-71ca-11e1-9e33-c80aa9429562:5-x' is not a MySQL GTID set \
                 (uuid:interval[:interval...][,...]): "
            ),
            "{bad}"
        );
    }

    /// COM_BINLOG_DUMP_GTID as MySQL's protocol documentation lays it out, built by hand
    /// field by field: `[0x1e]`, flags (2), server id (4), file name length (4) and
    /// name, position (8), data size (4), then the SID block as MySQL's
    /// `Gtid_set::encode` writes it: the number of SIDs (8), and per SID its uuid (16),
    /// the number of intervals (8) and each interval's start and end (8 each; the end
    /// is one past the last number). The documentation's table gives the SID count 4
    /// bytes; the server reads and writes 8, as mysql_common does.
    #[test]
    fn a_mysql_gtid_set_asks_with_com_binlog_dump_gtid() {
        let set =
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7, 4e11fa47-71ca-11e1-9e33-c80aa9429562:1-3";
        let mut out = Vec::new();
        dump_command(&request(Start::MySqlGtidSet(set.into()), false), &mut out).unwrap();

        let uuid = |first: u8| {
            let mut u = [
                0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42,
                0x95, 0x62,
            ];
            u[0] = first;
            u
        };
        let mut sids = Vec::new();
        sids.extend_from_slice(&2u64.to_le_bytes());
        sids.extend_from_slice(&uuid(0x3e));
        sids.extend_from_slice(&2u64.to_le_bytes());
        for (start, end) in [(1u64, 6u64), (7, 8)] {
            sids.extend_from_slice(&start.to_le_bytes());
            sids.extend_from_slice(&end.to_le_bytes());
        }
        sids.extend_from_slice(&uuid(0x4e));
        sids.extend_from_slice(&1u64.to_le_bytes());
        sids.extend_from_slice(&1u64.to_le_bytes());
        sids.extend_from_slice(&4u64.to_le_bytes());
        let mut expected = vec![0x1e];
        // BINLOG_DUMP_NON_BLOCK (the stream ends at the last event) | BINLOG_THROUGH_GTID.
        expected.extend_from_slice(&0x0005u16.to_le_bytes());
        expected.extend_from_slice(&0x0102_0304u32.to_le_bytes());
        expected.extend_from_slice(&0u32.to_le_bytes());
        expected.extend_from_slice(&4u64.to_le_bytes());
        expected.extend_from_slice(&(sids.len() as u32).to_le_bytes());
        expected.extend_from_slice(&sids);
        assert_eq!(out, expected);

        // Following: no NON_BLOCK; never MariaDB's ANNOTATE_ROWS bit, which MySQL reads
        // as BINLOG_THROUGH_POSITION.
        out.clear();
        dump_command(&request(Start::MySqlGtidSet(set.into()), true), &mut out).unwrap();
        assert_eq!(out[1..3], 0x0004u16.to_le_bytes());
    }

    /// COM_BINLOG_DUMP: `[0x12]`, position (4), flags (2), server id (4), file name to
    /// the end; MariaDB's BINLOG_SEND_ANNOTATE_ROWS_EVENT (2) always, NON_BLOCK (1) when
    /// not following. A MariaDB GTID start names no file.
    #[test]
    fn positions_and_mariadb_gtids_ask_with_com_binlog_dump() {
        let mut out = Vec::new();
        let start = Start::Position {
            file: "mariadb-bin.000002".into(),
            position: 256,
        };
        dump_command(&request(start, false), &mut out).unwrap();
        let mut expected = vec![0x12];
        expected.extend_from_slice(&256u32.to_le_bytes());
        expected.extend_from_slice(&0x0003u16.to_le_bytes());
        expected.extend_from_slice(&0x0102_0304u32.to_le_bytes());
        expected.extend_from_slice(b"mariadb-bin.000002");
        assert_eq!(out, expected);

        out.clear();
        dump_command(&request(Start::MariaDbGtid("0-1-5".into()), true), &mut out).unwrap();
        let mut expected = vec![0x12];
        expected.extend_from_slice(&4u32.to_le_bytes());
        expected.extend_from_slice(&0x0002u16.to_le_bytes());
        expected.extend_from_slice(&0x0102_0304u32.to_le_bytes());
        assert_eq!(out, expected);

        let start = Start::Position {
            file: "mariadb-bin.000002".into(),
            position: 1 << 32,
        };
        assert_eq!(
            dump_command(&request(start, false), &mut out),
            Err("position 4294967296 is past what COM_BINLOG_DUMP can ask for".into())
        );
    }
}
