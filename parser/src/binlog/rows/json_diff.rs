//! Partial JSON updates (`Json_diff_vector` in MySQL's `json_diff.cc`): the after image
//! of a PARTIAL_UPDATE_ROWS event stores, for JSON columns flagged partial, a list of
//! operations instead of the whole document.
//!
//! Each diff is an operation byte, a packed-length JSON path text and, unless the
//! operation is REMOVE, a packed-length binary JSON value.

use super::json_binary::JsonBinary;
use crate::binlog::wire::packed_int;
use crate::json::write_string;

/// What a diff does at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonDiffOp {
    /// Replace the value at the path (`JSON_REPLACE`).
    Replace,
    /// Insert a value at the path (`JSON_INSERT` / array insert).
    Insert,
    /// Remove the value at the path (`JSON_REMOVE`).
    Remove,
}

impl JsonDiffOp {
    /// MySQL's name for the operation.
    pub fn name(self) -> &'static str {
        match self {
            JsonDiffOp::Replace => "REPLACE",
            JsonDiffOp::Insert => "INSERT",
            JsonDiffOp::Remove => "REMOVE",
        }
    }
}

/// One diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonDiff<'a> {
    /// The operation.
    pub op: JsonDiffOp,
    /// The JSON path text, e.g. `$.age`.
    pub path: &'a [u8],
    /// The new value (absent for REMOVE).
    pub value: Option<JsonBinary<'a>>,
}

/// The diffs of one column, decoded lazily by [`JsonDiffs::iter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonDiffs<'a> {
    /// The diff list bytes (after the 4-byte length).
    pub bytes: &'a [u8],
}

impl<'a> JsonDiffs<'a> {
    /// Wraps a diff list.
    pub fn new(bytes: &'a [u8]) -> Self {
        JsonDiffs { bytes }
    }

    /// The diffs in order; an item is an error (what was expected) when the list is
    /// malformed, and iteration stops after it.
    pub fn iter(&self) -> JsonDiffIter<'a> {
        JsonDiffIter { rest: self.bytes }
    }

    /// Appends `{"json_diff":[{"op":"REPLACE","path":"$.a","value":…},…]}`.
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), &'static str> {
        out.extend_from_slice(b"{\"json_diff\":[");
        for (i, diff) in self.iter().enumerate() {
            let diff = diff?;
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"op\":\"");
            out.extend_from_slice(diff.op.name().as_bytes());
            out.extend_from_slice(b"\",\"path\":");
            write_string(out, &String::from_utf8_lossy(diff.path));
            if let Some(v) = diff.value {
                out.extend_from_slice(b",\"value\":");
                v.write_json(out)?;
            }
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
        Ok(())
    }
}

/// Iterator over [`JsonDiffs`].
#[derive(Debug, Clone)]
pub struct JsonDiffIter<'a> {
    rest: &'a [u8],
}

fn length_then_bytes<'a>(
    input: &'a [u8],
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8]), &'static str> {
    let (rest, n) = packed_int(input).map_err(|_| what)?;
    let n = usize::try_from(n).map_err(|_| what)?;
    if n > rest.len() {
        return Err(what);
    }
    let (bytes, rest) = rest.split_at(n);
    Ok((rest, bytes))
}

impl<'a> JsonDiffIter<'a> {
    fn next_diff(&mut self) -> Result<JsonDiff<'a>, &'static str> {
        let (&op, rest) = self.rest.split_first().ok_or("a JSON diff operation")?;
        let op = match op {
            0 => JsonDiffOp::Replace,
            1 => JsonDiffOp::Insert,
            2 => JsonDiffOp::Remove,
            _ => return Err("a JSON diff operation (0 REPLACE, 1 INSERT, 2 REMOVE)"),
        };
        let (rest, path) = length_then_bytes(rest, "a JSON diff path within the column")?;
        let (rest, value) = if op == JsonDiffOp::Remove {
            (rest, None)
        } else {
            let (rest, v) = length_then_bytes(rest, "a JSON diff value within the column")?;
            (rest, Some(JsonBinary::new(v)))
        };
        self.rest = rest;
        Ok(JsonDiff { op, path, value })
    }
}

impl<'a> Iterator for JsonDiffIter<'a> {
    type Item = Result<JsonDiff<'a>, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let r = self.next_diff();
        if r.is_err() {
            self.rest = &[];
        }
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_insert_remove() {
        let mut b = vec![0, 5];
        b.extend_from_slice(b"$.age");
        b.extend_from_slice(&[3, 0x05, 30, 0]); // int16 30
        b.extend_from_slice(&[1, 5]);
        b.extend_from_slice(b"$.new");
        b.extend_from_slice(&[2, 0x04, 1]); // true
        b.extend_from_slice(&[2, 5]);
        b.extend_from_slice(b"$.old");
        let d = JsonDiffs::new(&b);
        let mut out = Vec::new();
        d.write_json(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"json_diff":[{"op":"REPLACE","path":"$.age","value":30},{"op":"INSERT","path":"$.new","value":true},{"op":"REMOVE","path":"$.old"}]}"#
        );
    }

    #[test]
    fn malformed_diffs() {
        let mut out = Vec::new();
        assert_eq!(
            JsonDiffs::new(&[7, 1, b'$']).write_json(&mut out),
            Err("a JSON diff operation (0 REPLACE, 1 INSERT, 2 REMOVE)")
        );
        assert_eq!(
            JsonDiffs::new(&[0, 9, b'$']).write_json(&mut out),
            Err("a JSON diff path within the column")
        );
        assert_eq!(
            JsonDiffs::new(&[0, 1, b'$', 4, 5]).write_json(&mut out),
            Err("a JSON diff value within the column")
        );
        let items: Vec<_> = JsonDiffs::new(&[9]).iter().collect();
        assert_eq!(items.len(), 1);
    }
}
