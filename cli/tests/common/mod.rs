//! Running the built `thl` binary against the shared THL fixtures.

#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A shared THL fixture directory, e.g. `thl_dir("tungsten-2.2.1")`.
pub fn thl_dir(name: &str) -> PathBuf {
    replog_tests::shared_fixture(&format!("thl/{name}"))
}

/// What one run printed and how it ended.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(self) -> String {
        assert_eq!(self.code, 0, "thl failed: {}", self.stderr);
        self.stdout
    }

    /// Asserts exit status 1 and returns stderr.
    pub fn fails(self) -> String {
        assert_eq!(self.code, 1, "expected failure, stdout: {}", self.stdout);
        self.stderr
    }
}

pub fn thl_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_thl"));
    // Keep the tests independent of the machine's Tungsten installation.
    cmd.env("THL_CONF_DIR", "/nonexistent-thl-conf")
        .env("CONTINUENT_ROOT", "/nonexistent-continuent")
        .stdin(Stdio::null());
    cmd
}

pub fn finish(output: Output) -> Run {
    Run {
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        code: output.status.code().expect("exited normally"),
    }
}

/// Runs `thl ARGS`.
pub fn thl(args: &[&str]) -> Run {
    finish(thl_command().args(args).output().expect("thl runs"))
}

/// Runs `thl -dir <fixture> ARGS`.
pub fn thl_on(fixture: &str, args: &[&str]) -> Run {
    let dir = thl_dir(fixture);
    let mut all = vec!["-dir", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    thl(&all)
}

/// A fresh copy of a fixture directory in a temporary directory (never committed).
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(thl_dir(name)).unwrap() {
        let entry = entry.unwrap();
        let target = tmp.path().join(entry.file_name());
        std::fs::copy(entry.path(), &target).unwrap();
        make_writable(&target);
    }
    tmp
}

/// The shared corpus is read-only; copies must be writable to be purged or damaged.
pub fn make_writable(path: &Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}

/// The data file names left in a directory, sorted.
pub fn data_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("thl.data."))
        .collect();
    names.sort();
    names
}

/// A temporary log directory holding only a fresh first file: the header (spec 2: magic
/// C001CAFE, version 1.1, base seqno -1) and no records.
pub fn header_only_log() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut header = vec![0xC0, 0x01, 0xCA, 0xFE, 0, 1, 0, 1];
    header.extend_from_slice(&[0xFF; 8]);
    std::fs::write(tmp.path().join("thl.data.0000000001"), header).unwrap();
    tmp
}

/// Recomputes the CRC-32 of the THL record at `at` (`length` bytes, its 4-byte length
/// included) after a test changed its data: spec 3, the CRC covers the data after the
/// length and before the CRC type byte and the 8-byte CRC that end the record.
pub fn restamp_record_crc(bytes: &mut [u8], at: usize, length: usize) {
    let crc = u64::from(crc32(&bytes[at + 4..at + length - 9]));
    bytes[at + length - 8..at + length].copy_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (IEEE, reflected, as java.util.zip.CRC32), bit by bit: written from the
/// definition rather than taken from the crate the library uses.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Asserts that a run on several threads printed exactly what the serial run printed:
/// stdout byte for byte (shown as text first, for a readable difference), stderr and
/// the exit status. `what` names the run in the failure.
pub fn assert_same_as_serial(parallel: &Output, serial: &Output, what: &str) {
    assert_eq!(
        String::from_utf8_lossy(&parallel.stdout),
        String::from_utf8_lossy(&serial.stdout),
        "stdout of {what}"
    );
    assert_eq!(parallel.stdout, serial.stdout, "stdout bytes of {what}");
    assert_eq!(
        String::from_utf8_lossy(&parallel.stderr),
        String::from_utf8_lossy(&serial.stderr),
        "stderr of {what}"
    );
    assert_eq!(parallel.status, serial.status, "status of {what}");
}
