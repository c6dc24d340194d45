//! Row changes: `ProtobufRowChangeData`, `ProtobufOneRowChange` and its nested column
//! specs and values (spec 6.2, 6.5, 6.6).

use super::{quick_or_checked, required, reserve_repeated, EventOption};

mod images;

use crate::thl::proto::{
    tag, Message, PbError, QuickFields, Writer, FIXED32, FIXED64, LENGTH_DELIMITED, VARINT,
};
pub use images::{Images, RowImages};

/// The row changes of one binlog rows event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowChangeData<'a> {
    /// One entry per table touched.
    pub row_changes: Vec<OneRowChange<'a>>,
    /// Session options (`foreign_key_checks`, `unique_checks`, …).
    pub options: Vec<EventOption<'a>>,
}

/// The row action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 1: after images only.
    Insert,
    /// 2: before images only.
    Delete,
    /// 3: before and after images.
    Update,
    /// Any other stored code.
    Other(i32),
}

/// Rows of one table: before images (`key_*`) and after images (`column_*`).
#[derive(Debug, Clone, PartialEq)]
pub struct OneRowChange<'a> {
    /// Schema name.
    pub schema_name: &'a str,
    /// Table name.
    pub table_name: &'a str,
    /// INSERT, DELETE or UPDATE.
    pub action: Action,
    /// Columns of the before images.
    pub key_spec: Vec<ColumnSpec<'a>>,
    /// Columns of the after images.
    pub column_spec: Vec<ColumnSpec<'a>>,
    /// Before images, one per row.
    pub key_values: RowImages<'a>,
    /// After images, one per row.
    pub column_values: RowImages<'a>,
    /// MySQL table-map id (-1 when unknown; always written by the reference writer).
    pub table_id: Option<i64>,
}

/// A column description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec<'a> {
    /// 1-based column position.
    pub index: i32,
    /// Column name (set by the `colnames` filter only).
    pub name: Option<&'a str>,
    /// A `java.sql.Types` code (see [`crate::thl::java_text::sql_type_name`]).
    pub sql_type: i32,
    /// Stored "signed" flag (`-specs` prints its negation as `unsigned`).
    pub signed: bool,
    /// Byte width of integer columns, 0 otherwise.
    pub length: i32,
    /// Not filled by the MySQL extractor.
    pub not_null: bool,
    /// Catalog type text such as `INT(11)` (filters only).
    pub type_description: Option<&'a str>,
}

/// Stored value type codes (`ProtobufColumnVal.Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// 1
    Int = 1,
    /// 2
    Long = 2,
    /// 3
    Float = 3,
    /// 4
    Double = 4,
    /// 5
    String = 5,
    /// 6
    Timestamp = 6,
    /// 7
    Bit = 7,
    /// 8
    Time = 8,
    /// 9
    Date = 9,
    /// 10
    Blob = 10,
    /// 11
    Null = 11,
    /// 12
    Decimal = 12,
    /// 13
    BinaryString = 13,
}

impl ValueType {
    /// The type for a stored code, if known. (A match, not a search of the list: every
    /// value printed asks for its type.)
    pub fn from_code(code: i32) -> Option<ValueType> {
        use ValueType::*;
        Some(match code {
            1 => Int,
            2 => Long,
            3 => Float,
            4 => Double,
            5 => String,
            6 => Timestamp,
            7 => Bit,
            8 => Time,
            9 => Date,
            10 => Blob,
            11 => Null,
            12 => Decimal,
            13 => BinaryString,
            _ => return None,
        })
    }
}

/// One stored column value: its type code and whichever fields the writer set. See
/// [`ColumnVal::value`] for the value these fields mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnVal<'a> {
    /// The stored type code ([`ValueType`]).
    pub value_type: i32,
    /// `intValue` (sint32).
    pub int_value: Option<i32>,
    /// `longValue` (sint64).
    pub long_value: Option<i64>,
    /// `floatValue`.
    pub float_value: Option<f32>,
    /// `doubleValue`.
    pub double_value: Option<f64>,
    /// `stringValue`.
    pub string_value: Option<&'a str>,
    /// `bytesValue`.
    pub bytes_value: Option<&'a [u8]>,
}

