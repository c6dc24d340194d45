//! `thl`: Tungsten's log tool grammar over THL directories.
//!
//! `main` only wires the stages together: parse argv ([`args`]), resolve the command,
//! run it against buffered stdout ([`output`]) and turn the outcome into an exit status.

mod args;
mod commands;
mod failure;
mod heap;
mod output;
mod progress;
mod service;

use std::io::Write;
use std::process::ExitCode;

use args::{Command, LowArgs};
use failure::Failure;
use output::Out;

fn main() -> ExitCode {
    heap::keep_freed_heap();
    let mut out = Out::stdout();
    let result = run(&mut out).and_then(|()| out.flush().map_err(Failure::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Output(err)) if output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(failure) => {
            // Whatever was listed before the failure still goes out first.
            let _ = out.flush();
            report(&failure);
            ExitCode::from(1)
        }
    }
}

fn run(out: &mut Out) -> Result<(), Failure> {
    let invocation = LowArgs::parse_from_argv(std::env::args_os())?.command()?;
    match invocation.command {
        Command::Help(None) => commands::help::write_help(out).map_err(Failure::from),
        Command::Help(Some(ref command)) => {
            commands::help::write_command_help(out, command).map_err(Failure::from)
        }
        Command::Man => commands::reference::man(out),
        Command::Completions(shell) => commands::reference::completions(shell, out),
        Command::Version => {
            writeln!(out, "thl {}", env!("CARGO_PKG_VERSION")).map_err(Failure::from)
        }
        Command::Skip => commands::skip(out),
        Command::List(ref list) => commands::list::run(&invocation, list, out),
        Command::Index => commands::index::run(&invocation, out),
        Command::Info => commands::info::run(&invocation, out),
        Command::Purge(purge) => commands::purge::run(&invocation, purge, out),
        Command::Events(ref events) => commands::events::run(&invocation, events, out),
        Command::Extract(ref extract) => commands::extract::run(&invocation, extract, out),
        Command::Backup(ref backup) => commands::backup::run(&invocation, backup),
        Command::Stats(ref stats) => commands::stats::run(&invocation, stats, out),
        Command::Shards(ref assign) => commands::shards::run(&invocation, assign, out),
        Command::Channels(ref assign) => commands::channels::run(&invocation, assign, out),
        Command::Parallel(ref parallel) => commands::parallel::run(&invocation, parallel, out),
    }
}

fn report(failure: &Failure) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{failure}");
    if let Failure::Usage { help: true, .. } = failure {
        let _ = commands::help::write_help(&mut err);
    }
}
