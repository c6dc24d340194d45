//! Connecting, authenticating and plain statements.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;

use mysql_common::auth::plugins::{AuthProc, ChallengeResponsePlugin, Context, Response};
use mysql_common::constants::CapabilityFlags;
use mysql_common::io::ParseBuf;
use mysql_common::packets::{
    AuthPlugin, AuthSwitchRequest, ErrPacket, HandshakePacket, HandshakeResponse, SslRequest,
};
use mysql_common::proto::sync_framed::MySyncFramed;
use mysql_common::proto::{MyDeserialize, MySerialize};

use rustls::{ClientConnection, StreamOwned};

use crate::address::{Address, Endpoint, SslMode};
use crate::error::{RemoteError, RemoteErrorKind};
use crate::tls;

/// The largest packet accepted: events up to 1 GiB (`max_allowed_packet`'s ceiling).
const MAX_PACKET: usize = 1 << 30;

/// Packet headers: OK, end of data, error, more authentication data.
const OK: u8 = 0x00;
const EOF: u8 = 0xFE;
const ERR: u8 = 0xFF;
const AUTH_MORE_DATA: u8 = 0x01;
/// `COM_QUERY`.
const COM_QUERY: u8 = 0x03;

/// A TCP or unix-socket stream.
pub(crate) enum Plain {
    Tcp(TcpStream),
    Socket(UnixStream),
}

/// What the packets travel on: the plain stream, or TLS over it.
pub(crate) enum Transport {
    Plain(Plain),
    Tls(Box<StreamOwned<ClientConnection, Plain>>),
}

impl Plain {
    /// Bounds how long a read waits; with TLS the socket under it, which rustls reads.
    fn set_read_timeout(&self, timeout: Option<std::time::Duration>) -> std::io::Result<()> {
        match self {
            Plain::Tcp(s) => s.set_read_timeout(timeout),
            Plain::Socket(s) => s.set_read_timeout(timeout),
        }
    }

    fn try_clone(&self) -> std::io::Result<Plain> {
        Ok(match self {
            Plain::Tcp(s) => Plain::Tcp(s.try_clone()?),
            Plain::Socket(s) => Plain::Socket(s.try_clone()?),
        })
    }
}

impl Transport {
    /// The socket under the packets.
    fn plain(&self) -> &Plain {
        match self {
            Transport::Plain(plain) => plain,
            Transport::Tls(stream) => &stream.sock,
        }
    }
}

impl Read for Plain {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Plain::Tcp(s) => s.read(buf),
            Plain::Socket(s) => s.read(buf),
        }
    }
}

impl Write for Plain {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Plain::Tcp(s) => s.write(buf),
            Plain::Socket(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Plain::Tcp(s) => s.flush(),
            Plain::Socket(s) => s.flush(),
        }
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Transport::Plain(s) => s.read(buf),
            // A server that closes without TLS's close_notify (as servers do when they
            // end a session) closes it all the same: the end of the stream, as in
            // plain text, so the packet layer reports a closed connection.
            Transport::Tls(s) => match s.read(buf) {
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Transport::Plain(s) => s.write(buf),
            Transport::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Transport::Plain(s) => s.flush(),
            Transport::Tls(s) => s.flush(),
        }
    }
}

/// An authenticated session with a server.
pub struct Connection {
    pub(crate) framed: MySyncFramed<Transport>,
    pub(crate) capabilities: CapabilityFlags,
    pub(crate) server: String,
    server_version: String,
    encrypted: bool,
}

/// What an authentication plugin may ask about the session.
#[derive(Clone, Copy)]
struct Session<'a> {
    password: &'a [u8],
    nonce: &'a [u8],
    socket: bool,
    tls: bool,
}