impl<'a> RowChangeData<'a> {
    pub(crate) fn decode(mut m: Message<'a>) -> Result<Self, PbError> {
        let mut data = RowChangeData::default();
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => {
                    reserve_repeated(&mut data.row_changes, &m, tag(1, LENGTH_DELIMITED));
                    let change = OneRowChange::decode(f.message("ProtobufOneRowChange")?)?;
                    data.row_changes.push(change)
                }
                2 => {
                    reserve_repeated(&mut data.options, &m, tag(2, LENGTH_DELIMITED));
                    let option = EventOption::decode(f.message("ProtobufEventOption")?)?;
                    data.options.push(option)
                }
                _ => {}
            }
        }
        Ok(data)
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        for rc in &self.row_changes {
            w.message(1, |w| rc.encode(w));
        }
        EventOption::encode_all(w, 2, &self.options);
    }
}

impl Action {
    /// The stored code.
    pub fn code(self) -> i32 {
        match self {
            Action::Insert => 1,
            Action::Delete => 2,
            Action::Update => 3,
            Action::Other(c) => c,
        }
    }

    /// The action for a stored code.
    pub fn from_code(code: i32) -> Action {
        match code {
            1 => Action::Insert,
            2 => Action::Delete,
            3 => Action::Update,
            c => Action::Other(c),
        }
    }
}

impl<'a> OneRowChange<'a> {
    fn decode(m: Message<'a>) -> Result<Self, PbError> {
        quick_or_checked(m, Self::decode_quick, Self::decode_checked)
    }

    /// The usual shape read quickly (see [`QuickFields`]), the specs and rows into vectors
    /// of their final size; `None` when [`OneRowChange::decode_checked`] must read it.
    fn decode_quick(bytes: &'a [u8]) -> Option<Self> {
        const SCHEMA: u8 = tag(1, LENGTH_DELIMITED);
        const TABLE: u8 = tag(2, LENGTH_DELIMITED);
        const ACTION: u8 = tag(3, VARINT);
        const KEY_SPEC: u8 = tag(4, LENGTH_DELIMITED);
        const COLUMN_SPEC: u8 = tag(5, LENGTH_DELIMITED);
        const KEY_ROW: u8 = tag(6, LENGTH_DELIMITED);
        const COLUMN_ROW: u8 = tag(7, LENGTH_DELIMITED);
        const TABLE_ID: u8 = tag(8, VARINT);
        let (mut schema_name, mut table_name, mut action) = (None, None, None);
        let mut rc = OneRowChange::empty();
        let mut fields = QuickFields::new(bytes);
        while let Some(t) = fields.tag()? {
            match t {
                SCHEMA => schema_name = Some(fields.string()?),
                TABLE => table_name = Some(fields.string()?),
                ACTION => action = Some(fields.int32()?),
                KEY_SPEC | COLUMN_SPEC => {
                    let specs = match t {
                        KEY_SPEC => &mut rc.key_spec,
                        _ => &mut rc.column_spec,
                    };
                    if specs.is_empty() {
                        specs.reserve_exact(fields.run_length(t));
                    }
                    specs.push(ColumnSpec::decode_quick(fields.bytes()?)?);
                }
                KEY_ROW | COLUMN_ROW => {
                    let (specs, images) = match t {
                        KEY_ROW => (&rc.key_spec, &mut rc.key_values),
                        _ => (&rc.column_spec, &mut rc.column_values),
                    };
                    if images.is_empty() {
                        // Writers store the specs first and one value per spec in each
                        // image. The guess is capped by what the bytes left can hold (a
                        // value takes at least a tag and a length byte), so a damaged
                        // record cannot make a change reserve a huge vector.
                        let rows = fields.run_length(t);
                        let values = rows.saturating_mul(specs.len());
                        images.reserve_exact(values.min(fields.unread_len() / 2));
                    }
                    quick_image(fields.bytes()?, images)?;
                }
                TABLE_ID => rc.table_id = Some(fields.sint64()?),
                _ => return None,
            }
        }
        rc.schema_name = schema_name?;
        rc.table_name = table_name?;
        rc.action = Action::from_code(action?);
        Some(rc)
    }

    /// A change with nothing read yet.
    fn empty() -> Self {
        OneRowChange {
            schema_name: "",
            table_name: "",
            action: Action::Insert,
            key_spec: Vec::new(),
            column_spec: Vec::new(),
            key_values: RowImages::new(),
            column_values: RowImages::new(),
            table_id: None,
        }
    }

