//! Framing, checksums and iteration over a whole binary log held in memory.
//!
//! [`Frames`] walks a `&[u8]` that starts with the magic and yields one [`RawEvent`]
//! per event (header, body, checksum verdict), following the format description events
//! but decoding no other body: the fast path for scans. [`Reader`] adds the decoded
//! [`Event`] to each. Neither allocates per event: headers are read in place, the CRC32
//! is computed over the event bytes, and decoded bodies borrow from the input.
//!
//! Strict mode (the default) stops at the first error. Permissive mode reports every
//! problem and carries on: after a body that does not decode it continues with the next
//! event (the framing is intact); after damaged framing it yields the error, then a
//! [`BinlogError::Skipped`] naming where it resynchronised on the next plausible event
//! header. An event that runs past the end of the input is reported with its own error
//! ([`BinlogError::Truncated`]), because the file may simply still be being written;
//! strict mode stops there, permissive mode continues only if a sane event follows
//! (then the size field was damaged).

use crate::error::{Error, ErrorKind, InMemory};
use crate::input::BINLOG_MAGIC;

use super::context::{ChecksumAlg, FormatContext, CHECKSUM_ALG_CRC32};
use super::event::{decode, Event};
use super::event_type::EventType;
use super::events::format_description::{checksum_field_len, FormatDescription};
use super::events::mariadb_start_encryption::StartEncryption;
use super::events::start_v3::StartV3;
use super::header::{EventHeader, FLAG_BINLOG_IN_USE, HEADER_LEN};
use super::BinlogError;

/// Offset of the (little-endian) flags in the v4 header.
const FLAGS_OFFSET: usize = 17;
/// How far past damage a window over a streamed log reaches to find the next event
/// (permissive mode): a damaged region longer than this is reported again where the
/// search stopped.
const RESYNC_LOOKAHEAD: u64 = 1 << 20;
/// Length of the CRC32 after each event body.
const CHECKSUM_LEN: usize = 4;
/// Smallest START_EVENT_V3 of a v3 log (19-byte header + 56-byte body); a shorter one
/// comes from a v1 (13-byte header) log, as the servers decide it.
const START_V3_MIN_V3: u32 = 75;

/// How a [`Reader`] reacts to problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParseMode {
    /// Stop at the first error.
    #[default]
    Strict,
    /// Report every problem and continue with the next readable event.
    Permissive,
}

/// Options of a [`Reader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Strict or permissive.
    pub mode: ParseMode,
    /// Verify CRC32 checksums (on by default). When off, checksums are still removed
    /// from the bodies and `checksum_ok` is `None`.
    pub verify_checksums: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            mode: ParseMode::Strict,
            verify_checksums: true,
        }
    }
}

impl ReadOptions {
    /// Permissive mode with checksum verification.
    pub fn permissive() -> Self {
        ReadOptions {
            mode: ParseMode::Permissive,
            ..ReadOptions::default()
        }
    }

    /// Sets the mode.
    pub fn mode(mut self, mode: ParseMode) -> Self {
        self.mode = mode;
        self
    }

    /// Turns checksum verification on or off.
    pub fn verify_checksums(mut self, on: bool) -> Self {
        self.verify_checksums = on;
        self
    }
}

/// One framed event, body not decoded.
#[derive(Debug, Clone, Copy)]
pub struct RawEvent<'a> {
    /// Absolute offset of the event's first byte.
    pub offset: u64,
    /// The common header as stored.
    pub header: EventHeader,
    /// The canonical type (differs from `header.type_code` only in pre-GA 5.1 logs).
    pub event_type: EventType,
    /// The body: after the common header, before the checksum.
    pub body: &'a [u8],
    /// `Some(true)` when a CRC32 was verified, `Some(false)` when it did not match
    /// (permissive mode only), `None` when there is no checksum or it was not checked.
    pub checksum_ok: Option<bool>,
}

impl<'a> RawEvent<'a> {
    /// Offset just past this event (where the next one starts).
    pub fn end_offset(&self) -> u64 {
        self.offset + u64::from(self.header.event_size)
    }

    /// Decodes the body with `ctx` (the context in force where the event was read, e.g.
    /// [`Frames::context`] right after it was yielded).
    pub fn decode(&self, ctx: &FormatContext) -> Result<Event<'a>, crate::decode::DecodeError> {
        decode(self.event_type, &self.header, self.body, ctx)
    }

    /// Copies the event out of the input, to keep it after the input is gone.
    pub fn to_owned_event(&self) -> OwnedEvent {
        OwnedEvent {
            offset: self.offset,
            header: self.header,
            event_type: self.event_type,
            body: self.body.to_vec(),
            checksum_ok: self.checksum_ok,
        }
    }
}

/// An event copied out of its input ("own on request"): decoded events borrow from
/// the body held here, so keeping one alive costs one allocation, not one per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedEvent {
    /// Absolute offset of the event's first byte.
    pub offset: u64,
    /// The common header as stored.
    pub header: EventHeader,
    /// The canonical type.
    pub event_type: EventType,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The checksum verdict when it was read.
    pub checksum_ok: Option<bool>,
}

impl OwnedEvent {
    /// The event as a borrowed [`RawEvent`].
    pub fn as_raw(&self) -> RawEvent<'_> {
        RawEvent {
            offset: self.offset,
            header: self.header,
            event_type: self.event_type,
            body: &self.body,
            checksum_ok: self.checksum_ok,
        }
    }

    /// Decodes the body with `ctx` (the context in force where the event was read).
    pub fn decode(&self, ctx: &FormatContext) -> Result<Event<'_>, crate::decode::DecodeError> {
        self.as_raw().decode(ctx)
    }
}

/// One event and where it was found: the framing as [`Frames`] yields it, plus the
/// decoded body.
#[derive(Debug, Clone)]
pub struct EventAt<'a> {
    /// Where the event is and how it was framed: offset, header, canonical type, body
    /// bytes and checksum verdict.
    pub raw: RawEvent<'a>,
    /// The decoded body.
    pub event: Event<'a>,
}

impl EventAt<'_> {
    /// Offset just past this event (where the next one starts).
    pub fn end_offset(&self) -> u64 {
        self.raw.end_offset()
    }

    /// Copies the event out of the input (see [`OwnedEvent`]).
    pub fn to_owned_event(&self) -> OwnedEvent {
        self.raw.to_owned_event()
    }
}

