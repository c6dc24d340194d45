//! Where the server is: `mysql://USER@HOST[:PORT]` for TCP, or
//! `mysql://USER@localhost?socket=/path/mysqld.sock` for a unix socket; and whether to
//! speak TLS to it: `?ssl-mode=MODE&ssl-ca=FILE`, with the MySQL client's names.

use std::fmt;
use std::path::PathBuf;

/// How to reach a server, and as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The account (`USER` of the URL).
    pub user: String,
    /// How to reach the server.
    pub endpoint: Endpoint,
    /// Whether the conversation is encrypted, and how the server's certificate is checked.
    pub tls: TlsOptions,
}

/// `ssl-mode`: the MySQL client's modes, from none to the strictest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain text, even if the server offers TLS.
    Disabled,
    /// TLS if the server offers it, else plain text; the certificate is not checked.
    Preferred,
    /// TLS or no connection; the certificate is not checked.
    Required,
    /// TLS, with a certificate signed by a CA in `ssl-ca` (for any host name).
    VerifyCa,
    /// TLS, with a certificate signed by a CA in `ssl-ca` and issued for the host named
    /// in the URL.
    VerifyIdentity,
}

/// TLS as the URL asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// The mode: by default `preferred` over TCP, `disabled` over a unix socket (which
    /// never leaves the machine), and `verify-ca` when only `ssl-ca` is given.
    pub mode: SslMode,
    /// The PEM file of the CA certificates the server's certificate must chain to
    /// (`verify-ca` and `verify-identity` only).
    pub ca: Option<PathBuf>,
}

impl SslMode {
    /// The name `ssl-mode=` takes.
    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disabled => "disabled",
            SslMode::Preferred => "preferred",
            SslMode::Required => "required",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyIdentity => "verify-identity",
        }
    }

    fn parse(name: &str) -> Option<SslMode> {
        // The MySQL client takes them in upper case with underscores (VERIFY_CA).
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "disabled" => Some(SslMode::Disabled),
            "preferred" => Some(SslMode::Preferred),
            "required" => Some(SslMode::Required),
            "verify-ca" => Some(SslMode::VerifyCa),
            "verify-identity" => Some(SslMode::VerifyIdentity),
            _ => None,
        }
    }

    /// Whether the server's certificate is checked against `ssl-ca`.
    pub fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyIdentity)
    }
}

/// A TCP host and port, or a unix socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `HOST:PORT` (port 3306 unless given).
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// A unix socket path.
    Socket(PathBuf),
}

/// MySQL's and MariaDB's default port.
const DEFAULT_PORT: u16 = 3306;

impl Address {
    /// Parses a `mysql://` URL. A password in it is refused: a command line shows in
    /// process listings, so passwords come from a file, the environment or a prompt.
    pub fn parse(url: &str) -> Result<Address, String> {
        let rest = url
            .strip_prefix("mysql://")
            .ok_or_else(|| format!("'{url}': expected mysql://USER@HOST[:PORT]"))?;
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let authority = authority.trim_end_matches('/');
        let (user, host_port) = authority
            .rsplit_once('@')
            .ok_or_else(|| format!("'{url}': the URL names no user (mysql://USER@HOST)"))?;
        if user.contains(':') {
            return Err(format!(
                "'{url}': a password in the URL would show in process listings; give it with \
                 -password-file FILE, MYSQL_PWD or at the prompt"
            ));
        }
        if user.is_empty() {
            return Err(format!(
                "'{url}': the URL names no user (mysql://USER@HOST)"
            ));
        }
        let mut socket = None;
        let mut mode = None;
        let mut ca = None;
        for pair in query.into_iter().flat_map(|q| q.split('&')) {
            match pair.split_once('=') {
                Some(("socket", path)) => socket = Some(PathBuf::from(path)),
                Some(("ssl-mode", name)) => {
                    mode = Some(SslMode::parse(name).ok_or_else(|| {
                        format!(
                            "'{url}': ssl-mode '{name}' is none of disabled, preferred, \
                             required, verify-ca, verify-identity"
                        )
                    })?)
                }
                Some(("ssl-ca", path)) => ca = Some(PathBuf::from(path)),
                _ => {
                    return Err(format!(
                        "'{url}': '{pair}' is not an option of the URL (socket=PATH, \
                         ssl-mode=MODE, ssl-ca=FILE)"
                    ))
                }
            }
        }
        let mode = match (mode, &ca, &socket) {
            (Some(mode), _, _) => mode,
            (None, Some(_), _) => SslMode::VerifyCa,
            (None, None, Some(_)) => SslMode::Disabled,
            (None, None, None) => SslMode::Preferred,
        };
        if mode.verifies() && ca.is_none() {
            return Err(format!(
                "'{url}': ssl-mode={} checks the server's certificate against ssl-ca=FILE \
                 (the CA certificates, PEM), which the URL does not give",
                mode.name()
            ));
        }
        if !mode.verifies() && ca.is_some() {
            return Err(format!(
                "'{url}': ssl-ca is read by ssl-mode=verify-ca and verify-identity only; \
                 ssl-mode={} would not check the certificate against it",
                mode.name()
            ));
        }
        let endpoint = match socket {
            Some(path) => Endpoint::Socket(path),
            None => {
                let (host, port) = match host_port.rsplit_once(':') {
                    Some((h, p)) => (
                        h,
                        p.parse()
                            .map_err(|_| format!("'{url}': '{p}' is not a port number"))?,
                    ),
                    None => (host_port, DEFAULT_PORT),
                };
                if host.is_empty() {
                    return Err(format!("'{url}': the URL names no host"));
                }
                Endpoint::Tcp {
                    host: host.to_string(),
                    port,
                }
            }
        };
        Ok(Address {
            user: user.to_string(),
            endpoint,
            tls: TlsOptions { mode, ca },
        })
    }
}

