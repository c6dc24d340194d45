//! Table definitions from `SHOW CREATE TABLE` output (`thl events -sql -columns FILE`):
//! the column names, UNSIGNED flags and primary key a log without
//! `binlog_row_metadata=FULL` does not carry.
//!
//! The file may hold several statements, as `mysql` prints them in any of its modes
//! (plain `CREATE TABLE` text, `\G` blocks, or batch output where line breaks are the two
//! characters `\n`). Only what row SQL needs is read: for each column its name and
//! whether it is UNSIGNED, and the PRIMARY KEY; everything else in a definition is
//! skipped.

use crate::row_sql::TableShape;

/// The tables of a `-columns` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableDefinitions {
    tables: Vec<Definition>,
}

/// One `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Definition {
    /// The schema when the statement names it (`` `db`.`t` ``).
    schema: Option<String>,
    table: String,
    shape: TableShape,
}

impl TableDefinitions {
    /// Reads every `CREATE TABLE` statement of `text`; an error says what was expected
    /// and after which table.
    pub fn parse(text: &str) -> Result<TableDefinitions, String> {
        let text = text.replace("\\n", "\n");
        let mut tables = Vec::new();
        let mut rest = text.as_str();
        while let Some(at) = find_ignore_case(rest, "CREATE TABLE") {
            rest = &rest[at + "CREATE TABLE".len()..];
            let (definition, after) = parse_one(rest)?;
            tables.push(definition);
            rest = after;
        }
        if tables.is_empty() {
            return Err(
                "expected SHOW CREATE TABLE output (no CREATE TABLE statement found)".into(),
            );
        }
        Ok(TableDefinitions { tables })
    }

    /// The shape of `schema.table` with `column_count` columns: a definition naming that
    /// schema, else one without a schema. An error when the definition found has another
    /// column count (the table changed since).
    pub fn shape(
        &self,
        schema: &str,
        table: &str,
        column_count: usize,
    ) -> Option<Result<&TableShape, String>> {
        let named = |d: &&Definition| d.table == table && d.schema.as_deref() == Some(schema);
        let unqualified = |d: &&Definition| d.table == table && d.schema.is_none();
        let found = self
            .tables
            .iter()
            .find(named)
            .or_else(|| self.tables.iter().find(unqualified))?;
        if found.shape.names.len() != column_count {
            return Some(Err(format!(
                "the -columns definition of `{table}` has {} columns, the log's table map {}",
                found.shape.names.len(),
                column_count
            )));
        }
        Some(Ok(&found.shape))
    }
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The definition after `CREATE TABLE`, and the text after it.
fn parse_one(text: &str) -> Result<(Definition, &str), String> {
    let open = text
        .find('(')
        .ok_or("expected '(' after CREATE TABLE name")?;
    let mut head = text[..open].trim();
    if head.len() >= 13 && head[..13].eq_ignore_ascii_case("IF NOT EXISTS") {
        head = head[13..].trim();
    }
    let mut names = split_outside_quotes(head, '.').into_iter().map(unquote);
    let (schema, table) = match (names.next(), names.next()) {
        (Some(table), None) => (None, table),
        (Some(schema), Some(table)) => (Some(schema), table),
        _ => return Err("expected a table name after CREATE TABLE".into()),
    };
    let body = &text[open + 1..];
    let close = closing_paren(body)
        .ok_or_else(|| format!("expected the ')' closing the definition of `{table}`"))?;
    let mut shape = TableShape::default();
    let mut key_names = Vec::new();
    for item in split_outside_quotes(&body[..close], ',') {
        let item = item.trim();
        let upper = item.to_ascii_uppercase();
        if let Some(columns) = upper.strip_prefix("PRIMARY KEY") {
            let start = item.len() - columns.len();
            key_names = key_columns(&item[start..]);
            continue;
        }
        const NOT_COLUMNS: &[&str] = &[
            "KEY ",
            "KEY(",
            "INDEX",
            "UNIQUE",
            "CONSTRAINT",
            "FOREIGN",
            "FULLTEXT",
            "SPATIAL",
            "CHECK",
            "PERIOD",
            "VECTOR",
        ];
        if item.is_empty() || NOT_COLUMNS.iter().any(|k| upper.starts_with(k)) {
            continue;
        }
        let (name, definition) = split_name(item);
        let definition = definition.to_ascii_uppercase();
        if definition.contains("PRIMARY KEY") {
            key_names = vec![name.clone()];
        }
        shape.unsigned.push(definition.contains(" UNSIGNED"));
        shape.names.push(name);
    }
    for key in key_names {
        let column = shape
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(&key))
            .ok_or_else(|| format!("expected the key column `{key}` among those of `{table}`"))?;
        shape.key.push(column);
    }
    let definition = Definition {
        schema,
        table,
        shape,
    };
    Ok((definition, &body[close..]))
}

