//! The custody ledger: the events table and the one function that appends an event inside
//! the caller's transaction, with its RFC 8785 canonical bytes; the Merkle log over them,
//! signed checkpoints, station signing-key changes, verify and audit bundles
//! (docs/LEDGER.md).

pub mod alert;
pub mod bundle;
pub mod checkpoint;
pub mod csv;
pub mod epoch;
pub mod events;
pub mod key_change_note;
pub(crate) mod keys_in_force;
pub mod merkle;
pub mod note;
pub mod query;
pub mod unaccounted;
pub mod verify;

pub use events::{Action, NewEvent, StoredEvent};
