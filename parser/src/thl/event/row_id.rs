//! `ProtobufRowIdData`: an INSERT_ID or LAST_INSERT_ID session value.

use super::required;
use crate::thl::proto::{Message, PbError, Writer};

/// An auto-increment session value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowIdData {
    /// The value.
    pub id: i64,
    /// Stored type: 1 = LAST_INSERT_ID, 2 = INSERT_ID (always written by the
    /// reference writer).
    pub id_type: Option<i32>,
}

/// Which session variable a [`RowIdData`] sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowIdKind {
    /// `SET LAST_INSERT_ID = id`.
    LastInsertId,
    /// `SET INSERT_ID = id` (also assumed for an absent or other type).
    InsertId,
}

impl RowIdData {
    pub(crate) fn decode(mut m: Message<'_>) -> Result<Self, PbError> {
        let (mut id, mut id_type) = (None, None);
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => id = Some(f.int64()?),
                2 => id_type = Some(f.int32()?),
                _ => {}
            }
        }
        Ok(RowIdData {
            id: required(&m, id, "id")?,
            id_type,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.int64(1, self.id);
        if let Some(t) = self.id_type {
            w.int32(2, t);
        }
    }

    /// The variable this value sets.
    pub fn kind(&self) -> RowIdKind {
        match self.id_type {
            Some(1) => RowIdKind::LastInsertId,
            _ => RowIdKind::InsertId,
        }
    }
}
