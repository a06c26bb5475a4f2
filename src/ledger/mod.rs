//! The custody ledger. This part: the events table and the one function that appends
//! an event inside the caller's transaction, with its RFC 8785 canonical bytes. The Merkle
//! log, checkpoints, verify and audit bundles build on these rows.

pub mod base64;
pub mod bundle;
pub mod canonical;
pub mod checkpoint;
pub mod csv;
pub mod epoch;
pub mod events;
pub mod merkle;
pub mod note;
pub mod query;
pub mod verify;

pub use events::{Action, NewEvent, StoredEvent};
