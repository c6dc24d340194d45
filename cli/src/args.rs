//! The command line, in two stages (as ripgrep does it).
//!
//! 1. [`normalize`] rewrites Tungsten's single-dash long options (`-service logos`,
//!    `-low 10`, `-no-checksum`) into the `--service=logos` form clap expects, and rejects
//!    unknown options with Tungsten's message. It is the only place that knows the
//!    single-dash grammar.
//! 2. clap parses the result into [`LowArgs`], a flat mirror of the command line: every
//!    option is global and the command is any plain word, so options and the command may
//!    come in any order (`thl list -low 3` and `thl -low 3 list` are the same) and the
//!    last command word wins, as in Tungsten.
//!
//! [`LowArgs::command`] then resolves the words and options into a [`Command`].

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use replog::parallel::{CostModel, Policy};
use replog::shard::HashMethod;

use crate::failure::Failure;

/// How an option is written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    /// `-low 3`, `-low=3`.
    Value,
    /// `-sql`.
    Flag,
}

/// Every option, without its dash: what it takes, and whether it is one of Tungsten's
/// own (spec 10, plus `-dir`). Tungsten accepts each of its options whatever the
/// command (`thl index -low 3` is not an error there), so replog does too.
const OPTIONS: &[(&str, Takes, bool)] = &[
    ("conf", Takes::Value, true),
    ("service", Takes::Value, true),
    ("dir", Takes::Value, true),
    ("seqno", Takes::Value, true),
    ("low", Takes::Value, true),
    ("high", Takes::Value, true),
    ("by", Takes::Value, true),
    ("charset", Takes::Value, true),
    ("timezone", Takes::Value, true),
    ("file", Takes::Value, true),
    ("sql", Takes::Flag, true),
    ("specs", Takes::Flag, true),
    ("headers", Takes::Flag, true),
    ("json", Takes::Flag, true),
    ("y", Takes::Flag, true),
    ("hex", Takes::Flag, true),
    ("no-checksum", Takes::Flag, true),
    ("first", Takes::Value, false),
    ("last", Takes::Value, false),
    ("shard", Takes::Value, false),
    ("schema", Takes::Value, false),
    ("start-position", Takes::Value, false),
    ("stop-position", Takes::Value, false),
    ("start-datetime", Takes::Value, false),
    ("stop-datetime", Takes::Value, false),
    ("permissive", Takes::Flag, false),
    ("source-id", Takes::Value, false),
    ("seqno-start", Takes::Value, false),
    ("fragment-size", Takes::Value, false),
    ("channels", Takes::Value, false),
    ("shard-list", Takes::Value, false),
    ("hash-method", Takes::Value, false),
    ("policy", Takes::Value, false),
    ("cost", Takes::Value, false),
    ("svg", Takes::Value, false),
    ("remote", Takes::Value, false),
    ("password-file", Takes::Value, false),
    ("stop-never", Takes::Flag, false),
    ("start-gtid", Takes::Value, false),
    ("retry", Takes::Value, false),
    ("retry-max-seconds", Takes::Value, false),
    ("heartbeat-period", Takes::Value, false),
    ("v", Takes::Flag, false),
    ("vv", Takes::Flag, false),
    ("flashback", Takes::Flag, false),
    ("columns", Takes::Value, false),
    ("database", Takes::Value, false),
    ("table", Takes::Value, false),
    ("server-id", Takes::Value, false),
    ("include-gtids", Takes::Value, false),
    ("exclude-gtids", Takes::Value, false),
    ("type", Takes::Value, false),
    ("named", Takes::Flag, false),
    ("threads", Takes::Value, false),
];

/// Reading from a server (`events`, `backup`, `extract` with `-remote`).
const REMOTE_OPTIONS: &[&str] = &[
    "remote",
    "password-file",
    "stop-never",
    "start-gtid",
    "retry",
    "retry-max-seconds",
    "heartbeat-period",
];

/// How a followed server is kept (`-stop-never`).
const FOLLOW_OPTIONS: &[&str] = &["retry", "retry-max-seconds", "heartbeat-period"];

/// What option `name` takes, or `None` when there is no such option.
fn takes(name: &str) -> Option<Takes> {
    OPTIONS.iter().find(|o| o.0 == name).map(|o| o.1)
}

/// Whether `name` is one of Tungsten's own options.
fn is_tungsten(name: &str) -> bool {
    OPTIONS.iter().any(|o| o.0 == name && o.2)
}

/// How binary logs are tagged as THL (`list -file BINLOG…`, `extract`).
const TAGGING_OPTIONS: &[&str] = &["source-id", "seqno-start", "fragment-size"];

/// The options replog added for `list` (beside Tungsten's, and the tagging options
/// when it lists binary logs).
const LIST_OPTIONS: &[&str] = &["first", "last", "shard", "schema", "permissive", "threads"];

/// Every option `stats` takes.
const STATS_OPTIONS: &[&str] = &[
    "conf",
    "service",
    "dir",
    "file",
    "json",
    "no-checksum",
    "permissive",
    "source-id",
    "seqno-start",
    "fragment-size",
];

/// Every option `extract` takes.
const EXTRACT_OPTIONS: &[&str] = &[
    "file",
    "dir",
    "conf",
    "service",
    "no-checksum",
    "permissive",
    "source-id",
    "seqno-start",
    "fragment-size",
    "remote",
    "password-file",
    "stop-never",
    "retry",
    "retry-max-seconds",
    "heartbeat-period",
];

/// Every option `backup` takes.
const BACKUP_OPTIONS: &[&str] = &[
    "file",
    "dir",
    "remote",
    "password-file",
    "stop-never",
    "retry",
    "retry-max-seconds",
    "heartbeat-period",
];

/// The options replog added for `index` and `info`.
const SUMMARY_OPTIONS: &[&str] = &["permissive"];

/// Threads `list` and `events` use when `-threads` is not given, at most. Each thread
/// holds its pieces of text and a decoded transaction, and past four threads the
/// output, not the decoding, bounds a listing piped to a reader. Peak anonymous memory
/// of the full listing of the 600 MB bench log: 42 MiB on two threads, 64 MiB on four.
const DEFAULT_MAX_THREADS: usize = 4;

/// Every option `events` takes (a replog command: none of Tungsten's log options).
const EVENTS_OPTIONS: &[&str] = &[
    "file",
    "json",
    "permissive",
    "start-position",
    "stop-position",
    "start-datetime",
    "stop-datetime",
    "timezone",
    "no-checksum",
    "remote",
    "password-file",
    "stop-never",
    "start-gtid",
    "retry",
    "retry-max-seconds",
    "heartbeat-period",
    "v",
    "vv",
    "sql",
    "flashback",
    "columns",
    "database",
    "table",
    "server-id",
    "include-gtids",
    "exclude-gtids",
    "type",
    "named",
    "threads",
];

/// Every option `shards` takes (a replog command: only the log options it uses).
const SHARDS_OPTIONS: &[&str] = &[
    "conf",
    "service",
    "dir",
    "high",
    "json",
    "no-checksum",
    "permissive",
    "channels",
    "shard-list",
    "hash-method",
];

