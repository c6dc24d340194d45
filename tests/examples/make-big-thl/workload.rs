//! The replicated workload: a stream of transactions as Tungsten's MySQL extractor
//! would log them from a busy OLTP master (spec 7, 8), and their THL events.
//!
//! Most transactions are row-based (one ROW_DATA change holding one row change per
//! binlog rows event); some are statements (DML with INSERT_ID, DDL); a few are
//! heartbeats; rare batch jobs are large enough to be fragmented at about 1 MB, as the
//! extractor's `transaction_frag_size` does.

use replog::thl::event::{
    Action, Change, ColumnSpec, EventOption, Header, OneRowChange, ReplDbmsEvent, RowChangeData,
    RowIdData, RowImages, StatementData,
};
use replog::thl::{Event, JavaStr, RecordHeader};

use crate::catalog::{Kind, Table, HEARTBEAT, TABLES};
use crate::rng::Rng;
use crate::values::{Cell, Context};

pub const SOURCE_ID: &str = "db-east-1";
const SERVICE: &str = "sales";
const SERVER_ID: &str = "101";
const UNKNOWN_SHARD: &str = "#UNKNOWN";
/// A MySQL rows event holds about this many bytes of rows (`binlog-row-event-max-size`).
const ROWS_EVENT_BYTES: usize = 8_192;
/// The extractor starts a new fragment after about this many bytes.
const FRAGMENT_BYTES: usize = 1_000_000;
/// The master rotates its binary log at this position (`max_binlog_size`).
const BINLOG_SIZE: u64 = 1 << 30;

/// Session settings of the `BEGIN` of a row-based transaction (spec 7.2).
const EVENT_OPTIONS: &[(&str, &str)] = &[
    ("autocommit", "1"),
    ("sql_auto_is_null", "0"),
    ("foreign_key_checks", "1"),
    ("unique_checks", "1"),
    ("sql_mode", "'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'"),
    ("character_set_client", "45"),
    ("collation_connection", "45"),
    ("collation_server", "45"),
    ("time_zone", "'+00:00'"),
];
/// Options of each ROW_DATA change (spec 7.3, 3.x form).
const ROW_OPTIONS: &[(&str, &str)] = &[
    ("foreign_key_checks", "1"),
    ("unique_checks", "1"),
    ("time_zone", "'+00:00'"),
    ("##charset", "UTF-8"),
];
/// Options of each statement (spec 7.3).
const STATEMENT_OPTIONS: &[(&str, &str)] = &[
    ("##charset", "UTF-8"),
    ("autocommit", "1"),
    ("sql_auto_is_null", "0"),
    ("foreign_key_checks", "1"),
    ("unique_checks", "1"),
    ("sql_mode", "'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'"),
    ("character_set_client", "45"),
    ("collation_connection", "45"),
    ("collation_server", "45"),
];

/// One transaction (one seqno), ready to be turned into its events.
pub struct Transaction {
    pub seqno: i64,
    pub commit_millis: i64,
    /// When the replicator serialized it (a little after the commit).
    pub extracted_millis: i64,
    pub shard: &'static str,
    pub fragments: Vec<Fragment>,
    /// Whether it holds row changes (then it carries the session options).
    pub row_based: bool,
}

pub struct Fragment {
    /// Binlog position reached by this fragment.
    pub event_id: String,
    pub metadata: Vec<(&'static str, &'static str)>,
    pub changes: Vec<Planned>,
}

pub enum Planned {
    /// One ROW_DATA change: its row changes, one per binlog rows event.
    Rows(Vec<RowsEvent>),
    Statement(Statement),
    InsertId(i64),
}

pub struct RowsEvent {
    pub table: &'static Table,
    pub action: Action,
    /// Before images (UPDATE, DELETE), every column or, for the heartbeat, the key.
    pub before: Vec<Vec<Cell>>,
    /// After images (INSERT, UPDATE), every column.
    pub after: Vec<Vec<Cell>>,
}

pub struct Statement {
    pub schema: &'static str,
    pub sql: String,
    pub millis: i64,
}

/// What the generated log contains, for the report.
#[derive(Debug, Default)]
pub struct Tally {
    pub transactions: u64,
    pub events: u64,
    pub fragmented: u64,
    pub row_changes: u64,
    pub rows: u64,
    pub statements: u64,
    pub heartbeats: u64,
    pub multi_schema: u64,
}