/// An event's bytes split into header, body and checksum.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame<'a> {
    pub header: EventHeader,
    pub event_type: EventType,
    pub body: &'a [u8],
    pub checksum_ok: Option<bool>,
    pub size: usize,
}

/// Splits the event at `pos`. `checksums` says whether events carry the context's
/// checksum (false inside transaction payloads); `verify` whether to check it.
pub(crate) fn frame_checked<'a>(
    data: &'a [u8],
    pos: usize,
    ctx: &FormatContext,
    checksums: bool,
    crc: CrcCheck,
) -> Result<Frame<'a>, BinlogError> {
    let rest = data.get(pos..).unwrap_or(&[]);
    let hl = ctx.header_len;
    let truncated = |needed: usize| BinlogError::Truncated {
        needed: needed as u64,
        available: rest.len() as u64,
    };
    let header = EventHeader::parse(rest, hl).ok_or_else(|| truncated(hl))?;
    let size = usize::try_from(header.event_size).unwrap_or(usize::MAX);
    let event_type = ctx.canonical_type(header.type_code);
    let is_fde = event_type == EventType::FORMAT_DESCRIPTION;
    let trailer = if checksums && !is_fde && ctx.checksum == ChecksumAlg::Crc32 {
        CHECKSUM_LEN
    } else {
        0
    };
    if size < hl + trailer {
        return Err(BinlogError::EventTooSmall {
            event_size: header.event_size,
            minimum: (hl + trailer) as u32,
        });
    }
    let raw = rest.get(..size).ok_or_else(|| truncated(size))?;
    let raw_body = &raw[hl..];
    // The FDE carries its own algorithm: the checksum field is present from MySQL
    // 5.6.1 / MariaDB 5.3 on, and holds a CRC32 only when the algorithm byte says so.
    let (body_len, crc_present) = if is_fde {
        let field = if checksums {
            checksum_field_len(raw_body)
        } else {
            0
        };
        let body_len = raw_body.len().saturating_sub(field);
        let alg = body_len.checked_sub(1).and_then(|i| raw_body.get(i));
        (
            body_len,
            field == CHECKSUM_LEN && alg == Some(&CHECKSUM_ALG_CRC32),
        )
    } else {
        (raw_body.len() - trailer, trailer == CHECKSUM_LEN)
    };
    let body = &raw_body[..body_len];
    let checksum_ok = if crc_present && crc == CrcCheck::Known {
        Some(true)
    } else if crc_present && crc == CrcCheck::Compute {
        let stored_at = size - CHECKSUM_LEN;
        let stored = u32::from_le_bytes([
            raw[stored_at],
            raw[stored_at + 1],
            raw[stored_at + 2],
            raw[stored_at + 3],
        ]);
        let computed = crc32(&raw[..stored_at], is_fde && hl == HEADER_LEN);
        if stored != computed {
            return Err(BinlogError::ChecksumMismatch { stored, computed });
        }
        Some(true)
    } else {
        None
    };
    Ok(Frame {
        header,
        event_type,
        body,
        checksum_ok,
        size,
    })
}

/// What framing does with an event's CRC32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CrcCheck {
    /// Not verified: the frame's `checksum_ok` is `None`.
    Skip,
    /// Computed and compared with the stored one.
    Compute,
    /// Verified by an earlier pass over the same bytes (the pass that cut the file into
    /// pieces): reported good without computing it again.
    Known,
}

impl CrcCheck {
    /// `Compute` when `verify`, else `Skip`.
    pub(crate) fn verify_if(verify: bool) -> CrcCheck {
        if verify {
            CrcCheck::Compute
        } else {
            CrcCheck::Skip
        }
    }
}

/// [`frame_checked`] with verification on.
pub(crate) fn frame<'a>(
    data: &'a [u8],
    pos: usize,
    ctx: &FormatContext,
    checksums: bool,
) -> Result<Frame<'a>, BinlogError> {
    frame_checked(data, pos, ctx, checksums, CrcCheck::Compute)
}

/// CRC32 of an event's bytes. For the FDE the server clears `LOG_EVENT_BINLOG_IN_USE_F`
/// before checksumming (it flips that flag in place when closing the file), so the
/// flag is masked out here too.
fn crc32(bytes: &[u8], clear_in_use: bool) -> u32 {
    match (clear_in_use, bytes.split_at_checked(FLAGS_OFFSET)) {
        (true, Some((before, [flags_lo, after @ ..]))) => {
            let mut h = crc32fast::Hasher::new();
            h.update(before);
            h.update(&[flags_lo & !(FLAG_BINLOG_IN_USE as u8)]);
            h.update(after);
            h.finalize()
        }
        _ => crc32fast::hash(bytes),
    }
}

/// Iterator over the framed events of a binary or relay log in memory.
#[derive(Debug)]
pub struct Frames<'a> {
    name: String,
    data: &'a [u8],
    pos: usize,
    ctx: FormatContext,
    options: ReadOptions,
    finished: bool,
    queued: Option<Result<RawEvent<'a>, Error>>,
    /// The offset and algorithm byte of the last format description when it declared
    /// no checksums and the event after it has not been looked at yet: that event tells
    /// whether the declaration can be true (see [`Frames::undeclared_checksum`]).
    unconfirmed_no_checksum: Option<(u64, Option<u8>)>,
    /// Absolute offset of `data[0]`: 0 for a whole log, more for a window over a
    /// streamed one (see [`Frames::wants`]).
    base: u64,
    /// Whether `data` runs to the end of the input (always, for a whole log).
    complete: bool,
    /// Longest event a window may be asked to hold.
    max_event: u64,
    /// The events starting before this position in `data` had their checksums
    /// verified by an earlier pass (see [`Frames::checksums_verified_until`]).
    verified_until: usize,
}

impl<'a> Frames<'a> {
    /// Frames `data`, which must start with the binlog magic. `name` (usually the
    /// path) is used in errors.
    pub fn new(
        name: impl Into<String>,
        data: &'a [u8],
        options: ReadOptions,
    ) -> Result<Self, Error> {
        let name = name.into();
        if !data.starts_with(&BINLOG_MAGIC) {
            let found = data.get(..4).unwrap_or(data).to_vec();
            return Err(Error::new(
                name,
                0,
                ErrorKind::Binlog(BinlogError::BadMagic { found }),
            ));
        }
        Ok(Frames {
            name,
            data,
            pos: BINLOG_MAGIC.len(),
            ctx: FormatContext::v4_default(),
            options,
            finished: false,
            queued: None,
            unconfirmed_no_checksum: None,
            base: 0,
            complete: true,
            max_event: u64::MAX,
            verified_until: 0,
        })
    }

