//! Keyslots, grants and sealing keys as stored. This module owns those tables; the crypto
//! that makes and opens the blobs is in `crypto`.
//!
//! Grant AAD: purpose `grant`, ids = identity uuid (16) ‖ key kind (1) ‖ level (1), generation.
//! Sealing-key AAD: purpose `sealing-key`, ids = level (1) ‖ u32_be(sealing generation),
//! generation = the level-key generation that wraps it.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::crypto::kdf::KdfParams;
use crate::crypto::keyslot::Keyslot;
use crate::crypto::seal::{self, SecretKey};
use crate::crypto::sign::SignKey;
use crate::crypto::wrap::{self, Purpose};
use crate::crypto::{CryptoError, Key32, LevelKey};
use crate::{Error, IdentityId, Level, Result};

/// What a grant holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A level key.
    Level = 0,
    /// The admin key (Ed25519 seed).
    Admin = 1,
    /// The station signing key (Ed25519 seed).
    Signing = 2,
}

impl KeyKind {
    fn from_i64(v: i64) -> Option<KeyKind> {
        match v {
            0 => Some(KeyKind::Level),
            1 => Some(KeyKind::Admin),
            2 => Some(KeyKind::Signing),
            _ => None,
        }
    }
}

/// A grant row.
#[derive(Clone, Debug)]
pub struct GrantRow {
    /// What it holds.
    pub kind: KeyKind,
    /// The level (kind Level) or Unclassified.
    pub level: Level,
    /// Key generation.
    pub generation: u32,
    /// The sealed blob.
    pub sealed: Vec<u8>,
}

/// AAD of a grant.
pub fn grant_aad(identity: IdentityId, kind: KeyKind, level: Level, generation: u32) -> Vec<u8> {
    wrap::aad(
        Purpose::Grant,
        &[identity.as_bytes(), &[kind as u8, level.as_byte()]],
        generation,
    )
}

/// Seal `secret` to `recipient_pk` and store it as a grant.
pub fn insert_grant(
    tx: &Transaction<'_>,
    identity: IdentityId,
    recipient_pk: &[u8; 32],
    kind: KeyKind,
    level: Level,
    generation: u32,
    secret: &Key32,
) -> Result<()> {
    let aad = grant_aad(identity, kind, level, generation);
    let sealed = seal::grant(recipient_pk, &aad, secret.expose())?;
    tx.execute(
        "INSERT INTO grants (identity_id, key_kind, level, generation, sealed) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            identity,
            kind as i64,
            i64::from(level.as_byte()),
            i64::from(generation),
            sealed
        ],
    )?;
    Ok(())
}

/// Seal the seed of the admin or signing key (`kind`) to `recipient_pk` and store it as a
/// grant (these keys have no level: the row says Unclassified).
pub fn insert_signing_grant(
    tx: &Transaction<'_>,
    identity: IdentityId,
    recipient_pk: &[u8; 32],
    kind: KeyKind,
    generation: u32,
    key: &SignKey,
) -> Result<()> {
    insert_grant(
        tx,
        identity,
        recipient_pk,
        kind,
        Level::Unclassified,
        generation,
        &key.seed(),
    )
}

/// Open a grant row with the identity's secret key.
pub fn open_grant(identity: IdentityId, secret: &SecretKey, row: &GrantRow) -> Result<Key32, CryptoError> {
    let aad = grant_aad(identity, row.kind, row.level, row.generation);
    Key32::from_slice(&seal::open_grant(secret, &aad, &row.sealed)?)
}

/// Every grant of an identity.
pub fn grants_of(conn: &Connection, identity: IdentityId) -> Result<Vec<GrantRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT key_kind, level, generation, sealed FROM grants WHERE identity_id = ?1")?;
    let rows = stmt.query_map(params![identity], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, level, generation, sealed) = row?;
        let parsed = KeyKind::from_i64(kind)
            .zip(u8::try_from(level).ok().and_then(Level::from_byte))
            .zip(u32::try_from(generation).ok());
        let ((kind, level), generation) =
            parsed.ok_or_else(|| Error::integrity("grants", "a grant row has an invalid kind, level or generation"))?;
        out.push(GrantRow {
            kind,
            level,
            generation,
            sealed,
        });
    }
    Ok(out)
}

/// Remove every grant of an identity (its identity was replaced).
pub fn delete_grants(tx: &Transaction<'_>, identity: IdentityId) -> Result<()> {
    tx.execute("DELETE FROM grants WHERE identity_id = ?1", params![identity])?;
    Ok(())
}

