//! Cloud-synced and network folders (issue 32, DESIGN.md §6): which folders on this machine
//! send their contents elsewhere, so the vault and its exports stay out of them.
//!
//! - `catalogue`: the providers and file-system types (`schemas/cloud-providers.json`).
//! - `environment`: a user's home and XDG directories, injected in tests.
//! - `config` reads each client's configuration format; `configured` finds and reads them.
//! - `markers`, `processes`: the marker and running-client layers; `marking`: classification
//!   markings in a file found in a synced folder (for the guard's watch of them).
//! - `scan` runs the layers together; `detector` keeps the result until something changes.
//! - `destination`: whether one path lies in (or contains) a synced or network folder.

pub mod catalogue;
pub mod config;
pub mod configured;
pub mod destination;
pub mod detector;
pub mod environment;
pub mod finding;
pub mod markers;
pub mod marking;
pub mod processes;
pub mod regular_file;
pub mod scan;

#[cfg(test)]
mod tests;
