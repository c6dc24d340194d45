//! `ProtobufStatementData`: one SQL statement.

use super::{required, EventOption};
use crate::thl::proto::{Message, PbError, Writer};

/// A statement and its session context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementData<'a> {
    /// Current database of the session.
    pub default_schema: Option<&'a str>,
    /// Statement time (ms).
    pub timestamp: Option<i64>,
    /// The query as text (when not captured as bytes).
    pub query: Option<&'a str>,
    /// Statement options (`##charset`, `autocommit`, `sql_mode`…), in stored order.
    pub options: Vec<EventOption<'a>>,
    /// MySQL error code of the statement (0).
    pub error_code: i32,
    /// The query as bytes, to be decoded with the `##charset` option.
    pub query_as_bytes: Option<&'a [u8]>,
}

impl<'a> StatementData<'a> {
    pub(crate) fn decode(mut m: Message<'a>) -> Result<Self, PbError> {
        let mut s = StatementData {
            default_schema: None,
            timestamp: None,
            query: None,
            options: Vec::new(),
            error_code: 0,
            query_as_bytes: None,
        };
        let mut error_code = None;
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => s.default_schema = Some(f.string()?),
                2 => s.timestamp = Some(f.int64()?),
                3 => s.query = Some(f.string()?),
                4 => s
                    .options
                    .push(EventOption::decode(f.message("ProtobufEventOption")?)?),
                5 => error_code = Some(f.int32()?),
                6 => s.query_as_bytes = Some(f.bytes()?),
                _ => {}
            }
        }
        s.error_code = required(&m, error_code, "errorCode")?;
        Ok(s)
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        if let Some(v) = self.default_schema {
            w.bytes(1, v.as_bytes());
        }
        if let Some(v) = self.timestamp {
            w.int64(2, v);
        }
        if let Some(v) = self.query {
            w.bytes(3, v.as_bytes());
        }
        EventOption::encode_all(w, 4, &self.options);
        w.int32(5, self.error_code);
        if let Some(v) = self.query_as_bytes {
            w.bytes(6, v);
        }
    }

    /// The query's stored bytes, whichever field holds them (text is UTF-8).
    pub fn query_bytes(&self) -> &'a [u8] {
        match (self.query_as_bytes, self.query) {
            (Some(b), _) => b,
            (None, Some(q)) => q.as_bytes(),
            (None, None) => &[],
        }
    }

    /// The Java charset named by the `##charset` option, which `query_as_bytes` is in.
    pub fn charset(&self) -> Option<&'a str> {
        self.option("##charset")
    }

    /// The value of the first statement option named `name`.
    pub fn option(&self, name: &str) -> Option<&'a str> {
        self.options
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.value)
    }
}
