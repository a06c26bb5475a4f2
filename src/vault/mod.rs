//! The vault on disk: its directory layout and permissions, each process's work directory,
//! the items table, and the file side of import and export.
//!
//! Invariants: plaintext never lands inside the vault; an item is listed only once its
//! object is in `objects/` and its row is active; a crash leaves nothing that the next open
//! cannot find and remove.

pub mod category;
pub mod export;
pub mod export_temps;
pub mod fs_identity;
pub mod history;
pub mod import;
pub mod items;
pub mod layout;
pub mod leftovers;
pub mod parallel;
pub mod reencrypt;
pub mod rewrites;
pub mod workdir;

pub use category::Category;
pub use items::{ItemRow, ItemStatus};
pub use layout::VaultPaths;
