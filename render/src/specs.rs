//! `-specs`: the column description printed inside `COL(...)` (spec 13.1, 6.6).

use std::fmt::Write;

use replog::thl::event::ColumnSpec;
use replog::thl::java_text::sql_type_name;

/// Appends what goes between the parentheses of `COL(...)` / `KEY(...)`.
pub fn push_column_label(text: &mut String, spec: &ColumnSpec<'_>, specs: bool) {
    let name = spec.name.unwrap_or_default();
    let _ = if specs {
        write!(
            text,
            "index={} name={name} type={} [{}] length={} unsigned={} blob=false desc={}",
            spec.index,
            spec.sql_type,
            // Java prints an unknown code's missing name as `null`.
            sql_type_name(spec.sql_type).unwrap_or("null"),
            spec.length,
            !spec.signed,
            spec.type_description.unwrap_or_default()
        )
    } else {
        // `index: name`, the label of every column line of a default listing: pieces
        // appended directly, the formatting machinery cost more than the rest of it.
        text.push_str(itoa::Buffer::new().format(spec.index));
        text.push_str(": ");
        text.push_str(name);
        Ok(())
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column_label(spec: &ColumnSpec<'_>, specs: bool) -> String {
        let mut text = String::new();
        push_column_label(&mut text, spec, specs);
        text
    }

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
        let odd = ColumnSpec {
            sql_type: 12345,
            ..spec
        };
        assert!(column_label(&odd, true).contains(" type=12345 [null] "));
    }
}
