//! What verifying a bundle found: the report, and why it failed, with the one step that
//! leads on when trusting a key is the way (the CLI names its command, the app its control).

/// Why a bundle does not verify.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BundleError {
    /// The first event affected, where one is.
    pub seq: Option<u64>,
    /// What is wrong.
    pub reason: String,
    /// What the auditor can do about it, when trusting a key is the way on (the CLI names
    /// its command, the app its control).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<TrustStep>,
}

/// A key this machine may decide to trust, once the station's officers vouch for it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum TrustStep {
    /// Pin the station's key (its `vkey` text) before its first bundle.
    PinKey {
        /// The station's verifier key.
        key: String,
    },
    /// Accept the station's new epoch, or a key announced outside the bundle.
    AcceptNewEpoch {
        /// The station's verifier key.
        key: String,
    },
}

/// The outcome.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct BundleReport {
    /// Everything verified.
    pub ok: bool,
    /// The station (checkpoint origin).
    pub origin: String,
    /// Events carried.
    pub events: u64,
    /// Checkpoints carried.
    pub checkpoints: u64,
    /// Key-change notes carried.
    pub key_changes: u64,
    /// The station key pinned here once the bundle verified (moved along the key changes
    /// the bundle proved); empty when it did not verify.
    pub pinned_key: String,
    /// Size of the log the bundle is proven against.
    pub latest_size: u64,
    /// Whether a filter chose the events.
    pub filtered: bool,
    /// The bundle's newest checkpoint was accepted here before: an earlier bundle verified
    /// again (the pin stays where it is).
    pub archive: bool,
    /// Things that are not tampering but limit what was proven.
    pub warnings: Vec<String>,
    /// The failure, if any.
    pub error: Option<BundleError>,
}

pub(super) fn fail(seq: Option<u64>, reason: impl Into<String>) -> BundleError {
    BundleError {
        seq,
        reason: reason.into(),
        trust: None,
    }
}

/// A failure whose way on is trusting a key.
pub(super) fn untrusted(seq: Option<u64>, reason: String, trust: TrustStep) -> BundleError {
    BundleError {
        trust: Some(trust),
        ..fail(seq, reason)
    }
}
