//! The protobuf wire format, by hand: a zero-copy field reader and a writer that follows
//! the reference writer's rules (spec 6.1).

mod read;
mod write;

pub(crate) use read::{Message, PbError};
pub(crate) use write::Writer;
