//! Getting an input's bytes: memory-mapped files, inflated `.gz` files, drained pipes.
//!
//! Every reader in replog works on one contiguous byte slice, so decoded events can borrow
//! strings and row images straight from it. [`LogBytes::open`] is the one constructor for
//! files: it maps regular files and falls back to reading when mapping is impossible.
//!
//! What cannot be mapped (an inflated `.gz` file, a pipe) is held in memory, up to
//! [`OpenOptions::max_in_memory`] bytes ([`DEFAULT_MAX_IN_MEMORY`], 1 GiB, by default):
//! a gzip stream of zeros inflates about a thousand times, so its size on disk says
//! nothing about what it costs. Past the limit the input is refused with
//! [`ErrorKind::TooLarge`]; decompressing it to a file first gets it mapped instead.
//! [`LogStream`] reads a file (inflating gzip on the fly) front to back without holding
//! it, for callers that need only a few records of it.

use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::Range;
use std::path::Path;

use crate::error::{Error, ErrorKind, InMemory};

/// The binary-log magic number, `\xfe b i n`.
pub const BINLOG_MAGIC: [u8; 4] = [0xfe, b'b', b'i', b'n'];
/// The THL file magic number, `0xC001CAFE` big-endian.
pub const THL_MAGIC: [u8; 4] = [0xc0, 0x01, 0xca, 0xfe];
/// The gzip member magic.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Default [`OpenOptions::max_in_memory`]: 1 GiB, the size MySQL's `max_binlog_size`
/// tops out at.
pub const DEFAULT_MAX_IN_MEMORY: u64 = 1 << 30;
/// Deflate's best case turns one byte into at most 1032; a gzip trailer claiming more
/// than that is not believed.
const DEFLATE_MAX_RATIO: u64 = 1032;

/// How inputs are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    /// Most bytes an input may occupy in memory when it is not mapped: a `.gz` file's
    /// inflated content, or everything read from a pipe. Mapped files do not count.
    pub max_in_memory: u64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            max_in_memory: DEFAULT_MAX_IN_MEMORY,
        }
    }
}

/// What an input's first bytes announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A MySQL/MariaDB binary or relay log.
    Binlog,
    /// A Tungsten THL data file.
    Thl,
    /// A gzip stream (inflate, then sniff again).
    Gzip,
}

/// Identifies the format from the first bytes, or `None` when none matches.
pub fn sniff(prefix: &[u8]) -> Option<Format> {
    if prefix.starts_with(&BINLOG_MAGIC) {
        Some(Format::Binlog)
    } else if prefix.starts_with(&THL_MAGIC) {
        Some(Format::Thl)
    } else if prefix.starts_with(&GZIP_MAGIC) {
        Some(Format::Gzip)
    } else {
        None
    }
}

/// An input's whole content, mapped or owned; gzip is already inflated.
#[derive(Debug)]
pub struct LogBytes {
    name: String,
    storage: Storage,
}

#[derive(Debug)]
enum Storage {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl LogBytes {
    /// Opens `path` read-only and returns its bytes, inflating gzip transparently, with
    /// the default [`OpenOptions`].
    ///
    /// Regular files are memory-mapped. The mapping covers the file's length at open
    /// time, so a log that is still being appended to is read up to that length (its
    /// last event may be partial, which readers report as a truncated tail). A file
    /// truncated by another process *while mapped* can make the process fault (SIGBUS);
    /// this is the documented contract of reading live logs through a mapping. When
    /// mapping fails (special files, some file systems) the file is read into memory.
    pub fn open(path: &Path) -> Result<LogBytes, Error> {
        LogBytes::open_with(path, OpenOptions::default())
    }

    /// [`LogBytes::open`] with explicit options (the in-memory limit).
    pub fn open_with(path: &Path, options: OpenOptions) -> Result<LogBytes, Error> {
        let name = path.display().to_string();
        let io_err = |e: std::io::Error| Error::new(name.clone(), 0, ErrorKind::Io(e));
        let file = File::open(path).map_err(io_err)?;
        let meta = file.metadata().map_err(io_err)?;
        if meta.is_dir() {
            return Err(io_err(not_a_file()));
        }
        if meta.is_file() && meta.len() > 0 {
            if let Ok(m) = map(&file) {
                return LogBytes {
                    name,
                    storage: Storage::Mapped(m),
                }
                .inflate_if_gzip(options);
            }
        }
        LogBytes::from_reader_with(name, file, options)
    }

