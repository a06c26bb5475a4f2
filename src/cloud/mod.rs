//! Cloud-synced and network folders (issue 32): which folders on this machine send their
//! contents elsewhere, so the vault and its exports stay out of them. Begun with the provider
//! catalogue (`catalogue`) and the readers of each client's configuration (`config`); the other
//! detection layers and the enforcement follow.

pub mod catalogue;
pub mod config;
