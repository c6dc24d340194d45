//! The status variables of `QUERY_EVENT` (and `EXECUTE_LOAD_QUERY_EVENT`,
//! `MARIADB_QUERY_COMPRESSED_EVENT`): a sequence of (code, value) pairs whose value
//! layout is fixed per code. A code the decoder does not know has no known length, so
//! decoding stops there (as the servers do) and the stop is recorded.

use std::fmt;

use nom::number::complete::{le_i64, le_u16, le_u24, le_u32, le_u64, le_u8};

use super::Text;
use crate::binlog::wire::{bytes, cstr, str_u8};
use crate::decode::{DecodeError, Parsed};

/// Status variable codes (`Q_*` in the servers' sources).
pub mod code {
    /// `Q_FLAGS2_CODE`: session option bits (4 bytes).
    pub const FLAGS2: u8 = 0;
    /// `Q_SQL_MODE_CODE` (8 bytes).
    pub const SQL_MODE: u8 = 1;
    /// `Q_CATALOG_CODE`: catalog with length and NUL, written only by 5.0.0–5.0.3.
    pub const CATALOG_OLD: u8 = 2;
    /// `Q_AUTO_INCREMENT`: increment and offset (2 + 2 bytes).
    pub const AUTO_INCREMENT: u8 = 3;
    /// `Q_CHARSET_CODE`: client charset, connection and server collations (3 × 2 bytes).
    pub const CHARSET: u8 = 4;
    /// `Q_TIME_ZONE_CODE`: length-prefixed time zone name.
    pub const TIME_ZONE: u8 = 5;
    /// `Q_CATALOG_NZ_CODE`: length-prefixed catalog.
    pub const CATALOG: u8 = 6;
    /// `Q_LC_TIME_NAMES_CODE` (2 bytes).
    pub const LC_TIME_NAMES: u8 = 7;
    /// `Q_CHARSET_DATABASE_CODE` (2 bytes).
    pub const CHARSET_DATABASE: u8 = 8;
    /// `Q_TABLE_MAP_FOR_UPDATE_CODE` (8 bytes).
    pub const TABLE_MAP_FOR_UPDATE: u8 = 9;
    /// `Q_MASTER_DATA_WRITTEN_CODE` (4 bytes).
    pub const MASTER_DATA_WRITTEN: u8 = 10;
    /// `Q_INVOKER`: length-prefixed user and host.
    pub const INVOKER: u8 = 11;
    /// `Q_UPDATED_DB_NAMES`: count, then NUL-terminated names.
    pub const UPDATED_DB_NAMES: u8 = 12;
    /// `Q_MICROSECONDS` (3 bytes).
    pub const MICROSECONDS: u8 = 13;
    /// `Q_COMMIT_TS`: the commit sequence number of the MySQL 5.7 development
    /// milestones that wrote their logical clock into QUERY events (8 bytes,
    /// little-endian). Later servers moved it to the GTID event and never write this code.
    pub const COMMIT_TS: u8 = 14;
    /// `Q_COMMIT_TS2`: reserved by MySQL, never written; no reader knows its layout.
    pub const COMMIT_TS2: u8 = 15;
    /// `Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP` (1 byte).
    pub const EXPLICIT_DEFAULTS_FOR_TIMESTAMP: u8 = 16;
    /// `Q_DDL_LOGGED_WITH_XID` (8 bytes).
    pub const DDL_LOGGED_WITH_XID: u8 = 17;
    /// `Q_DEFAULT_COLLATION_FOR_UTF8MB4` (2 bytes).
    pub const DEFAULT_COLLATION_FOR_UTF8MB4: u8 = 18;
    /// `Q_SQL_REQUIRE_PRIMARY_KEY` (1 byte).
    pub const SQL_REQUIRE_PRIMARY_KEY: u8 = 19;
    /// `Q_DEFAULT_TABLE_ENCRYPTION` (1 byte).
    pub const DEFAULT_TABLE_ENCRYPTION: u8 = 20;
    /// MariaDB `Q_HRNOW`: microseconds of the statement's start (3 bytes).
    pub const HRNOW: u8 = 128;
    /// MariaDB `Q_XID`: the XID of a DDL statement (8 bytes).
    pub const XID: u8 = 129;
    /// MariaDB `Q_GTID_FLAGS3`: GTID extra flags (1 byte), followed by the split ALTER's
    /// start sequence number (8 bytes) for commit/rollback ALTER.
    pub const GTID_FLAGS3: u8 = 130;
    /// MariaDB `Q_CHARACTER_SET_COLLATIONS`: count, then (charset, collation) id pairs.
    pub const CHARACTER_SET_COLLATIONS: u8 = 131;
}

