//! Session settings a Query event carries in its status variables, as the statement
//! options the MySQL extractor stores (thl-format.md §7.2, §7.3).

use crate::binlog::events::status_vars::StatusVars;

use super::owned::Options;

/// `flags2` bits (MySQL `OPTION_*`).
const OPTION_AUTO_IS_NULL: u32 = 1 << 14;
const OPTION_NOT_AUTOCOMMIT: u32 = 1 << 19;
const OPTION_NO_FOREIGN_KEY_CHECKS: u32 = 1 << 26;
const OPTION_RELAXED_UNIQUE_CHECKS: u32 = 1 << 27;

/// `sql_mode` bit names, bit 0 first (MySQL 5.x and MariaDB share bits 0-31; 32-34
/// are MariaDB's, bit 32 is MySQL 8's TIME_TRUNCATE_FRACTIONAL).
const SQL_MODES: [&str; 35] = [
    "REAL_AS_FLOAT",
    "PIPES_AS_CONCAT",
    "ANSI_QUOTES",
    "IGNORE_SPACE",
    "IGNORE_BAD_TABLE_OPTIONS",
    "ONLY_FULL_GROUP_BY",
    "NO_UNSIGNED_SUBTRACTION",
    "NO_DIR_IN_CREATE",
    "POSTGRESQL",
    "ORACLE",
    "MSSQL",
    "DB2",
    "MAXDB",
    "NO_KEY_OPTIONS",
    "NO_TABLE_OPTIONS",
    "NO_FIELD_OPTIONS",
    "MYSQL323",
    "MYSQL40",
    "ANSI",
    "NO_AUTO_VALUE_ON_ZERO",
    "NO_BACKSLASH_ESCAPES",
    "STRICT_TRANS_TABLES",
    "STRICT_ALL_TABLES",
    "NO_ZERO_IN_DATE",
    "NO_ZERO_DATE",
    "ALLOW_INVALID_DATES",
    "ERROR_FOR_DIVISION_BY_ZERO",
    "TRADITIONAL",
    "NO_AUTO_CREATE_USER",
    "HIGH_NOT_PRECEDENCE",
    "NO_ENGINE_SUBSTITUTION",
    "PAD_CHAR_TO_FULL_LENGTH",
    "EMPTY_STRING_IS_NULL",
    "SIMULTANEOUS_ASSIGNMENT",
    "TIME_ROUND_FRACTIONAL",
];

/// `sql_mode` as SQL text: the mode names, comma-separated, in single quotes.
pub(crate) fn sql_mode_text(mode: u64) -> String {
    let names: Vec<&str> = SQL_MODES
        .iter()
        .enumerate()
        .filter(|(bit, _)| mode & (1 << bit) != 0)
        .map(|(_, name)| *name)
        .collect();
    format!("'{}'", names.join(","))
}

fn flag(flags2: u32, bit: u32, when_set: &str, when_clear: &str) -> String {
    if flags2 & bit != 0 {
        when_set
    } else {
        when_clear
    }
    .to_string()
}

/// The Java charset name for a MySQL collation id, for the `##charset` option.
pub(crate) fn java_charset(collation: u16) -> Option<&'static str> {
    let id = if (1024..2048).contains(&collation) {
        collation - 1024
    } else {
        collation
    };
    Some(match id {
        33 | 45 | 46 | 76 | 83 | 192..=215 | 223..=247 | 255..=323 => "UTF-8",
        5 | 8 | 15 | 31 | 47 | 48 | 49 | 94 => "ISO-8859-1",
        11 | 65 => "US-ASCII",
        63 => "ISO-8859-1",
        35 | 90 | 128..=151 | 159 | 54 | 55 | 101..=124 => "UTF-16",
        56 | 62 => "UTF-16LE",
        60 | 61 | 160..=183 => "UTF-32",
        14 | 51 | 52 | 23 => "windows-1251",
        26 | 34 | 44 | 66 | 99 => "windows-1250",
        57 | 67 => "windows-1256",
        59 | 29 => "windows-1257",
        25 | 70 => "ISO-8859-7",
        16 | 71 => "ISO-8859-8",
        30 | 78 => "ISO-8859-9",
        6 | 72 => "ISO-8859-2",
        7 | 74 => "KOI8-R",
        22 | 75 => "KOI8-U",
        28 | 87 => "GBK",
        24 | 86 => "GB2312",
        248..=250 => "GB18030",
        1 | 84 => "Big5",
        13 | 88 => "Shift_JIS",
        95 | 96 => "windows-31j",
        12 | 91 => "EUC-JP",
        19 | 85 => "EUC-KR",
        _ => return None,
    })
}

