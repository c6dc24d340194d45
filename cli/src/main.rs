//! `thl`: Tungsten's log tool grammar over THL directories, plus binlog reading.

fn main() -> std::process::ExitCode {
    eprintln!("thl: no command implemented yet");
    std::process::ExitCode::from(2)
}
