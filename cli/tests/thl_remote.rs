//! `-remote`: `thl events`, `thl backup` and `thl extract` reading a live MariaDB server
//! over the replication protocol, against the same commands on the server's own files.
//!
//! One throwaway server (fixtures/mariadb/server.sh: temp datadir, unix socket only)
//! serves every check; a replication account logs in with a password. Skipped with a
//! notice when MariaDB is not installed.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{thl_command, Run};

/// A server started for the test (binary logs `mariadb-bin.*`, row format, plus the
/// options the test asks for), shut down when dropped.
struct Server {
    dir: tempfile::TempDir,
    options: Vec<String>,
    /// The loopback port it listens on, when started with [`Server::start_with`]'s
    /// `tcp`.
    port: Option<u16>,
}

impl Server {
    /// A server with `options`, listening on a free loopback port as well as its socket
    /// when `tcp`; `more` gives further options from the server's directory
    /// (certificates written there). `None` when MariaDB is not installed.
    fn start_with(
        options: &[&str],
        tcp: bool,
        more: impl FnOnce(&Path) -> Vec<String>,
    ) -> Option<Server> {
        replog_tests::installed("mariadbd")?;
        let dir = tempfile::tempdir().unwrap();
        // The test's options come after these, and a later option wins
        // (`--skip-log-bin`).
        let mut all = vec!["--log-bin=mariadb-bin".into(), "--binlog-format=ROW".into()];
        all.extend(options.iter().map(|o| o.to_string()));
        all.extend(more(dir.path()));
        let port = tcp.then(|| {
            // A port the kernel has just handed out and taken back: free, short of a
            // race with another program in the next instant.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            // server.sh passes --skip-networking first; a later option wins.
            all.extend([
                "--skip-networking=0".to_string(),
                "--bind-address=127.0.0.1".to_string(),
                format!("--port={port}"),
            ]);
            port
        });
        let server = Server {
            dir,
            options: all,
            port,
        };
        server.script("server_start");
        Some(server)
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

    /// Runs a function of fixtures/mariadb/server.sh on the server's directory.
    fn script(&self, function: &str) {
        let script = format!(
            "source {}/../fixtures/mariadb/server.sh && {function} {} {} >/dev/null",
            env!("CARGO_MANIFEST_DIR"),
            self.dir.path().display(),
            self.options.join(" ")
        );
        let status = Command::new("bash").arg("-c").arg(script).status().unwrap();
        assert!(status.success(), "{function}: the server did not start");
    }

    /// The server again on its data directory.
    fn restart(&self) {
        self.script("server_run");
    }

    /// A clean shutdown, waited for.
    fn shutdown(&self) {
        let pid = self.pid();
        let _ = Command::new("mariadb-admin")
            .args(["--no-defaults", "-uroot"])
            .arg(format!("--socket={}", self.socket().display()))
            .arg("shutdown")
            .status();
        wait_gone(pid);
    }

    /// SIGKILL, as a crash: the binary log stays as the server last wrote it.
    fn crash(&self) {
        let pid = self.pid();
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .status();
        wait_gone(pid);
    }

    fn pid(&self) -> u32 {
        let text = std::fs::read_to_string(self.dir.path().join("mysqld.pid")).unwrap();
        text.trim().parse().unwrap()
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
        let out = self.run_sql(sql);
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs `sql` as root; what it printed, tab-separated.
    fn run_sql(&self, sql: &str) -> std::process::Output {
        Command::new("mariadb")
            .args(["--no-defaults", "-uroot", "-N", "-B"])
            .arg(format!("--socket={}", self.socket().display()))
            .args(["-e", sql])
            .output()
            .unwrap()
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
        // Quietly: a test may have left the server crashed.
        let _ = Command::new("mariadb-admin")
            .args(["--no-defaults", "-uroot"])
            .arg(format!("--socket={}", self.socket().display()))
            .arg("shutdown")
            .stderr(Stdio::null())
            .status();
    }
}

/// Waits until process `pid` is gone (or a zombie nobody reaps).
fn wait_gone(pid: u32) {
    let stat = format!("/proc/{pid}/stat");
    let deadline = Instant::now() + Duration::from_secs(120);
    while let Ok(text) = std::fs::read_to_string(&stat) {
        if text
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z'))
        {
            return;
        }
        assert!(Instant::now() < deadline, "process {pid} does not end");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Skips the test (fails it under CI=true) when MariaDB is not installed.
macro_rules! server_or_skip {
    ($options:expr) => {
        server_or_skip!($options, false, |_| Vec::new())
    };
    ($options:expr, $tcp:expr, $more:expr) => {
        match Server::start_with($options, $tcp, $more) {
            Some(server) => server,
            None => replog_tests::skip_unless_required!(
                "mariadbd is not installed",
                "install MariaDB (Debian: mariadb-server mariadb-client)"
            ),
        }
    };
}

/// A `thl` run in the background, its output collected as it comes.
struct Background {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Standard output while nobody reads it (see [`Background::read_stdout`]).
    unread: Option<std::process::ChildStdout>,
}

/// How long a background run may take to get somewhere before the test fails.
const PATIENCE: Duration = Duration::from_secs(120);

impl Background {
    /// Starts `thl ARGS` with the replication account's password; its output is read
    /// as it comes.
    fn start(args: &[&str]) -> Background {
        let mut run = Background::start_unread(args);
        run.read_stdout();
        run
    }

    /// The same, but nobody reads its standard output until [`Background::read_stdout`]:
    /// once the pipe is full, it waits in the middle of what it prints.
    fn start_unread(args: &[&str]) -> Background {
        let mut child = thl_command()
            .env("MYSQL_PWD", "secret")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        collect(child.stderr.take().unwrap(), &stderr);
        Background {
            unread: child.stdout.take(),
            child,
            stdout: Arc::new(Mutex::new(Vec::new())),
            stderr,
        }
    }

    fn read_stdout(&mut self) {
        if let Some(pipe) = self.unread.take() {
            collect(pipe, &self.stdout);
        }
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Waits until `reached` holds, failing if the run ends or takes too long.
    fn wait_for(&mut self, what: &str, mut reached: impl FnMut(&Background) -> bool) {
        self.wait_until(what, |run| {
            (!reached(run)).then(|| "not reached".to_string())
        });
    }

    /// Waits until `missing` says nothing is missing any more, failing (with what was
    /// missing last) if the run ends or takes too long.
    fn wait_until(&mut self, what: &str, mut missing: impl FnMut(&Background) -> Option<String>) {
        let deadline = Instant::now() + PATIENCE;
        while let Some(why) = missing(self) {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "thl ended ({status}) before {what} ({why}): {}",
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{what}: {why}; stderr: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for the run to end; its exit status and stderr.
    fn wait(mut self) -> (i32, String) {
        let status = self.child.wait().unwrap();
        // The readers drain the pipes after the exit.
        std::thread::sleep(Duration::from_millis(200));
        (status.code().unwrap_or(-1), self.stderr())
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// SIGKILL: a run cut at any point.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Appends what `pipe` gives to `into`, on a thread, until it closes.
fn collect(mut pipe: impl Read + Send + 'static, into: &Arc<Mutex<Vec<u8>>>) {
    let into = Arc::clone(into);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            into.lock().unwrap().extend_from_slice(&buffer[..n]);
        }
    });
}

/// Whether `dir` holds every binary log of the server, byte for byte.
fn backup_matches(server: &Server, dir: &Path) -> bool {
    backup_difference(server, dir).is_none()
}

/// The first binary log of the server that `dir` does not hold byte for byte, and how.
///
/// One byte may differ, in one case: a server killed while it rotates, after writing the
/// ROTATE and before clearing the in-use flag of the file it closes, leaves that file
/// with both, and nothing in the stream tells so (the server sends every format
/// description with the flag cleared); the backup has the ROTATE and clears the flag.
fn backup_difference(server: &Server, dir: &Path) -> Option<String> {
    server.logs().iter().find_map(|name| {
        let (ours, theirs) = (dir.join(name), server.data().join(name));
        let (ours, theirs) = (std::fs::read(ours).ok(), std::fs::read(theirs).ok());
        match (&ours, &theirs) {
            (Some(a), Some(b)) if a == b => None,
            (Some(a), Some(b)) if killed_while_rotating(a, b) => None,
            (Some(a), Some(b)) => {
                let at = a.iter().zip(b).position(|(x, y)| x != y);
                let bytes = at.map(|i| (a[i], b[i]));
                Some(format!(
                    "{name}: {} bytes against the server's {}, first difference at {at:?} \
                     (ours, theirs: {bytes:?})",
                    a.len(),
                    b.len()
                ))
            }
            _ => Some(format!("{name}: missing")),
        }
    })
}

/// Whether `theirs` is a file the server was killed in while rotating (it ends with a
/// ROTATE and keeps its in-use flag) and `ours` is the same but for the flag.
fn killed_while_rotating(ours: &[u8], theirs: &[u8]) -> bool {
    const FLAGS_AT: usize = 4 + 17;
    let last_is_rotate = replog::binlog::Frames::new("server", theirs, Default::default())
        .ok()
        .and_then(|frames| frames.map_while(Result::ok).last())
        .is_some_and(|event| event.event_type == replog::binlog::EventType::ROTATE);
    let mut flag_cleared = theirs.to_vec();
    if let Some(flags) = flag_cleared.get_mut(FLAGS_AT) {
        *flags &= !1;
    }
    let differs = theirs.get(FLAGS_AT) != ours.get(FLAGS_AT);
    if differs && last_is_rotate && flag_cleared == ours {
        eprintln!("the server was killed while rotating: its file keeps the in-use flag");
        return true;
    }
    false
}

/// The manifest is right: every file of the server with its size, all closed but the
/// last.
fn check_manifest(server: &Server, dir: &Path) {
    let manifest = std::fs::read_to_string(dir.join("backup.manifest")).unwrap();
    let logs = server.logs();
    let expected: String = logs
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let size = std::fs::metadata(server.data().join(name)).unwrap().len();
            let state = if i + 1 == logs.len() {
                "open"
            } else {
                "closed"
            };
            format!("{name}\t{size}\t{state}\n")
        })
        .collect();
    assert_eq!(manifest, expected);
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
    let server = server_or_skip!(&[]);
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

    // -stop-position: the first event at or past it in the log the stream starts in
    // ends the run, as offline in that log.
    let stop_in = |file: &str, stop: &str| {
        let remote = thl(
            &[
                "events",
                "-remote",
                &url,
                "-file",
                file,
                "-stop-position",
                stop,
            ],
            "secret",
        )
        .ok();
        let offline = thl_offline(&server, &["events", "-stop-position", stop, "-file", file]);
        assert!(offline.lines().count() > 3, "{offline}");
        assert_eq!(remote, offline);
    };
    stop_in(&logs[1], "600");
    stop_in(&logs[1], "100000");

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

/// A binary log the server closed before any statement ran holds no transaction: an
/// extraction of it says so and leaves no directory and no empty THL behind.
#[test]
fn an_extraction_that_finds_no_transaction_writes_no_log() {
    let server = server_or_skip!(&[]);
    server.sql("FLUSH BINARY LOGS; CREATE DATABASE later");
    let logs = server.logs();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("thl");
    let run = thl_command()
        .current_dir(server.data())
        .args([
            "extract",
            "-service",
            "s",
            "-source-id",
            "h",
            "-file",
            &logs[0],
        ])
        .arg("-dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        format!(
            "INFO No transaction in the binary logs given; no log written in {}\n",
            dir.display()
        )
    );
    assert!(!dir.exists(), "{} was created", dir.display());
    // The next log holds the CREATE DATABASE: the same run over both writes it.
    let run = thl_command()
        .current_dir(server.data())
        .args(["extract", "-service", "s", "-source-id", "h", "-file"])
        .args(&logs[..2])
        .arg("-dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert!(
        String::from_utf8_lossy(&run.stderr)
            .starts_with("INFO Extracted 1 transactions, seqno 0 to 0"),
        "{run:?}"
    );
    assert!(dir.join("thl.data.0000000001").exists());
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
    // A new log is created with its first transaction: a refused connection leaves none.
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("thl");
    let extract = [
        "extract",
        "-remote",
        "mysql://repl@127.0.0.1:1",
        "-service",
        "s",
        "-dir",
        log.to_str().unwrap(),
    ];
    assert!(thl(&extract, "x").fails().contains("Connection refused"));
    assert!(
        !log.exists(),
        "a failed first connection created {}",
        log.display()
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
        "-password-file, -stop-never, -start-gtid, -retry, -retry-max-seconds and \
         -heartbeat-period go with -remote URL"
    );
    let url = "mysql://repl@127.0.0.1:1";
    assert_eq!(
        thl(&["events", "-remote", url, "-retry", "3"], "x")
            .fails()
            .trim_end(),
        "-retry, -retry-max-seconds and -heartbeat-period go with -stop-never"
    );
    assert_eq!(
        thl(
            &[
                "backup",
                "-remote",
                url,
                "-dir",
                "x",
                "-stop-never",
                "-heartbeat-period",
                "-1"
            ],
            "x"
        )
        .fails()
        .trim_end(),
        "Invalid -heartbeat-period -1: seconds from 0 (none) to 4294967"
    );
    assert_eq!(
        thl(
            &[
                "events",
                "-remote",
                url,
                "-stop-never",
                "-retry-max-seconds",
                "0"
            ],
            "x"
        )
        .fails()
        .trim_end(),
        "Invalid -retry-max-seconds 0: a number of seconds above 0"
    );
    // The first connection is not retried, -stop-never or not.
    let out = tempfile::tempdir().unwrap();
    let thl_dir = out.path().join("thl");
    assert_eq!(
        thl(
            &[
                "extract",
                "-remote",
                url,
                "-service",
                "s",
                "-stop-never",
                "-dir",
                thl_dir.to_str().unwrap(),
            ],
            "x"
        )
        .fails()
        .trim_end(),
        "Fatal error: mysql://repl@127.0.0.1:1: cannot connect: Connection refused (os error 111)"
    );
}

/// The THL files of `dir` (none while it does not exist), by name, with their bytes.
fn thl_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("thl.data."))
        .filter_map(|n| Some((n.clone(), std::fs::read(dir.join(&n)).ok()?)))
        .collect();
    files.sort();
    files
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The options of a followed stream in these tests: reconnection attempts at most a
/// second apart.
const FOLLOW: [&str; 3] = ["-stop-never", "-retry-max-seconds", "1"];

/// A reconnection notice's two positions: where the stream was when it failed, and
/// where the new stream is asked to start.
fn dropped_and_resumed<'l>(line: &'l str, server: &str) -> Option<(&'l str, &'l str)> {
    let rest = line.strip_prefix("WARN ")?.strip_prefix(server)?;
    let (dropped, rest) = rest.strip_prefix(", ")?.split_once(": ")?;
    Some((dropped, rest.rsplit_once(" to resume at ")?.1))
}

#[test]
fn followers_resume_after_the_server_restarts() {
    let server = server_or_skip!(&["--max-binlog-size=1048576"]);
    server.sql(
        "CREATE USER repl@localhost IDENTIFIED BY 'secret';
         GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO repl@localhost;
         CREATE DATABASE shop;
         CREATE TABLE shop.big (n INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(2000));
         CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(10,2));
         INSERT INTO shop.items VALUES (1, 'tea', 3.50), (2, 'café', 12.00);",
    );
    let url = server.url("repl");
    let out = tempfile::tempdir().unwrap();
    let backup_dir = out.path().join("backup");
    let live_dir = out.path().join("live");
    let offline_dir = out.path().join("offline");
    let with_follow = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(FOLLOW.iter())
            .map(|a| a.to_string())
            .collect()
    };
    let events_args = with_follow(&["events", "-remote", &url]);
    let mut events = Background::start_unread(&strs(&events_args));
    let backup_args = with_follow(&[
        "backup",
        "-remote",
        &url,
        "-dir",
        backup_dir.to_str().unwrap(),
    ]);
    let mut backup = Background::start(&strs(&backup_args));
    let extract_args = with_follow(&[
        "extract",
        "-remote",
        &url,
        "-service",
        "s",
        "-source-id",
        "h",
        "-dir",
        live_dir.to_str().unwrap(),
    ]);
    let extract = Background::start(&strs(&extract_args));

