//! The protobuf wire format, by hand: a zero-copy field reader, a faster one for the
//! usual shape of small messages that leaves everything else to the first, and a writer
//! that follows the reference writer's rules (spec 6.1).

mod quick;
mod read;
mod write;

pub(crate) use quick::{tag, QuickFields, FIXED32, FIXED64, LENGTH_DELIMITED, VARINT};
pub(crate) use read::{zigzag32, zigzag64, Message, PbError};
pub(crate) use write::Writer;
