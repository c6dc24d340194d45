//! Changes as extraction builds them: owned, because their text comes from several
//! binlog events (and some of it is made up, like `SET @@RAND_SEED1=…`). At the end of
//! a fragment they are viewed as the THL event model ([`Change`]) and encoded.

use crate::thl::event::{
    Action, Change, ColumnSpec, ColumnVal, EventOption, LoadDataFileFragment, LoadDataFileQuery,
    OneRowChange, RowChangeData, RowIdData, RowImages, StatementData,
};

/// Name/value options in stored order.
pub(crate) type Options = Vec<(&'static str, String)>;

pub(crate) fn view_options<'o>(options: &'o [(&'static str, String)]) -> Vec<EventOption<'o>> {
    options
        .iter()
        .map(|(name, value)| EventOption { name, value })
        .collect()
}

/// One change of a fragment.
#[derive(Debug, Clone)]
pub(crate) enum OwnedChange {
    Statement(OwnedStatement),
    Rows(OwnedRows),
    RowId {
        id: i64,
        kind: i32,
    },
    FileFragment {
        file_id: i32,
        data: Vec<u8>,
        database: Option<String>,
    },
    FileQuery {
        statement: OwnedStatement,
        file_id: i32,
        filename_start: i32,
        filename_end: i32,
    },
}

/// A statement: logged queries keep their bytes (`queryAsBytes`, as both real fixtures
/// do); made-up ones (RAND, user variables) are text.
#[derive(Debug, Clone, Default)]
pub(crate) struct OwnedStatement {
    pub(crate) default_schema: Option<String>,
    pub(crate) timestamp: Option<i64>,
    pub(crate) text: Option<String>,
    pub(crate) bytes: Option<Vec<u8>>,
    pub(crate) options: Options,
    pub(crate) error_code: i32,
}

/// The row changes of one rows event.
#[derive(Debug, Clone)]
pub(crate) struct OwnedRows {
    pub(crate) change: OwnedRowChange,
    pub(crate) options: Options,
}

#[derive(Debug, Clone)]
pub(crate) struct OwnedRowChange {
    pub(crate) schema: String,
    pub(crate) table: String,
    pub(crate) action: Action,
    pub(crate) key_spec: Vec<OwnedSpec>,
    pub(crate) column_spec: Vec<OwnedSpec>,
    pub(crate) key_values: Vec<Vec<OwnedValue>>,
    pub(crate) column_values: Vec<Vec<OwnedValue>>,
    pub(crate) table_id: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct OwnedSpec {
    pub(crate) index: i32,
    pub(crate) name: Option<String>,
    pub(crate) sql_type: i32,
    pub(crate) signed: bool,
    pub(crate) length: i32,
}

/// A column value with the fields the reference writer sets for its type.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct OwnedValue {
    pub(crate) value_type: i32,
    pub(crate) int: Option<i32>,
    pub(crate) long: Option<i64>,
    pub(crate) float: Option<f32>,
    pub(crate) double: Option<f64>,
    /// Only ever the `"GMT"` marker of DATETIME values.
    pub(crate) string: Option<&'static str>,
    pub(crate) bytes: Option<Vec<u8>>,
}

impl OwnedStatement {
    fn view(&self) -> StatementData<'_> {
        StatementData {
            default_schema: self.default_schema.as_deref(),
            timestamp: self.timestamp,
            query: self.text.as_deref(),
            options: view_options(&self.options),
            error_code: self.error_code,
            query_as_bytes: self.bytes.as_deref(),
        }
    }
}

impl OwnedSpec {
    fn view(&self) -> ColumnSpec<'_> {
        ColumnSpec {
            index: self.index,
            name: self.name.as_deref(),
            sql_type: self.sql_type,
            signed: self.signed,
            length: self.length,
            not_null: false,
            type_description: None,
        }
    }
}

impl OwnedValue {
    fn view(&self) -> ColumnVal<'_> {
        ColumnVal {
            value_type: self.value_type,
            int_value: self.int,
            long_value: self.long,
            float_value: self.float,
            double_value: self.double,
            string_value: self.string,
            bytes_value: self.bytes.as_deref(),
        }
    }
}

fn view_rows(rows: &[Vec<OwnedValue>]) -> RowImages<'_> {
    rows.iter()
        .map(|r| r.iter().map(OwnedValue::view))
        .collect()
}

impl OwnedChange {
    /// The change in the THL event model, borrowing from `self`.
    pub(crate) fn view(&self) -> Change<'_> {
        match self {
            OwnedChange::Statement(s) => Change::Statement(s.view()),
            OwnedChange::Rows(r) => {
                let c = &r.change;
                Change::Rows(RowChangeData {
                    row_changes: vec![OneRowChange {
                        schema_name: &c.schema,
                        table_name: &c.table,
                        action: c.action,
                        key_spec: c.key_spec.iter().map(OwnedSpec::view).collect(),
                        column_spec: c.column_spec.iter().map(OwnedSpec::view).collect(),
                        key_values: view_rows(&c.key_values),
                        column_values: view_rows(&c.column_values),
                        table_id: Some(c.table_id),
                    }],
                    options: view_options(&r.options),
                })
            }
            OwnedChange::RowId { id, kind } => Change::RowId(RowIdData {
                id: *id,
                id_type: Some(*kind),
            }),
            OwnedChange::FileFragment {
                file_id,
                data,
                database,
            } => Change::FileFragment(LoadDataFileFragment {
                file_id: *file_id,
                data: data.as_slice(),
                database: database.as_deref(),
            }),
            OwnedChange::FileQuery {
                statement,
                file_id,
                filename_start,
                filename_end,
            } => Change::FileQuery(LoadDataFileQuery {
                statement: statement.view(),
                file_id: *file_id,
                filename_start_pos: *filename_start,
                filename_end_pos: *filename_end,
            }),
        }
    }
}
