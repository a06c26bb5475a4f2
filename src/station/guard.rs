//! The guard through the station: an officer enables it (run as root: a new guard key in
//! the signed directory, `guard.enable`, then the root-owned state the guard trusts) or
//! disables it (the key leaves the directory, `guard.disable`); anyone reads its status.

use std::path::PathBuf;

use crate::accounts::directory::GuardEntry;
use crate::accounts::directory_copy;
use crate::accounts::permissions::Permission;
use crate::crypto::sign::SignKey;
use crate::encoding::hex;
use crate::guard::state::{self, GuardState};
use crate::guard::{GuardStatus, lock, status};
use crate::ledger::{Action, NewEvent};
use crate::vault::fs_identity::as_root;
use crate::{Error, Result, details};

use super::{Access, Station};

/// Whether this process runs as root.
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The guard's files and the machine, read now.
struct LiveView {
    guard_state: Option<GuardState>,
    running: Option<lock::Holder>,
    network: crate::guard::NetState,
    media: Vec<crate::guard::Medium>,
}

/// What `guard enable` did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct GuardEnabled {
    /// The new guard key (hex).
    pub guard_key: String,
    /// The directory version that names it.
    pub directory_version: u64,
    /// The state file written.
    pub state_file: PathBuf,
}

impl Station {
    /// Enable the guard (an officer, running as root): publish a new guard key in the signed
    /// directory with a `guard.enable` event, then write the guard's root-owned state in
    /// `guard_dir`. A guard enabled before is replaced (its key no longer verifies).
    pub fn guard_enable(&mut self, removable_roots: Vec<PathBuf>) -> Result<GuardEnabled> {
        let guard_dir = self.guard_dir.clone();
        let session = self.session_for(Access::Permitted(Permission::Guard, None))?;
        if !is_root() {
            return Err(Error::Denied {
                rule: "guard-root",
                message: "the guard's state must belong to root: run this as root (the officer signs in as usual)"
                    .into(),
            });
        }
        let vault = std::fs::canonicalize(&self.paths.root).map_err(|e| Error::io(&self.paths.root, e))?;
        let roots = removable_roots
            .iter()
            .map(|r| std::fs::canonicalize(r).map_err(|e| Error::io(r, e)))
            .collect::<Result<Vec<_>>>()?;
        let key = SignKey::random()?;
        let guard_key = hex::encode(&key.public());
        let admin = session.admin_key()?;
        let actor = session.user().name.clone();
        let now = self.now();
        let mut next = session.directory().successor(&now);
        let replaced = next.guard.as_ref().map(|g| g.public_key.clone());
        next.guard = Some(GuardEntry {
            public_key: guard_key.clone(),
            enabled_at: now.clone(),
        });
        let signed = next.sign(&admin)?;
        let version = signed.directory.version;
        let copy = directory_copy::details(&signed)?;
        let admin_key = signed.directory.admin_key.clone();
        let mut details = details! {
            "guard_key": guard_key.clone(),
            "directory_version": version,
            "directory": copy,
        };
        if let Some(replaced) = replaced {
            details.insert("replaced_key".into(), serde_json::json!(replaced));
        }
        self.publish_directory(signed, actor, Action::GuardEnable, details)?;
        let guard_state = GuardState {
            format: state::FORMAT.into(),
            station: self.station_id.clone(),
            vault,
            admin_key,
            directory_version: version,
            guard_key: guard_key.clone(),
            removable_roots: roots,
        };
        as_root(|| state::create(&guard_dir, &guard_state, &key)).map_err(|e| {
            Error::InvalidInput(format!(
                "the guard key is published (directory version {version}) but its state could not be written: {e}; enable the guard again"
            ))
        })?;
        Ok(GuardEnabled {
            guard_key,
            directory_version: version,
            state_file: state::state_path(&guard_dir, &self.station_id),
        })
    }

    /// Disable the guard (an officer): its key leaves the signed directory (`guard.disable`),
    /// so a running guard stops at its next check and its events no longer verify. As root,
    /// the key file is removed and the state keeps the new version.
    pub fn guard_disable(&mut self) -> Result<u64> {
        let guard_dir = self.guard_dir.clone();
        let session = self.session_for(Access::Permitted(Permission::Guard, None))?;
        let Some(retired) = session.directory().guard.clone() else {
            return Err(Error::InvalidInput("no guard is enabled".into()));
        };
        let admin = session.admin_key()?;
        let actor = session.user().name.clone();
        let mut next = session.directory().successor(&self.now());
        next.guard = None;
        let signed = next.sign(&admin)?;
        let version = signed.directory.version;
        let details = details! {
            "guard_key": retired.public_key,
            "directory_version": version,
            "directory": directory_copy::details(&signed)?,
        };
        let admin_key = signed.directory.admin_key.clone();
        self.publish_directory(signed, actor, Action::GuardDisable, details)?;
        if is_root()
            && let Ok(Some(mut guard_state)) = state::load(&guard_dir, &self.station_id)
        {
            as_root(|| state::retire_key(&guard_dir, &self.station_id))?;
            guard_state.directory_version = version;
            guard_state.admin_key = admin_key;
            as_root(|| state::save(&guard_dir, &guard_state))?;
        }
        Ok(version)
    }