/// The address as messages name the server (`mysql://repl@db1:3306`).
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Endpoint::Tcp { host, port } => write!(f, "mysql://{}@{host}:{port}", self.user),
            Endpoint::Socket(path) => {
                write!(
                    f,
                    "mysql://{}@localhost?socket={}",
                    self.user,
                    path.display()
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_and_socket_urls() {
        let a = Address::parse("mysql://repl@db1:3307").unwrap();
        assert_eq!(
            a.endpoint,
            Endpoint::Tcp {
                host: "db1".into(),
                port: 3307
            }
        );
        assert_eq!(a.to_string(), "mysql://repl@db1:3307");
        let a = Address::parse("mysql://repl@db1").unwrap();
        assert_eq!(a.to_string(), "mysql://repl@db1:3306");
        let a = Address::parse("mysql://root@localhost?socket=/tmp/m.sock").unwrap();
        assert_eq!(a.endpoint, Endpoint::Socket("/tmp/m.sock".into()));
        assert_eq!(a.user, "root");
    }

    #[test]
    fn tls_defaults_and_modes() {
        let mode = |url: &str| Address::parse(url).unwrap().tls.mode;
        assert_eq!(mode("mysql://repl@db1"), SslMode::Preferred);
        assert_eq!(mode("mysql://repl@localhost?socket=/s"), SslMode::Disabled);
        assert_eq!(
            mode("mysql://repl@localhost?socket=/s&ssl-mode=required"),
            SslMode::Required
        );
        assert_eq!(
            mode("mysql://repl@db1?ssl-mode=DISABLED"),
            SslMode::Disabled
        );
        assert_eq!(
            mode("mysql://repl@db1?ssl-mode=VERIFY_CA&ssl-ca=/ca.pem"),
            SslMode::VerifyCa
        );
        let a = Address::parse("mysql://repl@db1:3307?ssl-ca=/ca.pem").unwrap();
        assert_eq!(
            a.tls,
            TlsOptions {
                mode: SslMode::VerifyCa,
                ca: Some("/ca.pem".into())
            }
        );
        // Messages name the server without its options.
        assert_eq!(a.to_string(), "mysql://repl@db1:3307");
        assert_eq!(
            mode("mysql://repl@db1?ssl-mode=verify-identity&ssl-ca=/ca.pem"),
            SslMode::VerifyIdentity
        );
    }

    #[test]
    fn bad_urls_say_why() {
        let cases = [
            ("db1:3306", "'db1:3306': expected mysql://USER@HOST[:PORT]"),
            (
                "mysql://db1",
                "'mysql://db1': the URL names no user (mysql://USER@HOST)",
            ),
            (
                "mysql://repl:secret@db1",
                "'mysql://repl:secret@db1': a password in the URL would show in process \
                 listings; give it with -password-file FILE, MYSQL_PWD or at the prompt",
            ),
            (
                "mysql://repl@db1:x",
                "'mysql://repl@db1:x': 'x' is not a port number",
            ),
            (
                "mysql://repl@db1?ssl-mode=on",
                "'mysql://repl@db1?ssl-mode=on': ssl-mode 'on' is none of disabled, preferred, \
                 required, verify-ca, verify-identity",
            ),
            (
                "mysql://repl@db1?ssl=1",
                "'mysql://repl@db1?ssl=1': 'ssl=1' is not an option of the URL (socket=PATH, \
                 ssl-mode=MODE, ssl-ca=FILE)",
            ),
            (
                "mysql://repl@db1?ssl-mode=verify-ca",
                "'mysql://repl@db1?ssl-mode=verify-ca': ssl-mode=verify-ca checks the server's \
                 certificate against ssl-ca=FILE (the CA certificates, PEM), which the URL does \
                 not give",
            ),
            (
                "mysql://repl@db1?ssl-mode=required&ssl-ca=/ca.pem",
                "'mysql://repl@db1?ssl-mode=required&ssl-ca=/ca.pem': ssl-ca is read by \
                 ssl-mode=verify-ca and verify-identity only; ssl-mode=required would not check \
                 the certificate against it",
            ),
        ];
        for (url, message) in cases {
            assert_eq!(Address::parse(url).unwrap_err(), message);
        }
    }
}
