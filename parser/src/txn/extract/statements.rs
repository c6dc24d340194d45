//! Statements: queries, LOAD DATA, and the `SET`s made of session events.

use crate::binlog::events::user_var::{decimal_to_string, UserVarValue};
use crate::binlog::stream::EventSite;

use super::owned::{Options, OwnedChange, OwnedStatement};
use super::sql::{classify, Operation};
use super::{session, shard, Commit, Extractor};

impl Extractor {
    pub(super) fn made_up_statement(&mut self, text: String) {
        self.facts.statements += 1;
        self.building.size += text.len() as u64;
        self.building
            .changes
            .push(OwnedChange::Statement(OwnedStatement {
                text: Some(text),
                ..OwnedStatement::default()
            }));
    }

    /// The default schema a statement carries: the session's, except for CREATE/DROP
    /// DATABASE, and inside a transaction only when it changed.
    pub(super) fn default_schema(
        &mut self,
        thread_id: u32,
        schema: &[u8],
        prepend: bool,
    ) -> Option<String> {
        let db = (!schema.is_empty()).then(|| String::from_utf8_lossy(schema).into_owned());
        let b = &mut self.building;
        let first = b.default_schema.is_none();
        if first {
            b.session_id = Some(i64::from(thread_id));
        }
        if !prepend {
            if first {
                b.default_schema = Some(None);
            }
            return None;
        }
        if b.default_schema.as_ref() == Some(&db) {
            return None;
        }
        b.default_schema = Some(db.clone());
        db
    }

    pub(super) fn query(
        &mut self,
        site: &EventSite<'_>,
        q: &crate::binlog::events::query::Query<'_>,
        text: &[u8],
    ) -> Commit {
        let op = classify(text);
        let status = q.status();
        match op.operation {
            Operation::Begin | Operation::XaStart => {
                self.in_transaction = true;
                self.building.begin_options = session::begin_options(&status);
                return Commit::No;
            }
            Operation::Commit => return Commit::Yes,
            Operation::Rollback => return Commit::Rollback,
            Operation::XaEnd => {
                // Applies nothing, but it is the session's statement.
                self.building
                    .session_id
                    .get_or_insert(i64::from(q.thread_id));
                return Commit::No;
            }
            _ => {}
        }
        let prepend = !(op.commits_implicitly() && op.schema_object);
        let default_schema = self.default_schema(q.thread_id, q.schema, prepend);
        let b = &mut self.building;
        // The shard counts the schema the statement names, else the session's.
        let session_db = (!q.schema.is_empty()).then(|| String::from_utf8_lossy(q.schema));
        match (&op.schema, op.operation) {
            (Some(s), _) => b.schemas.push(s.clone()),
            // FLUSH TABLES touches every schema; XA COMMIT/ROLLBACK ends changes
            // logged earlier whose schemas it does not name: both run alone.
            (None, Operation::FlushTables | Operation::XaOutcome) => {
                b.schemas.push(shard::UNKNOWN.into())
            }
            (None, Operation::Unrecognized) if session_db.is_some() => {
                b.schemas.push(shard::UNKNOWN.into())
            }
            (None, _) => {
                if let Some(db) = session_db {
                    b.schemas.push(db.into_owned());
                }
            }
        }
        if b.statements == 0 {
            b.origin_service = shard::origin_service(text);
        }
        b.statements += 1;
        b.unsafe_for_block_commit |= op.unsafe_for_block_commit();
        self.facts.statements += 1;
        self.facts.ddl |= op.commits_implicitly();
        self.facts.keys = None;
        b.size += text.len() as u64;
        let mut options = Options::new();
        let charset = status
            .charset
            .as_ref()
            .and_then(|c| session::java_charset(c.client));
        if let Some(name) = charset {
            options.push(("##charset", name.to_string()));
        }
        if op.schema_object {
            options.push(("createOrDropDB", String::new()));
        }
        options.extend(session::statement_options(&status));
        b.changes.push(OwnedChange::Statement(OwnedStatement {
            default_schema,
            timestamp: Some(i64::from(site.header.timestamp) * 1000),
            text: None,
            bytes: Some(text.to_vec()),
            options,
            error_code: i32::from(q.error_code),
        }));
        if !self.in_transaction || op.commits_implicitly() {
            Commit::Yes
        } else {
            Commit::No
        }
    }

    pub(super) fn load_query(
        &mut self,
        site: &EventSite<'_>,
        e: &crate::binlog::events::execute_load_query::ExecuteLoadQuery<'_>,
        text: &[u8],
    ) -> Commit {
        let q = &e.query;
        self.default_schema(q.thread_id, q.schema, true);
        let db = (!q.schema.is_empty()).then(|| String::from_utf8_lossy(q.schema).into_owned());
        let op = classify(text);
        let b = &mut self.building;
        if let Some(s) = op.schema.clone().or_else(|| db.clone()) {
            b.schemas.push(s);
        }
        // The file's blocks belong to the statement's database.
        let blocks_at = self.load_files.get(&e.file_id).copied();
        if let Some(blocks) = blocks_at.and_then(|at| b.changes.get_mut(at..)) {
            for change in blocks {
                if let OwnedChange::FileFragment {
                    file_id, database, ..
                } = change
                {
                    if *file_id == e.file_id as i32 {
                        *database = db.clone();
                    }
                }
            }
        }
        self.load_files.remove(&e.file_id);
        b.statements += 1;
        self.facts.statements += 1;
        self.facts.keys = None;
        b.size += text.len() as u64;
        let status = q.status();
        b.changes.push(OwnedChange::FileQuery {
            statement: OwnedStatement {
                default_schema: db,
                timestamp: Some(i64::from(site.header.timestamp) * 1000),
                // Unlike other statements, the reference extractor keeps the LOAD DATA
                // statement as text (`query`, no `##charset`): it decodes the event's
                // bytes with its JVM's charset, UTF-8 (the real 3.1.0 THL, seqno 7).
                text: Some(String::from_utf8_lossy(text).into_owned()),
                bytes: None,
                options: session::statement_options(&status),
                error_code: i32::from(q.error_code),
            },
            file_id: e.file_id as i32,
            filename_start: e.file_name_start as i32,
            filename_end: e.file_name_end as i32,
        });
        if self.in_transaction {
            Commit::No
        } else {
            Commit::Yes
        }
    }
}

/// A user variable's value as SQL text.
pub(super) fn user_var_text(value: &UserVarValue<'_>) -> String {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02X}")).collect::<String>();
    match value {
        UserVarValue::Null => "NULL".into(),
        UserVarValue::String { charset, bytes } => {
            let introducer = match session::java_charset(*charset as u16) {
                Some("UTF-8") => "_utf8mb4 ",
                Some("ISO-8859-1") if *charset != 63 => "_latin1 ",
                _ => "_binary ",
            };
            format!("{introducer}X'{}'", hex(bytes))
        }
        UserVarValue::Real(v) => format!("{v:e}"),
        UserVarValue::Int {
            value,
            unsigned: true,
        } => (*value as u64).to_string(),
        UserVarValue::Int { value, .. } => value.to_string(),
        UserVarValue::Decimal {
            precision,
            scale,
            bytes,
        } => decimal_to_string(*precision, *scale, bytes).unwrap_or_else(|| "NULL".into()),
        UserVarValue::Other { bytes, .. } => format!("_binary X'{}'", hex(bytes)),
    }
}
