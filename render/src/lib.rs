//! The text replog prints: Tungsten's `thl list` formats and `thl events` lines and JSON.
//!
//! One renderer, linked by the `thl` command line, the tests and the fuzz targets, so what
//! they check is what users see. It composes the library's decoded values (`replog`) and
//! its Java text forms ([`replog::thl::java_text`]) into whole listings. It never sees
//! argv or exit statuses and writes only to the writer or buffer it is given.
//!
//! # Where to start
//! - THL events (`thl list`): [`full::Listing`] (the default listing),
//!   [`sql::push_event`] (`-sql`), [`headers::write_tab`] (`-headers`) and
//!   [`json::JsonArray`] (`-headers -json`); [`Style`] carries the options that change
//!   how values look (`-timezone` as a [`zone::Zone`], `-charset` as a
//!   [`charset::Charset`], `-hex`, `-specs`), and [`value::push_column_value`] renders one
//!   column value.
//! - Binary-log events (`thl events`): [`binlog_text::write_event`] (one tab-separated
//!   line) and [`binlog_json::write_event`] (one JSON object per line); row changes as
//!   `mariadb-binlog -v` pseudo-SQL ([`row_verbose::write_rows`]) or as executable and
//!   undo SQL ([`row_sql::for_each_statement`], names from the table map or from
//!   `SHOW CREATE TABLE` text read by [`create_table::TableDefinitions`]).
//! - [`trepctl`] prints `trepctl status`-style blocks and JSON (`thl shards`,
//!   `thl channels`); [`instant`] gives Java's date and time text in the display zone.
//!
//! ```
//! use replog_render::instant;
//! use replog_render::zone::Zone;
//!
//! let (zone, warning) = Zone::named("America/Los_Angeles");
//! assert_eq!(warning, None);
//! assert_eq!(instant::timestamp(1_420_849_937_000, 0, &zone), "2015-01-09 16:32:17.0");
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

pub mod binlog_json;
pub mod binlog_text;
pub mod charset;
pub mod create_table;
pub mod full;
pub mod headers;
pub mod instant;
pub mod json;
pub mod row_sql;
pub mod row_verbose;
mod specs;
pub mod sql;
pub mod trepctl;
pub mod value;
pub mod zone;

use std::borrow::Cow;

use charset::Charset;
use zone::Zone;

/// How values are shown.
#[derive(Debug, Clone)]
pub struct Style {
    /// Display time zone.
    pub zone: Zone,
    /// `-charset`: how BINARYSTRING values are decoded.
    pub charset: Option<Charset>,
    /// `-hex`: append the bytes of BINARYSTRING values in hex.
    pub hex: bool,
    /// `-specs`: full column specifications in row listings.
    pub specs: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            zone: Zone::utc(),
            charset: None,
            hex: false,
            specs: false,
        }
    }
}

/// The text of a statement's query: the string, or the bytes decoded with the
/// statement's `##charset` (UTF-8 when absent or unknown). Borrowed when stored as text.
pub(crate) fn query_text<'a>(statement: &replog::thl::event::StatementData<'a>) -> Cow<'a, str> {
    if let (Some(query), None) = (statement.query, statement.query_as_bytes) {
        return Cow::Borrowed(query);
    }
    let charset = statement
        .charset()
        .and_then(Charset::from_java_name)
        .unwrap_or(Charset::UTF_8);
    Cow::Owned(charset.decode(statement.query_bytes()))
}

/// Appends an integer's decimal digits (itoa's: the formatting machinery cost more on
/// the listings' hot paths).
pub(crate) fn push_integer(text: &mut String, n: impl itoa::Integer) {
    text.push_str(itoa::Buffer::new().format(n));
}
