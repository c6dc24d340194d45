//! Rows events: the event's own fields, the columns each image holds, what mysql_common
//! resolves per column from the table map, and every row value.

use mysql_common::binlog::events::{RowsEventData, TableMapEvent};
use mysql_common::binlog::jsondiff::JsonDiffOperation;
use mysql_common::binlog::row::BinlogRow;
use mysql_common::binlog::value::BinlogValue;
use mysql_common::constants::ColumnFlags;
use mysql_common::Value as TheirValue;
use replog::binlog::rows::{JsonDiffOp, RowImage, RowsAction, RowsEvent, TableMap, Value};
use serde_json::Value as Json;

use crate::table_map::same_date;
use crate::tally::{Bytes, Cmp};

pub fn compare_rows(
    c: &mut Cmp<'_>,
    r: &RowsEvent<'_>,
    map: &TableMap<'_>,
    o: &RowsEventData<'_>,
    tme: &TableMapEvent<'_>,
) {
    c.eq("table_id", r.table_id, o.table_id());
    c.eq("flags", r.flags, flags_raw(o));
    c.eq("column_count", r.column_count as u64, o.num_columns());
    let (before, after) = match r.kind.action {
        RowsAction::Write => (None, Some(&r.columns)),
        RowsAction::Delete => (Some(&r.columns), None),
        RowsAction::Update | RowsAction::PartialUpdate => (
            Some(&r.columns),
            r.columns_after.as_ref().or(Some(&r.columns)),
        ),
    };
    let bits = |b: Option<&std::borrow::Cow<'_, [u8]>>| {
        b.map(|b| (0..r.column_count).map(|i| lsb(b, i)).collect::<Vec<_>>())
    };
    let n = r.column_count;
    let their_before = o
        .columns_before_image()
        .map(|b| b.iter().by_vals().take(n).collect::<Vec<_>>());
    let their_after = o
        .columns_after_image()
        .map(|b| b.iter().by_vals().take(n).collect::<Vec<_>>());
    c.eq("columns_before", bits(before), their_before);
    c.eq("columns_after", bits(after), their_after);

    if map.columns.len() != r.column_count {
        c.differ("column_count", "the table map has another column count");
        return;
    }
    let mine: Vec<_> = r.rows(map).unwrap().collect();
    // mysql_common panics on some values (arithmetic overflow in debug builds): that is
    // one of its failures, not the end of the comparison.
    let theirs = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        o.rows(tme).collect::<Vec<_>>()
    }));
    let Ok(theirs) = theirs else {
        c.differ("rows", "mysql_common panics decoding the rows");
        return;
    };
    c.eq("row_count", mine.len(), theirs.len());
    let mut columns_checked = false;
    for (n, (m, th)) in mine.into_iter().zip(theirs).enumerate() {
        let m = m.unwrap_or_else(|e| panic!("row {n} at {}: {e:?}", c.at()));
        let (before, after) = match th {
            Ok(x) => x,
            Err(e) => {
                c.differ(format_args!("row[{n}]"), format!("mysql_common fails: {e}"));
                continue;
            }
        };
        for (image, mine, theirs) in [("before", m.before, before), ("after", m.after, after)] {
            let field = format!("row[{n}].{image}");
            match (mine, theirs) {
                (None, None) => {}
                (Some(img), Some(row)) => {
                    if !columns_checked {
                        compare_columns(c, &img, map, &row);
                        columns_checked = true;
                    }
                    compare_image(c, &field, &img, map, row);
                }
                (m, t) => c.differ(
                    field,
                    format!(
                        "present: replog {}, mysql_common {}",
                        m.is_some(),
                        t.is_some()
                    ),
                ),
            }
        }
    }
}

