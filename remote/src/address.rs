//! Where the server is: `mysql://USER@HOST[:PORT]` for TCP, or
//! `mysql://USER@localhost?socket=/path/mysqld.sock` for a unix socket.

use std::fmt;
use std::path::PathBuf;

/// How to reach a server, and as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The account (`USER` of the URL).
    pub user: String,
    /// How to reach the server.
    pub endpoint: Endpoint,
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
        let socket = query.and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("socket="))
                .map(PathBuf::from)
        });
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
        ];
        for (url, message) in cases {
            assert_eq!(Address::parse(url).unwrap_err(), message);
        }
    }
}
