//! What a real server cannot be made to do, played by a minimal fake server on a unix
//! socket (greeting, OK to every statement and to the registration, then the events of
//! a real MariaDB log): a stream whose event fails its checksum, and a MySQL server
//! asked for a MariaDB GTID. Messages are checked word for word.

use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::time::Duration;

use mysql_common::constants::{CapabilityFlags, StatusFlags};
use mysql_common::packets::HandshakePacket;
use mysql_common::proto::sync_framed::MySyncFramed;
use mysql_common::proto::MySerialize;
use replog::binlog::ReadOptions;
use replog::{Error, Flow};
use replog_remote::{
    Address, Connection, Dump, DumpRequest, FollowOptions, Follower, RemoteError, ResumeFrom, Start,
};

/// `COM_BINLOG_DUMP`: the command after which the fake server sends the events.
const COM_BINLOG_DUMP: u8 = 0x12;
/// An OK packet: header, no rows affected, no insert id, no status, no warnings.
const OK: [u8; 7] = [0, 0, 0, 2, 0, 0, 0];

/// The events of `sample-bin.000001` as a server sends them from its start: an
/// artificial ROTATE naming the file, then every event of it.
fn events_of_the_sample_log() -> Vec<Vec<u8>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/mariadb/sample-bin.000001"
    );
    let bytes = std::fs::read(path).unwrap();
    let name = b"sample-bin.000001";
    let mut rotate = Vec::new();
    rotate.extend_from_slice(&0u32.to_le_bytes()); // timestamp
    rotate.push(4); // ROTATE
    rotate.extend_from_slice(&1u32.to_le_bytes()); // server id
    rotate.extend_from_slice(&((19 + 8 + name.len() + 4) as u32).to_le_bytes());
    rotate.extend_from_slice(&0u32.to_le_bytes()); // log_pos: made up, in no file
    rotate.extend_from_slice(&0x20u16.to_le_bytes()); // LOG_EVENT_ARTIFICIAL_F
    rotate.extend_from_slice(&4u64.to_le_bytes());
    rotate.extend_from_slice(name);
    let crc = crc32fast::hash(&rotate);
    rotate.extend_from_slice(&crc.to_le_bytes());
    let mut events = vec![rotate];
    let mut at = 4;
    while at < bytes.len() {
        let size = u32::from_le_bytes(bytes[at + 9..at + 13].try_into().unwrap()) as usize;
        events.push(bytes[at..at + size].to_vec());
        at += size;
    }
    events
}

/// Serves one client on `listener` as a server of `version`: greets it, says OK to its
/// login and to every command, and answers the dump request with `events`, then the
/// end of the stream.
fn serve(listener: UnixListener, version: &'static str, events: Vec<Vec<u8>>) {
    let (stream, _) = listener.accept().unwrap();
    let mut framed = MySyncFramed::new(stream);
    let mut out = Vec::new();
    HandshakePacket::new(
        10,
        version.as_bytes(),
        1,
        *b"abcdefgh",
        // The second part of the nonce, NUL-terminated as servers send it.
        Some(&b"ijklmnopqrst\0"[..]),
        CapabilityFlags::CLIENT_PROTOCOL_41
            | CapabilityFlags::CLIENT_SECURE_CONNECTION
            | CapabilityFlags::CLIENT_PLUGIN_AUTH
            | CapabilityFlags::CLIENT_LONG_PASSWORD
            | CapabilityFlags::CLIENT_TRANSACTIONS,
        45,
        StatusFlags::SERVER_STATUS_AUTOCOMMIT,
        Some(&b"mysql_native_password"[..]),
    )
    .serialize(&mut out);
    framed.send(&mut &out[..]).unwrap();
    let mut packet = Vec::new();
    framed.next_packet(&mut packet).unwrap(); // the login
    framed.send(&mut &OK[..]).unwrap();
    loop {
        framed.codec_mut().reset_seq_id();
        packet.clear();
        if !framed.next_packet(&mut packet).unwrap_or(false) {
            return;
        }
        if packet.first() != Some(&COM_BINLOG_DUMP) {
            framed.send(&mut &OK[..]).unwrap();
            continue;
        }
        for event in &events {
            let mut with_header = vec![0];
            with_header.extend_from_slice(event);
            if framed.send(&mut &with_header[..]).is_err() {
                return;
            }
        }
        let _ = framed.send(&mut &[0xfe, 0, 0, 0, 0][..]);
        return;
    }
}