/// The master and its extractor: clocks, binlog position, auto-increment counters.
pub struct Source {
    rng: Rng,
    seqno: i64,
    commit_millis: i64,
    binlog_file: u32,
    binlog_pos: u64,
    /// Next AUTO_INCREMENT value per table of `TABLES`.
    next_key: Vec<i64>,
    heartbeats: i32,
    pub tally: Tally,
}

impl Source {
    pub fn new(seed: u64) -> Source {
        Source {
            rng: Rng::new(seed),
            seqno: 0,
            // 2024-03-04 09:00:00 UTC.
            commit_millis: 1_709_542_800_000,
            binlog_file: 42,
            binlog_pos: 415,
            next_key: TABLES
                .iter()
                .map(|t| 1 + t.weight as i64 * 97_331)
                .collect(),
            heartbeats: 0,
            tally: Tally::default(),
        }
    }

    /// The next transaction of the stream.
    pub fn next_transaction(&mut self) -> Transaction {
        self.commit_millis += self.rng.between(0, 12);
        // The replicator's first event is its MASTER_ONLINE heartbeat.
        let roll = if self.seqno == 0 {
            0
        } else {
            self.rng.below(10_000)
        };
        let txn = match roll {
            0..=49 => self.heartbeat(),
            50..=79 => self.ddl(),
            80..=679 => self.dml_statement(),
            680..=682 => self.batch_job(),
            _ => self.row_transaction(),
        };
        self.seqno += 1;
        self.tally.transactions += 1;
        self.tally.events += txn.fragments.len() as u64;
        if txn.fragments.len() > 1 {
            self.tally.fragmented += 1;
        }
        for change in txn.fragments.iter().flat_map(|f| &f.changes) {
            match change {
                Planned::Rows(events) => {
                    self.tally.row_changes += events.len() as u64;
                    self.tally.rows += events
                        .iter()
                        .map(|e| e.before.len().max(e.after.len()) as u64)
                        .sum::<u64>();
                }
                Planned::Statement(_) => self.tally.statements += 1,
                Planned::InsertId(_) => {}
            }
        }
        txn
    }

    /// `UPDATE tungsten_<service>.heartbeat`, as the replicator's heartbeat does; the
    /// before image keeps only the key column (spec 7.3).
    fn heartbeat(&mut self) -> Transaction {
        self.heartbeats += 1;
        self.tally.heartbeats += 1;
        let name = if self.heartbeats == 1 {
            "MASTER_ONLINE"
        } else {
            "NONE"
        };
        let after = vec![
            Cell::Long(1),
            Cell::Null,
            Cell::Null,
            Cell::Timestamp {
                millis: self.commit_millis / 1000 * 1000,
                nanos: 0,
            },
            Cell::Null,
            Cell::Null,
            Cell::Int(self.heartbeats),
            Cell::Chars(name.as_bytes().to_vec()),
        ];
        let rows = RowsEvent {
            table: &HEARTBEAT,
            action: Action::Update,
            before: vec![vec![Cell::Long(1)]],
            after: vec![after],
        };
        let metadata = vec![
            ("mysql_server_id", SERVER_ID),
            ("tz_aware", "true"),
            ("dbms_type", "mysql"),
            ("is_metadata", "true"),
            ("service", SERVICE),
            ("shard", HEARTBEAT.schema),
            ("heartbeat", name),
        ];
        let changes = vec![Planned::Rows(vec![rows])];
        let event_id = self.advance(&changes, None);
        self.transaction(
            HEARTBEAT.schema,
            true,
            vec![Fragment {
                event_id,
                metadata,
                changes,
            }],
        )
    }

