//! Cloud-synced and network folders (issue 32): which folders on this machine send their
//! contents elsewhere, so the vault and its exports stay out of them. Begun with the provider
//! catalogue (`catalogue`); detection and enforcement follow.

pub mod catalogue;