/// What mysql_common resolves per column from the table map's optional metadata and
/// hands out with each row: real type, name, UNSIGNED, primary key, character set.
fn compare_columns(c: &mut Cmp<'_>, img: &RowImage<'_>, map: &TableMap<'_>, row: &BinlogRow) {
    let present: Vec<usize> = (0..map.columns.len())
        .filter(|&i| img.has_column(i))
        .collect();
    let theirs = row.columns_ref();
    c.eq("columns.present", present.len(), theirs.len());
    for (&i, t) in present.iter().zip(theirs.iter()) {
        let col = &map.columns[i];
        let f = |what: &str| format!("columns[{i}].{what}");
        c.eq(
            f("real_type"),
            col.kind.code(),
            same_date(col, t.column_type() as u8),
        );
        // mysql_common names a column "@<index>" when the map has no names.
        let name = map
            .column_name(i)
            .map_or_else(|| format!("@{i}").into_bytes(), <[u8]>::to_vec);
        c.eq(f("name"), Bytes(name), Bytes::of(t.name_ref()));
        let flags = t.flags();
        c.eq(
            f("unsigned"),
            col.unsigned,
            flags.contains(ColumnFlags::UNSIGNED_FLAG),
        );
        let opt = &map.optional;
        let pk = opt.simple_primary_key.contains(&(i as u64))
            || opt
                .primary_key_with_prefix
                .iter()
                .any(|&(k, _)| k == i as u64);
        c.eq(
            f("primary_key"),
            pk,
            flags.contains(ColumnFlags::PRI_KEY_FLAG),
        );
        // mysql_common gives 0 where it knows no character set.
        c.eq(
            f("charset"),
            col.collation.unwrap_or(0),
            u64::from(t.character_set()),
        );
    }
}

fn compare_image(
    c: &mut Cmp<'_>,
    field: &str,
    img: &RowImage<'_>,
    map: &TableMap<'_>,
    row: BinlogRow,
) {
    // mysql_common keeps the present columns' values, in column order.
    let theirs: Vec<_> = (0..row.len())
        .filter_map(|i| row.as_ref(i).cloned())
        .collect();
    let mine: Vec<_> = img.iter().map(|c| c.unwrap()).collect();
    if !c.eq(format_args!("{field}.len"), mine.len(), theirs.len()) {
        return;
    }
    for (cell, v) in mine.iter().zip(&theirs) {
        c.value_compared();
        let col = &map.columns[cell.column];
        if let Err(why) = same_value(&cell.value, v) {
            c.differ(
                format_args!("{field}.column[{}]", cell.column),
                format!("{:?}: {why}", col.kind),
            );
        }
    }
}

