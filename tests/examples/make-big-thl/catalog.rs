//! The source database the generated log replicates: schemas, tables and column types,
//! and how Tungsten's MySQL extractor describes each column type in THL (spec 6.7).

/// `java.sql.Types` codes used by column specs (spec 6.6).
pub mod sql_type {
    pub const BIT: i32 = -7;
    pub const OTHER: i32 = 1111;
    pub const DECIMAL: i32 = 3;
    pub const INTEGER: i32 = 4;
    pub const FLOAT: i32 = 6;
    pub const DOUBLE: i32 = 8;
    pub const VARCHAR: i32 = 12;
    pub const DATE: i32 = 91;
    pub const TIME: i32 = 92;
    pub const TIMESTAMP: i32 = 93;
    pub const BLOB: i32 = 2004;
}

/// A MySQL column type together with the range its generated values come from.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// BIGINT primary key (AUTO_INCREMENT): the row's id.
    Key,
    /// TINYINT, SMALLINT, MEDIUMINT or INT (`bytes` wide), values in `lo..=hi`.
    Int {
        bytes: i32,
        lo: i64,
        hi: i64,
    },
    /// BIGINT, values in `lo..=hi`.
    BigInt {
        lo: i64,
        hi: i64,
    },
    /// DECIMAL(_, scale) with an unscaled value in `lo..=hi`.
    Decimal {
        scale: i32,
        lo: i64,
        hi: i64,
    },
    Float {
        lo: f32,
        hi: f32,
    },
    Double {
        lo: f64,
        hi: f64,
    },
    Bit {
        bits: u32,
    },
    /// TIMESTAMP(frac): a moment shortly before the commit.
    Timestamp {
        frac: u32,
    },
    /// DATETIME(frac): a moment within the `days` before the commit.
    DateTime {
        frac: u32,
        days: i64,
    },
    /// DATE: a day between two day numbers (days since 1970-01-01).
    Date {
        from_day: i64,
        to_day: i64,
    },
    /// TIME(frac): a time of day.
    Time {
        frac: u32,
    },
    Year,
    /// ENUM with a one-byte member index.
    Enum(&'static [&'static str]),
    Set(&'static [&'static str]),
    /// VARCHAR or CHAR holding text of one sort.
    Varchar(Text),
    /// BLOB of binary bytes, `min..=max` long.
    Blob {
        min: usize,
        max: usize,
    },
    /// TEXT (a BLOB in THL) holding text of one sort.
    Text(Text),
}

/// Sorts of generated text.
#[derive(Debug, Clone, Copy)]
pub enum Text {
    /// First and last name, many scripts.
    PersonName,
    Email,
    /// `SKU-01234-K`.
    Sku,
    /// ISO 3166 alpha-2.
    Country,
    /// ISO 4217.
    Currency,
    /// 1..=n words.
    Phrase(usize),
    /// A small JSON document, as an application would log it.
    Json,
    Ip,
    /// n hexadecimal digits.
    Hex(usize),
}

impl Kind {
    /// Column spec `type` and `length` written by the MySQL extractor (spec 6.6, 6.7).
    pub fn thl_spec(self) -> (i32, i32) {
        use sql_type::*;
        match self {
            Kind::Key | Kind::BigInt { .. } => (INTEGER, 8),
            Kind::Int { bytes, .. } => (INTEGER, bytes),
            Kind::Year | Kind::Set(_) => (INTEGER, 0),
            Kind::Decimal { .. } => (DECIMAL, 0),
            Kind::Float { .. } => (FLOAT, 0),
            Kind::Double { .. } => (DOUBLE, 0),
            Kind::Bit { .. } => (BIT, 0),
            Kind::Timestamp { .. } => (TIMESTAMP, 0),
            Kind::DateTime { .. } | Kind::Date { .. } => (DATE, 0),
            Kind::Time { .. } => (TIME, 0),
            Kind::Enum(_) => (OTHER, 0),
            Kind::Varchar(_) => (VARCHAR, 0),
            Kind::Blob { .. } | Kind::Text(_) => (BLOB, 0),
        }
    }
}

#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    /// Chance in percent that a row holds NULL here.
    pub null_percent: u64,
}

#[derive(Debug)]
pub struct Table {
    pub schema: &'static str,
    pub name: &'static str,
    /// The MySQL table map id the extractor stores in each row change.
    pub table_id: i64,
    pub columns: &'static [Column],
    /// How often the application writes this table, relative to the others.
    pub weight: u64,
}

