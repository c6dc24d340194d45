//! A THL data file indexed as the newest file of a log, read from its start and in
//! parts on threads (`LogDir::scanning_in_parts`): the parts must tell what one reader
//! tells, the same entries, the same error at the same offset and the same notices,
//! whatever guesses at the parts' starts the bytes lead to, CRCs verified or not.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use replog::thl::{LogDir, ReadOptions, TailPolicy};

/// The log directory this process writes each input into, as its one data file.
fn log_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("replog-fuzz-index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir
    })
}

/// An index's entries (or its error) and notices, as text.
fn told(dir: &LogDir, options: ReadOptions) -> (Result<String, String>, Vec<String>) {
    let mut notices = Vec::new();
    let index = dir
        .index_reporting(options, false, &mut |e| notices.push(format!("{} {}", e.offset, e.kind)))
        .map(|index| format!("{:?} {}", index.entries(), index.max_seqno()))
        .map_err(|e| format!("{} {}", e.offset, e.kind));
    (index, notices)
}

fuzz_target!(|data: &[u8]| {
    let dir = log_dir();
    std::fs::write(dir.join("thl.data.0000000001"), data).expect("the input written");
    let Ok(log) = LogDir::open(dir) else {
        return;
    };
    for verify_checksums in [true, false] {
        for tail in [TailPolicy::Report, TailPolicy::Stop] {
            let options = ReadOptions {
                verify_checksums,
                tail,
            };
            let serial = told(&log, options);
            for parts in [2, 3, 7] {
                let in_parts = told(&log.clone().scanning_in_parts(parts, 1), options);
                assert_eq!(in_parts, serial, "{parts} parts, {options:?}");
            }
        }
    }
});