/// `Q_GTID_FLAGS3` bits that announce the 8-byte ALTER sequence number.
const GTID_FLAGS3_ALTER_SEQ: u8 = 4 | 8;

/// `OVER_MAX_DBS_IN_EVENT_MTS`: too many databases to list.
pub const OVER_MAX_DBS: u8 = 254;

/// `Q_CHARSET_CODE`'s three ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charset {
    /// `character_set_client`.
    pub client: u16,
    /// `collation_connection`.
    pub connection: u16,
    /// `collation_server`.
    pub server: u16,
}

/// `Q_INVOKER`: the definer a stored routine or view runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invoker<'a> {
    /// User name.
    pub user: &'a [u8],
    /// Host name.
    pub host: &'a [u8],
}

/// `Q_UPDATED_DB_NAMES`: the databases a statement changes (for parallel apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdatedDbNames<'a> {
    /// Number of names, or [`OVER_MAX_DBS`] when there were too many to list.
    pub count: u8,
    names: &'a [u8],
}

impl<'a> UpdatedDbNames<'a> {
    /// The names (none when `count` is [`OVER_MAX_DBS`]).
    pub fn names(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut rest = self.names;
        std::iter::from_fn(move || {
            let (after, name) = cstr(rest).ok()?;
            rest = after;
            Some(name)
        })
    }
}

/// MariaDB `Q_CHARACTER_SET_COLLATIONS`: the session's charset → collation choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharsetCollations<'a> {
    raw: &'a [u8],
}

impl<'a> CharsetCollations<'a> {
    /// (character set id, collation id) pairs.
    pub fn pairs(&self) -> impl Iterator<Item = (u16, u16)> + 'a {
        self.raw.chunks_exact(4).map(|c| {
            (
                u16::from_le_bytes([c[0], c[1]]),
                u16::from_le_bytes([c[2], c[3]]),
            )
        })
    }
}

/// Where status-variable decoding stopped on a code it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownStatusVar {
    /// The code.
    pub code: u8,
    /// Its offset from the start of the status-variable block.
    pub offset: usize,
}