    /// Frames the first window of a log read as a stream: `data` (which must start with
    /// the magic) is its beginning, and events longer than `max_event` bytes are refused
    /// rather than held. The caller then follows [`Frames::wants`] and slides the window
    /// with [`Frames::detach`] and [`Frames::attach`].
    pub(crate) fn windowed(
        name: impl Into<String>,
        data: &'a [u8],
        complete: bool,
        options: ReadOptions,
        max_event: u64,
    ) -> Result<Self, Error> {
        Ok(Frames {
            complete,
            max_event,
            ..Frames::new(name, data, options)?
        })
    }

    /// How far (absolute offset) the window must reach before the next call to `next`
    /// reads as it would on the whole input: the next event and the one after it (the
    /// lookahead that tells damage from a cut), and in permissive mode
    /// [`RESYNC_LOOKAHEAD`] bytes to look for the next event after damage. `None` when
    /// the window needs nothing more (it is complete, or an item is queued).
    pub(crate) fn wants(&self) -> Option<u64> {
        if self.complete || self.finished || self.queued.is_some() {
            return None;
        }
        let hl = self.ctx.header_len as u64;
        let size_at = |pos: u64| {
            let rest = self.data.get(usize::try_from(pos).ok()?..)?;
            let size = u64::from(EventHeader::parse(rest, self.ctx.header_len)?.event_size);
            (size <= self.max_event).then_some(size.max(hl))
        };
        let at = self.pos as u64;
        let mut end = at + hl;
        if let Some(size) = size_at(at) {
            end = at + size + hl;
            if let Some(next) = size_at(at + size) {
                end = at + size + next;
            }
        }
        if self.options.mode == ParseMode::Permissive {
            end = end.max(at + RESYNC_LOOKAHEAD);
        }
        Some(self.base + end)
    }

    /// Whether an item is queued: the next `next` returns it without reading the window.
    pub(crate) fn has_queued(&self) -> bool {
        self.queued.is_some()
    }

