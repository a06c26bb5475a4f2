//! `Station`: the one door the desktop app and the CLI use. It opens a vault, unlocks a
//! session for one user, and performs every action, each with its ledger event in the same
//! transaction. Clearance is checked here (and enforced by which level keys the session can
//! open), never only in a user interface.

mod alerts;
mod approvals;
mod certificates;
pub mod cloud;
mod confirmation;
mod custody;
mod custody_settled;
mod destroy;
mod directory_rebuild;
mod downgrade;
mod export;
mod export_medium;
mod guard;
mod guard_copies;
mod idle;
mod import;
mod import_report;
mod import_row;
mod init;
mod inventory;
mod items;
mod ledger;
mod media_register;
mod password;
mod policy_change;
mod quarantine;
mod quarantine_entry;
mod quarantine_release;
mod raise;
mod recovery_code;
mod request_view;
mod rotation;
pub mod sealed_name;
mod session;
mod sweep;
mod tombstones;
mod unlock;
mod users;

use std::path::Path;

use rusqlite::{Connection, Transaction};

use crate::accounts::directory;
use crate::accounts::permissions::{self, Permission};
use crate::crypto::event_mac::EventMacKey;
use crate::ledger::{NewEvent, StoredEvent, checkpoint, events};
use crate::time::{SharedClock, rfc3339_millis, system_clock};
use crate::vault::VaultPaths;
use crate::vault::workdir::WorkDir;
use crate::{Error, Level, Result, db};

pub use approvals::Witness;
pub use certificates::{CertificateList, CertificateView, ExportedCertificate};
pub use confirmation::{Confirmation, Confirmed};
pub use custody::{PendingOffer, Reassignment, Skipped};
pub use destroy::{DestroyReport, Destroyed};
pub use directory_rebuild::Rebuilt;
pub use export::{ExportChoices, ExportReport};
pub use export_medium::ExportMediumCheck;
pub use guard_copies::CopyRecord;
pub use import::{FileFailure, ImportOptions, ImportOutcome, ImportPlan, ImportReport};
pub use init::InitOptions;
pub use items::{ItemDetail, ItemList, ItemPage, ItemSummary};
pub use media_register::{MountedMedium, Registration};
pub use quarantine::Settlement;
pub use quarantine_release::{Release, Released};
pub use request_view::RequestView;
pub use sealed_name::sealed_name_aad;
pub use session::{Session, SessionUser};
pub use tombstones::Tombstone;
pub use users::UserView;

/// An open vault, with at most one unlocked session.
pub struct Station {
    paths: VaultPaths,
    conn: Connection,
    work: WorkDir,
    clock: SharedClock,
    station_id: String,
    session: Option<Session>,
    checkpoint_error: Option<Error>,
    idle: idle::IdleTimer,
    witness: Option<(crate::UserId, Witness)>,
    removable: RemovableProbe,
    /// Where the guard keeps its state (`guard::state::guard_dir()` by default).
    guard_dir: std::path::PathBuf,
    /// What the guard's status reads from the machine.
    guard_probes: crate::guard::Probes,
    /// Where the cloud checks look.
    cloud_sources: cloud::CloudSources,
    /// The cloud scan, made at the first check and kept until something changes.
    cloud: Option<crate::cloud::detector::Detector>,
    /// The highest directory version this process knows to exist: what the ledger named when
    /// the vault was opened, raised by every write. A newest stored directory below it was
    /// rolled back (checked before every write without reading the ledger each time).
    directory_floor: u64,
    /// Root working in a user's vault acts as that user until the station is dropped. Last,
    /// so the connection and the work directory are closed and removed as the owner.
    _acting: Option<crate::vault::fs_identity::ActingAs>,
}

