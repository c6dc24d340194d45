//! The work a walk does per file and per event, shared by every way of reading (whole
//! files, windows, pieces, a fed stream): framing, decoding, payload expansion, table
//! maps, and how a file ends.

use crate::binlog::event::Event;
use crate::binlog::event_type::EventType;
use crate::binlog::events::transaction_payload::InnerEvents;
use crate::binlog::header::{FLAG_BINLOG_IN_USE, HEADER_LEN};
use crate::binlog::reader::{Frames, ParseMode, RawEvent};
use crate::binlog::rows::{TableMap, TableMaps};
use crate::binlog::{sequence, BinlogError, FormatContext};
use crate::decode::DecodeError;
use crate::error::{Error, ErrorKind};
use crate::input::{LogBytes, LogWindow, ReleaseBehind, BINLOG_MAGIC};
use crate::Flow;

use super::files::log_name;
use super::pieces::Piece;
use super::{Delivered, EventSite, FileEnd, FileWalk, Place, Walk};

impl<E: From<Error>> Walk<'_, '_, E> {
    fn permissive(&self) -> bool {
        self.stream.read.mode == ParseMode::Permissive
    }

    /// Strict: the error ends the walk. Permissive: reported, and the walk goes on.
    pub(super) fn problem(&mut self, err: Error) -> Result<(), E> {
        if self.permissive() {
            (self.report)(err);
            Ok(())
        } else {
            Err(E::from(err))
        }
    }

    fn body_error(name: &str, raw: &RawEvent<'_>, header_len: usize, cause: DecodeError) -> Error {
        let body_at = raw.offset + header_len as u64;
        Error::new(
            name,
            raw.offset,
            ErrorKind::Binlog(BinlogError::body(raw.event_type, body_at, raw.body, cause)),
        )
    }

    /// Walks one file held whole (mapped or in memory): its table maps borrow from it.
    /// Its pages are unmapped behind the walk as it goes.
    pub(super) fn file(&mut self, bytes: &LogBytes, file: FileWalk) -> Result<FileEnd, E> {
        let name = bytes.name();
        let frames = match Frames::new(name, bytes.bytes(), self.stream.read) {
            Ok(f) => f,
            Err(e) => {
                self.problem(e)?;
                return Ok(FileEnd::default());
            }
        };
        self.stretch(
            Piece {
                log: bytes,
                log_name: log_name(name),
                frames,
                maps: TableMaps::new(),
                walk: file,
                ends_file: true,
                ahead: &[],
            },
            true,
        )
    }

    /// Walks a stretch of one file held whole: the whole file, or one piece of it (see
    /// [`Pieces`](super::pieces::Pieces)), from the state the walk had reached at its first event. The pages it
    /// has read are unmapped as it goes when `release_as_it_goes` (a serial walk), at
    /// its end otherwise (a piece: see [`ReleaseBehind`]).
    pub(super) fn stretch(
        &mut self,
        piece: Piece<'_>,
        release_as_it_goes: bool,
    ) -> Result<FileEnd, E> {
        let Piece {
            log,
            log_name,
            mut frames,
            mut maps,
            walk: mut file,
            ends_file,
            ahead: _,
        } = piece;
        let name = log.name();
        let mut behind = if release_as_it_goes {
            ReleaseBehind::new(log, frames.position())
        } else {
            ReleaseBehind::when_done(log, frames.position())
        };
        let walked = loop {
            // A piece ends where the next starts, before framing what lies there (it
            // may be damage, the next piece's to report).
            if !ends_file && file.stop.is_some_and(|stop| frames.position() >= stop) {
                break Ok(false);
            }
            let Some(item) = frames.next() else {
                break Ok(true);
            };
            let site = (name, log_name.as_str());
            match self.item(&mut file, site, item, frames.context(), &mut maps, |t| t) {
                Ok(Flow::Continue) => behind.passed(frames.position()),
                Ok(Flow::Stop) => break Ok(false),
                Err(e) => break Err(e),
            }
        };
        behind.passed_all(frames.position());
        if walked? && ends_file {
            self.finish_file(name, log.bytes().len() as u64, file)
        } else {
            Ok(file.end)
        }
    }