const fn col(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        null_percent: 0,
    }
}

const fn nullable(name: &'static str, kind: Kind, null_percent: u64) -> Column {
    Column {
        name,
        kind,
        null_percent,
    }
}

/// Day numbers of a few dates, for `Kind::Date` ranges.
const DAY_1940_01_01: i64 = -10_957;
const DAY_2006_01_01: i64 = 13_149;
const DAY_2023_01_01: i64 = 19_358;
const DAY_2025_01_01: i64 = 20_089;

/// Every table the application writes. The heartbeat table is Tungsten's own (see
/// `HEARTBEAT`).
pub const TABLES: &[Table] = &[
    Table {
        schema: "shop",
        name: "orders",
        table_id: 71,
        weight: 30,
        columns: &[
            col("id", Kind::Key),
            col(
                "customer_id",
                Kind::Int {
                    bytes: 4,
                    lo: 1,
                    hi: 2_000_000,
                },
            ),
            col(
                "status",
                Kind::Enum(&["new", "paid", "packed", "shipped", "delivered", "cancelled"]),
            ),
            col(
                "total",
                Kind::Decimal {
                    scale: 2,
                    lo: 100,
                    hi: 5_000_000,
                },
            ),
            col("currency", Kind::Varchar(Text::Currency)),
            col(
                "items",
                Kind::Int {
                    bytes: 2,
                    lo: 1,
                    hi: 40,
                },
            ),
            col("created", Kind::DateTime { frac: 6, days: 30 }),
            col("updated", Kind::Timestamp { frac: 3 }),
            nullable(
                "ship_by",
                Kind::Date {
                    from_day: DAY_2023_01_01,
                    to_day: DAY_2025_01_01,
                },
                40,
            ),
            nullable("note", Kind::Varchar(Text::Phrase(12)), 70),
            col("flags", Kind::Bit { bits: 8 }),
            col("channel", Kind::Enum(&["web", "app", "store", "phone"])),
        ],
    },
    Table {
        schema: "shop",
        name: "order_items",
        table_id: 72,
        weight: 45,
        columns: &[
            col("id", Kind::Key),
            col(
                "order_id",
                Kind::BigInt {
                    lo: 1,
                    hi: 50_000_000,
                },
            ),
            col(
                "line",
                Kind::Int {
                    bytes: 1,
                    lo: 1,
                    hi: 40,
                },
            ),
            col("sku", Kind::Varchar(Text::Sku)),
            col(
                "qty",
                Kind::Int {
                    bytes: 3,
                    lo: 1,
                    hi: 500,
                },
            ),
            col(
                "unit_price",
                Kind::Decimal {
                    scale: 2,
                    lo: 50,
                    hi: 200_000,
                },
            ),
            col("discount", Kind::Float { lo: 0.0, hi: 0.5 }),
            col("tax_rate", Kind::Double { lo: 0.0, hi: 0.25 }),
            col("gift_wrap", Kind::Bit { bits: 1 }),
        ],
    },
    Table {
        schema: "billing",
        name: "invoices",
        table_id: 81,
        weight: 10,
        columns: &[
            col("id", Kind::Key),
            col(
                "order_id",
                Kind::BigInt {
                    lo: 1,
                    hi: 50_000_000,
                },
            ),
            col(
                "amount",
                Kind::Decimal {
                    scale: 4,
                    lo: -10_000_000,
                    hi: 5_000_000_000,
                },
            ),
            col(
                "vat",
                Kind::Decimal {
                    scale: 4,
                    lo: 0,
                    hi: 1_000_000_000,
                },
            ),
            col(
                "issued",
                Kind::Date {
                    from_day: DAY_2023_01_01,
                    to_day: DAY_2025_01_01,
                },
            ),
            col(
                "due",
                Kind::Date {
                    from_day: DAY_2023_01_01,
                    to_day: DAY_2025_01_01,
                },
            ),
            nullable("paid_at", Kind::DateTime { frac: 0, days: 90 }, 50),
            col("state", Kind::Enum(&["draft", "issued", "paid", "void"])),
            nullable(
                "pdf",
                Kind::Blob {
                    min: 2_000,
                    max: 24_000,
                },
                85,
            ),
            nullable("memo", Kind::Text(Text::Phrase(40)), 50),
        ],
    },
    Table {
        schema: "billing",
        name: "payments",
        table_id: 82,
        weight: 8,
        columns: &[
            col("id", Kind::Key),
            col(
                "invoice_id",
                Kind::BigInt {
                    lo: 1,
                    hi: 20_000_000,
                },
            ),
            col(
                "amount",
                Kind::Decimal {
                    scale: 2,
                    lo: 100,
                    hi: 50_000_000,
                },
            ),
            col("method", Kind::Enum(&["card", "sepa", "wire", "paypal"])),
            nullable("card_last4", Kind::Varchar(Text::Hex(4)), 40),
            col("received", Kind::Timestamp { frac: 6 }),
            col("fx_rate", Kind::Double { lo: 0.5, hi: 1.8 }),
            col("reference", Kind::Varchar(Text::Hex(24))),
        ],
    },
    Table {
        schema: "crm",
        name: "customers",
        table_id: 91,
        weight: 12,
        columns: &[
            col("id", Kind::Key),
            col("name", Kind::Varchar(Text::PersonName)),
            col("email", Kind::Varchar(Text::Email)),
            col("country", Kind::Varchar(Text::Country)),
            nullable(
                "birth",
                Kind::Date {
                    from_day: DAY_1940_01_01,
                    to_day: DAY_2006_01_01,
                },
                30,
            ),
            col("score", Kind::Double { lo: 0.0, hi: 100.0 }),
            col(
                "tags",
                Kind::Set(&["vip", "newsletter", "b2b", "churn-risk", "beta"]),
            ),
            col("created", Kind::Timestamp { frac: 0 }),
            nullable("last_login", Kind::DateTime { frac: 3, days: 365 }, 10),
            nullable("bio", Kind::Text(Text::Phrase(60)), 60),
            nullable(
                "avatar",
                Kind::Blob {
                    min: 500,
                    max: 6_000,
                },
                80,
            ),
            col("joined", Kind::Year),
            col("last_ip", Kind::Varchar(Text::Ip)),
        ],
    },
    Table {
        schema: "inventory",
        name: "stock",
        table_id: 101,
        weight: 25,
        columns: &[
            col("id", Kind::Key),
            col("sku", Kind::Varchar(Text::Sku)),
            col(
                "warehouse",
                Kind::Int {
                    bytes: 1,
                    lo: 1,
                    hi: 40,
                },
            ),
            col(
                "qty",
                Kind::Int {
                    bytes: 3,
                    lo: 0,
                    hi: 100_000,
                },
            ),
            col(
                "reserved",
                Kind::Int {
                    bytes: 4,
                    lo: 0,
                    hi: 5_000,
                },
            ),
            col("weight_kg", Kind::Float { lo: 0.01, hi: 80.0 }),
            col("updated", Kind::Timestamp { frac: 6 }),
            col("pick_time", Kind::Time { frac: 3 }),
            nullable(
                "restock",
                Kind::Date {
                    from_day: DAY_2023_01_01,
                    to_day: DAY_2025_01_01,
                },
                50,
            ),
        ],
    },
    Table {
        schema: "audit",
        name: "events",
        table_id: 111,
        weight: 20,
        columns: &[
            col("id", Kind::Key),
            col("at", Kind::Timestamp { frac: 6 }),
            col("actor", Kind::Varchar(Text::Email)),
            col(
                "action",
                Kind::Enum(&["login", "logout", "view", "export", "update", "delete"]),
            ),
            col("ip", Kind::Varchar(Text::Ip)),
            col("payload", Kind::Text(Text::Json)),
            col("duration", Kind::Time { frac: 6 }),
            col("success", Kind::Bit { bits: 1 }),
        ],
    },
];

/// Tungsten's heartbeat table, `tungsten_<service>.heartbeat`. Only its column types
/// are used: `workload` sets the values as the replicator does.
pub const HEARTBEAT: Table = Table {
    schema: "tungsten_sales",
    name: "heartbeat",
    table_id: 60,
    weight: 0,
    columns: &[
        col("id", Kind::Key),
        col("seqno", Kind::BigInt { lo: 0, hi: 0 }),
        col("eventid", Kind::Varchar(Text::Hex(0))),
        col("source_tstamp", Kind::Timestamp { frac: 0 }),
        col("target_tstamp", Kind::Timestamp { frac: 0 }),
        col("lag_millis", Kind::BigInt { lo: 0, hi: 0 }),
        col(
            "salt",
            Kind::Int {
                bytes: 4,
                lo: 0,
                hi: 0,
            },
        ),
        col("name", Kind::Varchar(Text::Hex(0))),
    ],
};