/// What a call asks of the session ([`Station::session_for`]), from least to most.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// Its keys only, even with a password change pending (signing in, changing the
    /// password, keeping the ledger's checkpoints).
    Keys,
    /// Ready to act: its keys, and no password change pending.
    Ready,
    /// Ready, for a background read that must not count as activity (a window polling for
    /// alerts would otherwise keep the station from ever idling out).
    Quietly,
    /// Ready, and the permission table lets its user take the permission (on material at
    /// the level).
    Permitted(Permission, Option<Level>),
}

/// Tells whether a path is on removable media (export there is a two-person action).
pub type RemovableProbe = Box<dyn Fn(&Path) -> bool + Send>;

/// How a vault is opened. [`OpenOptions::default`] is what the app and the CLI use; the
/// guard's media watcher and tests replace parts of it.
pub struct OpenOptions {
    /// The clock (tests inject one that moves only when told).
    pub clock: SharedClock,
    /// The removable-media check ([`crate::guard::is_removable`] by default).
    pub removable: RemovableProbe,
    /// Where the guard keeps its state ([`crate::guard::state::guard_dir`] by default).
    pub guard_dir: std::path::PathBuf,
    /// What the guard's status reads (the machine's own by default; the app's tests inject
    /// a network and media of their own).
    pub guard_probes: crate::guard::Probes,
    /// How often the idle timer's thread looks at the clock (one second by default).
    pub idle_poll: std::time::Duration,
    /// Where the cloud checks look (this machine by default; tests inject fixture homes).
    pub cloud: cloud::CloudSources,
    /// Whether opening refuses a vault inside a synced or network folder.
    pub location_check: cloud::LocationCheck,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            clock: system_clock(),
            removable: Box::new(crate::guard::is_removable),
            guard_dir: crate::guard::state::guard_dir(),
            guard_probes: crate::guard::Probes::system(),
            idle_poll: idle::DEFAULT_POLL,
            cloud: cloud::CloudSources::default(),
            location_check: cloud::LocationCheck::Enforce,
        }
    }
}

impl OpenOptions {
    /// The defaults with `clock`.
    pub fn with_clock(clock: SharedClock) -> OpenOptions {
        OpenOptions {
            clock,
            ..OpenOptions::default()
        }
    }
}

impl Station {
    /// Open the vault at `root` as the app and the CLI do ([`OpenOptions::default`]).
    pub fn open(root: &Path) -> Result<Station> {
        Station::open_with(root, OpenOptions::default())
    }

    /// Open the vault at `root`: check its location and permissions, open the database,
    /// take a work directory and clean up after processes that died mid-import or export.
    pub fn open_with(root: &Path, options: OpenOptions) -> Result<Station> {
        let paths = VaultPaths::new(root)?;
        paths.check()?;
        // Root (`guard enable`) works in a user's vault as that user (`fs_identity`).
        let (uid, gid) = paths.owner()?;
        let acting = crate::vault::fs_identity::act_as(uid, gid);
        let conn = db::open(&paths.db, false)?;
        cloud::check_vault_location(&conn, &paths.root, &options.cloud, options.location_check)?;
        let mut station = Station::from_parts(paths, conn, options)?;
        station._acting = acting;
        Ok(station)
    }

    fn from_parts(paths: VaultPaths, conn: Connection, options: OpenOptions) -> Result<Station> {
        let station_id: String = conn
            .query_row("SELECT station_id FROM station", [], |r| r.get(0))
            .map_err(|_| Error::integrity("station record", "missing; the vault is incomplete"))?;
        let work = WorkDir::create(&paths.tmp)?;
        let idle = idle::IdleTimer::new(options.clock.clone());
        idle.set_poll(options.idle_poll);
        let directory_floor = directory_floor(&conn, &station_id)?.max(guard_floor(&options.guard_dir, &station_id));
        let mut station = Station {
            paths,
            conn,
            work,
            clock: options.clock,
            station_id,
            session: None,
            checkpoint_error: None,
            idle,
            witness: None,
            removable: options.removable,
            guard_dir: options.guard_dir,
            guard_probes: options.guard_probes,
            cloud_sources: options.cloud,
            cloud: None,
            directory_floor,
            _acting: None,
        };
        station.sweep_dead_processes()?;
        station.sweep_settled_entries()?;
        station.sweep_destroyed_objects()?;
        station.close_sign_in_windows()?;
        Ok(station)
    }

