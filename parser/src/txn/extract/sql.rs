//! What a logged statement does, as far as extraction needs to know: whether it opens
//! or ends a transaction, whether it commits implicitly (DDL), and which schema its
//! first object names (the shard, `parallel-apply.md` §1.2).
//!
//! A small tokenizer over the statement's first bytes, not a SQL parser: comments
//! (including versioned `/*!…*/` ones) and whitespace are skipped, identifiers may be
//! quoted with backticks or double quotes, and only the leading keywords and the
//! first (optionally schema-qualified) object name are read.

/// The kind of statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `BEGIN`, `START TRANSACTION`.
    Begin,
    /// `COMMIT`.
    Commit,
    /// `ROLLBACK` (of the whole transaction).
    Rollback,
    /// `SAVEPOINT`, `RELEASE SAVEPOINT`, `ROLLBACK TO SAVEPOINT`: stay inside the
    /// transaction.
    Savepoint,
    /// `XA START` / `XA BEGIN`: opens an XA transaction.
    XaStart,
    /// `XA END`: nothing to apply.
    XaEnd,
    /// `XA COMMIT`, `XA ROLLBACK`, `XA PREPARE`: about an XA transaction logged earlier.
    XaOutcome,
    /// `SET …`.
    Set,
    /// `SELECT …`.
    Select,
    /// INSERT, REPLACE, UPDATE, DELETE, LOAD DATA.
    Dml,
    /// CREATE, DROP, ALTER, RENAME, TRUNCATE and table maintenance.
    Ddl(Ddl),
    /// `FLUSH TABLES`: touches every schema.
    FlushTables,
    /// Anything else.
    Unrecognized,
}

/// DDL verbs; they differ in whether the reference extractor flags them unsafe for
/// block commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ddl {
    Create,
    Drop,
    Alter,
    Truncate,
    Rename,
    Maintenance,
}

/// A classified statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SqlOperation {
    pub(crate) operation: Operation,
    /// The schema the first object names explicitly (`db.t`, `CREATE DATABASE db`).
    pub(crate) schema: Option<String>,
    /// The statement creates or drops a whole schema (it then runs without a default
    /// schema, and carries the `createOrDropDB` option).
    pub(crate) schema_object: bool,
}

impl SqlOperation {
    /// Whether the statement commits the open transaction and stands alone.
    pub(crate) fn commits_implicitly(&self) -> bool {
        matches!(self.operation, Operation::Ddl(_))
    }

    /// Whether the reference extractor tags it `unsafe_for_block_commit`: CREATE, DROP,
    /// ALTER and unrecognized statements (not TRUNCATE or RENAME).
    pub(crate) fn unsafe_for_block_commit(&self) -> bool {
        matches!(
            self.operation,
            Operation::Ddl(Ddl::Create | Ddl::Drop | Ddl::Alter) | Operation::Unrecognized
        )
    }
}