    /// Drains `reader` (a pipe, stdin) into memory under the display name `name`, with
    /// the default [`OpenOptions`].
    pub fn from_reader(name: impl Into<String>, reader: impl Read) -> Result<LogBytes, Error> {
        LogBytes::from_reader_with(name, reader, OpenOptions::default())
    }

    /// [`LogBytes::from_reader`] with explicit options. A gzip stream is inflated as it
    /// is read, so only the inflated bytes are held.
    pub fn from_reader_with(
        name: impl Into<String>,
        mut reader: impl Read,
        options: OpenOptions,
    ) -> Result<LogBytes, Error> {
        let name = name.into();
        let io_err = |e: std::io::Error| Error::new(name.clone(), 0, ErrorKind::Io(e));
        let mut magic = Vec::with_capacity(GZIP_MAGIC.len());
        reader
            .by_ref()
            .take(GZIP_MAGIC.len() as u64)
            .read_to_end(&mut magic)
            .map_err(io_err)?;
        let whole = magic.as_slice().chain(reader);
        let limit = options.max_in_memory;
        let bytes = if magic == GZIP_MAGIC {
            let inflated = flate2::read::MultiGzDecoder::new(whole);
            read_capped(&name, inflated, limit, 0, InMemory::Inflated)?
        } else {
            read_capped(&name, whole, limit, 0, InMemory::Read)?
        };
        Ok(LogBytes {
            name,
            storage: Storage::Owned(bytes),
        })
    }

    /// Wraps bytes already in memory (tests, fuzzing, decompressed payloads); gzip is
    /// inflated within the default [`OpenOptions`].
    pub fn from_vec(name: impl Into<String>, bytes: Vec<u8>) -> Result<LogBytes, Error> {
        LogBytes::from_vec_with(name, bytes, OpenOptions::default())
    }

    /// [`LogBytes::from_vec`] with explicit options.
    pub fn from_vec_with(
        name: impl Into<String>,
        bytes: Vec<u8>,
        options: OpenOptions,
    ) -> Result<LogBytes, Error> {
        LogBytes {
            name: name.into(),
            storage: Storage::Owned(bytes),
        }
        .inflate_if_gzip(options)
    }

    /// The input's display name, used in every error about it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole (inflated) content.
    pub fn bytes(&self) -> &[u8] {
        match &self.storage {
            Storage::Mapped(m) => m,
            Storage::Owned(v) => v,
        }
    }

    /// Tells the system that the bytes in `range` will not be read again soon: a mapped
    /// file's pages wholly inside it are unmapped now, on the calling thread, rather
    /// than all at once when the file is closed (reading them later maps them in
    /// again). Bytes held in memory are kept.
    pub fn release(&self, range: Range<usize>) {
        if let Storage::Mapped(map) = &self.storage {
            unmap_pages(map, range, UNMAP_STRETCH_BYTES);
        }
    }

    /// The format announced by the first bytes, or an error naming what was found.
    pub fn format(&self) -> Result<Format, Error> {
        let bytes = self.bytes();
        sniff(bytes).ok_or_else(|| {
            Error::new(
                self.name.clone(),
                0,
                ErrorKind::UnknownFormat {
                    magic: bytes[..bytes.len().min(4)].to_vec(),
                },
            )
        })
    }

