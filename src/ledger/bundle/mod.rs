//! Audit bundles: a directory an officer carries to another machine, where
//! `strongroom audit verify` checks it with no vault (DESIGN.md §4, docs/LEDGER.md).
//!
//! ```text
//! manifest.json               station, origin, range, filters, counts, SHA-256 of every file
//! station.vkey                the station's verifier key
//! events.jsonl                one event per line, exactly its canonical bytes
//! checkpoints/<size>.note     every checkpoint in the range, one signed note per file
//! key-changes/<id>.note       every key-change note of the station (old and new key sign)
//! proofs/consistency.jsonl    a consistency proof to the latest from each checkpoint and
//!                             each key change of the epoch
//! proofs/inclusion.jsonl      filtered bundles: an inclusion proof per event
//! ```
//! An unfiltered bundle holds the whole log up to its latest checkpoint and claims
//! completeness; a filtered one proves only that each event it carries is in the log.

mod export;
mod files;
mod outcome;
mod pins;
mod read;

pub use export::export;
pub use outcome::{BundleError, BundleReport, TrustStep};
pub use pins::{
    AcceptedCheckpoint, AcceptedKeyChange, AdminPin, Pin, Pins, RetiredAdminKey, default_path as default_pins_path,
    verify_and_pin,
};
pub use read::verify;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The manifest's format label.
pub const FORMAT: &str = "strongroom/v1/audit-bundle";

/// `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Station id.
    pub station: String,
    /// Checkpoint origin of the epoch carried (`strongroom/<id>` or `…/e<N>`).
    pub origin: String,
    /// The log epoch carried.
    pub epoch: u64,
    /// Seq of the epoch's first event (leaf 0 of its tree).
    pub epoch_start_seq: u64,
    /// The station's verifier key.
    pub verifier_key: String,
    /// When the bundle was written.
    pub created_at: String,
    /// Whether a filter chose the events (then completeness is not claimed).
    pub filtered: bool,
    /// The filters used.
    pub filters: BTreeMap<String, String>,
    /// Events carried.
    pub events: u64,
    /// Seq of the first and last event carried (none if empty).
    pub first_seq: Option<u64>,
    /// Seq of the last event carried.
    pub last_seq: Option<u64>,
    /// Checkpoints carried.
    pub checkpoints: u64,
    /// Key-change notes carried (absent, and 0, in bundles without any).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub key_changes: u64,
    /// Size of the latest checkpoint (the log the bundle is proven against).
    pub latest_size: u64,
    /// SHA-256 (hex) of every other file, by relative path.
    pub files: BTreeMap<String, String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One proof line of `proofs/*.jsonl`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofLine {
    /// Consistency: the old size; inclusion: the event's seq.
    from: u64,
    /// The tree size proven against (the latest checkpoint).
    to: u64,
    /// The proof hashes, base64.
    hashes: Vec<String>,
}
