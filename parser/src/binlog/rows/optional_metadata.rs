//! The optional metadata that ends a table map (MySQL 8.0.1+ `binlog_row_metadata`,
//! MariaDB 10.5+): type-length-value fields describing columns beyond their types.

use std::borrow::Cow;

use nom::number::complete::u8 as byte;
use nom::Parser;

use super::wire::{packed_bytes, packed_len};
use crate::binlog::wire::packed_int;
use crate::decode::DecodeError;

/// Field type codes (`Optional_metadata_field_type`).
mod tag {
    pub const SIGNEDNESS: u8 = 1;
    pub const DEFAULT_CHARSET: u8 = 2;
    pub const COLUMN_CHARSET: u8 = 3;
    pub const COLUMN_NAME: u8 = 4;
    pub const SET_STR_VALUE: u8 = 5;
    pub const ENUM_STR_VALUE: u8 = 6;
    pub const GEOMETRY_TYPE: u8 = 7;
    pub const SIMPLE_PRIMARY_KEY: u8 = 8;
    pub const PRIMARY_KEY_WITH_PREFIX: u8 = 9;
    pub const ENUM_AND_SET_DEFAULT_CHARSET: u8 = 10;
    pub const ENUM_AND_SET_COLUMN_CHARSET: u8 = 11;
    pub const COLUMN_VISIBILITY: u8 = 12;
    pub const VECTOR_DIMENSIONALITY: u8 = 13;
}

/// A default collation plus the columns that differ from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultCharset {
    /// Collation id most columns use.
    pub default: u64,
    /// `(ordinal among the columns this list covers, collation id)` exceptions.
    pub exceptions: Vec<(u64, u64)>,
}

impl DefaultCharset {
    /// The collation of the `ordinal`-th covered column.
    pub fn for_ordinal(&self, ordinal: usize) -> u64 {
        self.exceptions
            .iter()
            .find(|(i, _)| usize::try_from(*i).ok() == Some(ordinal))
            .map_or(self.default, |&(_, c)| c)
    }
}

/// Every optional metadata field a table map may carry. Absent fields are empty/`None`;
/// bitmaps are kept raw (most significant bit first) and resolved per column by the
/// table map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionalMetadata<'a> {
    /// One bit per numeric column, set = UNSIGNED.
    pub signedness: Option<Cow<'a, [u8]>>,
    /// Collations of character columns as a default plus exceptions.
    pub default_charset: Option<DefaultCharset>,
    /// Collation of each character column.
    pub column_charsets: Option<Vec<u64>>,
    /// Column names, one per column (`binlog_row_metadata=FULL`).
    pub column_names: Vec<Cow<'a, [u8]>>,
    /// Member names of each SET column.
    pub set_values: Vec<Vec<Cow<'a, [u8]>>>,
    /// Member names of each ENUM column.
    pub enum_values: Vec<Vec<Cow<'a, [u8]>>>,
    /// Geometry subtype of each GEOMETRY column.
    pub geometry_types: Vec<u64>,
    /// Primary-key column indexes (no prefixes).
    pub simple_primary_key: Vec<u64>,
    /// Primary-key `(column index, prefix length)`; prefix 0 = whole column.
    pub primary_key_with_prefix: Vec<(u64, u64)>,
    /// Collations of ENUM/SET columns as a default plus exceptions.
    pub enum_set_default_charset: Option<DefaultCharset>,
    /// Collation of each ENUM/SET column.
    pub enum_set_column_charsets: Option<Vec<u64>>,
    /// One bit per column, set = visible (MySQL 8.0.23+ invisible columns).
    pub column_visibility: Option<Cow<'a, [u8]>>,
    /// Dimensions of each VECTOR column (MySQL 9).
    pub vector_dimensionality: Vec<u64>,
    /// Type codes of fields this decoder does not know; they were skipped.
    pub unknown_fields: Vec<u8>,
}

impl<'a> OptionalMetadata<'a> {
    /// Decodes the TLV list that fills the rest of a table map body.
    pub(crate) fn parse(mut input: &'a [u8]) -> Result<Self, DecodeError> {
        let mut meta = OptionalMetadata::default();
        while !input.is_empty() {
            let (rest, field_type) = byte(input).map_err(finish_err)?;
            let (rest, value) =
                packed_bytes(rest, "an optional metadata field within the table map")
                    .map_err(finish_err)?;
            meta.add_field(field_type, value).map_err(finish_err)?;
            input = rest;
        }
        Ok(meta)
    }

