//! `ROTATE_EVENT` (type 4): the next events are in another file.

use std::fmt;

use nom::number::complete::le_u64;

use super::Text;
use crate::binlog::event_type::EventType;
use crate::binlog::wire::skip_post_header_rest;
use crate::binlog::FormatContext;
use crate::decode::{finish, DecodeError};

/// A decoded `ROTATE_EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotate<'a> {
    /// Position of the first event in the next file (4 in v4 logs; 0 in v1 logs,
    /// which do not store it).
    pub position: u64,
    /// Name of the next file.
    pub next_file: &'a [u8],
}

impl<'a> Rotate<'a> {
    /// Decodes the body.
    pub fn parse(body: &'a [u8], ctx: &FormatContext) -> Result<Self, DecodeError> {
        let post = ctx.post_header_len(EventType::ROTATE.0);
        finish((|i: &'a [u8]| {
            let (i, position) = if post >= 8 { le_u64(i)? } else { (i, 0) };
            let (i, ()) = skip_post_header_rest(i, post, 8.min(post))?;
            Ok((
                &i[i.len()..],
                Rotate {
                    position,
                    next_file: i,
                },
            ))
        })(body))
        .map(|(_, v)| v)
    }
}

impl fmt::Display for Rotate<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};pos={}", Text(self.next_file), self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binlog::FormatContext;

    #[test]
    fn position_only_when_the_post_header_has_it() {
        let mut b = 4u64.to_le_bytes().to_vec();
        b.extend(b"mysql-bin.000002");
        let r = Rotate::parse(&b, &FormatContext::v4_default()).unwrap();
        assert_eq!((r.position, r.next_file), (4, &b"mysql-bin.000002"[..]));
        // v1 logs (ROTATE post-header 0) store only the name.
        let v1 = FormatContext::pre_v4(1, String::new());
        let r = Rotate::parse(b"bin.002", &v1).unwrap();
        assert_eq!((r.position, r.next_file), (0, &b"bin.002"[..]));
        assert_eq!(
            Rotate::parse(&[1, 2], &FormatContext::v4_default())
                .unwrap_err()
                .located(&[1, 2]),
            (0, "more bytes")
        );
    }
}
