//! Several logs read as one sequence (`binlog.000041`, `binlog.000042`, ...): a file's
//! closing ROTATE names the file that follows it, which tells a missing file apart.
//!
//! Only a ROTATE the server wrote when it switched files counts. Relay logs start with
//! an artificial ROTATE naming the *source's* binlog (flag `LOG_EVENT_ARTIFICIAL_F`,
//! timestamp 0 or `log_pos` 0), and a replica or `mysqlbinlog --read-from-remote` writes
//! such fake rotates elsewhere too; those name no file of the local sequence.

use std::path::Path;

use super::header::{EventHeader, FLAG_ARTIFICIAL};

/// Whether a ROTATE with this header can close its file and name the next one: not
/// an artificial (fake) rotate.
pub fn names_next_file(header: &EventHeader) -> bool {
    header.flags & FLAG_ARTIFICIAL == 0 && header.timestamp != 0 && header.log_pos != 0
}

/// Whether the path `given` is the file a ROTATE names (`named`, a bare name or a
/// path): their base names are equal, a `.gz` suffix of `given` ignored.
pub fn is_named_file(named: &[u8], given: &str) -> bool {
    let named = String::from_utf8_lossy(named);
    let base = |p: &str| {
        Path::new(p)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let given = base(given);
    let given = given.strip_suffix(".gz").unwrap_or(&given);
    base(&named) == given
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(timestamp: u32, log_pos: u32, flags: u16) -> EventHeader {
        EventHeader {
            timestamp,
            type_code: 4,
            server_id: 1,
            event_size: 44,
            log_pos,
            flags,
        }
    }

    #[test]
    fn fake_rotates_name_no_local_file() {
        assert!(names_next_file(&header(1_695_159_111, 475, 0)));
        // Relay-log start: timestamp 0, log_pos 0 (MySQL 5.0/5.1 leave the flag unset).
        assert!(!names_next_file(&header(0, 0, 0)));
        // Read from a remote server: flagged artificial, log_pos 0.
        assert!(!names_next_file(&header(1_266_652_094, 0, FLAG_ARTIFICIAL)));
        assert!(!names_next_file(&header(
            1_266_652_094,
            100,
            FLAG_ARTIFICIAL
        )));
    }

    #[test]
    fn base_names_are_compared() {
        assert!(is_named_file(b"binlog.000002", "binlog.000002"));
        assert!(is_named_file(b"binlog.000002", "/var/log/binlog.000002"));
        assert!(is_named_file(
            b"./relay-bin.000003",
            "logs/relay-bin.000003"
        ));
        assert!(is_named_file(b"binlog.000002", "binlog.000002.gz"));
        assert!(!is_named_file(b"binlog.000002", "binlog.000003"));
        assert!(!is_named_file(b"binlog.000002", "binlog.0000021"));
        assert!(!is_named_file(b"", "binlog.000002"));
    }
}
