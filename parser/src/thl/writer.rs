//! Writing THL: record framing and log files with rotation (spec 1.4, 3).

use super::file::{CRC_32, CRC_NONE};

/// Frames record `data` (type byte onward): length, data, CRC type, CRC.
/// With `checksum` the CRC is CRC-32 of the data (type 1), otherwise type 0 and 0.
pub fn frame_record(data: &[u8], checksum: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 13);
    // Records longer than i32 cannot be read back; callers stay far below (1e9).
    out.extend_from_slice(&((data.len() + 13) as u32).to_be_bytes());
    out.extend_from_slice(data);
    if checksum {
        out.push(CRC_32);
        out.extend_from_slice(&u64::from(crc32fast::hash(data)).to_be_bytes());
    } else {
        out.push(CRC_NONE);
        out.extend_from_slice(&0u64.to_be_bytes());
    }
    out
}
