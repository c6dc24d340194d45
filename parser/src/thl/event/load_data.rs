//! LOAD DATA INFILE changes: file fragments, the query, and the (unused) delete.

use super::{required, StatementData};
use crate::thl::proto::{Message, PbError, Writer};

/// `ProtobufLoadDataFileFragment`: a block of the input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadDataFileFragment<'a> {
    /// The file id shared with the query.
    pub file_id: i32,
    /// The block's bytes.
    pub data: &'a [u8],
    /// The session database.
    pub database: Option<&'a str>,
}

/// `ProtobufLoadDataFileQuery`: the LOAD DATA statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadDataFileQuery<'a> {
    /// The statement.
    pub statement: StatementData<'a>,
    /// The file id shared with the fragments.
    pub file_id: i32,
    /// Start of ` INFILE '<name>' INTO` in the query (characters).
    pub filename_start_pos: i32,
    /// End of that span (exclusive).
    pub filename_end_pos: i32,
}

/// `ProtobufLoadDataFileDelete` (defined, never written by the reference writer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadDataFileDelete {
    /// The file id (the schema names this field `int32`).
    pub file_id: i32,
}

impl<'a> LoadDataFileFragment<'a> {
    pub(crate) fn decode(mut m: Message<'a>) -> Result<Self, PbError> {
        let (mut file_id, mut data, mut database) = (None, None, None);
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => file_id = Some(f.int32()?),
                2 => data = Some(f.bytes()?),
                3 => database = Some(f.string()?),
                _ => {}
            }
        }
        Ok(LoadDataFileFragment {
            file_id: required(&m, file_id, "fileId")?,
            data: required(&m, data, "data")?,
            database,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.int32(1, self.file_id);
        w.bytes(2, self.data);
        if let Some(d) = self.database {
            w.bytes(3, d.as_bytes());
        }
    }
}

impl<'a> LoadDataFileQuery<'a> {
    pub(crate) fn decode(mut m: Message<'a>) -> Result<Self, PbError> {
        let (mut statement, mut file_id, mut start, mut end) = (None, None, None, None);
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => statement = Some(StatementData::decode(f.message("ProtobufStatementData")?)?),
                2 => file_id = Some(f.int32()?),
                3 => start = Some(f.int32()?),
                4 => end = Some(f.int32()?),
                _ => {}
            }
        }
        Ok(LoadDataFileQuery {
            statement: required(&m, statement, "statement")?,
            file_id: required(&m, file_id, "fileId")?,
            filename_start_pos: required(&m, start, "filenameStartPos")?,
            filename_end_pos: required(&m, end, "filenameEndPos")?,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.message(1, |w| self.statement.encode(w));
        w.int32(2, self.file_id);
        w.int32(3, self.filename_start_pos);
        w.int32(4, self.filename_end_pos);
    }
}

impl LoadDataFileDelete {
    pub(crate) fn decode(mut m: Message<'_>) -> Result<Self, PbError> {
        let mut file_id = None;
        while let Some(f) = m.next_field()? {
            if f.number == 1 {
                file_id = Some(f.int32()?);
            }
        }
        Ok(LoadDataFileDelete {
            file_id: required(&m, file_id, "int32")?,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.int32(1, self.file_id);
    }
}