    fn inflate_if_gzip(self, options: OpenOptions) -> Result<LogBytes, Error> {
        if sniff(self.bytes()) != Some(Format::Gzip) {
            return Ok(self);
        }
        match inflate_salvaging(&self.name, self.bytes(), options)? {
            (out, None) => Ok(LogBytes {
                name: self.name,
                storage: Storage::Owned(out),
            }),
            (_, Some(damage)) => Err(damage),
        }
    }
}

/// Inflates a whole gzip stream in memory. A stream that does not inflate to its end
/// gives the bytes inflated before the damage and the error; one that inflates past
/// the in-memory limit is an error.
fn inflate_salvaging(
    name: &str,
    compressed: &[u8],
    options: OpenOptions,
) -> Result<(Vec<u8>, Option<Error>), Error> {
    let inflated = flate2::read::MultiGzDecoder::new(compressed);
    let hint = inflated_size_hint(compressed);
    let limit = options.max_in_memory;
    let mut out = Vec::with_capacity(usize::try_from(hint.min(limit)).unwrap_or(0));
    let read = inflated.take(limit.saturating_add(1)).read_to_end(&mut out);
    if out.len() as u64 > limit {
        let what = InMemory::Inflated;
        return Err(Error::new(name, limit, ErrorKind::TooLarge { limit, what }));
    }
    let damage = read
        .err()
        .map(|e| Error::new(name, out.len() as u64, ErrorKind::Gzip(e)));
    Ok((out, damage))
}

/// What a gzip stream's trailer says it inflates to, as a capacity hint only: ISIZE is
/// the last member's size modulo 2^32 and nothing vouches for it, so it is ignored when
/// deflate could not produce that much from the compressed bytes.
fn inflated_size_hint(compressed: &[u8]) -> u64 {
    let Some(trailer) = compressed.len().checked_sub(4).map(|at| &compressed[at..]) else {
        return 0;
    };
    let isize = u64::from(u32::from_le_bytes([
        trailer[0], trailer[1], trailer[2], trailer[3],
    ]));
    if isize <= (compressed.len() as u64).saturating_mul(DEFLATE_MAX_RATIO) {
        isize
    } else {
        0
    }
}

/// Reads `reader` to its end into memory, refusing more than `limit` bytes. `hint` (a
/// size the input may have) sizes the first allocation, never beyond the limit.
fn read_capped(
    name: &str,
    reader: impl Read,
    limit: u64,
    hint: u64,
    what: InMemory,
) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::with_capacity(usize::try_from(hint.min(limit)).unwrap_or(0));
    let read = reader.take(limit.saturating_add(1)).read_to_end(&mut bytes);
    if let Err(e) = read {
        let kind = match what {
            InMemory::Inflated => ErrorKind::Gzip(e),
            InMemory::Read | InMemory::Event { .. } => ErrorKind::Io(e),
        };
        return Err(Error::new(name, bytes.len() as u64, kind));
    }
    if bytes.len() as u64 > limit {
        return Err(Error::new(name, limit, ErrorKind::TooLarge { limit, what }));
    }
    Ok(bytes)
}

/// The zstd frame magic (`28 b5 2f fd`).
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// The xz stream magic.
pub const XZ_MAGIC: [u8; 6] = [0xfd, b'7', b'z', b'X', b'Z', 0];
/// The bzip2 stream magic (`BZh`).
const BZIP2_MAGIC: [u8; 3] = [b'B', b'Z', b'h'];
/// How much a [`LogWindow`] asks its reader for at a time.
const WINDOW_READ: usize = 64 * 1024;

/// How a streamed input is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (one member or several concatenated).
    Gzip,
    /// zstd (one frame or several concatenated).
    Zstd,
}

/// An input read front to back through a window of its bytes, decompressed on the fly:
/// what cannot be mapped (a pipe, a compressed file) is read this way, in bounded
/// memory whatever its size. The reader asks for the bytes up to an offset
/// ([`LogWindow::fill_to`]), borrows them ([`LogWindow::bytes`], starting at absolute
/// offset [`LogWindow::base`]) and lets go of those it is done with
/// ([`LogWindow::discard_before`]).
///
/// A read that fails (a cut or corrupt compressed stream, an I/O error) ends the input
/// where the bytes read before it stop: they stay readable, and the failure is kept for
/// the caller to report after them ([`LogWindow::take_damage`]).
pub struct LogWindow {
    name: String,
    reader: Box<dyn Read>,
    compression: Compression,
    bytes: Vec<u8>,
    base: u64,
    ended: bool,
    damage: Option<Error>,
}

