//! `thl shards` and `thl channels` over the shared THL fixtures.
//!
//! Expected channels come from the hash rule of spec `parallel-apply.md` §1.5, worked
//! independently of replog: H(test) = 3556498 (spec table), H(tungsten_repltest) =
//! 1678918812, H(app0/app1/app2) = 3000879/3000880/3000881 (`a`·31² + `p`·31 + `p`
//! = 96801, ·31 + digit), H(#UNKNOWN) = 1301961383 (spec table), H(schéma) =
//! -907860699. Shards, seqnos and fragment counts are the fixture README's facts;
//! event ids not in the README are as `thl list -headers` prints them.

mod common;

use common::{thl, thl_on};

fn shard_block(
    id: &str,
    channel: u32,
    count: u64,
    seqno: i64,
    event: &str,
    critical: bool,
) -> String {
    format!(
        "NAME                VALUE\n\
         ----                -----\n\
         appliedLastEventId: {event}\n\
         appliedLastSeqno  : {seqno}\n\
         channel           : {channel}\n\
         critical          : {critical}\n\
         eventCount        : {count}\n\
         shardId           : {id}\n\
         stage             : q-to-dbms\n"
    )
}

fn task_block(task: u32, count: u64, seqno: i64, event: &str, barriers: u64) -> String {
    format!(
        "NAME                VALUE\n\
         ----                -----\n\
         appliedLastEventId: {event}\n\
         appliedLastSeqno  : {seqno}\n\
         barriers          : {barriers}\n\
         eventCount        : {count}\n\
         stage             : q-to-dbms\n\
         taskId            : {task}\n"
    )
}

const T310_FIRST: &str = "mysql-bin.011743:0000000000000415;-1";
const T310_LAST: &str = "mysql-bin.011743:0000000000003977;52254";

#[test]
fn shards_of_tungsten_3_1_0_with_three_channels() {
    replog_tests::require_corpus!();
    // N = 3: test → 3556498 % 3 = 1; tungsten_repltest → 1678918812 % 3 = 0.
    // Java order: "test" < "tungsten_repltest" ('e' < 'u').
    let out = thl_on("tungsten-3.1.0", &["shards", "-channels", "3"]).ok();
    let expected = shard_block("test", 1, 7, 7, T310_LAST, false)
        + &shard_block("tungsten_repltest", 0, 1, 0, T310_FIRST, false);
    assert_eq!(out, expected);
}

#[test]
fn channels_of_tungsten_3_1_0_with_three_channels() {
    replog_tests::require_corpus!();
    let out = thl_on("tungsten-3.1.0", &["channels", "-channels", "3"]).ok();
    let expected = task_block(0, 1, 0, T310_FIRST, 0)
        + &task_block(1, 7, 7, T310_LAST, 0)
        + &task_block(2, 0, -1, "", 0)
        + "\ntrep_commit_seqno\n\
           task_id\tseqno\tfragno\tlast_frag\tsource_id\tepoch_number\teventid\tshard_id\t\
           extract_timestamp\n\
           0\t0\t0\t1\tlogos1\t0\tmysql-bin.011743:0000000000000415;-1\ttungsten_repltest\t\
           2015-01-10 07:02:34\n\
           1\t7\t0\t1\tlogos1\t0\tmysql-bin.011743:0000000000003977;52254\ttest\t\
           2015-01-10 07:03:02\n\
           2\t-1\t0\t1\tNULL\t-1\tNULL\tNULL\tNULL\n\
           restart point: seqno 0 (channel readers resume at 1)\n";
    assert_eq!(out, expected);
}

#[test]
fn fragments_count_and_stay_on_their_channel_in_tungsten_2_2_1() {
    replog_tests::require_corpus!();
    // N = 2: test → 0 and tungsten_repltest → 0. Seqno 7 has fragnos 0, 1, 2; records
    // per shard: test 9, tungsten_repltest 1.
    let out = thl_on("tungsten-2.2.1", &["shards", "-channels", "2"]).ok();
    let expected = shard_block(
        "test",
        0,
        9,
        7,
        "mysql-bin.011742:0000000000003977;-1",
        false,
    ) + &shard_block(
        "tungsten_repltest",
        0,
        1,
        0,
        "mysql-bin.011742:0000000000000415;-1",
        false,
    );
    assert_eq!(out, expected);
    let out = thl_on("tungsten-2.2.1", &["channels", "-channels", "2"]).ok();
    assert!(out.starts_with(
        &(task_block(0, 10, 7, "mysql-bin.011742:0000000000003977;-1", 0)
            + &task_block(1, 0, -1, "", 0))
    ));
    // The row of channel 0 is the last fragment: fragno 2, last.
    assert!(
        out.contains("\n0\t7\t2\t1\tlogos1\t0\tmysql-bin.011742:0000000000003977;-1\ttest\t"),
        "{out}"
    );
    assert!(out.ends_with("restart point: seqno 7 (channel readers resume at 8)\n"));
}

