//! Where `thl` writes: one buffered handle on stdout, and the rule for closed pipes.
//!
//! On a terminal the output is line-buffered so a slow listing shows up as it goes; into
//! a pipe or file it is block-buffered, which is what makes large listings fast. When
//! the reader goes away (`thl list | head -1`, quitting `less`) writes fail with
//! `BrokenPipe` (Rust ignores SIGPIPE); `main` turns that into a quiet exit with status 0.

use std::io::{self, BufWriter, IsTerminal, LineWriter, Stdout, Write};

/// Buffered stdout, line-buffered when it is a terminal.
pub enum Out {
    /// stdout is a terminal: flush at every newline.
    Terminal(LineWriter<Stdout>),
    /// stdout is a pipe or a file: flush when the buffer fills and at the end.
    Piped(BufWriter<Stdout>),
}

impl Out {
    /// Picks the buffering from what stdout is connected to.
    pub fn stdout() -> Out {
        let stdout = io::stdout();
        if stdout.is_terminal() {
            Out::Terminal(LineWriter::new(stdout))
        } else {
            Out::Piped(BufWriter::with_capacity(64 * 1024, stdout))
        }
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Out::Terminal(w) => w.write(buf),
            Out::Piped(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Out::Terminal(w) => w.write_all(buf),
            Out::Piped(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Terminal(w) => w.flush(),
            Out::Piped(w) => w.flush(),
        }
    }
}

/// Whether a failed write only means the reader closed the pipe.
pub fn is_broken_pipe(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::BrokenPipe
}