    /// Store a new directory version (a new guard key, or none) with its event, and adopt it
    /// in the session. A running guard writes nothing once it commits (it judges a newer
    /// directory inside its own write transaction), so what it wrote before is checked under
    /// its key and checkpointed first: a later sign-in, under the new directory, does not
    /// count the old guard's events as unaccounted.
    fn publish_directory(
        &mut self,
        signed: crate::accounts::directory::SignedDirectory,
        actor: String,
        action: Action,
        details: serde_json::Map<String, serde_json::Value>,
    ) -> Result<()> {
        let now = self.now();
        self.write(|tx, events| {
            crate::accounts::directory::store(tx, &signed, &now)?;
            events.push(NewEvent {
                actor,
                action,
                subject: "station".into(),
                level: None,
                item: None,
                details,
            });
            Ok(())
        })?;
        self.report_unaccounted_events()?;
        self.checkpoint("guard key change")?;
        if let Some(session) = self.session.as_mut() {
            session.set_directory(signed.directory);
        }
        Ok(())
    }

    /// Warnings about the guard for `ledger verify` and the app: heartbeat gaps, and none
    /// running while the signed directory names a guard key.
    pub fn guard_warnings(&self) -> Result<Vec<status::GuardWarning>> {
        let key = match self.session.as_ref() {
            Some(session) => session.directory().guard_key_bytes()?,
            None => None,
        };
        let running = lock::holder(&self.guard_dir, &self.station_id).ok().flatten().is_some();
        let gaps = match &key {
            Some(key) => status::heartbeat_gaps(&self.conn, key, self.clock.now())?,
            None => Vec::new(),
        };
        Ok(status::warnings(gaps, key.is_some(), running))
    }

    /// The guard's state and lock as they stand, and the air gap and media read now (under
    /// the state's removable roots and `extra_roots`, leaving out the policy's ignored
    /// interfaces when a session knows them).
    fn guard_live(&mut self, extra_roots: &[PathBuf]) -> Result<LiveView> {
        let guard_state = state::load(&self.guard_dir, &self.station_id).ok().flatten();
        let running = lock::holder(&self.guard_dir, &self.station_id).ok().flatten();
        let mut roots = extra_roots.to_vec();
        if let Some(s) = &guard_state {
            roots.extend(s.removable_roots.iter().cloned());
        }
        let ignored = self
            .session
            .as_ref()
            .map(|s| s.directory().policy().network_ignore())
            .unwrap_or_default();
        let probes = &mut self.guard_probes;
        let (network, media) = status::live(
            probes.network.as_mut(),
            probes.mounts.as_mut(),
            probes.devices.as_ref(),
            &roots,
            &ignored,
        )
        .map_err(|e| Error::io("network and mount probes", e))?;
        Ok(LiveView {
            guard_state,
            running,
            network,
            media,
        })
    }

    /// What the app's status strip shows: the air gap and media now, whether a guard runs,
    /// an overdue heartbeat, and what the guard recorded after `after` (`None`: from now on).
    /// Needs no session: none of it is secret.
    pub fn guard_strip(&mut self, after: Option<u64>) -> Result<status::GuardStrip> {
        let LiveView {
            guard_state,
            running,
            network,
            media,
        } = self.guard_live(&[])?;
        let key = guard_state.as_ref().and_then(|s| hex::decode::<32>(&s.guard_key));
        let (news, through) = match &key {
            Some(key) => status::news(&self.conn, key, after)?,
            None => status::news(&self.conn, &[0; 32], None)?,
        };
        let late = match (&running, &key) {
            (None, Some(key)) => status::late(&self.conn, key, self.clock.now())?,
            _ => None,
        };
        Ok(status::GuardStrip {
            enabled: guard_state.is_some(),
            running,
            network,
            media,
            late,
            news,
            through,
            cloud: self.cloud_strip(),
        })
    }

    /// The guard's status: whether one is enabled and running, the air gap and the media now
    /// (through the station's probes), heartbeat gaps and its last events. Needs no session:
    /// none of it is secret.
    pub fn guard_status(&mut self, extra_roots: &[PathBuf]) -> Result<GuardStatus> {
        let LiveView {
            guard_state,
            running,
            network,
            media,
        } = self.guard_live(extra_roots)?;
        let key = match (self.session.as_ref(), &guard_state) {
            (Some(session), _) => session.directory().guard_key_bytes()?,
            (None, Some(s)) => hex::decode::<32>(&s.guard_key),
            (None, None) => None,
        };
        let gaps = match &key {
            Some(key) => status::heartbeat_gaps(&self.conn, key, self.clock.now())?,
            None => Vec::new(),
        };
        Ok(GuardStatus {
            enabled: guard_state.is_some(),
            running,
            network,
            media,
            gaps,
            last_events: status::last_events(&self.conn, 10)?,
            unwatched_dirs: status::unwatched_dirs(&self.conn)?,
        })
    }
}
