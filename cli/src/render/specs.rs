//! `-specs`: the column description printed inside `COL(...)` (spec 13.1, 6.6).

use replog::thl::event::ColumnSpec;

/// The `java.sql.Types` name of a type code, as `-specs` prints it.
pub fn sql_type_name(code: i32) -> &'static str {
    match code {
        -16 => "LONGNVARCHAR",
        -15 => "NCHAR",
        -9 => "NVARCHAR",
        -8 => "ROWID",
        -7 => "BIT",
        -6 => "TINYINT",
        -5 => "BIGINT",
        -4 => "LONGVARBINARY",
        -3 => "VARBINARY",
        -2 => "BINARY",
        -1 => "LONGVARCHAR",
        0 => "NULL",
        1 => "CHAR",
        2 => "NUMERIC",
        3 => "DECIMAL",
        4 => "INTEGER",
        5 => "SMALLINT",
        6 => "FLOAT",
        7 => "REAL",
        8 => "DOUBLE",
        12 => "VARCHAR",
        16 => "BOOLEAN",
        70 => "DATALINK",
        91 => "DATE",
        92 => "TIME",
        93 => "TIMESTAMP",
        1111 => "OTHER",
        2000 => "JAVA_OBJECT",
        2001 => "DISTINCT",
        2002 => "STRUCT",
        2003 => "ARRAY",
        2004 => "BLOB",
        2005 => "CLOB",
        2006 => "REF",
        2009 => "SQLXML",
        2011 => "NCLOB",
        2012 => "REF_CURSOR",
        2013 => "TIME_WITH_TIMEZONE",
        2014 => "TIMESTAMP_WITH_TIMEZONE",
        _ => "null",
    }
}

/// What goes between the parentheses of `COL(...)` / `KEY(...)`.
pub fn column_label(spec: &ColumnSpec<'_>, specs: bool) -> String {
    let name = spec.name.unwrap_or_default();
    if specs {
        format!(
            "index={} name={name} type={} [{}] length={} unsigned={} blob=false desc={}",
            spec.index,
            spec.sql_type,
            sql_type_name(spec.sql_type),
            spec.length,
            !spec.signed,
            spec.type_description.unwrap_or_default()
        )
    } else {
        format!("{}: {name}", spec.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_13_2_heartbeat_column_with_specs() {
        // `-charset utf8 -specs` on the 2.2.1 heartbeat: COL(8) is a VARCHAR with no name.
        let spec = ColumnSpec {
            index: 8,
            name: None,
            sql_type: 12,
            signed: true,
            length: 0,
            not_null: false,
            type_description: None,
        };
        assert_eq!(
            column_label(&spec, true),
            "index=8 name= type=12 [VARCHAR] length=0 unsigned=false blob=false desc="
        );
        assert_eq!(column_label(&spec, false), "8: ");
        assert_eq!(sql_type_name(-7), "BIT");
        assert_eq!(sql_type_name(12345), "null");
    }
}
