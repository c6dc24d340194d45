//! Why a `thl` run failed, in Tungsten's three classes, and how each is reported.
//!
//! Tungsten prints everything on stdout; `thl` keeps the message texts but writes them
//! to stderr so that listings piped into `grep` or `less` carry no diagnostics (see the
//! README, "Differences from Tungsten's thl"). Every failure exits with status 1.

use std::fmt;
use std::io;

/// A failed run.
#[derive(Debug)]
pub enum Failure {
    /// Tungsten's `Fatal error: <message>` class: configuration, I/O, damaged logs.
    Fatal(String),
    /// Tungsten's logged `ERROR` class: bad range, sequence number or file not found.
    Error(String),
    /// A usage mistake; `help` says whether the help text follows the message.
    Usage {
        /// What was wrong with the command line.
        message: String,
        /// Print the help text after the message.
        help: bool,
    },
    /// Writing the output failed for a reason other than a closed pipe.
    Output(io::Error),
}

impl Failure {
    /// A usage mistake followed by the help text.
    pub fn usage_with_help(message: impl Into<String>) -> Self {
        Failure::Usage {
            message: message.into(),
            help: true,
        }
    }

    /// A usage mistake reported on its own.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Usage {
            message: message.into(),
            help: false,
        }
    }
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Output(err)
    }
}

impl From<replog::Error> for Failure {
    fn from(err: replog::Error) -> Self {
        Failure::Fatal(error_message(&err))
    }
}

/// A library error's message, plus how `thl` gets past it where the library cannot
/// know (it does not know how its caller sets the in-memory limit).
pub fn error_message(err: &replog::Error) -> String {
    match err.kind {
        replog::ErrorKind::TooLarge { .. } => format!(
            "{err}, or raise the limit with {}=MiB",
            crate::commands::READ_LIMIT_VAR
        ),
        _ => err.to_string(),
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Fatal(message) => write!(f, "Fatal error: {message}"),
            Failure::Error(message) => write!(f, "ERROR {message}"),
            Failure::Usage { message, .. } => f.write_str(message),
            Failure::Output(err) => write!(f, "Fatal error: cannot write the output: {err}"),
        }
    }
}

/// Writes a diagnostic that does not stop the run (warnings, Tungsten's INFO lines) to
/// stderr. Unlike `eprintln!`, a closed stderr is ignored rather than a panic.
pub fn notice(message: impl fmt::Display) {
    use std::io::Write;
    let mut stderr = io::stderr().lock();
    crate::progress::clear_line(&mut stderr);
    let _ = writeln!(stderr, "{message}");
}
