//! The signed certificate, `certificate.json`: the body, who signed it and when, the admin
//! key and its Ed25519 signature, and the admin-key succession records a verifier pinned to
//! an older key follows to this one.
//!
//! The signature is made with context [`super::FORMAT`] over the RFC 8785 bytes of the
//! document without `signature` and `admin_chain` (docs/FORMAT.md §17). The succession
//! records are signed on their own, by the key each replaces.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::accounts::succession::{self, Succession};
use crate::crypto::sign::{self, SignKey};
use crate::encoding::{canonical, hex};
use crate::ledger::note::Verifier;
use crate::{Error, Result};

use super::{Certificate, FORMAT};

/// Format label of the signed document.
pub const SIGNED_FORMAT: &str = "strongroom/v1/signed-certificate";

/// A certificate file is refused above this size (a 100 000-item batch is about 25 MB).
pub const MAX_BYTES: u64 = 64 << 20;

/// The key name of a station's admin verifier key (`ak.vkey`): `strongroom-admin/<station>`.
pub fn admin_key_name(station: &str) -> String {
    format!("strongroom-admin/{station}")
}

/// The station whose admin key `name` names, if it is one.
pub fn station_of_admin_key_name(name: &str) -> Option<&str> {
    name.strip_prefix("strongroom-admin/")
}

/// A station's admin verifier key as written to `ak.vkey`: `<name>+<id>+<key>` like the
/// station's checkpoint key, under the name [`admin_key_name`].
pub fn admin_verifier_key(station: &str, key: &[u8; 32]) -> Result<String> {
    Verifier::new(&admin_key_name(station), *key)
        .map(|v| v.encode())
        .map_err(|e| Error::InvalidInput(e.to_string()))
}

/// A succession record as carried in the document: its body and the old key's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarriedSuccession {
    /// The record.
    pub body: Succession,
    /// Ed25519 by `body.previous_key`, hex.
    pub signature: String,
}

impl CarriedSuccession {
    /// Whether the key it replaces signed it.
    pub fn verifies(&self) -> bool {
        let (Some(previous), Some(signature)) = (
            hex::decode::<32>(&self.body.previous_key),
            hex::decode_vec(&self.signature),
        ) else {
            return false;
        };
        super::canonical_of(&self.body)
            .is_ok_and(|body| sign::verify(&previous, succession::FORMAT, &body, &signature).is_ok())
    }
}

/// `certificate.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCertificate {
    /// Always [`SIGNED_FORMAT`].
    pub format: String,
    /// The certificate.
    pub certificate: Certificate,
    /// The officer who signed it (login name).
    pub signed_by: String,
    /// When (RFC 3339 UTC).
    pub signed_at: String,
    /// The admin public key that signed, hex.
    pub admin_key: String,
    /// Ed25519 signature, hex.
    pub signature: String,
    /// Admin-key successions from the station's first key to `admin_key`, oldest first.
    pub admin_chain: Vec<CarriedSuccession>,
}

/// The bytes the signature covers: the document without `signature` and `admin_chain`.
fn signed_bytes(certificate: &Value, signed_by: &str, signed_at: &str, admin_key: &str) -> Result<Vec<u8>> {
    let value = serde_json::json!({
        "format": SIGNED_FORMAT,
        "certificate": certificate,
        "signed_by": signed_by,
        "signed_at": signed_at,
        "admin_key": admin_key,
    });
    canonical::to_vec(&value).map_err(|e| Error::InvalidInput(e.to_string()))
}

/// Sign `certificate` as `signed_by` at `signed_at` with the admin key, carrying `chain`.
pub fn sign(
    certificate: &Certificate,
    signed_by: &str,
    signed_at: &str,
    admin: &SignKey,
    chain: Vec<CarriedSuccession>,
) -> Result<SignedCertificate> {
    let admin_key = hex::encode(&admin.public());
    let body = serde_json::to_value(certificate).map_err(|e| Error::InvalidInput(e.to_string()))?;
    let bytes = signed_bytes(&body, signed_by, signed_at, &admin_key)?;
    Ok(SignedCertificate {
        format: SIGNED_FORMAT.into(),
        certificate: certificate.clone(),
        signed_by: signed_by.into(),
        signed_at: signed_at.into(),
        admin_key,
        signature: hex::encode(&admin.sign(FORMAT, &bytes)),
        admin_chain: chain,
    })
}

