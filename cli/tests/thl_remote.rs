//! `-remote`: `thl events`, `thl backup` and `thl extract` reading a live MariaDB server
//! over the replication protocol, against the same commands on the server's own files.
//!
//! One throwaway server (fixtures/mariadb/server.sh: temp datadir, unix socket only)
//! serves every check; a replication account logs in with a password. Skipped with a
//! notice when MariaDB is not installed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{thl_command, Run};

/// A server started for the test, shut down when dropped.
struct Server {
    dir: tempfile::TempDir,
    /// The loopback port it listens on, when started with [`Server::start_with`]'s
    /// `tcp`.
    port: Option<u16>,
}

/// Binary logging as the tests want it: row events, logs named `mariadb-bin.N`.
const LOG_BIN: [&str; 2] = ["--log-bin=mariadb-bin", "--binlog-format=ROW"];

impl Server {
    fn start() -> Option<Server> {
        if !Path::new("/usr/sbin/mariadbd").exists() && which("mariadbd").is_none() {
            eprintln!("mariadbd not installed: the live -remote tests are skipped");
            return None;
        }
        Some(Server::start_with(&LOG_BIN, false, |_| Vec::new()))
    }

    /// A server with `options`, listening on a free loopback port as well as its
    /// socket when `tcp`; `more` gives further options from the server's directory
    /// (certificates written there). The caller has checked that mariadbd is installed.
    fn start_with(options: &[&str], tcp: bool, more: impl FnOnce(&Path) -> Vec<String>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut options: Vec<String> = options.iter().map(|o| o.to_string()).collect();
        options.extend(more(dir.path()));
        let port = tcp.then(|| {
            // A port the kernel has just handed out and taken back: free, short of a
            // race with another program in the next instant.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            // server.sh passes --skip-networking first; a later option wins.
            options.extend([
                "--skip-networking=0".to_string(),
                "--bind-address=127.0.0.1".to_string(),
                format!("--port={port}"),
            ]);
            port
        });
        let script = format!(
            "source {}/../fixtures/mariadb/server.sh && server_start {} {} >/dev/null",
            env!("CARGO_MANIFEST_DIR"),
            dir.path().display(),
            options.join(" ")
        );
        let status = Command::new("bash").arg("-c").arg(script).status().unwrap();
        assert!(status.success(), "the server did not start");
        Server { dir, port }
    }

    /// `mysql://USER@HOST:PORT` over TCP, then `?options` if any.
    fn tcp_url(&self, user: &str, host: &str, options: &str) -> String {
        let port = self.port.expect("the server listens on TCP");
        match options {
            "" => format!("mysql://{user}@{host}:{port}"),
            _ => format!("mysql://{user}@{host}:{port}?{options}"),
        }
    }

