//! The register record of an authorized medium (issue 29, DESIGN.md §5): who may carry
//! classified material on which stick, to what level, until when. An officer's admin key
//! (`AK`) signs it — never the station signing key, which every user holds. A copy is
//! written on the medium as its marker, so any guard can recognise the medium and its
//! level; the trust comes from the signature and the station's register, not from the
//! file-system serial, which a FAT volume lets anyone clone.
//!
//! A marker is untrusted input: its size is bounded, it must parse exactly, its signature
//! must verify under a trusted admin key, and it must name this station, the file-system
//! UUID of the medium it was read from, and a date not past its expiry.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Level;
use crate::crypto::sign::{self, SignKey};
use crate::encoding::hex;

/// Signature context of a medium record.
pub const CONTEXT: &str = "strongroom/v1/medium-record";

/// The record's format version.
pub const FORMAT: u32 = 1;

/// The marker file's name, at the medium's root.
pub const MARKER_NAME: &str = ".strongroom-medium.json";

/// A marker larger than this is refused unread.
pub const MAX_MARKER_BYTES: u64 = 16 * 1024;

/// What the register says of one medium; its canonical JSON is what `AK` signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediumRecord {
    /// Format version ([`FORMAT`]).
    pub format: u32,
    /// The medium's id in the register (a UUID).
    pub medium: String,
    /// The station whose register holds it.
    pub station: String,
    /// The file-system UUID it was registered with (a re-format changes it).
    pub fs_uuid: String,
    /// Its label (as an officer named it).
    pub label: String,
    /// The device serial, where the device reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// The highest level it may carry.
    pub level: Level,
    /// Its custodian (a user name).
    pub custodian: String,
    /// When it was registered (RFC 3339 UTC).
    pub issued_at: String,
    /// When it stops being authorized (RFC 3339 UTC), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// A record with its signature, as the marker file and the register store it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedRecord {
    /// The record.
    pub record: MediumRecord,
    /// The admin key that signed it (hex).
    pub admin_key: String,
    /// Ed25519 signature over the record's canonical JSON with [`CONTEXT`] (hex).
    pub signature: String,
}

/// Why a marker does not authorize the medium it was read from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MarkerError {
    /// Larger than [`MAX_MARKER_BYTES`].
    #[error("the marker is larger than {MAX_MARKER_BYTES} bytes")]
    TooLarge,
    /// Not a record of this format.
    #[error("the marker is not a medium record: {0}")]
    Malformed(String),
    /// Signed by a key this station does not trust, or not signed over these bytes.
    #[error("the marker's signature does not verify under this station's admin keys")]
    BadSignature,
    /// Another station's register.
    #[error("the marker belongs to station {0}")]
    OtherStation(String),
    /// Registered for another file system (copied from another medium, or re-formatted).
    #[error("the marker was issued for file system {expected}, and this medium is {found}")]
    OtherFileSystem {
        /// The UUID the record names.
        expected: String,
        /// The UUID of the medium it was read from.
        found: String,
    },
    /// Past its expiry.
    #[error("the marker expired at {0}")]
    Expired(String),
}

impl MediumRecord {
    /// The bytes `AK` signs: the record's canonical JSON (RFC 8785).
    pub fn signed_bytes(&self) -> Result<Vec<u8>, MarkerError> {
        let value = serde_json::to_value(self).map_err(|e| MarkerError::Malformed(e.to_string()))?;
        crate::encoding::canonical::to_vec(&value).map_err(|e| MarkerError::Malformed(e.to_string()))
    }

    /// Sign with the admin key.
    pub fn sign(self, admin_key: &SignKey) -> Result<SignedRecord, MarkerError> {
        let signature = admin_key.sign(CONTEXT, &self.signed_bytes()?);
        Ok(SignedRecord {
            record: self,
            admin_key: hex::encode(&admin_key.public()),
            signature: hex::encode(&signature),
        })
    }
}

impl SignedRecord {
    /// The marker file's bytes.
    pub fn to_marker(&self) -> Result<Vec<u8>, MarkerError> {
        serde_json::to_vec_pretty(self).map_err(|e| MarkerError::Malformed(e.to_string()))
    }
}

/// Whether `signed`'s signature verifies under the admin key it names (which key that is
/// may be trusted is the caller's question).
pub fn signature_verifies(signed: &SignedRecord) -> bool {
    let (Some(key), Some(signature)) = (hex::decode::<32>(&signed.admin_key), hex::decode_vec(&signed.signature))
    else {
        return false;
    };
    signed
        .record
        .signed_bytes()
        .is_ok_and(|bytes| sign::verify(&key, CONTEXT, &bytes, &signature).is_ok())
}

