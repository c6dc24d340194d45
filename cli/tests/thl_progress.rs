//! Progress on stderr: drawn when stderr is a terminal, never otherwise.
//!
//! A terminal is given with util-linux `script`, which runs the command on a
//! pseudo-terminal and copies what it draws to its own stdout.

use std::path::PathBuf;
use std::process::Command;

fn small_logs() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/txn/small");
    ["mysql-bin.000001", "mysql-bin.000002", "mysql-bin.000003"]
        .iter()
        .map(|name| dir.join(name).display().to_string())
        .collect()
}

/// What the terminal showed while `thl ARGS…` ran on it, with `stderr_to` (a path)
/// taking stderr away from the terminal when given.
fn on_a_terminal(args: &[String], stderr_to: Option<&str>) -> String {
    let mut line = String::from(env!("CARGO_BIN_EXE_thl"));
    for arg in args {
        line.push_str(&format!(" '{arg}'"));
    }
    if let Some(path) = stderr_to {
        line.push_str(&format!(" 2>'{path}'"));
    }
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .output()
        .expect("util-linux script runs");
    assert!(out.status.success(), "{line}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stats_args() -> Vec<String> {
    let mut args = vec!["stats".to_string(), "-file".to_string()];
    args.extend(small_logs());
    args
}

#[test]
fn a_terminal_sees_progress_wiped_before_the_view() {
    let shown = on_a_terminal(&stats_args(), None);
    let drawn = shown.find('%').expect("a progress line was drawn");
    let line = &shown[..shown[drawn..]
        .find("\x1b[K")
        .map(|end| drawn + end)
        .unwrap()];
    assert!(line.contains(" MB/s  mysql-bin.00000"), "{line:?}");
    let wiped = shown
        .rfind("\r\x1b[K")
        .expect("the line is wiped at the end");
    let view = shown.find("transactions").expect("the stats view");
    assert!(wiped < view, "wiped before the view is printed: {shown:?}");
}

#[test]
fn stderr_elsewhere_gets_no_progress() {
    let dir = std::env::temp_dir().join(format!("thl-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = dir.join("stderr");
    let shown = on_a_terminal(&stats_args(), Some(&err.display().to_string()));
    assert!(shown.contains("transactions"), "{shown:?}");
    assert!(!shown.contains("\x1b[K"), "{shown:?}");
    assert_eq!(std::fs::read_to_string(&err).unwrap(), "");
    std::fs::remove_dir_all(&dir).unwrap();
}
