//! The project's own MariaDB logs (`fixtures/mariadb/`, see its README) against the values
//! the server itself reported for them (`expected.json`), and the same check on logs
//! regenerated from scratch by a throwaway server when `mariadbd` is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use replog_tests::project_fixture;
use serde_json::Value as Json;

const LOGS: [&str; 3] = [
    "sample-bin.000001",
    "types-bin.000001",
    "compressed-bin.000001",
];

fn load_json(path: &Path) -> Json {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Where `mariadbd` is, if installed (Debian keeps it in /usr/sbin, often not on PATH).
fn mariadbd() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("mariadbd"))
        .find(|p| p.is_file())
}

/// A fresh, empty directory for this test run, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "replog-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Names the first place two expected.json documents differ (a plain assert_eq! on two
/// 180 KB documents prints nothing readable).
fn first_difference(path: &str, a: &Json, b: &Json) -> Option<String> {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let (va, vb) = (x.get(key), y.get(key));
                match (va, vb) {
                    (Some(va), Some(vb)) => {
                        if let Some(d) = first_difference(&format!("{path}.{key}"), va, vb) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{path}.{key}: {va:?} vs {vb:?}")),
                }
            }
            None
        }
        (Json::Array(x), Json::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(&format!("{path}[{i}]"), va, vb) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} entries vs {}", x.len(), y.len()))
        }
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

/// Regenerates the logs with fixtures/mariadb/generate.sh and checks that the server
/// reports exactly the committed values for them. Under CI=true this must run; locally
/// it is skipped, loudly, when MariaDB is not installed.
#[test]
fn regenerated_logs_carry_the_committed_values() {
    if mariadbd().is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but mariadbd is not installed: .ci/run must install mariadb-server"
        );
        eprintln!(
            "\n*** SKIPPED regenerated_logs_carry_the_committed_values: mariadbd not found \
             (install Debian's mariadb-server to run it; CI always does) ***\n"
        );
        return;
    }
    let script = project_fixture("mariadb/generate.sh");
    let out = TempDir::new("mariadb-regen");
    let run = Command::new("bash")
        .arg(&script)
        .arg(&out.0)
        .output()
        .expect("running bash fixtures/mariadb/generate.sh");
    assert!(
        run.status.success(),
        "generate.sh failed ({}):\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );

    let committed = load_json(&project_fixture("mariadb/expected.json"));
    let fresh = load_json(&out.0.join("expected.json"));
    if let Some(diff) = first_difference("files", &fresh["files"], &committed["files"]) {
        panic!("regenerated values differ from fixtures/mariadb/expected.json at {diff}");
    }
    for log in LOGS {
        let bytes = std::fs::read(out.0.join(log)).expect("a regenerated log");
        assert_eq!(bytes.get(..4), Some(&b"\xfebin"[..]), "{log}: binlog magic");
    }
}