/// Every option `channels` takes: those of `shards`, `-sql` and `-timezone`.
const CHANNELS_OPTIONS: &[&str] = &[
    "conf",
    "service",
    "dir",
    "high",
    "json",
    "no-checksum",
    "permissive",
    "channels",
    "shard-list",
    "hash-method",
    "sql",
    "timezone",
];

/// Every option `parallel` takes.
const PARALLEL_OPTIONS: &[&str] = &[
    "conf",
    "service",
    "dir",
    "file",
    "json",
    "no-checksum",
    "permissive",
    "source-id",
    "seqno-start",
    "fragment-size",
    "channels",
    "shard-list",
    "policy",
    "cost",
    "svg",
];

/// Spellings that ask for the help text (answered by the `help` command).
const HELP_OPTIONS: &[&str] = &["-h", "-help", "--help"];

/// Spellings that ask for the version (answered by the `version` word).
const VERSION_OPTIONS: &[&str] = &["-V", "-version", "--version"];

/// Rewrites Tungsten's argv into clap's long-option form.
///
/// `argv[0]` is kept. `-name` and `--name` become `--name`; a value-taking option is
/// joined with its value (`--low=-1`) so values that start with `-` stay values. `-h`,
/// `-help` and `--help` become the word `help`. Words after `--` are kept as words.
pub fn normalize(argv: impl IntoIterator<Item = OsString>) -> Result<Vec<OsString>, Failure> {
    let mut argv = argv.into_iter();
    let mut out: Vec<OsString> = argv.next().into_iter().collect();
    while let Some(arg) = argv.next() {
        let Some(text) = arg.to_str() else {
            out.push(arg);
            continue;
        };
        if text == "--" {
            out.push(arg);
            out.extend(argv.by_ref());
            break;
        }
        if HELP_OPTIONS.contains(&text) {
            out.push("help".into());
            continue;
        }
        if VERSION_OPTIONS.contains(&text) {
            out.push("version".into());
            continue;
        }
        if !text.starts_with('-') || text == "-" {
            out.push(arg);
            continue;
        }
        let bare = text
            .strip_prefix("--")
            .or_else(|| text.strip_prefix('-'))
            .unwrap_or(text);
        let (name, inline) = match bare.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (bare, None),
        };
        let takes = takes(name);
        if takes == Some(Takes::Flag) && inline.is_none() {
            out.push(format!("--{name}").into());
        } else if takes == Some(Takes::Value) {
            let value = match inline {
                Some(value) => OsString::from(value),
                None => argv
                    .next()
                    .ok_or_else(|| Failure::usage(format!("Missing value for option -{name}")))?,
            };
            let mut joined = OsString::from(format!("--{name}="));
            joined.push(value);
            out.push(joined);
        } else {
            let mut message = format!("Unrecognized option: {text}");
            let known = OPTIONS.iter().map(|o| o.0);
            if let Some(near) = nearest(name, known).filter(|_| takes.is_none()) {
                message.push_str(&format!(" (did you mean -{near}?)"));
            }
            return Err(Failure::usage(message));
        }
    }
    Ok(out)
}

/// The command line as typed, validated only as far as clap can (stage 1).
#[derive(Debug, Parser)]
#[command(
    name = "thl",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    args_override_self = true
)]
pub struct LowArgs {
    /// A `static-<service>.properties` file naming the log directory.
    #[arg(long)]
    pub conf: Option<PathBuf>,
    /// A replication service name.
    #[arg(long)]
    pub service: Option<String>,
    /// The THL directory itself (overrides -conf and -service).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Exactly this sequence number.
    #[arg(long)]
    pub seqno: Option<i64>,
    /// Lowest sequence number.
    #[arg(long)]
    pub low: Option<i64>,
    /// Highest sequence number.
    #[arg(long)]
    pub high: Option<i64>,
    /// Accepted and ignored, as in Tungsten.
    #[arg(long)]
    pub by: Option<i64>,
    /// Character set for byte-string column values.
    #[arg(long)]
    pub charset: Option<String>,
    /// Time zone for printed times (default UTC).
    #[arg(long)]
    pub timezone: Option<String>,
    /// One log file, `thl.data.NNNNNNNNNN` (`list`, the last one counts); the binary
    /// logs of `events`, in order.
    #[arg(long, action = clap::ArgAction::Append)]
    pub file: Vec<String>,
    /// Only the first N transactions of the selection.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub first: Option<u64>,
    /// Only the last N transactions of the selection.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub last: Option<u64>,
    /// Only transactions whose shard matches this regular expression.
    #[arg(long)]
    pub shard: Option<String>,
    /// Only transactions touching a schema that matches this regular expression.
    #[arg(long)]
    pub schema: Option<String>,
    /// SQL rendering.
    #[arg(long)]
    pub sql: bool,
    /// Column specifications in row listings.
    #[arg(long)]
    pub specs: bool,
    /// Record headers only.
    #[arg(long)]
    pub headers: bool,
    /// JSON (with -headers).
    #[arg(long)]
    pub json: bool,
    /// Do not ask for confirmation (purge).
    #[arg(long)]
    pub y: bool,
    /// Byte values also in hex.
    #[arg(long)]
    pub hex: bool,
    /// Do not verify record checksums.
    #[arg(long = "no-checksum")]
    pub no_checksum: bool,
    /// `events`: first event offset to show (first file).
    #[arg(long = "start-position")]
    pub start_position: Option<u64>,
    /// `events`: stop at the first event at or past this offset (last file).
    #[arg(long = "stop-position")]
    pub stop_position: Option<u64>,
    /// `events`: skip events older than this date and time.
    #[arg(long = "start-datetime")]
    pub start_datetime: Option<String>,
    /// `events`: stop at the first event at or after this date and time.
    #[arg(long = "stop-datetime")]
    pub stop_datetime: Option<String>,
    /// `events`, `list`, `index`, `info`: report damage and carry on instead of stopping.
    #[arg(long)]
    pub permissive: bool,
    /// Binary logs as THL: the source id (default: the host name).
    #[arg(long = "source-id")]
    pub source_id: Option<String>,
    /// Binary logs as THL: the first seqno (default 0).
    #[arg(long = "seqno-start", value_parser = clap::value_parser!(i64).range(0..))]
    pub seqno_start: Option<i64>,
    /// Binary logs as THL: fragment transactions over this many bytes (0: never).
    #[arg(long = "fragment-size")]
    pub fragment_size: Option<u64>,
    /// `shards`, `channels`: the number of parallel-apply channels; `parallel`: the
    /// counts to simulate, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub channels: Vec<u32>,
    /// `shards`, `channels`: a Tungsten `shard.list` file.
    #[arg(long = "shard-list")]
    pub shard_list: Option<PathBuf>,
    /// `shards`, `channels`: `string-hash` or `round-robin` (overrides `shard.list`).
    #[arg(long = "hash-method")]
    pub hash_method: Option<String>,
    /// `parallel`: the policies to simulate, comma-separated.
    #[arg(long)]
    pub policy: Option<String>,
    /// `parallel`: the cost model (`unit`, `rows`, `bytes`, optionally `:K`).
    #[arg(long)]
    pub cost: Option<String>,
    /// `parallel`: write the speed-up plot to this SVG file.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// `events`, `backup`, `extract`: read from this server
    /// (`mysql://USER@HOST[:PORT][?ssl-mode=MODE&ssl-ca=FILE]`, or `?socket=PATH`).
    #[arg(long)]
    pub remote: Option<String>,
    /// With `-remote`: the file holding the password.
    #[arg(long = "password-file")]
    pub password_file: Option<PathBuf>,
    /// With `-remote`: keep following the server at the end of its last log.
    #[arg(long = "stop-never")]
    pub stop_never: bool,
    /// With `-remote`: start after this MariaDB GTID position (`D-S-N[,...]`), or with
    /// the transactions not in this MySQL GTID set (`uuid:1-5[,...]`).
    #[arg(long = "start-gtid")]
    pub start_gtid: Option<String>,
    /// With `-stop-never`: reconnection attempts in a row before giving up (default:
    /// no limit; 0: none).
    #[arg(long)]
    pub retry: Option<u32>,
    /// With `-stop-never`: the longest wait between two reconnection attempts, in
    /// seconds (default 30).
    #[arg(long = "retry-max-seconds")]
    pub retry_max_seconds: Option<f64>,
    /// With `-stop-never`: the server's heartbeat period in seconds (default 30; 0:
    /// none); two periods without a packet mean a dead connection.
    #[arg(long = "heartbeat-period")]
    pub heartbeat_period: Option<f64>,
    /// `events`: row changes as mariadb-binlog -v pseudo-SQL.
    #[arg(long)]
    pub v: bool,
    /// `events`: row changes as pseudo-SQL with column types.
    #[arg(long)]
    pub vv: bool,
    /// `events`: SQL undoing the selected row changes, newest first.
    #[arg(long)]
    pub flashback: bool,
    /// `events -sql`/`-flashback`: SHOW CREATE TABLE output naming the columns.
    #[arg(long)]
    pub columns: Option<PathBuf>,
    /// `events`: only events of schemas matching this regular expression.
    #[arg(long)]
    pub database: Option<String>,
    /// `events`: only events of tables matching this regular expression.
    #[arg(long)]
    pub table: Option<String>,
    /// `events`: only events written by this server id.
    #[arg(long = "server-id")]
    pub server_id: Option<u32>,
    /// `events`: only the transactions of these GTIDs.
    #[arg(long = "include-gtids")]
    pub include_gtids: Option<String>,
    /// `events`: leave out the transactions of these GTIDs.
    #[arg(long = "exclude-gtids")]
    pub exclude_gtids: Option<String>,
    /// `events`: only events of these types, comma-separated.
    #[arg(long = "type")]
    pub event_type: Option<String>,
    /// `events -json`: row images as objects keyed by column name.
    #[arg(long)]
    pub named: bool,
    /// `events`, `list`: threads decoding and rendering (default: the cores available,
    /// at most 4; 1 reads serially).
    #[arg(long)]
    pub threads: Option<usize>,
    /// The command word(s); the last one counts.
    pub words: Vec<String>,
}