/// Whether mysql_common's value is replog's, in mysql_common's representation of each
/// type (decimals and YEAR as text, BIT big-endian bytes, SET little-endian bytes,
/// TIMESTAMP2 as `secs[.frac]` text, JSON as its own document tree).
fn same_value(mine: &Value<'_>, theirs: &BinlogValue<'_>) -> Result<(), String> {
    let differ = || format!("replog {mine:?}, mysql_common {theirs:?}");
    let v = match theirs {
        BinlogValue::Value(v) => v,
        BinlogValue::Jsonb(j) => {
            let Value::Json(doc) = mine else {
                return Err(differ());
            };
            let ours: Json = serde_json::from_str(&doc.to_json_text().unwrap()).unwrap();
            let other =
                Json::try_from(j.clone()).map_err(|e| format!("mysql_common fails: {e}"))?;
            return if ours == other { Ok(()) } else { Err(differ()) };
        }
        BinlogValue::JsonDiff(diffs) => {
            let Value::JsonDiff(d) = mine else {
                return Err(differ());
            };
            let ours: Vec<_> = d.iter().map(|x| x.unwrap()).collect();
            if ours.len() != diffs.len() {
                return Err(differ());
            }
            for (a, b) in ours.iter().zip(diffs) {
                let op = match b.operation() {
                    JsonDiffOperation::REPLACE => JsonDiffOp::Replace,
                    JsonDiffOperation::INSERT => JsonDiffOp::Insert,
                    JsonDiffOperation::REMOVE => JsonDiffOp::Remove,
                };
                let our_value: Option<Json> = a
                    .value
                    .map(|v| serde_json::from_str(&v.to_json_text().unwrap()).unwrap());
                let their_value = match b.value() {
                    Some(v) => Some(
                        Json::try_from(v.clone())
                            .map_err(|e| format!("mysql_common fails: {e}"))?,
                    ),
                    None => None,
                };
                if a.op != op || a.path != b.path() || our_value != their_value {
                    return Err(format!(
                        "replog {:?} {:?} {our_value:?}, mysql_common {:?} {:?} {their_value:?}",
                        a.op,
                        Bytes::of(a.path),
                        op,
                        Bytes::of(b.path())
                    ));
                }
            }
            return Ok(());
        }
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let same = match (mine, v) {
        (Value::Null, TheirValue::NULL) => true,
        (Value::Int(a), TheirValue::Int(b)) => a == b,
        (Value::UInt(a), TheirValue::UInt(b)) => a == b,
        // Without signedness metadata mysql_common reads every integer as signed.
        (Value::Int(a), TheirValue::UInt(b)) => i128::from(*a) == i128::from(*b),
        (Value::UInt(a), TheirValue::Int(b)) => i128::from(*a) == i128::from(*b),
        (Value::Float(a), TheirValue::Float(b)) => a.to_bits() == b.to_bits(),
        (Value::Double(a), TheirValue::Double(b)) => a.to_bits() == b.to_bits(),
        (Value::Decimal(d), TheirValue::Bytes(b)) => d.to_string() == text(b),
        (Value::Enum(a), TheirValue::Int(b)) => i64::from(*a) == *b,
        (Value::Set(a), TheirValue::Bytes(b)) => *a == le(b),
        (Value::Bit(a), TheirValue::Bytes(b)) => *a == be(b),
        (Value::Year(y), TheirValue::Bytes(b)) => y.to_string() == text(b),
        (Value::Timestamp(ts), TheirValue::Int(b)) => ts.micros == 0 && i64::from(ts.seconds) == *b,
        (Value::Timestamp(ts), TheirValue::Bytes(b)) => {
            let s = text(b);
            let (secs, frac) = s.split_once('.').unwrap_or((&s, ""));
            let micros: u32 = format!("{frac:0<6}").parse().unwrap_or(u32::MAX);
            secs == ts.seconds.to_string() && micros == ts.micros
        }
        (Value::Date(d), TheirValue::Date(y, m, dd, 0, 0, 0, 0)) => {
            (d.year, d.month, d.day) == (*y, *m, *dd)
        }
        (Value::DateTime(d), TheirValue::Date(y, m, dd, h, mi, s, us)) => {
            (
                d.date.year,
                d.date.month,
                d.date.day,
                d.hour,
                d.minute,
                d.second,
                d.micros,
            ) == (*y, *m, *dd, *h, *mi, *s, *us)
        }
        (Value::Time(tm), TheirValue::Time(neg, days, h, m, s, us)) => {
            tm.negative == *neg
                && tm.hours == days * 24 + u32::from(*h)
                && (tm.minutes, tm.seconds, tm.micros) == (*m, *s, *us)
        }
        (
            Value::String(a) | Value::Blob(a) | Value::Geometry(a) | Value::Vector(a),
            TheirValue::Bytes(b),
        ) => a == b,
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err(differ())
    }
}

/// The flags with unknown bits kept (`flags()` drops them).
fn flags_raw(o: &RowsEventData<'_>) -> u16 {
    match o {
        RowsEventData::WriteRowsEventV1(e) => e.flags_raw(),
        RowsEventData::UpdateRowsEventV1(e) => e.flags_raw(),
        RowsEventData::DeleteRowsEventV1(e) => e.flags_raw(),
        RowsEventData::WriteRowsEvent(e) => e.flags_raw(),
        RowsEventData::UpdateRowsEvent(e) => e.flags_raw(),
        RowsEventData::DeleteRowsEvent(e) => e.flags_raw(),
        RowsEventData::PartialUpdateRowsEvent(e) => e.flags_raw(),
    }
}

/// Bit `i` of a lowest-bit-first bitmap.
fn lsb(b: &[u8], i: usize) -> bool {
    b.get(i / 8).is_some_and(|x| x & (1 << (i % 8)) != 0)
}

fn le(b: &[u8]) -> u64 {
    b.iter().rev().fold(0, |acc, x| acc << 8 | u64::from(*x))
}

fn be(b: &[u8]) -> u64 {
    b.iter().fold(0, |acc, x| acc << 8 | u64::from(*x))
}