/// The session options of a statement, after its `##charset` (and `createOrDropDB`):
/// autocommit, sql_auto_is_null, foreign_key_checks, unique_checks, the auto-increment
/// pair when logged, sql_mode, time_zone when logged, and the three charset ids.
pub(crate) fn statement_options(status: &StatusVars<'_>) -> Options {
    let mut options = checks(status);
    options.extend(auto_increment(status));
    options.push(("sql_mode", sql_mode_text(status.sql_mode.unwrap_or(0))));
    options.extend(time_zone(status));
    options.extend(charsets(status));
    options
}

/// The options a `BEGIN` leaves for the row-based transaction it opens: the same
/// settings in the reference extractor's other order (charsets before auto-increment),
/// and the time zone last when the BEGIN logged one. 3.1.0 added that: its real THL
/// ends the options of the heartbeat with `time_zone='+00:00'` and those of the INSERT
/// that stored NOW() (seqno 3) with `time_zone='SYSTEM'`, where 2.2.1 has none. Neither
/// BEGIN logged an auto-increment pair, so the order of the two is this choice.
pub(crate) fn begin_options(status: &StatusVars<'_>) -> Options {
    let mut options = checks(status);
    options.push(("sql_mode", sql_mode_text(status.sql_mode.unwrap_or(0))));
    options.extend(charsets(status));
    options.extend(auto_increment(status));
    options.extend(time_zone(status));
    options
}

fn time_zone(status: &StatusVars<'_>) -> Option<(&'static str, String)> {
    let zone = status.time_zone?;
    Some(("time_zone", format!("'{}'", String::from_utf8_lossy(zone))))
}

fn checks(status: &StatusVars<'_>) -> Options {
    let flags2 = status.flags2.unwrap_or(0);
    vec![
        ("autocommit", flag(flags2, OPTION_NOT_AUTOCOMMIT, "0", "1")),
        (
            "sql_auto_is_null",
            flag(flags2, OPTION_AUTO_IS_NULL, "1", "0"),
        ),
        (
            "foreign_key_checks",
            flag(flags2, OPTION_NO_FOREIGN_KEY_CHECKS, "0", "1"),
        ),
        (
            "unique_checks",
            flag(flags2, OPTION_RELAXED_UNIQUE_CHECKS, "0", "1"),
        ),
    ]
}

fn auto_increment(status: &StatusVars<'_>) -> Options {
    match status.auto_increment {
        Some((increment, offset)) => vec![
            ("auto_increment_increment", increment.to_string()),
            ("auto_increment_offset", offset.to_string()),
        ],
        None => Vec::new(),
    }
}

fn charsets(status: &StatusVars<'_>) -> Options {
    match &status.charset {
        Some(c) => vec![
            ("character_set_client", c.client.to_string()),
            ("collation_connection", c.connection.to_string()),
            ("collation_server", c.server.to_string()),
        ],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_mode_names() {
        assert_eq!(sql_mode_text(1 << 30), "'NO_ENGINE_SUBSTITUTION'");
        assert_eq!(sql_mode_text(0), "''");
        assert_eq!(
            sql_mode_text((1 << 21) | (1 << 30)),
            "'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'"
        );
    }

    #[test]
    fn begin_options_end_with_the_time_zone_when_logged() {
        use crate::binlog::events::status_vars::Charset;
        let mut status = StatusVars {
            flags2: Some(0),
            sql_mode: Some(1 << 30),
            charset: Some(Charset {
                client: 33,
                connection: 33,
                server: 33,
            }),
            ..StatusVars::default()
        };
        let names = |options: &Options| options.iter().map(|o| o.0).collect::<Vec<_>>();
        let mut expected = vec![
            "autocommit",
            "sql_auto_is_null",
            "foreign_key_checks",
            "unique_checks",
            "sql_mode",
            "character_set_client",
            "collation_connection",
            "collation_server",
        ];
        assert_eq!(names(&begin_options(&status)), expected);
        // The real 3.1.0 THL, seqno 3: the BEGIN of an INSERT that stored NOW().
        status.time_zone = Some(b"SYSTEM");
        let options = begin_options(&status);
        expected.push("time_zone");
        assert_eq!(names(&options), expected);
        assert_eq!(options.last().unwrap().1, "'SYSTEM'");
    }

    #[test]
    fn charsets() {
        assert_eq!(java_charset(33), Some("UTF-8"));
        assert_eq!(java_charset(45), Some("UTF-8"));
        assert_eq!(java_charset(8), Some("ISO-8859-1"));
        assert_eq!(java_charset(9999), None);
    }
}