/// The decoded status variables; `None` when a variable was not written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusVars<'a> {
    /// `Q_FLAGS2_CODE`.
    pub flags2: Option<u32>,
    /// `Q_SQL_MODE_CODE`.
    pub sql_mode: Option<u64>,
    /// `Q_CATALOG_NZ_CODE`, or the old `Q_CATALOG_CODE` of 5.0.0–5.0.3.
    pub catalog: Option<&'a [u8]>,
    /// `Q_AUTO_INCREMENT`: (increment, offset).
    pub auto_increment: Option<(u16, u16)>,
    /// `Q_CHARSET_CODE`.
    pub charset: Option<Charset>,
    /// `Q_TIME_ZONE_CODE`.
    pub time_zone: Option<&'a [u8]>,
    /// `Q_LC_TIME_NAMES_CODE`.
    pub lc_time_names: Option<u16>,
    /// `Q_CHARSET_DATABASE_CODE`.
    pub charset_database: Option<u16>,
    /// `Q_TABLE_MAP_FOR_UPDATE_CODE`.
    pub table_map_for_update: Option<u64>,
    /// `Q_MASTER_DATA_WRITTEN_CODE`.
    pub master_data_written: Option<u32>,
    /// `Q_INVOKER`.
    pub invoker: Option<Invoker<'a>>,
    /// `Q_UPDATED_DB_NAMES`.
    pub updated_db_names: Option<UpdatedDbNames<'a>>,
    /// `Q_MICROSECONDS`.
    pub microseconds: Option<u32>,
    /// `Q_COMMIT_TS`: commit sequence number (MySQL 5.7 milestones only).
    pub commit_seq_no: Option<i64>,
    /// `Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP`.
    pub explicit_defaults_ts: Option<u8>,
    /// `Q_DDL_LOGGED_WITH_XID`.
    pub ddl_xid: Option<u64>,
    /// `Q_DEFAULT_COLLATION_FOR_UTF8MB4`.
    pub default_collation_for_utf8mb4: Option<u16>,
    /// `Q_SQL_REQUIRE_PRIMARY_KEY`.
    pub sql_require_primary_key: Option<u8>,
    /// `Q_DEFAULT_TABLE_ENCRYPTION`.
    pub default_table_encryption: Option<u8>,
    /// MariaDB `Q_HRNOW`.
    pub hrnow: Option<u32>,
    /// MariaDB `Q_XID`.
    pub xid: Option<u64>,
    /// MariaDB `Q_GTID_FLAGS3`: (flags, split ALTER start sequence number).
    pub gtid_flags3: Option<(u8, Option<u64>)>,
    /// MariaDB `Q_CHARACTER_SET_COLLATIONS`.
    pub character_set_collations: Option<CharsetCollations<'a>>,
    /// Set when decoding stopped at a code with no known layout (the rest of the block
    /// is skipped; the statement is still read from the declared lengths).
    pub unknown: Option<UnknownStatusVar>,
}

impl<'a> StatusVars<'a> {
    /// Decodes a whole status-variable block.
    pub fn parse(block: &'a [u8]) -> Result<Self, DecodeError> {
        let mut vars = StatusVars::default();
        let mut i = block;
        while let Some((&c, rest)) = i.split_first() {
            match vars.one(c, rest) {
                Some(Ok((rest, ()))) => i = rest,
                Some(Err(e)) => return crate::decode::finish(Err(e)),
                None => {
                    vars.unknown = Some(UnknownStatusVar {
                        code: c,
                        offset: block.len() - i.len(),
                    });
                    break;
                }
            }
        }
        Ok(vars)
    }