    /// A schema change; it must commit alone (`unsafe_for_block_commit`).
    fn ddl(&mut self) -> Transaction {
        let table = self.rng.pick(TABLES);
        let column = self.rng.pick(&table.columns[1..]).name;
        let n = self.rng.below(1000);
        let sql = match self.rng.below(4) {
            0 => format!(
                "ALTER TABLE `{}` ADD INDEX `idx_{column}_{n}` (`{column}`)",
                table.name
            ),
            1 => format!(
                "CREATE TABLE IF NOT EXISTS `{}_archive_{n}` LIKE `{}`",
                table.name, table.name
            ),
            2 => format!("ANALYZE TABLE `{}`", table.name),
            _ => format!(
                "DROP TABLE IF EXISTS `{}_tmp_{n}` /* generated by server */",
                table.name
            ),
        };
        let changes = vec![Planned::Statement(Statement {
            schema: table.schema,
            sql,
            millis: self.commit_millis / 1000 * 1000,
        })];
        let session = self.session();
        let event_id = self.advance(&changes, Some(session));
        let metadata = vec![
            ("mysql_server_id", SERVER_ID),
            ("unsafe_for_block_commit", ""),
            ("tz_aware", "true"),
            ("dbms_type", "mysql"),
            ("service", SERVICE),
            ("shard", table.schema),
        ];
        self.transaction(
            table.schema,
            false,
            vec![Fragment {
                event_id,
                metadata,
                changes,
            }],
        )
    }

    /// A statement-based DML statement; an INSERT into an AUTO_INCREMENT table is
    /// preceded by its INSERT_ID.
    fn dml_statement(&mut self) -> Transaction {
        let (table_index, sql) = self.dml_sql();
        let table = &TABLES[table_index];
        let mut changes = Vec::new();
        if sql.starts_with("INSERT") {
            changes.push(Planned::InsertId(self.next_key[table_index]));
            self.next_key[table_index] += 1 + sql.matches("),(").count() as i64;
        }
        changes.push(Planned::Statement(Statement {
            schema: table.schema,
            sql,
            millis: self.commit_millis / 1000 * 1000,
        }));
        let session = self.session();
        let event_id = self.advance(&changes, Some(session));
        let metadata = standard_metadata(table.schema);
        self.transaction(
            table.schema,
            false,
            vec![Fragment {
                event_id,
                metadata,
                changes,
            }],
        )
    }

    /// SQL text of a DML statement and the index of the table it writes.
    fn dml_sql(&mut self) -> (usize, String) {
        let rng = &mut self.rng;
        let sku = format!(
            "SKU-{:05}-{}",
            rng.below(100_000),
            (b'A' + rng.below(26) as u8) as char
        );
        match rng.below(6) {
            0 => (
                table_named("stock"),
                format!(
                "UPDATE stock SET qty = qty - {n}, reserved = reserved + {n}, updated = NOW(6) \
                 WHERE sku = '{sku}' AND warehouse = {}",
                rng.between(1, 40),
                n = rng.between(1, 20),
            ),
            ),
            1 => (
                table_named("events"),
                format!(
                "INSERT INTO events (at, actor, action, ip, payload, duration, success) VALUES \
                 (NOW(6), 'svc-batch@example.com', 'export', '10.0.{}.{}', \
                 '{{\"job\":\"nightly-export\",\"rows\":{},\"file\":\"/exports/{:08x}.csv.gz\"}}', \
                 '00:00:0{}.{:06}', 1)",
                rng.below(256),
                rng.below(256),
                rng.below(1_000_000),
                rng.next_u64() as u32,
                rng.below(10),
                rng.below(1_000_000),
            ),
            ),
            2 => (
                table_named("events"),
                format!(
                    "DELETE FROM events WHERE at < '2024-0{}-{:02} 00:00:00' LIMIT {}",
                    rng.between(1, 2),
                    rng.between(1, 28),
                    rng.pick(&[500, 1000, 5000]),
                ),
            ),
            3 => (
                table_named("customers"),
                format!(
                "UPDATE customers SET last_login = NOW(3), last_ip = '10.{}.{}.{}' WHERE id = {}",
                rng.below(256),
                rng.below(256),
                rng.below(256),
                rng.between(1, 1_000_000),
            ),
            ),
            4 => (
                table_named("invoices"),
                format!(
                    "UPDATE invoices SET state = 'paid', paid_at = NOW() WHERE id = {}",
                    rng.between(1, 900_000),
                ),
            ),
            _ => {
                let lines = rng.between(1, 30);
                let order = rng.between(1, 50_000_000);
                let mut sql = String::from(
                    "INSERT INTO order_items (order_id, line, sku, qty, unit_price, discount, \
                     tax_rate, gift_wrap) VALUES ",
                );
                for line in 1..=lines {
                    if line > 1 {
                        sql.push(',');
                    }
                    sql.push_str(&format!(
                        "({order},{line},'SKU-{:05}-{}',{},{}.{:02},{},0.{:02},{})",
                        rng.below(100_000),
                        (b'A' + rng.below(26) as u8) as char,
                        rng.between(1, 12),
                        rng.between(1, 2_000),
                        rng.below(100),
                        rng.pick(&["0", "0.05", "0.1", "0.25"]),
                        rng.pick(&[0, 7, 19, 20, 21]),
                        rng.below(2),
                    ));
                }
                (table_named("order_items"), sql)
            }
        }
    }