    fn add_field(&mut self, field_type: u8, value: &'a [u8]) -> Result<(), nom::Err<DecodeError>> {
        match field_type {
            tag::SIGNEDNESS => self.signedness = Some(Cow::Borrowed(value)),
            tag::DEFAULT_CHARSET => self.default_charset = Some(default_charset(value)?),
            tag::COLUMN_CHARSET => self.column_charsets = Some(int_list(value)?),
            tag::COLUMN_NAME => self.column_names = string_list(value)?,
            tag::SET_STR_VALUE => self.set_values = member_lists(value)?,
            tag::ENUM_STR_VALUE => self.enum_values = member_lists(value)?,
            tag::GEOMETRY_TYPE => self.geometry_types = int_list(value)?,
            tag::SIMPLE_PRIMARY_KEY => self.simple_primary_key = int_list(value)?,
            tag::PRIMARY_KEY_WITH_PREFIX => self.primary_key_with_prefix = int_pairs(value)?,
            tag::ENUM_AND_SET_DEFAULT_CHARSET => {
                self.enum_set_default_charset = Some(default_charset(value)?)
            }
            tag::ENUM_AND_SET_COLUMN_CHARSET => {
                self.enum_set_column_charsets = Some(int_list(value)?)
            }
            tag::COLUMN_VISIBILITY => self.column_visibility = Some(Cow::Borrowed(value)),
            tag::VECTOR_DIMENSIONALITY => self.vector_dimensionality = int_list(value)?,
            // A newer server's field: its length let us step over it.
            other => self.unknown_fields.push(other),
        }
        Ok(())
    }

    /// Copies every borrowed byte so the metadata outlives the event buffer.
    pub fn into_owned(self) -> OptionalMetadata<'static> {
        fn own(c: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
            Cow::Owned(c.into_owned())
        }
        OptionalMetadata {
            signedness: self.signedness.map(own),
            default_charset: self.default_charset,
            column_charsets: self.column_charsets,
            column_names: self.column_names.into_iter().map(own).collect(),
            set_values: self
                .set_values
                .into_iter()
                .map(|v| v.into_iter().map(own).collect())
                .collect(),
            enum_values: self
                .enum_values
                .into_iter()
                .map(|v| v.into_iter().map(own).collect())
                .collect(),
            geometry_types: self.geometry_types,
            simple_primary_key: self.simple_primary_key,
            primary_key_with_prefix: self.primary_key_with_prefix,
            enum_set_default_charset: self.enum_set_default_charset,
            enum_set_column_charsets: self.enum_set_column_charsets,
            column_visibility: self.column_visibility.map(own),
            vector_dimensionality: self.vector_dimensionality,
            unknown_fields: self.unknown_fields,
        }
    }
}

fn finish_err(e: nom::Err<DecodeError>) -> DecodeError {
    crate::decode::finish::<()>(Err(e)).unwrap_err()
}

/// Packed integers until the value ends.
fn int_list(mut value: &[u8]) -> Result<Vec<u64>, nom::Err<DecodeError>> {
    let mut out = Vec::with_capacity(value.len().min(64));
    while !value.is_empty() {
        let (rest, n) = packed_int(value)?;
        out.push(n);
        value = rest;
    }
    Ok(out)
}

/// Pairs of packed integers until the value ends.
fn int_pairs(mut value: &[u8]) -> Result<Vec<(u64, u64)>, nom::Err<DecodeError>> {
    let mut out = Vec::with_capacity((value.len() / 2).min(64));
    while !value.is_empty() {
        let (rest, (a, b)) = (packed_int, packed_int).parse(value)?;
        out.push((a, b));
        value = rest;
    }
    Ok(out)
}

fn default_charset(value: &[u8]) -> Result<DefaultCharset, nom::Err<DecodeError>> {
    let (rest, default) = packed_int(value)?;
    Ok(DefaultCharset {
        default,
        exceptions: int_pairs(rest)?,
    })
}

/// Length-prefixed strings until the value ends.
fn string_list(mut value: &[u8]) -> Result<Vec<Cow<'_, [u8]>>, nom::Err<DecodeError>> {
    let mut out = Vec::with_capacity(value.len().min(64));
    while !value.is_empty() {
        let (rest, s) = packed_bytes(value, "a length-prefixed name")?;
        out.push(Cow::Borrowed(s));
        value = rest;
    }
    Ok(out)
}