/// Where the log directory comes from (resolved by `service.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    /// `-dir`.
    pub dir: Option<PathBuf>,
    /// `-conf`.
    pub conf: Option<PathBuf>,
    /// `-service`.
    pub service: Option<String>,
}

/// Which seqnos a command works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Range {
    /// `-low` (or `-seqno`).
    pub low: Option<i64>,
    /// `-high` (or `-seqno`).
    pub high: Option<i64>,
    /// The range came from `-seqno`.
    pub exact: bool,
}

/// What `list` prints and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Header block, metadata and changes (Tungsten's default).
    Full,
    /// One tab-separated line per record.
    Headers,
    /// `-headers -json`.
    HeadersJson,
    /// `-sql`.
    Sql,
    /// `-headers -sql`: Tungsten prints nothing at all.
    Nothing,
}

/// Everything `list` needs.
#[derive(Debug, Clone)]
pub struct ListArgs {
    /// Seqno range (ignored with `file`).
    pub range: Range,
    /// `-file`.
    pub file: Option<String>,
    /// Output format.
    pub format: Format,
    /// `-specs`.
    pub specs: bool,
    /// `-charset`.
    pub charset: Option<String>,
    /// `-hex`.
    pub hex: bool,
    /// `-first`.
    pub first: Option<u64>,
    /// `-last`.
    pub last: Option<u64>,
    /// `-shard`.
    pub shard: Option<String>,
    /// `-schema`.
    pub schema: Option<String>,
    /// Binary logs to list as THL transactions (empty: list the THL).
    pub binlogs: Vec<String>,
    /// How those binary logs are tagged.
    pub tagging: Tagging,
    /// `-threads`: how many threads decode and render (at least 1).
    pub threads: usize,
}

/// How binary logs become THL: the tags extraction gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tagging {
    /// `-source-id`.
    pub source_id: Option<String>,
    /// `-seqno-start`.
    pub seqno_start: Option<i64>,
    /// `-fragment-size`.
    pub fragment_size: Option<u64>,
}

/// Everything `stats` needs.
#[derive(Debug, Clone)]
pub struct StatsArgs {
    /// Binary logs to extract and count (empty: the THL).
    pub binlogs: Vec<String>,
    /// How those binary logs are tagged.
    pub tagging: Tagging,
    /// `-json`.
    pub json: bool,
}

/// Everything `extract` needs.
#[derive(Debug, Clone)]
pub struct ExtractArgs {
    /// The binary logs, a directory or an index file.
    pub files: Vec<String>,
    /// How they are tagged.
    pub tagging: Tagging,
    /// `-remote` and its options: extract from a server instead.
    pub remote: Option<RemoteArgs>,
}

/// Where a server is, how to log in, and whether to follow it.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteArgs {
    /// `-remote URL`.
    pub url: String,
    /// `-password-file`.
    pub password_file: Option<PathBuf>,
    /// `-stop-never`.
    pub stop_never: bool,
    /// `-start-gtid`.
    pub start_gtid: Option<String>,
    /// `-retry`: reconnection attempts in a row (`None`: no limit).
    pub retry: Option<u32>,
    /// `-retry-max-seconds`: the longest wait between two attempts.
    pub retry_max_wait: Duration,
    /// `-heartbeat-period`: zero for none.
    pub heartbeat: Duration,
}

/// The longest wait between two reconnection attempts unless `-retry-max-seconds` says.
const RETRY_MAX_WAIT: Duration = Duration::from_secs(30);
/// The heartbeat period unless `-heartbeat-period` says.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// The longest heartbeat period servers accept (`MASTER_HEARTBEAT_PERIOD`).
const MAX_HEARTBEAT: Duration = Duration::from_secs(4_294_967);

/// Everything `backup` needs.
#[derive(Debug, Clone)]
pub struct BackupArgs {
    /// The server.
    pub remote: RemoteArgs,
    /// `-file`: the first log to save (default: the server's first).
    pub first: Option<String>,
}

/// Everything `purge` needs.
#[derive(Debug, Clone, Copy)]
pub struct PurgeArgs {
    /// Seqno range.
    pub range: Range,
    /// `-y`.
    pub yes: bool,
}

