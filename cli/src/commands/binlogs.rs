//! What `list -file BINLOG…` and `extract` share: how binary logs are read and tagged
//! as THL transactions.

use replog::binlog::stream::{sequence_of, Stream};
use replog::binlog::{ParseMode, ReadOptions};
use replog::txn::extract::ExtractOptions;

use super::open_options;
use crate::args::{Invocation, Tagging};
use crate::failure::Failure;

/// The fragment size of Tungsten's MySQL extractor template
/// (`replicator.extractor.dbms.transaction_frag_size`).
pub const DEFAULT_FRAGMENT_SIZE: u64 = 1_000_000;

/// The service `list` tags binary logs with when `-service` is not given.
pub const DEFAULT_SERVICE: &str = "replog";

/// The files named (files, directories, `*.index` files), in order.
pub fn files(names: &[String]) -> Result<Vec<String>, Failure> {
    Ok(sequence_of(names)?)
}

/// The stream over the binary logs: checksums verified unless `-no-checksum`, strict
/// unless `-permissive`.
pub fn stream(invocation: &Invocation) -> Result<Stream, Failure> {
    let mut stream = Stream::new(open_options()?);
    stream.read = ReadOptions::default()
        .mode(if invocation.permissive {
            ParseMode::Permissive
        } else {
            ParseMode::Strict
        })
        .verify_checksums(!invocation.no_checksum);
    Ok(stream)
}

/// Where an existing log continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Continuation {
    /// The next seqno.
    pub seqno: i64,
    /// The log's epoch.
    pub epoch: i64,
}

/// Extraction tags from the options: a new log starts at `-seqno-start` (default 0),
/// its epoch that seqno; a continued one goes on from its last transaction.
pub fn extract_options(
    invocation: &Invocation,
    tagging: &Tagging,
    service: &str,
    continuation: Option<Continuation>,
) -> ExtractOptions {
    let start = tagging.seqno_start.unwrap_or(0);
    let Continuation { seqno, epoch } = continuation.unwrap_or(Continuation {
        seqno: start,
        epoch: start,
    });
    ExtractOptions {
        service: service.to_string(),
        source_id: tagging.source_id.clone().unwrap_or_else(host_name),
        first_seqno: seqno,
        epoch,
        fragment_size: tagging.fragment_size.unwrap_or(DEFAULT_FRAGMENT_SIZE),
        checksums: true,
        permissive: invocation.permissive,
    }
}

/// The machine's host name (Tungsten's default source id).
fn host_name() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}