    /// Walks one file read through a window (a pipe, a compressed file), one event at a
    /// time: each event borrows from the window while it is visited, and the table
    /// maps that must outlive it are copied. A read that fails (a cut `.gz` file) ends
    /// the input where its readable bytes stop, and is reported after their events (as
    /// the event it cuts short, when there is one).
    pub(super) fn streamed_file(
        &mut self,
        mut window: LogWindow,
        mut file: FileWalk,
    ) -> Result<FileEnd, E> {
        let name = window.name().to_string();
        let log_name = log_name(&name);
        let max_event = self.stream.open.max_in_memory;
        window.fill_to((BINLOG_MAGIC.len() + HEADER_LEN) as u64);
        file.damage = window.take_damage();
        let first = Frames::windowed(
            &*name,
            window.bytes(),
            window.is_complete(),
            self.stream.read,
            max_event,
        );
        let mut state = match first {
            Ok(frames) => frames.detach(),
            Err(e) => {
                self.problem(file.damage.take().unwrap_or(e))?;
                return Ok(FileEnd::default());
            }
        };
        let mut maps = TableMaps::new();
        loop {
            let mut frames = state.attach(window.bytes(), window.base(), window.is_complete());
            if let Some(wanted) = frames.wants().filter(|&end| end > window.end()) {
                state = frames.detach();
                window.fill_to(wanted);
                if let Some(damage) = window.take_damage() {
                    file.damage = Some(damage);
                }
                continue;
            }
            // A queued item borrows the window: it is taken before the window moves.
            let mut ended = false;
            loop {
                let Some(item) = frames.next() else {
                    ended = true;
                    break;
                };
                let site = (name.as_str(), log_name.as_str());
                let keep = TableMap::into_owned;
                if self.item(&mut file, site, item, frames.context(), &mut maps, keep)?
                    == Flow::Stop
                {
                    return Ok(file.end);
                }
                if !frames.has_queued() {
                    break;
                }
            }
            state = frames.detach();
            if ended {
                break;
            }
            window.discard_before(state.position());
        }
        self.finish_file(&name, window.end(), file)
    }

