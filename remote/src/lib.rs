//! Binary logs read live from a MySQL or MariaDB server, over the replication protocol.
//!
//! A [`Connection`] connects (TCP, or a unix socket), encrypts the conversation with TLS
//! when the [`Address`]'s `ssl-mode` asks or allows it (rustls; the certificate checked
//! against `ssl-ca` in the `verify-*` modes), authenticates with the server's plugin
//! (`mysql_native_password`, `caching_sha2_password`, MariaDB's `client_ed25519`, …, as
//! `mysql_common` implements them), tells the server what this replica understands
//! (CRC32 checksums, MariaDB GTIDs and annotate events) and asks for the stream by file
//! and position, by MariaDB GTID position (`COM_BINLOG_DUMP` after
//! `@slave_connect_state`) or by MySQL GTID set (`COM_BINLOG_DUMP_GTID`). [`Dump`] then
//! hands out one event's bytes per packet, as the server sends them (header, body,
//! checksum), for [`replog::binlog::stream::Feed`] to decode with replog's own decoder;
//! [`Follower`] does both, and keeps a followed stream going across dropped
//! connections and server restarts (reconnecting with back-off, resuming after the last
//! event or transaction delivered).
//!
//! Packets, framing and the authentication plugins come from `mysql_common`; this
//! crate adds the sequence of the conversation and the messages. Every error names the
//! server, and once a stream is asked for the start asked for or the file and position
//! reached.

mod address;
mod connection;
mod dump;
mod error;
mod follow;
mod tls;

pub use address::{Address, Endpoint, SslMode, TlsOptions};
pub use connection::Connection;
pub use dump::{Dump, DumpRequest, Start};
pub use error::{RemoteError, RemoteErrorKind};
pub use follow::{Connect, FollowOptions, Follower, Next, Notice, Received, ResumeFrom, Retry};