    /// An application transaction: row changes on one to four tables, nearly always of
    /// one schema.
    fn row_transaction(&mut self) -> Transaction {
        let first = self.weighted_table();
        let mut tables = vec![first];
        let extra = self.rng.pick(&[0, 0, 0, 0, 1, 1, 2]);
        for _ in 0..*extra {
            let cross_schema = self.rng.percent(3);
            let candidates: Vec<usize> = (0..TABLES.len())
                .filter(|&i| cross_schema || TABLES[i].schema == TABLES[first].schema)
                .collect();
            tables.push(*self.rng.pick(&candidates));
        }
        let mut events = Vec::new();
        for &table in &tables {
            let rows = match self.rng.below(1000) {
                0..=849 => 1,
                850..=969 => self.rng.between(2, 10),
                970..=997 => self.rng.between(11, 100),
                _ => self.rng.between(101, 500),
            };
            let action = match self.rng.below(100) {
                0..=54 => Action::Insert,
                55..=89 => Action::Update,
                _ => Action::Delete,
            };
            events.extend(self.rows_events(table, action, rows as usize));
        }
        self.row_based(events)
    }

    /// A nightly job: thousands of rows in one transaction, fragmented.
    fn batch_job(&mut self) -> Transaction {
        let (name, action) = *self.rng.pick(&[
            ("events", Action::Delete),
            ("events", Action::Insert),
            ("order_items", Action::Insert),
            ("stock", Action::Update),
        ]);
        let rows = self.rng.between(2_000, 8_000) as usize;
        let events = self.rows_events(table_named(name), action, rows);
        self.row_based(events)
    }

    /// Row changes (one per binlog rows event) into fragments of about 1 MB, each
    /// fragment with the binlog position it reached.
    fn row_based(&mut self, events: Vec<RowsEvent>) -> Transaction {
        let mut schemas: Vec<&'static str> = events.iter().map(|e| e.table.schema).collect();
        schemas.sort_unstable();
        schemas.dedup();
        let shard = match schemas.as_slice() {
            [one] => *one,
            _ => {
                self.tally.multi_schema += 1;
                UNKNOWN_SHARD
            }
        };
        let metadata = standard_metadata(shard);
        let mut fragments = Vec::new();
        let mut pending = Vec::new();
        let mut size = 0;
        for event in events {
            size += rows_size(&event);
            pending.push(event);
            if size >= FRAGMENT_BYTES {
                let changes = vec![Planned::Rows(std::mem::take(&mut pending))];
                let event_id = self.advance(&changes, None);
                fragments.push(Fragment {
                    event_id,
                    metadata: metadata.clone(),
                    changes,
                });
                size = 0;
            }
        }
        let last = if pending.is_empty() {
            vec![]
        } else {
            vec![Planned::Rows(pending)]
        };
        let event_id = self.advance(&last, None);
        // A fragmented transaction's last fragment may be only its commit: no changes,
        // shorter metadata (spec 8.2).
        let last_metadata = if last.is_empty() {
            vec![
                ("dbms_type", "mysql"),
                ("service", SERVICE),
                ("shard", shard),
            ]
        } else {
            metadata
        };
        fragments.push(Fragment {
            event_id,
            metadata: last_metadata,
            changes: last,
        });
        self.transaction(shard, true, fragments)
    }

