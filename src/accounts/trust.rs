//! Trusting what the database says about keys: the newest signed directory (verified with
//! the admin key a keyslot was made under, following signed successions), the grants an
//! identity holds (each opened and checked against that directory's commitments), and
//! whether a newer directory still vouches for a session as it was unlocked.

use std::collections::BTreeMap;

use rusqlite::Connection;

use crate::accounts::keyring::{self, KeyKind};
use crate::accounts::{Directory, Role, UserStatus, directory, succession};
use crate::crypto::LevelKey;
use crate::crypto::seal::SecretKey;
use crate::crypto::sign::SignKey;
use crate::crypto::{commitment, keyslot::SlotContents};
use crate::encoding::hex;
use crate::{Error, IdentityId, Level, Result, UserId};

/// The secret keys one identity holds, each checked against the signed directory.
pub struct HeldKeys {
    /// The identity's own private key.
    pub identity: SecretKey,
    /// Generation and key of every level up to the clearance.
    pub level_keys: BTreeMap<Level, LevelKey>,
    /// The station signing key.
    pub signing: SignKey,
    /// Its generation.
    pub signing_generation: u32,
    /// The admin key (officers).
    pub admin: Option<SignKey>,
    /// Its generation (0 without it).
    pub admin_generation: u32,
}

/// Who a session was unlocked as: what a newer directory must still say of them.
pub struct Holder<'a> {
    /// User id.
    pub id: UserId,
    /// Login name.
    pub name: &'a str,
    /// The identity the session unlocked.
    pub identity: IdentityId,
    /// Role at unlock.
    pub role: Role,
    /// Clearance at unlock.
    pub clearance: Level,
}

/// Open every grant of `identity` that the directory vouches for, up to `clearance`.
pub fn open_grants(
    conn: &Connection,
    directory: &Directory,
    identity: IdentityId,
    secret: SecretKey,
    clearance: Level,
    wants_admin: bool,
) -> Result<HeldKeys> {
    let mut level_keys = BTreeMap::new();
    let mut signing = None;
    let mut admin = None;
    let refused = |what: String| {
        Error::integrity(
            "key grants",
            format!("{what}; the key store was changed outside Strongroom"),
        )
    };
    let signing_public = directory.signing_key_bytes()?;
    let admin_public = directory.admin_key_bytes()?;
    for row in keyring::grants_of(conn, identity)? {
        match row.kind {
            KeyKind::Level => {
                let entry = directory.level(row.level)?;
                if row.level > clearance || row.generation != entry.generation {
                    continue;
                }
                let key = keyring::open_grant(identity, &secret, &row)
                    .map_err(|e| refused(format!("level key grant for {}: {e}", row.level)))?;
                let expected = hex::decode::<32>(&entry.commitment)
                    .ok_or_else(|| refused("bad commitment in directory".into()))?;
                if commitment::level_key(row.level, row.generation, &key) != expected {
                    return Err(refused(format!(
                        "the level key granted for {} is not the one the directory commits to",
                        row.level
                    )));
                }
                level_keys.insert(row.level, LevelKey::new(row.generation, key));
            }
            KeyKind::Signing => {
                let seed = keyring::open_grant(identity, &secret, &row)
                    .map_err(|e| refused(format!("signing key grant: {e}")))?;
                let key = SignKey::from_seed(&seed);
                // Grants of replaced signing keys may remain; only the current one counts.
                if key.public() == signing_public {
                    signing = Some((key, row.generation));
                }
            }
            KeyKind::Admin if wants_admin => {
                let seed = keyring::open_grant(identity, &secret, &row)
                    .map_err(|e| refused(format!("admin key grant: {e}")))?;
                let key = SignKey::from_seed(&seed);
                if key.public() == admin_public {
                    admin = Some((key, row.generation));
                }
            }
            KeyKind::Admin => {}
        }
    }
    for level in clearance.at_or_below() {
        if !level_keys.contains_key(&level) {
            return Err(refused(format!("no valid grant of the current {level} key")));
        }
    }
    let (signing, signing_generation) =
        signing.ok_or_else(|| refused("no valid grant of the current station signing key".into()))?;
    let (admin, admin_generation) = match admin {
        Some((key, generation)) => (Some(key), generation),
        None if wants_admin => return Err(refused("no valid grant of the current admin key".into())),
        None => (None, 0),
    };
    Ok(HeldKeys {
        identity: secret,
        level_keys,
        signing,
        signing_generation,
        admin,
        admin_generation,
    })
}

/// Load the newest directory and verify it with the admin key `trusted` leads to through
/// signed successions; refuse a version older than `min_version` or another station's.
pub fn verified_directory_from(
    conn: &Connection,
    station_id: &str,
    trusted: [u8; 32],
    min_version: u64,
) -> Result<Directory> {
    let admin = succession::current_key(conn, station_id, trusted)?;
    let (stored_version, body, signature) = directory::load_latest(conn)?;
    let dir = directory::verify(&body, &signature, &admin)?;
    if dir.version != stored_version {
        return Err(Error::integrity(
            "signed directory",
            format!(
                "version {} is stored as version {stored_version} (an old directory replayed)",
                dir.version
            ),
        ));
    }
    if dir.version < min_version {
        return Err(Error::integrity(
            "signed directory",
            format!(
                "version {} is older than version {min_version} already seen (rolled back); a security officer can put the newest version back from the ledger's copy (directory rebuild)",
                dir.version
            ),
        ));
    }
    if dir.station != station_id {
        return Err(Error::integrity("signed directory", "it belongs to another station"));
    }
    Ok(dir)
}

/// [`verified_directory_from`] the admin key a keyslot remembers, refusing a version older
/// than the slot's or than `seen` (the highest version the ledger names).
pub fn verified_directory(conn: &Connection, station_id: &str, slot: &SlotContents, seen: u64) -> Result<Directory> {
    verified_directory_from(conn, station_id, slot.admin_public, slot.directory_version.max(seen))
}

/// Verify the newest stored directory from the admin key `current` is signed with, and
/// accept it only if `holder` is still active with the same identity, role and clearance,
/// and every key they hold is still current. Anything else means: unlock again.
pub fn newer_directory(conn: &Connection, current: &Directory, holder: &Holder<'_>) -> Result<Directory> {
    let trusted = current.admin_key_bytes()?;
    let newer = verified_directory_from(conn, &current.station, trusted, current.version)?;
    let stale = || Error::SessionOutOfDate {
        why: format!(
            "keys were rotated or the account {} changed since this session was unlocked",
            holder.name
        ),
    };
    let entry = newer.user(holder.name).ok_or_else(stale)?;
    let unchanged = entry.id == holder.id
        && entry.identity == holder.identity
        && entry.role == holder.role
        && entry.clearance == holder.clearance
        && entry.status == UserStatus::Active
        && newer.signing_key == current.signing_key
        && (holder.role != Role::Officer || newer.admin_key == current.admin_key);
    if !unchanged {
        return Err(stale());
    }
    for level in holder.clearance.at_or_below() {
        if newer.level(level)?.generation != current.level(level)?.generation {
            return Err(stale());
        }
    }
    Ok(newer)
}

#[cfg(test)]
mod tests;
