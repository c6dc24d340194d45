//! The MySQL extractor's eventId: `<binlog file>:<position>;<session id>` (spec 8.5),
//! e.g. `mysql-bin.011742:0000000000000553;52181`.
//!
//! The position is where reading resumes after the transaction (the end of its commit
//! event), zero-padded to 16 digits as every real log shows; the session id is the
//! thread id of the transaction's statements, `-1` when none contributed.

use std::fmt;

/// Width of the position field: one more than the length of the variable name
/// `max_binlog_size`, an accident of the reference extractor that every log shows.
pub const POSITION_WIDTH: usize = 16;

/// A parsed eventId.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventId {
    /// The binlog file name (possibly without its base name, see [`EventId::parse`]).
    pub file: String,
    /// Byte position in that file.
    pub position: u64,
    /// The session (thread) id, when the id carries one.
    pub session: Option<i64>,
}

impl EventId {
    /// Reads `file:position[;session]`. As the extractor does when restarting, the file
    /// part may be only the numeric suffix (`000002:0000000000000426;34`).
    pub fn parse(text: &str) -> Option<EventId> {
        let (file, rest) = text.rsplit_once(':')?;
        let (position, session) = match rest.split_once(';') {
            Some((p, s)) => (p, Some(s.parse().ok()?)),
            None => (rest, None),
        };
        if file.is_empty() || position.is_empty() || !position.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(EventId {
            file: file.to_string(),
            position: position.parse().ok()?,
            session,
        })
    }

    /// The numeric suffix of the file name (`000042` of `mysql-bin.000042`), which
    /// orders files of one server.
    pub fn file_number(&self) -> Option<u64> {
        file_number(&self.file)
    }
}

/// The numeric suffix of a binlog file name.
pub fn file_number(name: &str) -> Option<u64> {
    let suffix = name.rsplit('.').next()?;
    if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    suffix.parse().ok()
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{:0width$}",
            self.file,
            self.position,
            width = POSITION_WIDTH
        )?;
        if let Some(session) = self.session {
            write!(f, ";{session}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_the_fixture_logs_show() {
        let id = EventId {
            file: "mysql-bin.011743".into(),
            position: 553,
            session: Some(52254),
        };
        assert_eq!(id.to_string(), "mysql-bin.011743:0000000000000553;52254");
        let rows = EventId {
            session: Some(-1),
            position: 2121,
            ..id.clone()
        };
        assert_eq!(rows.to_string(), "mysql-bin.011743:0000000000002121;-1");
    }

    #[test]
    fn parses_full_short_and_sessionless_forms() {
        let id = EventId::parse("mysql-bin.011743:0000000000003977;52254").unwrap();
        assert_eq!(
            (id.file.as_str(), id.position, id.session),
            ("mysql-bin.011743", 3977, Some(52254))
        );
        assert_eq!(id.file_number(), Some(11743));
        let short = EventId::parse("000002:0000000000000426;34").unwrap();
        assert_eq!((short.file_number(), short.position), (Some(2), 426));
        let bare = EventId::parse("mysql-bin.000002:426").unwrap();
        assert_eq!((bare.position, bare.session), (426, None));
        assert_eq!(EventId::parse("mysql-bin.000002"), None);
        assert_eq!(EventId::parse("mysql-bin.000002:12x;3"), None);
        assert_eq!(EventId::parse(":12;3"), None);
    }
}