/// Everything `events` needs (binary logs, not THL).
#[derive(Debug, Clone)]
pub struct EventsArgs {
    /// The binary logs, in order (`-` is standard input).
    pub files: Vec<String>,
    /// `-json`: JSON Lines.
    pub json: bool,
    /// `-named`: JSON row images keyed by column name.
    pub named: bool,
    /// `-permissive`.
    pub permissive: bool,
    /// `-start-position`.
    pub start_position: Option<u64>,
    /// `-stop-position`.
    pub stop_position: Option<u64>,
    /// `-start-datetime`, as typed.
    pub start_datetime: Option<String>,
    /// `-stop-datetime`, as typed.
    pub stop_datetime: Option<String>,
    /// `-remote` and its options: the events of a server instead of files.
    pub remote: Option<RemoteArgs>,
    /// How row changes are shown: `-v`, `-vv`, `-sql`, `-flashback`.
    pub rows: RowsOutput,
    /// `-columns`: SHOW CREATE TABLE output for `-sql`/`-flashback`.
    pub columns: Option<PathBuf>,
    /// `-database`, `-table`, `-server-id`, `-include-gtids`, `-exclude-gtids`, `-type`.
    pub filters: EventFilters,
    /// `-threads`: how many threads decode and render (at least 1).
    pub threads: usize,
}

/// How `events` shows row changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowsOutput {
    /// The event line only.
    Listing,
    /// `-v`: the line, then the rows as pseudo-SQL.
    Verbose,
    /// `-vv`: the same with column types.
    VeryVerbose,
    /// `-sql`: executable SQL for the row changes, nothing else.
    Sql,
    /// `-flashback`: SQL undoing the row changes, newest first.
    Flashback,
}

/// The selections of `events`, as typed.
#[derive(Debug, Clone, Default)]
pub struct EventFilters {
    /// `-database`.
    pub database: Option<String>,
    /// `-table`.
    pub table: Option<String>,
    /// `-server-id`.
    pub server_id: Option<u32>,
    /// `-include-gtids`.
    pub include_gtids: Option<String>,
    /// `-exclude-gtids`.
    pub exclude_gtids: Option<String>,
    /// `-type`.
    pub event_type: Option<String>,
}

/// Everything `shards` and `channels` need.
#[derive(Debug, Clone)]
pub struct AssignArgs {
    /// `-channels`.
    pub channels: u32,
    /// `-shard-list`.
    pub shard_list: Option<PathBuf>,
    /// `-hash-method`, overriding the file's `(hash-method)`.
    pub hash_method: Option<HashMethod>,
    /// `-high`: the last seqno applied.
    pub high: Option<i64>,
    /// `-json`.
    pub json: bool,
    /// `-sql` (`channels`): the restart rows as SQL.
    pub sql: bool,
    /// Binary logs to assign, extracted on the fly (empty: the THL).
    pub binlogs: Vec<String>,
    /// How those binary logs are tagged.
    pub tagging: Tagging,
}

/// Everything `parallel` needs.
#[derive(Debug, Clone)]
pub struct ParallelArgs {
    /// Worker counts to simulate.
    pub channels: Vec<u32>,
    /// Policies, in report order.
    pub policies: Vec<Policy>,
    /// `-cost`.
    pub cost: CostModel,
    /// `-shard-list`.
    pub shard_list: Option<PathBuf>,
    /// `-json`.
    pub json: bool,
    /// `-svg`.
    pub svg: Option<PathBuf>,
    /// Binary logs to analyse, extracted on the fly (empty: the THL).
    pub binlogs: Vec<String>,
    /// How those binary logs are tagged.
    pub tagging: Tagging,
}

/// A resolved command (stage 2).
#[derive(Debug, Clone)]
pub enum Command {
    /// `thl list`.
    List(ListArgs),
    /// `thl index`.
    Index,
    /// `thl info`.
    Info,
    /// `thl purge`.
    Purge(PurgeArgs),
    /// `thl help [COMMAND]`, `thl COMMAND -h`: the help, or only that command's part.
    Help(Option<String>),
    /// `thl man`: the manual page.
    Man,
    /// `thl completions SHELL`: a completion script.
    Completions(clap_complete::Shell),
    /// `thl --version`.
    Version,
    /// `thl skip` (only says it is gone).
    Skip,
    /// `thl events`: binary-log events.
    Events(EventsArgs),
    /// `thl extract`: binary logs written as THL.
    Extract(ExtractArgs),
    /// `thl backup`: a server's binary logs saved byte for byte.
    Backup(BackupArgs),
    /// `thl stats`: transactions by shard, table and size.
    Stats(StatsArgs),
    /// `thl shards`: per-shard positions after parallel apply.
    Shards(AssignArgs),
    /// `thl channels`: per-channel positions and restart rows.
    Channels(AssignArgs),
    /// `thl parallel`: simulated parallel apply, per policy and channel count.
    Parallel(ParallelArgs),
}

/// A command with the options every log-reading command shares.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// What to do.
    pub command: Command,
    /// Where the log is.
    pub source: LogSource,
    /// `-no-checksum`.
    pub no_checksum: bool,
    /// `-timezone`.
    pub timezone: Option<String>,
    /// `-permissive` (`list`, `index`, `info`; `events` has its own copy).
    pub permissive: bool,
}

impl LowArgs {
    /// Normalizes and parses argv; clap's own messages are usage failures.
    pub fn parse_from_argv(argv: impl IntoIterator<Item = OsString>) -> Result<LowArgs, Failure> {
        let argv = normalize(argv)?;
        LowArgs::try_parse_from(argv).map_err(|e| {
            // clap names options in its own `--low <LOW>` form; users typed `-low`.
            let text = e.to_string().replace("'--", "'-");
            Failure::usage(text.trim_end().trim_start_matches("error: "))
        })
    }