impl std::fmt::Debug for LogWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogWindow")
            .field("name", &self.name)
            .field("compression", &self.compression)
            .field("base", &self.base)
            .field("held", &self.bytes.len())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl LogWindow {
    /// Reads `reader` (standard input, a pipe, a compressed file) under the display name
    /// `name`. Its first bytes decide how it is decompressed: gzip and zstd are inflated
    /// as they are read; xz and bzip2, which replog does not inflate, are refused by
    /// name.
    pub fn new(name: impl Into<String>, reader: impl Read + 'static) -> Result<LogWindow, Error> {
        let name = name.into();
        let mut reader = BufReader::new(reader);
        let io_err = |e: std::io::Error| Error::new(name.clone(), 0, ErrorKind::Io(e));
        let magic = std::io::BufRead::fill_buf(&mut reader).map_err(io_err)?;
        let compressed_as = |magic: &[u8]| {
            [(&XZ_MAGIC[..], "xz"), (&BZIP2_MAGIC[..], "bzip2")]
                .into_iter()
                .find(|(m, _)| magic.starts_with(m))
                .map(|(_, format)| format)
        };
        if let Some(format) = compressed_as(magic) {
            return Err(Error::new(
                name,
                0,
                ErrorKind::UnsupportedCompression { format },
            ));
        }
        let (compression, reader): (Compression, Box<dyn Read>) = if magic.starts_with(&GZIP_MAGIC)
        {
            let inflated = flate2::read::MultiGzDecoder::new(reader);
            (Compression::Gzip, Box::new(inflated))
        } else if magic.starts_with(&ZSTD_MAGIC) {
            let inflated = zstd::stream::read::Decoder::with_buffer(reader).map_err(io_err)?;
            (Compression::Zstd, Box::new(inflated))
        } else {
            (Compression::None, Box::new(reader))
        };
        Ok(LogWindow {
            name,
            reader,
            compression,
            bytes: Vec::new(),
            base: 0,
            ended: false,
            damage: None,
        })
    }

    /// Opens `path` read-only as a window (see [`LogWindow::new`]).
    pub fn open(path: &Path) -> Result<LogWindow, Error> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| Error::new(name.clone(), 0, ErrorKind::Io(e)))?;
        LogWindow::new(name, file)
    }

    /// The input's display name, used in every error about it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the input is compressed (offsets count decompressed bytes).
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The bytes held, from absolute offset [`LogWindow::base`] on.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Absolute offset of the first byte held.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Absolute offset just past the last byte held.
    pub fn end(&self) -> u64 {
        self.base + self.bytes.len() as u64
    }

    /// Whether the bytes held run to the end of the input (or to where reading failed).
    pub fn is_complete(&self) -> bool {
        self.ended
    }

    /// Reads until the window reaches absolute offset `end` or the input ends.
    pub fn fill_to(&mut self, end: u64) {
        while !self.ended && self.end() < end {
            let held = self.bytes.len();
            self.bytes.resize(held + WINDOW_READ, 0);
            let read = self.reader.read(&mut self.bytes[held..]);
            self.bytes.truncate(held + *read.as_ref().unwrap_or(&0));
            match read {
                Ok(0) => self.ended = true,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let kind = match self.compression {
                        Compression::None => ErrorKind::Io(e),
                        Compression::Gzip => ErrorKind::Gzip(e),
                        Compression::Zstd => ErrorKind::Io(std::io::Error::new(
                            e.kind(),
                            format!("zstd stream is damaged: {e}"),
                        )),
                    };
                    self.damage = Some(Error::new(self.name.clone(), self.end(), kind));
                    self.ended = true;
                }
            }
        }
    }

    /// Lets go of the bytes before absolute offset `offset`. They are dropped once they
    /// are at least half of what is held, so that each byte is moved a bounded number
    /// of times.
    pub fn discard_before(&mut self, offset: u64) {
        let done = usize::try_from(offset.saturating_sub(self.base))
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if done >= WINDOW_READ && done * 2 >= self.bytes.len() {
            self.bytes.drain(..done);
            self.base += done as u64;
        }
    }

    /// The failure that ended the input early, once.
    pub fn take_damage(&mut self) -> Option<Error> {
        self.damage.take()
    }
}

