//! Checking a certificate on a machine with no vault (`strongroom audit verify-certificate`):
//! its signature, by an admin key this machine pinned (`audit trust ak.vkey`) or one that
//! key's signed successions lead to; and, given the station's audit bundle, that the ledger
//! holds the events it names. An edited, re-signed or truncated certificate is refused.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::encoding::{base64, hex};
use crate::ledger::bundle::{self, Pins, RetiredAdminKey, TrustStep};
use crate::ledger::{checkpoint, note};

use super::document::{self, CarriedSuccession, MAX_BYTES, SignedCertificate};
use super::ledger_check::event_matches;

/// What checking a certificate found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CertificateReport {
    /// The signature verifies under a trusted key (and, with a bundle, the events are in it).
    pub ok: bool,
    /// Its number.
    pub number: String,
    /// Its station.
    pub station: String,
    /// Items it lists.
    pub items: usize,
    /// Who signed it, and when.
    pub signed_by: String,
    /// When.
    pub signed_at: String,
    /// The admin key that signed, hex.
    pub admin_key: String,
    /// Whether the ledger's inclusion of its events was shown (a bundle was given and holds them).
    pub inclusion_shown: bool,
    /// What was proven about the ledger, in words.
    pub inclusion: String,
    /// Why it is refused, if it is.
    pub error: Option<String>,
    /// The key to pin when that is what stands in the way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<TrustStep>,
}

/// Check the certificate file at `path` against `pins` (moving the station's admin pin along
/// the successions it proves; the caller saves the pins), and against the bundle in `bundle_dir`
/// when one is given.
pub fn verify(path: &Path, pins: &mut Pins, bundle_dir: Option<&Path>) -> CertificateReport {
    let mut report = CertificateReport {
        inclusion: "ledger inclusion not shown".into(),
        ..CertificateReport::default()
    };
    match check(path, pins, bundle_dir, &mut report) {
        Ok(()) => report.ok = true,
        Err(why) => report.error = Some(why),
    }
    report
}

