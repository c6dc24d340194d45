//! `thl parallel`: how fast a log would apply with N workers under each parallel
//! applier's rules, over a THL directory or binary logs (`-file`, extracted on the fly).
//! The simulation is the library's ([`replog::parallel`]); this prints it as text,
//! `-json`, and an SVG plot of speed-up against channels.

use std::io::Write;

use replog::parallel::{
    analyze, Analysis, AnalysisOptions, PolicyReport, StreamKind, Streams, TxnRecord,
};
use replog::shard::ShardList;
use replog::Flow;
use serde_json::{json, Value as Json};

use super::assign::read_shard_list;
use super::stats::table;
use super::{binlogs, Problems};
use crate::args::{Invocation, ParallelArgs};
use crate::failure::{notice, Failure};

/// Runs `thl parallel`.
pub fn run(
    invocation: &Invocation,
    args: &ParallelArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let shard_list = match &args.shard_list {
        Some(path) => read_shard_list(path)?,
        None => ShardList::default(),
    };
    let (records, problems) = read_records(invocation, args)?;
    if records.is_empty() {
        notice("INFO No events found; log is empty");
    }
    let options = AnalysisOptions {
        channels: args.channels.clone(),
        policies: args.policies.clone(),
        cost: args.cost,
        shard_list,
    };
    let fail = |e: replog::shard::ShardError| Failure::Fatal(e.to_string());
    let whole = analyze(&records, &options).map_err(fail)?;
    let streams = Streams::of(&records);
    let mut per_stream = Vec::new();
    if let Some(streams) = &streams {
        for (id, members) in &streams.streams {
            let subset: Vec<TxnRecord> = members.iter().map(|&i| records[i].clone()).collect();
            per_stream.push((*id, analyze(&subset, &options).map_err(fail)?));
        }
    }
    let kind = streams.as_ref().map(|s| s.kind);
    if args.json {
        let value = json!({
            "whole": analysis_json(&whole),
            "stream_kind": kind.map(stream_word),
            "streams": per_stream.iter().map(|(id, a)| {
                let mut v = analysis_json(a);
                v["stream"] = json!(id);
                v
            }).collect::<Vec<_>>(),
        });
        serde_json::to_writer(&mut *out, &value).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        if let (Some(kind), false) = (kind, per_stream.is_empty()) {
            let ids: Vec<String> = per_stream.iter().map(|(id, _)| id.to_string()).collect();
            writeln!(
                out,
                "this log mixes {} {}s ({}): the whole log first, then each {} on its own",
                ids.len(),
                stream_word(kind),
                ids.join(", "),
                stream_word(kind)
            )?;
            if kind == StreamKind::Domain {
                writeln!(
                    out,
                    "(MariaDB policies always run each domain as its own stream)"
                )?;
            }
            writeln!(out)?;
        }
        write_text(out, &whole)?;
        for (id, analysis) in &per_stream {
            writeln!(
                out,
                "\n=== {} {id} ===",
                stream_word(kind.unwrap_or(StreamKind::Domain))
            )?;
            write_text(out, analysis)?;
        }
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, svg(&whole)).map_err(|e| {
            Failure::Fatal(format!("cannot write the plot to {}: {e}", path.display()))
        })?;
    }
    problems.verdict()
}

fn stream_word(kind: StreamKind) -> &'static str {
    match kind {
        StreamKind::Domain => "domain",
        StreamKind::ServerId => "server id",
    }
}

/// The §3.1 record of every transaction of the THL or of the binary logs.
fn read_records(
    invocation: &Invocation,
    args: &ParallelArgs,
) -> Result<(Vec<TxnRecord>, Problems), Failure> {
    let mut records = Vec::new();
    let problems = binlogs::walk_named_log(
        invocation,
        &args.binlogs,
        &args.tagging,
        &mut |txn, facts| {
            records.extend(TxnRecord::from_transaction(txn, facts)?);
            Ok(Flow::Continue)
        },
    )?;
    Ok((records, problems))
}