    /// Resolves the command word and its options, with Tungsten's pre-checks in order.
    pub fn command(self) -> Result<Invocation, Failure> {
        // `events -file A B C`: the words after the command are more files; so for
        // `extract`, and for `list`, `shards` and `channels` when they read binary logs.
        let events = self.words.iter().any(|w| w == "events");
        let extract = self.words.iter().any(|w| w == "extract");
        if self.words.iter().any(|w| w == "backup") {
            return self.backup();
        }
        if self.remote.is_none() && self.given().any(|o| REMOTE_OPTIONS.contains(&o)) {
            return Err(Failure::usage(
                "-password-file, -stop-never, -start-gtid, -retry, -retry-max-seconds and \
                 -heartbeat-period go with -remote URL",
            ));
        }
        let stats = self.words.iter().any(|w| w == "stats");
        let parallel = self.words.iter().any(|w| w == "parallel");
        // A `-file` that is no THL file name but exists (a binlog, a directory of them,
        // an index file) is read as binary logs; other names get Tungsten's message.
        let binlogs = self.file.first().is_some_and(|f| {
            !f.starts_with("thl.data.") && (f == "-" || std::path::Path::new(f).exists())
        });
        let list_binlogs = binlogs && self.words.first().is_some_and(|w| w == "list");
        let assign_binlogs = self
            .words
            .first()
            .filter(|w| binlogs && (*w == "shards" || *w == "channels"))
            .cloned();
        // `thl help events`, `thl events -h`: help, whatever else the words say.
        let help = self.words.iter().any(|w| w == "help");
        if !help {
            self.reject_foreign_options(events, extract, list_binlogs, assign_binlogs.as_deref())?;
        }
        let command = match self.words.last().map(String::as_str) {
            _ if help => Command::Help(
                self.words
                    .iter()
                    .find(|w| *w != "help" && COMMANDS.contains(&w.as_str()))
                    .cloned(),
            ),
            _ if self.words.first().is_some_and(|w| w == "completions") => {
                Command::Completions(self.shell()?)
            }
            _ if self.words.iter().any(|w| w == "version") => Command::Version,
            _ if events => Command::Events(self.events_args()?),
            _ if extract => Command::Extract(ExtractArgs {
                files: self.files_after("extract"),
                tagging: self.tagging(),
                remote: self.remote_args()?,
            }),
            _ if stats => Command::Stats(StatsArgs {
                binlogs: self.files_after("stats"),
                tagging: self.tagging(),
                json: self.json,
            }),
            _ if parallel => Command::Parallel(self.parallel_args()?),
            _ if list_binlogs => self.list_args(self.files_after("list"))?,
            _ if assign_binlogs.is_some() => {
                let word = assign_binlogs.as_deref().unwrap_or_default();
                let args = self.assign_args(word, self.files_after(word))?;
                if word == "shards" {
                    Command::Shards(args)
                } else {
                    Command::Channels(args)
                }
            }
            None => return Err(Failure::usage_with_help("Command is missing!")),
            Some("help") => Command::Help(None),
            Some("man") => Command::Man,
            Some("skip") => Command::Skip,
            Some("list") => self.list_args(Vec::new())?,
            Some("index") => Command::Index,
            Some("info") => Command::Info,
            Some("shards") => Command::Shards(self.assign_args("shards", Vec::new())?),
            Some("channels") => Command::Channels(self.assign_args("channels", Vec::new())?),
            Some("purge") => Command::Purge(PurgeArgs {
                range: self.range(),
                yes: self.y,
            }),
            Some(other) => {
                let mut message = format!("Unknown command: '{other}'");
                if let Some(near) = nearest(other, COMMANDS.iter().copied()) {
                    message.push_str(&format!(" (did you mean {near}?)"));
                }
                return Err(Failure::usage_with_help(message));
            }
        };
        Ok(Invocation {
            command,
            source: LogSource {
                dir: self.dir,
                conf: self.conf,
                service: self.service,
            },
            no_checksum: self.no_checksum,
            timezone: self.timezone,
            permissive: self.permissive,
        })
    }

    /// An option the command does not take gets Tungsten's message for an option it
    /// does not know (`thl list -start-position 4`: `Unrecognized option:
    /// -start-position`), rather than being ignored. `help` takes anything.
    fn reject_foreign_options(
        &self,
        events: bool,
        extract: bool,
        list_binlogs: bool,
        assign_binlogs: Option<&str>,
    ) -> Result<(), Failure> {
        let only = |allowed: &[&str]| match self.given().find(|o| !allowed.contains(o)) {
            Some(option) => Err(unrecognized(option)),
            None => Ok(()),
        };
        if events {
            return only(EVENTS_OPTIONS);
        }
        if extract {
            return only(EXTRACT_OPTIONS);
        }
        if self.words.iter().any(|w| w == "stats") {
            return only(STATS_OPTIONS);
        }
        if self.words.iter().any(|w| w == "parallel") {
            return only(PARALLEL_OPTIONS);
        }
        if list_binlogs {
            return match self.given().find(|o| {
                !is_tungsten(o) && !LIST_OPTIONS.contains(o) && !TAGGING_OPTIONS.contains(o)
            }) {
                Some(option) => Err(unrecognized(option)),
                None => Ok(()),
            };
        }
        let extra: &[&str] = match assign_binlogs.or(self.words.last().map(String::as_str)) {
            Some("help") | None => return Ok(()),
            Some(word @ ("shards" | "channels")) => {
                let takes = if word == "shards" {
                    SHARDS_OPTIONS
                } else {
                    CHANNELS_OPTIONS
                };
                let binlog_only = |o: &&str| {
                    assign_binlogs.is_some() && (*o == "file" || TAGGING_OPTIONS.contains(o))
                };
                return match self.given().find(|o| !takes.contains(o) && !binlog_only(o)) {
                    Some(option) => Err(unrecognized(option)),
                    None => Ok(()),
                };
            }
            Some("list") => LIST_OPTIONS,
            Some("index" | "info") => SUMMARY_OPTIONS,
            Some(_) => &[],
        };
        match self.given().find(|o| !is_tungsten(o) && !extra.contains(o)) {
            Some(option) => Err(unrecognized(option)),
            None => Ok(()),
        }
    }

    /// The shell named after `completions`.
    fn shell(&self) -> Result<clap_complete::Shell, Failure> {
        use clap::ValueEnum;
        let usage = || {
            let shells: Vec<String> = clap_complete::Shell::value_variants()
                .iter()
                .map(ToString::to_string)
                .collect();
            Failure::usage(format!(
                "completions needs a shell: thl completions {}",
                shells.join("|")
            ))
        };
        let named = self.words.get(1).ok_or_else(usage)?;
        clap_complete::Shell::from_str(named, true).map_err(|_| usage())
    }