fn check(
    path: &Path,
    pins: &mut Pins,
    bundle_dir: Option<&Path>,
    report: &mut CertificateReport,
) -> Result<(), String> {
    let bytes = read_bounded(path)?;
    let (signed, key) = document::open(&bytes).map_err(|e| e.to_string())?;
    let certificate = &signed.certificate;
    report.number = certificate.number.clone();
    report.station = certificate.station.clone();
    report.items = certificate.items.len();
    report.signed_by = signed.signed_by.clone();
    report.signed_at = signed.signed_at.clone();
    report.admin_key = signed.admin_key.clone();
    trusted_signer(&signed, &key, pins, report)?;
    if let Some(dir) = bundle_dir {
        let checkpoint_carried = included(&signed, dir, pins)?;
        report.inclusion_shown = true;
        report.inclusion = format!(
            "ledger inclusion shown: the bundle's verified log holds event{} {}{}",
            if certificate.seqs().len() == 1 { "" } else { "s" },
            seq_range(certificate),
            if checkpoint_carried {
                format!(
                    ", and its checkpoint of size {} agrees",
                    certificate.ledger.checkpoint_size
                )
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

fn seq_range(certificate: &super::Certificate) -> String {
    let l = &certificate.ledger;
    if l.first_seq == l.last_seq {
        l.first_seq.to_string()
    } else {
        format!("{}–{}", l.first_seq, l.last_seq)
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(bytes)
}

/// The signer must be the admin key pinned for the station, or one the carried successions
/// lead to from it, or a key this machine knows was replaced, for a certificate signed before
/// it was. The carried records are followed from the pinned key as far as they go and the
/// pin moves there, remembering every key they retire (so a key shown retired once stays
/// retired, whatever a later file carries). A record that forks from one this machine knows,
/// or a key with two successors, is tampering.
fn trusted_signer(
    signed: &SignedCertificate,
    key: &[u8; 32],
    pins: &mut Pins,
    report: &mut CertificateReport,
) -> Result<(), String> {
    let station = signed.certificate.station.clone();
    let signer = hex::encode(key);
    let Some(pin) = pins.admin_keys.get_mut(&station) else {
        report.trust = document::admin_verifier_key(&station, key)
            .ok()
            .map(|key| TrustStep::PinKey { key });
        return Err(format!(
            "no admin key of station {station} is pinned on this machine: pin the ak.vkey its officers give you"
        ));
    };
    let chain: Vec<&CarriedSuccession> = signed
        .admin_chain
        .iter()
        .filter(|r| r.body.station == station && r.body.format == crate::accounts::succession::FORMAT)
        .collect();
    if chain.iter().any(|r| !r.verifies()) {
        return Err("a succession record it carries is not signed by the key it replaces".into());
    }
    for record in &chain {
        let forks = chain.iter().any(|other| {
            other.body.previous_key == record.body.previous_key && other.body.next_key != record.body.next_key
        }) || pin
            .retired
            .iter()
            .any(|r| r.key == record.body.previous_key && r.successor != record.body.next_key);
        if forks {
            return Err(format!(
                "admin key {} has two successors: tampering",
                record.body.previous_key
            ));
        }
    }
    // Follow the successions from the pinned key as far as they go.
    let mut current = pin.key.clone();
    let mut walked: Vec<RetiredAdminKey> = Vec::new();
    while let Some(next) = chain.iter().find(|r| r.body.previous_key == current) {
        walked.push(RetiredAdminKey {
            key: current.clone(),
            successor: next.body.next_key.clone(),
            at: next.body.issued_at.clone(),
        });
        current = next.body.next_key.clone();
        if walked.len() > chain.len() {
            return Err("the succession records it carries loop".into());
        }
    }
    // The keys this machine then knows: retired ones (with when) and the current one.
    let retired_at = |k: &str| {
        pin.retired
            .iter()
            .chain(walked.iter())
            .filter(|r| r.key == k)
            .map(|r| r.at.clone())
            .min()
    };
    let known = signer == current || retired_at(&signer).is_some();
    if !known {
        return Err(format!(
            "signed by admin key {signer}, which is neither the key pinned here for station {station} ({}) nor one its successions lead to",
            pin.key
        ));
    }
    if let Some(at) = retired_at(&signer)
        && signed.signed_at >= at
    {
        return Err(format!(
            "signed by admin key {signer} at {}, after it was replaced at {at}",
            signed.signed_at
        ));
    }
    pin.retired.extend(walked);
    pin.key = current;
    Ok(())
}

/// With a bundle: it must verify (against the pinned station key), be this station's log,
/// and hold every event the certificate names, each the destruction it lists. Returns
/// whether the bundle carries the checkpoint the certificate names (which must then agree).
fn included(signed: &SignedCertificate, dir: &Path, pins: &mut Pins) -> Result<bool, String> {
    let certificate = &signed.certificate;
    let verified = bundle::verify(dir, pins);
    if let Some(error) = verified.error {
        return Err(format!("the bundle does not verify: {}", error.reason));
    }
    if verified.origin != certificate.ledger.origin {
        return Err(format!(
            "the bundle is the log {}, not {} that the certificate names",
            verified.origin, certificate.ledger.origin
        ));
    }
    let mut wanted = certificate.seqs();
    let events = dir.join("events.jsonl");
    let file = std::fs::File::open(&events).map_err(|e| format!("{}: {e}", events.display()))?;
    for line in BufReader::new(file).split(b'\n') {
        let line = line.map_err(|e| format!("events.jsonl: {e}"))?;
        let Ok(event) = serde_json::from_slice::<Value>(&line) else {
            continue;
        };
        let Some(seq) = event["seq"].as_u64() else {
            continue;
        };
        if let Some(at) = wanted.iter().position(|s| *s == seq) {
            if !event_matches(certificate, seq, &event) {
                return Err(format!(
                    "event {seq} in the bundle is not the destruction the certificate lists there"
                ));
            }
            wanted.swap_remove(at);
        }
    }
    if let Some(seq) = wanted.first() {
        return Err(format!("the bundle lacks event {seq}, which the certificate names"));
    }
    // The checkpoint it names, if the bundle carries one of that size, must agree.
    let ledger = &certificate.ledger;
    let checkpoints = dir.join("checkpoints");
    let mut carried = false;
    if let Ok(entries) = std::fs::read_dir(&checkpoints) {
        for entry in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let Some((origin, size, root)) = note::parse(&text)
                .ok()
                .and_then(|(body, _)| checkpoint::parse_body(body))
            else {
                continue;
            };
            if origin == ledger.origin && size == ledger.checkpoint_size {
                if base64::encode(&root) != ledger.checkpoint_root {
                    return Err(format!(
                        "the bundle's checkpoint of size {size} has another root than the certificate names"
                    ));
                }
                carried = true;
            }
        }
    }
    Ok(carried)
}

#[cfg(test)]
mod tests;
