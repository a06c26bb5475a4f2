//! Strongroom core library: the encrypted vault, its keys, the custody events and the
//! `Station` facade that the desktop app and the CLI both drive.
//!
//! Nothing in this crate's library knows about egui, clap or process exit codes; it returns
//! typed [`Error`]s and leaves presentation to the binary. Only [`crypto`] touches ciphers,
//! and only the module that owns a table writes SQL for it.

pub mod accounts;
pub mod cloud;
pub mod crypto;
pub mod custody;
pub mod db;
pub mod encoding;
pub mod error;
pub mod guard;
pub mod ids;
pub mod ledger;
pub mod level;
pub mod mounts;
pub mod progress;
pub mod station;
pub mod text;
pub mod time;
pub mod vault;

pub use error::{Error, Result};
pub use ids::{ControlNumber, IdentityId, ItemId, UserId};
pub use level::Level;
pub use station::{Session, Station};
