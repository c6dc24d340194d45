//! The nom error type shared by every body decoder.
//!
//! Body decoders work on a slice that starts at a known absolute offset. They report how
//! many bytes were left when they failed (nom hands us the remaining input) and a short
//! label of what they expected; the caller that knows where the slice starts turns that
//! into an absolute offset with [`DecodeError::offset_in`].

use nom::error::{ContextError, ErrorKind as NomKind, FromExternalError, ParseError};

/// Result of a body decoder over a byte slice.
pub type Parsed<'a, T> = nom::IResult<&'a [u8], T, DecodeError>;

/// A decoding failure inside one record: where (as remaining length) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Bytes of the slice that were still unread when decoding failed.
    pub remaining: usize,
    /// What the decoder expected at that point, e.g. `"status variables"`.
    pub expected: &'static str,
    /// Whether `expected` came from a labelled context (innermost label wins).
    labelled: bool,
}

impl DecodeError {
    /// An error with an explicit label, `remaining` bytes before the end of the slice.
    pub fn new(remaining: usize, expected: &'static str) -> Self {
        DecodeError {
            remaining,
            expected,
            labelled: true,
        }
    }

    /// An error at the start of `input` (the slice still to be read).
    pub fn at(input: &[u8], expected: &'static str) -> Self {
        Self::new(input.len(), expected)
    }

    /// Offset of the failure relative to the start of `whole`, the slice decoding began on.
    pub fn offset_in(&self, whole: &[u8]) -> usize {
        whole.len().saturating_sub(self.remaining)
    }

    /// Wraps the error for returning from a nom parser.
    pub fn fail<T>(self) -> Result<T, nom::Err<DecodeError>> {
        Err(nom::Err::Error(self))
    }
}

#[cfg(test)]
impl DecodeError {
    /// Where in `whole` (the slice decoding began on) decoding failed, and what was
    /// expected there: what a test of a decoder's failure asserts.
    pub fn located(&self, whole: &[u8]) -> (usize, &'static str) {
        (self.offset_in(whole), self.expected)
    }
}

impl<'a> ParseError<&'a [u8]> for DecodeError {
    fn from_error_kind(input: &'a [u8], kind: NomKind) -> Self {
        DecodeError {
            remaining: input.len(),
            expected: nom_label(kind),
            labelled: false,
        }
    }

    fn append(_input: &'a [u8], _kind: NomKind, other: Self) -> Self {
        other
    }
}

impl<'a> ContextError<&'a [u8]> for DecodeError {
    fn add_context(_input: &'a [u8], ctx: &'static str, other: Self) -> Self {
        if other.labelled {
            other
        } else {
            DecodeError {
                expected: ctx,
                labelled: true,
                ..other
            }
        }
    }
}

impl<'a, E> FromExternalError<&'a [u8], E> for DecodeError {
    fn from_external_error(input: &'a [u8], kind: NomKind, _e: E) -> Self {
        Self::from_error_kind(input, kind)
    }
}

/// Flattens nom's three outcomes into one error. Decoders run on complete slices, so
/// `Incomplete` means the slice ended early and is reported at its end.
pub fn finish<T>(r: Result<T, nom::Err<DecodeError>>) -> Result<T, DecodeError> {
    r.map_err(|e| match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e,
        nom::Err::Incomplete(_) => DecodeError::new(0, "more bytes"),
    })
}

/// A readable label for the nom combinator that failed without a context.
fn nom_label(kind: NomKind) -> &'static str {
    match kind {
        NomKind::Eof | NomKind::Complete => "more bytes",
        NomKind::Verify => "a valid value",
        NomKind::Tag => "a fixed byte sequence",
        NomKind::Count | NomKind::Many0 | NomKind::Many1 | NomKind::ManyMN => "repeated items",
        _ => "well-formed data",
    }
}
