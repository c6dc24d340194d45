//! `-permissive` for `thl list`, `index` and `info` on damaged copies of the 2.2.1
//! fixture: each problem reported once as `WARN FILE: at byte N: ...`, the records
//! around it still listed, and status 1 with the count. Offsets and lengths are the
//! fixture README's (1.2): records at 16, 829 (seqno 1, 601 bytes), 1430 (seqno 2, 1536
//! bytes), 2966 (seqno 3), ..., seqno 7 in three fragments.

mod common;

use common::{copy_fixture, restamp_record_crc, thl};

const NAME: &str = "thl.data.0000000001";

/// A copy of the 2.2.1 log changed by `damage`.
fn damaged(damage: impl FnOnce(&mut Vec<u8>)) -> tempfile::TempDir {
    let tmp = copy_fixture("tungsten-2.2.1");
    let file = tmp.path().join(NAME);
    let mut bytes = std::fs::read(&file).unwrap();
    damage(&mut bytes);
    std::fs::write(&file, &bytes).unwrap();
    tmp
}

/// `seqno/fragno` of each line of `list -headers`.
fn listed(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            format!("{}/{}", f[0], f[2])
        })
        .collect()
}

const ALL_BUT_SEQNO_1: [&str; 9] = [
    "0/0", "2/0", "3/0", "4/0", "5/0", "6/0", "7/0", "7/1", "7/2",
];

#[test]
fn a_crc_mismatch_is_reported_and_the_record_left_out() {
    replog_tests::require_corpus!();
    // Fixture README 3: a flipped data byte gives a CRC mismatch at that record.
    let tmp = damaged(|b| b[855] ^= 0x20);
    let dir = tmp.path().to_str().unwrap();
    // Spec 12: the last file is scanned when the log is opened, so a bad record there
    // fails every command before anything is listed.
    let strict = thl(&["-dir", dir, "list", "-headers"]);
    assert_eq!(strict.stdout, "");
    let message = strict
        .fails()
        .strip_prefix("Fatal error: ")
        .unwrap()
        .to_string();
    assert!(
        message.starts_with(&format!(
            "{dir}/{NAME}: at byte 829: log record CRC failure: crc type=1 "
        )),
        "{message}"
    );
    let run = thl(&["-dir", dir, "list", "-headers", "-permissive"]);
    assert_eq!(listed(&run.stdout), ALL_BUT_SEQNO_1);
    assert_eq!(
        run.fails(),
        format!(
            "WARN {message}WARN Sequence number gap: expected seqno 1, found 2: \
             file={dir}/{NAME} offset=1430\nERROR 1 problem reported (-permissive)\n"
        )
    );
    // `index` and `info` read the last file to its end: the same problem, once.
    let run = thl(&["-dir", dir, "index", "-permissive"]);
    assert_eq!(run.stdout, "LogIndexEntry thl.data.0000000001(0:7)\n\n");
    assert_eq!(
        run.fails(),
        format!("WARN {message}ERROR 1 problem reported (-permissive)\n")
    );
}

#[test]
fn an_invalid_length_resynchronises_on_the_next_record() {
    replog_tests::require_corpus!();
    // Spec 3.2: a length outside 13..=1e9 is corruption. Strict readers end the file
    // there (status 0, one warning); permissive ones find seqno 3's record at 2966.
    let tmp = damaged(|b| b[1430..1434].copy_from_slice(&5i32.to_be_bytes()));
    let dir = tmp.path().to_str().unwrap();
    let strict = thl(&["-dir", dir, "list", "-headers"]);
    assert_eq!(listed(&strict.stdout), ["0/0", "1/0"]);
    assert_eq!(strict.code, 0);
    let run = thl(&["-dir", dir, "list", "-headers", "-permissive"]);
    assert_eq!(
        listed(&run.stdout),
        ["0/0", "1/0", "3/0", "4/0", "5/0", "6/0", "7/0", "7/1", "7/2"]
    );
    let file = format!("{dir}/{NAME}");
    assert_eq!(
        run.fails(),
        format!(
            "WARN {file}: at byte 1430: record length is invalid, log may be corrupt: expected \
             13..=1000000000, found 5\n\
             WARN {file}: at byte 1430: skipped unreadable bytes; expected a record, resuming \
             at byte 2966\n\
             WARN Sequence number gap: expected seqno 2, found 3: file={file} offset=2966\n\
             ERROR 2 problems reported (-permissive)\n"
        )
    );
    let info = thl(&["-dir", dir, "info", "-permissive"]);
    assert!(info
        .stdout
        .contains("\nmin seq# = 0\nmax seq# = 7\nevents = 7\n"));
    assert!(info
        .fails()
        .ends_with("ERROR 2 problems reported (-permissive)\n"));
}

