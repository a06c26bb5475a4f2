//! Creating a vault: every key of DESIGN.md §2, the first officer, the recovery identity and
//! the first signed directory, all in one transaction with their events.

use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rusqlite::params;

use crate::accounts::directory::{self, Directory, DirectoryUser, FORMAT, LevelEntry, RecoveryEntry};
use crate::accounts::directory_copy;
use crate::accounts::keyring::{self, KeyKind};
use crate::accounts::{Role, UserRecord, UserStatus, password_rules, users};
use crate::crypto::event_mac::EventMacKey;
use crate::crypto::kdf::{self, KdfParams};
use crate::crypto::keyslot::{self, SlotContents};
use crate::crypto::seal::SecretKey;
use crate::crypto::sign::SignKey;
use crate::crypto::{Key32, Password, commitment, random, recovery_code};
use crate::encoding::hex;
use crate::ledger::{Action, NewEvent};
use crate::time::{SharedClock, system_clock};
use crate::vault::VaultPaths;
use crate::{Error, IdentityId, Level, Result, UserId, db, details};

use super::session::{Session, SessionUser};
use super::{OpenOptions, Station};
use crate::accounts::trust::open_grants;

/// Choices made at `init`.
pub struct InitOptions {
    /// Argon2id parameters; `None` calibrates to 0.5–1 s on this machine.
    pub kdf: Option<KdfParams>,
    /// Clock for event times.
    pub clock: SharedClock,
    /// Where the check for cloud-synced and network folders looks.
    pub cloud: super::cloud::CloudSources,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            kdf: None,
            clock: system_clock(),
            cloud: super::cloud::CloudSources::default(),
        }
    }
}

impl Station {
    /// Create a vault at `root` with `officer` as its first user (an officer cleared to
    /// top-secret). Returns the station, unlocked for the officer, and the recovery code,
    /// which is shown once and never stored.
    pub fn init(root: &Path, officer: &str, password: &Password, options: InitOptions) -> Result<(Station, Password)> {
        validate_user_name(officer)?;
        password_rules::check(officer, password)?;
        // Never inside a cloud-synced or network folder: checked before anything is made.
        super::cloud::check_new_vault_location(root, &options.cloud)?;
        let params = match options.kdf {
            Some(params) => {
                params.check().map_err(|e| Error::InvalidInput(e.to_string()))?;
                params
            }
            None => kdf::calibrate()?,
        };
        let paths = VaultPaths::new(root)?;
        let existed = paths.root.exists();
        // Held until the vault is in place: a second `init` here waits its turn or fails.
        let _lock = paths.create()?;
        // Everything is built in `<root>/.init-<uuid>/` and moved into place with the database
        // last: a kill leaves either no vault and a leftover the next `init` clears, or the
        // whole vault.
        let result = paths.staging().and_then(|staging| {
            let made = create(&paths, &staging, officer, password, params, options.clock);
            let _ = std::fs::remove_dir_all(&staging.root);
            made
        });
        if result.is_err() {
            // Leave nothing half-made: the directory was new, or empty but for leftovers.
            if existed {
                paths.remove_failed_init();
            } else {
                let _ = std::fs::remove_dir_all(&paths.root);
            }
        }
        result
    }
}

/// User names: 1–64 characters, letters, digits, `.`, `_`, `-` (any script).
pub(crate) fn validate_user_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !name.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "invalid user name '{name}': use 1–64 letters, digits, '.', '_' or '-'"
        )))
    }
}

