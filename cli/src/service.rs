//! Finding the log directory from `-dir`, `-conf` or `-service`.
//!
//! Order: `-dir` as given; else `-conf FILE`'s `replicator.store.thl.log_dir`; else
//! (`-service NAME`) the `static-NAME.properties` found in the first configuration
//! directory that has one (`$THL_CONF_DIR`, then the usual Tungsten install locations),
//! and failing that the default directory `/opt/continuent/thl/NAME`. With none of the
//! three, a configuration directory holding exactly one `static-*.properties` decides,
//! as in Tungsten. The result says where the directory came from, so that "log directory
//! does not exist" can tell the user which guess was made.

use std::fs;
use std::path::{Path, PathBuf};

use crate::args::LogSource;
use crate::failure::Failure;

/// The property naming the THL directory; the only one `thl` reads.
const LOG_DIR_PROPERTY: &str = "replicator.store.thl.log_dir";

/// A log directory and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogDir {
    /// The directory.
    pub path: PathBuf,
    /// Where it came from, for messages (`-dir`, a properties file, the default).
    pub origin: String,
}

/// Where to look for `static-*.properties` files and the default THL root.
#[derive(Debug, Clone)]
pub struct Places {
    /// Configuration directories, searched in order.
    pub conf_dirs: Vec<PathBuf>,
    /// `<root>/<service>` is the default log directory of a service.
    pub default_thl_root: PathBuf,
}

impl Places {
    /// `$THL_CONF_DIR`, `$CONTINUENT_ROOT/tungsten/tungsten-replicator/conf`, then the
    /// standard install location `/opt/continuent/tungsten/tungsten-replicator/conf`.
    pub fn from_env() -> Places {
        let mut conf_dirs = Vec::new();
        if let Some(dir) = std::env::var_os("THL_CONF_DIR") {
            conf_dirs.push(PathBuf::from(dir));
        }
        let root = std::env::var_os("CONTINUENT_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/opt/continuent"));
        conf_dirs.push(root.join("tungsten/tungsten-replicator/conf"));
        let standard = PathBuf::from("/opt/continuent/tungsten/tungsten-replicator/conf");
        if !conf_dirs.contains(&standard) {
            conf_dirs.push(standard);
        }
        Places {
            conf_dirs,
            default_thl_root: root.join("thl"),
        }
    }
}

/// Resolves the log directory of an invocation.
pub fn resolve(source: &LogSource, places: &Places) -> Result<LogDir, Failure> {
    if let Some(dir) = &source.dir {
        return Ok(LogDir {
            path: dir.clone(),
            origin: "-dir".into(),
        });
    }
    if let Some(conf) = &source.conf {
        return from_properties(conf);
    }
    if let Some(service) = &source.service {
        let name = format!("static-{service}.properties");
        if let Some(found) = places
            .conf_dirs
            .iter()
            .map(|d| d.join(&name))
            .find(|p| p.is_file())
        {
            return from_properties(&found);
        }
        let searched: Vec<String> = places
            .conf_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        return Ok(LogDir {
            path: places.default_thl_root.join(service),
            origin: format!(
                "the default for service {service}: no {name} in {}",
                searched.join(", ")
            ),
        });
    }
    let mut candidates = Vec::new();
    for dir in &places.conf_dirs {
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with("static-") && name.ends_with(".properties") {
                    candidates.push(entry.path());
                }
            }
            if !candidates.is_empty() {
                break;
            }
        }
    }
    match candidates.as_slice() {
        [only] => from_properties(only),
        _ => Err(Failure::usage(
            "You must specify either a config file or a service name (-conf or -service), \
             or the log directory (-dir)",
        )),
    }
}

fn from_properties(path: &Path) -> Result<LogDir, Failure> {
    let invalid = || {
        Failure::Fatal(format!(
            "Replicator static properties does not exist or is invalid: {}",
            path.display()
        ))
    };
    let bytes = fs::read(path).map_err(|_| invalid())?;
    // Java reads .properties as ISO-8859-1; every byte is one character.
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    let dir = property(&text, LOG_DIR_PROPERTY).ok_or_else(|| {
        Failure::Fatal(format!(
            "{} does not set {LOG_DIR_PROPERTY}",
            path.display()
        ))
    })?;
    Ok(LogDir {
        path: PathBuf::from(dir),
        origin: format!("{LOG_DIR_PROPERTY} in {}", path.display()),
    })
}