    /// The vault's paths.
    pub fn paths(&self) -> &VaultPaths {
        &self.paths
    }

    /// The station id (16 hex characters).
    pub fn station_id(&self) -> &str {
        &self.station_id
    }

    /// The unlocked session, if any.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Sign a last checkpoint, then drop every key of the session.
    pub fn lock(&mut self) {
        if self.session.is_none() {
            return;
        }
        self.checkpoint_quietly("lock");
        self.session = None;
        self.witness = None;
        self.idle.unwatch();
        let _ = db::checkpoint_truncate(&self.conn);
    }

    /// Whether a vault exists at `root` (its database file is there).
    pub fn vault_exists(root: &Path) -> bool {
        VaultPaths::new(root).is_ok_and(|paths| paths.db.exists())
    }

    /// The person at the window did something: restart the idle time.
    pub fn note_activity(&self) {
        if self.is_unlocked() {
            self.idle.touch();
        }
    }

    /// The signed-in user's role, while a session holds its keys.
    pub fn role(&self) -> Option<crate::accounts::Role> {
        self.session.as_ref().filter(|s| s.has_keys()).map(|s| s.user().role)
    }

    /// Whether a session is unlocked and still holds its keys.
    pub fn is_unlocked(&self) -> bool {
        self.session.as_ref().is_some_and(Session::has_keys)
    }

    /// Apply the idle lock now: if the session has been idle for the policy's time, or the
    /// timer already dropped its keys, record the lock and return true. A user interface
    /// calls this to notice the lock; every write does it too.
    pub fn poll_idle(&mut self) -> Result<bool> {
        if self.session.is_none() {
            return Ok(false);
        }
        self.idle.check_now();
        let Some(dropped_at) = self.idle.take_dropped() else {
            if self.is_unlocked() {
                return Ok(false);
            }
            // The keys are gone but the lock was already recorded.
            self.session = None;
            return Ok(true);
        };
        self.witness = None;
        let Some(session) = self.session.take() else {
            return Ok(true);
        };
        let user = session.user().clone();
        let minutes = session.directory().policy().idle_lock_minutes;
        drop(session);
        let event = NewEvent {
            actor: user.name.clone(),
            action: crate::ledger::Action::AuthIdleLock,
            subject: user.name.clone(),
            level: None,
            item: None,
            details: crate::details! {
                "user": user.id.to_string(),
                "idle_minutes": minutes,
                "locked_at": rfc3339_millis(dropped_at),
            },
        };
        // The session is gone: this records what happened, like the cleanup at open.
        self.write_bookkeeping(|_, events| {
            events.push(event);
            Ok(())
        })?;
        let _ = db::checkpoint_truncate(&self.conn);
        Ok(true)
    }

    /// Events from `from_seq`, at most `limit`, that the session user may see: officers see
    /// every event, others those with no level or a level within their clearance. (The ledger
    /// issue adds filtered queries.)
    pub fn events(&self, from_seq: u64, limit: u64) -> Result<Vec<StoredEvent>> {
        let user = self.session_for(Access::Ready)?.user();
        let all = events::list(&self.conn, from_seq, limit)?;
        if user.role == crate::accounts::Role::Officer {
            return Ok(all);
        }
        Ok(all
            .into_iter()
            .filter(|e| e.level.is_none_or(|l| l <= user.clearance))
            .collect())
    }

    /// Why the last checkpoint could not be written, if it could not (the ledger was changed
    /// outside Strongroom); a verification says where.
    pub fn checkpoint_error(&self) -> Option<&Error> {
        self.checkpoint_error.as_ref()
    }