impl Context for Session<'_> {
    fn pass(&self) -> &[u8] {
        self.password
    }
    fn is_ipc_transport(&self) -> bool {
        self.socket
    }
    fn is_tls_transport(&self) -> bool {
        self.tls
    }
    fn scramble(&self) -> &[u8] {
        self.nonce
    }
    fn server_key_pem(&self) -> Option<&[u8]> {
        None
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("server", &self.server)
            .field("server_version", &self.server_version)
            .field("encrypted", &self.encrypted)
            .finish()
    }
}

impl Connection {
    /// Connects to `address`, encrypts the conversation as its `ssl-mode` asks, and
    /// authenticates with `password` (empty: none).
    pub fn connect(address: &Address, password: &str) -> Result<Connection, RemoteError> {
        let server = address.to_string();
        let fail = |kind| RemoteError::new(&server, kind);
        let (plain, socket, host) = match &address.endpoint {
            Endpoint::Tcp { host, port } => {
                let stream = TcpStream::connect((host.as_str(), *port))
                    .map_err(|e| fail(RemoteErrorKind::Connect(e)))?;
                // Events are read as they come; nothing is gained by delaying requests.
                let _ = stream.set_nodelay(true);
                (Plain::Tcp(stream), false, host.as_str())
            }
            Endpoint::Socket(path) => (
                Plain::Socket(
                    UnixStream::connect(path).map_err(|e| fail(RemoteErrorKind::Connect(e)))?,
                ),
                true,
                "localhost",
            ),
        };
        let mut framed = MySyncFramed::new(Transport::Plain(plain));
        framed.codec_mut().max_allowed_packet = MAX_PACKET;
        let mut conn = Connection {
            framed,
            capabilities: CapabilityFlags::empty(),
            server,
            server_version: String::new(),
            encrypted: false,
        };
        conn.authenticate(address, host, password.as_bytes(), socket)?;
        Ok(conn)
    }

    /// The server's version string, from its greeting (without the `5.5.5-` MariaDB 10
    /// puts in front of it).
    pub fn server_version(&self) -> &str {
        &self.server_version
    }

    /// Whether the server is MariaDB (its version says so: `10.11.6-MariaDB-…`).
    pub fn is_mariadb(&self) -> bool {
        self.server_version.contains("MariaDB")
    }

    pub(crate) fn error(&self, kind: RemoteErrorKind) -> RemoteError {
        RemoteError::new(&self.server, kind)
    }

    /// The next packet; `None` when the server closed the connection.
    pub(crate) fn read_packet(&mut self, into: &mut Vec<u8>) -> Result<bool, RemoteError> {
        into.clear();
        self.framed.next_packet(into).map_err(|e| {
            let io = match e {
                mysql_common::proto::codec::error::PacketCodecError::Io(io) => io,
                other => std::io::Error::other(other.to_string()),
            };
            self.error(RemoteErrorKind::Io(io))
        })
    }

    pub(crate) fn send(&mut self, packet: &[u8]) -> Result<(), RemoteError> {
        self.framed
            .send(&mut &*packet)
            .map_err(|e| self.error(RemoteErrorKind::Io(std::io::Error::other(e.to_string()))))
    }

    /// Sends a command: a new exchange, so the sequence numbers start again.
    pub(crate) fn command(&mut self, packet: &[u8]) -> Result<(), RemoteError> {
        self.framed.codec_mut().reset_seq_id();
        self.send(packet)
    }

    /// The error an `ERR` packet carries.
    pub(crate) fn server_error(&self, packet: &[u8]) -> RemoteError {
        let kind = match ErrPacket::deserialize(self.capabilities, &mut ParseBuf(packet)) {
            Ok(ErrPacket::Error(e)) => RemoteErrorKind::Server {
                code: e.error_code(),
                message: e.message_str().into_owned(),
            },
            _ => RemoteErrorKind::Protocol("an error packet that does not parse".into()),
        };
        self.error(kind)
    }

