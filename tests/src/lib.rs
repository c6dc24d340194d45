//! Helpers shared by replog's end-to-end tests.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// The shared corpus: `shared/fixtures` in the directory that holds the project checkout
/// (`../shared/fixtures`). CI puts it there; a fresh clone has nothing beside it.
pub fn shared_corpus_root() -> PathBuf {
    // CARGO_MANIFEST_DIR is CHECKOUT/tests: two levels up is the directory holding it.
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the checkout sits in a directory")
        .join("shared/fixtures")
}

/// Path of a file or directory of the shared corpus, e.g. `shared_fixture("binlog/x")`.
///
/// Panics when it is missing: a test reading the corpus starts with [`require_corpus!`],
/// which skips or fails it when the whole corpus is absent, so reaching a missing path
/// here means an incomplete corpus (or a test without the guard), never a reason to pass.
pub fn shared_fixture(relative: &str) -> PathBuf {
    let root = shared_corpus_root();
    let path = root.join(relative);
    assert!(
        path.exists(),
        "shared fixture {} is missing: {}",
        path.display(),
        if root.is_dir() {
            "the shared corpus is incomplete (see README, \"Tests\")"
        } else {
            "the shared corpus is absent and this test does not start with \
             replog_tests::require_corpus!()"
        }
    );
    path
}

/// Whether a test whose prerequisite is missing must fail instead of being skipped: in CI
/// (`CI=true`), where a skip would let the suite pass without testing, and wherever a
/// contributor asks for the whole suite (`REPLOG_REQUIRE_CORPUS=1`).
pub fn missing_prerequisites_fail() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
        || std::env::var("REPLOG_REQUIRE_CORPUS").as_deref() == Ok("1")
}

/// The tests already reported as skipped, so that a property test, whose body runs once
/// per case, prints its notice once.
static SKIPPED_TESTS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Reports that `test` cannot run because `missing` is absent: panics when
/// [`missing_prerequisites_fail`], otherwise prints one `SKIPPED` line on stderr saying
/// how to get it. Use it through [`skip_unless_required!`], which names the test.
pub fn report_skip(test: &str, missing: &str, remedy: &str) {
    assert!(
        !missing_prerequisites_fail(),
        "{test}: {missing} (CI=true or REPLOG_REQUIRE_CORPUS=1 make this an error; {remedy})"
    );
    let first_report = SKIPPED_TESTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(test.to_string());
    if first_report {
        // Written to the stderr handle rather than with eprintln!, which the test harness
        // captures and shows only for failing tests: a skip must be seen. One write, so
        // that the line is not cut by the harness's own output (stderr is unbuffered).
        let line = format!("*** SKIPPED {test}: {missing}; {remedy} ***\n");
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
}

/// The path of the test function it is expanded in (`thl_read::real_log_summaries`),
/// for notices that name their test.
#[macro_export]
macro_rules! current_test_name {
    () => {{
        fn here() {}
        ::std::any::type_name_of_val(&here)
            .trim_end_matches("::here")
            .replace("::{{closure}}", "")
    }};
}

/// Ends the current test early, reported as skipped (or fails it where skips are not
/// allowed, see [`missing_prerequisites_fail`]): `skip_unless_required!(missing, remedy)`
/// in a test returning `()`, `skip_unless_required!(missing, remedy, Ok(()))` in a
/// property test's body.
#[macro_export]
macro_rules! skip_unless_required {
    ($missing:expr, $remedy:expr $(, $returned:expr)?) => {{
        $crate::report_skip(&$crate::current_test_name!(), &$missing, &$remedy);
        return $($returned)?;
    }};
}

/// The first statement of every test that reads the shared corpus: without
/// `../shared/fixtures` the test is skipped with a notice, or fails under `CI=true` or
/// `REPLOG_REQUIRE_CORPUS=1`. `require_corpus!(Ok(()))` in a property test's body.
#[macro_export]
macro_rules! require_corpus {
    ($($returned:expr)?) => {
        if !$crate::shared_corpus_root().is_dir() {
            $crate::skip_unless_required!(
                format!(
                    "the shared corpus {} is not beside the checkout",
                    $crate::shared_corpus_root().display()
                ),
                "README \"Tests\" says where its files come from and how to assemble it"
                $(, $returned)?
            );
        }
    };
}

/// Path of a file under the project's own `fixtures/` directory.
pub fn project_fixture(relative: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(relative);
    assert!(
        path.exists(),
        "project fixture {} is missing",
        path.display()
    );
    path
}

/// The member names of an ENUM or SET column type as the server's catalogue
/// (`information_schema.COLUMNS.COLUMN_TYPE`) writes it: `enum('a','b')`, each name in
/// single quotes with a quote inside doubled. Returns whether it is a SET, and the names.
pub fn catalogue_members(column_type: &str) -> Option<(bool, Vec<String>)> {
    let (is_set, list) = if let Some(l) = column_type.strip_prefix("enum(") {
        (false, l)
    } else {
        (true, column_type.strip_prefix("set(")?)
    };
    let mut names = Vec::new();
    let mut chars = list.strip_suffix(')')?.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let mut name = String::new();
                loop {
                    match chars.next()? {
                        '\'' if chars.peek() == Some(&'\'') => {
                            chars.next();
                            name.push('\'');
                        }
                        '\'' => break,
                        other => name.push(other),
                    }
                }
                names.push(name);
            }
            ',' => {}
            _ => return None,
        }
    }
    Some((is_set, names))
}

