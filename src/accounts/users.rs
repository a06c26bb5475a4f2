//! The users and identities tables. Rows here are only hints: a session trusts a user's
//! role, clearance, status and public key only as the signed directory states them.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::accounts::{Role, UserStatus};
use crate::{Error, IdentityId, Level, Result, UserId};

/// A users row.
#[derive(Clone, Debug)]
pub struct UserRecord {
    /// User uuid.
    pub id: UserId,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Clearance.
    pub clearance: Level,
    /// Status.
    pub status: UserStatus,
    /// Current identity.
    pub identity: IdentityId,
}

/// Insert a user and its identity.
pub fn insert(tx: &Transaction<'_>, user: &UserRecord, public_key: &[u8; 32], now: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO users (id, name, role, clearance, status, identity_id, created_at, password_changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            user.id,
            user.name,
            user.role.as_str(),
            i64::from(user.clearance.as_byte()),
            user.status.as_str(),
            user.identity,
            now
        ],
    )?;
    insert_identity(tx, user.identity, Some(user.id), public_key, now)
}

/// Insert an identity (`user` None = the recovery identity).
pub fn insert_identity(
    tx: &Transaction<'_>,
    id: IdentityId,
    user: Option<UserId>,
    public_key: &[u8; 32],
    now: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO identities (id, kind, user_id, public_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id,
            if user.is_some() { "user" } else { "recovery" },
            user,
            public_key.to_vec(),
            now
        ],
    )?;
    Ok(())
}

/// Mark an identity retired (a replaced recovery identity).
pub fn retire_identity(tx: &Transaction<'_>, id: IdentityId, now: &str) -> Result<()> {
    tx.execute("UPDATE identities SET retired_at = ?2 WHERE id = ?1", params![id, now])?;
    Ok(())
}

/// Point a user at a new identity and retire the old one.
pub fn replace_identity(
    tx: &Transaction<'_>,
    user: UserId,
    old: IdentityId,
    new: IdentityId,
    public_key: &[u8; 32],
    now: &str,
) -> Result<()> {
    insert_identity(tx, new, Some(user), public_key, now)?;
    retire_identity(tx, old, now)?;
    tx.execute(
        "UPDATE users SET identity_id = ?2, password_changed_at = ?3 WHERE id = ?1",
        params![user, new, now],
    )?;
    Ok(())
}

/// Record a password change (which also satisfies a required change).
pub fn touch_password(tx: &Transaction<'_>, user: UserId, now: &str) -> Result<()> {
    tx.execute(
        "UPDATE users SET password_changed_at = ?2, must_change_password = 0 WHERE id = ?1",
        params![user, now],
    )?;
    Ok(())
}

/// A user by login name.
pub fn by_name(conn: &Connection, name: &str) -> Result<Option<UserRecord>> {
    let row = conn
        .query_row(
            "SELECT id, name, role, clearance, status, identity_id FROM users WHERE name = ?1",
            params![name],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((id, name, role, clearance, status, identity)) = row else {
        return Ok(None);
    };
    // A row that exists but does not parse was changed outside Strongroom: tampering (exit 6),
    // not "no such user".
    let bad = |what: &str| {
        Error::integrity(
            format!("account {name}"),
            format!("its row has an invalid {what}; the account database was changed outside Strongroom"),
        )
    };
    Ok(Some(UserRecord {
        id: UserId::from_slice(&id).ok_or_else(|| bad("id"))?,
        role: match role.as_str() {
            "officer" => Role::Officer,
            "operator" => Role::Operator,
            _ => return Err(bad("role")),
        },
        clearance: u8::try_from(clearance)
            .ok()
            .and_then(Level::from_byte)
            .ok_or_else(|| bad("clearance"))?,
        status: match status.as_str() {
            "active" => UserStatus::Active,
            "disabled" => UserStatus::Disabled,
            _ => return Err(bad("status")),
        },
        identity: IdentityId::from_slice(&identity).ok_or_else(|| bad("identity"))?,
        name,
    }))
}

/// The recovery identity's id.
pub fn recovery_identity(conn: &Connection) -> Result<Option<IdentityId>> {
    let id: Option<Vec<u8>> = conn
        .query_row(
            "SELECT id FROM identities WHERE kind = 'recovery' AND retired_at IS NULL",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(id.and_then(|b| IdentityId::from_slice(&b)))
}

/// Login names by user id, for display of custodians.
pub fn names(conn: &Connection) -> Result<Vec<(UserId, String)>> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM users")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name) = row?;
        if let Some(id) = UserId::from_slice(&id) {
            out.push((id, name));
        }
    }
    Ok(out)
}

/// When the user last set a password, and whether they must choose a new one at next login.
pub fn password_state(conn: &Connection, user: UserId) -> Result<Option<(String, bool)>> {
    Ok(conn
        .query_row(
            "SELECT password_changed_at, must_change_password FROM users WHERE id = ?1",
            params![user],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? != 0)),
        )
        .optional()?)
}

/// Require (or stop requiring) a new password at the user's next login.
pub fn set_must_change_password(tx: &Transaction<'_>, user: UserId, must: bool) -> Result<()> {
    tx.execute(
        "UPDATE users SET must_change_password = ?2 WHERE id = ?1",
        params![user, i64::from(must)],
    )?;
    Ok(())
}

/// Copy what the signed directory states about a user into their row (role, clearance,
/// status), so the row stays a faithful hint.
pub fn sync_from_directory(
    tx: &Transaction<'_>,
    user: UserId,
    role: Role,
    clearance: Level,
    status: UserStatus,
) -> Result<()> {
    tx.execute(
        "UPDATE users SET role = ?2, clearance = ?3, status = ?4 WHERE id = ?1",
        params![user, role.as_str(), i64::from(clearance.as_byte()), status.as_str()],
    )?;
    Ok(())
}