    fn decode_checked(mut m: Message<'a>) -> Result<Self, PbError> {
        let (mut schema_name, mut table_name, mut action) = (None, None, None);
        let mut rc = OneRowChange::empty();
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => schema_name = Some(f.string()?),
                2 => table_name = Some(f.string()?),
                3 => action = Some(f.int32()?),
                4 => rc
                    .key_spec
                    .push(ColumnSpec::decode(f.message("ColumnSpec")?)?),
                5 => rc
                    .column_spec
                    .push(ColumnSpec::decode(f.message("ColumnSpec")?)?),
                6 => decode_image(f.message("RowValue")?, &mut rc.key_values)?,
                7 => decode_image(f.message("RowValue")?, &mut rc.column_values)?,
                8 => rc.table_id = Some(f.sint64()?),
                _ => {}
            }
        }
        rc.schema_name = required(&m, schema_name, "schemaName")?;
        rc.table_name = required(&m, table_name, "tableName")?;
        rc.action = Action::from_code(required(&m, action, "action")?);
        Ok(rc)
    }

    fn encode(&self, w: &mut Writer) {
        w.bytes(1, self.schema_name.as_bytes());
        w.bytes(2, self.table_name.as_bytes());
        w.int32(3, self.action.code());
        for s in &self.key_spec {
            w.message(4, |w| s.encode(w));
        }
        for s in &self.column_spec {
            w.message(5, |w| s.encode(w));
        }
        for row in &self.key_values {
            w.message(6, |w| encode_row(w, row));
        }
        for row in &self.column_values {
            w.message(7, |w| encode_row(w, row));
        }
        if let Some(id) = self.table_id {
            w.sint64(8, id);
        }
    }

    /// Rows to show: max(#before images, #after images).
    pub fn row_count(&self) -> usize {
        self.key_values.len().max(self.column_values.len())
    }
}

/// One row image, appended to `images`.
fn decode_image<'a>(mut m: Message<'a>, images: &mut RowImages<'a>) -> Result<(), PbError> {
    while let Some(f) = m.next_field()? {
        if f.number == 1 {
            images.push_value(ColumnVal::decode(f.message("ColumnVal")?)?);
        }
    }
    images.end_image();
    Ok(())
}

/// A row image of the usual shape read quickly (see [`QuickFields`]) and appended to
/// `images`; `None` when the checked decoder must read the change (what was appended
/// then is dropped with it).
fn quick_image<'a>(bytes: &'a [u8], images: &mut RowImages<'a>) -> Option<()> {
    const VALUE: u8 = tag(1, LENGTH_DELIMITED);
    let mut fields = QuickFields::new(bytes);
    while let Some(t) = fields.tag()? {
        if t != VALUE {
            return None;
        }
        images.push_value(ColumnVal::decode_quick(fields.bytes()?)?);
    }
    images.end_image();
    Some(())
}

fn encode_row(w: &mut Writer, row: &[ColumnVal<'_>]) {
    for v in row {
        w.message(1, |w| v.encode(w));
    }
}

impl<'a> ColumnSpec<'a> {
    fn decode(m: Message<'a>) -> Result<Self, PbError> {
        quick_or_checked(m, Self::decode_quick, Self::decode_checked)
    }

    /// The usual shape read quickly (see [`QuickFields`]); `None` when
    /// [`ColumnSpec::decode_checked`] must read it.
    #[inline(always)]
    fn decode_quick(bytes: &'a [u8]) -> Option<Self> {
        const INDEX: u8 = tag(1, VARINT);
        const NAME: u8 = tag(2, LENGTH_DELIMITED);
        const TYPE: u8 = tag(3, VARINT);
        const SIGNED: u8 = tag(4, VARINT);
        const LENGTH: u8 = tag(5, VARINT);
        const NOT_NULL: u8 = tag(6, VARINT);
        const DESCRIPTION: u8 = tag(7, LENGTH_DELIMITED);
        let (mut index, mut sql_type, mut signed, mut length, mut not_null) =
            (None, None, None, None, None);
        let (mut name, mut type_description) = (None, None);
        let mut fields = QuickFields::new(bytes);
        while let Some(t) = fields.tag()? {
            match t {
                INDEX => index = Some(fields.int32()?),
                NAME => name = Some(fields.string()?),
                TYPE => sql_type = Some(fields.int32()?),
                SIGNED => signed = Some(fields.bool()?),
                LENGTH => length = Some(fields.int32()?),
                NOT_NULL => not_null = Some(fields.bool()?),
                DESCRIPTION => type_description = Some(fields.string()?),
                _ => return None,
            }
        }
        Some(ColumnSpec {
            index: index?,
            name,
            sql_type: sql_type?,
            signed: signed?,
            length: length?,
            not_null: not_null?,
            type_description,
        })
    }

    fn decode_checked(mut m: Message<'a>) -> Result<Self, PbError> {
        let (mut index, mut sql_type, mut signed, mut length, mut not_null) =
            (None, None, None, None, None);
        let (mut name, mut type_description) = (None, None);
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => index = Some(f.int32()?),
                2 => name = Some(f.string()?),
                3 => sql_type = Some(f.int32()?),
                4 => signed = Some(f.bool()?),
                5 => length = Some(f.int32()?),
                6 => not_null = Some(f.bool()?),
                7 => type_description = Some(f.string()?),
                _ => {}
            }
        }
        Ok(ColumnSpec {
            index: required(&m, index, "index")?,
            name,
            sql_type: required(&m, sql_type, "type")?,
            signed: required(&m, signed, "signed")?,
            length: required(&m, length, "length")?,
            not_null: required(&m, not_null, "notNull")?,
            type_description,
        })
    }

    fn encode(&self, w: &mut Writer) {
        w.int32(1, self.index);
        if let Some(n) = self.name {
            w.bytes(2, n.as_bytes());
        }
        w.int32(3, self.sql_type);
        w.bool(4, self.signed);
        w.int32(5, self.length);
        w.bool(6, self.not_null);
        if let Some(d) = self.type_description {
            w.bytes(7, d.as_bytes());
        }
    }
}