    /// `rows` rows of `action` on table `index`, cut into rows events of about 8 KB.
    fn rows_events(&mut self, index: usize, action: Action, rows: usize) -> Vec<RowsEvent> {
        let table = &TABLES[index];
        let mut events = Vec::new();
        let mut current = RowsEvent {
            table,
            action,
            before: vec![],
            after: vec![],
        };
        for _ in 0..rows {
            let key = match action {
                Action::Insert => {
                    self.next_key[index] += 1;
                    self.next_key[index] - 1
                }
                _ => self.rng.between(1, self.next_key[index] - 1),
            };
            let row = self.row(table, key);
            match action {
                Action::Insert => current.after.push(row),
                Action::Delete => current.before.push(row),
                _ => {
                    let after = self.updated(table, &row);
                    current.before.push(row);
                    current.after.push(after);
                }
            }
            if rows_size(&current) >= ROWS_EVENT_BYTES {
                events.push(std::mem::replace(
                    &mut current,
                    RowsEvent {
                        table,
                        action,
                        before: vec![],
                        after: vec![],
                    },
                ));
            }
        }
        if !current.before.is_empty() || !current.after.is_empty() {
            events.push(current);
        }
        events
    }

    fn row(&mut self, table: &Table, key: i64) -> Vec<Cell> {
        let mut cx = Context {
            rng: &mut self.rng,
            commit_millis: self.commit_millis,
        };
        table
            .columns
            .iter()
            .map(|c| {
                if c.null_percent > 0 && cx.rng.percent(c.null_percent) {
                    Cell::Null
                } else {
                    cx.value(c.kind, key)
                }
            })
            .collect()
    }

    /// The after image of an UPDATE: one to three columns changed, and every
    /// TIMESTAMP column (ON UPDATE CURRENT_TIMESTAMP) moved to now.
    fn updated(&mut self, table: &Table, before: &[Cell]) -> Vec<Cell> {
        let mut after = before.to_vec();
        let mut cx = Context {
            rng: &mut self.rng,
            commit_millis: self.commit_millis,
        };
        let changed = cx.rng.between(1, 3);
        for _ in 0..changed {
            let i = cx.rng.between(1, table.columns.len() as i64 - 1) as usize;
            after[i] = cx.value(table.columns[i].kind, 0);
        }
        for (i, c) in table.columns.iter().enumerate() {
            if matches!(c.kind, Kind::Timestamp { .. }) {
                after[i] = cx.value(c.kind, 0);
            }
        }
        after
    }

    fn weighted_table(&mut self) -> usize {
        let total: u64 = TABLES.iter().map(|t| t.weight).sum();
        let mut roll = self.rng.below(total);
        for (i, t) in TABLES.iter().enumerate() {
            if roll < t.weight {
                return i;
            }
            roll -= t.weight;
        }
        TABLES.len() - 1
    }

    /// A MySQL connection (thread) id of the application's connection pool.
    fn session(&mut self) -> i64 {
        52_000 + self.rng.between(0, 400)
    }

    /// Moves the binlog position past `changes` and returns the eventId there (spec 8.5:
    /// 16-digit position; session -1 when no statement contributed).
    fn advance(&mut self, changes: &[Planned], session: Option<i64>) -> String {
        let size: usize = changes
            .iter()
            .map(|c| match c {
                Planned::Rows(events) => events.iter().map(|e| rows_size(e) + 60).sum(),
                Planned::Statement(s) => s.sql.len() + 90,
                Planned::InsertId(_) => 32,
            })
            .sum();
        // BEGIN/GTID/XID events around the transaction.
        self.binlog_pos += size as u64 + 150;
        if self.binlog_pos > BINLOG_SIZE {
            self.binlog_file += 1;
            // Past the format description and previous-GTIDs events of the new file.
            self.binlog_pos = 415 + size as u64;
        }
        format!(
            "mysql-bin.{:06}:{:016};{}",
            self.binlog_file,
            self.binlog_pos,
            session.unwrap_or(-1)
        )
    }

    fn transaction(
        &mut self,
        shard: &'static str,
        row_based: bool,
        fragments: Vec<Fragment>,
    ) -> Transaction {
        Transaction {
            seqno: self.seqno,
            commit_millis: self.commit_millis,
            extracted_millis: self.commit_millis + self.rng.between(2, 400),
            shard,
            fragments,
            row_based,
        }
    }
}

/// Index in `TABLES` of the table called `name`.
fn table_named(name: &str) -> usize {
    TABLES
        .iter()
        .position(|t| t.name == name)
        .expect("a table of the catalog")
}

