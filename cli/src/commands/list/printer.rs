//! How a listing prints a transaction, in each form.

use std::io::Write;

use replog::thl::EventRecord;
use replog::txn::Transaction;
use replog_render::json::JsonArray;
use replog_render::{full, headers, sql, Style};

use crate::args::Format;
use crate::commands::Problems;
use crate::failure::Failure;

use super::pieces::{self, Handed, Waiting};
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
            self.event(out, event, problems)?;
        }
        Ok(())
    }

    /// Prints one event record of a transaction.
    fn event(
        &mut self,
        out: &mut impl Write,
        event: &EventRecord<'_>,
        problems: &Problems,
    ) -> Result<(), Failure> {
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

/// A printer for a thread printing part of the listing: it keeps the text of what it
/// printed until it is handed over, a piece at a time, composed where it stays (the
/// full and `-sql` forms straight into text, as they compose: through a writer, each
/// event's text would be composed, then copied).
pub(super) struct PartPrinter {
    printer: Printer,
    /// The full and `-sql` forms' text.
    text: String,
    /// The header forms' text.
    bytes: Vec<u8>,
    /// Where in the text not handed over the transactions printed ended, when they are
    /// counted (`-first`).
    ends: Option<Vec<usize>>,
}

impl PartPrinter {
    /// A printer of `printer`'s form, its text composed in `buffer` (empty); it tells
    /// where transactions end in its text when `count` says so.
    pub(super) fn new(printer: &Printer, buffer: Vec<u8>, count: bool) -> PartPrinter {
        let (text, bytes) = match printer.format {
            // (An empty buffer is empty text.)
            Format::Full | Format::Sql => (String::from_utf8(buffer).unwrap_or_default(), vec![]),
            Format::Headers | Format::HeadersJson | Format::Nothing => (String::new(), buffer),
        };
        PartPrinter {
            printer: printer.for_thread(),
            text,
            bytes,
            ends: count.then(Vec::new),
        }
    }

    /// Prints one event record of a transaction (a large transaction's text is handed
    /// over in pieces, between its events).
    pub(super) fn event(
        &mut self,
        event: &EventRecord<'_>,
        problems: &Problems,
    ) -> Result<(), Failure> {
        let printer = &mut self.printer;
        match printer.format {
            Format::Full | Format::Sql => {
                let Some(decoded) = problems.decode(event)? else {
                    return Ok(());
                };
                let text = &mut self.text;
                match printer.format {
                    Format::Full => printer.full.push_event(text, &decoded, &printer.style),
                    _ => sql::push_event(text, &decoded),
                }
                Ok(())
            }
            Format::Headers | Format::HeadersJson | Format::Nothing => {
                printer.event(&mut self.bytes, event, problems)
            }
        }
    }

    /// The transaction whose events were printed last ended here.
    pub(super) fn transaction_ended(&mut self) {
        let len = self.text.len() + self.bytes.len();
        if let Some(ends) = &mut self.ends {
            ends.push(len);
        }
    }

    /// Hands the text printed over in pieces of about `piece` bytes while that much
    /// is waiting, each with where transactions end in it (see [`pieces::hand_over`]):
    /// false when `send` refused one.
    pub(super) fn hand_over(
        &mut self,
        piece: usize,
        next_buffer: &mut dyn FnMut() -> Vec<u8>,
        send: &mut dyn FnMut(Handed) -> bool,
    ) -> bool {
        let mut uncounted = Vec::new();
        let ends = self.ends.as_mut().unwrap_or(&mut uncounted);
        match self.printer.format {
            Format::Full | Format::Sql => {
                let waiting = Waiting {
                    text: &mut self.text,
                    ends,
                };
                pieces::hand_over(waiting, piece, next_buffer, send)
            }
            Format::Headers | Format::HeadersJson | Format::Nothing => {
                let waiting = Waiting {
                    text: &mut self.bytes,
                    ends,
                };
                pieces::hand_over(waiting, piece, next_buffer, send)
            }
        }
    }

    /// The text printed and not handed over yet, and where transactions end in it.
    pub(super) fn into_rest(self) -> Handed {
        let ends = self.ends.unwrap_or_default();
        match self.printer.format {
            Format::Full | Format::Sql => (self.text.into_bytes(), ends),
            Format::Headers | Format::HeadersJson | Format::Nothing => (self.bytes, ends),
        }
    }
}