impl<'a> ColumnVal<'a> {
    /// A value of `value_type` with no field set (e.g. SQL NULL).
    pub fn empty(value_type: ValueType) -> Self {
        ColumnVal {
            value_type: value_type as i32,
            int_value: None,
            long_value: None,
            float_value: None,
            double_value: None,
            string_value: None,
            bytes_value: None,
        }
    }

    fn decode(m: Message<'a>) -> Result<Self, PbError> {
        quick_or_checked(m, Self::decode_quick, Self::decode_checked)
    }

    /// The usual shape read quickly (see [`QuickFields`]); `None` when
    /// [`ColumnVal::decode_checked`] must read it.
    #[inline(always)]
    fn decode_quick(bytes: &'a [u8]) -> Option<Self> {
        const TYPE: u8 = tag(1, VARINT);
        const INT: u8 = tag(2, VARINT);
        const LONG: u8 = tag(3, VARINT);
        const FLOAT: u8 = tag(4, FIXED32);
        const DOUBLE: u8 = tag(5, FIXED64);
        const STRING: u8 = tag(6, LENGTH_DELIMITED);
        const BYTES: u8 = tag(7, LENGTH_DELIMITED);
        let mut v = ColumnVal::empty(ValueType::Null);
        let mut value_type = None;
        let mut fields = QuickFields::new(bytes);
        while let Some(t) = fields.tag()? {
            match t {
                TYPE => value_type = Some(fields.int32()?),
                INT => v.int_value = Some(fields.sint32()?),
                LONG => v.long_value = Some(fields.sint64()?),
                FLOAT => v.float_value = Some(f32::from_le_bytes(fields.fixed()?)),
                DOUBLE => v.double_value = Some(f64::from_le_bytes(fields.fixed()?)),
                STRING => v.string_value = Some(fields.string()?),
                BYTES => v.bytes_value = Some(fields.bytes()?),
                _ => return None,
            }
        }
        v.value_type = value_type?;
        Some(v)
    }

    fn decode_checked(mut m: Message<'a>) -> Result<Self, PbError> {
        let mut v = ColumnVal::empty(ValueType::Null);
        let mut value_type = None;
        while let Some(f) = m.next_field()? {
            match f.number {
                1 => value_type = Some(f.int32()?),
                2 => v.int_value = Some(f.sint32()?),
                3 => v.long_value = Some(f.sint64()?),
                4 => v.float_value = Some(f.float()?),
                5 => v.double_value = Some(f.double()?),
                6 => v.string_value = Some(f.string()?),
                7 => v.bytes_value = Some(f.bytes()?),
                _ => {}
            }
        }
        v.value_type = required(&m, value_type, "type")?;
        Ok(v)
    }

    fn encode(&self, w: &mut Writer) {
        w.int32(1, self.value_type);
        if let Some(v) = self.int_value {
            w.sint32(2, v);
        }
        if let Some(v) = self.long_value {
            w.sint64(3, v);
        }
        if let Some(v) = self.float_value {
            w.float(4, v);
        }
        if let Some(v) = self.double_value {
            w.double(5, v);
        }
        if let Some(v) = self.string_value {
            w.bytes(6, v.as_bytes());
        }
        if let Some(v) = self.bytes_value {
            w.bytes(7, v);
        }
    }

    /// The known value type, if the code is one.
    pub fn kind(&self) -> Option<ValueType> {
        ValueType::from_code(self.value_type)
    }
}

#[cfg(test)]
mod tests;