/// Classifies `query` (its first bytes are enough; invalid UTF-8 is fine).
pub(crate) fn classify(query: &[u8]) -> SqlOperation {
    let mut t = Tokens::new(query);
    let plain = |operation| SqlOperation {
        operation,
        schema: None,
        schema_object: false,
    };
    let Some(first) = t.word() else {
        return plain(Operation::Unrecognized);
    };
    match first.as_str() {
        "BEGIN" => match t.word().as_deref() {
            None | Some("WORK") => plain(Operation::Begin),
            _ => plain(Operation::Unrecognized),
        },
        "START" if t.word().as_deref() == Some("TRANSACTION") => plain(Operation::Begin),
        "COMMIT" => plain(Operation::Commit),
        "ROLLBACK" => {
            let mut next = t.word();
            if next.as_deref() == Some("WORK") {
                next = t.word();
            }
            if next.as_deref() == Some("TO") {
                plain(Operation::Savepoint)
            } else {
                plain(Operation::Rollback)
            }
        }
        "SAVEPOINT" | "RELEASE" => plain(Operation::Savepoint),
        "XA" => match t.word().as_deref() {
            Some("START" | "BEGIN") => plain(Operation::XaStart),
            Some("END") => plain(Operation::XaEnd),
            _ => plain(Operation::XaOutcome),
        },
        "SET" => plain(Operation::Set),
        "SELECT" => plain(Operation::Select),
        "INSERT" | "REPLACE" => {
            t.skip_words(&["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO"]);
            table_op(Operation::Dml, &mut t)
        }
        "UPDATE" => {
            t.skip_words(&["LOW_PRIORITY", "IGNORE"]);
            table_op(Operation::Dml, &mut t)
        }
        "DELETE" => {
            t.skip_words(&["LOW_PRIORITY", "QUICK", "IGNORE", "FROM"]);
            table_op(Operation::Dml, &mut t)
        }
        "LOAD" => {
            // LOAD DATA … INFILE 'f' … INTO TABLE name
            while let Some(w) = t.word_or_skip() {
                if w == "INTO" && t.word().as_deref() == Some("TABLE") {
                    return table_op(Operation::Dml, &mut t);
                }
            }
            plain(Operation::Dml)
        }
        "TRUNCATE" => {
            t.skip_words(&["TABLE"]);
            table_op(Operation::Ddl(Ddl::Truncate), &mut t)
        }
        "RENAME" => {
            t.skip_words(&["TABLE", "TABLES"]);
            table_op(Operation::Ddl(Ddl::Rename), &mut t)
        }
        "OPTIMIZE" | "ANALYZE" | "REPAIR" | "CHECK" => {
            t.skip_words(&["NO_WRITE_TO_BINLOG", "LOCAL"]);
            if t.word().as_deref() == Some("TABLE") {
                table_op(Operation::Ddl(Ddl::Maintenance), &mut t)
            } else {
                plain(Operation::Unrecognized)
            }
        }
        "FLUSH" => {
            t.skip_words(&["NO_WRITE_TO_BINLOG", "LOCAL"]);
            match t.word().as_deref() {
                Some("TABLES" | "TABLE") => plain(Operation::FlushTables),
                _ => plain(Operation::Unrecognized),
            }
        }
        "CREATE" => definition(Ddl::Create, &mut t),
        "DROP" => definition(Ddl::Drop, &mut t),
        "ALTER" => definition(Ddl::Alter, &mut t),
        _ => plain(Operation::Unrecognized),
    }
}

/// The object after `CREATE`, `DROP` or `ALTER`.
fn definition(verb: Ddl, t: &mut Tokens<'_>) -> SqlOperation {
    let operation = Operation::Ddl(verb);
    let unrecognized = SqlOperation {
        operation: Operation::Unrecognized,
        schema: None,
        schema_object: false,
    };
    // Clauses that may precede the object keyword.
    loop {
        t.skip_words(&[
            "OR",
            "REPLACE",
            "TEMPORARY",
            "ONLINE",
            "OFFLINE",
            "IGNORE",
            "UNIQUE",
            "FULLTEXT",
            "SPATIAL",
            "AGGREGATE",
            "UNDEFINED",
            "MERGE",
            "TEMPTABLE",
        ]);
        let saved = t.pos;
        match t.word().as_deref() {
            // ALGORITHM = x, DEFINER = user@host, SQL SECURITY x
            Some("ALGORITHM" | "DEFINER") => {
                t.skip_assignment();
            }
            Some("SQL") => {
                t.word();
                t.word();
            }
            Some(_) => {
                t.pos = saved;
                break;
            }
            None => return unrecognized,
        }
    }
    let Some(kind) = t.word() else {
        return unrecognized;
    };
    match kind.as_str() {
        "DATABASE" | "SCHEMA" => {
            t.skip_words(&["IF", "NOT", "EXISTS"]);
            SqlOperation {
                operation,
                schema: t.identifier(),
                schema_object: true,
            }
        }
        "TABLE" | "VIEW" | "PROCEDURE" | "FUNCTION" | "TRIGGER" | "EVENT" | "SEQUENCE" => {
            t.skip_words(&["IF", "NOT", "EXISTS"]);
            table_op(operation, t)
        }
        "INDEX" => {
            // INDEX [IF NOT EXISTS] name [USING type] ON table
            while let Some(w) = t.word_or_skip() {
                if w == "ON" {
                    return table_op(operation, t);
                }
            }
            SqlOperation {
                operation,
                schema: None,
                schema_object: false,
            }
        }
        _ => unrecognized,
    }
}