#[test]
fn a_partial_tail_is_a_notice_not_a_problem() {
    replog_tests::require_corpus!();
    // Cut inside seqno 7's last fragment (at 8986): a log being written, in both modes.
    let tmp = damaged(|b| b.truncate(8986 + 50));
    let dir = tmp.path().to_str().unwrap();
    let run = thl(&["-dir", dir, "list", "-headers", "-permissive"]);
    assert_eq!(
        run.stderr,
        format!(
            "INFO {dir}/{NAME}: at byte 8986: incomplete record at the end of the newest \
             file: expected 231 bytes, found 50; a log still being written ends so, and it is \
             read up to this record\n"
        )
    );
    assert_eq!(listed(&run.ok()).last().unwrap(), "6/0");
}

#[test]
fn a_first_record_with_a_damaged_length_is_skipped_not_an_empty_log() {
    replog_tests::require_corpus!();
    // Issue 12: the first record's length (at 16) out of range. Strict readers end the
    // file there as Tungsten does (an empty log, with its warning); permissive ones
    // resynchronise on seqno 1 at 829, and the index starts there.
    let tmp = damaged(|b| b[16..20].copy_from_slice(&5i32.to_be_bytes()));
    let dir = tmp.path().to_str().unwrap();
    let file = format!("{dir}/{NAME}");
    let strict = thl(&["-dir", dir, "list", "-headers"]);
    assert_eq!(
        strict.stderr,
        format!(
            "WARN Record length is invalid, log may be corrupt: file={file} offset=16 record \
             length=5\nINFO No events found; log is empty\n"
        )
    );
    assert_eq!(strict.ok(), "");
    let warnings = format!(
        "WARN {file}: at byte 16: record length is invalid, log may be corrupt: expected \
         13..=1000000000, found 5\n\
         WARN {file}: at byte 16: skipped unreadable bytes; expected a record, resuming at \
         byte 829\n"
    );
    let run = thl(&["-dir", dir, "list", "-headers", "-permissive"]);
    assert_eq!(
        listed(&run.stdout),
        ["1/0", "2/0", "3/0", "4/0", "5/0", "6/0", "7/0", "7/1", "7/2"]
    );
    assert_eq!(
        run.fails(),
        format!("{warnings}ERROR 2 problems reported (-permissive)\n")
    );
    let info = thl(&["-dir", dir, "info", "-permissive"]);
    assert!(info
        .stdout
        .contains("\nmin seq# = 1\nmax seq# = 7\nevents = 6\n"));
    assert_eq!(
        info.fails(),
        format!("{warnings}ERROR 2 problems reported (-permissive)\n")
    );
}