    fn authenticate(
        &mut self,
        address: &Address,
        host: &str,
        password: &[u8],
        socket: bool,
    ) -> Result<(), RemoteError> {
        let mut packet = Vec::new();
        if !self.read_packet(&mut packet)? {
            return Err(self.error(RemoteErrorKind::Dropped));
        }
        if packet.first() == Some(&ERR) {
            return Err(self.server_error(&packet));
        }
        let greeting = HandshakePacket::deserialize((), &mut ParseBuf(&packet))
            .map_err(|e| self.error(RemoteErrorKind::Protocol(format!("greeting: {e}"))))?
            .into_owned();
        let version = String::from_utf8_lossy(greeting.server_version_ref()).into_owned();
        // MariaDB 10 puts `5.5.5-` in front of its version for old clients that refuse
        // a major version above 5; it is no part of the version.
        self.server_version = match version.strip_prefix("5.5.5-") {
            Some(rest) if rest.contains("MariaDB") => rest.to_string(),
            _ => version,
        };
        let wanted = CapabilityFlags::CLIENT_LONG_PASSWORD
            | CapabilityFlags::CLIENT_LONG_FLAG
            | CapabilityFlags::CLIENT_PROTOCOL_41
            | CapabilityFlags::CLIENT_TRANSACTIONS
            | CapabilityFlags::CLIENT_SECURE_CONNECTION
            | CapabilityFlags::CLIENT_PLUGIN_AUTH
            | CapabilityFlags::CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA;
        self.capabilities = wanted & greeting.capabilities();
        let offers_tls = greeting
            .capabilities()
            .contains(CapabilityFlags::CLIENT_SSL);
        match address.tls.mode {
            SslMode::Disabled => {}
            SslMode::Preferred if !offers_tls => {}
            _ if !offers_tls => return Err(self.error(RemoteErrorKind::TlsNotOffered)),
            _ => self.start_tls(address, host, greeting.default_collation())?,
        }
        let nonce = greeting.nonce();
        let mut plugin = greeting
            .auth_plugin()
            .map(AuthPlugin::into_owned)
            .unwrap_or(AuthPlugin::MysqlNativePassword);
        let mut challenge = nonce.clone();
        let mut proc = self.plugin(&plugin)?;
        let session = Session {
            password,
            nonce: &nonce,
            socket,
            tls: self.encrypted,
        };
        let first = self.run_plugin(&mut proc, session, &challenge)?;
        let response = HandshakeResponse::new(
            first.data().map(<[u8]>::to_vec),
            greeting.server_version_parsed().unwrap_or((5, 5, 0)),
            Some(address.user.as_bytes().to_vec()),
            None::<Vec<u8>>,
            Some(plugin.clone()),
            self.capabilities,
            None,
            MAX_PACKET as u32,
        );
        let mut out = Vec::new();
        response.serialize(&mut out);
        self.send(&out)?;
        loop {
            if !self.read_packet(&mut packet)? {
                return Err(self.error(RemoteErrorKind::Dropped));
            }
            let reply = match packet.first() {
                Some(&OK) => return Ok(()),
                Some(&ERR) => return Err(self.server_error(&packet)),
                Some(&EOF) => {
                    let switch = AuthSwitchRequest::deserialize((), &mut ParseBuf(&packet))
                        .map_err(|e| {
                            self.error(RemoteErrorKind::Protocol(format!("auth switch: {e}")))
                        })?
                        .into_owned();
                    plugin = switch.auth_plugin().into_owned();
                    proc = self.plugin(&plugin)?;
                    // The scramble is sent NUL-terminated.
                    let data = switch.plugin_data();
                    challenge = data.strip_suffix(&[0]).unwrap_or(data).to_vec();
                    let session = Session {
                        nonce: &challenge,
                        ..session
                    };
                    self.run_plugin(&mut proc, session, &challenge)?
                }
                Some(&AUTH_MORE_DATA) => {
                    let more = packet[1..].to_vec();
                    self.run_plugin(&mut proc, session, &more)?
                }
                _ => {
                    return Err(self.error(RemoteErrorKind::Protocol(
                        "unexpected packet during authentication".into(),
                    )))
                }
            };
            if let Some(data) = reply.data() {
                self.send(data)?;
            }
        }
    }