/// Verify the marker `bytes` read from the medium whose file system is `fs_uuid`, for
/// `station`, under one of `trusted` admin keys, at `now`. Returns the record it proves.
pub fn verify_marker(
    bytes: &[u8],
    trusted: &[[u8; 32]],
    station: &str,
    fs_uuid: &str,
    now: OffsetDateTime,
) -> Result<MediumRecord, MarkerError> {
    if bytes.len() as u64 > MAX_MARKER_BYTES {
        return Err(MarkerError::TooLarge);
    }
    let signed: SignedRecord = serde_json::from_slice(bytes).map_err(|e| MarkerError::Malformed(e.to_string()))?;
    let record = &signed.record;
    if record.format != FORMAT {
        return Err(MarkerError::Malformed(format!(
            "format {} is not {FORMAT}",
            record.format
        )));
    }
    let key = hex::decode::<32>(&signed.admin_key).ok_or(MarkerError::BadSignature)?;
    if !trusted.contains(&key) {
        return Err(MarkerError::BadSignature);
    }
    let signature = hex::decode_vec(&signed.signature).ok_or(MarkerError::BadSignature)?;
    sign::verify(&key, CONTEXT, &record.signed_bytes()?, &signature).map_err(|_| MarkerError::BadSignature)?;
    if record.station != station {
        return Err(MarkerError::OtherStation(record.station.clone()));
    }
    if !record.fs_uuid.eq_ignore_ascii_case(fs_uuid) {
        return Err(MarkerError::OtherFileSystem {
            expected: record.fs_uuid.clone(),
            found: fs_uuid.to_string(),
        });
    }
    if let Some(expires) = &record.expires {
        let at = OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339)
            .map_err(|e| MarkerError::Malformed(format!("expiry {expires}: {e}")))?;
        if now >= at {
            return Err(MarkerError::Expired(expires.clone()));
        }
    }
    Ok(signed.record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> MediumRecord {
        MediumRecord {
            format: FORMAT,
            medium: "0b0f8c1e-6a52-4a3e-9a43-1f7d2f9c0a11".into(),
            station: "station-a".into(),
            fs_uuid: "7F77-D098".into(),
            label: "专用U盘 03".into(),
            serial: Some("4C530001230512114372".into()),
            level: Level::Secret,
            custodian: "alice".into(),
            issued_at: "2026-12-07T12:00:00.000Z".into(),
            expires: Some("2027-12-07T00:00:00Z".into()),
        }
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::parse("2026-12-08T09:00:00Z", &time::format_description::well_known::Rfc3339).unwrap()
    }

    #[test]
    fn a_marker_verifies_only_on_its_medium_for_its_station_under_a_trusted_key_until_it_expires() {
        let ak = SignKey::random().unwrap();
        let trusted = [ak.public()];
        let marker = record().sign(&ak).unwrap().to_marker().unwrap();
        let verify = |bytes: &[u8], station: &str, uuid: &str, at: OffsetDateTime| {
            verify_marker(bytes, &trusted, station, uuid, at)
        };
        assert_eq!(verify(&marker, "station-a", "7f77-d098", now()), Ok(record()));

        // Copied onto another medium, another station's, or past its date.
        assert!(matches!(
            verify(&marker, "station-a", "1234-ABCD", now()),
            Err(MarkerError::OtherFileSystem { .. })
        ));
        assert_eq!(
            verify(&marker, "station-b", "7F77-D098", now()),
            Err(MarkerError::OtherStation("station-a".into()))
        );
        let later =
            OffsetDateTime::parse("2027-12-07T00:00:00Z", &time::format_description::well_known::Rfc3339).unwrap();
        assert!(matches!(
            verify(&marker, "station-a", "7F77-D098", later),
            Err(MarkerError::Expired(_))
        ));

        // Edited: a higher level, another custodian, no expiry.
        let text = String::from_utf8(marker.clone()).unwrap();
        for edited in [
            text.replace("\"secret\"", "\"top-secret\""),
            text.replace("\"alice\"", "\"mallory\""),
            text.replace(",\n    \"expires\": \"2027-12-07T00:00:00Z\"", ""),
        ] {
            assert_ne!(edited, text);
            assert_eq!(
                verify(edited.as_bytes(), "station-a", "7F77-D098", now()),
                Err(MarkerError::BadSignature),
                "{edited}"
            );
        }

        // Signed by a key the station does not trust (a user's own key, say).
        let other = record().sign(&SignKey::random().unwrap()).unwrap().to_marker().unwrap();
        assert_eq!(
            verify(&other, "station-a", "7F77-D098", now()),
            Err(MarkerError::BadSignature)
        );
    }

    #[test]
    fn hostile_markers_are_refused_with_a_reason_never_a_panic() {
        let trusted = [SignKey::random().unwrap().public()];
        let refuse = |bytes: &[u8]| verify_marker(bytes, &trusted, "station-a", "7F77-D098", now());
        assert_eq!(
            refuse(&vec![b' '; MAX_MARKER_BYTES as usize + 1]),
            Err(MarkerError::TooLarge)
        );
        for junk in [&b""[..], b"{", b"null", b"[]", b"{\"record\":1}", &[0xff, 0xfe, 0x00]] {
            assert!(matches!(refuse(junk), Err(MarkerError::Malformed(_))), "{junk:?}");
        }
        // An unknown member, another format, a bad key or signature.
        let ak = SignKey::random().unwrap();
        let signed = record().sign(&ak).unwrap();
        let mut value = serde_json::to_value(&signed).unwrap();
        value["extra"] = serde_json::json!(true);
        assert!(matches!(
            refuse(value.to_string().as_bytes()),
            Err(MarkerError::Malformed(_))
        ));
        let mut future = signed.clone();
        future.record.format = 2;
        assert!(matches!(
            refuse(&future.to_marker().unwrap()),
            Err(MarkerError::Malformed(_))
        ));
        for (key, signature) in [("zz", signed.signature.as_str()), (signed.admin_key.as_str(), "00")] {
            let broken = SignedRecord {
                admin_key: key.into(),
                signature: signature.into(),
                ..signed.clone()
            };
            assert_eq!(refuse(&broken.to_marker().unwrap()), Err(MarkerError::BadSignature));
        }
    }
}