#[test]
fn round_robin_with_unknown_barriers_across_rotated_files() {
    replog_tests::require_corpus!();
    // First appearance: app1 (seqno 0) → 0, #UNKNOWN (2) → 1, schéma (9) → 2,
    // app0 (11) → 0, app2 (13) → 1. #UNKNOWN is critical: barriers entering at 2 and 8
    // and leaving at 6 and 9, four in all, each drained by every channel.
    let args = ["channels", "-channels", "3", "-hash-method", "round-robin"];
    let out = thl_on("synthetic-4.1.0", &args).ok();
    // Channel 0: app1 11 records + app0 4; channel 1: #UNKNOWN 3 + app2 4.
    let expected = task_block(0, 15, 21, "mysql-bin.000003:0000000000001900;39", 4)
        + &task_block(1, 7, 22, "mysql-bin.000003:0000000000002050;39", 4)
        + &task_block(2, 1, 9, "mysql-bin.000003:0000000000000120;\u{e9}", 4);
    assert!(out.starts_with(&expected), "{out}");
    assert!(out.ends_with("restart point: seqno 9 (channel readers resume at 10)\n"));

    let out = thl_on(
        "synthetic-4.1.0",
        &["shards", "-channels", "3", "-hash-method", "round-robin"],
    )
    .ok();
    assert!(out.contains(&shard_block(
        "#UNKNOWN",
        1,
        3,
        8,
        "mysql-bin.000002:0000000000004100;-1",
        true
    )));
}

#[test]
fn string_hash_channels_of_the_synthetic_shards() {
    replog_tests::require_corpus!();
    // N = 3: app0 0, app1 1, app2 2, #UNKNOWN 1301961383 % 3 = 2, schéma
    // 907860699 % 3 = 0.
    let out = thl_on(
        "synthetic-4.1.0-nocrc",
        &["shards", "-channels", "3", "-json"],
    )
    .ok();
    let shards: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(&str, &str, &str, &str)> = shards
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["shardId"].as_str().unwrap(),
                s["channel"].as_str().unwrap(),
                s["eventCount"].as_str().unwrap(),
                s["critical"].as_str().unwrap(),
            )
        })
        .collect();
    // Java order: '#' < 'a' < 's'.
    assert_eq!(
        got,
        [
            ("#UNKNOWN", "2", "3", "true"),
            ("app0", "0", "4", "false"),
            ("app1", "1", "11", "false"),
            ("app2", "2", "4", "false"),
            ("sch\u{e9}ma", "0", "1", "false"),
        ]
    );
}

#[test]
fn high_stops_the_apply() {
    replog_tests::require_corpus!();
    // Up to seqno 5: app1 at 0 and 1, #UNKNOWN at 2 and 3 (the placeholder for 3..5).
    let out = thl_on(
        "synthetic-4.1.0",
        &["shards", "-channels", "1", "-high", "5"],
    )
    .ok();
    let expected = shard_block(
        "#UNKNOWN",
        0,
        2,
        3,
        "mysql-bin.000002:0000000000002500;35",
        true,
    ) + &shard_block(
        "app1",
        0,
        2,
        1,
        "mysql-bin.000002:0000000000001000;-1",
        false,
    );
    assert_eq!(out, expected);
}

#[test]
fn shard_list_pins_and_critical_shards() {
    replog_tests::require_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("shard.list");
    std::fs::write(&list, "# pin test\ntest=2\n(critical)=tungsten_repltest\n").unwrap();
    let out = thl_on(
        "tungsten-3.1.0",
        &[
            "channels",
            "-channels",
            "3",
            "-shard-list",
            list.to_str().unwrap(),
        ],
    )
    .ok();
    // Seqno 0 (tungsten_repltest, channel 0) enters a critical section, seqno 1 (test)
    // leaves it: two barriers.
    let expected = task_block(0, 1, 0, T310_FIRST, 2)
        + &task_block(1, 0, -1, "", 2)
        + &task_block(2, 7, 7, T310_LAST, 2);
    assert!(out.starts_with(&expected), "{out}");
}