    /// Sign a checkpoint over every event so far (needs a session: the signing key).
    pub fn checkpoint(&mut self, reason: &str) -> Result<Option<u64>> {
        let Station {
            conn,
            session,
            station_id,
            clock,
            ..
        } = self;
        let Some(session) = session.as_ref() else {
            return Err(Error::NotUnlocked);
        };
        let key = session.signing_key()?;
        let now = rfc3339_millis(clock.now());
        db::write(conn, |tx| checkpoint::write(tx, station_id, &key, reason, &now))
    }

    /// [`Station::checkpoint`] for the automatic ones: a failure is kept for the UI to show,
    /// never allowed to stop the action that triggered it.
    fn checkpoint_quietly(&mut self, reason: &str) {
        if !self.is_unlocked() {
            return;
        }
        self.checkpoint_error = self.checkpoint(reason).err();
    }

    /// Interval checkpoint when enough events have accumulated.
    fn checkpoint_if_due(&mut self) {
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let interval = u64::from(session.directory().policy().checkpoint_interval);
        let due = checkpoint::uncovered(&self.conn).map(|n| n >= interval);
        if due.unwrap_or(false) {
            self.checkpoint_quietly("interval");
        }
    }

    /// The session, if it may do what `access` asks (otherwise the refusal: not unlocked, a
    /// password change pending, or the permission table's rule). Every action goes through
    /// here, and all but [`Access::Quietly`] count as activity for the idle lock.
    fn session_for(&self, access: Access) -> Result<&Session> {
        let session = self
            .session
            .as_ref()
            .filter(|s| s.has_keys())
            .ok_or(Error::NotUnlocked)?;
        if !matches!(access, Access::Keys)
            && let Some(reason) = session.password_change_required()
        {
            return Err(Error::PasswordChangeRequired {
                user: session.user().name.clone(),
                reason: reason.to_string(),
            });
        }
        if let Access::Permitted(permission, level) = access {
            let user = session.user();
            permissions::check(&user.name, user.role, user.clearance, permission, level)?;
        }
        if !matches!(access, Access::Quietly) {
            self.idle.touch();
        }
        Ok(session)
    }

    fn now(&self) -> String {
        rfc3339_millis(self.clock.now())
    }

