//! Which files a walk reads (a list, a directory, a `*.index` file) and how each is
//! opened: mapped whole, or read through a window.

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};
use crate::input::{LogBytes, LogWindow, OpenOptions, BINLOG_MAGIC};

use super::Opened;

/// Whether a walk maps `name` whole: a regular file holding a binary log as it is (or
/// a directory, refused by name where logs are opened whole). Only such files can be
/// cut into pieces ([`Stream::walk_in_pieces`](super::Stream::walk_in_pieces)); standard input (`-`), compressed and
/// special files are read through a window, one event at a time ([`Stream::walk`](super::Stream::walk)).
pub fn opens_whole(name: &str) -> bool {
    let path = Path::new(name);
    let starts_as_log = || {
        let mut head = [0u8; BINLOG_MAGIC.len()];
        std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok_and(|()| head == BINLOG_MAGIC)
    };
    name != "-"
        && std::fs::metadata(path).is_ok_and(|m| m.is_dir() || (m.is_file() && starts_as_log()))
}

/// Opens one input: mapped when it [`opens_whole`], else read through a window.
pub(super) fn open(name: &str, options: OpenOptions) -> Result<Opened<'static>, Error> {
    if opens_whole(name) {
        LogBytes::open_with(Path::new(name), options).map(Opened::Whole)
    } else if name == "-" {
        LogWindow::new("<stdin>", std::io::stdin()).map(Opened::Streamed)
    } else {
        LogWindow::open(Path::new(name)).map(Opened::Streamed)
    }
}

/// The base name a server gives the file (`.gz` removed): what eventIds carry.
pub fn log_name(path: &str) -> String {
    let base = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string());
    match base.strip_suffix(".gz") {
        Some(b) => b.to_string(),
        None => base,
    }
}

/// The ordered file list a user means by `names`: a file stands for itself, a
/// `*.index` file for the files it lists (resolved in its directory), and a directory
/// for its index file when it has exactly one, else for its files named
/// `BASE.NNNNNN` (one base name only), in numeric order.
pub fn sequence_of(names: &[String]) -> Result<Vec<String>, Error> {
    let mut files = Vec::new();
    for name in names {
        let path = Path::new(name);
        if path.is_dir() {
            files.extend(directory_sequence(path)?);
        } else if name.ends_with(".index") {
            files.extend(index_sequence(path)?);
        } else {
            files.push(name.clone());
        }
    }
    Ok(files)
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::new(path.display().to_string(), 0, ErrorKind::Io(e))
}

fn index_sequence(index: &Path) -> Result<Vec<String>, Error> {
    let text = std::fs::read_to_string(index).map_err(|e| io_error(index, e))?;
    let dir = index.parent().unwrap_or(Path::new("."));
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            // Servers write paths relative to their data directory (`./mysql-bin.000001`);
            // the files sit beside the index.
            let base = Path::new(line)
                .file_name()
                .map_or(line.into(), PathBuf::from);
            dir.join(base).display().to_string()
        })
        .collect())
}

fn directory_sequence(dir: &Path) -> Result<Vec<String>, Error> {
    let mut indexes = Vec::new();
    let mut numbered: Vec<(String, u64, String)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let name = entry
            .map_err(|e| io_error(dir, e))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".index") {
            indexes.push(name);
            continue;
        }
        let plain = name.strip_suffix(".gz").unwrap_or(&name);
        if let Some((base, number)) = plain.rsplit_once('.') {
            if number.len() >= 6 && number.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(n) = number.parse() {
                    numbered.push((base.to_string(), n, name.clone()));
                }
            }
        }
    }
    if let [index] = indexes.as_slice() {
        return index_sequence(&dir.join(index));
    }
    numbered.sort();
    let bases: std::collections::BTreeSet<&str> =
        numbered.iter().map(|(b, _, _)| b.as_str()).collect();
    if bases.len() > 1 {
        let listed: Vec<&str> = bases.into_iter().collect();
        return Err(io_error(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "the directory holds logs of several base names ({}); name the files or \
                     the .index file to read",
                    listed.join(", ")
                ),
            ),
        ));
    }
    if numbered.is_empty() {
        return Err(io_error(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no binary log (NAME.NNNNNN) or .index file in the directory",
            ),
        ));
    }
    Ok(numbered
        .into_iter()
        .map(|(_, _, name)| dir.join(name).display().to_string())
        .collect())
}
