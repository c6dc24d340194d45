//! What the format description event fixes for every later event of a file.

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

/// Per-file decoding parameters, fixed by the format description event.
#[derive(Debug, Clone)]
pub struct FormatContext {
    /// Binlog format version (4 for every server since 5.0).
    pub binlog_version: u16,
    /// The server version string of the FDE.
    pub server_version: String,
    /// Server family.
    pub flavor: Flavor,
    /// Checksum algorithm for events after the FDE.
    pub checksum: ChecksumAlg,
    /// Post-header length per type code (index = type code; 0 when not listed).
    pub post_header_lengths: [u8; 256],
}

impl FormatContext {
    /// The post-header length the FDE declares for `type_code`.
    pub fn post_header_len(&self, type_code: u8) -> usize {
        usize::from(self.post_header_lengths[usize::from(type_code)])
    }
}