    /// The options given, by name, in a fixed order.
    fn given(&self) -> impl Iterator<Item = &'static str> {
        let present = [
            ("conf", self.conf.is_some()),
            ("service", self.service.is_some()),
            ("dir", self.dir.is_some()),
            ("seqno", self.seqno.is_some()),
            ("low", self.low.is_some()),
            ("high", self.high.is_some()),
            ("by", self.by.is_some()),
            ("charset", self.charset.is_some()),
            ("timezone", self.timezone.is_some()),
            ("file", !self.file.is_empty()),
            ("first", self.first.is_some()),
            ("last", self.last.is_some()),
            ("shard", self.shard.is_some()),
            ("schema", self.schema.is_some()),
            ("sql", self.sql),
            ("specs", self.specs),
            ("headers", self.headers),
            ("json", self.json),
            ("y", self.y),
            ("hex", self.hex),
            ("no-checksum", self.no_checksum),
            ("start-position", self.start_position.is_some()),
            ("stop-position", self.stop_position.is_some()),
            ("start-datetime", self.start_datetime.is_some()),
            ("stop-datetime", self.stop_datetime.is_some()),
            ("permissive", self.permissive),
            ("source-id", self.source_id.is_some()),
            ("seqno-start", self.seqno_start.is_some()),
            ("fragment-size", self.fragment_size.is_some()),
            ("channels", !self.channels.is_empty()),
            ("shard-list", self.shard_list.is_some()),
            ("hash-method", self.hash_method.is_some()),
            ("policy", self.policy.is_some()),
            ("cost", self.cost.is_some()),
            ("svg", self.svg.is_some()),
            ("remote", self.remote.is_some()),
            ("password-file", self.password_file.is_some()),
            ("stop-never", self.stop_never),
            ("start-gtid", self.start_gtid.is_some()),
            ("retry", self.retry.is_some()),
            ("retry-max-seconds", self.retry_max_seconds.is_some()),
            ("heartbeat-period", self.heartbeat_period.is_some()),
            ("v", self.v),
            ("vv", self.vv),
            ("flashback", self.flashback),
            ("columns", self.columns.is_some()),
            ("database", self.database.is_some()),
            ("table", self.table.is_some()),
            ("server-id", self.server_id.is_some()),
            ("include-gtids", self.include_gtids.is_some()),
            ("exclude-gtids", self.exclude_gtids.is_some()),
            ("type", self.event_type.is_some()),
            ("named", self.named),
            ("threads", self.threads.is_some()),
        ];
        present
            .into_iter()
            .filter_map(|(name, given)| given.then_some(name))
    }

    /// `list`, of the THL (`binlogs` empty) or of binary logs.
    fn list_args(&self, binlogs: Vec<String>) -> Result<Command, Failure> {
        if self.json && !self.headers {
            return Err(Failure::usage(
                "Currently JSON output is supported only with -headers flag",
            ));
        }
        Ok(Command::List(ListArgs {
            range: self.range(),
            file: if binlogs.is_empty() {
                self.file.last().cloned()
            } else {
                None
            },
            format: match (self.headers, self.json, self.sql) {
                (true, true, _) => Format::HeadersJson,
                (true, false, true) => Format::Nothing,
                (true, false, false) => Format::Headers,
                (false, _, true) => Format::Sql,
                (false, _, false) => Format::Full,
            },
            specs: self.specs,
            charset: self.charset.clone(),
            hex: self.hex,
            first: self.first,
            last: self.last,
            shard: self.shard.clone(),
            schema: self.schema.clone(),
            binlogs,
            tagging: self.tagging(),
            threads: self.threads()?,
        }))
    }

    /// `-threads`, or the cores available up to [`DEFAULT_MAX_THREADS`].
    fn threads(&self) -> Result<usize, Failure> {
        match self.threads {
            Some(0) => Err(Failure::usage("-threads must be at least 1")),
            Some(n) => Ok(n),
            None => Ok(std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(DEFAULT_MAX_THREADS)),
        }
    }

    /// The `-file` values, then the words after `command`.
    fn files_after(&self, command: &str) -> Vec<String> {
        let extra = self.words.iter().filter(|w| *w != command).cloned();
        self.file.iter().cloned().chain(extra).collect()
    }

    fn tagging(&self) -> Tagging {
        Tagging {
            source_id: self.source_id.clone(),
            seqno_start: self.seqno_start,
            fragment_size: self.fragment_size,
        }
    }

    fn events_args(&self) -> Result<EventsArgs, Failure> {
        let chosen: Vec<&str> = [
            ("-json", self.json),
            ("-v", self.v),
            ("-vv", self.vv),
            ("-sql", self.sql),
            ("-flashback", self.flashback),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect();
        if let [first, second, ..] = chosen[..] {
            return Err(Failure::usage(format!(
                "{first} and {second} exclude each other: choose one output"
            )));
        }
        let rows = match chosen.first().copied() {
            Some("-v") => RowsOutput::Verbose,
            Some("-vv") => RowsOutput::VeryVerbose,
            Some("-sql") => RowsOutput::Sql,
            Some("-flashback") => RowsOutput::Flashback,
            _ => RowsOutput::Listing,
        };
        if self.columns.is_some() && !matches!(rows, RowsOutput::Sql | RowsOutput::Flashback) {
            return Err(Failure::usage(
                "-columns names the columns of -sql and -flashback output; give one of them",
            ));
        }
        if self.named && !self.json {
            return Err(Failure::usage(
                "-named keys the rows of -json output by column name; give -json",
            ));
        }
        Ok(EventsArgs {
            files: self.files_after("events"),
            json: self.json,
            named: self.named,
            permissive: self.permissive,
            start_position: self.start_position,
            stop_position: self.stop_position,
            start_datetime: self.start_datetime.clone(),
            stop_datetime: self.stop_datetime.clone(),
            remote: self.remote_args()?,
            rows,
            columns: self.columns.clone(),
            filters: EventFilters {
                database: self.database.clone(),
                table: self.table.clone(),
                server_id: self.server_id,
                include_gtids: self.include_gtids.clone(),
                exclude_gtids: self.exclude_gtids.clone(),
                event_type: self.event_type.clone(),
            },
            threads: self.threads()?,
        })
    }

    fn remote_args(&self) -> Result<Option<RemoteArgs>, Failure> {
        let Some(url) = self.remote.clone() else {
            return Ok(None);
        };
        if !self.stop_never && self.given().any(|o| FOLLOW_OPTIONS.contains(&o)) {
            return Err(Failure::usage(
                "-retry, -retry-max-seconds and -heartbeat-period go with -stop-never",
            ));
        }
        let retry_max_wait = match self.retry_max_seconds {
            None => RETRY_MAX_WAIT,
            Some(s) => Duration::try_from_secs_f64(s)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "Invalid -retry-max-seconds {s}: a number of seconds above 0"
                    ))
                })?,
        };
        let heartbeat = match self.heartbeat_period {
            None => HEARTBEAT,
            Some(s) => Duration::try_from_secs_f64(s)
                .ok()
                .filter(|d| *d <= MAX_HEARTBEAT)
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "Invalid -heartbeat-period {s}: seconds from 0 (none) to {}",
                        MAX_HEARTBEAT.as_secs()
                    ))
                })?,
        };
        Ok(Some(RemoteArgs {
            url,
            password_file: self.password_file.clone(),
            stop_never: self.stop_never,
            start_gtid: self.start_gtid.clone(),
            retry: self.retry,
            retry_max_wait,
            heartbeat,
        }))
    }

    /// `backup -remote URL -dir OUT [-file FIRST] [-stop-never]`.
    fn backup(self) -> Result<Invocation, Failure> {
        const USAGE: &str = "backup needs a server and a directory: thl backup -remote \
                             mysql://USER@HOST[:PORT] -dir OUT [-file FIRST] [-stop-never]";
        if let Some(option) = self.given().find(|o| !BACKUP_OPTIONS.contains(o)) {
            return Err(unrecognized(option));
        }
        let (Some(remote), Some(_)) = (self.remote_args()?, self.dir.as_ref()) else {
            return Err(Failure::usage(USAGE));
        };
        let first = match &self.file[..] {
            [] => None,
            [one] => Some(one.clone()),
            _ => {
                return Err(Failure::usage(
                    "backup takes one -file: the first log to save",
                ))
            }
        };
        Ok(Invocation {
            command: Command::Backup(BackupArgs { remote, first }),
            source: LogSource {
                dir: self.dir,
                conf: None,
                service: None,
            },
            no_checksum: false,
            timezone: None,
            permissive: false,
        })
    }

    /// `shards` / `channels` options: `-channels` is required, `-hash-method` must name
    /// a method, `-sql` and `-json` exclude each other.
    fn assign_args(&self, command: &str, binlogs: Vec<String>) -> Result<AssignArgs, Failure> {
        let channels = match self.channels[..] {
            [n] => n,
            [] => {
                return Err(Failure::usage(format!(
                    "{command} needs -channels N (the number of parallel-apply channels)"
                )))
            }
            _ => {
                return Err(Failure::usage(format!(
                    "{command} takes one channel count, not a list"
                )))
            }
        };
        let hash_method = match &self.hash_method {
            None => None,
            Some(name) => Some(HashMethod::from_name(name).ok_or_else(|| {
                Failure::usage(format!(
                    "-hash-method must be string-hash or round-robin, found '{name}'"
                ))
            })?),
        };
        if self.sql && self.json {
            return Err(Failure::usage("-sql and -json exclude each other"));
        }
        Ok(AssignArgs {
            channels,
            shard_list: self.shard_list.clone(),
            hash_method,
            high: self.high,
            json: self.json,
            sql: self.sql,
            binlogs,
            tagging: self.tagging(),
        })
    }

    /// `parallel` options: channel counts (default 1,2,4,8,16,32; each at least 1),
    /// policy names, cost model.
    fn parallel_args(&self) -> Result<ParallelArgs, Failure> {
        let channels = if self.channels.is_empty() {
            vec![1, 2, 4, 8, 16, 32]
        } else {
            self.channels.clone()
        };
        if channels.contains(&0) {
            return Err(Failure::usage(
                "-channels 0: a channel count must be at least 1 (1 is serial apply)",
            ));
        }
        let policies = match &self.policy {
            None => Policy::ALL.to_vec(),
            Some(names) => names
                .split(',')
                .map(|name| {
                    Policy::from_name(name).ok_or_else(|| {
                        let known: Vec<&str> = Policy::ALL.iter().map(|p| p.name()).collect();
                        Failure::usage(format!(
                            "-policy: unknown policy '{name}' (known: {})",
                            known.join(", ")
                        ))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let cost = match &self.cost {
            None => CostModel::default(),
            Some(text) => CostModel::parse(text).ok_or_else(|| {
                Failure::usage(format!(
                    "-cost must be unit, rows or bytes (optionally rows:K, bytes:K), found \
                     '{text}'"
                ))
            })?,
        };
        Ok(ParallelArgs {
            channels,
            policies,
            cost,
            shard_list: self.shard_list.clone(),
            json: self.json,
            svg: self.svg.clone(),
            binlogs: self.files_after("parallel"),
            tagging: self.tagging(),
        })
    }

    fn range(&self) -> Range {
        match self.seqno {
            Some(n) => Range {
                low: Some(n),
                high: Some(n),
                exact: true,
            },
            None => Range {
                low: self.low,
                high: self.high,
                exact: false,
            },
        }
    }
}

/// Every command word.
const COMMANDS: &[&str] = &[
    "list",
    "index",
    "info",
    "purge",
    "help",
    "skip",
    "events",
    "extract",
    "stats",
    "shards",
    "channels",
    "parallel",
    "backup",
    "completions",
    "man",
];

/// Every option's name, without its dash, as the command line takes it (what the
/// generated documentation is checked against).
#[cfg(test)]
pub fn option_names() -> impl Iterator<Item = &'static str> {
    OPTIONS.iter().map(|o| o.0)
}

/// The commands, as words.
pub fn command_names() -> &'static [&'static str] {
    COMMANDS
}

/// The known name closest to `typed` when it is a plausible typo: at most one edit per
/// three characters (two at most; none for names under three characters, where one
/// edit makes any other short name), nearest first.
fn nearest<'a>(typed: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (typed.chars().count() / 3).min(2);
    known
        .map(|name| (edit_distance(typed, name), name))
        .filter(|(d, _)| *d <= limit && limit > 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance (insertions, deletions, substitutions), by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Tungsten's message for an option it does not know.
fn unrecognized(option: &str) -> Failure {
    Failure::usage(format!("Unrecognized option: -{option}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Result<Vec<String>, String> {
        normalize(
            std::iter::once("thl")
                .chain(args.iter().copied())
                .map(OsString::from),
        )
        .map(|v| {
            v.into_iter()
                .skip(1)
                .map(|s| s.into_string().unwrap())
                .collect()
        })
        .map_err(|e| e.to_string())
    }

    fn parse(args: &[&str]) -> Result<Invocation, String> {
        LowArgs::parse_from_argv(
            std::iter::once("thl")
                .chain(args.iter().copied())
                .map(OsString::from),
        )
        .and_then(LowArgs::command)
        .map_err(|e| e.to_string())
    }

    #[test]
    fn single_dash_long_options_become_double_dash() {
        assert_eq!(
            norm(&["-service", "logos", "list", "-low", "10", "-no-checksum"]).unwrap(),
            ["--service=logos", "list", "--low=10", "--no-checksum"]
        );
    }

    #[test]
    fn double_dash_and_inline_values_are_accepted() {
        assert_eq!(
            norm(&["--dir", "/x", "--high=5", "-seqno=3", "--json"]).unwrap(),
            ["--dir=/x", "--high=5", "--seqno=3", "--json"]
        );
    }

    #[test]
    fn values_starting_with_a_dash_stay_values() {
        assert_eq!(
            norm(&["-low", "-1", "-schema", "-x"]).unwrap(),
            ["--low=-1", "--schema=-x"]
        );
    }

    #[test]
    fn unknown_options_get_tungstens_message() {
        assert_eq!(
            norm(&["list", "-x"]).unwrap_err(),
            "Unrecognized option: -x"
        );
        assert_eq!(
            norm(&["-sql=1"]).unwrap_err(),
            "Unrecognized option: -sql=1"
        );
        assert_eq!(
            norm(&["list", "-low"]).unwrap_err(),
            "Missing value for option -low"
        );
    }

    #[test]
    fn help_spellings_become_the_help_command() {
        assert_eq!(
            norm(&["-h", "--help", "-help"]).unwrap(),
            ["help", "help", "help"]
        );
    }

    #[test]
    fn help_and_version_wherever_they_are_asked_for() {
        for (args, topic) in [
            (&["help", "events"][..], Some("events")),
            (&["events", "--help"], Some("events")),
            (&["events", "-h", "-file", "x"], Some("events")),
            (&["list", "-help"], Some("list")),
            (&["-h"], None),
        ] {
            let Command::Help(asked) = parse(args).unwrap().command else {
                panic!("{args:?}")
            };
            assert_eq!(asked.as_deref(), topic, "{args:?}");
        }
        assert!(matches!(
            parse(&["completions", "zsh"]).unwrap().command,
            Command::Completions(clap_complete::Shell::Zsh)
        ));
        assert_eq!(
            parse(&["completions", "tcsh"]).unwrap_err(),
            "completions needs a shell: thl completions bash|elvish|fish|powershell|zsh"
        );
        assert!(matches!(parse(&["man"]).unwrap().command, Command::Man));
        assert!(matches!(
            parse(&["--version"]).unwrap().command,
            Command::Version
        ));
    }

    #[test]
    fn near_misses_get_a_suggestion() {
        assert_eq!(
            norm(&["events", "-flashbak"]).unwrap_err(),
            "Unrecognized option: -flashbak (did you mean -flashback?)"
        );
        assert_eq!(
            parse(&["evnets"]).unwrap_err(),
            "Unknown command: 'evnets' (did you mean events?)"
        );
        assert_eq!(
            parse(&["lst"]).unwrap_err(),
            "Unknown command: 'lst' (did you mean list?)"
        );
        assert_eq!(
            norm(&["-zzzzzz"]).unwrap_err(),
            "Unrecognized option: -zzzzzz"
        );
    }

    #[test]
    fn words_after_double_dash_are_words() {
        assert_eq!(norm(&["--", "-low"]).unwrap(), ["--", "-low"]);
    }

    #[test]
    fn options_and_command_in_any_order() {
        for args in [
            &["-dir", "/d", "list", "-low", "3"][..],
            &["list", "-low", "3", "-dir", "/d"],
            &["-low", "3", "-dir", "/d", "list"],
        ] {
            let inv = parse(args).unwrap();
            assert_eq!(inv.source.dir, Some(PathBuf::from("/d")));
            let Command::List(list) = inv.command else {
                panic!("not list: {args:?}")
            };
            assert_eq!(list.range.low, Some(3));
            assert_eq!(list.format, Format::Full);
        }
    }

    #[test]
    fn last_command_word_and_last_option_win() {
        let inv = parse(&["list", "index", "-low", "1", "-low", "2"]).unwrap();
        assert!(matches!(inv.command, Command::Index));
        let Command::List(list) = parse(&["list", "-low", "1", "-low", "2"]).unwrap().command
        else {
            panic!()
        };
        assert_eq!(list.range.low, Some(2));
    }

    #[test]
    fn seqno_means_low_and_high() {
        let Command::List(list) = parse(&["list", "-seqno", "7"]).unwrap().command else {
            panic!()
        };
        assert_eq!(
            list.range,
            Range {
                low: Some(7),
                high: Some(7),
                exact: true
            }
        );
    }

    #[test]
    fn tungsten_prechecks() {
        assert_eq!(parse(&[]).unwrap_err(), "Command is missing!");
        assert_eq!(
            parse(&["frobnicate"]).unwrap_err(),
            "Unknown command: 'frobnicate'"
        );
        assert_eq!(
            parse(&["list", "-json"]).unwrap_err(),
            "Currently JSON output is supported only with -headers flag"
        );
        assert!(matches!(
            parse(&["help", "-json"]).unwrap().command,
            Command::Help(None)
        ));
        assert!(parse(&["list", "-low", "ten"]).unwrap_err().contains("ten"));
        assert!(parse(&["list", "-first", "0"])
            .unwrap_err()
            .contains("-first"));
    }

    #[test]
    fn options_a_command_does_not_take_are_unrecognized() {
        for (args, option) in [
            (&["list", "-start-position", "4"][..], "-start-position"),
            (&["list", "-stop-datetime", "2015-01-01"], "-stop-datetime"),
            (&["info", "-first", "2"], "-first"),
            (&["index", "-shard", "x"], "-shard"),
            (&["purge", "-permissive"], "-permissive"),
            (&["skip", "-permissive"], "-permissive"),
            (&["events", "-file", "b", "-low", "3"], "-low"),
            (&["events", "-file", "b", "-dir", "/d"], "-dir"),
        ] {
            assert_eq!(
                parse(args).unwrap_err(),
                format!("Unrecognized option: {option}"),
                "{args:?}"
            );
        }
    }

    #[test]
    fn tungsten_options_stay_accepted_by_every_thl_command() {
        // Tungsten's parser takes its own options whatever the command (spec 10).
        assert!(matches!(
            parse(&["index", "-low", "3", "-sql"]).unwrap().command,
            Command::Index
        ));
        assert!(matches!(
            parse(&["purge", "-charset", "utf8", "-y"]).unwrap().command,
            Command::Purge(_)
        ));
        assert!(matches!(
            parse(&["help", "-permissive", "-first", "1"])
                .unwrap()
                .command,
            Command::Help(None)
        ));
        for command in ["list", "index", "info"] {
            assert!(parse(&[command, "-permissive"]).unwrap().permissive);
        }
        assert!(!parse(&["list"]).unwrap().permissive);
    }

    #[test]
    fn format_combinations() {
        let format = |args: &[&str]| match parse(args).unwrap().command {
            Command::List(list) => list.format,
            _ => panic!(),
        };
        assert_eq!(format(&["list", "-headers"]), Format::Headers);
        assert_eq!(format(&["list", "-headers", "-json"]), Format::HeadersJson);
        assert_eq!(format(&["list", "-headers", "-sql"]), Format::Nothing);
        assert_eq!(format(&["list", "-sql"]), Format::Sql);
    }

    #[test]
    fn shards_and_channels_options() {
        let Command::Shards(shards) = parse(&[
            "shards",
            "-channels",
            "4",
            "-shard-list",
            "/conf/shard.list",
            "-hash-method",
            "round-robin",
            "-high",
            "9",
        ])
        .unwrap()
        .command
        else {
            panic!("not shards")
        };
        assert_eq!(shards.channels, 4);
        assert_eq!(shards.shard_list, Some(PathBuf::from("/conf/shard.list")));
        assert_eq!(shards.hash_method, Some(HashMethod::RoundRobin));
        assert_eq!(shards.high, Some(9));
        let Command::Channels(channels) = parse(&["channels", "-channels", "1", "-sql"])
            .unwrap()
            .command
        else {
            panic!("not channels")
        };
        assert!(channels.sql && !channels.json);
        assert_eq!(
            parse(&["channels", "-channels", "1", "-sql", "-json"]).unwrap_err(),
            "-sql and -json exclude each other"
        );
        assert!(parse(&["shards", "-channels", "-1"])
            .unwrap_err()
            .contains("-1"));
    }

    #[test]
    fn parallel_options() {
        let Command::Parallel(args) = parse(&[
            "parallel",
            "-channels",
            "1,2,8",
            "-policy",
            "serial,mysql-lc",
            "-cost",
            "rows:50",
        ])
        .unwrap()
        .command
        else {
            panic!("not parallel")
        };
        assert_eq!(args.channels, [1, 2, 8]);
        assert_eq!(
            args.policies,
            [Policy::Serial, Policy::MysqlClock { preserve: false }]
        );
        assert_eq!(args.cost, CostModel::Rows { per: 50 });
        assert!(args.binlogs.is_empty());
        let Command::Parallel(args) = parse(&["parallel"]).unwrap().command else {
            panic!("not parallel")
        };
        assert_eq!(args.channels, [1, 2, 4, 8, 16, 32]);
        assert_eq!(args.policies.len(), Policy::ALL.len());
        assert_eq!(args.cost, CostModel::default());
        assert!(parse(&["parallel", "-channels", "0,2"])
            .unwrap_err()
            .contains("at least 1"));
        assert!(parse(&["parallel", "-policy", "fastest"])
            .unwrap_err()
            .contains("unknown policy 'fastest'"));
        assert!(parse(&["parallel", "-cost", "time"])
            .unwrap_err()
            .contains("-cost"));
        assert_eq!(
            parse(&["parallel", "-low", "3"]).unwrap_err(),
            "Unrecognized option: -low"
        );
        assert_eq!(
            parse(&["shards", "-channels", "2,4"]).unwrap_err(),
            "shards takes one channel count, not a list"
        );
    }
}