    /// Decodes the value of code `c`; `None` for a code without a known layout.
    fn one(&mut self, c: u8, i: &'a [u8]) -> Option<Parsed<'a, ()>> {
        fn set<'a, T>(slot: &mut Option<T>, r: Parsed<'a, T>) -> Parsed<'a, ()> {
            let (i, v) = r?;
            *slot = Some(v);
            Ok((i, ()))
        }
        Some(match c {
            code::FLAGS2 => set(&mut self.flags2, le_u32(i)),
            code::SQL_MODE => set(&mut self.sql_mode, le_u64(i)),
            code::CATALOG_OLD => set(&mut self.catalog, old_catalog(i)),
            code::AUTO_INCREMENT => set(&mut self.auto_increment, pair_u16(i)),
            code::CHARSET => set(&mut self.charset, charset(i)),
            code::TIME_ZONE => set(&mut self.time_zone, str_u8(i)),
            code::CATALOG => set(&mut self.catalog, str_u8(i)),
            code::LC_TIME_NAMES => set(&mut self.lc_time_names, le_u16(i)),
            code::CHARSET_DATABASE => set(&mut self.charset_database, le_u16(i)),
            code::TABLE_MAP_FOR_UPDATE => set(&mut self.table_map_for_update, le_u64(i)),
            code::MASTER_DATA_WRITTEN => set(&mut self.master_data_written, le_u32(i)),
            code::INVOKER => set(&mut self.invoker, invoker(i)),
            code::UPDATED_DB_NAMES => set(&mut self.updated_db_names, updated_db_names(i)),
            code::MICROSECONDS => set(&mut self.microseconds, le_u24(i)),
            // Layout from the reader that shipped with the servers writing it: MySQL's
            // libbinlogapi (src/binlog_event.cpp, Query_event's constructor, 2013) reads
            // COMMIT_SEQ_LEN = 8 bytes with uint8korr into the signed `commit_seq_no`.
            code::COMMIT_TS => set(&mut self.commit_seq_no, le_i64(i)),
            code::EXPLICIT_DEFAULTS_FOR_TIMESTAMP => set(&mut self.explicit_defaults_ts, le_u8(i)),
            code::DDL_LOGGED_WITH_XID => set(&mut self.ddl_xid, le_u64(i)),
            code::DEFAULT_COLLATION_FOR_UTF8MB4 => {
                set(&mut self.default_collation_for_utf8mb4, le_u16(i))
            }
            code::SQL_REQUIRE_PRIMARY_KEY => set(&mut self.sql_require_primary_key, le_u8(i)),
            code::DEFAULT_TABLE_ENCRYPTION => set(&mut self.default_table_encryption, le_u8(i)),
            code::HRNOW => set(&mut self.hrnow, le_u24(i)),
            code::XID => set(&mut self.xid, le_u64(i)),
            code::GTID_FLAGS3 => set(&mut self.gtid_flags3, gtid_flags3(i)),
            code::CHARACTER_SET_COLLATIONS => {
                set(&mut self.character_set_collations, charset_collations(i))
            }
            _ => return None,
        })
    }
}

fn old_catalog(i: &[u8]) -> Parsed<'_, &[u8]> {
    let (i, name) = str_u8(i)?;
    let (i, _nul) = bytes(i, 1)?;
    Ok((i, name))
}

fn gtid_flags3(i: &[u8]) -> Parsed<'_, (u8, Option<u64>)> {
    let (i, flags) = le_u8(i)?;
    if flags & GTID_FLAGS3_ALTER_SEQ == 0 {
        return Ok((i, (flags, None)));
    }
    let (i, seq) = le_u64(i)?;
    Ok((i, (flags, Some(seq))))
}

fn charset_collations(i: &[u8]) -> Parsed<'_, CharsetCollations<'_>> {
    let (i, count) = le_u8(i)?;
    let (i, raw) = bytes(i, usize::from(count) * 4)?;
    Ok((i, CharsetCollations { raw }))
}

fn pair_u16(i: &[u8]) -> Parsed<'_, (u16, u16)> {
    let (i, a) = le_u16(i)?;
    let (i, b) = le_u16(i)?;
    Ok((i, (a, b)))
}

fn charset(i: &[u8]) -> Parsed<'_, Charset> {
    let (i, client) = le_u16(i)?;
    let (i, connection) = le_u16(i)?;
    let (i, server) = le_u16(i)?;
    Ok((
        i,
        Charset {
            client,
            connection,
            server,
        },
    ))
}

fn invoker(i: &[u8]) -> Parsed<'_, Invoker<'_>> {
    let (i, user) = str_u8(i)?;
    let (i, host) = str_u8(i)?;
    Ok((i, Invoker { user, host }))
}

fn updated_db_names(i: &[u8]) -> Parsed<'_, UpdatedDbNames<'_>> {
    let (mut rest, count) = le_u8(i)?;
    let start = rest;
    if count != OVER_MAX_DBS {
        for _ in 0..count {
            rest = cstr(rest)?.0;
        }
    }
    let names = &start[..start.len() - rest.len()];
    Ok((rest, UpdatedDbNames { count, names }))
}

