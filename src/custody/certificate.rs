//! Certificates of destruction (issue 31): the record a security office files when material
//! is destroyed, modelled on the sample Certificate of Sanitization in NIST SP 800-88 Rev. 1
//! (person performing, media information, sanitization method and verification,
//! post-sanitization classification, destination, the validating person), plus what the
//! station knows that the form does not ask: each item's control number, level, category,
//! size and plaintext SHA-256 (never its title: that is destroyed too), and the ledger seqs
//! and the checkpoint that record the destruction.
//!
//! A certificate is written in the transaction that destroys (so a destruction never exists
//! without one) and signed by the admin key `AK` (DESIGN.md §2: officers, never the station
//! signing key every user holds). The signed document, `certificate.json`, carries the `AK`
//! succession records a verifier pinned to an older key needs; `offline` checks it on a
//! machine with no vault, and `pdf` prints it.

pub mod build;
pub mod document;
pub mod ledger_check;
pub mod offline;
pub mod pdf;
pub mod store;
pub mod typeface;

use serde::{Deserialize, Serialize};

use crate::Level;

/// Format label of a certificate body, and the context its signature is made in.
pub const FORMAT: &str = "strongroom/v1/certificate";

/// What the tool line of every certificate names.
pub const TOOL: &str = concat!("Strongroom ", env!("CARGO_PKG_VERSION"));

/// The certificate's body: everything it states. Optional members are omitted when absent,
/// so a parsed body serializes back to the same bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// Always [`FORMAT`].
    pub format: String,
    /// Its number on this station, `CD-YYYY-NNNNNN`.
    pub number: String,
    /// The station id.
    pub station: String,
    /// When the destruction committed (RFC 3339 UTC).
    pub destroyed_at: String,
    /// `items` or `medium`.
    pub subject: Subject,
    /// The person who destroyed it.
    pub performed_by: Person,
    /// The witness, or the officer who approved the request; absent when none was needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validated_by: Option<Person>,
    /// How they validated it: `witness`, or `approved request N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<String>,
    /// Why, as recorded in the ledger.
    pub reason: String,
    /// SP 800-88's "media information".
    pub media: MediaInformation,
    /// SP 800-88's "sanitization details".
    pub sanitization: Sanitization,
    /// Classification of what remains (nothing readable: `unclassified`).
    pub post_sanitization_classification: Level,
    /// Where what remains went.
    pub destination: String,
    /// The items destroyed (empty for a medium).
    pub items: Vec<DestroyedItem>,
    /// The medium destroyed, for a medium's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<DestroyedMedium>,
    /// Where the ledger records it.
    pub ledger: LedgerRecord,
}

/// What a certificate covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    /// Vault items (one, or a batch).
    Items,
    /// A registered removable medium.
    Medium,
}

impl Subject {
    /// As stored and written.
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Items => "items",
            Subject::Medium => "medium",
        }
    }
}

/// A person named on the certificate: their login name, and the title, organization and
/// location an officer keeps in the policy (absent when none is set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Login name.
    pub name: String,
    /// Title (`certificate-titles`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Organization (`certificate-organization`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Location (`certificate-location`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// SP 800-88's media information.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaInformation {
    /// What was destroyed.
    pub media_type: String,
    /// Where it was held.
    pub source: String,
    /// Its classification (the highest level among the items).
    pub classification: Level,
    /// `yes`, `no` or `unknown`: whether copies exist outside what was destroyed.
    pub backed_up: String,
    /// Where those copies are, as far as the station knows.
    pub backup_location: String,
}

/// SP 800-88's sanitization details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sanitization {
    /// `purge` (crypto erase) or `destroy` (a medium).
    pub method_type: String,
    /// The method used.
    pub method: String,
    /// Tool and version.
    pub tool: String,
    /// How the result was checked.
    pub verification_method: String,
    /// What the check found.
    pub verification_result: String,
}

/// One item of the certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestroyedItem {
    /// Control number.
    pub control_number: String,
    /// Level when destroyed.
    pub level: Level,
    /// Category.
    pub category: String,
    /// Plaintext size in bytes.
    pub size: u64,
    /// Plaintext SHA-256, hex.
    pub sha256: String,
    /// Seq of its `item.destroy` event.
    pub seq: u64,
}

/// The medium of a medium's certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestroyedMedium {
    /// Its id in the register.
    pub medium: String,
    /// Its label.
    pub label: String,
    /// File-system UUID.
    pub fs_uuid: String,
    /// Device serial, when it reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Seq of its `media.destroy` event.
    pub seq: u64,
}

/// Where the ledger records the destruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerRecord {
    /// The log's origin (`strongroom/<station>`, `…/e<N>` in a later epoch).
    pub origin: String,
    /// Seq of the first event of the destruction.
    pub first_seq: u64,
    /// Seq of the last.
    pub last_seq: u64,
    /// Size of the checkpoint written in the same transaction (it covers every event).
    pub checkpoint_size: u64,
    /// Its root hash, base64.
    pub checkpoint_root: String,
}

impl Certificate {
    /// The highest level it covers.
    pub fn level(&self) -> Level {
        self.media.classification
    }

    /// Every event seq it names.
    pub fn seqs(&self) -> Vec<u64> {
        let mut seqs: Vec<u64> = self.items.iter().map(|i| i.seq).collect();
        seqs.extend(self.medium.as_ref().map(|m| m.seq));
        seqs
    }

    /// Its RFC 8785 bytes.
    pub fn canonical(&self) -> crate::Result<Vec<u8>> {
        canonical_of(self)
    }
}

/// The RFC 8785 bytes of anything serializable.
pub(crate) fn canonical_of<T: Serialize>(value: &T) -> crate::Result<Vec<u8>> {
    let value = serde_json::to_value(value).map_err(|e| crate::Error::InvalidInput(e.to_string()))?;
    crate::encoding::canonical::to_vec(&value).map_err(|e| crate::Error::InvalidInput(e.to_string()))
}

/// The number of the `serial`th certificate, made in `year`: `CD-2026-000001`.
pub fn number(year: i32, serial: u64) -> String {
    format!("CD-{year}-{serial:06}")
}

/// Whether `text` is a certificate number.
pub fn is_number(text: &str) -> bool {
    let mut parts = text.split('-');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("CD"), Some(year), Some(serial), None)
            if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
                && serial.len() >= 6 && serial.bytes().all(|b| b.is_ascii_digit())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_year_and_serial() {
        assert_eq!(number(2026, 42), "CD-2026-000042");
        assert!(is_number("CD-2026-000042"));
        assert!(is_number("CD-2026-1000000"));
        assert!(!is_number("CD-26-000042"));
        assert!(!is_number("SR-2026-000042"));
        assert!(!is_number("CD-2026-00004x"));
    }
}
