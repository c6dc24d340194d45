//! What can go wrong talking to a server, always said with the server's address and,
//! once the stream has started, the file and position reached.

use std::fmt;

/// An error of the replication conversation.
#[derive(Debug)]
pub struct RemoteError {
    /// The server, as [`crate::Address`] displays it.
    pub server: String,
    /// Where the stream was: the file and position of the next event expected, or the
    /// start asked for when no event had arrived yet.
    pub position: Option<String>,
    /// What happened.
    pub kind: RemoteErrorKind,
}

/// What happened.
#[derive(Debug)]
#[non_exhaustive]
pub enum RemoteErrorKind {
    /// The server could not be reached.
    Connect(std::io::Error),
    /// The connection failed or was closed while talking.
    Io(std::io::Error),
    /// The server closed the connection while the stream was open.
    Dropped,
    /// The server answered with an error packet.
    Server {
        /// MySQL/MariaDB error number.
        code: u16,
        /// The server's message.
        message: String,
    },
    /// The server refused to register this client as a replica (`COM_REGISTER_SLAVE`):
    /// MariaDB answers an account without `REPLICATION SLAVE` with error 1045, as if
    /// the password were wrong, MySQL with 1227.
    Register {
        /// MySQL/MariaDB error number.
        code: u16,
        /// The server's message.
        message: String,
    },
    /// The server's answer is not what the protocol allows here.
    Protocol(String),
    /// `ssl-mode=required` or stricter, and the server's greeting offers no TLS.
    TlsNotOffered,
    /// The TLS handshake failed (other than by the certificate).
    Tls(std::io::Error),
    /// `ssl-ca` cannot be read or holds no usable CA certificate.
    CaFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why it cannot be used.
        problem: String,
    },
    /// `verify-ca` or `verify-identity` refused the server's certificate.
    Certificate {
        /// The CA file it was checked against.
        ca: std::path::PathBuf,
        /// Why it was refused (boxed: some reasons carry the names and dates compared).
        problem: Box<rustls::CertificateError>,
    },
    /// The start asked for is a GTID of the other flavour than the server's.
    GtidFlavour {
        /// What was asked for.
        gtid: String,
        /// Whether the server is MariaDB (else MySQL).
        server_is_mariadb: bool,
        /// The server's version string.
        server_version: String,
    },
    /// The server ended a stream that was to follow it (it is shutting down, or the
    /// dump thread was killed).
    Ended,
    /// Nothing arrived, not even a heartbeat, for this long: the connection is taken
    /// for dead.
    Silent(std::time::Duration),
    /// Reconnecting failed this many times in a row; the last failure follows.
    GaveUp {
        /// The attempts made.
        attempts: u32,
        /// Why the last one failed.
        last: Box<RemoteErrorKind>,
    },
}

/// Server errors that come and go with the server's life: too many connections (1040),
/// shutdown in progress (1053), aborted connection (1152), network read and write
/// errors (1158 to 1161), an interrupted query (1317), a killed connection (1927).
const PASSING_SERVER_ERRORS: &[u16] = &[1040, 1053, 1152, 1158, 1159, 1160, 1161, 1317, 1927];

impl RemoteErrorKind {
    /// Whether a new connection may succeed where this one failed: the network, a
    /// server going away or restarting. An answer the server means (access denied, a
    /// purged log, an unknown GTID, a damaged event) comes again, so it is not.
    pub fn is_transient(&self) -> bool {
        match self {
            RemoteErrorKind::Connect(_)
            | RemoteErrorKind::Io(_)
            | RemoteErrorKind::Dropped
            | RemoteErrorKind::Ended
            | RemoteErrorKind::Silent(_) => true,
            RemoteErrorKind::Server { code, .. } => PASSING_SERVER_ERRORS.contains(code),
            // A handshake cut by the network may go through next time; one the TLS
            // layer refused will not.
            RemoteErrorKind::Tls(e) => matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::TimedOut
            ),
            RemoteErrorKind::Protocol(_)
            | RemoteErrorKind::GaveUp { .. }
            | RemoteErrorKind::Register { .. }
            | RemoteErrorKind::TlsNotOffered
            | RemoteErrorKind::CaFile { .. }
            | RemoteErrorKind::Certificate { .. }
            | RemoteErrorKind::GtidFlavour { .. } => false,
        }
    }
}

