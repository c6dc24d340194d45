//! `trepctl status -name …` output (spec §1.11): one `NAME  VALUE` block per record with
//! its keys sorted, each padded to the longest key of all records; or, with `-json`, one
//! JSON array of objects whose values are strings, as trepctl prints them.

use std::io::{self, Write};

/// One record: (key, value) pairs in any order.
pub type Record = Vec<(&'static str, String)>;

/// Writes the records as text blocks.
pub fn write_blocks(out: &mut impl Write, records: &[Record]) -> io::Result<()> {
    let width = records
        .iter()
        .flatten()
        .map(|(key, _)| key.len())
        .max()
        .unwrap_or(0);
    for record in records {
        let mut fields: Vec<&(&str, String)> = record.iter().collect();
        fields.sort_by_key(|(key, _)| *key);
        writeln!(out, "{:<width$}  VALUE", "NAME")?;
        writeln!(out, "{:<width$}  -----", "----")?;
        for (key, value) in fields {
            writeln!(out, "{key:<width$}: {value}")?;
        }
    }
    Ok(())
}

/// The records as JSON objects with sorted keys and string values; `extra` adds
/// fields of other types to each object (same order as `records`).
pub fn json_objects(
    records: &[Record],
    extra: impl IntoIterator<Item = Vec<(&'static str, serde_json::Value)>>,
) -> Vec<serde_json::Value> {
    let mut extra = extra.into_iter();
    records
        .iter()
        .map(|record| {
            let mut object: serde_json::Map<String, serde_json::Value> = record
                .iter()
                .map(|(key, value)| (key.to_string(), value.as_str().into()))
                .collect();
            for (key, value) in extra.next().unwrap_or_default() {
                object.insert(key.to_string(), value);
            }
            serde_json::Value::Object(object)
        })
        .collect()
}

/// Writes a JSON array, pretty-printed, and a final newline.
pub fn write_json(out: &mut impl Write, objects: Vec<serde_json::Value>) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &serde_json::Value::Array(objects))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_pad_to_the_longest_key_of_all_records() {
        let records = vec![
            vec![
                ("stage", "q-to-dbms".to_string()),
                ("taskId", "0".to_string()),
            ],
            vec![("appliedLastSeqno", "7".to_string())],
        ];
        let mut out = Vec::new();
        write_blocks(&mut out, &records).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "NAME              VALUE\n\
             ----              -----\n\
             stage           : q-to-dbms\n\
             taskId          : 0\n\
             NAME              VALUE\n\
             ----              -----\n\
             appliedLastSeqno: 7\n"
        );
    }

    #[test]
    fn json_values_are_strings_and_extras_keep_their_type() {
        let records = vec![vec![("taskId", "0".to_string())]];
        let objects = json_objects(&records, [vec![("row", serde_json::json!({"seqno": -1}))]]);
        assert_eq!(
            serde_json::Value::Array(objects),
            serde_json::json!([{"taskId": "0", "row": {"seqno": -1}}])
        );
    }
}
