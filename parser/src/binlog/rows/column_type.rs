//! Column type codes of the table map and how many metadata bytes each one carries.

/// A column type as MySQL's `enum_field_types` numbers it (plus MariaDB's compressed
/// column types).
///
/// A table map lists the *binlog* type; CHAR, ENUM and SET are all logged as
/// [`ColumnType::String`] with the real type folded into the metadata, and
/// [`crate::binlog::rows::Column::kind`] gives the unfolded type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// 0: pre-5.0 DECIMAL (digits stored as text).
    Decimal,
    /// 1: TINYINT.
    Tiny,
    /// 2: SMALLINT.
    Short,
    /// 3: INT.
    Long,
    /// 4: FLOAT.
    Float,
    /// 5: DOUBLE.
    Double,
    /// 6: the NULL type.
    Null,
    /// 7: TIMESTAMP before 5.6.4 (seconds, no fraction).
    Timestamp,
    /// 8: BIGINT.
    LongLong,
    /// 9: MEDIUMINT.
    Int24,
    /// 10: DATE.
    Date,
    /// 11: TIME before 5.6.4.
    Time,
    /// 12: DATETIME before 5.6.4.
    DateTime,
    /// 13: YEAR.
    Year,
    /// 14: DATE (internal real type, same 3-byte layout).
    NewDate,
    /// 15: VARCHAR / VARBINARY.
    VarChar,
    /// 16: BIT.
    Bit,
    /// 17: TIMESTAMP with fractional seconds (5.6.4+).
    Timestamp2,
    /// 18: DATETIME with fractional seconds (5.6.4+).
    DateTime2,
    /// 19: TIME with fractional seconds (5.6.4+).
    Time2,
    /// 20: typed array (multi-valued index internals; never in row images).
    TypedArray,
    /// 140: MariaDB compressed BLOB/TEXT.
    BlobCompressed,
    /// 141: MariaDB compressed VARCHAR.
    VarCharCompressed,
    /// 242: VECTOR (MySQL 9).
    Vector,
    /// 245: JSON (MySQL binary JSON).
    Json,
    /// 246: DECIMAL / NUMERIC (binary, 5.0.3+).
    NewDecimal,
    /// 247: ENUM.
    Enum,
    /// 248: SET.
    Set,
    /// 249: TINYBLOB / TINYTEXT.
    TinyBlob,
    /// 250: MEDIUMBLOB / MEDIUMTEXT.
    MediumBlob,
    /// 251: LONGBLOB / LONGTEXT.
    LongBlob,
    /// 252: BLOB / TEXT (every blob size is logged as this with a length-size metadata).
    Blob,
    /// 253: old VARCHAR.
    VarString,
    /// 254: CHAR / BINARY (and ENUM/SET in the table map).
    String,
    /// 255: GEOMETRY.
    Geometry,
}

impl ColumnType {
    /// The type for a table-map type byte, or `None` for a code no server writes.
    pub fn from_code(code: u8) -> Option<Self> {
        use ColumnType::*;
        Some(match code {
            0 => Decimal,
            1 => Tiny,
            2 => Short,
            3 => Long,
            4 => Float,
            5 => Double,
            6 => Null,
            7 => Timestamp,
            8 => LongLong,
            9 => Int24,
            10 => Date,
            11 => Time,
            12 => DateTime,
            13 => Year,
            14 => NewDate,
            15 => VarChar,
            16 => Bit,
            17 => Timestamp2,
            18 => DateTime2,
            19 => Time2,
            20 => TypedArray,
            140 => BlobCompressed,
            141 => VarCharCompressed,
            242 => Vector,
            245 => Json,
            246 => NewDecimal,
            247 => Enum,
            248 => Set,
            249 => TinyBlob,
            250 => MediumBlob,
            251 => LongBlob,
            252 => Blob,
            253 => VarString,
            254 => String,
            255 => Geometry,
            _ => return None,
        })
    }

