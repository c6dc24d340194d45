//! A stream fed by a replication connection, one event at a time, through the same
//! per-event work as a file walk.

use crate::binlog::event::Event;
use crate::binlog::event_type::EventType;
use crate::binlog::events::format_description::FormatDescription;
use crate::binlog::reader::{frame_checked, RawEvent, ReadOptions};
use crate::binlog::rows::TableMaps;
use crate::binlog::{sequence, BinlogError, ChecksumAlg, FormatContext};
use crate::error::{Error, ErrorKind};
use crate::input::OpenOptions;
use crate::Flow;

use super::{Place, Stream, Visit, Walk};

/// A stream fed one event at a time, as a replication connection delivers them (each
/// packet one event: common header, body, checksum). It keeps what [`Stream`] keeps
/// across events (the format context, table maps) and hands each event to the visitor
/// through the same decoding and payload expansion; the file name and positions come
/// from the events themselves: a ROTATE names the file the following events belong to,
/// and each header's `log_pos` is where the next event of the file starts.
///
/// What a server makes up rather than reads from its file is not visited: artificial
/// ROTATEs (they only name the file), heartbeats, and any other event with `log_pos` 0
/// except the format description (always at offset 4, sent again whenever a stream
/// starts inside a file; its zeroed `log_pos` is given back its value in the file).
#[derive(Debug)]
pub struct Feed {
    read: ReadOptions,
    /// What the replica announced (see [`Feed::new`]).
    checksum: ChecksumAlg,
    ctx: FormatContext,
    maps: TableMaps<'static>,
    log_name: String,
    file_index: usize,
    next_position: u64,
    origin: Option<String>,
}

/// Where the FDE of every v4 file sits: right after the 4-byte magic.
const FDE_OFFSET: u64 = 4;

impl Feed {
    /// A feed that reads with `read` (strict or permissive, checksums verified or not).
    /// `checksum` is what the replica announced to the server (`@master_binlog_checksum`):
    /// the events sent before the first format description (the artificial ROTATE)
    /// carry it. Until a ROTATE names one, events are placed in a file called
    /// `<unnamed>`.
    pub fn new(read: ReadOptions, checksum: ChecksumAlg) -> Feed {
        let mut ctx = FormatContext::v4_default();
        ctx.checksum = checksum;
        Feed {
            read,
            checksum,
            ctx,
            maps: TableMaps::new(),
            log_name: "<unnamed>".to_string(),
            file_index: 0,
            next_position: FDE_OFFSET,
            origin: None,
        }
    }

    /// Names where the events come from (a server's address) in front of the file name
    /// in every error the feed finds: `mysql://repl@db1:3306, mariadb-bin.000003`, so a
    /// bad event is traced to the server as well as to its file and position.
    pub fn with_origin(mut self, origin: &str) -> Feed {
        self.origin = Some(origin.to_string());
        self
    }

    /// The file the next event belongs to, as the server names it.
    pub fn log_name(&self) -> &str {
        &self.log_name
    }

    /// Where the next event of the file starts (after the last event fed).
    pub fn next_position(&self) -> u64 {
        self.next_position
    }

    /// The format context in force (from the last format description).
    pub fn context(&self) -> &FormatContext {
        &self.ctx
    }

    /// A new stream follows (a replication client reconnected): what the last one
    /// taught is forgotten (format description, table maps), as the new stream starts
    /// with its own, while the file and position reached stay, so that file indexes
    /// keep counting and messages keep naming where the reader is.
    pub fn restart(&mut self) {
        self.ctx = FormatContext::v4_default();
        self.ctx.checksum = self.checksum;
        self.maps = TableMaps::new();
    }

