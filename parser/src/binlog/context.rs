//! What the format description event fixes for every later event of a file.
//!
//! The context is decided once per FDE (a relay log may carry several; each one
//! re-fixes it) and read by every decoder, so layout questions (header length,
//! post-header lengths, checksum, pre-GA type numbering) are never re-decided per field.

use super::event_type::EventType;
use super::header::{HEADER_LEN, HEADER_LEN_V1};

/// Which server family wrote the log (decided from the FDE's server version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Oracle MySQL (and Percona, Galera, NDB builds).
    MySql,
    /// MariaDB.
    MariaDb,
}

/// The checksum algorithm that follows every event body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumAlg {
    /// No checksum (pre-5.6.1 FDE without the byte, or algorithm 0 = `NONE`).
    None,
    /// CRC-32 (ISO-HDLC), 4 bytes little-endian after the body.
    Crc32,
}

/// `BINLOG_CHECKSUM_ALG_OFF`.
pub const CHECKSUM_ALG_OFF: u8 = 0;
/// `BINLOG_CHECKSUM_ALG_CRC32`.
pub const CHECKSUM_ALG_CRC32: u8 = 1;
/// `BINLOG_CHECKSUM_ALG_UNDEF`: written by servers that know checksums but had none set.
pub const CHECKSUM_ALG_UNDEF: u8 = 255;

/// Per-file decoding parameters, fixed by the format description event.
#[derive(Debug, Clone)]
pub struct FormatContext {
    /// Binlog format version (1 for 3.23, 3 for 4.0/4.1, 4 for every server since 5.0).
    pub binlog_version: u16,
    /// The server version string of the FDE (or START_V3), without trailing NULs.
    pub server_version: String,
    /// Server family.
    pub flavor: Flavor,
    /// Checksum algorithm for events after the FDE.
    pub checksum: ChecksumAlg,
    /// Whether the FDE carried a checksum-algorithm byte (MySQL 5.6.1+, MariaDB 5.3+):
    /// tells `NONE` apart from "pre-5.6.1 format".
    pub checksum_declared: bool,
    /// Common header length: 19, or 13 for v1 logs.
    pub header_len: usize,
    /// Post-header length per *canonical* type code (index = type code; 0 when not listed).
    pub post_header_lengths: [u8; 256],
    /// The writer is a pre-GA 5.1 tree that numbered types 16–22 differently.
    pub pre_ga_numbering: bool,
}

/// Raw type code → canonical type for the pre-GA 5.1 trees (index = raw code).
const PRE_GA_TYPES: [EventType; 23] = [
    EventType::UNKNOWN,
    EventType::START_V3,
    EventType::QUERY,
    EventType::STOP,
    EventType::ROTATE,
    EventType::INTVAR,
    EventType::LOAD,
    EventType::SLAVE,
    EventType::CREATE_FILE,
    EventType::APPEND_BLOCK,
    EventType::EXEC_LOAD,
    EventType::DELETE_FILE,
    EventType::NEW_LOAD,
    EventType::RAND,
    EventType::USER_VAR,
    EventType::FORMAT_DESCRIPTION,
    EventType::TABLE_MAP,
    EventType::PRE_GA_WRITE_ROWS,
    EventType::PRE_GA_UPDATE_ROWS,
    EventType::PRE_GA_DELETE_ROWS,
    EventType::XID,
    EventType::BEGIN_LOAD_QUERY,
    EventType::EXECUTE_LOAD_QUERY,
];

impl FormatContext {
    /// The post-header length the FDE declares for the canonical `type_code`.
    pub fn post_header_len(&self, type_code: u8) -> usize {
        usize::from(self.post_header_lengths[usize::from(type_code)])
    }

    /// The canonical type of a raw header type code.
    pub fn canonical_type(&self, raw: u8) -> EventType {
        match PRE_GA_TYPES.get(usize::from(raw)) {
            Some(t) if self.pre_ga_numbering => *t,
            _ => EventType(raw),
        }
    }

