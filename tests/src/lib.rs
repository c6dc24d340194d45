//! Helpers shared by replog's end-to-end tests.

use std::path::PathBuf;

/// Path of a file or directory under `../shared/fixtures` (beside the project root).
///
/// Panics with instructions when the shared corpus is missing: these tests must never
/// pass vacuously because the corpus was not found.
pub fn shared_fixture(relative: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures");
    let path = root.join(relative);
    assert!(
        path.exists(),
        "shared fixture {} is missing: the conformance tests read the corpus from \
         ../shared/fixtures beside the project checkout (see README, \"Tests\")",
        path.display()
    );
    path
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
