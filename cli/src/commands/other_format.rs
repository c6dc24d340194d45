//! Pointing a user who gave the wrong kind of log to the command that reads it: `thl
//! events` on a THL file, `thl list`/`index`/`info` on binary logs. Only consulted once
//! a command has already failed, to add a hint to its message.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use replog::input::{sniff, Format};

/// At most this many files of a directory are opened to look for a binary log.
const FILES_TRIED: usize = 256;

/// ` (a Tungsten THL file: list it with thl -dir DIR list -file NAME)` when `bytes`
/// (the input `name` of `thl events`) start with the THL magic.
pub fn thl_hint(name: &str, bytes: &[u8]) -> Option<String> {
    if sniff(bytes) != Some(Format::Thl) {
        return None;
    }
    let path = Path::new(name);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.display().to_string(),
        _ => ".".into(),
    };
    let file = path
        .file_name()
        .map_or(name.into(), |f| f.to_string_lossy());
    Some(format!(
        " (a Tungsten THL file: list it with thl -dir {dir} list -file {file})"
    ))
}

/// ` (PATH is a MySQL/MariaDB binary log: read it with thl events -file PATH)` when the
/// file at `path` is one, or, for a directory, the same about the first binary log in
/// it (in name order).
pub fn binlog_hint(path: &Path) -> Option<String> {
    if path.is_dir() {
        let log = binlog_in(path)?;
        return Some(format!(
            " ({} holds MySQL/MariaDB binary logs, not THL: read them with thl events -file {})",
            path.display(),
            log.display()
        ));
    }
    is_binlog(path).then(|| {
        format!(
            " ({0} is a MySQL/MariaDB binary log: read it with thl events -file {0})",
            path.display()
        )
    })
}

fn binlog_in(dir: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files.into_iter().take(FILES_TRIED).find(|p| is_binlog(p))
}

fn is_binlog(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    path.is_file()
        && File::open(path)
            .and_then(|mut f| f.read_exact(&mut magic))
            .is_ok()
        && sniff(&magic) == Some(Format::Binlog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thl_files_are_pointed_to_thl_list() {
        let thl = [0xc0, 0x01, 0xca, 0xfe, 0, 1];
        assert_eq!(
            thl_hint("/logs/alpha/thl.data.0000000002", &thl).as_deref(),
            Some(" (a Tungsten THL file: list it with thl -dir /logs/alpha list -file thl.data.0000000002)")
        );
        assert_eq!(
            thl_hint("thl.data.0000000001", &thl).as_deref(),
            Some(" (a Tungsten THL file: list it with thl -dir . list -file thl.data.0000000001)")
        );
        assert_eq!(thl_hint("x", b"\xfebin"), None);
    }

    #[test]
    fn binary_logs_are_pointed_to_thl_events() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(binlog_hint(dir.path()), None);
        std::fs::write(dir.path().join("notes.txt"), b"hello").unwrap();
        let log = dir.path().join("mysql-bin.000001");
        std::fs::write(&log, b"\xfebin\x00").unwrap();
        let hint = binlog_hint(dir.path()).unwrap();
        assert!(
            hint.ends_with(&format!("thl events -file {})", log.display())),
            "{hint}"
        );
        let hint = binlog_hint(&log).unwrap();
        assert!(hint.contains("is a MySQL/MariaDB binary log"), "{hint}");
        assert_eq!(binlog_hint(&dir.path().join("notes.txt")), None);
    }
}