/// Remove an identity's keyslot (its identity was replaced).
pub fn delete_keyslot(tx: &Transaction<'_>, identity: IdentityId) -> Result<()> {
    tx.execute("DELETE FROM keyslots WHERE identity_id = ?1", params![identity])?;
    Ok(())
}

/// Replace an identity's keyslot with `slot` (its successor) only if the stored one is still
/// of generation `opened`: a password change, reset or recovery committed meanwhile by
/// another process wins, and the slot it wrote is not overwritten with an older password.
/// Returns whether the slot was replaced.
pub fn reseal_keyslot(
    tx: &Transaction<'_>,
    identity: IdentityId,
    opened: u32,
    slot: &Keyslot,
    now: &str,
) -> Result<bool> {
    let changed = tx.execute(
        "UPDATE keyslots SET generation = ?3, wrapped = ?4, updated_at = ?5 WHERE identity_id = ?1 AND generation = ?2",
        params![identity, i64::from(opened), i64::from(slot.generation), slot.blob, now],
    )?;
    Ok(changed == 1)
}

/// Store (or replace) an identity's keyslot.
pub fn store_keyslot(tx: &Transaction<'_>, identity: IdentityId, slot: &Keyslot, now: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO keyslots (identity_id, generation, salt, m_kib, t_cost, p_lanes, wrapped, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (identity_id) DO UPDATE SET generation = excluded.generation, salt = excluded.salt,
           m_kib = excluded.m_kib, t_cost = excluded.t_cost, p_lanes = excluded.p_lanes,
           wrapped = excluded.wrapped, updated_at = excluded.updated_at",
        params![
            identity,
            i64::from(slot.generation),
            slot.salt.to_vec(),
            i64::from(slot.params.m_kib),
            i64::from(slot.params.t),
            i64::from(slot.params.p),
            slot.blob,
            now
        ],
    )?;
    Ok(())
}

/// Some keyslot of the vault (its parameters set the cost of a decoy derivation).
pub fn any_keyslot(conn: &Connection) -> Result<Option<Keyslot>> {
    let identity: Option<Vec<u8>> = conn
        .query_row("SELECT identity_id FROM keyslots LIMIT 1", [], |r| r.get(0))
        .optional()?;
    match identity.and_then(|id| IdentityId::from_slice(&id)) {
        Some(id) => keyslot(conn, id),
        None => Ok(None),
    }
}