/// The JSON contract's rendering of an ENUM/SET value whose table map names the members,
/// built from the server's number for it (`c + 0`: the member index or the bitmask) and
/// the catalogue's column type: `{"index":2,"name":"b"}` (index 0, the invalid value, is
/// the empty string) or `{"bits":5,"names":["a","c"]}`. `None` for other column types or
/// when the server's value is not a number.
pub fn named_member_value(
    column_type: &str,
    server: &serde_json::Value,
) -> Option<serde_json::Value> {
    let (is_set, names) = catalogue_members(column_type)?;
    let n = server.as_u64()?;
    Some(if is_set {
        let set: Vec<&String> = names
            .iter()
            .enumerate()
            .filter(|(i, _)| n >> i & 1 == 1)
            .map(|(_, name)| name)
            .collect();
        serde_json::json!({"bits": n, "names": set})
    } else {
        let name = match n {
            0 => String::new(),
            i => names.get(usize::try_from(i).ok()? - 1)?.clone(),
        };
        serde_json::json!({"index": n, "name": name})
    })
}

/// Where an installed program is: on PATH, or in `/usr/sbin` and `/usr/bin`, where
/// Debian keeps `mariadbd` and `mariadb-binlog` (often not on a user's PATH).
pub fn installed(program: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Every transaction of the binary logs `files`, extracted by the library with
/// `options` (strict reading, checksums verified), and what was reported on the way.
pub fn extract_transactions(
    files: &[String],
    options: replog::txn::extract::ExtractOptions,
) -> (
    Result<Vec<replog::txn::OwnedTransaction>, replog::Error>,
    Vec<String>,
) {
    let mut transactions = Vec::new();
    let mut reports = Vec::new();
    let stream = replog::binlog::stream::Stream::new(replog::input::OpenOptions::default());
    let result = replog::txn::binlog::walk_transactions(
        files,
        stream,
        options,
        &mut |txn| -> Result<replog::Flow, replog::Error> {
            transactions.push(replog::txn::OwnedTransaction {
                fragments: txn.fragments.iter().map(|r| r.to_owned_record()).collect(),
            });
            Ok(replog::Flow::Continue)
        },
        &mut |e| reports.push(e.to_string()),
    );
    (result.map(|_| transactions), reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_member_lists() {
        assert_eq!(
            catalogue_members("enum('small','medium','large')"),
            Some((false, vec!["small".into(), "medium".into(), "large".into()]))
        );
        assert_eq!(
            catalogue_members("set('a','it''s','')"),
            Some((true, vec!["a".into(), "it's".into(), String::new()]))
        );
        assert_eq!(catalogue_members("int(11)"), None);
        let set = "set('a','b','c')";
        assert_eq!(
            named_member_value(set, &serde_json::json!(5)),
            Some(serde_json::json!({"bits": 5, "names": ["a", "c"]}))
        );
        assert_eq!(
            named_member_value("enum('x','y')", &serde_json::json!(0)),
            Some(serde_json::json!({"index": 0, "name": ""}))
        );
        assert_eq!(named_member_value(set, &serde_json::Value::Null), None);
    }
}