/// Why a certificate file is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a signed certificate at all (not JSON, wrong shape, too large).
    #[error("not a Strongroom certificate: {0}")]
    Malformed(String),
    /// The signature does not verify over the bytes it covers.
    #[error("the signature does not verify: the certificate was changed after it was signed")]
    BadSignature,
    /// The content contradicts itself.
    #[error("the certificate contradicts itself: {0}")]
    Inconsistent(String),
}

/// Parse `bytes` as `certificate.json` and check its signature against the key it names
/// (whether that key is one to trust is the caller's question). Members must be exactly
/// the format's, and re-serialize to the same values, so two spellings of one document
/// cannot both verify.
pub fn open(bytes: &[u8]) -> std::result::Result<(SignedCertificate, [u8; 32]), Refusal> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Refusal::Malformed(format!("larger than {} MiB", MAX_BYTES >> 20)));
    }
    let raw: Value = serde_json::from_slice(bytes).map_err(|e| Refusal::Malformed(e.to_string()))?;
    // Parsed straight from the bytes as well: a member given twice is refused there (as a
    // value, the last one would silently win).
    let document: SignedCertificate = serde_json::from_slice(bytes).map_err(|e| Refusal::Malformed(e.to_string()))?;
    if document.format != SIGNED_FORMAT || document.certificate.format != FORMAT {
        return Err(Refusal::Malformed("unknown format".into()));
    }
    let again = serde_json::to_value(&document).map_err(|e| Refusal::Malformed(e.to_string()))?;
    if again != raw {
        return Err(Refusal::Malformed(
            "a member is not written the way the format writes it".into(),
        ));
    }
    let key =
        hex::decode::<32>(&document.admin_key).ok_or(Refusal::Malformed("admin_key is not 32 bytes of hex".into()))?;
    let signature = hex::decode_vec(&document.signature).ok_or(Refusal::Malformed("signature is not hex".into()))?;
    let bytes = signed_bytes(
        &raw["certificate"],
        &document.signed_by,
        &document.signed_at,
        &document.admin_key,
    )
    .map_err(|e| Refusal::Malformed(e.to_string()))?;
    sign::verify(&key, FORMAT, &bytes, &signature).map_err(|_| Refusal::BadSignature)?;
    check_consistent(&document.certificate)?;
    let (Some(destroyed), Some(signed)) = (
        crate::time::parse_rfc3339(&document.certificate.destroyed_at),
        crate::time::parse_rfc3339(&document.signed_at),
    ) else {
        return Err(Refusal::Inconsistent("a time is not RFC 3339".into()));
    };
    if signed < destroyed {
        return Err(Refusal::Inconsistent(
            "it is signed before the destruction it certifies".into(),
        ));
    }
    Ok((document, key))
}

/// The certificate's own rules: a number, items or a medium as its subject says, distinct
/// seqs within its ledger range, hashes of the right shape, no item above its classification.
pub fn check_consistent(certificate: &Certificate) -> std::result::Result<(), Refusal> {
    let bad = |why: &str| Err(Refusal::Inconsistent(why.to_string()));
    if !super::is_number(&certificate.number) {
        return bad("its number is not CD-YYYY-NNNNNN");
    }
    let log = format!("strongroom/{}", certificate.station);
    let origin = &certificate.ledger.origin;
    let of_station = origin == &log
        || origin
            .strip_prefix(&format!("{log}/e"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if !of_station {
        return bad("its ledger is not its station's");
    }
    match (certificate.subject, certificate.items.is_empty(), &certificate.medium) {
        (super::Subject::Items, false, None) | (super::Subject::Medium, true, Some(_)) => {}
        _ => return bad("its subject does not match what it lists"),
    }
    let ledger = &certificate.ledger;
    let seqs = certificate.seqs();
    if seqs.iter().any(|s| *s < ledger.first_seq || *s > ledger.last_seq) || ledger.first_seq > ledger.last_seq {
        return bad("an event seq lies outside its ledger range");
    }
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != seqs.len() {
        return bad("two entries name one event");
    }
    if certificate.items.iter().any(|i| hex::decode::<32>(&i.sha256).is_none()) {
        return bad("a SHA-256 is not 64 hex digits");
    }
    if certificate
        .items
        .iter()
        .any(|i| i.level > certificate.media.classification)
    {
        return bad("an item is above the certificate's classification");
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