/// An identity's keyslot, if it has one.
pub fn keyslot(conn: &Connection, identity: IdentityId) -> Result<Option<Keyslot>> {
    let row = conn
        .query_row(
            "SELECT generation, salt, m_kib, t_cost, p_lanes, wrapped FROM keyslots WHERE identity_id = ?1",
            params![identity],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((generation, salt, m, t, p, blob)) = row else {
        return Ok(None);
    };
    let bad = || Error::integrity("keyslot", "a keyslot row has invalid fields");
    Ok(Some(Keyslot {
        salt: salt.try_into().map_err(|_| bad())?,
        params: KdfParams {
            m_kib: u32::try_from(m).map_err(|_| bad())?,
            t: u32::try_from(t).map_err(|_| bad())?,
            p: u32::try_from(p).map_err(|_| bad())?,
        },
        generation: u32::try_from(generation).map_err(|_| bad())?,
        blob,
    }))
}

/// AAD of a wrapped sealing private key.
pub fn sealing_aad(level: Level, generation: u32, wrap_generation: u32) -> Vec<u8> {
    wrap::aad(
        Purpose::SealingKey,
        &[&[level.as_byte()], &generation.to_be_bytes()],
        wrap_generation,
    )
}

/// Store a level's sealing pair, the private key wrapped under the level key.
pub fn insert_sealing_key(
    tx: &Transaction<'_>,
    level: Level,
    generation: u32,
    secret: &SecretKey,
    level_key: &Key32,
    wrap_generation: u32,
) -> Result<()> {
    let wrapped = wrap::seal(
        level_key,
        &sealing_aad(level, generation, wrap_generation),
        secret.to_bytes().as_ref(),
    )?;
    tx.execute(
        "INSERT INTO sealing_keys (level, generation, public_key, wrapped_private, wrap_generation) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![i64::from(level.as_byte()), i64::from(generation), secret.public().to_vec(), wrapped, i64::from(wrap_generation)],
    )?;
    Ok(())
}

/// Unwrap a level's sealing private key of `generation` with the current level key.
pub fn sealing_secret(
    conn: &Connection,
    level: Level,
    generation: u32,
    level_key: &Key32,
    key_generation: u32,
) -> Result<SecretKey> {
    let row: Option<(Vec<u8>, i64)> = conn
        .query_row(
            "SELECT wrapped_private, wrap_generation FROM sealing_keys WHERE level = ?1 AND generation = ?2",
            params![i64::from(level.as_byte()), i64::from(generation)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (wrapped, wrap_generation) = row.ok_or_else(|| Error::NotFound(format!("sealing key {level}/{generation}")))?;
    if wrap_generation != i64::from(key_generation) {
        return Err(Error::integrity(
            "sealing key",
            "wrapped under a level key this session does not hold",
        ));
    }
    let plain = wrap::open(level_key, &sealing_aad(level, generation, key_generation), &wrapped)
        .map_err(|e| Error::integrity(format!("sealing key {level}/{generation}"), e.to_string()))?;
    Ok(SecretKey::from_slice(&plain)?)
}

/// Remove every grant of one key: all generations of a level key (kind Level), or of the
/// admin or signing key (then `level` is ignored). Used when the key is replaced.
pub fn delete_key_grants(tx: &Transaction<'_>, kind: KeyKind, level: Level) -> Result<()> {
    if kind == KeyKind::Level {
        tx.execute(
            "DELETE FROM grants WHERE key_kind = 0 AND level = ?1",
            params![i64::from(level.as_byte())],
        )?;
    } else {
        tx.execute("DELETE FROM grants WHERE key_kind = ?1", params![kind as i64])?;
    }
    Ok(())
}

/// Rewrap every sealing private key of `level` (current and retired generations) from the
/// old level key to its successor.
pub fn rewrap_sealing_keys(tx: &Transaction<'_>, level: Level, old: &LevelKey, new: &LevelKey) -> Result<usize> {
    let rows: Vec<(i64, Vec<u8>, i64)> = {
        let mut stmt =
            tx.prepare("SELECT generation, wrapped_private, wrap_generation FROM sealing_keys WHERE level = ?1")?;
        stmt.query_map(params![i64::from(level.as_byte())], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    for (generation, wrapped, wrap_generation) in &rows {
        let generation = u32::try_from(*generation)
            .map_err(|_| Error::integrity("sealing keys", "a row has an invalid generation"))?;
        if *wrap_generation != i64::from(old.generation) {
            return Err(Error::integrity(
                format!("sealing key {level}/{generation}"),
                "wrapped under a level key generation that is not current",
            ));
        }
        let plain = wrap::open(&old.key, &sealing_aad(level, generation, old.generation), wrapped)
            .map_err(|e| Error::integrity(format!("sealing key {level}/{generation}"), e.to_string()))?;
        let rewrapped = wrap::seal(&new.key, &sealing_aad(level, generation, new.generation), &plain)?;
        tx.execute(
            "UPDATE sealing_keys SET wrapped_private = ?3, wrap_generation = ?4 WHERE level = ?1 AND generation = ?2",
            params![
                i64::from(level.as_byte()),
                i64::from(generation),
                rewrapped,
                i64::from(new.generation)
            ],
        )?;
    }
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::fixture::{Fixture, NOW};
    use crate::crypto::Password;
    use crate::crypto::keyslot::{self, SlotContents};

    fn slot(password: &str, identity: IdentityId, generation: u32, version: u64) -> Keyslot {
        let contents = SlotContents {
            identity: SecretKey::random().unwrap(),
            admin_public: [1; 32],
            directory_version: version,
        };
        keyslot::create(
            &Password::from(password),
            identity.as_bytes(),
            generation,
            KdfParams::FLOOR,
            &contents,
        )
        .unwrap()
    }

    /// A sign-in that opened generation 1 must not overwrite the slot a password change
    /// committed meanwhile (generation 2, new password) with its resealed old one.
    #[test]
    fn a_reseal_yields_to_a_slot_written_since_it_was_opened() {
        let mut fx = Fixture::new();
        let bob = fx.bob.1;
        let first = slot("bob's old passphrase", bob, 1, 1);
        let changed = slot("bob's new passphrase", bob, 2, 1);
        let resealed = slot("bob's old passphrase", bob, 2, 3);
        let tx = fx.conn.transaction().unwrap();
        store_keyslot(&tx, bob, &first, NOW).unwrap();
        store_keyslot(&tx, bob, &changed, NOW).unwrap();
        assert!(!reseal_keyslot(&tx, bob, 1, &resealed, NOW).unwrap());
        assert_eq!(keyslot(&tx, bob).unwrap().unwrap().blob, changed.blob);
        // With nothing in between, the reseal replaces the slot it opened.
        let again = slot("bob's new passphrase", bob, 3, 3);
        assert!(reseal_keyslot(&tx, bob, 2, &again, NOW).unwrap());
        assert_eq!(keyslot(&tx, bob).unwrap().unwrap().generation, 3);
    }
}