    /// Asks for TLS (`SSLRequest`: the handshake response's first fields, with
    /// `CLIENT_SSL`), then runs the TLS handshake over the same stream; the handshake
    /// response follows encrypted, in the same exchange.
    fn start_tls(
        &mut self,
        address: &Address,
        host: &str,
        collation: u8,
    ) -> Result<(), RemoteError> {
        let config = tls::client_config(&address.tls).map_err(|kind| self.error(kind))?;
        let name = tls::server_name(host).map_err(|kind| self.error(kind))?;
        self.capabilities |= CapabilityFlags::CLIENT_SSL;
        let mut out = Vec::new();
        SslRequest::new(self.capabilities, MAX_PACKET as u32, collation).serialize(&mut out);
        self.send(&out)?;
        let session = ClientConnection::new(config, name)
            .map_err(|e| self.error(RemoteErrorKind::Tls(std::io::Error::other(e))))?;
        // TLS runs over a duplicate of the socket's descriptor, which then replaces the
        // plain stream under the packet layer; the server sends nothing until the client
        // answers its greeting, so no byte is waiting in the layer's buffers.
        let plain = self
            .framed
            .get_ref()
            .plain()
            .try_clone()
            .map_err(|e| self.error(RemoteErrorKind::Io(e)))?;
        let mut stream = StreamOwned::new(session, plain);
        while stream.conn.is_handshaking() {
            if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
                return Err(self.error(self.handshake_error(address, e)));
            }
        }
        *self.framed.get_mut() = Transport::Tls(Box::new(stream));
        self.encrypted = true;
        Ok(())
    }

    fn handshake_error(&self, address: &Address, e: std::io::Error) -> RemoteErrorKind {
        let certificate = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .and_then(|tls| match tls {
                rustls::Error::InvalidCertificate(problem) => Some(Box::new(problem.clone())),
                _ => None,
            });
        match (certificate, &address.tls.ca) {
            (Some(problem), Some(ca)) => RemoteErrorKind::Certificate {
                ca: ca.clone(),
                problem,
            },
            _ => RemoteErrorKind::Tls(e),
        }
    }

    fn plugin(&self, plugin: &AuthPlugin<'_>) -> Result<AuthProc, RemoteError> {
        AuthProc::init(plugin).map_err(|e| self.error(RemoteErrorKind::Protocol(e.to_string())))
    }

    fn run_plugin(
        &self,
        proc: &mut AuthProc,
        session: Session<'_>,
        challenge: &[u8],
    ) -> Result<Response, RemoteError> {
        proc.run(session, challenge)
            .map_err(|e| self.error(RemoteErrorKind::Protocol(format!("authentication: {e}"))))
    }

    /// Runs a statement that returns no rows (`SET …`).
    pub fn execute(&mut self, sql: &str) -> Result<(), RemoteError> {
        let mut packet = vec![COM_QUERY];
        packet.extend_from_slice(sql.as_bytes());
        self.command(&packet)?;
        let mut reply = Vec::new();
        if !self.read_packet(&mut reply)? {
            return Err(self.error(RemoteErrorKind::Dropped));
        }
        match reply.first() {
            Some(&OK) => Ok(()),
            Some(&ERR) => Err(self.server_error(&reply)),
            _ => Err(self.error(RemoteErrorKind::Protocol(format!("'{sql}' returned rows")))),
        }
    }

    /// How long a read may wait before it fails (`None`: for ever).
    pub(crate) fn set_read_timeout(
        &mut self,
        timeout: Option<std::time::Duration>,
    ) -> Result<(), RemoteError> {
        self.framed
            .get_ref()
            .plain()
            .set_read_timeout(timeout)
            .map_err(|e| self.error(RemoteErrorKind::Io(e)))
    }
}