    /// Assumed before any FDE of a v4 log: MySQL 5.0's lengths, no checksum.
    pub fn v4_default() -> FormatContext {
        let mut ctx = FormatContext::bare(4, HEADER_LEN);
        for (t, len) in [
            (EventType::START_V3, 56),
            (EventType::QUERY, 13),
            (EventType::ROTATE, 8),
            (EventType::LOAD, 18),
            (EventType::CREATE_FILE, 4),
            (EventType::APPEND_BLOCK, 4),
            (EventType::EXEC_LOAD, 4),
            (EventType::DELETE_FILE, 4),
            (EventType::NEW_LOAD, 18),
            (EventType::BEGIN_LOAD_QUERY, 4),
            (EventType::EXECUTE_LOAD_QUERY, 26),
        ] {
            ctx.post_header_lengths[usize::from(t.0)] = len;
        }
        ctx
    }

    /// The fixed layout of v1 (3.23) and v3 (4.0/4.1) logs, which have no FDE.
    pub fn pre_v4(binlog_version: u16, server_version: String) -> FormatContext {
        let v1 = binlog_version == 1;
        let mut ctx =
            FormatContext::bare(binlog_version, if v1 { HEADER_LEN_V1 } else { HEADER_LEN });
        ctx.server_version = server_version;
        let rotate = if v1 { 0 } else { 8 };
        for (t, len) in [
            (EventType::START_V3, 56),
            (EventType::QUERY, 11),
            (EventType::ROTATE, rotate),
            (EventType::LOAD, 18),
            (EventType::CREATE_FILE, 4),
            (EventType::APPEND_BLOCK, 4),
            (EventType::EXEC_LOAD, 4),
            (EventType::DELETE_FILE, 4),
            (EventType::NEW_LOAD, 18),
        ] {
            ctx.post_header_lengths[usize::from(t.0)] = len;
        }
        ctx
    }

    fn bare(binlog_version: u16, header_len: usize) -> FormatContext {
        FormatContext {
            binlog_version,
            server_version: String::new(),
            flavor: Flavor::MySql,
            checksum: ChecksumAlg::None,
            checksum_declared: false,
            header_len,
            post_header_lengths: [0; 256],
            pre_ga_numbering: false,
        }
    }

    /// The context a format description event declares.
    ///
    /// `raw_post_header_lengths` is the FDE's array in file order (index = raw type - 1);
    /// `checksum` is the FDE's algorithm, already validated.
    pub fn from_fde(
        binlog_version: u16,
        server_version: &str,
        header_len: u8,
        raw_post_header_lengths: &[u8],
        checksum: Option<ChecksumAlg>,
    ) -> FormatContext {
        let mut ctx = FormatContext::bare(binlog_version, usize::from(header_len));
        ctx.server_version = server_version.to_owned();
        ctx.flavor = flavor_of(server_version);
        ctx.checksum_declared = checksum.is_some();
        ctx.checksum = checksum.unwrap_or(ChecksumAlg::None);
        ctx.pre_ga_numbering = uses_pre_ga_numbering(server_version);
        for (i, len) in raw_post_header_lengths.iter().enumerate().take(255) {
            let raw = (i + 1) as u8;
            let canonical = ctx.canonical_type(raw);
            ctx.post_header_lengths[usize::from(canonical.0)] = *len;
        }
        ctx
    }
}

/// MariaDB writes its name into every version string.
pub fn flavor_of(server_version: &str) -> Flavor {
    if server_version.contains("MariaDB") || server_version.contains("-maria-") {
        Flavor::MariaDb
    } else {
        Flavor::MySql
    }
}

/// The leading `major.minor.patch` numbers of a version string, as the servers split it
/// (missing or non-numeric parts read as 0).
pub fn version_triple(server_version: &str) -> (u32, u32, u32) {
    let mut parts = [0u32; 3];
    let mut rest = server_version;
    for part in parts.iter_mut() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        *part = rest[..digits].parse().unwrap_or(0);
        rest = &rest[digits..];
        match rest.strip_prefix('.') {
            Some(r) => rest = r,
            None => break,
        }
    }
    (parts[0], parts[1], parts[2])
}

