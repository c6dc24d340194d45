//! One module per event type. Each decoder takes the event body (the bytes between
//! the common header and the checksum) and the file's [`FormatContext`], borrows
//! strings and blocks from the body, and reports failures as [`DecodeError`]s relative
//! to it. Each decoded body implements `Display` as a `SHOW BINLOG EVENTS`-style
//! one-line summary.
//!
//! [`FormatContext`]: crate::binlog::FormatContext
//! [`DecodeError`]: crate::decode::DecodeError

use std::fmt;

pub mod append_block;
pub mod create_file;
pub mod delete_file;
pub mod exec_load;
pub mod execute_load_query;
pub mod format_description;
pub mod gtid;
pub mod gtid_tagged;
pub mod heartbeat;
pub mod ignorable;
pub mod incident;
pub mod intvar;
pub mod load;
pub mod mariadb_annotate_rows;
pub mod mariadb_binlog_checkpoint;
pub mod mariadb_gtid;
pub mod mariadb_gtid_list;
pub mod mariadb_start_encryption;
pub mod previous_gtids;
pub mod query;
pub mod rand;
pub mod rotate;
pub mod rows_query;
pub mod start_v3;
pub mod status_vars;
pub mod stop;
pub mod transaction_context;
pub mod transaction_payload;
pub mod user_var;
pub mod view_change;
pub mod xa_prepare;
pub mod xid;

/// A server UUID as stored (16 raw bytes); displays in the usual 8-4-4-4-12 form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Uuid(pub [u8; 16]);

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl Uuid {
    pub(crate) fn from_slice(b: &[u8]) -> Uuid {
        let mut u = [0u8; 16];
        let n = b.len().min(16);
        u[..n].copy_from_slice(&b[..n]);
        Uuid(u)
    }
}

/// Displays bytes that are usually text (names, statements) as UTF-8, replacing
/// invalid sequences, without allocating.
#[derive(Clone, Copy)]
pub struct Text<'a>(pub &'a [u8]);

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{fffd}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}
