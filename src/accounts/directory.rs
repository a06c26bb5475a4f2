//! The signed directory: one record, signed by the admin key, that says who the users are,
//! what they may hold and which keys are current. Every unlock verifies it before trusting a
//! user row or sealing anything to anyone.
//!
//! The body is RFC 8785 canonical JSON; the signature is Ed25519 over
//! `"strongroom/v1/directory" ‖ 0x00 ‖ body` (docs/FORMAT.md).

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::accounts::policy::Policy;
use crate::crypto::sign::{self, SignKey};
use crate::encoding::canonical;
use crate::encoding::hex;
use crate::{Error, IdentityId, Level, Result, UserId};

/// Format label inside every directory body.
pub const FORMAT: &str = "strongroom/v1/directory";
/// Signature context.
pub const SIGNING_CONTEXT: &str = "strongroom/v1/directory";

/// A user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Handles material.
    Operator,
    /// Administers and audits.
    Officer,
}

impl Role {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Officer => "officer",
        }
    }
}

/// Whether an account may sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// May sign in.
    Active,
    /// May not sign in; holds no keys.
    Disabled,
}

impl UserStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
}

/// One user as the officers vouch for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryUser {
    /// User uuid.
    pub id: UserId,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Highest level the user may hold.
    pub clearance: Level,
    /// Active or disabled.
    pub status: UserStatus,
    /// Identity uuid of their current keyslot.
    pub identity: IdentityId,
    /// Identity X25519 public key (hex).
    pub public_key: String,
}

/// The recovery identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryEntry {
    /// Identity uuid.
    pub identity: IdentityId,
    /// X25519 public key (hex).
    pub public_key: String,
}

/// The current key of one level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelEntry {
    /// The level.
    pub level: Level,
    /// Current generation of its level key.
    pub generation: u32,
    /// Commitment to the level key (hex, see `crypto::commitment`).
    pub commitment: String,
    /// Current sealing public key (hex).
    pub sealing_public_key: String,
}

/// The directory document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// Always [`FORMAT`].
    pub format: String,
    /// Increases with every publication.
    pub version: u64,
    /// Station id.
    pub station: String,
    /// When this version was issued.
    pub issued_at: String,
    /// Admin public key (hex) that signs this directory.
    pub admin_key: String,
    /// Station signing public key (hex).
    pub signing_key: String,
    /// The recovery identity.
    pub recovery: RecoveryEntry,
    /// One entry per level, lowest first.
    pub levels: Vec<LevelEntry>,
    /// Every user, active or not.
    pub users: Vec<DirectoryUser>,
    /// The station policy; absent until an officer first changes it (then the defaults).
    /// Absent fields are left out of the body, so older directories keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// The enabled guard's public key; absent while no guard is enabled (DESIGN.md §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<GuardEntry>,
}

/// The guard an officer enabled: the key that signs the events it writes with no session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardEntry {
    /// Ed25519 public key (hex).
    pub public_key: String,
    /// When it was enabled.
    pub enabled_at: String,
}

/// A directory with its body bytes and signature as stored.
#[derive(Clone, Debug)]
pub struct SignedDirectory {
    /// Parsed document.
    pub directory: Directory,
    /// Canonical body bytes.
    pub body: Vec<u8>,
    /// Ed25519 signature.
    pub signature: Vec<u8>,
}

impl Directory {
    /// The canonical body bytes.
    pub fn body(&self) -> Result<Vec<u8>> {
        let value = serde_json::to_value(self).map_err(|e| Error::InvalidInput(e.to_string()))?;
        canonical::to_vec(&value).map_err(|e| Error::InvalidInput(e.to_string()))
    }

    /// Sign with the admin key.
    pub fn sign(self, admin: &SignKey) -> Result<SignedDirectory> {
        let body = self.body()?;
        let signature = admin.sign(SIGNING_CONTEXT, &body).to_vec();
        Ok(SignedDirectory {
            directory: self,
            body,
            signature,
        })
    }

    /// The policy in force.
    pub fn policy(&self) -> Policy {
        self.policy.clone().unwrap_or_default()
    }

    /// The next version of this directory, issued at `now`, for an officer to change and sign.
    pub fn successor(&self, now: &str) -> Directory {
        let mut next = self.clone();
        next.version += 1;
        next.issued_at = now.to_string();
        next
    }

    /// A user by name.
    pub fn user(&self, name: &str) -> Option<&DirectoryUser> {
        self.users.iter().find(|u| u.name == name)
    }

    /// The entry of a level.
    pub fn level(&self, level: Level) -> Result<&LevelEntry> {
        self.levels
            .iter()
            .find(|e| e.level == level)
            .ok_or_else(|| Error::integrity("signed directory", format!("no entry for level {level}")))
    }

    /// Admin public key bytes.
    pub fn admin_key_bytes(&self) -> Result<[u8; 32]> {
        key_field("admin_key", &self.admin_key)
    }

    /// Station signing public key bytes.
    pub fn signing_key_bytes(&self) -> Result<[u8; 32]> {
        key_field("signing_key", &self.signing_key)
    }