/// Member names per ENUM/SET column.
type MemberLists<'a> = Vec<Vec<Cow<'a, [u8]>>>;

/// For each ENUM/SET column: a member count, then that many length-prefixed names.
fn member_lists(mut value: &[u8]) -> Result<MemberLists<'_>, nom::Err<DecodeError>> {
    let mut out = Vec::new();
    while !value.is_empty() {
        let (mut rest, count) = packed_len(value, "an ENUM/SET member count")?;
        // Every member takes at least its length byte.
        if count > rest.len() {
            return DecodeError::at(value, "an ENUM/SET member count within the field").fail();
        }
        let mut members = Vec::with_capacity(count);
        for _ in 0..count {
            let (r, s) = packed_bytes(rest, "an ENUM/SET member name")?;
            members.push(Cow::Borrowed(s));
            rest = r;
        }
        out.push(members);
        value = rest;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_type_decodes() {
        let mut tlv = Vec::new();
        let mut field = |t: u8, v: &[u8]| {
            tlv.push(t);
            tlv.push(v.len() as u8);
            tlv.extend_from_slice(v);
        };
        field(tag::SIGNEDNESS, &[0b0100_0000]);
        field(tag::DEFAULT_CHARSET, &[252, 255, 0, 1, 63]);
        field(tag::COLUMN_CHARSET, &[33, 252, 0x01, 0x01]);
        field(tag::COLUMN_NAME, b"\x02id\x04name");
        field(tag::SET_STR_VALUE, b"\x02\x01a\x01b");
        field(tag::ENUM_STR_VALUE, b"\x02\x03red\x00");
        field(tag::GEOMETRY_TYPE, &[1]);
        field(tag::SIMPLE_PRIMARY_KEY, &[0, 2]);
        field(tag::PRIMARY_KEY_WITH_PREFIX, &[1, 10]);
        field(tag::ENUM_AND_SET_DEFAULT_CHARSET, &[8]);
        field(tag::ENUM_AND_SET_COLUMN_CHARSET, &[8, 33]);
        field(tag::COLUMN_VISIBILITY, &[0b1010_0000]);
        field(tag::VECTOR_DIMENSIONALITY, &[252, 0x00, 0x04]);
        field(200, &[1, 2, 3]);
        let m = OptionalMetadata::parse(&tlv).unwrap();
        assert_eq!(m.signedness.as_deref(), Some(&[0b0100_0000][..]));
        let dc = m.default_charset.clone().unwrap();
        assert_eq!(
            (dc.default, dc.for_ordinal(1), dc.for_ordinal(0)),
            (255, 63, 255)
        );
        assert_eq!(m.column_charsets, Some(vec![33, 257]));
        assert_eq!(m.column_names, vec![&b"id"[..], &b"name"[..]]);
        assert_eq!(m.set_values, vec![vec![&b"a"[..], &b"b"[..]]]);
        assert_eq!(m.enum_values, vec![vec![&b"red"[..], &b""[..]]]);
        assert_eq!(m.geometry_types, vec![1]);
        assert_eq!(m.simple_primary_key, vec![0, 2]);
        assert_eq!(m.primary_key_with_prefix, vec![(1, 10)]);
        assert_eq!(m.enum_set_default_charset.unwrap().default, 8);
        assert_eq!(m.enum_set_column_charsets, Some(vec![8, 33]));
        assert_eq!(m.column_visibility.as_deref(), Some(&[0b1010_0000][..]));
        assert_eq!(m.vector_dimensionality, vec![1024]);
        assert_eq!(m.unknown_fields, vec![200]);
    }

    #[test]
    fn truncated_field_is_an_error() {
        assert_eq!(
            OptionalMetadata::parse(&[tag::COLUMN_NAME, 5, 2, b'i'])
                .unwrap_err()
                .located(&[tag::COLUMN_NAME, 5, 2, b'i']),
            (1, "an optional metadata field within the table map")
        );
        assert_eq!(
            OptionalMetadata::parse(&[tag::SET_STR_VALUE, 2, 200, 1])
                .unwrap_err()
                .located(&[tag::SET_STR_VALUE, 2, 200, 1]),
            (2, "an ENUM/SET member count within the field")
        );
    }
}