#[test]
fn sql_seeds_the_restart_table() {
    replog_tests::require_corpus!();
    // N = 2: both shards on channel 0. 2015-01-10 07:03:02 UTC = 1420848000 + 25382.
    let args = ["channels", "-channels", "2", "-sql", "-service", "repltest"];
    let out = thl_on("tungsten-3.1.0", &args).ok();
    assert_eq!(
        out,
        "START TRANSACTION;\n\
         DELETE FROM `tungsten_repltest`.`trep_commit_seqno`;\n\
         INSERT INTO `tungsten_repltest`.`trep_commit_seqno` (task_id, seqno, fragno, \
         last_frag, source_id, epoch_number, eventid, applied_latency, update_timestamp, \
         shard_id, extract_timestamp) VALUES\n  \
         (0, 7, 0, '1', 'logos1', 0, 'mysql-bin.011743:0000000000003977;52254', 0, NOW(), \
         'test', FROM_UNIXTIME(1420873382)),\n  \
         (1, -1, 0, '1', NULL, -1, NULL, 0, NOW(), NULL, NULL);\n\
         COMMIT;\n"
    );
}

#[test]
fn channels_json_has_task_fields_and_the_row() {
    replog_tests::require_corpus!();
    let out = thl_on("tungsten-2.2.1", &["channels", "-channels", "2", "-json"]).ok();
    let channels: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(channels.as_array().unwrap().len(), 2);
    assert_eq!(channels[0]["eventCount"], "10");
    assert_eq!(channels[0]["trep_commit_seqno"]["fragno"], 2);
    assert_eq!(channels[0]["trep_commit_seqno"]["shard_id"], "test");
    assert_eq!(channels[1]["appliedLastSeqno"], "-1");
    assert_eq!(
        channels[1]["trep_commit_seqno"]["eventid"],
        serde_json::Value::Null
    );
}

#[test]
fn zero_channels_are_refused() {
    replog_tests::require_corpus!();
    let err = thl_on("tungsten-3.1.0", &["shards", "-channels", "0"]).fails();
    assert_eq!(
        err,
        "Fatal error: 0 channels: the channel count must be at least 1 (1 is serial apply; \
         channels are numbered 0..N-1)\n"
    );
}

#[test]
fn out_of_range_shard_list_channel_is_refused() {
    replog_tests::require_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("shard.list");
    std::fs::write(&list, "test=1\ntungsten_repltest=3\n").unwrap();
    let path = list.to_str().unwrap();
    let err = thl_on(
        "tungsten-3.1.0",
        &["shards", "-channels", "3", "-shard-list", path],
    )
    .fails();
    assert_eq!(
        err,
        format!(
            "Fatal error: {path}: line 2: shard 'tungsten_repltest' is placed on channel 3, \
             outside 0..2 for 3 channels (Tungsten would never apply its transactions)\n"
        )
    );
}

#[test]
fn bad_shard_list_lines_name_the_line() {
    replog_tests::require_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("shard.list");
    let path = list.to_str().unwrap();
    for (text, message) in [
        (
            "(hash-method)=random\n",
            "line 1: (hash-method) must be string-hash or round-robin, found 'random'",
        ),
        (
            "# x\ntest=1 \n",
            "line 2: channel of shard 'test' is not an integer: '1 ' (trailing blanks count: \
             Java keeps them in the value)",
        ),
    ] {
        std::fs::write(&list, text).unwrap();
        let err = thl_on(
            "tungsten-3.1.0",
            &["shards", "-channels", "3", "-shard-list", path],
        )
        .fails();
        assert_eq!(err, format!("Fatal error: {path}: {message}\n"));
    }
    let missing = dir.path().join("none.list");
    let err = thl_on(
        "tungsten-3.1.0",
        &[
            "shards",
            "-channels",
            "3",
            "-shard-list",
            missing.to_str().unwrap(),
        ],
    )
    .fails();
    assert!(
        err.starts_with("Fatal error: Shard map file missing or unreadable: "),
        "{err}"
    );
}

#[test]
fn bad_hash_method_option() {
    replog_tests::require_corpus!();
    let err = thl_on(
        "tungsten-3.1.0",
        &["shards", "-channels", "3", "-hash-method", "md5"],
    )
    .fails();
    assert_eq!(
        err,
        "-hash-method must be string-hash or round-robin, found 'md5'\n"
    );
}

#[test]
fn usage_mistakes() {
    replog_tests::require_corpus!();
    assert_eq!(
        thl_on("tungsten-3.1.0", &["shards"]).fails(),
        "shards needs -channels N (the number of parallel-apply channels)\n"
    );
    assert_eq!(
        thl_on("tungsten-3.1.0", &["channels", "-channels", "2", "-sql"]).fails(),
        "-sql needs -service NAME: the rows go to schema tungsten_NAME\n"
    );
    assert_eq!(
        thl_on("tungsten-3.1.0", &["shards", "-channels", "2", "-sql"]).fails(),
        "Unrecognized option: -sql\n"
    );
    assert_eq!(
        thl_on(
            "tungsten-3.1.0",
            &["channels", "-channels", "2", "-low", "3"]
        )
        .fails(),
        "Unrecognized option: -low\n"
    );
}

