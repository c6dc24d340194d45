//! `ProtobufOneChange`: one dispatch over the change type.

use super::{
    required, LoadDataFileDelete, LoadDataFileFragment, LoadDataFileQuery, RowChangeData,
    RowIdData, StatementData,
};
use crate::thl::proto::{Message, PbError, Writer};

/// The stored change type codes (`ProtobufOneChange.Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    /// 1: row changes.
    RowData = 1,
    /// 2: one SQL statement.
    StatementData = 2,
    /// 3: an INSERT_ID / LAST_INSERT_ID value.
    RowIdData = 3,
    /// 4: a block of a LOAD DATA input file.
    LoadDataFileFragment = 4,
    /// 5: the LOAD DATA statement.
    LoadDataFileQuery = 5,
    /// 6: a LOAD DATA file deletion (never written by the reference writer).
    LoadDataFileDelete = 6,
}

/// One change of an event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change<'a> {
    /// Row changes of one binlog rows event.
    Rows(RowChangeData<'a>),
    /// A statement.
    Statement(StatementData<'a>),
    /// An INSERT_ID / LAST_INSERT_ID value.
    RowId(RowIdData),
    /// A block of a LOAD DATA input file.
    FileFragment(LoadDataFileFragment<'a>),
    /// The LOAD DATA statement.
    FileQuery(LoadDataFileQuery<'a>),
    /// A LOAD DATA file deletion.
    FileDelete(LoadDataFileDelete),
    /// A change type this library does not know; `raw` is the whole message.
    Unknown {
        /// The stored type code.
        change_type: i32,
        /// The `ProtobufOneChange` message bytes.
        raw: &'a [u8],
    },
}

impl<'a> Change<'a> {
    pub(crate) fn decode(mut m: Message<'a>) -> Result<Self, PbError> {
        let whole = m.clone();
        let mut change_type = None;
        let mut parts: [Option<Message<'a>>; 6] = Default::default();
        let names = [
            "ProtobufRowChangeData",
            "ProtobufStatementData",
            "ProtobufRowIdData",
            "ProtobufLoadDataFileFragment",
            "ProtobufLoadDataFileQuery",
            "ProtobufLoadDataFileDelete",
        ];
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => change_type = Some(f.int32()?),
                n @ 2..=7 => {
                    let i = (n - 2) as usize;
                    if let (Some(slot), Some(name)) = (parts.get_mut(i), names.get(i)) {
                        *slot = Some(f.message(name)?);
                    }
                }
                _ => {}
            }
        }
        let change_type = required(&m, change_type, "type")?;
        let known = usize::try_from(change_type)
            .ok()
            .and_then(|t| t.checked_sub(1));
        let Some(i) = known.filter(|&i| i < 6) else {
            return Ok(Change::Unknown {
                change_type,
                raw: whole.remaining(),
            });
        };
        let part = parts.get_mut(i).and_then(Option::take).ok_or_else(|| {
            m.missing(&format!(
                "field {} for a change of type {change_type}",
                i + 2
            ))
        })?;
        Ok(match i {
            0 => Change::Rows(RowChangeData::decode(part)?),
            1 => Change::Statement(StatementData::decode(part)?),
            2 => Change::RowId(RowIdData::decode(part)?),
            3 => Change::FileFragment(LoadDataFileFragment::decode(part)?),
            4 => Change::FileQuery(LoadDataFileQuery::decode(part)?),
            _ => Change::FileDelete(LoadDataFileDelete::decode(part)?),
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        let (code, field) = match self {
            Change::Rows(_) => (ChangeType::RowData, 2),
            Change::Statement(_) => (ChangeType::StatementData, 3),
            Change::RowId(_) => (ChangeType::RowIdData, 4),
            Change::FileFragment(_) => (ChangeType::LoadDataFileFragment, 5),
            Change::FileQuery(_) => (ChangeType::LoadDataFileQuery, 6),
            Change::FileDelete(_) => (ChangeType::LoadDataFileDelete, 7),
            Change::Unknown { raw, .. } => return w.raw(raw),
        };
        w.int32(1, code as i32);
        w.message(field, |w| match self {
            Change::Rows(c) => c.encode(w),
            Change::Statement(c) => c.encode(w),
            Change::RowId(c) => c.encode(w),
            Change::FileFragment(c) => c.encode(w),
            Change::FileQuery(c) => c.encode(w),
            Change::FileDelete(c) => c.encode(w),
            Change::Unknown { .. } => {}
        });
    }

    /// The stored type code.
    pub fn change_type(&self) -> i32 {
        match self {
            Change::Rows(_) => ChangeType::RowData as i32,
            Change::Statement(_) => ChangeType::StatementData as i32,
            Change::RowId(_) => ChangeType::RowIdData as i32,
            Change::FileFragment(_) => ChangeType::LoadDataFileFragment as i32,
            Change::FileQuery(_) => ChangeType::LoadDataFileQuery as i32,
            Change::FileDelete(_) => ChangeType::LoadDataFileDelete as i32,
            Change::Unknown { change_type, .. } => *change_type,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Change<'_> {
        Change::decode(Message::new(bytes, 0, "ProtobufOneChange")).unwrap()
    }

    #[test]
    fn unknown_types_keep_their_bytes_and_reencode() {
        // type = i32::MIN (ten-byte varint), nothing else.
        let mut w = Writer::new();
        w.int32(1, i32::MIN);
        let bytes = w.into_bytes();
        let change = decode(&bytes);
        assert_eq!(
            change,
            Change::Unknown {
                change_type: i32::MIN,
                raw: &bytes
            }
        );
        let mut again = Writer::new();
        change.encode(&mut again);
        assert_eq!(again.into_bytes(), bytes);
    }

    #[test]
    fn a_known_type_without_its_message_is_an_error() {
        let mut w = Writer::new();
        w.int32(1, ChangeType::StatementData as i32);
        let bytes = w.into_bytes();
        let err = Change::decode(Message::new(&bytes, 40, "ProtobufOneChange")).unwrap_err();
        assert_eq!(err.offset, 40);
        assert!(err.expected.contains("field 3"), "{err:?}");
    }
}