    /// One item framed in a file: an event is checked against the range, remembered
    /// as what the file ends with, and delivered; an error is a problem (the cut that a
    /// damaged compressed stream causes is reported as that damage). `keep` turns a
    /// table map borrowed from the event into one the registry can hold. Returns
    /// `Stop` when the file's walk ends here.
    fn item<'e, 'm>(
        &mut self,
        file: &mut FileWalk,
        (name, log_name): (&str, &str),
        item: Result<RawEvent<'e>, Error>,
        ctx: &FormatContext,
        maps: &mut TableMaps<'m>,
        keep: impl Fn(TableMap<'e>) -> TableMap<'m> + Copy,
    ) -> Result<Flow, E> {
        let end = &mut file.end;
        let raw = match item {
            Ok(raw) => raw,
            Err(e) => {
                end.last_event = None;
                let cut = matches!(e.kind, ErrorKind::Binlog(BinlogError::Truncated { .. }));
                if let (true, Some(damage)) = (cut, file.damage.take()) {
                    self.problem(damage)?;
                    return Ok(Flow::Stop);
                }
                self.problem(e)?;
                return Ok(Flow::Continue);
            }
        };
        if file.stop.is_some_and(|stop| raw.offset >= stop) {
            end.stopped = true;
            return Ok(Flow::Stop);
        }
        end.closed = matches!(raw.event_type, EventType::ROTATE | EventType::STOP);
        end.rotate_to = None;
        end.last_event = Some((raw.offset, raw.event_type));
        let is_fde = raw.event_type == EventType::FORMAT_DESCRIPTION;
        if is_fde {
            end.in_use = raw.header.flags & FLAG_BINLOG_IN_USE != 0;
            end.described = true;
        }
        if raw.offset < file.start && !is_fde {
            remember_maps(&raw, ctx, maps, keep);
            return Ok(Flow::Continue);
        }
        let place = Place {
            file: name,
            file_index: file.index,
            log_name,
            offset: raw.offset,
            next_position: raw.end_offset(),
        };
        let delivered = self.deliver(&place, &raw, ctx, maps, keep)?;
        if let Some(next) = delivered.rotate_to {
            if sequence::names_next_file(&raw.header) {
                file.end.rotate_to = Some((raw.offset, next));
            }
        }
        if delivered.flow == Flow::Stop {
            file.end.stopped = true;
        }
        Ok(delivered.flow)
    }

    /// A file read to its end: damage that ended its input is reported after its
    /// events; otherwise it must end as a closed log does.
    fn finish_file(&mut self, name: &str, len: u64, mut file: FileWalk) -> Result<FileEnd, E> {
        match file.damage.take() {
            Some(damage) => self.problem(damage)?,
            None => self.check_closed(name, len, &file.end)?,
        }
        Ok(file.end)
    }

    /// A file read to its end without a problem there must end as a server leaves a
    /// log it closed, with ROTATE or STOP: a closed one (in-use flag clear) that does
    /// not was cut at an event boundary, which framing alone cannot see. One still in
    /// use is not reported: the server may be writing it.
    fn check_closed(&mut self, name: &str, len: u64, end: &FileEnd) -> Result<(), E> {
        match end.last_event {
            Some(last_event) if end.described && !end.in_use && !end.closed => {
                self.problem(Error::new(
                    name,
                    len,
                    ErrorKind::Binlog(BinlogError::Unclosed { last_event }),
                ))
            }
            _ => Ok(()),
        }
    }

    /// What every framed event goes through, whatever its source (a file, or a server
    /// sending one event at a time): decoding, the visit, then what it leaves for later
    /// events (its table map, or the events packed in its payload). `keep` turns a table
    /// map borrowed from the event into one the registry can hold (the identity for a
    /// file in memory, a copy for an event whose bytes go away).
    pub(super) fn deliver<'e, 'm>(
        &mut self,
        place: &Place<'_>,
        raw: &RawEvent<'e>,
        ctx: &FormatContext,
        maps: &mut TableMaps<'m>,
        keep: impl FnOnce(TableMap<'e>) -> TableMap<'m>,
    ) -> Result<Delivered, E> {
        let mut delivered = Delivered {
            flow: Flow::Continue,
            rotate_to: None,
        };
        let site = EventSite {
            file: place.file,
            file_index: place.file_index,
            log_name: place.log_name,
            offset: place.offset,
            next_position: place.next_position,
            inner_offset: None,
            header: &raw.header,
            event_type: raw.event_type,
            body: raw.body,
            checksum_ok: raw.checksum_ok,
            header_len: ctx.header_len,
            context: ctx,
        };
        if raw.event_type == EventType::TABLE_MAP {
            // A table's map comes again before each statement that changes the table,
            // mostly byte for byte: the map held already is what decoding would give. It
            // is lent to the visit as the event and then held again, neither decoded
            // nor copied.
            if let Some(held) = maps.take_held(raw.body, ctx) {
                let event = Event::TableMap(Box::new(held));
                let visited = (self.visit)(&site, &event, maps);
                if let Event::TableMap(map) = event {
                    maps.put_back(*map);
                }
                if visited? == Flow::Stop {
                    delivered.flow = Flow::Stop;
                }
                return Ok(delivered);
            }
        }
        let event = match raw.decode(ctx) {
            Ok(event) => event,
            Err(cause) => {
                self.problem(Self::body_error(place.file, raw, ctx.header_len, cause))?;
                return Ok(delivered);
            }
        };
        if let Event::Rotate(r) = &event {
            delivered.rotate_to = Some(String::from_utf8_lossy(r.next_file).into_owned());
        }
        if (self.visit)(&site, &event, maps)? == Flow::Stop {
            delivered.flow = Flow::Stop;
            return Ok(delivered);
        }
        match event {
            Event::TableMap(t) => {
                maps.insert_decoded(keep(*t), raw.body, ctx);
            }
            Event::TransactionPayload(p) => {
                let inflated = match p.decompress() {
                    Ok(b) => b,
                    Err(cause) => {
                        self.problem(Self::body_error(place.file, raw, ctx.header_len, cause))?;
                        return Ok(delivered);
                    }
                };
                delivered.flow = self.payload(&site, &inflated, ctx, maps)?;
            }
            _ => {}
        }
        Ok(delivered)
    }

    /// The events packed in one `TRANSACTION_PAYLOAD_EVENT`.
    fn payload(
        &mut self,
        outer: &EventSite<'_>,
        inflated: &[u8],
        ctx: &FormatContext,
        maps: &mut TableMaps<'_>,
    ) -> Result<Flow, E> {
        let located = |e: crate::binlog::InnerEventError| {
            Error::new(
                outer.file,
                outer.offset,
                ErrorKind::Binlog(BinlogError::InPayload {
                    inner_offset: e.inner_offset,
                    cause: Box::new(e.error),
                }),
            )
        };
        for item in InnerEvents::new(inflated, ctx) {
            let inner = match item {
                Ok(i) => i,
                Err(e) => {
                    self.problem(located(e))?;
                    return Ok(Flow::Continue);
                }
            };
            let event = match inner.decode(ctx) {
                Ok(ev) => ev,
                Err(e) => {
                    self.problem(located(e))?;
                    continue;
                }
            };
            let site = EventSite {
                inner_offset: Some(inner.inner_offset),
                header: &inner.header,
                event_type: inner.event_type,
                body: inner.body,
                checksum_ok: None,
                ..*outer
            };
            if (self.visit)(&site, &event, maps)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
            if let Event::TableMap(t) = event {
                maps.insert((*t).into_owned());
            }
        }
        Ok(Flow::Continue)
    }
}

/// Before the start position only table maps matter (directly or inside a payload);
/// one that does not decode is left out, as the events it serves are not read either.
pub(super) fn remember_maps<'a, 'm>(
    raw: &RawEvent<'a>,
    ctx: &FormatContext,
    maps: &mut TableMaps<'m>,
    keep: impl FnOnce(TableMap<'a>) -> TableMap<'m>,
) {
    match raw.event_type {
        EventType::TABLE_MAP => {
            if maps.held_for(raw.body, ctx).is_some() {
                // Decoding it again would give the map held: the pass that cuts a file
                // into pieces (serial) skips most of its table maps this way.
                return;
            }
            if let Ok(Event::TableMap(t)) = raw.decode(ctx) {
                maps.insert_decoded(keep(*t), raw.body, ctx);
            }
        }
        EventType::TRANSACTION_PAYLOAD => {
            let Ok(Event::TransactionPayload(p)) = raw.decode(ctx) else {
                return;
            };
            let Ok(inflated) = p.decompress() else {
                return;
            };
            for inner in InnerEvents::new(&inflated, ctx).map_while(Result::ok) {
                if let Ok(Event::TableMap(t)) = inner.decode(ctx) {
                    maps.insert((*t).into_owned());
                }
            }
        }
        _ => {}
    }
}
