//! C2SP signed notes with Ed25519 signatures, as the Go `note` package writes them: a text
//! ending in a newline, a blank line, then one line per signature,
//! `— <key name> <base64(key id ‖ signature)>`. The key id is the first 4 bytes of
//! SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key); a verifier key is written
//! `<name>+<hex key id>+<base64(0x01 ‖ public key)>`. Checked against the Go package's
//! published example in the tests.

use sha2::{Digest, Sha256};

use crate::crypto::sign::{self, SignKey};
use crate::encoding::base64;
use crate::encoding::hex;

/// The signature algorithm byte of Ed25519 in note keys.
const ED25519: u8 = 0x01;
/// The em dash that starts every signature line.
const DASH: &str = "\u{2014} ";

/// A problem with a note or a key.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The text is not a well-formed note.
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    /// A verifier key string is not well formed.
    #[error("malformed verifier key: {0}")]
    BadKey(&'static str),
    /// No signature by a known key verifies.
    #[error("no valid signature by {0}")]
    Unverified(String),
}

/// A public key that verifies notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verifier {
    /// Key name (for Strongroom: `strongroom/<station-id>`).
    pub name: String,
    /// Key id.
    pub id: [u8; 4],
    /// Ed25519 public key.
    pub public: [u8; 32],
}

impl Verifier {
    /// The verifier for `name` and `public`.
    pub fn new(name: &str, public: [u8; 32]) -> Result<Verifier, NoteError> {
        check_name(name)?;
        Ok(Verifier {
            name: name.to_string(),
            id: key_id(name, &public),
            public,
        })
    }

    /// `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
    pub fn encode(&self) -> String {
        let mut key = vec![ED25519];
        key.extend_from_slice(&self.public);
        format!("{}+{}+{}", self.name, hex::encode(&self.id), base64::encode(&key))
    }

    /// Parse a verifier key string, checking that its id matches its name and key.
    pub fn parse(text: &str) -> Result<Verifier, NoteError> {
        let text = text.trim();
        // Names and ids hold no '+', base64 may: split on the first two only.
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::BadKey("expected name+id+key"));
        };
        check_name(name).map_err(|_| NoteError::BadKey("bad key name"))?;
        let id = hex::decode::<4>(id).ok_or(NoteError::BadKey("key id is not 8 hex digits"))?;
        let key = base64::decode(key).ok_or(NoteError::BadKey("key is not base64"))?;
        let (&alg, public) = key.split_first().ok_or(NoteError::BadKey("empty key"))?;
        if alg != ED25519 {
            return Err(NoteError::BadKey("not an Ed25519 key"));
        }
        let public: [u8; 32] = public
            .try_into()
            .map_err(|_| NoteError::BadKey("Ed25519 keys are 32 bytes"))?;
        if key_id(name, &public) != id {
            return Err(NoteError::BadKey("key id does not match the name and key"));
        }
        Ok(Verifier {
            name: name.to_string(),
            id,
            public,
        })
    }
}

/// Key id: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).
pub fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public);
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(NoteError::Malformed("key names are non-empty, without spaces or '+'"));
    }
    Ok(())
}

/// Sign `text` (which must end with a newline) as key `name`; returns the whole note.
pub fn sign(text: &str, name: &str, key: &SignKey) -> Result<String, NoteError> {
    sign_many(text, name, &[key])
}

/// Sign `text` with several keys under one key name: one signature line per key, in the
/// order given (key-change notes carry the old key's line, then the new key's).
pub fn sign_many(text: &str, name: &str, keys: &[&SignKey]) -> Result<String, NoteError> {
    check_text(text)?;
    if keys.is_empty() {
        return Err(NoteError::Malformed("a note needs at least one signature"));
    }
    let mut note = format!("{text}\n");
    for key in keys {
        let verifier = Verifier::new(name, key.public())?;
        let mut blob = verifier.id.to_vec();
        blob.extend_from_slice(&key.sign_raw(text.as_bytes()));
        note.push_str(&format!("{DASH}{name} {}\n", base64::encode(&blob)));
    }
    Ok(note)
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("the text must end with a newline"));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::Malformed("the text may not contain a blank line"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed("the text may not contain control characters"));
    }
    Ok(())
}

/// A signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Key name.
    pub name: String,
    /// Key id.
    pub id: [u8; 4],
    /// Signature bytes (after the id).
    pub signature: Vec<u8>,
}

impl Signature {
    /// Whether this line is `key`'s (same name and id) and its signature over `text`
    /// verifies.
    pub fn verifies(&self, text: &str, key: &Verifier) -> bool {
        self.name == key.name
            && self.id == key.id
            && sign::verify_raw(&key.public, text.as_bytes(), &self.signature).is_ok()
    }
}

/// Split a note into its text and signatures, without verifying.
pub fn parse(note: &str) -> Result<(&str, Vec<Signature>), NoteError> {
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    check_text(text)?;
    if !sigs.ends_with('\n') {
        return Err(NoteError::Malformed("the last signature line lacks its newline"));
    }
    let mut out = Vec::new();
    for line in sigs[..sigs.len() - 1].split('\n') {
        let rest = line
            .strip_prefix(DASH)
            .ok_or(NoteError::Malformed("a signature line does not start with an em dash"))?;
        let (name, blob) = rest
            .split_once(' ')
            .ok_or(NoteError::Malformed("a signature line has no signature"))?;
        let blob = base64::decode(blob).ok_or(NoteError::Malformed("a signature is not base64"))?;
        if blob.len() < 5 {
            return Err(NoteError::Malformed("a signature is too short"));
        }
        out.push(Signature {
            name: name.to_string(),
            id: [blob[0], blob[1], blob[2], blob[3]],
            signature: blob[4..].to_vec(),
        });
    }
    if out.is_empty() {
        return Err(NoteError::Malformed("no signature lines"));
    }
    Ok((text, out))
}

/// Verify a note: returns its text if a signature by `verifier` verifies.
pub fn open<'n>(note: &'n str, verifier: &Verifier) -> Result<&'n str, NoteError> {
    let (text, signatures) = parse(note)?;
    if signatures.iter().any(|s| s.verifies(text, verifier)) {
        Ok(text)
    } else {
        Err(NoteError::Unverified(verifier.name.clone()))
    }
}

#[cfg(test)]
mod tests;