    /// Run `change` and append its events in one write transaction. With a session, the
    /// transaction first checks that the signed directory the session holds is still the
    /// newest (DESIGN.md §2): a newer one is verified and adopted if it leaves this user's
    /// account and keys as they are, and otherwise the session is locked and nothing is
    /// written.
    fn write<T>(&mut self, change: impl FnOnce(&Transaction<'_>, &mut Vec<NewEvent>) -> Result<T>) -> Result<T> {
        if self.session.is_some() && self.poll_idle()? {
            return Err(Error::NotUnlocked);
        }
        self.refresh_session()?;
        let expected = self.session.as_ref().map(|s| s.directory().version);
        let floor = self.directory_floor;
        let out = self.write_bookkeeping(|tx, pending| {
            let latest = directory::latest_version(tx)?;
            if let Some(expected) = expected
                && latest != expected
            {
                return Err(Error::SessionOutOfDate {
                    why: "the account directory changed during this operation; nothing was written".into(),
                });
            }
            check_not_rolled_back(latest, floor)?;
            change(tx, pending)
        })?;
        // Committed: nothing after this point may turn the change into an error (a caller
        // would undo what the ledger already records). The floor is raised at the next read.
        if let Ok(latest) = directory::latest_version(&self.conn) {
            self.directory_floor = self.directory_floor.max(latest);
        }
        self.checkpoint_if_due();
        Ok(out)
    }

    /// Bookkeeping that must happen whether or not the session is still unlocked: recording
    /// and forgetting what an export leaves outside the vault, and the event of an export
    /// that failed after its own event committed. (An idle lock that fires meanwhile must
    /// not leave a temp unrecorded or a failure unrecorded.) No permission is involved: it
    /// records what already happened.
    pub(super) fn write_bookkeeping<T>(
        &mut self,
        change: impl FnOnce(&Transaction<'_>, &mut Vec<NewEvent>) -> Result<T>,
    ) -> Result<T> {
        let clock = self.clock.clone();
        let mac = self.event_mac_key();
        db::write(&mut self.conn, |tx| {
            let mut pending = Vec::new();
            let out = change(tx, &mut pending)?;
            let now = clock.now();
            for event in &pending {
                events::append(tx, now, event, mac.as_ref())?;
            }
            Ok(out)
        })
    }

    /// The key this session MACs its events with (none without a session holding keys: the
    /// events of failed sign-ins and of the cleanup at open have no MAC).
    fn event_mac_key(&self) -> Option<EventMacKey> {
        let signing = self.session.as_ref()?.signing_key().ok()?;
        EventMacKey::from_signing(&signing).ok()
    }

    /// Adopt a newer signed directory if it changes nothing this session relies on.
    fn refresh_session(&mut self) -> Result<()> {
        let Some(session) = self.session.as_ref() else {
            return Ok(());
        };
        if directory::latest_version(&self.conn)? == session.directory().version {
            return Ok(());
        }
        match session.check_newer_directory(&self.conn) {
            Ok(newer) => {
                let idle = time::Duration::minutes(i64::from(newer.policy().idle_lock_minutes));
                self.idle.set_timeout(idle);
                if let Some(session) = self.session.as_mut() {
                    session.set_directory(newer);
                }
                Ok(())
            }
            Err(error) => {
                self.lock();
                Err(error)
            }
        }
    }
}

/// The highest directory version the ledger names in a copy that an admin key of this
/// station signed (DESIGN.md §2 "Rollback"): a newest stored directory below it was rolled
/// back. Rows appended with SQL carry no such copy, so they cannot raise it.
pub(super) fn directory_floor(conn: &Connection, station_id: &str) -> Result<u64> {
    let keys = crate::accounts::decision::AdminKeys::load(conn, station_id)?;
    let newest = crate::accounts::directory_copy::newest_verified(conn, station_id, &|key, version| {
        keys.may_sign_directory(key, version)
    })?;
    Ok(newest.map_or(0, |(_, directory)| directory.version))
}

/// The directory version the guard's root-owned state has verified (0 without a guard): a
/// newest stored directory below it was rolled back (DESIGN.md §2 "Rollback"). A state the
/// station's own account could have written is not a floor: it proves nothing.
fn guard_floor(guard_dir: &Path, station_id: &str) -> u64 {
    // The system's guard directory always counts: a directory named in the environment can
    // add a floor (tests, a second guard), never take the system's away.
    [Path::new(crate::guard::state::DEFAULT_DIR), guard_dir]
        .iter()
        .filter_map(|dir| crate::guard::state::load(dir, station_id).ok().flatten())
        .map(|state| state.directory_version)
        .max()
        .unwrap_or(0)
}

/// Refuse to write when the newest stored directory (`latest`) is older than `named`, a
/// version the ledger names or this process saw: the directories were rolled back
/// (DESIGN.md §2 "Rollback").
fn check_not_rolled_back(latest: u64, named: u64) -> Result<()> {
    if latest < named {
        return Err(Error::integrity(
            "signed directory",
            format!(
                "the newest stored version is {latest}, but version {named} was seen before (the ledger or the guard's state names it): rolled back; nothing was written. A security officer can put the newest version back from the ledger's copy (directory rebuild)"
            ),
        ));
    }
    Ok(())
}

impl Drop for Station {
    /// Closing the station locks it: a last checkpoint covers what this process appended.
    fn drop(&mut self) {
        self.lock();
    }
}