/// Byte offset of the `)` that closes the `(` just before `text`.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '`' | '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => return Some(i),
            (None, ')') => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `text` cut at each `separator` outside quotes and parentheses.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '`' | '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, c) if c == separator && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// An identifier without its backticks (a doubled backtick inside is one).
fn unquote(name: &str) -> String {
    let name = name.trim();
    match name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) {
        Some(inner) => inner.replace("``", "`"),
        None => name.to_string(),
    }
}

/// A column definition's name and the rest.
fn split_name(item: &str) -> (String, &str) {
    if let Some(quoted) = item.strip_prefix('`') {
        let mut end = 0;
        let bytes = quoted.as_bytes();
        while end < bytes.len() {
            if bytes[end] == b'`' {
                if bytes.get(end + 1) == Some(&b'`') {
                    end += 2;
                    continue;
                }
                break;
            }
            end += 1;
        }
        let name = quoted[..end].replace("``", "`");
        return (name, quoted.get(end + 1..).unwrap_or_default());
    }
    match item.split_once(char::is_whitespace) {
        Some((name, rest)) => (name.to_string(), rest),
        None => (item.to_string(), ""),
    }
}

/// The column names of `(`a`,`b`(10))` (prefix lengths dropped).
fn key_columns(text: &str) -> Vec<String> {
    let Some(open) = text.find('(') else {
        return Vec::new();
    };
    let inner = &text[open + 1..];
    let close = closing_paren(inner).unwrap_or(inner.len());
    split_outside_quotes(&inner[..close], ',')
        .into_iter()
        .map(|part| {
            let (name, _) = split_name(part.trim());
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_create_table_forms() {
        let plain = "CREATE TABLE `orders` (\n  `id` int(10) unsigned NOT NULL,\n  \
                     `note, with comma` varchar(40) DEFAULT 'a,b',\n  `amount` decimal(10,2) \
                     NOT NULL,\n  PRIMARY KEY (`id`,`amount`),\n  KEY `k` (`note, with comma`)\n\
                     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
        let batch = "orders\tCREATE TABLE `shop`.`items` (\\n  `sku` bigint NOT NULL PRIMARY \
                     KEY,\\n  `qty` int\\n) ENGINE=InnoDB";
        let defs = TableDefinitions::parse(&format!("{plain};\n{batch}\n")).unwrap();
        let orders = defs.shape("anydb", "orders", 3).unwrap().unwrap();
        assert_eq!(orders.names, ["id", "note, with comma", "amount"]);
        assert_eq!(orders.unsigned, [true, false, false]);
        assert_eq!(orders.key, [0, 2]);
        let items = defs.shape("shop", "items", 2).unwrap().unwrap();
        assert_eq!(items.names, ["sku", "qty"]);
        assert_eq!(items.key, [0]);
        assert!(defs.shape("other", "items", 2).is_none());
        assert!(defs
            .shape("x", "orders", 5)
            .unwrap()
            .unwrap_err()
            .contains("has 3 columns, the log's table map 5"));
    }

    #[test]
    fn text_without_a_definition_is_an_error() {
        assert!(TableDefinitions::parse("SELECT 1")
            .unwrap_err()
            .contains("no CREATE TABLE"));
        assert!(TableDefinitions::parse("CREATE TABLE t (a int")
            .unwrap_err()
            .contains("')' closing"));
    }
}