/// Errors of the stream, whichever layer found them.
#[derive(Debug)]
struct Failed(String);

impl From<Error> for Failed {
    fn from(e: Error) -> Self {
        Failed(e.to_string())
    }
}

impl From<RemoteError> for Failed {
    fn from(e: RemoteError) -> Self {
        Failed(e.to_string())
    }
}

/// A fresh directory for one test's socket.
fn socket_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replog-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_mariadb_gtid_is_refused_by_name_against_mysql() {
    let dir = socket_dir("fake-mysql");
    let socket = dir.join("fake.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let server = std::thread::spawn(move || serve(listener, "8.0.36", Vec::new()));
    let url = format!("mysql://repl@localhost?socket={}", socket.display());
    let conn = Connection::connect(&Address::parse(&url).unwrap(), "").unwrap();
    let request = DumpRequest {
        server_id: 77,
        start: Start::gtid("0-1-5").unwrap(),
        follow: false,
        heartbeat: Duration::ZERO,
    };
    let err = Dump::start(conn, &request).unwrap_err();
    server.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        err.to_string(),
        format!(
            "{url}, after GTID 0-1-5: '0-1-5' is a MariaDB GTID position, but the server is \
             MySQL (8.0.36): give a MySQL GTID set (uuid:interval[:interval...][,...])"
        )
    );
}

#[test]
fn a_bad_checksum_names_the_server_file_and_position() {
    let dir = socket_dir("fake-mariadb");
    let socket = dir.join("fake.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let mut events = events_of_the_sample_log();
    // The file's fourth event (after the artificial ROTATE come the format
    // description, the GTID list and the binlog checkpoint): one byte of its body
    // changed.
    let damaged = &mut events[4];
    let position = u32::from_le_bytes(damaged[13..17].try_into().unwrap()) as usize - damaged.len();
    damaged[20] ^= 0x01;
    let server = std::thread::spawn(move || serve(listener, "10.11.6-MariaDB-fake", events));

    let url = format!("mysql://repl@localhost?socket={}", socket.display());
    let address = Address::parse(&url).unwrap();
    let request = DumpRequest {
        server_id: 77,
        start: Start::Position {
            file: String::new(),
            position: 4,
        },
        follow: false,
        heartbeat: Duration::ZERO,
    };
    let options = FollowOptions {
        read: ReadOptions::default(),
        retry: None,
        resume_from: ResumeFrom::Event,
    };
    let connect = Box::new(move || Connection::connect(&address, ""));
    let mut follower = Follower::start(connect, request, options).unwrap();
    let mut visited = 0;
    let err = follower
        .run::<Failed>(
            &mut |_, _, _| {
                visited += 1;
                Ok(Flow::Continue)
            },
            &mut |e| panic!("strict mode reports nothing: {e}"),
            &mut |told| panic!("no reconnection without retry: {told}"),
        )
        .unwrap_err();
    let _ = server.join();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        visited >= 2,
        "the events before the damaged one are visited"
    );
    let expected_start = format!(
        "mysql://repl@localhost?socket={}, sample-bin.000001: at byte {position}: ",
        socket.display()
    );
    assert_eq!(
        err.0,
        format!(
            "{expected_start}checksum mismatch: expected CRC32 8cc0aa27 (computed), found \
             63921cc6 (stored)"
        )
    );
}
