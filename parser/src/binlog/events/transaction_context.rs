//! `TRANSACTION_CONTEXT_EVENT` (type 36): Group Replication's certification data for a
//! transaction: the server UUID, thread, snapshot version and the write and read sets
//! (each item a 2-byte length and the hashed key).

use std::fmt;

use nom::number::complete::{le_u16, le_u32, le_u8};

use super::Text;
use crate::binlog::wire::{bytes, skip_post_header_rest};
use crate::decode::{finish, DecodeError, Parsed};

/// Fixed post-header: uuid length, thread id, gtid specified, snapshot length, set sizes.
const FIXED_LEN: usize = 1 + 4 + 1 + 4 + 4 + 4;

/// A set of certification items, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemSet<'a> {
    /// Number of items.
    pub count: u32,
    raw: &'a [u8],
}

impl<'a> ItemSet<'a> {
    /// The items.
    pub fn items(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut rest = self.raw;
        std::iter::from_fn(move || {
            let (after, item) = item(rest).ok()?;
            rest = after;
            Some(item)
        })
    }
}

fn item(i: &[u8]) -> Parsed<'_, &[u8]> {
    let (i, n) = le_u16(i)?;
    bytes(i, usize::from(n))
}

fn item_set(i: &[u8], count: u32) -> Parsed<'_, ItemSet<'_>> {
    let mut rest = i;
    for _ in 0..count {
        rest = item(rest)?.0;
    }
    Ok((
        rest,
        ItemSet {
            count,
            raw: &i[..i.len() - rest.len()],
        },
    ))
}

/// A decoded `TRANSACTION_CONTEXT_EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionContext<'a> {
    /// UUID of the server that ran the transaction, as text.
    pub server_uuid: &'a [u8],
    /// Session id.
    pub thread_id: u32,
    /// Whether the GTID was given by the user.
    pub gtid_specified: bool,
    /// Encoded GTID set the transaction saw.
    pub snapshot_version: &'a [u8],
    /// Write set.
    pub write_set: ItemSet<'a>,
    /// Read set.
    pub read_set: ItemSet<'a>,
}

impl<'a> TransactionContext<'a> {
    /// Decodes the body; `post_header_len` is the FDE's length for this type (18).
    pub fn parse(body: &'a [u8], post_header_len: usize) -> Result<Self, DecodeError> {
        finish(Self::fields(body, post_header_len)).map(|(_, v)| v)
    }

    fn fields(i: &'a [u8], post: usize) -> Parsed<'a, Self> {
        let (i, uuid_len) = le_u8(i)?;
        let (i, thread_id) = le_u32(i)?;
        let (i, gtid_specified) = le_u8(i)?;
        let (i, snapshot_len) = le_u32(i)?;
        let (i, write_count) = le_u32(i)?;
        let (i, read_count) = le_u32(i)?;
        let (i, ()) = skip_post_header_rest(i, post, FIXED_LEN)?;
        let (i, server_uuid) = bytes(i, usize::from(uuid_len))?;
        let (i, snapshot_version) = bytes(i, usize::try_from(snapshot_len).unwrap_or(usize::MAX))?;
        let (i, write_set) = item_set(i, write_count)?;
        let (i, read_set) = item_set(i, read_count)?;
        Ok((
            i,
            TransactionContext {
                server_uuid,
                thread_id,
                gtid_specified: gtid_specified != 0,
                snapshot_version,
                write_set,
                read_set,
            },
        ))
    }
}

impl fmt::Display for TransactionContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "server_uuid={} thread_id={} write_set={} read_set={}",
            Text(self.server_uuid),
            self.thread_id,
            self.write_set.count,
            self.read_set.count
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_framed() {
        let mut b = vec![2];
        b.extend(9u32.to_le_bytes());
        b.push(0);
        b.extend(0u32.to_le_bytes());
        b.extend(2u32.to_le_bytes());
        b.extend(0u32.to_le_bytes());
        b.extend(b"ab");
        b.extend([1, 0, b'x', 2, 0, b'y', b'z']);
        let t = TransactionContext::parse(&b, 18).unwrap();
        assert_eq!(
            t.write_set.items().collect::<Vec<_>>(),
            vec![&b"x"[..], &b"yz"[..]]
        );
        assert_eq!(
            TransactionContext::parse(&b[..b.len() - 1], 18)
                .unwrap_err()
                .located(&b[..b.len() - 1]),
            (25, "more bytes")
        );
    }
}