/// A file read front to back, gzip inflated on the fly, holding only what the caller
/// keeps: for callers that need a few records of a compressed file (a log index).
pub struct LogStream {
    name: String,
    reader: Box<dyn Read + Send>,
    compressed: bool,
    offset: u64,
}

impl std::fmt::Debug for LogStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStream")
            .field("name", &self.name)
            .field("compressed", &self.compressed)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl LogStream {
    /// Opens `path` read-only; a gzip file (by its magic) is inflated as it is read.
    pub fn open(path: &Path) -> Result<LogStream, Error> {
        let name = path.display().to_string();
        let io_err = |e: std::io::Error| Error::new(name.clone(), 0, ErrorKind::Io(e));
        let file = File::open(path).map_err(io_err)?;
        if file.metadata().map_err(io_err)?.is_dir() {
            return Err(io_err(not_a_file()));
        }
        let mut file = BufReader::new(file);
        let mut magic = Vec::with_capacity(GZIP_MAGIC.len());
        file.by_ref()
            .take(GZIP_MAGIC.len() as u64)
            .read_to_end(&mut magic)
            .map_err(io_err)?;
        let compressed = magic == GZIP_MAGIC;
        let whole = std::io::Cursor::new(magic).chain(file);
        let reader: Box<dyn Read + Send> = if compressed {
            Box::new(flate2::read::MultiGzDecoder::new(whole))
        } else {
            Box::new(whole)
        };
        Ok(LogStream {
            name,
            reader,
            compressed,
            offset: 0,
        })
    }

    /// The input's display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the file is gzip (and offsets count inflated bytes).
    pub fn is_compressed(&self) -> bool {
        self.compressed
    }

    /// Bytes consumed so far: the offset of the next byte in the (inflated) input.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Appends up to `n` bytes to `buf`, fewer only at the end of the input, and
    /// returns how many. `buf` grows with the bytes actually read, not with `n`.
    pub fn read_up_to(&mut self, n: u64, buf: &mut Vec<u8>) -> Result<usize, Error> {
        let before = buf.len();
        let read = self.reader.by_ref().take(n).read_to_end(buf);
        let got = buf.len() - before;
        self.offset += got as u64;
        read.map_err(|e| self.error(e))?;
        Ok(got)
    }

    /// Reads to the end of the input and returns its last `n` bytes (fewer when fewer
    /// were left), holding no more than a small buffer meanwhile.
    pub fn last_bytes(&mut self, n: usize) -> Result<Vec<u8>, Error> {
        let mut chunk = vec![0u8; 64 * 1024];
        let mut last = Vec::with_capacity(n);
        loop {
            let got = match self.reader.read(&mut chunk) {
                Ok(0) => return Ok(last),
                Ok(got) => got,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.error(e)),
            };
            self.offset += got as u64;
            last.extend_from_slice(&chunk[..got]);
            let excess = last.len().saturating_sub(n);
            last.drain(..excess);
        }
    }

    fn error(&self, e: std::io::Error) -> Error {
        let kind = if self.compressed {
            ErrorKind::Gzip(e)
        } else {
            ErrorKind::Io(e)
        };
        Error::new(self.name.clone(), self.offset, kind)
    }
}

/// What opening a directory as a log gives.
fn not_a_file() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::IsADirectory,
        "is a directory, not a log file",
    )
}

/// One of the crate's two `unsafe`s: mapping a file whose contents must not change
/// underneath.
#[allow(unsafe_code)]
fn map(file: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and replog never writes through it. Another process
    // appending to the file is harmless (the map keeps its original length); one that
    // truncates it may fault this process, as documented on `LogBytes::open`.
    let map = unsafe { memmap2::Mmap::map(file)? };
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Ok(map)
}