/// The value of `key` in Java `.properties` text (last definition wins).
///
/// Handles what Tungsten's generated files use: `#`/`!` comments, `=`, `:` or blanks
/// as separators, backslash line continuations and `\t \n \r \f \uXXXX` escapes.
fn property(text: &str, key: &str) -> Option<String> {
    let mut found = None;
    let mut logical = String::new();
    for line in text.lines() {
        let piece = line.trim_start();
        if logical.is_empty()
            && (piece.is_empty() || piece.starts_with('#') || piece.starts_with('!'))
        {
            continue;
        }
        logical.push_str(piece);
        if ends_with_odd_backslashes(&logical) {
            logical.pop();
            continue;
        }
        let (k, v) = split_entry(&logical);
        if k == key {
            found = Some(v);
        }
        logical.clear();
    }
    found
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Splits a logical line into its unescaped key and value.
fn split_entry(line: &str) -> (String, String) {
    let mut chars = line.chars().peekable();
    let mut key = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => push_escape(&mut key, &mut chars),
            '=' | ':' => break,
            c if c.is_whitespace() => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|&c| c == '=' || c == ':') {
                    chars.next();
                }
                break;
            }
            c => key.push(c),
        }
    }
    while chars.peek().is_some_and(|c| c.is_whitespace()) {
        chars.next();
    }
    let mut value = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => push_escape(&mut value, &mut chars),
            c => value.push(c),
        }
    }
    (key, value)
}

fn push_escape(out: &mut String, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('t') => out.push('\t'),
        Some('n') => out.push('\n'),
        Some('r') => out.push('\r'),
        Some('f') => out.push('\u{c}'),
        Some('u') => {
            let hex: String = chars.by_ref().take(4).collect();
            if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                out.push(c);
            }
        }
        Some(c) => out.push(c),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(conf_dirs: Vec<PathBuf>) -> Places {
        Places {
            conf_dirs,
            default_thl_root: PathBuf::from("/opt/continuent/thl"),
        }
    }

    fn source(dir: Option<&str>, conf: Option<&Path>, service: Option<&str>) -> LogSource {
        LogSource {
            dir: dir.map(PathBuf::from),
            conf: conf.map(Path::to_path_buf),
            service: service.map(String::from),
        }
    }

    #[test]
    fn properties_syntax() {
        let text = "# comment\n! other\n  a.b = one\nc:two\nd three\ne=long\\\n    value\nf=x\\\\\ng=\\u0041\\:b\na.b=again\n";
        assert_eq!(property(text, "a.b").as_deref(), Some("again"));
        assert_eq!(property(text, "c").as_deref(), Some("two"));
        assert_eq!(property(text, "d").as_deref(), Some("three"));
        assert_eq!(property(text, "e").as_deref(), Some("longvalue"));
        assert_eq!(property(text, "f").as_deref(), Some("x\\"));
        assert_eq!(property(text, "g").as_deref(), Some("A:b"));
        assert_eq!(property(text, "missing"), None);
    }

    #[test]
    fn dir_wins_over_everything() {
        let got = resolve(
            &source(Some("/d"), Some(Path::new("/nope")), Some("s")),
            &places(vec![]),
        )
        .unwrap();
        assert_eq!(got.path, PathBuf::from("/d"));
    }

    #[test]
    fn conf_file_and_service_lookup() {
        let tmp = tempfile::tempdir().unwrap();
        let conf = tmp.path().join("static-logos.properties");
        fs::write(
            &conf,
            "replicator.store.thl.log_dir=/var/thl/logos\nother=1\n",
        )
        .unwrap();
        let by_conf = resolve(&source(None, Some(&conf), None), &places(vec![])).unwrap();
        assert_eq!(by_conf.path, PathBuf::from("/var/thl/logos"));
        let by_service = resolve(
            &source(None, None, Some("logos")),
            &places(vec![PathBuf::from("/none"), tmp.path().into()]),
        )
        .unwrap();
        assert_eq!(by_service.path, PathBuf::from("/var/thl/logos"));
        assert!(by_service.origin.contains("static-logos.properties"));
        // The single static file in the conf directory is used when nothing is named.
        let implicit =
            resolve(&source(None, None, None), &places(vec![tmp.path().into()])).unwrap();
        assert_eq!(implicit.path, PathBuf::from("/var/thl/logos"));
    }

    #[test]
    fn unknown_service_falls_back_to_the_default_and_says_so() {
        let got = resolve(
            &source(None, None, Some("alpha")),
            &places(vec![PathBuf::from("/none")]),
        )
        .unwrap();
        assert_eq!(got.path, PathBuf::from("/opt/continuent/thl/alpha"));
        assert!(
            got.origin.contains("no static-alpha.properties in /none"),
            "{}",
            got.origin
        );
    }

    #[test]
    fn missing_conf_and_nothing_named_are_errors() {
        let err = resolve(
            &source(None, Some(Path::new("/nope.properties")), None),
            &places(vec![]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Fatal error: Replicator static properties does not exist or is invalid: /nope.properties"
        );
        let err = resolve(&source(None, None, None), &places(vec![])).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("You must specify either a config file or a service name"));
    }
}