    /// Frames, checks and decodes one event and visits it (and, for a payload event,
    /// the events packed in it). Strict: a problem is returned; permissive: reported,
    /// and the event is left out.
    pub fn event<E: From<Error>>(
        &mut self,
        bytes: &[u8],
        visit: &mut Visit<'_, E>,
        report: &mut dyn FnMut(Error),
    ) -> Result<Flow, E> {
        let mut walk = Walk {
            stream: Stream {
                read: self.read,
                open: OpenOptions::default(),
                start_position: 0,
                stop_position: None,
            },
            visit,
            report,
        };
        let framed =
            frame_checked(bytes, 0, &self.ctx, true, self.read.verify_checksums).and_then(|fr| {
                if fr.size == bytes.len() {
                    Ok(fr)
                } else {
                    Err(BinlogError::EventSizeMismatch {
                        event_size: fr.header.event_size,
                        received: bytes.len() as u64,
                    })
                }
            });
        let fr = match framed {
            Ok(fr) => fr,
            Err(e) => {
                walk.problem(self.error(e))?;
                return Ok(Flow::Continue);
            }
        };
        let raw = RawEvent {
            offset: 0,
            header: fr.header,
            event_type: fr.event_type,
            body: fr.body,
            checksum_ok: fr.checksum_ok,
        };
        let log_pos = u64::from(raw.header.log_pos);
        let size = u64::from(raw.header.event_size);
        let offset = match raw.event_type {
            EventType::FORMAT_DESCRIPTION => {
                match FormatDescription::parse(raw.body)
                    .map_err(|c| BinlogError::body(raw.event_type, FDE_OFFSET, raw.body, c))
                    .and_then(|fde| fde.context())
                {
                    Ok(ctx) => self.ctx = ctx,
                    Err(e) => {
                        walk.problem(self.error(e))?;
                        return Ok(Flow::Continue);
                    }
                }
                FDE_OFFSET
            }
            EventType::ROTATE if !sequence::names_next_file(&raw.header) => {
                if let Ok(Event::Rotate(r)) = raw.decode(&self.ctx) {
                    self.enter(String::from_utf8_lossy(r.next_file).into_owned());
                    self.next_position = r.position;
                }
                return Ok(Flow::Continue);
            }
            EventType::HEARTBEAT | EventType::HEARTBEAT_V2 => return Ok(Flow::Continue),
            _ if log_pos == 0 => return Ok(Flow::Continue),
            _ => log_pos.saturating_sub(size),
        };
        let mut raw = RawEvent { offset, ..raw };
        let resent_fde = raw.event_type == EventType::FORMAT_DESCRIPTION && log_pos == 0;
        if resent_fde {
            // A stream that starts inside a file gets the FDE with `log_pos` zeroed (so
            // a replica does not take it for its position); the file has the real one.
            raw.header.log_pos = (FDE_OFFSET + size) as u32;
        }
        let log_name = self.log_name.clone();
        let place = Place {
            file: &log_name,
            file_index: self.file_index,
            log_name: &log_name,
            offset,
            next_position: offset + size,
        };
        if !resent_fde {
            // The stream goes on where it was asked to start, not after the FDE.
            self.next_position = place.next_position;
        }
        let delivered =
            walk.deliver(&place, &raw, &self.ctx, &mut self.maps, |t| t.into_owned())?;
        if let Some(next) = delivered.rotate_to {
            if sequence::names_next_file(&raw.header) {
                self.enter(next);
                self.next_position = FDE_OFFSET;
            }
        }
        Ok(delivered.flow)
    }

    /// The events that follow belong to `log_name`: a new file has its own table maps.
    fn enter(&mut self, log_name: String) {
        if log_name != self.log_name {
            self.file_index += 1;
            self.log_name = log_name;
            self.maps = TableMaps::new();
        }
    }

    fn error(&self, e: BinlogError) -> Error {
        let input = match &self.origin {
            Some(origin) => format!("{origin}, {}", self.log_name),
            None => self.log_name.clone(),
        };
        Error::new(input, self.next_position, ErrorKind::Binlog(e))
    }
}