/// Unmaps the whole pages of `map` inside `range`, `stretch` bytes at a time (the other
/// `unsafe`).
#[allow(unsafe_code)]
fn unmap_pages(map: &memmap2::Mmap, range: Range<usize>, stretch: usize) {
    let start = range.start.next_multiple_of(PAGE_BYTES);
    let end = range.end.min(map.len()) / PAGE_BYTES * PAGE_BYTES;
    if start >= end {
        return;
    }
    // The system may hold the process's map lock while it unmaps: a stretch at a time,
    // the other threads' mappings and unmappings (a file opened, an allocator growing
    // its heap) wait for one stretch, not for a whole file's.
    let mut from = start;
    while from < end {
        let to = end.min(from + stretch);
        // SAFETY: on a read-only shared mapping of a file, MADV_DONTNEED drops
        // page-table entries only: the bytes borrowed from the map stay the file's, as
        // a read maps the same pages of the file in again (given `map`'s contract, that
        // the file does not change underneath). Nothing is written through the map.
        #[cfg(unix)]
        let _ = unsafe {
            map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, to - from)
        };
        from = to;
    }
}

/// Bytes unmapped at a time by [`LogBytes::release`], a few milliseconds of the
/// system's work. Each unmapping interrupts the processors running the process's other
/// threads, to drop what they cached of the pages: on a virtual machine, a trip through
/// the host each. `thl list -headers` on two threads took 7 % less time releasing
/// 64 MiB at a time than 4 MiB (median of 21 alternating runs, 2 cores; 32 MiB and
/// 128 MiB did no better), and the same on one.
const UNMAP_STRETCH_BYTES: usize = 64 << 20;

/// Unmaps the pages of a mapped file behind a reader that goes through it front to
/// back, a stretch of [`RELEASE_BEHIND_BYTES`] at a time, so that the file is never
/// mapped whole.
///
/// Unmapping a page costs the system less while it still has that page's bookkeeping
/// in cache, which it has just after mapping it: unmapped at the end of a file, its
/// pages cost more in all. (Measured reading a 1 GiB file, every byte: 5 to 15 % less
/// time in all than unmapping it whole at its end.) A byte read again after its page is
/// unmapped maps the page in again: a table map that serves rows further on does.
#[derive(Debug)]
pub(crate) struct ReleaseBehind<'a> {
    log: &'a LogBytes,
    /// The reader's bytes before this offset (a page boundary) are released.
    from: usize,
    /// How far the reader goes past `from` before its bytes are released.
    stretch: usize,
}

