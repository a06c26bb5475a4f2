//! The guard: a root daemon with no password that knows the air gap and the removable media,
//! and records what changes in the custody ledger, signed by its own key (DESIGN.md §2, §5).
//!
//! Rules live here; what it reads from the machine (mounts, devices, network) comes through
//! the traits in [`probes`], so tests inject fakes. It trusts only what verifies from its
//! root-owned state ([`state`], [`trust`]). It never decrypts anything and never holds a
//! level key: what it writes is plain facts about the machine.

pub mod copies;
pub mod daemon;
pub mod destinations;
pub mod lock;
pub mod marker_file;
pub mod media;
pub mod media_watch;
pub mod medium_index;
pub mod medium_record;
pub mod netlink;
pub mod network;
pub mod probes;
pub mod quarantine;
pub mod quarantine_table;
pub mod record;
pub mod register;
pub mod seen_media;
pub mod state;
pub mod status;
pub mod superblock;
pub mod trust;
pub mod usb_authorize;
pub mod wait;
pub mod watch;

pub use daemon::{Config, Guard, Probes};
pub use media::{Medium, is_removable};
pub use network::NetState;
pub use status::{GuardStatus, heartbeat_gaps};