impl fmt::Display for StatusVars<'_> {
    /// The session settings a replica would restore, in `mysqlbinlog`'s spirit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        let mut item = |f: &mut fmt::Formatter<'_>, args: fmt::Arguments<'_>| {
            let r = write!(f, "{sep}{args}");
            sep = " ";
            r
        };
        if let Some(v) = self.sql_mode {
            item(f, format_args!("sql_mode={v}"))?;
        }
        if let Some(c) = self.charset {
            item(
                f,
                format_args!("charset={},{},{}", c.client, c.connection, c.server),
            )?;
        }
        if let Some(tz) = self.time_zone {
            item(f, format_args!("time_zone='{}'", Text(tz)))?;
        }
        if let Some(x) = self.ddl_xid.or(self.xid) {
            item(f, format_args!("xid={x}"))?;
        }
        if let Some(u) = self.unknown {
            item(
                f,
                format_args!("unknown_status_var={}@{}", u.code, u.offset),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_mysql_and_mariadb_variable() {
        let mut b = vec![code::FLAGS2, 0, 0, 0, 0x40];
        b.extend([code::SQL_MODE, 1, 0, 0, 0, 0, 0, 0, 0]);
        b.extend([code::CATALOG_OLD, 3, b's', b't', b'd', 0]);
        b.extend([code::AUTO_INCREMENT, 2, 0, 1, 0]);
        b.extend([code::CHARSET, 33, 0, 8, 0, 255, 0]);
        b.extend([code::TIME_ZONE, 6, b'S', b'Y', b'S', b'T', b'E', b'M']);
        b.extend([code::LC_TIME_NAMES, 1, 0]);
        b.extend([code::CHARSET_DATABASE, 45, 0]);
        b.extend([code::TABLE_MAP_FOR_UPDATE, 3, 0, 0, 0, 0, 0, 0, 0]);
        b.extend([code::MASTER_DATA_WRITTEN, 9, 0, 0, 0]);
        b.extend([code::INVOKER, 4, b'r', b'o', b'o', b't', 2, b'h', b'1']);
        b.extend([code::UPDATED_DB_NAMES, 2, b'a', 0, b'b', b'c', 0]);
        b.extend([code::MICROSECONDS, 1, 2, 3]);
        b.extend([code::EXPLICIT_DEFAULTS_FOR_TIMESTAMP, 1]);
        b.extend([code::DDL_LOGGED_WITH_XID, 7, 0, 0, 0, 0, 0, 0, 0]);
        b.extend([code::DEFAULT_COLLATION_FOR_UTF8MB4, 255, 0]);
        b.extend([code::SQL_REQUIRE_PRIMARY_KEY, 1]);
        b.extend([code::DEFAULT_TABLE_ENCRYPTION, 0]);
        b.extend([code::HRNOW, 0x10, 0, 0]);
        b.extend([code::XID, 9, 0, 0, 0, 0, 0, 0, 0]);
        b.extend([code::GTID_FLAGS3, 4, 5, 0, 0, 0, 0, 0, 0, 0]);
        b.extend([code::CHARACTER_SET_COLLATIONS, 1, 45, 0, 46, 0]);
        let v = StatusVars::parse(&b).unwrap();
        assert_eq!(v.flags2, Some(0x4000_0000));
        assert_eq!(v.sql_mode, Some(1));
        assert_eq!(v.catalog, Some(&b"std"[..]));
        assert_eq!(v.auto_increment, Some((2, 1)));
        assert_eq!(
            v.charset,
            Some(Charset {
                client: 33,
                connection: 8,
                server: 255
            })
        );
        assert_eq!(v.time_zone, Some(&b"SYSTEM"[..]));
        assert_eq!((v.lc_time_names, v.charset_database), (Some(1), Some(45)));
        assert_eq!(
            (v.table_map_for_update, v.master_data_written),
            (Some(3), Some(9))
        );
        assert_eq!(
            v.invoker,
            Some(Invoker {
                user: b"root",
                host: b"h1"
            })
        );
        let dbs = v.updated_db_names.unwrap();
        assert_eq!(dbs.count, 2);
        assert_eq!(dbs.names().collect::<Vec<_>>(), vec![&b"a"[..], &b"bc"[..]]);
        assert_eq!(v.microseconds, Some(0x030201));
        assert_eq!((v.explicit_defaults_ts, v.ddl_xid), (Some(1), Some(7)));
        assert_eq!(v.default_collation_for_utf8mb4, Some(255));
        assert_eq!(
            (v.sql_require_primary_key, v.default_table_encryption),
            (Some(1), Some(0))
        );
        assert_eq!((v.hrnow, v.xid), (Some(0x10), Some(9)));
        assert_eq!(v.gtid_flags3, Some((4, Some(5))));
        let pairs: Vec<_> = v.character_set_collations.unwrap().pairs().collect();
        assert_eq!(pairs, vec![(45, 46)]);
        assert_eq!(v.unknown, None);
    }

    #[test]
    fn commit_ts_of_the_5_7_milestones_is_an_8_byte_sequence_number() {
        // As a 5.7 milestone wrote it: codes in increasing order, Q_COMMIT_TS (14) after
        // Q_MICROSECONDS (13), its value 8 bytes little-endian; decoding goes on after it.
        let mut b = vec![code::MICROSECONDS, 0x3f, 0x42, 0x0f];
        b.push(code::COMMIT_TS);
        b.extend([2, 0, 0, 0, 1, 0, 0, 0]);
        b.extend([code::EXPLICIT_DEFAULTS_FOR_TIMESTAMP, 1]);
        let v = StatusVars::parse(&b).unwrap();
        assert_eq!(v.microseconds, Some(999_999));
        assert_eq!(v.commit_seq_no, Some((1 << 32) + 2));
        assert_eq!(v.explicit_defaults_ts, Some(1));
        assert_eq!(v.unknown, None);
        // The server kept it in a signed 64-bit integer: all ones is -1.
        let ones = StatusVars::parse(&[
            code::COMMIT_TS,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
        ]);
        assert_eq!(ones.unwrap().commit_seq_no, Some(-1));
        assert_eq!(
            StatusVars::parse(&b[..4 + 8])
                .unwrap_err()
                .located(&b[..4 + 8]),
            (5, "more bytes"),
            "7 of its 8 bytes"
        );
    }

    #[test]
    fn unknown_code_stops_and_is_recorded() {
        let b = [
            code::CATALOG,
            0,
            code::COMMIT_TS2,
            1,
            2,
            3,
            code::FLAGS2,
            0,
            0,
            0,
            0,
        ];
        let v = StatusVars::parse(&b).unwrap();
        assert_eq!(v.catalog, Some(&b""[..]));
        assert_eq!(
            v.unknown,
            Some(UnknownStatusVar {
                code: 15,
                offset: 2
            })
        );
        assert_eq!(v.flags2, None);
    }

    #[test]
    fn truncated_known_variable_is_an_error() {
        assert_eq!(
            StatusVars::parse(&[code::SQL_MODE, 1, 2])
                .unwrap_err()
                .located(&[code::SQL_MODE, 1, 2]),
            (1, "more bytes")
        );
        assert_eq!(
            StatusVars::parse(&[code::UPDATED_DB_NAMES, 2, b'a', 0, b'b'])
                .unwrap_err()
                .located(&[code::UPDATED_DB_NAMES, 2, b'a', 0, b'b']),
            (5, "a NUL-terminated string")
        );
        let over = StatusVars::parse(&[code::UPDATED_DB_NAMES, OVER_MAX_DBS]).unwrap();
        assert_eq!(over.updated_db_names.unwrap().names().count(), 0);
    }
}