    // A transaction of about 8 MB, far more than the pipe and the socket hold: `events`,
    // whose output nobody reads yet, waits in the middle of it when the server crashes.
    server.sql(
        "USE shop; INSERT INTO shop.big (body) SELECT REPEAT(CHAR(65 + seq % 26), 1000) \
         FROM seq_1_to_8000",
    );
    backup.wait_for("the backup holding the large transaction", |_| {
        backup_matches(&server, &backup_dir)
    });
    server.crash();
    server.restart();
    events.read_stdout();
    server.sql(
        "UPDATE shop.items SET price = price + 1;
         FLUSH BINARY LOGS;
         INSERT INTO shop.items VALUES (3, 'rice', 2.25);",
    );
    // A clean shutdown: the server writes STOP and ends the streams.
    server.shutdown();
    server.restart();
    server.sql(
        "BEGIN; DELETE FROM shop.items WHERE id = 1; UPDATE shop.big SET body = 'short' \
         WHERE n < 10; COMMIT;",
    );

    let logs = server.logs();
    let mut offline_args = vec!["events", "-file"];
    offline_args.extend(logs.iter().map(String::as_str));
    let offline = thl_offline(&server, &offline_args);
    events.wait_for("events printing every event", |run| {
        run.stdout().len() >= offline.len()
    });
    assert!(
        events.stdout() == offline,
        "the live listing differs from the files'"
    );
    let notices = events.stderr();
    let inside = notices
        .lines()
        .filter_map(|l| dropped_and_resumed(l, &url))
        .find(|(dropped, resumed)| dropped != resumed);
    assert!(
        inside.is_some(),
        "no drop in the middle of a transaction: {notices}"
    );
    assert!(notices.contains("INFO "), "{notices}");