    /// One value the server answers `sql` with, as text.
    fn value(&self, sql: &str) -> String {
        let out = Command::new("mariadb")
            // Without TLS: the client's own handshake would count in `Ssl_*` statuses.
            .args(["--no-defaults", "-uroot", "-N", "-B", "--skip-ssl"])
            .arg(format!("--socket={}", self.socket().display()))
            .args(["-e", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    }

    /// The server's version (`10.11.6-MariaDB-0+deb12u1-log`).
    fn version(&self) -> String {
        self.value("SELECT VERSION()")
    }

    /// The value of a global status variable (`Ssl_finished_accepts`).
    fn status(&self, name: &str) -> u64 {
        self.value(&format!("SHOW GLOBAL STATUS LIKE '{name}'"))
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap()
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("mysqld.sock")
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn url(&self, user: &str) -> String {
        format!(
            "mysql://{user}@localhost?socket={}",
            self.socket().display()
        )
    }

    fn sql(&self, sql: &str) {
        let out = Command::new("mariadb")
            .args(["--no-defaults", "-uroot"])
            .arg(format!("--socket={}", self.socket().display()))
            .args(["-e", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The server's binary logs, by name, in order.
    fn logs(&self) -> Vec<String> {
        let index = std::fs::read_to_string(self.data().join("mariadb-bin.index")).unwrap();
        index
            .lines()
            .map(|l| l.trim_start_matches("./").to_string())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("mariadb-admin")
            .args(["--no-defaults", "-uroot"])
            .arg(format!("--socket={}", self.socket().display()))
            .arg("shutdown")
            .status();
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// `thl ARGS` with the replication account's password in `MYSQL_PWD`.
fn thl(args: &[&str], password: &str) -> Run {
    let out = thl_command()
        .env("MYSQL_PWD", password)
        .args(args)
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// `thl ARGS` run in the server's data directory, so files are named as the server
/// names them (what the remote commands print).
fn thl_offline(server: &Server, args: &[&str]) -> String {
    let out = thl_command()
        .current_dir(server.data())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Rows of several types over three logs, and an active fourth.
fn workload(server: &Server) {
    server.sql(
        "CREATE USER repl@localhost IDENTIFIED BY 'secret';
         GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO repl@localhost;
         CREATE DATABASE shop;
         CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(10,2),
             added DATETIME(3), tags JSON, body BLOB);
         INSERT INTO shop.items VALUES (1, 'tea', 3.50, '2024-01-02 03:04:05.678',
             '{\"a\": [1, 2]}', x'00ff'), (2, 'café', 12.00, NULL, NULL, NULL);
         FLUSH BINARY LOGS;
         BEGIN; UPDATE shop.items SET price = price * 2; DELETE FROM shop.items WHERE id = 2;
         COMMIT;
         FLUSH BINARY LOGS;
         CREATE TABLE shop.log (n INT AUTO_INCREMENT PRIMARY KEY, t TEXT);
         USE shop; INSERT INTO shop.log (t) SELECT REPEAT('x', seq) FROM seq_1_to_200;",
    );
}

#[test]
fn a_live_server_reads_as_its_own_files() {
    let Some(server) = Server::start() else {
        return;
    };
    workload(&server);
    let url = server.url("repl");
    let logs = server.logs();
    assert_eq!(logs.len(), 3, "{logs:?}");
    let mut offline_args = vec!["events", "-file"];
    offline_args.extend(logs.iter().map(String::as_str));

    // Text: identical, event for event.
    let remote = thl(&["events", "-remote", &url], "secret").ok();
    let offline = thl_offline(&server, &offline_args);
    assert!(offline.lines().count() > 20, "{offline}");
    assert_eq!(remote, offline);

    // JSON: identical but for one field the server changes on purpose: it sends the
    // format description with the in-use flag cleared (the replica is not to think the
    // source crashed), while the file being written has it set on disk.
    let remote = thl(&["events", "-json", "-remote", &url], "secret").ok();
    offline_args.insert(1, "-json");
    let offline = thl_offline(&server, &offline_args);
    let active_fde = format!("{{\"file\":\"{}\",\"offset\":4,\"type_code\":15,", logs[2]);
    let mut differing = 0;
    for (r, o) in remote.lines().zip(offline.lines()) {
        if r != o {
            assert!(r.starts_with(&active_fde), "{r}\n{o}");
            assert_eq!(r.replace("\"flags\":0,", "\"flags\":1,"), o);
            differing += 1;
        }
    }
    assert_eq!(differing, 1);
    assert_eq!(remote.lines().count(), offline.lines().count());

    // From a named file and position: the same as the offline -start-position.
    let remote = thl(
        &[
            "events",
            "-remote",
            &url,
            "-file",
            &logs[1],
            "-start-position",
            "256",
        ],
        "secret",
    )
    .ok();
    let offline = thl_offline(
        &server,
        &[
            "events",
            "-start-position",
            "256",
            "-file",
            &logs[1],
            &logs[2],
        ],
    );
    assert_eq!(remote, offline);

    // Backup: the server's files byte for byte, the active one with its in-use flag.
    let out = tempfile::tempdir().unwrap();
    let backup_dir = out.path().join("backup");
    let backup_dir_arg = backup_dir.display().to_string();
    thl(
        &["backup", "-remote", &url, "-dir", &backup_dir_arg],
        "secret",
    )
    .ok();
    let same_as_server = |name: &str| {
        let ours = std::fs::read(backup_dir.join(name)).unwrap();
        let theirs = std::fs::read(server.data().join(name)).unwrap();
        ours == theirs
    };
    for name in &logs {
        assert!(same_as_server(name), "{name} differs");
    }
    let manifest = std::fs::read_to_string(backup_dir.join("backup.manifest")).unwrap();
    assert!(manifest.ends_with("\topen\n"), "{manifest}");
    assert_eq!(manifest.matches("\tclosed\n").count(), 2, "{manifest}");

    // A run killed mid-event leaves a partial one: the next run cuts it and fetches it
    // again, with what the server wrote meanwhile.
    let active = backup_dir.join(&logs[2]);
    let len = std::fs::metadata(&active).unwrap().len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&active)
        .unwrap();
    file.set_len(len - 10).unwrap();
    server.sql("INSERT INTO shop.log (t) VALUES ('after the cut')");
    let run = thl(
        &["backup", "-remote", &url, "-dir", &backup_dir_arg],
        "secret",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("bytes after the last complete event"),
        "{}",
        run.stderr
    );
    for name in &logs {
        assert!(
            same_as_server(name),
            "{name} differs after the resumed backup"
        );
    }

    // Live extraction equals offline extraction, first run and continued run.
    let live_dir = out.path().join("live");
    let offline_dir = out.path().join("offline");
    let extract_live = || {
        thl(
            &[
                "extract",
                "-remote",
                &url,
                "-service",
                "s",
                "-source-id",
                "h",
                "-dir",
            ]
            .into_iter()
            .chain([live_dir.to_str().unwrap()])
            .collect::<Vec<_>>(),
            "secret",
        )
        .ok()
    };
    let extract_offline = || {
        let mut args = vec!["extract", "-service", "s", "-source-id", "h", "-file"];
        args.extend(logs.iter().map(String::as_str));
        args.extend(["-dir", offline_dir.to_str().unwrap()]);
        thl_offline(&server, &args)
    };
    let thl_file = "thl.data.0000000001";
    extract_live();
    extract_offline();
    let live = std::fs::read(live_dir.join(thl_file)).unwrap();
    assert!(live.len() > 1000);
    assert_eq!(live, std::fs::read(offline_dir.join(thl_file)).unwrap());
    server.sql("UPDATE shop.log SET t = 'again' WHERE n < 5");
    extract_live();
    extract_offline();
    let continued = std::fs::read(live_dir.join(thl_file)).unwrap();
    assert!(continued.len() > live.len());
    assert_eq!(
        continued,
        std::fs::read(offline_dir.join(thl_file)).unwrap()
    );

    // Errors: each names the server and where, and exits 1.
    let server_name = format!(
        "mysql://repl@localhost?socket={}",
        server.socket().display()
    );
    assert_eq!(
        thl(&["events", "-remote", &url], "wrong")
            .fails()
            .trim_end(),
        format!(
            "Fatal error: {server_name}: server error 1045: Access denied for user \
             'repl'@'localhost' (using password: YES)"
        )
    );
    assert_eq!(
        thl(
            &["events", "-remote", &url, "-file", "mariadb-bin.000099"],
            "secret"
        )
        .fails()
        .trim_end(),
        format!(
            "Fatal error: {server_name}, mariadb-bin.000099 at 4: server error 1236: Could \
             not find first log file name in binary log index file"
        )
    );
    server.sql(&format!("PURGE BINARY LOGS TO '{}'", logs[1]));
    assert_eq!(
        thl(&["events", "-remote", &url, "-file", &logs[0]], "secret")
            .fails()
            .trim_end(),
        format!(
            "Fatal error: {server_name}, {} at 4: server error 1236: Could not find first log \
             file name in binary log index file",
            logs[0]
        )
    );
}

#[test]
fn unreachable_servers_and_passwords_in_urls_are_refused() {
    // Port 1 on the loopback: nothing listens there.
    assert_eq!(
        thl(&["events", "-remote", "mysql://repl@127.0.0.1:1"], "x")
            .fails()
            .trim_end(),
        "Fatal error: mysql://repl@127.0.0.1:1: cannot connect: Connection refused (os error 111)"
    );
    assert_eq!(
        thl(&["events", "-remote", "mysql://repl:secret@db1"], "x")
            .fails()
            .trim_end(),
        "-remote 'mysql://repl:secret@db1': a password in the URL would show in process \
         listings; give it with -password-file FILE, MYSQL_PWD or at the prompt"
    );
    assert_eq!(
        thl(&["events", "-file", "x", "-stop-never"], "x")
            .fails()
            .trim_end(),
        "-password-file, -stop-never and -start-gtid go with -remote URL"
    );
}

/// Skips the test (or fails it where skips are not allowed) without MariaDB.
macro_rules! require_mariadb {
    () => {
        if replog_tests::installed("mariadbd").is_none()
            || replog_tests::installed("mariadb").is_none()
        {
            replog_tests::skip_unless_required!(
                "mariadbd or the mariadb client is not installed",
                "install MariaDB (Debian: mariadb-server mariadb-client)"
            );
        }
    };
}

/// A CA, a certificate it signs for `localhost` with its key, and a second CA that
/// signed nothing of the server's, as PEM files in `dir` (`ca.pem`, `server-cert.pem`,
/// `server-key.pem`, `other-ca.pem`); returns the server's options for them.
fn certificates(dir: &Path) -> Vec<String> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca = |name: &str| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        (cert, Issuer::new(params, key))
    };
    let (ca_cert, issuer) = ca("replog test CA");
    let (other_ca_cert, _) = ca("replog other CA");
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &issuer).unwrap();
    for (name, pem) in [
        ("ca.pem", ca_cert.pem()),
        ("other-ca.pem", other_ca_cert.pem()),
        ("server-cert.pem", cert.pem()),
        ("server-key.pem", key.serialize_pem()),
    ] {
        std::fs::write(dir.join(name), pem).unwrap();
    }
    [
        "ssl-ca=ca.pem",
        "ssl-cert=server-cert.pem",
        "ssl-key=server-key.pem",
    ]
    .iter()
    .map(|option| {
        let (name, file) = option.split_once('=').unwrap();
        format!("--{name}={}", dir.join(file).display())
    })
    .collect()
}

#[test]
fn tls_as_the_url_asks() {
    require_mariadb!();
    let server = Server::start_with(&LOG_BIN, true, certificates);
    // An account that logs in only over TLS: its logging in proves the conversation
    // was encrypted.
    server.sql(
        "CREATE USER secure@'%' IDENTIFIED BY 'secret' REQUIRE SSL;
         GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO secure@'%';
         CREATE USER repl@'%' IDENTIFIED BY 'secret';
         GRANT REPLICATION SLAVE ON *.* TO repl@'%';
         CREATE DATABASE shop;
         CREATE TABLE shop.t (id INT PRIMARY KEY, v TEXT);
         INSERT INTO shop.t VALUES (1, 'over TLS'), (2, REPEAT('y', 5000));",
    );
    let dir = server.dir.path();
    let ca = dir.join("ca.pem").display().to_string();
    let other_ca = dir.join("other-ca.pem").display().to_string();
    let mut offline_args = vec!["events".to_string(), "-file".to_string()];
    offline_args.extend(server.logs());
    let offline_args: Vec<&str> = offline_args.iter().map(String::as_str).collect();
    let offline = thl_offline(&server, &offline_args);
    assert!(
        offline.contains("over TLS") || offline.lines().count() > 5,
        "{offline}"
    );

    // Each mode that encrypts reads the whole stream, as the files read offline; the
    // server counts one more finished TLS handshake each time.
    for options in [
        "ssl-mode=required".to_string(),
        // The default over TCP: preferred.
        String::new(),
        format!("ssl-ca={ca}"),
        format!("ssl-mode=verify-identity&ssl-ca={ca}"),
    ] {
        let host = if options.contains("verify-identity") {
            "localhost"
        } else {
            "127.0.0.1"
        };
        let url = server.tcp_url("secure", host, &options);
        let before = server.status("Ssl_finished_accepts");
        let remote = thl(&["events", "-remote", &url], "secret").ok();
        assert_eq!(remote, offline, "{url}");
        assert_eq!(server.status("Ssl_finished_accepts"), before + 1, "{url}");
    }
    // Over the unix socket too, when asked.
    let url = format!("{}&ssl-mode=required", server.url("secure"));
    let before = server.status("Ssl_finished_accepts");
    assert_eq!(thl(&["events", "-remote", &url], "secret").ok(), offline);
    assert_eq!(server.status("Ssl_finished_accepts"), before + 1);

    // Without TLS the account is refused by the server.
    let url = server.tcp_url("secure", "127.0.0.1", "ssl-mode=disabled");
    assert_eq!(
        thl(&["events", "-remote", &url], "secret")
            .fails()
            .trim_end(),
        format!(
            "Fatal error: {}: server error 1045: Access denied for user 'secure'@'localhost' \
             (using password: YES)",
            server.tcp_url("secure", "127.0.0.1", "")
        )
    );

    // A server that takes TCP connections only encrypted: any mode that encrypts
    // works, `disabled` (which worked before) is refused by the server, which says
    // only "access denied".
    let plain = server.tcp_url("repl", "127.0.0.1", "ssl-mode=disabled");
    assert_eq!(thl(&["events", "-remote", &plain], "secret").ok(), offline);
    server.sql("SET GLOBAL require_secure_transport = ON");
    let url = server.tcp_url("repl", "127.0.0.1", "ssl-mode=required");
    assert_eq!(thl(&["events", "-remote", &url], "secret").ok(), offline);
    assert_eq!(
        thl(&["events", "-remote", &plain], "secret").fails(),
        format!(
            "Fatal error: {}: server error 1045: Access denied for user 'repl'@'localhost' \
             (using password: YES)\n",
            server.tcp_url("repl", "127.0.0.1", "")
        )
    );

    // Certificates that do not hold are refused before the password is sent.
    let key = dir.join("server-key.pem").display().to_string();
    let refusals: Vec<String> = [
        ("127.0.0.1", format!("ssl-mode=verify-ca&ssl-ca={other_ca}")),
        ("127.0.0.1", format!("ssl-mode=verify-identity&ssl-ca={ca}")),
        ("127.0.0.1", format!("ssl-ca={ca}.missing")),
        ("127.0.0.1", format!("ssl-ca={key}")),
    ]
    .iter()
    .map(|(host, options)| {
        let url = server.tcp_url("secure", host, options);
        thl(&["events", "-remote", &url], "secret").fails()
    })
    .collect();
    let server_name = server.tcp_url("secure", "127.0.0.1", "");
    assert_eq!(
        refusals,
        [
            format!(
                "Fatal error: {server_name}: the server's certificate is not signed by a CA of \
                 ssl-ca {other_ca}\n"
            ),
            format!(
                "Fatal error: {server_name}: the server's certificate is signed by a CA of ssl-ca \
                 {ca} but not issued for the URL's host (certificate not valid for name \
                 \"127.0.0.1\"; certificate is only valid for DnsName(\"localhost\")); \
                 ssl-mode=verify-ca does not check the name\n"
            ),
            format!(
                "Fatal error: {server_name}: ssl-ca {ca}.missing: I/O error: No such file or \
                 directory (os error 2)\n"
            ),
            format!("Fatal error: {server_name}: ssl-ca {key}: no certificate in it\n"),
        ]
    );
}

#[test]
fn accounts_and_gtid_starts_the_server_refuses() {
    require_mariadb!();
    let server = Server::start_with(&LOG_BIN, false, |_| Vec::new());
    server.sql(
        "INSTALL SONAME 'auth_ed25519';
         CREATE USER ed@localhost IDENTIFIED VIA ed25519 USING PASSWORD('secret');
         GRANT REPLICATION SLAVE ON *.* TO ed@localhost;
         CREATE USER repl@localhost IDENTIFIED BY 'secret';
         GRANT REPLICATION SLAVE ON *.* TO repl@localhost;
         CREATE USER reader@localhost IDENTIFIED BY 'secret';
         CREATE DATABASE shop;
         CREATE TABLE shop.t (id INT PRIMARY KEY, v TEXT);
         INSERT INTO shop.t VALUES (1, 'first');
         INSERT INTO shop.t VALUES (2, 'second');",
    );
    let name = |user: &str| server.url(user);
    let version = server.version();

    // MariaDB's ed25519 plugin, through mysql_common's client side of it.
    let by_ed25519 = thl(&["events", "-remote", &server.url("ed")], "secret").ok();
    let by_password = thl(&["events", "-remote", &server.url("repl")], "secret").ok();
    assert_eq!(by_ed25519, by_password);
    assert!(by_password.contains("WRITE_ROWS_EVENT"), "{by_password}");

    // A MariaDB GTID start: the transactions after it, and none before.
    let after = thl(
        &[
            "events",
            "-remote",
            &server.url("repl"),
            "-start-gtid",
            "0-1-8",
        ],
        "secret",
    )
    .ok();
    assert!(after.contains("BEGIN GTID 0-1-9"), "{after}");
    assert!(!after.contains("GTID 0-1-8"), "{after}");

    let refusals: Vec<String> = [
        ("ed", "wrong", None),
        ("reader", "secret", None),
        ("repl", "secret", Some("0-1-999")),
        (
            "repl",
            "secret",
            Some("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"),
        ),
    ]
    .iter()
    .map(|(user, password, gtid)| {
        let url = server.url(user);
        let mut args = vec!["events", "-remote", &url];
        if let Some(gtid) = gtid {
            args.extend(["-start-gtid", gtid]);
        }
        thl(&args, password).fails()
    })
    .collect();

    // A GTID whose log was purged. The server keeps a log until its storage engines
    // have checkpointed past it (the binlog checkpoint event), so the purge is asked
    // for again until the first log is gone.
    server.sql("FLUSH BINARY LOGS");
    let first = server.logs()[0].clone();
    for _ in 0..100 {
        let logs = server.logs();
        if logs[0] != first {
            break;
        }
        server.sql(&format!("PURGE BINARY LOGS TO '{}'", logs[logs.len() - 1]));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_ne!(server.logs()[0], first, "the first log was never purged");
    let purged = thl(
        &[
            "events",
            "-remote",
            &server.url("repl"),
            "-start-gtid",
            "0-1-1",
        ],
        "secret",
    )
    .fails();
    assert_eq!(
        [refusals, vec![purged]].concat(),
        [
            format!(
                "Fatal error: {}: server error 1045: Access denied for user 'ed'@'localhost' \
                 (using password: YES)\n",
                name("ed")
            ),
            format!(
                "Fatal error: {}, the first log at 4: server error 1045: Access denied for \
                 user 'reader'@'localhost' (using password: YES) (registering as a replica \
                 needs the REPLICATION SLAVE privilege)\n",
                name("reader")
            ),
            format!(
                "Fatal error: {}, after GTID 0-1-999: server error 1236: Error: connecting \
                 slave requested to start from GTID 0-1-999, which is not in the master's \
                 binlog\n",
                name("repl")
            ),
            format!(
                "Fatal error: {}, after GTID set 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5: \
                 '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5' is a MySQL GTID set, but the \
                 server is MariaDB ({version}): give a MariaDB GTID position \
                 (domain-server-sequence[,...])\n",
                name("repl")
            ),
            format!(
                "Fatal error: {}, after GTID 0-1-1: server error 1236: Could not find GTID \
                 state requested by slave in any binlog files. Probably the slave state is too \
                 old and required binlog files have been purged.\n",
                name("repl")
            ),
        ]
    );
}

#[test]
fn a_server_without_binary_logs_or_tls_says_so() {
    require_mariadb!();
    let server = Server::start_with(&["--skip-log-bin"], false, |_| Vec::new());
    server.sql(
        "CREATE USER repl@localhost IDENTIFIED BY 'secret';
         GRANT REPLICATION SLAVE ON *.* TO repl@localhost;",
    );
    let url = server.url("repl");
    let name = url.clone();
    assert_eq!(
        thl(&["events", "-remote", &url], "secret").fails(),
        format!(
            "Fatal error: {name}, the first log at 4: server error 1236: Binary log is not open\n"
        )
    );
    let url = format!("{url}&ssl-mode=required");
    assert_eq!(
        thl(&["events", "-remote", &url], "secret").fails(),
        format!(
            "Fatal error: {name}: the server does not offer TLS, and the URL's ssl-mode \
             requires it (ssl-mode=preferred connects without)\n"
        )
    );
}
