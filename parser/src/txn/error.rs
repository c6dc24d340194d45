//! What can go wrong when log events are turned into transactions.

use std::fmt;

/// A transaction-level problem, located by the enclosing [`crate::Error`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TxnError {
    /// An event of a type extraction does not know, inside a transaction: its effect is
    /// not in the extracted transaction.
    UnknownEvent {
        /// The type code.
        type_code: u8,
    },
    /// An `INCIDENT_EVENT`: the source server lost changes here (replicas stop at it).
    Incident {
        /// The server's message.
        message: String,
    },
    /// The input ended inside a transaction: it is not extracted.
    Incomplete {
        /// Events read since the transaction began.
        events: u64,
        /// Whether the last log was still open (in-use flag set): more may follow.
        log_in_use: bool,
    },
    /// A string too long for a THL header (modified UTF-8 over 65,535 bytes).
    TooLong {
        /// Which string.
        what: &'static str,
    },
    /// A THL transaction's seqno skips past the one the previous transaction leads to:
    /// records were lost between them.
    SeqnoGap {
        /// The seqno that should have come.
        expected: i64,
        /// The seqno found.
        found: i64,
    },
    /// Restarting extraction: the THL's last eventId names a position the given
    /// binlogs do not hold.
    ResumeOutside {
        /// The THL's last eventId.
        event_id: String,
        /// Why it cannot be found.
        why: &'static str,
    },
}

impl fmt::Display for TxnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxnError::UnknownEvent { type_code } => write!(
                f,
                "event type {type_code} inside a transaction is unknown: expected an event \
                 extraction can map; its effect is not in the extracted transaction"
            ),
            TxnError::Incident { message } => write!(
                f,
                "INCIDENT event: the source server lost changes here ({message}); a replica \
                 stops at this point"
            ),
            TxnError::Incomplete { events, log_in_use } => {
                write!(
                    f,
                    "transaction incomplete at the end of the input ({events} events since \
                     it began): expected its commit; it is not extracted"
                )?;
                if *log_in_use {
                    f.write_str(" (the log is still in use: the rest may not be written yet)")?;
                }
                Ok(())
            }
            TxnError::TooLong { what } => {
                write!(
                    f,
                    "{what} is longer than a THL header string can hold (65,535 bytes)"
                )
            }
            TxnError::SeqnoGap { expected, found } => write!(
                f,
                "sequence number gap: expected seqno {expected}, found {found}"
            ),
            TxnError::ResumeOutside { event_id, why } => write!(
                f,
                "cannot continue after the THL's last eventId {event_id}: {why}"
            ),
        }
    }
}
