//! `thl help`: Tungsten's help text, then the options replog adds.

use std::io::{self, Write};

/// Tungsten's help text, verbatim (spec section 15).
pub const TUNGSTEN_HELP: &str = "\
Tungsten Replicator THL Manager
Syntax: thl [global-options] command [command-options]
Global options:
  -conf path    - Path to a static-<svc>.properties file
  -service name - Name of a replication service
Commands and corresponding options:
  list [-low #] [-high #] [-by #] - Dump THL events from low to high #
  list [-seqno #]                 - Dump the exact event by a given #
  list [-file <file_name>]        - Dump the content of the given log file
       [-charset <charset>] [-hex]  Character set used for decoding row data
       [-sql]                       Representative (no metadata!) SQL mode
       [-specs]                     Add detailed column specifications
       [-headers]                   Print headers only
       [-json]                      Output in machine-parsable JSON format
       [-no-checksum]               Suppress checksums
       [-timezone timezone]         Time used zone for time-related data
  index [-no-checksum]            - Display index of log files
  purge [-low #] [-high #]        - Delete THL files identified by the given range
        [-no-checksum] [-y]         Use -y to suppress prompt
  info [-no-checksum]             - Display minimum, maximum sequence number
                                    and other summary information about log
  help                            - Print this help display
";

/// What replog's `thl` adds to Tungsten's grammar.
pub const REPLOG_HELP: &str = "\
Options added by replog:
  -dir path                       - The THL directory itself (instead of -conf/-service)
  list [-first #] [-last #]       - Only the first/last # transactions of the selection
       [-shard <regex>]             Only transactions whose shard matches (whole name)
       [-schema <regex>]            Only transactions touching a matching schema
  list [-threads N]               - Decode on N threads (default: the cores, at most 4; 1: serial)
  list, index, info [-permissive] - Report each damaged record and carry on
  events -file F [F...]           - MySQL/MariaDB binary log events, one line each
       [-json [-named]]             One JSON object per event (JSON Lines)
       [-v | -vv]                   Row changes as mariadb-binlog -v pseudo-SQL
       [-sql | -flashback]          Row changes as SQL / the SQL undoing them
       [-columns <file>]            SHOW CREATE TABLE output naming the columns
       [-start-position #] [-stop-position #]
       [-start-datetime 'YYYY-MM-DD HH:MM:SS'] [-stop-datetime ...]
       [-database <regex>] [-table <regex>] [-server-id #] [-type T[,T...]]
       [-include-gtids <set>] [-exclude-gtids <set>]
       [-permissive]                Report damage and carry on
       [-no-checksum]               Do not verify CRC32 checksums
       [-threads N]                 Decode on N threads (default: the cores, at most 4; 1: serial)
  shards -channels N              - Each shard as 'trepctl status -name shards' would
       [-shard-list <file>]         show it after parallel apply of the log
       [-hash-method <method>]      string-hash (default) or round-robin
       [-high #] [-json]            Apply up to seqno #; JSON array
  channels -channels N [...]      - Each channel as 'trepctl status -name tasks' would
                                    show it, then the trep_commit_seqno restart rows
       [-sql -service <name>]       SQL writing those rows to tungsten_<name>
  extract -file F [F...|DIR|X.index] -service <name>
                                  - Binary logs written as THL (into -dir, or the
                                    service's THL directory); a re-run continues
       [-source-id <id>]            Source id (default: the host name)
       [-seqno-start #]             First seqno of a new log (default 0)
       [-fragment-size #]           Fragment transactions over # bytes (default 1000000)
  list, shards, channels, stats -file F [F...|DIR|X.index]
                                  - The same on binary logs, extracted on the fly
  stats [-json]                   - Transactions by shard, table and size; the largest
                                    and the longest
  parallel [-channels 1,2,4,8,16] - Simulated parallel apply: makespan, speed-up,
                                    critical path, barriers per policy and N
       [-policy P[,P...]]           serial, tungsten-hash, tungsten-rr,
                                    tungsten-shardset, mysql-db, mysql-lc,
                                    mysql-lc-ordered, mysql-writeset,
                                    mysql-writeset-ordered, mariadb-conservative,
                                    mariadb-optimistic, row-dag, table-dag, db-dag
                                    (default all)
       [-cost unit|rows|bytes]      Cost model (default bytes: 1 + bytes/1000)
       [-shard-list <file>]         Tungsten pins and critical shards
       [-json] [-svg <file>]        JSON; speed-up plot as SVG
       [-file F...]                 The same on binary logs, extracted on the fly
  events, extract -remote mysql://user@host[:port]
                                  - The same read live from a server over the
                                    replication protocol (events: -file names the
       [-password-file <file>]      server's log to start from); password from the
       [-stop-never]                file, MYSQL_PWD or a prompt; follow the server
       [-start-gtid <d-s-n,...>]    Start at a MariaDB GTID position
       [-stop-position #]           events: end in the log the stream starts in
       [-retry #]                   With -stop-never: reconnection attempts in a row
                                    (default: no limit; 0: none)
       [-retry-max-seconds #]       Longest wait between attempts (default 30)
       [-heartbeat-period #]        Server heartbeat, seconds (default 30; 0: none)
  backup -remote <url> -dir <out> - The server's binary logs, byte for byte, resumable
       [-file <first>] [-stop-never] [-retry #] [-retry-max-seconds #]
       [-heartbeat-period #]
  completions bash|zsh|fish|elvish|powershell
                                  - A completion script for that shell, on stdout
  man                             - The manual page (roff), on stdout
  help [command]                  - Only what concerns that command
";

/// Writes the help text.
pub fn write_help(out: &mut impl Write) -> io::Result<()> {
    out.write_all(TUNGSTEN_HELP.as_bytes())?;
    out.write_all(REPLOG_HELP.as_bytes())
}

/// Writes the part of the help text about `command` (`thl help events`, `thl events
/// -h`): every entry that names it, Tungsten's then replog's. A command no entry names
/// gets the whole text.
pub fn write_command_help(out: &mut impl Write, command: &str) -> io::Result<()> {
    let about: Vec<String> = entries(TUNGSTEN_HELP)
        .chain(entries(REPLOG_HELP))
        .filter(|entry| commands_of(entry).any(|c| c == command))
        .collect();
    if about.is_empty() {
        return write_help(out);
    }
    writeln!(out, "Syntax: thl [global-options] {command} [options]")?;
    for entry in about {
        out.write_all(entry.as_bytes())?;
    }
    writeln!(out, "Global options and the other commands: thl help")
}

/// The entries of a help text: each line indented by exactly two spaces, with the more
/// indented lines that continue it.
fn entries(text: &str) -> impl Iterator<Item = String> {
    let mut entries: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.split_inclusive('\n') {
        if is_entry_start(line) {
            entries.push(line.to_string());
            open = true;
        } else if let (true, true, Some(entry)) =
            (open, line.starts_with("   "), entries.last_mut())
        {
            entry.push_str(line);
        } else {
            // A heading ends the entry before it.
            open = false;
        }
    }
    entries.into_iter()
}

fn is_entry_start(line: &str) -> bool {
    line.starts_with("  ") && !line[2..].starts_with(' ')
}

/// The commands an entry is about: its leading words, `list, index, info [...]`.
fn commands_of(entry: &str) -> impl Iterator<Item = &str> {
    let mut more = true;
    entry.trim_start().split(' ').map_while(move |word| {
        let this = more.then_some(word)?;
        more = word.ends_with(',');
        Some(this.trim_end_matches(','))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command_help(command: &str) -> String {
        let mut out = Vec::new();
        write_command_help(&mut out, command).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_command_gets_the_entries_that_name_it() {
        let events = command_help("events");
        assert!(events
            .starts_with("Syntax: thl [global-options] events [options]\n  events -file F [F...]"));
        assert!(events.contains("\n       [-include-gtids <set>] [-exclude-gtids <set>]\n"));
        assert!(events.contains("\n  events, extract -remote mysql://user@host[:port]\n"));
        assert!(!events.contains("list"), "{events}");
        assert!(!events.contains("shards"), "{events}");
        let list = command_help("list");
        assert!(list.contains("\n  list [-seqno #]"), "{list}");
        assert!(list.contains("\n       [-timezone timezone]"), "{list}");
        assert!(
            list.contains("\n  list, index, info [-permissive]"),
            "{list}"
        );
        assert!(
            list.contains("\n  list, shards, channels, stats -file"),
            "{list}"
        );
        assert!(!list.contains("purge"), "{list}");
        let info = command_help("info");
        assert!(
            info.contains("and other summary information about log\n"),
            "{info}"
        );
        assert!(!info.contains("Options added by replog"), "{info}");
    }

    #[test]
    fn a_command_no_entry_names_gets_the_whole_text() {
        let mut whole = Vec::new();
        write_help(&mut whole).unwrap();
        assert_eq!(command_help("skip").into_bytes(), whole);
    }
}