/// Two decimals, the precision costs deserve.
fn num(x: f64) -> String {
    format!("{x:.2}")
}

fn write_text(out: &mut impl Write, a: &Analysis) -> std::io::Result<()> {
    writeln!(
        out,
        "{} transactions, serial cost W = {}, cost model {}",
        a.transactions,
        num(a.total_cost),
        a.cost
    )?;
    for p in &a.policies {
        writeln!(out, "\n{}", p.policy.name())?;
        if let Some(missing) = p.missing {
            writeln!(out, "  not simulated: {missing}")?;
            continue;
        }
        let rows: Vec<[String; 7]> = p
            .runs
            .iter()
            .map(|r| {
                [
                    r.channels.to_string(),
                    num(r.makespan),
                    num(r.speedup),
                    format!("{:.0}%", 100.0 * r.utilization),
                    r.barriers.to_string(),
                    format!("{:.1}%", 100.0 * r.serial_fraction),
                    r.lock_waits.to_string(),
                ]
            })
            .collect();
        table(
            out,
            [
                "N",
                "T",
                "speedup",
                "util",
                "barriers",
                "sigma",
                "lock_waits",
            ],
            &rows,
        )?;
        let ceiling = if p.critical_path > 0.0 {
            a.total_cost / p.critical_path
        } else {
            1.0
        };
        writeln!(
            out,
            "  CP {}  W/CP {}  T∞ {}  knee {}",
            num(p.critical_path),
            num(ceiling),
            num(p.t_infinity),
            p.knee.map_or("-".to_string(), |n| format!("N={n}"))
        )?;
        write_details(out, p)?;
    }
    writeln!(out, "\nhottest shards")?;
    let rows: Vec<[String; 4]> = a
        .shards
        .iter()
        .take(replog::parallel::TOP)
        .map(|s| {
            [
                s.shard.clone(),
                s.transactions.to_string(),
                num(s.cost),
                format!("{:.1}%", 100.0 * s.share),
            ]
        })
        .collect();
    table(out, ["shard", "transactions", "cost", "share"], &rows)?;
    writeln!(
        out,
        "  {} cross-database transactions (#UNKNOWN with known databases)",
        a.cross_database
    )
}

/// Channel loads (fixed channels) and the longest waits, at the largest N asked for.
fn write_details(out: &mut impl Write, p: &PolicyReport) -> std::io::Result<()> {
    let Some(last) = p.runs.last() else {
        return Ok(());
    };
    if !last.channel_loads.is_empty() {
        let loads: Vec<String> = last.channel_loads.iter().map(|&l| num(l)).collect();
        writeln!(
            out,
            "  channel loads at N={}: {}",
            last.channels,
            loads.join(" ")
        )?;
    }
    if !last.longest_waits.is_empty() {
        let waits: Vec<String> = last
            .longest_waits
            .iter()
            .map(|w| format!("seqno {} ({}) {}", w.seqno, w.shard, num(w.waited)))
            .collect();
        writeln!(
            out,
            "  longest waits at N={}: {}",
            last.channels,
            waits.join(", ")
        )?;
    }
    Ok(())
}

