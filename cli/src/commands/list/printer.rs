//! How a listing prints a transaction, in each form.

use std::io::Write;

use replog::txn::Transaction;
use replog_render::json::JsonArray;
use replog_render::{full, headers, sql, Style};

use crate::args::Format;
use crate::commands::Problems;
use crate::failure::Failure;
/// Prints transactions in the chosen format.
pub(super) struct Printer {
    format: Format,
    style: Style,
    pub(super) json: Option<JsonArray>,
    full: full::Listing,
    /// A `-sql` event's text, composed before it is written.
    sql_text: String,
}

impl Printer {
    pub(super) fn begin(
        out: &mut impl Write,
        format: Format,
        style: Style,
    ) -> Result<Printer, Failure> {
        let json = match format {
            Format::HeadersJson => Some(JsonArray::begin(out)?),
            _ => None,
        };
        Ok(Printer {
            format,
            style,
            json,
            full: full::Listing::default(),
            sql_text: String::new(),
        })
    }

    pub(super) fn transaction(
        &mut self,
        out: &mut impl Write,
        txn: &Transaction<'_>,
        problems: &Problems,
    ) -> Result<(), Failure> {
        for event in txn.events() {
            match self.format {
                Format::Headers => headers::write_tab(out, &event.header, &self.style.zone)?,
                Format::HeadersJson => {
                    if let Some(json) = &mut self.json {
                        json.item(out, &event.header, &self.style.zone)?;
                    }
                }
                Format::Nothing => {}
                Format::Full => {
                    if let Some(decoded) = problems.decode(event)? {
                        self.full.write_event(out, &decoded, &self.style)?;
                    }
                }
                Format::Sql => {
                    if let Some(decoded) = problems.decode(event)? {
                        self.sql_text.clear();
                        sql::push_event(&mut self.sql_text, &decoded);
                        out.write_all(self.sql_text.as_bytes())?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A printer of the same form for a thread printing part of the listing (a JSON
    /// array's objects without the separator before the first).
    pub(super) fn for_thread(&self) -> Printer {
        Printer {
            format: self.format,
            style: self.style.clone(),
            json: self.json.as_ref().map(|_| JsonArray::default()),
            full: full::Listing::default(),
            sql_text: String::new(),
        }
    }

    /// Closes the JSON array; tells whether the output was JSON.
    pub(super) fn end(self, out: &mut impl Write) -> Result<bool, Failure> {
        match self.json {
            Some(json) => {
                json.end(out)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}