#[test]
fn negative_hash_channel_is_an_error_naming_the_seqno() {
    use replog::thl::{FileHeader, JavaStr, RecordHeader};
    // polygenelubricants hashes to -2³¹: channel -2 of 3 (spec §1.5).
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = FileHeader::encode(-1).to_vec();
    let mut offsets = Vec::new();
    for (seqno, shard) in [(0, "db1"), (1, "polygenelubricants")] {
        let header = RecordHeader {
            seqno,
            fragno: 0,
            last_frag: true,
            epoch: 0,
            source_id: JavaStr::encode("db").unwrap(),
            event_id: JavaStr::encode("bin.1:1;1").unwrap(),
            shard_id: JavaStr::encode(shard).unwrap(),
            source_tstamp: 0,
        };
        let mut data = Vec::new();
        header.encode(&mut data);
        offsets.push(bytes.len());
        bytes.extend(replog::thl::writer::frame_record(&data, true));
    }
    let file = dir.path().join("thl.data.0000000001");
    std::fs::write(&file, bytes).unwrap();
    let err = thl(&[
        "shards",
        "-channels",
        "3",
        "-dir",
        dir.path().to_str().unwrap(),
    ])
    .fails();
    assert_eq!(
        err,
        format!(
            "Fatal error: seqno 1 (file={} offset={}): shard 'polygenelubricants' hashes to \
             -2147483648, whose abs() stays negative: channel -2 for 3 channels, which \
             Tungsten never applies; pin the shard in shard.list or use a power-of-two \
             channel count\n",
            file.display(),
            offsets[1]
        )
    );
    // With 4 channels it is channel 0.
    let out = thl(&[
        "shards",
        "-channels",
        "4",
        "-dir",
        dir.path().to_str().unwrap(),
    ])
    .ok();
    assert!(out.contains("channel           : 0\ncritical          : false\neventCount        : 1\nshardId           : polygenelubricants\n"), "{out}");
}

#[test]
fn permissive_prints_the_view_then_fails_with_the_count() {
    replog_tests::require_corpus!();
    // Seqno 3 of tungsten-3.1.0 is the record at 3086 (1416 bytes): flipping a byte of
    // its payload breaks its CRC, so permissive reading skips it.
    let copy = common::copy_fixture("tungsten-3.1.0");
    let file = copy.path().join("thl.data.0000000001");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[3086 + 200] ^= 0xFF;
    std::fs::write(&file, bytes).unwrap();
    let dir = copy.path().to_str().unwrap();
    let run = thl(&["shards", "-channels", "3", "-permissive", "-dir", dir]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        shard_block("test", 1, 6, 7, T310_LAST, false)
            + &shard_block("tungsten_repltest", 0, 1, 0, T310_FIRST, false)
    );
    assert!(run.stderr.starts_with("WARN "), "{}", run.stderr);
    assert!(
        run.stderr
            .ends_with("ERROR 1 problem reported (-permissive)\n"),
        "{}",
        run.stderr
    );
    // Strict reading stops at the damage.
    let err = thl(&["shards", "-channels", "3", "-dir", dir]).fails();
    assert!(err.starts_with("Fatal error: "), "{err}");
}

#[test]
fn round_robin_sql_also_rewrites_the_shard_channel_table() {
    replog_tests::require_corpus!();
    // The first-appearance channels of the round-robin test above, in Java order;
    // `schéma` is not plain ASCII, so it is written in hex (UTF-8 73 63 68 C3A9 6D 61).
    let args = [
        "channels",
        "-channels",
        "3",
        "-hash-method",
        "round-robin",
        "-sql",
        "-service",
        "alpha",
    ];
    let out = thl_on("synthetic-4.1.0", &args).ok();
    assert!(
        out.ends_with(
            "DELETE FROM `tungsten_alpha`.`trep_shard_channel`;\n\
             INSERT INTO `tungsten_alpha`.`trep_shard_channel` (shard_id, channel) VALUES\n  \
             ('#UNKNOWN', 1),\n  \
             ('app0', 0),\n  \
             ('app1', 0),\n  \
             ('app2', 1),\n  \
             (X'736368C3A96D61', 2);\n\
             COMMIT;\n"
        ),
        "{out}"
    );
    // The row of channel 2 is schéma's seqno 9, whose source id h U+0000 s t é 😀 is
    // written in hex (68 00 73 74 C3A9 F09F9880); 2015-01-01 00:00:07 UTC is
    // 1420070400 + 7.
    assert!(
        out.contains("\n  (2, 9, 0, '1', X'68007374C3A9F09F9880', 3, X'"),
        "{out}"
    );
    assert!(
        out.contains(", 0, NOW(), X'736368C3A96D61', FROM_UNIXTIME(1420070407));\n"),
        "{out}"
    );
}