/// Build the vault in `staging`, move it to `paths`, and open its first session.
fn create(
    paths: &VaultPaths,
    staging: &VaultPaths,
    officer: &str,
    password: &Password,
    params: KdfParams,
    clock: SharedClock,
) -> Result<(Station, Password)> {
    // Created 0600 before SQLite opens it; its -wal and -shm files take the same mode.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&staging.db)
        .map_err(|e| Error::io(&staging.db, e))?;
    let mut conn = db::open(&staging.db, true)?;
    std::fs::set_permissions(&staging.db, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| Error::io(&staging.db, e))?;
    let now = crate::time::rfc3339_millis(clock.now());
    let station_id = hex::encode(&random::array::<8>()?);

    let level_keys: Vec<(Level, Key32)> = Level::ALL
        .iter()
        .map(|l| Ok((*l, Key32::random()?)))
        .collect::<Result<_>>()?;
    let sealing: Vec<SecretKey> = Level::ALL
        .iter()
        .map(|_| SecretKey::random())
        .collect::<Result<_, _>>()?;
    let admin = SignKey::random()?;
    let signing = SignKey::random()?;
    let officer_secret = SecretKey::random()?;
    let recovery_secret = SecretKey::random()?;
    let officer_user = UserRecord {
        id: UserId::random()?,
        name: officer.to_string(),
        role: Role::Officer,
        clearance: Level::TopSecret,
        status: UserStatus::Active,
        identity: IdentityId::random()?,
    };
    let recovery_id = IdentityId::random()?;
    let code = recovery_code::generate()?;

    let directory = Directory {
        format: FORMAT.to_string(),
        version: 1,
        station: station_id.clone(),
        issued_at: now.clone(),
        admin_key: hex::encode(&admin.public()),
        signing_key: hex::encode(&signing.public()),
        recovery: RecoveryEntry {
            identity: recovery_id,
            public_key: hex::encode(&recovery_secret.public()),
        },
        levels: level_keys
            .iter()
            .zip(&sealing)
            .map(|((level, key), seal)| LevelEntry {
                level: *level,
                generation: 1,
                commitment: hex::encode(&commitment::level_key(*level, 1, key)),
                sealing_public_key: hex::encode(&seal.public()),
            })
            .collect(),
        users: vec![DirectoryUser {
            id: officer_user.id,
            name: officer.to_string(),
            role: Role::Officer,
            clearance: Level::TopSecret,
            status: UserStatus::Active,
            identity: officer_user.identity,
            public_key: hex::encode(&officer_secret.public()),
        }],
        policy: None,
        guard: None,
    }
    .sign(&admin)?;

    let officer_slot = keyslot::create(
        password,
        officer_user.identity.as_bytes(),
        1,
        params,
        &SlotContents {
            identity: SecretKey::from_bytes(*officer_secret.to_bytes()),
            admin_public: admin.public(),
            directory_version: 1,
        },
    )?;
    let recovery_slot = keyslot::create(
        &recovery_code::normalize(&code)?,
        recovery_id.as_bytes(),
        1,
        params,
        &SlotContents {
            identity: SecretKey::from_bytes(*recovery_secret.to_bytes()),
            admin_public: admin.public(),
            directory_version: 1,
        },
    )?;

    db::write(&mut conn, |tx| {
        tx.execute(
            "INSERT INTO station (singleton, station_id, created_at) VALUES (1, ?1, ?2)",
            params![station_id, now],
        )?;
        directory::store(tx, &directory, &now)?;
        users::insert(tx, &officer_user, &officer_secret.public(), &now)?;
        users::insert_identity(tx, recovery_id, None, &recovery_secret.public(), &now)?;
        keyring::store_keyslot(tx, officer_user.identity, &officer_slot, &now)?;
        keyring::store_keyslot(tx, recovery_id, &recovery_slot, &now)?;
        for (identity, public) in [
            (officer_user.identity, officer_secret.public()),
            (recovery_id, recovery_secret.public()),
        ] {
            for (level, key) in &level_keys {
                keyring::insert_grant(tx, identity, &public, KeyKind::Level, *level, 1, key)?;
            }
            keyring::insert_signing_grant(tx, identity, &public, KeyKind::Admin, 1, &admin)?;
            keyring::insert_signing_grant(tx, identity, &public, KeyKind::Signing, 1, &signing)?;
        }
        for ((level, key), seal) in level_keys.iter().zip(&sealing) {
            keyring::insert_sealing_key(tx, *level, 1, seal, key, 1)?;
        }
        let time = clock.now();
        let mac = EventMacKey::from_signing(&signing)?;
        crate::ledger::events::append(
            tx,
            time,
            &NewEvent {
                actor: officer.to_string(),
                action: Action::StationInit,
                subject: "station".into(),
                level: None,
                item: None,
                details: details! {
                    "station": station_id,
                    "directory_version": 1,
                    "directory": directory_copy::details(&directory)?,
                    "kdf": serde_json::json!({ "m_kib": params.m_kib, "t": params.t, "p": params.p }),
                },
            },
            Some(&mac),
        )?;
        crate::ledger::events::append(
            tx,
            time,
            &NewEvent {
                actor: officer.to_string(),
                action: Action::UserCreate,
                subject: officer.to_string(),
                level: Some(Level::TopSecret),
                item: None,
                details: details! { "user": officer_user.id.to_string(), "role": "officer", "clearance": "top-secret" },
            },
            Some(&mac),
        )?;
        Ok(())
    })?;

    // Everything is in the database file itself (no WAL) before it moves into place.
    db::checkpoint_truncate(&conn)?;
    drop(conn);
    paths.adopt(staging)?;
    let conn = db::open(&paths.db, false)?;

    // The first session comes from the stored grants, exactly as a later unlock would.
    let keys = open_grants(
        &conn,
        &directory.directory,
        officer_user.identity,
        officer_secret,
        Level::TopSecret,
        true,
    )?;
    let session = Session::new(
        SessionUser {
            id: officer_user.id,
            name: officer.to_string(),
            role: Role::Officer,
            clearance: Level::TopSecret,
        },
        officer_user.identity,
        keys,
        directory.directory,
        None,
    );
    let mut station = Station::from_parts(paths.clone(), conn, OpenOptions::with_clock(clock))?;
    let idle = time::Duration::minutes(i64::from(session.directory().policy().idle_lock_minutes));
    station.idle.watch(session.key_cell(), idle);
    station.session = Some(session);
    Ok((station, code))
}