    backup.wait_until("the backup equal to the server's files", |_| {
        backup_difference(&server, &backup_dir)
    });
    let mut offline_extract = vec!["extract", "-service", "s", "-source-id", "h", "-file"];
    offline_extract.extend(logs.iter().map(String::as_str));
    offline_extract.extend(["-dir", offline_dir.to_str().unwrap()]);
    thl_offline(&server, &offline_extract);
    let offline_thl = thl_files(&offline_dir);
    let mut extract = extract;
    extract.wait_for("live extraction equal to offline", |_| {
        thl_files(&live_dir) == offline_thl
    });
    events.kill();
    extract.kill();
    backup.kill();
    // A one-pass run finds nothing new and leaves the manifest final.
    thl(
        &strs(&backup_args[..backup_args.len() - FOLLOW.len()]),
        "secret",
    )
    .ok();
    check_manifest(&server, &backup_dir);
}

#[test]
fn an_idle_stream_is_kept_by_heartbeats_and_a_refused_login_is_not_retried() {
    let server = server_or_skip!(&[]);
    server.sql(
        "CREATE USER repl@localhost IDENTIFIED BY 'secret';
         GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO repl@localhost;
         CREATE DATABASE shop;
         CREATE TABLE shop.notes (n INT AUTO_INCREMENT PRIMARY KEY, t TEXT);
         INSERT INTO shop.notes (t) VALUES ('before');",
    );
    let url = server.url("repl");
    // Heartbeats every 0.2 s; with no reconnection, two silent periods would end the
    // run ("nothing received for 0.4 s").
    let mut events = Background::start(&[
        "events",
        "-remote",
        &url,
        "-v",
        "-stop-never",
        "-heartbeat-period",
        "0.2",
        "-retry-max-seconds",
        "0.2",
    ]);
    events.wait_for("the first row", |run| run.stdout().contains("'before'"));
    let out = tempfile::tempdir().unwrap();
    let backup_dir = out.path().join("backup");
    let mut backup = Background::start(&[
        "backup",
        "-remote",
        &url,
        "-dir",
        backup_dir.to_str().unwrap(),
        "-stop-never",
        "-heartbeat-period",
        "0.2",
    ]);
    // Idle for many heartbeat periods.
    std::thread::sleep(Duration::from_secs(3));
    assert!(events.running(), "{}", events.stderr());
    server.sql("INSERT INTO shop.notes (t) VALUES ('after the silence')");
    events.wait_for("the row after the silence", |run| {
        run.stdout().contains("'after the silence'")
    });
    assert_eq!(events.stderr(), "");
    // The idle backup syncs what it wrote at a heartbeat: the manifest has the row.
    backup.wait_for("the manifest synced while idle", |_| {
        let manifest = std::fs::read_to_string(backup_dir.join("backup.manifest"));
        let active = server.logs().last().unwrap().clone();
        let size = std::fs::metadata(server.data().join(&active))
            .unwrap()
            .len();
        manifest.is_ok_and(|m| m.ends_with(&format!("{active}\t{size}\topen\n")))
    });
    assert!(backup_matches(&server, &backup_dir));
    backup.kill();

    // The account's password changes and the stream is cut: the server's refusal is
    // not retried, and the message says where the stream stood.
    server.sql("ALTER USER repl@localhost IDENTIFIED BY 'changed'");
    let active = server.logs().last().unwrap().clone();
    let size = std::fs::metadata(server.data().join(&active))
        .unwrap()
        .len();
    let dump = server
        .run_sql("SELECT id FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'");
    let id = String::from_utf8(dump.stdout).unwrap();
    server.sql(&format!("KILL {}", id.trim()));
    let (code, stderr) = events.wait();
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    let (dropped, resumed) = dropped_and_resumed(lines[0], &url).expect(lines[0]);
    let here = format!("{active} at {size}");
    assert_eq!((dropped, resumed), (here.as_str(), here.as_str()));
    assert_eq!(
        lines[1],
        format!(
            "Fatal error: {url}, {here}: server error 1045: Access denied for user \
             'repl'@'localhost' (using password: YES)"
        )
    );

    // A server that stays away: the attempts -retry allows, then the last failure.
    server.sql("ALTER USER repl@localhost IDENTIFIED BY 'secret'");
    let mut events = Background::start(&[
        "events",
        "-remote",
        &url,
        "-stop-never",
        "-retry",
        "2",
        "-retry-max-seconds",
        "0.1",
    ]);
    let mut offline_args = vec!["events", "-file"];
    let logs = server.logs();
    offline_args.extend(logs.iter().map(String::as_str));
    let offline = thl_offline(&server, &offline_args);
    events.wait_for("the last event", |run| run.stdout().len() >= offline.len());
    let size = std::fs::metadata(server.data().join(&active))
        .unwrap()
        .len();
    server.crash();
    let (code, stderr) = events.wait();
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert_eq!(
        lines[2],
        format!(
            "Fatal error: {url}, {active} at {size}: gave up after 2 attempts to reconnect: \
             cannot connect: Connection refused (os error 111)"
        )
    );
}

