//! A stream whose event fails its checksum: a server cannot be made to send one, so a
//! minimal fake server on a unix socket plays the replication conversation (greeting,
//! OK to every statement and to the registration, then the events of a real MariaDB
//! log with one byte changed) and the client's message is checked word for word.

use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use mysql_common::constants::{CapabilityFlags, StatusFlags};
use mysql_common::packets::HandshakePacket;
use mysql_common::proto::sync_framed::MySyncFramed;
use mysql_common::proto::MySerialize;
use replog::binlog::ReadOptions;
use replog::{Error, Flow};
use replog_remote::{Address, Connection, DumpRequest, RemoteError, Start};

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

/// Serves one client on `listener`: greets it, says OK to its login and to every
/// command, and answers the dump request with `events`, then the end of the stream.
fn serve(listener: UnixListener, events: Vec<Vec<u8>>) {
    let (stream, _) = listener.accept().unwrap();
    let mut framed = MySyncFramed::new(stream);
    let mut out = Vec::new();
    HandshakePacket::new(
        10,
        &b"10.11.6-MariaDB-fake"[..],
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

#[test]
fn a_bad_checksum_names_the_server_file_and_position() {
    let dir = std::env::temp_dir().join(format!("replog-fake-server-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let socket: PathBuf = dir.join("fake.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let mut events = events_of_the_sample_log();
    // The file's fourth event (after the artificial ROTATE come the format
    // description, the GTID list and the binlog checkpoint): one byte of its body
    // changed.
    let damaged = &mut events[4];
    let position = u32::from_le_bytes(damaged[13..17].try_into().unwrap()) as usize - damaged.len();
    damaged[20] ^= 0x01;
    let server = std::thread::spawn(move || serve(listener, events));

    let url = format!("mysql://repl@localhost?socket={}", socket.display());
    let conn = Connection::connect(&Address::parse(&url).unwrap(), "").unwrap();
    let request = DumpRequest {
        server_id: 77,
        start: Start::Position {
            file: String::new(),
            position: 4,
        },
        follow: false,
        heartbeat_seconds: 0,
    };
    let mut visited = 0;
    let err = replog_remote::follow::<Failed>(
        conn,
        &request,
        ReadOptions::default(),
        &mut |_, _, _| {
            visited += 1;
            Ok(Flow::Continue)
        },
        &mut |e| panic!("strict mode reports nothing: {e}"),
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