/// Metadata of an ordinary transaction, in the 3.x extractor's order (spec 7.1).
fn standard_metadata(shard: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("mysql_server_id", SERVER_ID),
        ("tz_aware", "true"),
        ("dbms_type", "mysql"),
        ("service", SERVICE),
        ("shard", shard),
    ]
}

fn rows_size(e: &RowsEvent) -> usize {
    e.before
        .iter()
        .chain(&e.after)
        .flatten()
        .map(Cell::stored_size)
        .sum()
}

fn options(pairs: &'static [(&'static str, &'static str)]) -> Vec<EventOption<'static>> {
    pairs
        .iter()
        .map(|&(name, value)| EventOption { name, value })
        .collect()
}

impl Transaction {
    /// The event record of fragment `fragno`.
    pub fn event(&self, fragno: usize) -> Event<'_> {
        let fragment = &self.fragments[fragno];
        let last_frag = fragno + 1 == self.fragments.len();
        let java = |s| JavaStr::encode(s).expect("short header strings");
        Event {
            record: RecordHeader {
                seqno: self.seqno,
                fragno: fragno as i16,
                last_frag,
                epoch: 0,
                source_id: java(SOURCE_ID),
                event_id: java(&fragment.event_id),
                shard_id: java(self.shard),
                source_tstamp: self.commit_millis,
            },
            header: Header {
                seqno: self.seqno,
                fragno: fragno as i32,
                last_frag,
                source_tstamp: self.commit_millis,
                extracted_tstamp: self.extracted_millis,
                source_id: SOURCE_ID,
                epoch_number: 0,
                event_id: &fragment.event_id,
                shard_id: "#DEFAULT",
                filtered_event: false,
                seqno_end: None,
                fragno_end: None,
            },
            body: ReplDbmsEvent {
                changes: fragment.changes.iter().map(Planned::change).collect(),
                metadata: fragment
                    .metadata
                    .iter()
                    .map(|&(name, value)| EventOption { name, value })
                    .collect(),
                options: if self.row_based {
                    options(EVENT_OPTIONS)
                } else {
                    vec![]
                },
            },
        }
    }
}

impl Planned {
    fn change(&self) -> Change<'_> {
        match self {
            Planned::Rows(events) => Change::Rows(RowChangeData {
                row_changes: events.iter().map(RowsEvent::row_change).collect(),
                options: options(ROW_OPTIONS),
            }),
            Planned::Statement(s) => Change::Statement(StatementData {
                default_schema: Some(s.schema),
                timestamp: Some(s.millis),
                query: None,
                options: options(STATEMENT_OPTIONS),
                error_code: 0,
                // Both real fixtures store statements as bytes.
                query_as_bytes: Some(s.sql.as_bytes()),
            }),
            Planned::InsertId(id) => Change::RowId(RowIdData {
                id: *id,
                // 2 = INSERT_ID.
                id_type: Some(2),
            }),
        }
    }
}

impl RowsEvent {
    fn row_change(&self) -> OneRowChange<'_> {
        OneRowChange {
            schema_name: self.table.schema,
            table_name: self.table.name,
            action: self.action,
            key_spec: specs(self.table, &self.before),
            column_spec: specs(self.table, &self.after),
            key_values: values(&self.before),
            column_values: values(&self.after),
            table_id: Some(self.table.table_id),
        }
    }
}

/// Column specs of an image list: one per column present, type 0 for a column that is
/// NULL in every row (spec 6.6).
fn specs(table: &'static Table, images: &[Vec<Cell>]) -> Vec<ColumnSpec<'static>> {
    let Some(width) = images.first().map(Vec::len) else {
        return vec![];
    };
    table.columns[..width]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (sql_type, length) = c.kind.thl_spec();
            let all_null = images.iter().all(|row| row[i] == Cell::Null);
            ColumnSpec {
                index: i as i32 + 1,
                name: None,
                sql_type: if all_null { 0 } else { sql_type },
                signed: true,
                length,
                not_null: false,
                type_description: None,
            }
        })
        .collect()
}

fn values(images: &[Vec<Cell>]) -> RowImages<'_> {
    images
        .iter()
        .map(|row| row.iter().map(Cell::column_val))
        .collect()
}
