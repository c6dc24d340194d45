//! Text forms of THL records: Tungsten's full listing, `-headers`, `-headers -json`,
//! `-sql`, and the value formatting they share.

pub mod binlog_json;
pub mod binlog_text;
pub mod charset;
pub mod full;
pub mod headers;
pub mod javatext;
pub mod json;
pub mod specs;
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
pub fn query_text<'a>(statement: &replog::thl::event::StatementData<'a>) -> Cow<'a, str> {
    if let (Some(query), None) = (statement.query, statement.query_as_bytes) {
        return Cow::Borrowed(query);
    }
    let charset = statement
        .charset()
        .and_then(Charset::from_java_name)
        .unwrap_or(Charset::UTF_8);
    Cow::Owned(charset.decode(statement.query_bytes()))
}
