//! The documented differences between replog and mysql_common, each keyed by file, event
//! offset and field, with why mysql_common is the one that is wrong. README's
//! "Differential test against mysql_common" lists the same entries.

use crate::tally::Diff;

/// One documented difference: the (event offset, field) pairs where it shows in one file.
pub struct Exception {
    /// File name (corpus or project fixture).
    pub file: &'static str,
    /// Event offsets (of the payload, for inner events), fields as the comparison names
    /// them, and what each decoder gave there (both values, so that replog's own value
    /// in an excepted field is checked too).
    pub at: &'static [(u64, &'static str, &'static str)],
    /// Why mysql_common differs there.
    pub why: &'static str,
}

impl Exception {
    pub fn covers(&self, file: &str, d: &Diff) -> bool {
        self.file == file
            && self.at.iter().any(|&(offset, field, what)| {
                offset == d.offset && field == d.field && what == d.what
            })
    }
}

const MEDIUMINT: &str = "mysql_common does not sign-extend MEDIUMINT (INT24): the server's \
    -8388608 and -1 (fixtures/mariadb/expected.json, table t_int) come out as 8388608 and \
    16777215";

const MARIADB_GEOMETRY_CHARSET: &str = "MariaDB counts GEOMETRY columns among the \
    character columns of DEFAULT_CHARSET (binary, 63: t_misc's map has default 63 with \
    the JSON column as the one exception, which only adds up with both GEOMETRY columns \
    counted); mysql_common counts only STRING/VAR_STRING/VARCHAR/BLOB and gives them no \
    charset (0)";

const PRE_GA_NUMBERING: &str = "written by the pre-GA 5.2.2-a_drop6 tree, which numbers \
    types 16-22 differently (corpus README); mysql_common reads the raw codes with \
    today's numbering, replog maps them back as that server did: the bodies of these \
    events are not compared";

pub const EXCEPTIONS: &[Exception] = &[
    Exception {
        file: "corrupt-relay-bin.000624",
        at: &[(91204, "event.body", "both reject it: replog QUERY_EVENT: expected status variables of the declared length at byte 91236; mysql_common can't parse: buf doesn't have enough data")],
        why: "the QUERY at 91204 is corrupt on purpose (corpus README): both decoders \
              reject its status-variable length; the events after it agree",
    },
    Exception {
        file: "binlog_transaction_with_GTID_TAG.000001",
        at: &[
            (328, "QUERY_EVENT.status.updated_db_names", "replog Some([]), mysql_common None"),
            (328, "QUERY_EVENT.status.default_collation_for_utf8mb4", "replog Some(255), mysql_common None"),
        ],
        why: "Q_UPDATED_DB_NAMES holds 254 (OVER_MAX_DBS_IN_EVENT_MTS: too many databases, \
              no names follow); mysql_common looks for 254 names, fails, and stops reading \
              the status variables, losing the ones after it",
    },
    Exception {
        file: "json.binlog.000001",
        at: &[(235, "QUERY_EVENT.status.microseconds", "mysql_common cannot read the value [197, 53, 10]; replog Some(669125)")],
        why: "mysql_common takes the 3 bytes of Q_MICROSECONDS but reads them as a 4-byte \
              integer, so it never returns the value",
    },
    Exception {
        file: "mysql-enum-string-set.000001",
        at: &[(236, "QUERY_EVENT.status.microseconds", "mysql_common cannot read the value [34, 181, 9]; replog Some(636194)")],
        why: "same Q_MICROSECONDS misread",
    },
    Exception {
        file: "mysql_type_bit.000001",
        at: &[(235, "QUERY_EVENT.status.microseconds", "mysql_common cannot read the value [141, 171, 6]; replog Some(437133)")],
        why: "same Q_MICROSECONDS misread",
    },
    Exception {
        file: "types-bin.000001",
        at: &[
            (1428, "WRITE_ROWS_EVENT_V1.row[0].after.column[5]", "Int24: replog Int(-8388608), mysql_common Value(Int(8388608))"),
            (1428, "WRITE_ROWS_EVENT_V1.row[2].after.column[5]", "Int24: replog Int(-1), mysql_common Value(Int(16777215))"),
            (87944, "UPDATE_ROWS_EVENT_V1.row[0].before.column[5]", "Int24: replog Int(-8388608), mysql_common Value(Int(8388608))"),
            (87944, "UPDATE_ROWS_EVENT_V1.row[0].after.column[5]", "Int24: replog Int(-8388608), mysql_common Value(Int(8388608))"),
        ],
        why: MEDIUMINT,
    },
    Exception {
        file: "types-bin.000001",
        at: &[(8984, "WRITE_ROWS_EVENT_V1.rows", "mysql_common panics decoding the rows")],
        why: "mysql_common overflows (an unsigned `frac -= 0x100` in binlog/misc.rs, a panic \
              in debug builds) on a negative TIME(1)/TIME(2) with a non-zero fraction, which \
              the t_time rows hold (fixtures/mariadb/README.md: -01:02:03.123456 at every \
              precision); replog decodes them to the server's values",
    },
    Exception {
        file: "types-bin.000001",
        at: &[
            (87371, "WRITE_ROWS_EVENT_V1.columns[4].charset", "replog 63, mysql_common 0"),
            (87371, "WRITE_ROWS_EVENT_V1.columns[5].charset", "replog 63, mysql_common 0"),
            (91503, "UPDATE_ROWS_EVENT_V1.columns[4].charset", "replog 63, mysql_common 0"),
            (91503, "UPDATE_ROWS_EVENT_V1.columns[5].charset", "replog 63, mysql_common 0"),
            (93628, "DELETE_ROWS_EVENT_V1.columns[4].charset", "replog 63, mysql_common 0"),
            (93628, "DELETE_ROWS_EVENT_V1.columns[5].charset", "replog 63, mysql_common 0"),
        ],
        why: MARIADB_GEOMETRY_CHARSET,
    },
    Exception {
        file: "ver_5_1-wl2325_r.001",
        at: &[
            (428, "TABLE_MAP_EVENT.type", "replog TABLE_MAP_EVENT, mysql_common code 16"),
            (466, "PRE_GA_WRITE_ROWS_EVENT.type", "replog PRE_GA_WRITE_ROWS_EVENT, mysql_common code 17"),
            (511, "TABLE_MAP_EVENT.type", "replog TABLE_MAP_EVENT, mysql_common code 16"),
            (549, "PRE_GA_UPDATE_ROWS_EVENT.type", "replog PRE_GA_UPDATE_ROWS_EVENT, mysql_common code 18"),
            (612, "TABLE_MAP_EVENT.type", "replog TABLE_MAP_EVENT, mysql_common code 16"),
            (650, "PRE_GA_DELETE_ROWS_EVENT.type", "replog PRE_GA_DELETE_ROWS_EVENT, mysql_common code 19"),
        ],
        why: PRE_GA_NUMBERING,
    },
    Exception {
        file: "ver_5_1-wl2325_s.001",
        at: &[
            (411, "XID_EVENT.type", "replog XID_EVENT, mysql_common code 20"),
            (874, "BEGIN_LOAD_QUERY_EVENT.type", "replog BEGIN_LOAD_QUERY_EVENT, mysql_common code 21"),
            (149656, "EXECUTE_LOAD_QUERY_EVENT.type", "replog EXECUTE_LOAD_QUERY_EVENT, mysql_common code 22"),
        ],
        why: PRE_GA_NUMBERING,
    },
];
