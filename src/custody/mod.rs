//! Custody: who holds each item and what should be gone (issue 30). The rules for offering,
//! accepting, declining and reassigning custody, retention dates and the Due list, and the
//! inventory that checks every item row against its object and its history.
//!
//! Everything here reads an item's custodian, level and retention date from its history in
//! the ledger (`vault::history`), never from the items table, which anyone with the OS
//! account can edit. This module decides; `Station` checks permissions, calls it and writes
//! the events.

pub mod certificate;
pub mod inventory;
pub mod retention;
pub mod transfer;