    /// The enabled guard's public key bytes, if a guard is enabled.
    pub fn guard_key_bytes(&self) -> Result<Option<[u8; 32]>> {
        self.guard
            .as_ref()
            .map(|g| key_field("guard.public_key", &g.public_key))
            .transpose()
    }
}

/// Decode a 32-byte hex field of the directory.
pub fn key_field(name: &str, text: &str) -> Result<[u8; 32]> {
    hex::decode::<32>(text)
        .ok_or_else(|| Error::integrity("signed directory", format!("field {name} is not a 32-byte hex key")))
}

/// Verify stored bytes against the admin public key and parse them.
pub fn verify(body: &[u8], signature: &[u8], admin_public: &[u8; 32]) -> Result<Directory> {
    let refused = |why: &str| {
        Error::integrity(
            "signed directory",
            format!("{why}; the account database was changed outside Strongroom — ask a security officer"),
        )
    };
    sign::verify(admin_public, SIGNING_CONTEXT, body, signature).map_err(|_| refused("signature does not verify"))?;
    let directory: Directory = serde_json::from_slice(body).map_err(|_| refused("body is not a directory"))?;
    if directory.format != FORMAT || directory.body()? != body {
        return Err(refused("body is not in canonical form"));
    }
    if directory.admin_key_bytes()? != *admin_public {
        return Err(refused("signed by a key other than the one it names"));
    }
    Ok(directory)
}

/// Store a new version inside the caller's transaction.
pub fn store(tx: &Transaction<'_>, signed: &SignedDirectory, created_at: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO directories (version, body, signature, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            signed.directory.version as i64,
            signed.body,
            signed.signature,
            created_at
        ],
    )?;
    Ok(())
}

/// The newest stored version number (0 if none).
pub fn latest_version(conn: &Connection) -> Result<u64> {
    let version: Option<i64> = conn.query_row("SELECT MAX(version) FROM directories", [], |r| r.get(0))?;
    Ok(version.unwrap_or(0) as u64)
}

/// The newest stored version's number, body and signature.
pub fn load_latest(conn: &Connection) -> Result<(u64, Vec<u8>, Vec<u8>)> {
    conn.query_row(
        "SELECT version, body, signature FROM directories ORDER BY version DESC LIMIT 1",
        [],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get(2)?)),
    )
    .optional()?
    .ok_or_else(|| Error::integrity("signed directory", "no directory is stored; the vault is incomplete"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory body as today's schema signs it (every member present, a policy set):
    /// it must parse and re-serialize byte for byte forever, since that is how a stored
    /// directory is verified. A member added later must be an `Option` left out when absent.
    const FROZEN: &str = r#"{"admin_key":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee","format":"strongroom/v1/directory","issued_at":"2026-12-06T10:00:00.000Z","levels":[{"commitment":"1111111111111111111111111111111111111111111111111111111111111111","generation":1,"level":"unclassified","sealing_public_key":"2222222222222222222222222222222222222222222222222222222222222222"},{"commitment":"3333333333333333333333333333333333333333333333333333333333333333","generation":1,"level":"internal","sealing_public_key":"4444444444444444444444444444444444444444444444444444444444444444"},{"commitment":"5555555555555555555555555555555555555555555555555555555555555555","generation":2,"level":"confidential","sealing_public_key":"6666666666666666666666666666666666666666666666666666666666666666"},{"commitment":"7777777777777777777777777777777777777777777777777777777777777777","generation":1,"level":"secret","sealing_public_key":"8888888888888888888888888888888888888888888888888888888888888888"},{"commitment":"9999999999999999999999999999999999999999999999999999999999999999","generation":3,"level":"top-secret","sealing_public_key":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}],"policy":{"backoff_base_seconds":2,"backoff_cap_seconds":600,"checkpoint_interval":128,"export_max_level":"secret","guard_response":"alert","idle_lock_minutes":15,"lockout_attempts":3,"password_max_age_days":30,"two_person_level":"confidential"},"recovery":{"identity":"4f5a6b7c-8d9e-4f0a-9b1c-2d3e4f506172","public_key":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},"signing_key":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","station":"0123456789abcdef","users":[{"clearance":"top-secret","id":"0b0f3a5e-6c1d-4f7a-9e2b-1c3d5e7f9a0b","identity":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","name":"alice","public_key":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","role":"officer","status":"active"},{"clearance":"confidential","id":"2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60","identity":"3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6071","name":"bob","public_key":"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd","role":"operator","status":"disabled"}],"version":7}"#;

    #[test]
    fn the_frozen_body_of_today_parses_and_serializes_byte_for_byte() {
        let directory: Directory = serde_json::from_str(FROZEN).unwrap();
        assert_eq!(directory.version, 7);
        assert_eq!(directory.policy().lockout_attempts, 3);
        assert_eq!(directory.users[1].status, UserStatus::Disabled);
        assert_eq!(directory.level(Level::TopSecret).unwrap().generation, 3);
        assert_eq!(String::from_utf8(directory.body().unwrap()).unwrap(), FROZEN);
        // Without a policy, the member is absent rather than null or defaulted.
        let mut bare = directory;
        bare.policy = None;
        let body = String::from_utf8(bare.body().unwrap()).unwrap();
        assert!(!body.contains("policy"), "{body}");
        assert!(!body.contains("guard"), "{body}");
    }
}