/// A small deterministic generator (xorshift64*): the kill test's choices come from
/// its seed, so a failing run can be repeated.
struct Choices(u64);

impl Choices {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// Says the seed when the test fails.
struct SeedOnFailure(u64);

impl Drop for SeedOnFailure {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "random kills with seed {0}: REPLOG_KILL_SEED={0} repeats the choices",
                self.0
            );
        }
    }
}

#[test]
fn a_backup_and_an_extraction_killed_at_random_with_their_server_still_equal_its_files() {
    let seed = std::env::var("REPLOG_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.map_or(1, |d| d.as_nanos() as u64) | 1
        });
    let _seed = SeedOnFailure(seed);
    let mut choices = Choices(seed);
    // Files rotate every 4 KiB (the smallest max_binlog_size) and on FLUSH BINARY LOGS.
    let server = server_or_skip!(&["--max-binlog-size=4096"]);
    server.sql(
        "CREATE USER repl@localhost IDENTIFIED BY 'secret';
         GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO repl@localhost;
         CREATE DATABASE shop;
         CREATE TABLE shop.counts (n INT AUTO_INCREMENT PRIMARY KEY, v INT, note VARCHAR(200));",
    );
    let url = server.url("repl");
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("backup");
    let args: Vec<String> = ["backup", "-remote", &url, "-dir", dir.to_str().unwrap()]
        .into_iter()
        .chain(["-stop-never", "-retry-max-seconds", "0.3"])
        .map(String::from)
        .collect();

    // The workload: small transactions and rotations, failing quietly while the server
    // is down.
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let socket = server.socket();
    let workload = {
        let running = Arc::clone(&running);
        std::thread::spawn(move || {
            let mut i = 0u32;
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                let sql = if i % 9 == 0 {
                    "FLUSH BINARY LOGS".to_string()
                } else {
                    format!(
                        "INSERT INTO shop.counts (v, note) VALUES ({i}, REPEAT('n', {}))",
                        i % 200
                    )
                };
                let _ = Command::new("mariadb")
                    .args(["--no-defaults", "-uroot"])
                    .arg(format!("--socket={}", socket.display()))
                    .args(["-e", &sql])
                    .stderr(Stdio::null())
                    .status();
            }
        })
    };
    let live_dir = out.path().join("live");
    let extract_args: Vec<String> = [
        "extract",
        "-remote",
        &url,
        "-service",
        "s",
        "-source-id",
        "h",
        "-dir",
        live_dir.to_str().unwrap(),
    ]
    .into_iter()
    .chain(["-stop-never", "-retry-max-seconds", "0.3"])
    .map(String::from)
    .collect();
    let mut backup = Background::start(&strs(&args));
    let mut extract = Background::start(&strs(&extract_args));
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(200 + choices.below(1200)));
        // Which of the backup, the extraction and the server die: any of the seven
        // non-empty choices.
        let victims = 1 + choices.below(7);
        let (kill_backup, kill_extract, kill_server) =
            (victims & 1 != 0, victims & 2 != 0, victims & 4 != 0);
        if kill_backup {
            backup.kill();
        }
        if kill_extract {
            extract.kill();
        }
        if kill_server {
            server.crash();
            server.restart();
        }
        if kill_backup {
            backup = Background::start(&strs(&args));
        }
        if kill_extract {
            extract = Background::start(&strs(&extract_args));
        }
    }
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    workload.join().unwrap();
    assert!(server.logs().len() > 5, "{:?}", server.logs());
    backup.wait_until("the backup equal to the server's files", |_| {
        backup_difference(&server, &dir)
    });
    backup.kill();
    // A last one-pass run (after a kill) checks the directory and writes the manifest.
    thl(&strs(&args[..args.len() - 3]), "secret").ok();
    assert!(backup_matches(&server, &dir));
    check_manifest(&server, &dir);

    // The extraction, killed and restarted, equals one offline run over the files.
    let logs = server.logs();
    let offline_dir = out.path().join("offline");
    let mut offline = vec!["extract", "-service", "s", "-source-id", "h", "-file"];
    offline.extend(logs.iter().map(String::as_str));
    offline.extend(["-dir", offline_dir.to_str().unwrap()]);
    thl_offline(&server, &offline);
    let offline_thl = thl_files(&offline_dir);
    assert!(!offline_thl.is_empty());
    extract.wait_for("the extraction equal to offline", |_| {
        thl_files(&live_dir) == offline_thl
    });
    extract.kill();
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
    let server = server_or_skip!(&[], true, certificates);
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
    // A followed stream over TLS: heartbeats keep it while idle, and when the server
    // cuts it, it comes back encrypted (more finished handshakes) and goes on.
    let url = server.tcp_url("secure", "127.0.0.1", "ssl-mode=required");
    let mut events = Background::start(&[
        "events",
        "-remote",
        &url,
        "-stop-never",
        "-heartbeat-period",
        "0.2",
        "-retry-max-seconds",
        "0.2",
    ]);
    events.wait_for("the first rows", |run| run.stdout().contains("over TLS"));
    std::thread::sleep(Duration::from_secs(2));
    assert!(events.running(), "{}", events.stderr());
    assert_eq!(events.stderr(), "");
    let before = server.status("Ssl_finished_accepts");
    let dump =
        server.value("SELECT id FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'");
    server.sql(&format!("KILL {dump}"));
    server.sql("INSERT INTO shop.t VALUES (3, 'after the cut')");
    events.wait_for("the row after the cut", |run| {
        run.stdout().contains("after the cut")
    });
    assert!(server.status("Ssl_finished_accepts") > before);
    assert!(events.stderr().starts_with("WARN "), "{}", events.stderr());
    events.kill();
}

#[test]
fn accounts_and_gtid_starts_the_server_refuses() {
    let server = server_or_skip!(&[]);
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
    let server = server_or_skip!(&["--skip-log-bin"]);
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