    /// The framing state without its window, to be attached to the next one. Only
    /// called with nothing borrowed queued (`wants` asks for nothing until a queued
    /// event is taken).
    pub(crate) fn detach(self) -> Frames<'static> {
        debug_assert!(!matches!(self.queued, Some(Ok(_))));
        Frames {
            name: self.name,
            data: &[],
            pos: 0,
            ctx: self.ctx,
            options: self.options,
            finished: self.finished,
            queued: match self.queued {
                Some(Err(e)) => Some(Err(e)),
                _ => None,
            },
            unconfirmed_no_checksum: self.unconfirmed_no_checksum,
            base: self.base + self.pos as u64,
            complete: self.complete,
            max_event: self.max_event,
            verified_until: 0,
        }
    }

    /// Resumes detached framing on `data`, a window starting at absolute offset `base`
    /// (at or before the next event) that runs to the input's end when `complete`.
    pub(crate) fn attach(mut self, data: &'a [u8], base: u64, complete: bool) -> Self {
        debug_assert!(base <= self.base);
        self.pos = usize::try_from(self.base - base).unwrap_or(usize::MAX);
        self.data = data;
        self.base = base;
        self.complete = complete;
        self
    }

    /// The context in force for the next event (fixed by the last FDE read).
    pub fn context(&self) -> &FormatContext {
        &self.ctx
    }

    /// A copy that frames the rest of the data exactly as this one would, when nothing
    /// is held back for the next call (between two events, before any damage): where a
    /// parallel walk resumes ([`super::stream::Pieces`]).
    pub(crate) fn resume_point(&self) -> Option<Frames<'a>> {
        if self.queued.is_some() || self.finished {
            return None;
        }
        Some(Frames {
            name: self.name.clone(),
            data: self.data,
            pos: self.pos,
            ctx: self.ctx.clone(),
            options: self.options,
            finished: false,
            queued: None,
            unconfirmed_no_checksum: self.unconfirmed_no_checksum,
            base: self.base,
            complete: self.complete,
            max_event: self.max_event,
            verified_until: 0,
        })
    }

    /// Offset of the next event to read.
    pub fn position(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Turns checksum verification on or off from the next event on (see
    /// [`ReadOptions::verify_checksums`]).
    pub(crate) fn set_checksum_verification(&mut self, verify: bool) {
        self.options.verify_checksums = verify;
    }

    /// Tells these frames that another pass over the same bytes, framed the same way,
    /// verified the checksums of every event up to the absolute offset `end`, an
    /// event boundary: they are reported good without being computed again.
    pub(crate) fn checksums_verified_until(&mut self, end: u64) {
        self.verified_until = usize::try_from(end.saturating_sub(self.base)).unwrap_or(0);
    }

    /// Steps over the next event when reading it would tell nothing but its offset and
    /// type: an event that starts before `limit`, is not of a type `read_in_full`
    /// names, changes nothing about how the rest is framed (not a log's first event,
    /// nor a format description or another event that does) and that `next` would
    /// frame without a problem, in a whole log read without checksum verification.
    /// Its offset and type; `None`, with nothing done, when it must be read with
    /// `next`.
    pub(crate) fn step_over(
        &mut self,
        limit: u64,
        read_in_full: impl Fn(EventType) -> bool,
    ) -> Option<(u64, EventType)> {
        let at = self.pos;
        let plain_framing = self.complete
            && !self.finished
            && self.queued.is_none()
            && self.unconfirmed_no_checksum.is_none()
            && !self.options.verify_checksums
            && !self.is_first(at)
            && self.abs(at) < limit;
        if !plain_framing {
            return None;
        }
        let rest = self.data.get(at..)?;
        let header = EventHeader::parse(rest, self.ctx.header_len)?;
        let event_type = self.ctx.canonical_type(header.type_code);
        let reframes = matches!(
            event_type,
            EventType::FORMAT_DESCRIPTION
                | EventType::START_V3
                | EventType::MARIADB_START_ENCRYPTION
        );
        if reframes || read_in_full(event_type) {
            return None;
        }
        // What `frame_checked` requires of an event's size.
        let trailer = match self.ctx.checksum {
            ChecksumAlg::Crc32 => CHECKSUM_LEN,
            _ => 0,
        };
        let size = usize::try_from(header.event_size).ok()?;
        if size < self.ctx.header_len + trailer || size > rest.len() {
            return None;
        }
        self.pos = at + size;
        Some((self.abs(at), event_type))
    }

    /// The input's name, as used in errors.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// An error at `at` in the window.
    fn error(&self, at: usize, e: BinlogError) -> Error {
        self.error_at(self.abs(at), e)
    }

    /// An error at an absolute offset.
    fn error_at(&self, offset: u64, e: BinlogError) -> Error {
        Error::new(self.name.clone(), offset, ErrorKind::Binlog(e))
    }

    /// The absolute offset of `at` in the window.
    fn abs(&self, at: usize) -> u64 {
        self.base + at as u64
    }

    /// Whether `at` is where a log's first event starts, right after the magic.
    fn is_first(&self, at: usize) -> bool {
        self.abs(at) == BINLOG_MAGIC.len() as u64
    }

    /// v1/v3 logs start with START_EVENT_V3 instead of an FDE; its size tells the two
    /// apart (v1 headers are 13 bytes).
    fn detect_pre_v4(&mut self) {
        let d = self.data;
        let at = BINLOG_MAGIC.len();
        if d.get(at + 4) != Some(&EventType::START_V3.0) {
            return;
        }
        let Some(size) = d.get(at + 9..at + 13) else {
            return;
        };
        let size = u32::from_le_bytes([size[0], size[1], size[2], size[3]]);
        let version = if size < START_V3_MIN_V3 { 1 } else { 3 };
        self.ctx = FormatContext::pre_v4(version, String::new());
    }

    /// Whether a log can start with an event of this type: a format description, or
    /// START_EVENT_V3 in a v1/v3 log.
    fn starts_log(&self, event_type: EventType) -> bool {
        if self.ctx.binlog_version < 4 {
            event_type == EventType::START_V3
        } else {
            event_type == EventType::FORMAT_DESCRIPTION
        }
    }

    /// Permissive reading of a first event that is not a format description: when its
    /// body still reads as one (a flipped bit in the type code), its layout is the best
    /// guess for the rest of the file.
    fn adopt_layout_of(&mut self, event: &[u8]) {
        let body = &event[self.ctx.header_len.min(event.len())..];
        let without_checksum = &body[..body.len() - checksum_field_len(body).min(body.len())];
        let layout =
            FormatDescription::parse(without_checksum).map(|fde| (fde.layout(), fde.checksum_alg));
        if let Ok((Ok(ctx), alg)) = layout {
            self.ctx = ctx;
            if self.ctx.checksum == ChecksumAlg::None {
                self.unconfirmed_no_checksum = Some((BINLOG_MAGIC.len() as u64, alg));
            }
        }
    }

    /// Whether an event that looks sane starts at `pos`: a defined type and a size that
    /// fits, followed by another sane header (or the end of the input), and a verified
    /// CRC32 when the log has checksums. The cheap checks come first so that scanning
    /// damaged bytes stays linear in practice.
    fn plausible_at(&self, pos: usize) -> bool {
        if !self.header_sane_at(pos) || pos == self.data.len() {
            return false;
        }
        let Ok(fr) = frame_checked(self.data, pos, &self.ctx, true, CrcCheck::Skip) else {
            return false;
        };
        if !self.header_sane_at(pos + fr.size) {
            return false;
        }
        frame(self.data, pos, &self.ctx, true).is_ok()
    }

    /// A light check of the header at `pos`: defined type and a size within the input
    /// (or `pos` is exactly the end of the input).
    fn header_sane_at(&self, pos: usize) -> bool {
        if pos == self.data.len() {
            return true;
        }
        let rest = self.data.get(pos..).unwrap_or(&[]);
        match EventHeader::parse(rest, self.ctx.header_len) {
            Some(h) => {
                let size = h.event_size as usize;
                known(self.ctx.canonical_type(h.type_code))
                    && size >= self.ctx.header_len
                    && size <= rest.len()
            }
            None => false,
        }
    }

    fn resync(&self, from: usize) -> usize {
        (from..self.data.len())
            .find(|&p| self.plausible_at(p))
            .unwrap_or(self.data.len())
    }

    /// Applies what an event changes about the rest of the file: an FDE re-fixes the
    /// context, START_V3 names the server, START_ENCRYPTION ends what can be read.
    fn raw(&mut self, at: usize, fr: Frame<'a>) -> Result<RawEvent<'a>, Error> {
        let body_at = (at + self.ctx.header_len) as u64;
        let body_error = |cause| BinlogError::body(fr.event_type, body_at, fr.body, cause);
        match fr.event_type {
            EventType::FORMAT_DESCRIPTION => {
                let fde =
                    FormatDescription::parse(fr.body).map_err(|c| self.error(at, body_error(c)))?;
                self.ctx = fde.layout().map_err(|e| self.error(at, e))?;
                self.unconfirmed_no_checksum = (self.ctx.checksum == ChecksumAlg::None)
                    .then_some((self.abs(at), fde.checksum_alg));
                // A wrong version is reported, but the layout the event spells out is
                // kept: permissive mode has no better one to read the rest with.
                fde.check_version().map_err(|e| self.error(at, e))?;
            }
            EventType::START_V3 if self.is_first(at) => {
                let start = StartV3::parse(fr.body).map_err(|c| self.error(at, body_error(c)))?;
                self.ctx.server_version =
                    String::from_utf8_lossy(start.server_version).into_owned();
            }
            EventType::MARIADB_START_ENCRYPTION => {
                let (scheme, key_version) = StartEncryption::parse(fr.body)
                    .map(|s| (s.scheme, s.key_version))
                    .unwrap_or((0, 0));
                let e = BinlogError::Encrypted {
                    scheme,
                    key_version,
                };
                self.queued = Some(Err(self.error(at + fr.size, e)));
                self.finished = true;
            }
            _ => {}
        }
        Ok(RawEvent {
            offset: self.abs(at),
            header: fr.header,
            event_type: fr.event_type,
            body: fr.body,
            checksum_ok: fr.checksum_ok,
        })
    }

    /// After a format description that declares no checksums (`fde_at`), the event at
    /// `at`: when it ends with the CRC32 of its bytes the log does carry checksums and
    /// the format description is damaged (a flipped bit in its server version or
    /// algorithm byte would otherwise leave every checksum unchecked, inside the
    /// bodies). A chance match is one in 2^32.
    fn undeclared_checksum(
        &self,
        at: usize,
        (fde_at, declared_alg): (u64, Option<u8>),
    ) -> Option<Error> {
        let rest = self.data.get(at..)?;
        let header = EventHeader::parse(rest, self.ctx.header_len)?;
        let size = usize::try_from(header.event_size).ok()?;
        if self.ctx.canonical_type(header.type_code) == EventType::FORMAT_DESCRIPTION
            || size < self.ctx.header_len + CHECKSUM_LEN
        {
            return None;
        }
        let event = rest.get(..size)?;
        let (covered, stored) = event.split_at(size - CHECKSUM_LEN);
        if crc32fast::hash(covered).to_le_bytes() != stored {
            return None;
        }
        Some(self.error_at(
            fde_at,
            BinlogError::UndeclaredChecksum {
                declared_alg,
                server_version: self.ctx.server_version.clone(),
                evidence_at: self.abs(at),
            },
        ))
    }

    /// Permissive handling of damaged framing at `at`.
    fn recover(&mut self, at: usize, e: BinlogError) -> Error {
        if let BinlogError::ChecksumMismatch { .. } = e {
            // The size field may be intact (a flipped bit in the body): if the next
            // header looks sane, keep the framing and hand out the event, flagged.
            if let Ok(fr) = frame_checked(self.data, at, &self.ctx, true, CrcCheck::Skip) {
                if self.header_sane_at(at + fr.size) {
                    self.pos = at + fr.size;
                    let fr = Frame {
                        checksum_ok: Some(false),
                        ..fr
                    };
                    self.queued = Some(self.raw(at, fr));
                    return self.error(at, e);
                }
            }
        }
        let resume = self.resync(at + 1);
        self.pos = resume;
        self.queued = Some(Err(self.error(
            at,
            BinlogError::Skipped {
                resume_at: self.abs(resume),
            },
        )));
        self.error(at, e)
    }
}

fn known(t: EventType) -> bool {
    t != EventType::UNKNOWN && t.name().is_some()
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<RawEvent<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(q) = self.queued.take() {
            return Some(q);
        }
        if self.finished {
            return None;
        }
        if self.complete && self.abs(self.data.len()) == BINLOG_MAGIC.len() as u64 {
            // A server writes the magic and its format description together: a file
            // that stops after the magic was cut.
            self.finished = true;
            return Some(Err(self.error(
                self.pos,
                BinlogError::Truncated {
                    needed: self.ctx.header_len as u64,
                    available: 0,
                },
            )));
        }
        if self.pos >= self.data.len() {
            return None;
        }
        let at = self.pos;
        let strict = self.options.mode == ParseMode::Strict;
        if self.is_first(at) {
            self.detect_pre_v4();
        }
        if let Some(fde) = self.unconfirmed_no_checksum.take() {
            if let Some(e) = self.undeclared_checksum(at, fde) {
                // Permissive: the evidence wins, and the events are read with their
                // checksums split off and verified.
                self.ctx.checksum = ChecksumAlg::Crc32;
                self.finished = strict;
                return Some(Err(e));
            }
        }
        let crc = match self.options.verify_checksums {
            true if at < self.verified_until => CrcCheck::Known,
            verify => CrcCheck::verify_if(verify),
        };
        match frame_checked(self.data, at, &self.ctx, true, crc) {
            Err(BinlogError::Truncated { needed, .. }) if !self.complete => {
                // The window holds every event up to `max_event` bytes (see `wants`):
                // this one declares more.
                self.finished = true;
                Some(Err(Error::new(
                    self.name.clone(),
                    self.abs(at),
                    ErrorKind::TooLarge {
                        limit: self.max_event,
                        what: InMemory::Event { declared: needed },
                    },
                )))
            }
            Err(e @ BinlogError::Truncated { .. }) => {
                // Permissive mode tells a damaged size field from a real truncated tail
                // by looking for a sane event further on.
                let resume = if strict {
                    self.data.len()
                } else {
                    self.resync(at + 1)
                };
                if resume < self.data.len() {
                    self.pos = resume;
                    self.queued = Some(Err(self.error(
                        at,
                        BinlogError::Skipped {
                            resume_at: self.abs(resume),
                        },
                    )));
                } else {
                    self.finished = true;
                }
                Some(Err(self.error(at, e)))
            }
            Err(e) if strict => {
                self.finished = true;
                Some(Err(self.error(at, e)))
            }
            Err(e) => Some(Err(self.recover(at, e))),
            Ok(fr) if self.is_first(at) && !self.starts_log(fr.event_type) => {
                self.pos = at + fr.size;
                self.finished = strict;
                if !strict {
                    self.adopt_layout_of(&self.data[at..at + fr.size]);
                }
                Some(Err(self.error(
                    at,
                    BinlogError::FirstEventNotFormatDescription {
                        found: fr.header.type_code,
                    },
                )))
            }
            Ok(fr) => {
                self.pos = at + fr.size;
                let r = self.raw(at, fr);
                if r.is_err() && strict {
                    self.finished = true;
                }
                Some(r)
            }
        }
    }
}

/// Iterator over the decoded events of a binary or relay log in memory.
#[derive(Debug)]
pub struct Reader<'a> {
    frames: Frames<'a>,
    finished: bool,
}