    /// The type byte.
    pub fn code(self) -> u8 {
        use ColumnType::*;
        match self {
            Decimal => 0,
            Tiny => 1,
            Short => 2,
            Long => 3,
            Float => 4,
            Double => 5,
            Null => 6,
            Timestamp => 7,
            LongLong => 8,
            Int24 => 9,
            Date => 10,
            Time => 11,
            DateTime => 12,
            Year => 13,
            NewDate => 14,
            VarChar => 15,
            Bit => 16,
            Timestamp2 => 17,
            DateTime2 => 18,
            Time2 => 19,
            TypedArray => 20,
            BlobCompressed => 140,
            VarCharCompressed => 141,
            Vector => 242,
            Json => 245,
            NewDecimal => 246,
            Enum => 247,
            Set => 248,
            TinyBlob => 249,
            MediumBlob => 250,
            LongBlob => 251,
            Blob => 252,
            VarString => 253,
            String => 254,
            Geometry => 255,
        }
    }

    /// MySQL's name for the type (`MYSQL_TYPE_` dropped), for messages and listings.
    pub fn name(self) -> &'static str {
        use ColumnType::*;
        match self {
            Decimal => "DECIMAL",
            Tiny => "TINY",
            Short => "SHORT",
            Long => "LONG",
            Float => "FLOAT",
            Double => "DOUBLE",
            Null => "NULL",
            Timestamp => "TIMESTAMP",
            LongLong => "LONGLONG",
            Int24 => "INT24",
            Date => "DATE",
            Time => "TIME",
            DateTime => "DATETIME",
            Year => "YEAR",
            NewDate => "NEWDATE",
            VarChar => "VARCHAR",
            Bit => "BIT",
            Timestamp2 => "TIMESTAMP2",
            DateTime2 => "DATETIME2",
            Time2 => "TIME2",
            TypedArray => "TYPED_ARRAY",
            BlobCompressed => "BLOB_COMPRESSED",
            VarCharCompressed => "VARCHAR_COMPRESSED",
            Vector => "VECTOR",
            Json => "JSON",
            NewDecimal => "NEWDECIMAL",
            Enum => "ENUM",
            Set => "SET",
            TinyBlob => "TINY_BLOB",
            MediumBlob => "MEDIUM_BLOB",
            LongBlob => "LONG_BLOB",
            Blob => "BLOB",
            VarString => "VAR_STRING",
            String => "STRING",
            Geometry => "GEOMETRY",
        }
    }

    /// Bytes of table-map metadata this binlog type carries (MySQL `table_def`).
    pub(crate) fn metadata_len(self) -> usize {
        use ColumnType::*;
        match self {
            Float | Double | Blob | TinyBlob | MediumBlob | LongBlob | Geometry | Json | Vector
            | BlobCompressed | Timestamp2 | DateTime2 | Time2 => 1,
            VarChar | VarCharCompressed | Bit | NewDecimal | Enum | Set | String => 2,
            _ => 0,
        }
    }

    /// Folds the metadata bytes into one number the way MySQL's `table_def` does: some
    /// types read their two bytes little-endian, others high byte first.
    pub(crate) fn fold_metadata(self, bytes: &[u8]) -> u16 {
        let b0 = u16::from(bytes.first().copied().unwrap_or(0));
        let b1 = u16::from(bytes.get(1).copied().unwrap_or(0));
        match self.metadata_len() {
            0 => 0,
            1 => b0,
            _ => match self {
                // (real type, length), (precision, scale): first byte is the high one.
                ColumnType::String
                | ColumnType::Enum
                | ColumnType::Set
                | ColumnType::NewDecimal => (b0 << 8) | b1,
                // VARCHAR max length and BIT (bits % 8, bytes) are little-endian.
                _ => b0 | (b1 << 8),
            },
        }
    }

    /// Whether MySQL's SIGNEDNESS optional metadata has a bit for this (real) type, as
    /// MySQL's `is_numeric_type` (log_event.cc) lists them; MariaDB adds YEAR (see the
    /// table map).
    pub fn is_numeric(self) -> bool {
        use ColumnType::*;
        matches!(
            self,
            Tiny | Short | Int24 | Long | LongLong | NewDecimal | Float | Double
        )
    }

    /// Whether the character-set optional metadata lists this (real) type (MySQL 9
    /// counts VECTOR, binary, among them; MariaDB adds GEOMETRY, see the table map).
    pub(crate) fn is_character(self) -> bool {
        use ColumnType::*;
        matches!(
            self,
            String
                | Vector
                | VarString
                | VarChar
                | Blob
                | TinyBlob
                | MediumBlob
                | LongBlob
                | BlobCompressed
                | VarCharCompressed
        )
    }

    /// ENUM or SET.
    pub(crate) fn is_enum_or_set(self) -> bool {
        matches!(self, ColumnType::Enum | ColumnType::Set)
    }
}