/// Whether a server of this version ends its FDE with a checksum-algorithm byte and a
/// checksum (MySQL 5.6.1 and later, MariaDB 5.3 and later).
pub fn fde_declares_checksum(server_version: &str) -> bool {
    let v = version_triple(server_version);
    match flavor_of(server_version) {
        Flavor::MariaDb => v >= (5, 3, 0),
        Flavor::MySql => v >= (5, 6, 1),
    }
}

/// The pre-GA 5.1 trees (WL#2325) that MySQL recognises by version string:
/// `5.1.[1-5]-a_drop5*`, `5.1.4-a_drop6*` and `5.2.[0-2]-a_drop6*`.
pub fn uses_pre_ga_numbering(server_version: &str) -> bool {
    let v = server_version.as_bytes();
    let digit_in = |i: usize, lo: u8, hi: u8| v.get(i).is_some_and(|d| (lo..=hi).contains(d));
    let tail = |s: &str| v.get(5..).is_some_and(|t| t.starts_with(s.as_bytes()));
    (v.starts_with(b"5.1.") && digit_in(4, b'1', b'5') && tail("-a_drop5"))
        || v.starts_with(b"5.1.4-a_drop6")
        || (v.starts_with(b"5.2.") && digit_in(4, b'0', b'2') && tail("-a_drop6"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_byte_from_version() {
        assert!(!fde_declares_checksum("5.6.0-m4"));
        assert!(fde_declares_checksum("5.6.1-m5"));
        assert!(fde_declares_checksum("5.6.4-m7-debug-log"));
        assert!(!fde_declares_checksum("5.5.40-log"));
        assert!(fde_declares_checksum("5.3.12-MariaDB-log"));
        assert!(!fde_declares_checksum("5.2.10-MariaDB-log"));
        assert!(fde_declares_checksum(
            "10.5.15-MariaDB-1:10.5.15+maria~focal-log"
        ));
        assert_eq!(version_triple("8.0.2-dmr"), (8, 0, 2));
        assert_eq!(version_triple("9"), (9, 0, 0));
    }

    #[test]
    fn pre_ga_trees_are_recognised() {
        assert!(uses_pre_ga_numbering("5.2.2-a_drop6p13-debug-log"));
        assert!(uses_pre_ga_numbering("5.1.3-a_drop5p9"));
        assert!(uses_pre_ga_numbering("5.1.4-a_drop6"));
        assert!(!uses_pre_ga_numbering("5.1.6-a_drop5"));
        assert!(!uses_pre_ga_numbering("5.1.5-a_drop6"));
        assert!(!uses_pre_ga_numbering("5.2.3-a_drop6"));
        assert!(!uses_pre_ga_numbering("5.1.23-rc-debug-log"));
    }

    #[test]
    fn pre_ga_post_header_array_is_permuted() {
        // Raw array as a 5.2.2-a_drop6 server writes it: raw 16..19 (table map and
        // rows events) have 6, raw 20 (XID) 0, 21 (BEGIN_LOAD_QUERY) 4, 22 (EXECUTE_LOAD_QUERY) 26.
        let mut raw = vec![56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 79];
        raw.extend_from_slice(&[6, 6, 6, 6, 0, 4, 26]);
        let ctx = FormatContext::from_fde(4, "5.2.2-a_drop6p13", 19, &raw, None);
        assert_eq!(ctx.canonical_type(16), EventType::TABLE_MAP);
        assert_eq!(ctx.canonical_type(20), EventType::XID);
        assert_eq!(ctx.canonical_type(22), EventType::EXECUTE_LOAD_QUERY);
        assert_eq!(ctx.post_header_len(EventType::TABLE_MAP.0), 6);
        assert_eq!(ctx.post_header_len(EventType::PRE_GA_DELETE_ROWS.0), 6);
        assert_eq!(ctx.post_header_len(EventType::BEGIN_LOAD_QUERY.0), 4);
        assert_eq!(ctx.post_header_len(EventType::EXECUTE_LOAD_QUERY.0), 26);
        assert_eq!(ctx.post_header_len(EventType::XID.0), 0);
    }
}