impl fmt::Display for RemoteErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteErrorKind::Connect(e) => write!(f, "cannot connect: {e}"),
            RemoteErrorKind::Io(e) => write!(f, "connection failed: {e}"),
            RemoteErrorKind::Dropped => f.write_str("the server closed the connection"),
            RemoteErrorKind::Server { code, message } => {
                write!(f, "server error {code}: {message}")
            }
            RemoteErrorKind::Register { code, message } => write!(
                f,
                "server error {code}: {message} (registering as a replica needs the \
                 REPLICATION SLAVE privilege)"
            ),
            RemoteErrorKind::Protocol(what) => write!(f, "protocol error: {what}"),
            RemoteErrorKind::TlsNotOffered => f.write_str(
                "the server does not offer TLS, and the URL's ssl-mode requires it \
                 (ssl-mode=preferred connects without)",
            ),
            RemoteErrorKind::Tls(e) => write!(f, "TLS handshake failed: {e}"),
            RemoteErrorKind::CaFile { path, problem } => {
                write!(f, "ssl-ca {}: {problem}", path.display())
            }
            RemoteErrorKind::Certificate { ca, problem } => match problem.as_ref() {
                rustls::CertificateError::UnknownIssuer => write!(
                    f,
                    "the server's certificate is not signed by a CA of ssl-ca {}",
                    ca.display()
                ),
                rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. } => write!(
                    f,
                    "the server's certificate is signed by a CA of ssl-ca {} but not issued \
                     for the URL's host ({problem}); ssl-mode=verify-ca does not check the name",
                    ca.display()
                ),
                other => write!(f, "the server's certificate is refused: {other}"),
            },
            RemoteErrorKind::GtidFlavour {
                gtid,
                server_is_mariadb: true,
                server_version,
            } => write!(
                f,
                "'{gtid}' is a MySQL GTID set, but the server is MariaDB ({server_version}): \
                 give a MariaDB GTID position (domain-server-sequence[,...])"
            ),
            RemoteErrorKind::GtidFlavour {
                gtid,
                server_is_mariadb: false,
                server_version,
            } => write!(
                f,
                "'{gtid}' is a MariaDB GTID position, but the server is MySQL ({server_version}): \
                 give a MySQL GTID set (uuid:interval[:interval...][,...])"
            ),
            RemoteErrorKind::Ended => f.write_str("the server ended the stream"),
            RemoteErrorKind::Silent(quiet) => write!(
                f,
                "nothing received for {} s, not even a heartbeat",
                quiet.as_secs_f64()
            ),
            RemoteErrorKind::GaveUp { attempts, last } => {
                write!(f, "gave up after {attempts} attempts to reconnect: {last}")
            }
        }
    }
}

impl RemoteError {
    pub(crate) fn new(server: &str, kind: RemoteErrorKind) -> RemoteError {
        RemoteError {
            server: server.to_string(),
            position: None,
            kind,
        }
    }

    /// The same error, placed at `log_name:position`.
    pub fn at(mut self, log_name: &str, position: u64) -> RemoteError {
        self.position = Some(format!("{log_name} at {position}"));
        self
    }

    /// The same error, placed at the start a request asked for.
    pub fn at_start(mut self, start: &crate::Start) -> RemoteError {
        self.position = Some(match start {
            crate::Start::Position { file, position } if file.is_empty() => {
                format!("the first log at {position}")
            }
            crate::Start::Position { file, position } => format!("{file} at {position}"),
            crate::Start::MariaDbGtid(gtids) => format!("after GTID {gtids}"),
            crate::Start::MySqlGtidSet(set) => format!("after GTID set {set}"),
        });
        self
    }
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.server)?;
        if let Some(position) = &self.position {
            write!(f, ", {position}")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for RemoteError {}