impl<'a> Reader<'a> {
    /// A strict reader over `data`, which must start with the binlog magic. `name`
    /// (usually the path) is used in errors.
    pub fn new(name: impl Into<String>, data: &'a [u8]) -> Result<Self, Error> {
        Reader::with_options(name, data, ReadOptions::default())
    }

    /// A reader with explicit options.
    pub fn with_options(
        name: impl Into<String>,
        data: &'a [u8],
        options: ReadOptions,
    ) -> Result<Self, Error> {
        Ok(Reader {
            frames: Frames::new(name, data, options)?,
            finished: false,
        })
    }

    /// The context in force for the next event (fixed by the last FDE read).
    pub fn context(&self) -> &FormatContext {
        self.frames.context()
    }

    /// Offset of the next event to read.
    pub fn position(&self) -> u64 {
        self.frames.position()
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<EventAt<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let raw = match self.frames.next()? {
            Ok(raw) => raw,
            Err(e) => return Some(Err(e)),
        };
        let ctx = self.frames.context();
        match raw.decode(ctx) {
            Ok(event) => Some(Ok(EventAt { raw, event })),
            Err(cause) => {
                if self.frames.options.mode == ParseMode::Strict {
                    self.finished = true;
                }
                let body_at = raw.offset + ctx.header_len as u64;
                let e = BinlogError::body(raw.event_type, body_at, raw.body, cause);
                Some(Err(Error::new(
                    self.frames.name.clone(),
                    raw.offset,
                    ErrorKind::Binlog(e),
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binlog::events::query::tests::query_body;
    use crate::binlog::events::start_v3::tests::start_body;
    use crate::binlog::test_log::{LogBuilder, POST_HEADER_51, POST_HEADER_80};

    /// (offset, type, checksum verdict) of one event.
    type Seen = (u64, EventType, Option<bool>);

    fn kinds(data: &[u8], options: ReadOptions) -> Vec<Result<Seen, BinlogError>> {
        Reader::with_options("t", data, options)
            .unwrap()
            .map(|r| {
                r.map(|e| (e.raw.offset, e.raw.event_type, e.raw.checksum_ok))
                    .map_err(|e| match e.kind {
                        ErrorKind::Binlog(b) => b,
                        other => panic!("{other:?}"),
                    })
            })
            .collect()
    }

    /// The first error a reader of `data` yields, with its offset.
    fn first_error(data: &[u8], options: ReadOptions) -> (u64, BinlogError) {
        let err = Reader::with_options("t", data, options)
            .unwrap()
            .find_map(Result::err)
            .expect("an error");
        match err.kind {
            ErrorKind::Binlog(b) => (err.offset, b),
            other => panic!("{other:?}"),
        }
    }

    fn crc_log() -> (LogBuilder, [usize; 3]) {
        let mut log = LogBuilder::new("8.0.40", &POST_HEADER_80, Some(1));
        let q = log.offset();
        log.event(2, 0, &query_body("test", &[], b"INSERT INTO t VALUES (1)"));
        let x = log.offset();
        log.event(16, 0, &9u64.to_le_bytes());
        let r = log.offset();
        let mut rot = 4u64.to_le_bytes().to_vec();
        rot.extend(b"binlog.000002");
        log.event(4, 0, &rot);
        (log, [q, x, r])
    }

    #[test]
    fn crc32_log_reads_and_verifies() {
        let (log, [q, x, r]) = crc_log();
        let got = kinds(&log.bytes, ReadOptions::default());
        assert_eq!(
            got,
            vec![
                Ok((4, EventType::FORMAT_DESCRIPTION, Some(true))),
                Ok((q as u64, EventType::QUERY, Some(true))),
                Ok((x as u64, EventType::XID, Some(true))),
                Ok((r as u64, EventType::ROTATE, Some(true))),
            ]
        );
        let ev: Vec<_> = Reader::new("t", &log.bytes)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            ev[1].event.to_string(),
            "use `test`; INSERT INTO t VALUES (1)"
        );
        assert_eq!(ev[3].event.to_string(), "binlog.000002;pos=4");
        // Without verification the checksum is still stripped.
        let unchecked = kinds(&log.bytes, ReadOptions::default().verify_checksums(false));
        assert_eq!(unchecked[1], Ok((q as u64, EventType::QUERY, None)));
    }

    #[test]
    fn owned_events_outlive_their_input() {
        let (log, _) = crc_log();
        let (owned, ctx) = {
            let copy = log.bytes.clone();
            let mut reader = Reader::new("t", &copy).unwrap();
            let _fde = reader.next();
            let owned = reader.next().unwrap().unwrap().to_owned_event();
            (owned, reader.context().clone())
        };
        let Ok(Event::Query(q)) = owned.decode(&ctx) else {
            panic!()
        };
        assert_eq!(q.query, b"INSERT INTO t VALUES (1)");
        assert_eq!(owned.as_raw().event_type, EventType::QUERY);
    }

    #[test]
    fn checksum_mismatch_strict_and_permissive() {
        let (mut log, [q, x, r]) = crc_log();
        log.bytes[x - 10] ^= 0x20; // inside the statement text
        let strict = kinds(&log.bytes, ReadOptions::default());
        assert_eq!(strict.len(), 2);
        let Err(BinlogError::ChecksumMismatch { stored, computed }) = strict[1] else {
            panic!("{strict:?}")
        };
        assert_ne!(stored, computed);
        let err = Reader::new("t", &log.bytes)
            .unwrap()
            .nth(1)
            .unwrap()
            .unwrap_err();
        assert_eq!(err.offset, q as u64);
        assert!(err
            .to_string()
            .contains("checksum mismatch: expected CRC32"));

        // Permissive: the error, then the event itself flagged, then the rest.
        let loose = kinds(&log.bytes, ReadOptions::permissive());
        assert!(matches!(
            loose[1],
            Err(BinlogError::ChecksumMismatch { .. })
        ));
        assert_eq!(loose[2], Ok((q as u64, EventType::QUERY, Some(false))));
        assert_eq!(loose[3], Ok((x as u64, EventType::XID, Some(true))));
        assert_eq!(loose[4], Ok((r as u64, EventType::ROTATE, Some(true))));
    }

    #[test]
    fn damaged_size_resynchronises_on_the_next_event() {
        let (mut log, [q, x, r]) = crc_log();
        log.bytes[q + 9] = 0x30; // event_size now 48 + …: framing is lost
        let strict = kinds(&log.bytes, ReadOptions::default());
        assert_eq!(strict.len(), 2);
        assert!(
            matches!(
                first_error(&log.bytes, ReadOptions::default()),
                (at, BinlogError::ChecksumMismatch { .. }) if at == q as u64
            ),
            "{:?}",
            strict[1]
        );
        let loose = kinds(&log.bytes, ReadOptions::permissive());
        assert!(
            matches!(
                first_error(&log.bytes, ReadOptions::permissive()),
                (at, BinlogError::ChecksumMismatch { .. }) if at == q as u64
            ),
            "{:?}",
            loose[1]
        );
        assert_eq!(
            loose[2],
            Err(BinlogError::Skipped {
                resume_at: x as u64
            })
        );
        assert_eq!(loose[3], Ok((x as u64, EventType::XID, Some(true))));
        assert_eq!(loose[4], Ok((r as u64, EventType::ROTATE, Some(true))));
        assert_eq!(loose.len(), 5);
    }

    #[test]
    fn resynchronises_across_a_large_damaged_region() {
        let mut log = LogBuilder::new("8.0.40", &POST_HEADER_80, Some(1));
        let damage = log.offset();
        let mut seed = 0x1234_5678_9abc_def1u64;
        let garbage: Vec<u8> = (0..1 << 20)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 40) as u8
            })
            .collect();
        log.raw(&garbage);
        let x = log.offset();
        log.event(16, 0, &9u64.to_le_bytes());
        log.event(3, 0, &[]);
        let loose = kinds(&log.bytes, ReadOptions::permissive());
        assert!(
            matches!(
                first_error(&log.bytes, ReadOptions::permissive()),
                (at, BinlogError::Truncated { needed, available })
                    if at == damage as u64 && needed > available
            ),
            "{:?}",
            loose[1]
        );
        assert_eq!(
            loose[2],
            Err(BinlogError::Skipped {
                resume_at: x as u64
            })
        );
        assert_eq!(loose[3], Ok((x as u64, EventType::XID, Some(true))));
        assert_eq!(loose[4].as_ref().map(|k| k.1), Ok(EventType::STOP));
        assert_eq!(loose.len(), 5);
        let strict = kinds(&log.bytes, ReadOptions::default());
        assert_eq!(strict.len(), 2);
        let err = Reader::new("t", &log.bytes)
            .unwrap()
            .nth(1)
            .unwrap()
            .unwrap_err();
        assert_eq!(err.offset, damage as u64);
    }

    #[test]
    fn too_small_and_truncated_events() {
        let (mut log, [q, ..]) = crc_log();
        let full = log.bytes.clone();
        log.bytes[q + 9..q + 13].copy_from_slice(&10u32.to_le_bytes());
        let strict = kinds(&log.bytes, ReadOptions::default());
        assert_eq!(
            strict[1],
            Err(BinlogError::EventTooSmall {
                event_size: 10,
                minimum: 23
            })
        );
        for cut in [q + 5, q + 30] {
            for opts in [ReadOptions::default(), ReadOptions::permissive()] {
                let got = kinds(&full[..cut], opts);
                assert_eq!(got.len(), 2);
                let Err(BinlogError::Truncated { needed, available }) = got[1] else {
                    panic!("{got:?}")
                };
                assert_eq!(available, (cut - q) as u64);
                assert!(needed > available);
            }
        }
    }

    /// The error of `data` read strictly: (offset, kind, message).
    fn strict_error(data: &[u8]) -> (u64, BinlogError, String) {
        let err = Reader::new("t", data)
            .unwrap()
            .find_map(Result::err)
            .expect("an error");
        let message = err.to_string();
        let ErrorKind::Binlog(kind) = err.kind else {
            panic!("{message}")
        };
        (err.offset, kind, message)
    }

    #[test]
    fn first_event_must_be_a_format_description() {
        let (mut log, [q, x, r]) = crc_log();
        log.bytes[4 + 4] ^= 0x04; // FORMAT_DESCRIPTION (15) becomes DELETE_FILE (11)
        assert_eq!(
            strict_error(&log.bytes),
            (
                4,
                BinlogError::FirstEventNotFormatDescription { found: 11 },
                "t: at byte 4: first event: expected FORMAT_DESCRIPTION_EVENT (type 15; \
                 START_EVENT_V3 in a v1/v3 log), found DELETE_FILE_EVENT (type 11)"
                    .to_string()
            )
        );
        assert_eq!(kinds(&log.bytes, ReadOptions::default()).len(), 1);
        // Permissive: reported, and the body's layout (CRC32) reads the rest verified.
        assert_eq!(
            kinds(&log.bytes, ReadOptions::permissive()),
            vec![
                Err(BinlogError::FirstEventNotFormatDescription { found: 11 }),
                Ok((q as u64, EventType::QUERY, Some(true))),
                Ok((x as u64, EventType::XID, Some(true))),
                Ok((r as u64, EventType::ROTATE, Some(true))),
            ]
        );
    }

    #[test]
    fn a_format_description_denying_the_checksums_events_carry_is_damage() {
        let (log, [q, x, r]) = crc_log();
        let fde_end = q;
        // The algorithm byte 1 (CRC32) flipped to 0 (NONE).
        let mut off = log.bytes.clone();
        off[fde_end - 5] = 0;
        let expected = |declared_alg, server_version: &str| BinlogError::UndeclaredChecksum {
            declared_alg,
            server_version: server_version.to_string(),
            evidence_at: q as u64,
        };
        assert_eq!(
            strict_error(&off),
            (
                4,
                expected(Some(0), "8.0.40"),
                format!(
                    "t: at byte 4: format description: expected checksum algorithm 1 (CRC32), \
                     since the event at byte {q} ends with the CRC32 of its bytes; found \
                     algorithm 0 (the format description is damaged)"
                )
            )
        );
        // The server version flipped to one that predates checksums (8 -> 0).
        let mut old = log.bytes.clone();
        old[4 + HEADER_LEN + 2] ^= 0x08;
        let (offset, kind, message) = strict_error(&old);
        assert_eq!((offset, kind), (4, expected(None, "0.0.40")));
        assert!(
            message.ends_with(r#"found server version "0.0.40", which predates checksums (the format description is damaged)"#),
            "{message}"
        );
        // Permissive: the evidence wins, and the events are verified.
        let loose = kinds(&off, ReadOptions::permissive());
        assert_eq!(
            loose,
            vec![
                Ok((4, EventType::FORMAT_DESCRIPTION, None)),
                Err(expected(Some(0), "8.0.40")),
                Ok((q as u64, EventType::QUERY, Some(true))),
                Ok((x as u64, EventType::XID, Some(true))),
                Ok((r as u64, EventType::ROTATE, Some(true))),
            ]
        );
    }

    #[test]
    fn a_log_cut_right_after_the_magic_is_truncated() {
        assert_eq!(
            strict_error(b"\xfebin"),
            (
                4,
                BinlogError::Truncated {
                    needed: 19,
                    available: 0
                },
                "t: at byte 4: truncated event: expected 19 bytes, found 0 before the end of \
                 the input (the file may still be being written)"
                    .to_string()
            )
        );
    }

    #[test]
    fn in_use_flag_is_masked_for_the_fde_checksum() {
        let (mut log, _) = crc_log();
        log.bytes[4 + 17] |= 1; // the server sets it in place without a new CRC
        let got = kinds(&log.bytes, ReadOptions::default());
        assert!(got.iter().all(Result::is_ok), "{got:?}");
        let first = Reader::new("t", &log.bytes)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert!(first.raw.header.in_use());
    }

    #[test]
    fn each_fde_refixes_the_context() {
        // A relay log: the replica's 8.0 FDE with CRC32, then a 5.1 source's FDE
        // without a checksum byte, then a source event without checksum.
        let mut log = LogBuilder::new("8.0.40", &POST_HEADER_80, Some(1));
        log.fde("5.1.73-log", &POST_HEADER_51, None, 7);
        let q = log.offset();
        log.event(2, 0, &query_body("db", &[], b"DROP TABLE t"));
        let mut reader = Reader::new("relay", &log.bytes).unwrap();
        assert_eq!(reader.next().unwrap().unwrap().raw.checksum_ok, Some(true));
        let second = reader.next().unwrap().unwrap();
        assert_eq!(
            (second.raw.header.server_id, second.raw.checksum_ok),
            (7, None)
        );
        assert_eq!(reader.context().checksum, ChecksumAlg::None);
        assert!(!reader.context().checksum_declared);
        let query = reader.next().unwrap().unwrap();
        assert_eq!(query.raw.offset, q as u64);
        assert_eq!(query.event.to_string(), "use `db`; DROP TABLE t");
        assert!(reader.next().is_none());
    }

    #[test]
    fn suppress_use_flag_hides_the_schema() {
        let mut log = LogBuilder::new("5.0.86-log", &POST_HEADER_51, None);
        log.event(
            2,
            crate::binlog::header::FLAG_SUPPRESS_USE,
            &query_body("mysql", &[], b"BEGIN"),
        );
        let ev: Vec<_> = Reader::new("t", &log.bytes)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(ev[1].event.to_string(), "BEGIN");
    }

    #[test]
    fn mariadb_encryption_stops_reading_with_a_clear_error() {
        let mut log = LogBuilder::new("10.11.6-MariaDB-log", &POST_HEADER_80, Some(1));
        let mut start = vec![1];
        start.extend(3u32.to_le_bytes());
        start.extend([0xab; 12]);
        log.event(164, 0, &start);
        let after = log.offset();
        log.raw(&[0x5a; 64]);
        for opts in [ReadOptions::default(), ReadOptions::permissive()] {
            let items: Vec<_> = Reader::with_options("enc", &log.bytes, opts)
                .unwrap()
                .collect();
            assert_eq!(items.len(), 3);
            let Ok(ev) = &items[1] else { panic!() };
            assert_eq!(ev.event.to_string(), "scheme=1 key_version=3");
            let err = items[2].as_ref().unwrap_err();
            assert_eq!(err.offset, after as u64);
            assert!(err.to_string().contains("encrypted binlog: "), "{err}");
        }
    }

    #[test]
    fn unknown_types_keep_their_body() {
        let mut log = LogBuilder::new("8.0.40", &POST_HEADER_80, Some(1));
        log.event(99, 0, b"xyz");
        let ev: Vec<_> = Reader::new("t", &log.bytes)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(matches!(
            ev[1].event,
            Event::Unknown {
                type_code: 99,
                body: b"xyz"
            }
        ));
    }

    /// A v1 (MySQL 3.23) log: 13-byte headers, START_EVENT_V3 first, QUERY with the
    /// 11-byte post-header and no status variables.
    #[test]
    fn v1_log_with_start_v3() {
        let mut b = b"\xfebin".to_vec();
        let start = start_body(1, "3.23.58-log", 0);
        let header = |type_code: u8, size: usize| {
            let mut h = 1_000_000u32.to_le_bytes().to_vec();
            h.push(type_code);
            h.extend(1u32.to_le_bytes());
            h.extend((size as u32).to_le_bytes());
            h
        };
        b.extend(header(1, 13 + start.len()));
        b.extend(&start);
        let mut q = 5u32.to_le_bytes().to_vec();
        q.extend(0u32.to_le_bytes());
        q.push(4);
        q.extend(0u16.to_le_bytes());
        q.extend(b"test\0CREATE TABLE a (i INT)");
        b.extend(header(2, 13 + q.len()));
        b.extend(&q);
        let mut reader = Reader::new("v1", &b).unwrap();
        let first = reader.next().unwrap().unwrap();
        assert_eq!(
            first.event.to_string(),
            "Server ver: 3.23.58-log, Binlog ver: 1"
        );
        assert_eq!(reader.context().header_len, 13);
        assert_eq!(reader.context().server_version, "3.23.58-log");
        let query = reader.next().unwrap().unwrap();
        assert_eq!((query.raw.offset, query.raw.header.log_pos), (4 + 69, 0));
        let Event::Query(q) = &query.event else {
            panic!()
        };
        assert_eq!(
            (q.thread_id, q.schema, q.query),
            (5, &b"test"[..], &b"CREATE TABLE a (i INT)"[..])
        );
        assert!(reader.next().is_none());
    }

    /// A v3 (MySQL 4.0) log: 19-byte headers, START_EVENT_V3, ROTATE.
    #[test]
    fn v3_log_with_start_v3() {
        let mut b = b"\xfebin".to_vec();
        let start = start_body(3, "4.0.27-log", 1_000_000);
        let header = |type_code: u8, size: usize, end: usize| {
            let mut h = 1_000_000u32.to_le_bytes().to_vec();
            h.push(type_code);
            h.extend(1u32.to_le_bytes());
            h.extend((size as u32).to_le_bytes());
            h.extend((end as u32).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h
        };
        b.extend(header(1, 19 + start.len(), 79));
        b.extend(&start);
        let mut rot = 4u64.to_le_bytes().to_vec();
        rot.extend(b"log.002");
        b.extend(header(4, 19 + rot.len(), 79 + 19 + rot.len()));
        b.extend(&rot);
        let ev: Vec<_> = Reader::new("v3", &b).unwrap().map(Result::unwrap).collect();
        assert_eq!(ev.len(), 2);
        assert_eq!(
            ev[0].event.to_string(),
            "Server ver: 4.0.27-log, Binlog ver: 3"
        );
        assert_eq!(ev[1].event.to_string(), "log.002;pos=4");
    }

    /// Arbitrary bytes after the magic (or after a real FDE) never panic or loop, in
    /// either mode, and every error offset lies inside the input.
    #[test]
    fn arbitrary_input_never_panics() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 32) as u8
        };
        let (log, _) = crc_log();
        let fde_end = log.bytes.len().min(4 + 126);
        for round in 0..300 {
            let mut data = if round % 2 == 0 {
                b"\xfebin".to_vec()
            } else {
                log.bytes[..fde_end].to_vec()
            };
            let len = (round * 7) % 400;
            data.extend((0..len).map(|_| next()));
            for opts in [ReadOptions::default(), ReadOptions::permissive()] {
                let items: Vec<_> = Reader::with_options("r", &data, opts)
                    .unwrap()
                    .take(2_000)
                    .collect();
                assert!(items.len() < 2_000);
                for e in items.iter().filter_map(|r| r.as_ref().err()) {
                    assert!(e.offset <= data.len() as u64);
                }
            }
        }
    }
}