fn analysis_json(a: &Analysis) -> Json {
    json!({
        "transactions": a.transactions,
        "total_cost": a.total_cost,
        "cost_model": a.cost.to_string(),
        "cross_database": a.cross_database,
        "shards": a.shards.iter().map(|s| json!({
            "shard": s.shard,
            "transactions": s.transactions,
            "cost": s.cost,
            "share": s.share,
        })).collect::<Vec<_>>(),
        "policies": a.policies.iter().map(|p| json!({
            "policy": p.policy.name(),
            "missing": p.missing,
            "critical_path": p.missing.is_none().then_some(p.critical_path),
            "t_infinity": p.missing.is_none().then_some(p.t_infinity),
            "knee": p.knee,
            "runs": p.runs.iter().map(|r| json!({
                "channels": r.channels,
                "makespan": r.makespan,
                "speedup": r.speedup,
                "utilization": r.utilization,
                "barriers": r.barriers,
                "serial_fraction": r.serial_fraction,
                "lock_waits": r.lock_waits,
                "channel_loads": r.channel_loads,
                "longest_waits": r.longest_waits.iter().map(|w| json!({
                    "seqno": w.seqno,
                    "shard": w.shard,
                    "start": w.start,
                    "waited": w.waited,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Line colours, one per policy in turn.
const COLOURS: [&str; 13] = [
    "#000000", "#1f77b4", "#aec7e8", "#ff7f0e", "#2ca02c", "#d62728", "#ff9896", "#9467bd",
    "#c5b0d5", "#8c564b", "#e377c2", "#7f7f7f", "#17becf",
];

/// Speed-up against channels, one line per simulated policy, the ideal `S = N` dashed;
/// channels on a log₂ axis. Plain SVG text: any browser opens it.
fn svg(a: &Analysis) -> String {
    let (width, height, left, right, top, bottom) = (720.0, 440.0, 60.0, 200.0, 20.0, 50.0);
    let plotted: Vec<&PolicyReport> = a.policies.iter().filter(|p| p.missing.is_none()).collect();
    let ns: Vec<u32> = plotted
        .first()
        .map(|p| p.runs.iter().map(|r| r.channels).collect())
        .unwrap_or_default();
    let (lo, hi) = (
        ns.iter().copied().min().unwrap_or(1).max(1) as f64,
        ns.iter().copied().max().unwrap_or(1).max(2) as f64,
    );
    let top_speedup = plotted
        .iter()
        .flat_map(|p| p.runs.iter().map(|r| r.speedup))
        .fold(1.0f64, f64::max)
        .ceil();
    let x =
        |n: f64| left + (n.log2() - lo.log2()) / (hi.log2() - lo.log2()) * (width - left - right);
    let y = |s: f64| height - bottom - s / top_speedup * (height - top - bottom);
    let mut text = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" \
         fill=\"white\"/>\n"
    );
    text += &format!(
        "<line x1=\"{left}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"black\"/>\n<line \
         x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b}\" stroke=\"black\"/>\n",
        b = height - bottom,
        r = width - right
    );
    for &n in &ns {
        text += &format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{n}</text>\n",
            x(f64::from(n)),
            height - bottom + 16.0
        );
    }
    let step = (top_speedup / 8.0).ceil().max(1.0);
    let mut s = 0.0;
    while s <= top_speedup {
        text += &format!(
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{s}</text>\n",
            left - 6.0,
            y(s) + 4.0
        );
        s += step;
    }
    text += &format!(
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">channels (N)</text>\n<text x=\"14\" \
         y=\"{:.1}\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">speed-up \
         W/T(N), cost model {}</text>\n",
        (left + width - right) / 2.0,
        height - 12.0,
        height / 2.0,
        height / 2.0,
        escape(&a.cost.to_string())
    );
    let ideal: Vec<String> = ns
        .iter()
        .map(|&n| f64::from(n).min(top_speedup))
        .zip(&ns)
        .map(|(s, &n)| format!("{:.1},{:.1}", x(f64::from(n)), y(s)))
        .collect();
    text += &format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#bbbbbb\" stroke-dasharray=\"4 4\"/>\n",
        ideal.join(" ")
    );
    for (i, p) in plotted.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<String> = p
            .runs
            .iter()
            .map(|r| format!("{:.1},{:.1}", x(f64::from(r.channels)), y(r.speedup)))
            .collect();
        text += &format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>\n\
             <text x=\"{}\" y=\"{}\" fill=\"{colour}\">{}</text>\n",
            points.join(" "),
            width - right + 10.0,
            top + 14.0 + 16.0 * i as f64,
            p.policy.name()
        );
    }
    text + "</svg>\n"
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