impl<'a> ReleaseBehind<'a> {
    /// A reader of `log` that starts at offset `at`.
    pub(crate) fn new(log: &'a LogBytes, at: u64) -> ReleaseBehind<'a> {
        ReleaseBehind {
            log,
            from: offset_index(at),
            stretch: RELEASE_BEHIND_BYTES,
        }
    }

    /// A reader of `log` from offset `at` that releases what it read tens of MiB at a
    /// time ([`UNMAP_STRETCH_BYTES`]): one that reads little of each byte (a THL walk
    /// frames records and checks their CRCs), possibly with other threads of the
    /// process running, whose processors each release interrupts.
    pub(crate) fn in_stretches(log: &'a LogBytes, at: u64) -> ReleaseBehind<'a> {
        ReleaseBehind {
            stretch: UNMAP_STRETCH_BYTES,
            ..ReleaseBehind::new(log, at)
        }
    }

    /// A reader of `log` from offset `at` that releases what it read only when done:
    /// one of several threads reading a file's pieces. (Each release makes the system
    /// interrupt the other threads' processors to drop what they cached of the pages:
    /// releasing a 2 MiB piece 512 KiB at a time took more time in all on two threads.)
    pub(crate) fn when_done(log: &'a LogBytes, at: u64) -> ReleaseBehind<'a> {
        ReleaseBehind {
            stretch: usize::MAX,
            ..ReleaseBehind::new(log, at)
        }
    }

    /// The reader has read everything before offset `at`.
    pub(crate) fn passed(&mut self, at: u64) {
        let at = offset_index(at);
        if at.saturating_sub(self.from) >= self.stretch {
            self.log.release(self.from..at);
            self.from = at / PAGE_BYTES * PAGE_BYTES;
        }
    }

    /// The reader is done, at offset `at`: what it read is released, whatever its size.
    pub(crate) fn passed_all(self, at: u64) {
        self.log.release(self.from..offset_index(at));
    }
}

/// An offset into a mapped file, as an index into its bytes (a larger one than fits
/// is past its end anyway).
fn offset_index(at: u64) -> usize {
    usize::try_from(at).unwrap_or(usize::MAX)
}

/// How many bytes [`ReleaseBehind`] lets a reader go past before it unmaps them: small
/// enough that the system still has the pages' bookkeeping in cache (on a 1 GiB file,
/// 512 KiB stretches cost less than 2 MiB or 16 MiB ones).
const RELEASE_BEHIND_BYTES: usize = 512 << 10;

/// The usual size of a memory page. (Where pages are larger, those at the range's ends
/// may be unmapped as well: harmless, a read maps them in again.)
const PAGE_BYTES: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_magic() {
        assert_eq!(sniff(b"\xfebin\x00"), Some(Format::Binlog));
        assert_eq!(sniff(&[0xc0, 0x01, 0xca, 0xfe, 0, 1]), Some(Format::Thl));
        assert_eq!(sniff(&[0x1f, 0x8b, 8]), Some(Format::Gzip));
        assert_eq!(sniff(b"PK\x03\x04"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn gzip_is_inflated_and_sniffed_again() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"\xfebin rest").unwrap();
        let bytes = LogBytes::from_vec("x.gz", gz.finish().unwrap()).unwrap();
        assert_eq!(bytes.bytes(), b"\xfebin rest");
        assert_eq!(bytes.format().unwrap(), Format::Binlog);
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    fn limit(max_in_memory: u64) -> OpenOptions {
        OpenOptions { max_in_memory }
    }

    #[test]
    fn inflation_stops_at_the_limit() {
        let packed = gzip(&[0u8; 100_000]);
        // Exactly the limit is allowed; one byte more is refused at the limit's offset.
        let fits = LogBytes::from_vec_with("z.gz", packed.clone(), limit(100_000)).unwrap();
        assert_eq!(fits.bytes().len(), 100_000);
        let err = LogBytes::from_vec_with("z.gz", packed, limit(99_999)).unwrap_err();
        assert_eq!(err.offset, 99_999);
        assert!(matches!(
            err.kind,
            ErrorKind::TooLarge {
                limit: 99_999,
                what: InMemory::Inflated
            }
        ));
        assert_eq!(
            err.to_string(),
            "z.gz: at byte 99999: gzip stream inflates to more than the 99999-byte \
             in-memory limit; expected a smaller input: decompress it to a file first \
             (files are mapped, not held in memory)"
        );
    }

    #[test]
    fn concatenated_members_count_together() {
        // Multi-member gzip (`cat a.gz b.gz`): each member is small, their sum is not.
        let member = gzip(&[0u8; 1000]);
        let packed: Vec<u8> = member
            .iter()
            .copied()
            .cycle()
            .take(member.len() * 5)
            .collect();
        assert_eq!(
            LogBytes::from_vec_with("m.gz", packed.clone(), limit(5000))
                .unwrap()
                .bytes()
                .len(),
            5000
        );
        let err = LogBytes::from_vec_with("m.gz", packed, limit(4999)).unwrap_err();
        assert_eq!(err.offset, 4999);
    }

    #[test]
    fn pipes_are_limited_and_inflated_as_read() {
        let plain = vec![7u8; 3000];
        let read = LogBytes::from_reader_with("<stdin>", &plain[..], limit(3000)).unwrap();
        assert_eq!(read.bytes(), &plain[..]);
        let err = LogBytes::from_reader_with("<stdin>", &plain[..], limit(2999)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "<stdin>: at byte 2999: input is longer than the 2999-byte in-memory limit for \
             pipes; expected a smaller input: save it to a file first (files are mapped, not \
             held in memory)"
        );
        // A gzip pipe counts its inflated bytes, not its compressed ones.
        let packed = gzip(&plain);
        assert!(packed.len() < 2999);
        let inflated = LogBytes::from_reader_with("<stdin>", &packed[..], limit(3000)).unwrap();
        assert_eq!(inflated.bytes(), &plain[..]);
        let err = LogBytes::from_reader_with("<stdin>", &packed[..], limit(2999)).unwrap_err();
        assert!(matches!(
            err.kind,
            ErrorKind::TooLarge {
                what: InMemory::Inflated,
                ..
            }
        ));
        // Shorter than a gzip magic: read as it is.
        let one = LogBytes::from_reader_with("<stdin>", &[0x1f][..], limit(10)).unwrap();
        assert_eq!(one.bytes(), [0x1f]);
    }

    #[test]
    fn trailer_size_is_only_a_hint() {
        let packed = gzip(&[1u8; 5000]);
        assert_eq!(inflated_size_hint(&packed), 5000);
        // A trailer claiming more than deflate can produce from the bytes is ignored.
        let mut forged = packed.clone();
        let at = forged.len() - 4;
        forged[at..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(inflated_size_hint(&forged), 0);
        assert_eq!(inflated_size_hint(&[0x1f, 0x8b]), 0);
    }

    #[test]
    fn a_stream_inflates_as_it_goes() {
        let dir = std::env::temp_dir().join(format!("replog-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for (name, bytes, compressed) in [
            ("plain", content.clone(), false),
            ("packed.gz", gzip(&content), true),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, &bytes).unwrap();
            let mut stream = LogStream::open(&path).unwrap();
            assert_eq!(stream.is_compressed(), compressed);
            let mut buf = Vec::new();
            assert_eq!(stream.read_up_to(10, &mut buf).unwrap(), 10);
            assert_eq!(buf, content[..10]);
            assert_eq!(stream.offset(), 10);
            assert_eq!(
                stream.last_bytes(22).unwrap(),
                content[content.len() - 22..]
            );
            assert_eq!(stream.offset(), content.len() as u64);
            // At the end: nothing more, and an untrusted length allocates nothing.
            let mut rest = Vec::new();
            assert_eq!(stream.read_up_to(u64::MAX, &mut rest).unwrap(), 0);
            assert_eq!(rest.capacity(), 0);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unknown_format_names_the_bytes() {
        let bytes = LogBytes::from_vec("junk", b"hello".to_vec()).unwrap();
        let err = bytes.format().unwrap_err();
        assert_eq!(
            err.to_string(),
            "junk: at byte 0: not a binary log, THL file or gzip stream (first bytes 68656c6c)"
        );
    }

    #[test]
    fn a_directory_is_refused_by_name() {
        let err = LogBytes::open(Path::new("/")).unwrap_err();
        assert_eq!(err.offset, 0);
        assert!(
            err.to_string().starts_with("/: at byte 0: I/O error"),
            "{err}"
        );
    }

    #[test]
    fn released_stretches_read_again_as_before() {
        // Several stretches of `unmap_pages`, and ranges that do not start or end on a
        // page: the bytes read again are the file's.
        let stretch = 4 * PAGE_BYTES;
        let len = 2 * stretch + 3 * PAGE_BYTES + 123;
        let content: Vec<u8> = (0..len).map(|i| (i * 7 + i / 4096) as u8).collect();
        let path = std::env::temp_dir().join(format!("replog-release-{}", std::process::id()));
        std::fs::write(&path, &content).unwrap();
        let log = LogBytes::open(&path).unwrap();
        let Storage::Mapped(map) = &log.storage else {
            panic!("a file on disk is mapped");
        };
        assert_eq!(log.bytes(), &content[..]);
        unmap_pages(map, PAGE_BYTES + 5..len - 77, stretch);
        assert_eq!(log.bytes(), &content[..]);
        unmap_pages(map, 0..usize::MAX, stretch);
        assert_eq!(log.bytes(), &content[..]);
        log.release(0..usize::MAX);
        assert_eq!(log.bytes(), &content[..]);
        drop(log);
        std::fs::remove_file(&path).unwrap();
    }
}
