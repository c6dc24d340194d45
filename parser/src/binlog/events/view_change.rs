//! `VIEW_CHANGE_EVENT` (type 37): Group Replication membership changed. Carries the view
//! id, the sequence number and the certification database as (key, value) pairs
//! (2-byte key length, 4-byte value length).

use std::fmt;

use nom::number::complete::{le_u16, le_u32, le_u64};

use super::Text;
use crate::binlog::wire::{bytes, padded_str, skip_post_header_rest};
use crate::decode::{finish, DecodeError, Parsed};

/// Width of the view id field.
const VIEW_ID_LEN: usize = 40;
/// Fixed post-header: view id, sequence number, certification info count.
const FIXED_LEN: usize = VIEW_ID_LEN + 8 + 4;

/// A decoded `VIEW_CHANGE_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewChange<'a> {
    /// The new view's id.
    pub view_id: &'a [u8],
    /// Certification sequence number.
    pub seq_number: u64,
    /// Number of certification entries.
    pub cert_count: u32,
    cert_info: &'a [u8],
}

fn cert_entry(i: &[u8]) -> Parsed<'_, (&[u8], &[u8])> {
    let (i, klen) = le_u16(i)?;
    let (i, key) = bytes(i, usize::from(klen))?;
    let (i, vlen) = le_u32(i)?;
    let (i, value) = bytes(i, usize::try_from(vlen).unwrap_or(usize::MAX))?;
    Ok((i, (key, value)))
}

impl<'a> ViewChange<'a> {
    /// Decodes the body; `post_header_len` is the FDE's length for this type (52).
    pub fn parse(body: &'a [u8], post_header_len: usize) -> Result<Self, DecodeError> {
        finish(Self::fields(body, post_header_len)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8], post: usize) -> Parsed<'a, Self> {
        let (i, view_id) = padded_str(i, VIEW_ID_LEN)?;
        let (i, seq_number) = le_u64(i)?;
        let (i, cert_count) = le_u32(i)?;
        let (i, ()) = skip_post_header_rest(i, post, FIXED_LEN)?;
        let mut rest = i;
        for _ in 0..cert_count {
            rest = cert_entry(rest)?.0;
        }
        let cert_info = &i[..i.len() - rest.len()];
        Ok((
            rest,
            ViewChange {
                view_id,
                seq_number,
                cert_count,
                cert_info,
            },
        ))
    }

    /// The certification entries as (key, value).
    pub fn certification_info(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        let mut rest = self.cert_info;
        std::iter::from_fn(move || {
            let (after, kv) = cert_entry(rest).ok()?;
            rest = after;
            Some(kv)
        })
    }
}

impl fmt::Display for ViewChange<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "view_id={} seq_number={}",
            Text(self.view_id),
            self.seq_number
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certification_entries() {
        let mut b = b"15:1".to_vec();
        b.resize(VIEW_ID_LEN, 0);
        b.extend(5u64.to_le_bytes());
        b.extend(1u32.to_le_bytes());
        b.extend([1, 0, b'k', 2, 0, 0, 0, b'v', b'w']);
        let v = ViewChange::parse(&b, 52).unwrap();
        assert_eq!(v.to_string(), "view_id=15:1 seq_number=5");
        assert_eq!(v.certification_info().next(), Some((&b"k"[..], &b"vw"[..])));
        assert_eq!(
            ViewChange::parse(&b[..b.len() - 1], 52)
                .unwrap_err()
                .located(&b[..b.len() - 1]),
            (59, "more bytes")
        );
    }
}