/// `kind` with the schema of the (optionally qualified) name that follows.
fn table_op(operation: Operation, t: &mut Tokens<'_>) -> SqlOperation {
    let first = t.identifier();
    let schema = if first.is_some() && t.dot() {
        first
    } else {
        None
    };
    SqlOperation {
        operation,
        schema,
        schema_object: false,
    }
}

/// Statements this long are classified from their first bytes only.
const PREFIX: usize = 4096;

struct Tokens<'q> {
    text: &'q [u8],
    pos: usize,
}

impl<'q> Tokens<'q> {
    fn new(query: &'q [u8]) -> Self {
        Tokens {
            text: &query[..query.len().min(PREFIX)],
            pos: 0,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.text.get(self.pos + ahead).copied()
    }

    /// Skips whitespace and comments (`/* */`, `-- `, `#`).
    fn blank(&mut self) {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(c), _) if c.is_ascii_whitespace() => self.pos += 1,
                (Some(b'/'), Some(b'*')) => {
                    let rest = &self.text[self.pos + 2..];
                    self.pos = match rest.windows(2).position(|w| w == b"*/") {
                        Some(i) => self.pos + 2 + i + 2,
                        None => self.text.len(),
                    };
                }
                (Some(b'-'), Some(b'-')) | (Some(b'#'), _) => {
                    self.pos = match self.text[self.pos..].iter().position(|&c| c == b'\n') {
                        Some(i) => self.pos + i + 1,
                        None => self.text.len(),
                    };
                }
                _ => return,
            }
        }
    }

    /// The next bare word, upper-cased; `None` at anything else.
    fn word(&mut self) -> Option<String> {
        self.blank();
        let start = self.pos;
        while self
            .peek(0)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
        {
            self.pos += 1;
        }
        (self.pos > start)
            .then(|| String::from_utf8_lossy(&self.text[start..self.pos]).to_ascii_uppercase())
    }

    /// The next word, stepping over one other token (a string, a symbol) when there is
    /// no word here; `None` at the end.
    fn word_or_skip(&mut self) -> Option<String> {
        loop {
            if let Some(w) = self.word() {
                return Some(w);
            }
            match self.peek(0)? {
                q @ (b'\'' | b'"' | b'`') => {
                    self.quoted(q);
                }
                _ => self.pos += 1,
            }
        }
    }

    fn skip_words(&mut self, words: &[&str]) {
        loop {
            let saved = self.pos;
            match self.word() {
                Some(w) if words.contains(&w.as_str()) => {}
                _ => {
                    self.pos = saved;
                    return;
                }
            }
        }
    }

    /// Skips `= value` where the value may be `user@host` with quoted parts.
    fn skip_assignment(&mut self) {
        self.blank();
        if self.peek(0) == Some(b'=') {
            self.pos += 1;
        }
        self.blank();
        while let Some(c) = self.peek(0) {
            match c {
                b'\'' | b'"' | b'`' => {
                    self.quoted(c);
                }
                c if c.is_ascii_whitespace() => return,
                _ => self.pos += 1,
            }
        }
    }

    /// Steps over a quoted token starting at `pos`; returns its content.
    fn quoted(&mut self, quote: u8) -> Option<String> {
        self.pos += 1;
        let mut out = Vec::new();
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            if c == quote {
                if self.peek(0) == Some(quote) {
                    out.push(quote);
                    self.pos += 1;
                    continue;
                }
                return Some(String::from_utf8_lossy(&out).into_owned());
            }
            out.push(c);
        }
        None
    }

    /// An identifier, bare or quoted, as written.
    fn identifier(&mut self) -> Option<String> {
        self.blank();
        match self.peek(0)? {
            q @ (b'`' | b'"') => self.quoted(q),
            _ => {
                let start = self.pos;
                while self.peek(0).is_some_and(|c| {
                    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
                }) {
                    self.pos += 1;
                }
                (self.pos > start)
                    .then(|| String::from_utf8_lossy(&self.text[start..self.pos]).into_owned())
            }
        }
    }

    /// Consumes a `.` qualifier separator; the next identifier is then the object.
    fn dot(&mut self) -> bool {
        self.blank();
        if self.peek(0) == Some(b'.') {
            self.pos += 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(q: &str) -> (Operation, Option<String>) {
        let o = classify(q.as_bytes());
        (o.operation, o.schema)
    }

    fn schema(q: &str) -> Option<String> {
        classify(q.as_bytes()).schema
    }

    #[test]
    fn transaction_control() {
        assert_eq!(op("BEGIN").0, Operation::Begin);
        assert_eq!(op("  begin work").0, Operation::Begin);
        assert_eq!(op("START TRANSACTION").0, Operation::Begin);
        assert_eq!(
            op("BEGIN NOT ATOMIC SELECT 1; END").0,
            Operation::Unrecognized
        );
        assert_eq!(op("COMMIT").0, Operation::Commit);
        assert_eq!(op("ROLLBACK").0, Operation::Rollback);
        assert_eq!(op("ROLLBACK TO SAVEPOINT s1").0, Operation::Savepoint);
        assert_eq!(op("ROLLBACK WORK TO s1").0, Operation::Savepoint);
        assert_eq!(op("SAVEPOINT s1").0, Operation::Savepoint);
        assert_eq!(op("XA START 'x1'").0, Operation::XaStart);
        assert_eq!(op("XA END 'x1'").0, Operation::XaEnd);
        assert_eq!(op("XA COMMIT 'x1'").0, Operation::XaOutcome);
    }

    #[test]
    fn first_object_schema() {
        assert_eq!(
            schema("INSERT INTO app1.t VALUES (1)").as_deref(),
            Some("app1")
        );
        assert_eq!(
            schema("insert low_priority ignore into `app 2`.`t` values(1)").as_deref(),
            Some("app 2")
        );
        assert_eq!(schema("INSERT INTO t VALUES (1)"), None);
        assert_eq!(schema("UPDATE db.t SET a=1").as_deref(), Some("db"));
        assert_eq!(schema("DELETE FROM db.t WHERE 1").as_deref(), Some("db"));
        assert_eq!(
            schema("REPLACE INTO db.t VALUES (1)").as_deref(),
            Some("db")
        );
        assert_eq!(schema("TRUNCATE TABLE db.t").as_deref(), Some("db"));
        assert_eq!(schema("RENAME TABLE a.x TO b.y").as_deref(), Some("a"));
        assert_eq!(
            schema("LOAD DATA INFILE '/tmp/x INTO TABLE q.r' INTO TABLE db.t").as_deref(),
            Some("db")
        );
        assert_eq!(
            schema("/* c */ ALTER TABLE `db`.t ADD c INT").as_deref(),
            Some("db")
        );
        assert_eq!(schema("CREATE INDEX i ON db.t (a)").as_deref(), Some("db"));
        assert_eq!(
            schema("CREATE DEFINER=`root`@`localhost` PROCEDURE db.p() SELECT 1").as_deref(),
            Some("db")
        );
        assert_eq!(
            schema("CREATE OR REPLACE ALGORITHM=MERGE SQL SECURITY DEFINER VIEW v.w AS SELECT 1")
                .as_deref(),
            Some("v")
        );
    }

    #[test]
    fn schema_objects_and_ddl_flags() {
        let create = classify(b"CREATE DATABASE IF NOT EXISTS app1");
        assert_eq!(create.operation, Operation::Ddl(Ddl::Create));
        assert_eq!(create.schema.as_deref(), Some("app1"));
        assert!(create.schema_object && create.commits_implicitly());
        assert!(create.unsafe_for_block_commit());
        let drop = classify(b"DROP TABLE IF EXISTS `all_mysql_types` /* generated by server */");
        assert_eq!(
            (drop.operation, drop.schema),
            (Operation::Ddl(Ddl::Drop), None)
        );
        let truncate = classify(b"TRUNCATE all_mysql_types");
        assert!(truncate.commits_implicitly() && !truncate.unsafe_for_block_commit());
        assert!(classify(b"GRANT ALL ON *.* TO x").unsafe_for_block_commit());
        assert!(!classify(b"INSERT INTO t VALUES (1)").commits_implicitly());
        assert_eq!(op("FLUSH TABLES").0, Operation::FlushTables);
        assert_eq!(op("CREATE USER u").0, Operation::Unrecognized);
        assert_eq!(op("").0, Operation::Unrecognized);
    }
}