#[test]
fn an_undecodable_payload_is_reported_and_left_out() {
    replog_tests::require_corpus!();
    // Seqno 1's record (829, 601 bytes): fixed header (spec 5.1) of type, seqno,
    // fragno, lastFrag, epoch, three u16-length strings and the source timestamp, then
    // the protobuf Header's varint length. Claiming more bytes than the record holds
    // breaks the payload; the CRC-32 is fixed so that only the payload is wrong.
    let tmp = damaged(|b| {
        let (at, length) = (829usize, 601usize);
        let mut p = at + 4 + 1 + 8 + 2 + 1 + 8;
        for _ in 0..3 {
            p += 2 + usize::from(u16::from_be_bytes([b[p], b[p + 1]]));
        }
        p += 8;
        b[p] = 0x7f;
        b[p + 1] = 0x7f;
        restamp_record_crc(b, at, length);
    });
    let dir = tmp.path().to_str().unwrap();
    let strict = thl(&["-dir", dir, "list"]);
    assert!(strict.stdout.contains("SEQ# = 0 / FRAG# = 0 (last frag)\n"));
    assert!(!strict.stdout.contains("SEQ# = 1 "));
    let message = strict
        .fails()
        .strip_prefix("Fatal error: ")
        .unwrap()
        .to_string();
    assert!(
        message.starts_with(&format!("{dir}/{NAME}: at byte ")),
        "{message}"
    );
    // -headers does not decode payloads: nothing is wrong there.
    assert_eq!(
        listed(&thl(&["-dir", dir, "list", "-headers"]).ok()).len(),
        10
    );
    let run = thl(&["-dir", dir, "list", "-permissive"]);
    for seqno in [0, 2, 3, 4, 5, 6, 7] {
        assert!(
            run.stdout.contains(&format!("SEQ# = {seqno} / FRAG# = 0")),
            "{seqno}"
        );
    }
    assert!(!run.stdout.contains("SEQ# = 1 "));
    assert_eq!(
        run.fails(),
        format!("WARN {message}ERROR 1 problem reported (-permissive)\n")
    );
}

#[test]
fn an_option_a_command_does_not_take_is_unrecognized() {
    replog_tests::require_corpus!();
    let dir = common::thl_dir("tungsten-2.2.1");
    let dir = dir.to_str().unwrap();
    for (args, option) in [
        (&["list", "-start-position", "4"][..], "-start-position"),
        (&["index", "-first", "1"], "-first"),
        (&["purge", "-permissive", "-y"], "-permissive"),
    ] {
        let mut all = vec!["-dir", dir];
        all.extend_from_slice(args);
        let run = thl(&all);
        assert_eq!(run.stdout, "");
        assert_eq!(run.fails(), format!("Unrecognized option: {option}\n"));
    }
}

#[test]
fn resynchronising_without_crcs() {
    replog_tests::require_corpus!();
    // The no-CRC fixture (fixture README 2: 23 records, CRC type 0): the record offsets
    // follow from the length fields (spec 3), walked here from offset 16.
    let tmp = copy_fixture("synthetic-4.1.0-nocrc");
    let file = tmp.path().join(NAME);
    let mut bytes = std::fs::read(&file).unwrap();
    let mut offsets = vec![16usize];
    while let Some(&at) = offsets.last() {
        let length = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        if at + length >= bytes.len() {
            break;
        }
        offsets.push(at + length);
    }
    assert_eq!(offsets.len(), 23);
    let (at, next) = (offsets[5], offsets[6]);
    bytes[at..at + 4].copy_from_slice(&(-1i32).to_be_bytes());
    std::fs::write(&file, &bytes).unwrap();
    let dir = tmp.path().to_str().unwrap();
    // `-file` lists every record of the file: 5 before the damage, 22 of 23 around it.
    let strict = thl(&["-dir", dir, "list", "-file", NAME, "-headers"]);
    assert_eq!(strict.stdout.lines().count(), 5);
    let run = thl(&[
        "-dir",
        dir,
        "list",
        "-file",
        NAME,
        "-headers",
        "-permissive",
    ]);
    assert_eq!(run.stdout.lines().count(), 22);
    let stderr = run.fails();
    assert!(
        stderr.contains(&format!(
            "WARN {dir}/{NAME}: at byte {at}: skipped unreadable bytes; expected a record, \
             resuming at byte {next}\n"
        )),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("ERROR 2 problems reported (-permissive)\n"),
        "{stderr}"
    );
}
