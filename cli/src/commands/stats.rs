//! `thl stats`: a log's transactions by shard, by table and by size, with the largest
//! and the longest, over a THL directory or binary logs (`-file`, extracted on the fly).
//! The counting is the library's ([`Stats`]); this prints it as text or `-json`.

use std::io::Write;

use replog::txn::extract::SourceFacts;
use replog::txn::stats::{Ranked, Stats, SIZE_CLASSES};
use replog::txn::Transaction;
use replog::Flow;
use serde_json::{json, Value as Json};

use super::binlogs;
use crate::args::{Invocation, StatsArgs};
use crate::failure::Failure;

/// Runs `thl stats`.
pub fn run(invocation: &Invocation, args: &StatsArgs, out: &mut impl Write) -> Result<(), Failure> {
    let mut stats = Stats::default();
    let mut visit = |txn: &Transaction<'_>, _: Option<&SourceFacts>| -> Result<Flow, Failure> {
        stats.add(txn)?;
        Ok(Flow::Continue)
    };
    let problems = binlogs::walk_named_log(invocation, &args.binlogs, &args.tagging, &mut visit)?;
    if args.json {
        serde_json::to_writer(&mut *out, &to_json(&stats)).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_text(out, &stats)?;
    }
    problems.verdict()
}

/// `1 KB`, `10 MB`: a size class bound.
fn bound_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{} MB", b / 1_000_000),
        b => format!("{} KB", b / 1_000),
    }
}

fn write_text(out: &mut impl Write, stats: &Stats) -> std::io::Result<()> {
    let t = &stats.total;
    match stats.seqnos {
        Some((low, high)) => writeln!(
            out,
            "{} transactions (seqno {low} to {high}), {} fragments, {} rows, {} statements, \
             {} bytes",
            t.transactions, t.fragments, t.rows, t.statements, t.bytes
        )?,
        None => writeln!(out, "no transactions")?,
    }
    writeln!(out, "\nby shard")?;
    let rows: Vec<[String; 5]> = stats
        .shards
        .iter()
        .map(|(shard, t)| {
            [
                shard.clone(),
                t.transactions.to_string(),
                t.rows.to_string(),
                t.statements.to_string(),
                t.bytes.to_string(),
            ]
        })
        .collect();
    table(
        out,
        ["shard", "transactions", "rows", "statements", "bytes"],
        &rows,
    )?;
    writeln!(out, "\nby table (rows)")?;
    let rows: Vec<[String; 5]> = stats
        .tables
        .iter()
        .map(|(name, t)| {
            [
                name.clone(),
                t.transactions.to_string(),
                t.inserts.to_string(),
                t.updates.to_string(),
                t.deletes.to_string(),
            ]
        })
        .collect();
    table(
        out,
        ["table", "transactions", "inserted", "updated", "deleted"],
        &rows,
    )?;
    writeln!(out, "\nby size (bytes of THL)")?;
    let rows: Vec<[String; 2]> = stats
        .size_classes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let class = match SIZE_CLASSES.get(i) {
                Some(&bound) => format!("<= {}", bound_text(bound)),
                None => format!("> {}", bound_text(SIZE_CLASSES[SIZE_CLASSES.len() - 1])),
            };
            [class, n.to_string()]
        })
        .collect();
    table(out, ["size", "transactions"], &rows)?;
    for (title, ranked) in [
        ("largest (bytes)", &stats.largest),
        ("longest (time span recorded, ms)", &stats.longest),
    ] {
        writeln!(out, "\n{title}")?;
        let rows: Vec<[String; 6]> = ranked.iter().map(ranked_row).collect();
        table(
            out,
            ["seqno", "bytes", "rows", "span_ms", "shard", "eventId"],
            &rows,
        )?;
    }
    Ok(())
}

fn ranked_row(r: &Ranked) -> [String; 6] {
    [
        r.seqno.to_string(),
        r.bytes.to_string(),
        r.rows.to_string(),
        r.span_millis.to_string(),
        r.shard.clone(),
        r.event_id.clone(),
    ]
}

/// Columns padded to their widest cell, two spaces apart, indented by two.
pub(super) fn table<const N: usize>(
    out: &mut impl Write,
    heads: [&str; N],
    rows: &[[String; N]],
) -> std::io::Result<()> {
    let mut widths = heads.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &[&str]| -> std::io::Result<()> {
        let mut text = String::from(" ");
        for (cell, w) in cells.iter().zip(widths) {
            text.push(' ');
            text.push_str(cell);
            text.extend(std::iter::repeat_n(' ', w - cell.chars().count() + 1));
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &heads)?;
    for row in rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(out, &cells)?;
    }
    Ok(())
}

fn ranked_json(r: &Ranked) -> Json {
    json!({
        "seqno": r.seqno,
        "bytes": r.bytes,
        "rows": r.rows,
        "span_ms": r.span_millis,
        "shard": r.shard,
        "eventId": r.event_id,
    })
}

fn to_json(stats: &Stats) -> Json {
    let t = &stats.total;
    json!({
        "transactions": t.transactions,
        "seqno_low": stats.seqnos.map(|s| s.0),
        "seqno_high": stats.seqnos.map(|s| s.1),
        "fragments": t.fragments,
        "rows": t.rows,
        "statements": t.statements,
        "bytes": t.bytes,
        "shards": stats.shards.iter().map(|(shard, t)| json!({
            "shard": shard,
            "transactions": t.transactions,
            "fragments": t.fragments,
            "rows": t.rows,
            "statements": t.statements,
            "bytes": t.bytes,
        })).collect::<Vec<_>>(),
        "tables": stats.tables.iter().map(|(table, t)| json!({
            "table": table,
            "transactions": t.transactions,
            "inserted": t.inserts,
            "updated": t.updates,
            "deleted": t.deletes,
        })).collect::<Vec<_>>(),
        "sizes": stats.size_classes.iter().enumerate().map(|(i, n)| json!({
            "max_bytes": SIZE_CLASSES.get(i),
            "transactions": n,
        })).collect::<Vec<_>>(),
        "largest": stats.largest.iter().map(ranked_json).collect::<Vec<_>>(),
        "longest": stats.longest.iter().map(ranked_json).collect::<Vec<_>>(),
    })
}
