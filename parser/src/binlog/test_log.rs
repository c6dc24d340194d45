//! Builds small binary logs for unit tests: magic, an FDE as a given server writes it,
//! then events with correct sizes, positions and (when the FDE says so) CRC32s.

use super::events::format_description::tests::fde_body;
use super::header::HEADER_LEN;

/// Post-header lengths of MySQL 8.0.40's FDE (types 1–42).
pub(crate) const POST_HEADER_80: [u8; 42] = [
    0, 13, 0, 8, 0, 0, 0, 0, 4, 0, 4, 0, 0, 0, 98, 0, 4, 26, 8, 0, 0, 0, 8, 8, 8, 2, 0, 0, 0, 10,
    10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0, 0,
];
/// Post-header lengths of MySQL 5.1/5.5's FDE (types 1–27).
pub(crate) const POST_HEADER_51: [u8; 27] = [
    56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 83, 0, 4, 26, 8, 0, 0, 0, 8, 8, 8, 2, 0,
];

#[derive(Debug)]
pub(crate) struct LogBuilder {
    pub bytes: Vec<u8>,
    crc: bool,
}

impl LogBuilder {
    /// Magic and FDE. `alg` is the FDE's algorithm byte (None for pre-5.6.1 servers).
    pub fn new(server_version: &str, post: &[u8], alg: Option<u8>) -> LogBuilder {
        let mut b = LogBuilder {
            bytes: b"\xfebin".to_vec(),
            crc: false,
        };
        b.fde(server_version, post, alg, 0);
        b
    }

    /// Appends an FDE; from then on events carry a CRC32 when `alg` is 1.
    pub fn fde(
        &mut self,
        server_version: &str,
        post: &[u8],
        alg: Option<u8>,
        server_id: u32,
    ) -> &mut Self {
        let mut body = fde_body(server_version, post, alg);
        if alg.is_some() {
            body.extend([0; 4]);
        }
        self.crc = alg == Some(1);
        self.push(15, server_id, 0, &body, alg.is_some());
        self
    }

    /// Appends an event with the current checksum setting.
    pub fn event(&mut self, type_code: u8, flags: u16, body: &[u8]) -> &mut Self {
        let crc = self.crc;
        let mut body = body.to_vec();
        if crc {
            body.extend([0; 4]);
        }
        self.push(type_code, 1, flags, &body, crc);
        self
    }

    /// Appends raw bytes.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(bytes);
        self
    }

    /// The offset the next event will start at.
    pub fn offset(&self) -> usize {
        self.bytes.len()
    }

    /// `body` already includes a 4-byte checksum field when `checksum_field` is set;
    /// it is filled with the CRC32 when the log uses CRC32.
    fn push(
        &mut self,
        type_code: u8,
        server_id: u32,
        flags: u16,
        body: &[u8],
        checksum_field: bool,
    ) {
        let start = self.bytes.len();
        let size = HEADER_LEN + body.len();
        self.bytes.extend(1_700_000_000u32.to_le_bytes());
        self.bytes.push(type_code);
        self.bytes.extend(server_id.to_le_bytes());
        self.bytes.extend((size as u32).to_le_bytes());
        self.bytes.extend(((start + size) as u32).to_le_bytes());
        self.bytes.extend(flags.to_le_bytes());
        self.bytes.extend_from_slice(body);
        let fde_crc = type_code == 15 && body.len() >= 5 && body[body.len() - 5] == 1;
        if checksum_field && (self.crc || fde_crc) {
            let end = self.bytes.len();
            let crc = crc32fast::hash(&self.bytes[start..end - 4]);
            self.bytes[end - 4..].copy_from_slice(&crc.to_le_bytes());
        }
    }
}
