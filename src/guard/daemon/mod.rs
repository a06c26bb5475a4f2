//! The guard itself: started by the service manager as root with no password, it verifies
//! what it may trust from its state, takes the vault's guard lock, then follows the mount
//! table and the network and records what changes, each event signed by the guard key.
//!
//! It wakes only when the kernel says something changed (`poll` on mountinfo and on a
//! netlink socket) or a timer is due; it never spins. An event that cannot be written yet
//! (the database busy past its timeout) waits in memory and is written at the next wake.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior};
use serde_json::json;

use crate::accounts::policy::Policy;
use crate::crypto::sign::SignKey;
use crate::guard::copies::{CopyFound, CopyMatcher, Found, MaterialFound};
use crate::guard::destinations;
use crate::guard::lock::{self, GuardLock};
use crate::guard::media::{self, Medium};
use crate::guard::network::{NetFinding, NetState, NetworkWatch};
use crate::guard::probes::{DeviceProbe, MountProbe, NetworkProbe, SystemDevices, SystemMounts, SystemNetwork};
use crate::guard::record::{self, GuardFinding};
use crate::guard::state::{self, GuardState};
use crate::guard::trust::{self, Verdict};
use crate::guard::watch::DestinationWatch;
use crate::guard::{quarantine, quarantine_table};
use crate::ledger::NewEvent;
use crate::vault::fs_identity::{self, as_root};
use crate::vault::layout::VaultPaths;
use crate::{Error, Level, Result, db, details};

/// A medium whose files change is indexed again at most this often.
const REINDEX_EVERY: Duration = Duration::from_secs(2);

/// How often the directory is verified again between other wakes.
const TRUST_RECHECK: Duration = Duration::from_secs(10);

/// Events kept in memory while the database is busy; beyond this the oldest are counted and
/// dropped (the count goes into the next event written).
const MAX_PENDING: usize = 10_000;

/// How the guard is started.
#[derive(Clone, Debug)]
pub struct Config {
    /// The vault directory.
    pub vault: PathBuf,
    /// The guard directory (state, key, lock).
    pub guard_dir: PathBuf,
    /// Mount points under these count as removable media (an officer's configuration; the
    /// tests' loop devices, which sysfs reports as fixed).
    pub removable_roots: Vec<PathBuf>,
    /// Heartbeat interval instead of the policy's (for tests and tuning).
    pub heartbeat: Option<Duration>,
    /// Where copies from media are looked for; `None`: no copy detection (the guard's own
    /// library tests).
    pub copies: Option<CopyWatchConfig>,
}

/// The protected destinations to watch (DESIGN.md §5).
#[derive(Clone, Debug, Default)]
pub struct CopyWatchConfig {
    /// The defaults: every home, `/tmp`, `/var/tmp`, every network mount.
    pub defaults: bool,
    /// Directories an officer added.
    pub extra: Vec<std::path::PathBuf>,
}

/// What the guard reads from the machine.
pub struct Probes {
    /// The mount table.
    pub mounts: Box<dyn MountProbe>,
    /// The network links of this namespace.
    pub network: Box<dyn NetworkProbe>,
    /// Block devices.
    pub devices: Box<dyn DeviceProbe>,
}

impl Probes {
    /// The machine's own.
    pub fn system() -> Probes {
        Probes {
            mounts: Box::new(SystemMounts),
            network: Box::new(SystemNetwork),
            devices: Box::new(SystemDevices),
        }
    }
}

/// What the guard last concluded about the directory (an alert is written once per change).
#[derive(Clone, Debug, PartialEq, Eq)]
enum TrustNote {
    Trusted,
    RolledBack { stored: u64, seen: u64 },
    Refused(String),
}

/// A running guard.
pub struct Guard {
    config: Config,
    probes: Probes,
    paths: VaultPaths,
    conn: Connection,
    state: GuardState,
    key: SignKey,
    policy: Policy,
    trust: TrustNote,
    net: NetworkWatch,
    media: Vec<Medium>,
    pending: VecDeque<Pending>,
    dropped: u64,
    last_heartbeat: Instant,
    last_trust_check: Instant,
    /// The database file the connection has open (a file renamed or swapped in its place
    /// is noticed and opened afresh).
    db_inode: (u64, u64),
    /// The directory last trusted (sealing keys for names), when it verifies.
    directory: Option<Box<crate::accounts::Directory>>,
    /// The media indexed for copy matching.
    matcher: CopyMatcher,
    /// The watches on the protected destinations (none without copy detection).
    watch: Option<DestinationWatch>,
    /// The watches on the media, so an index is built again when its medium changes.
    media_watch: Option<crate::guard::media_watch::MediaWatch>,
    /// Media whose files changed since they were indexed.
    dirty_media: std::collections::HashSet<PathBuf>,
    /// When a medium was last indexed again.
    last_reindex: Instant,
    /// Vault material found outside the vault, waiting for a moment before it is judged
    /// against the recorded export destinations (an export in progress records its
    /// destination only once its file is in place).
    material_wait: Vec<(Instant, MaterialFound)>,
    /// How many import events the vault content known to the matcher came from.
    vault_imports: Option<u64>,
    /// The synced and network folders of the protected homes (none without copy detection).
    cloud: Option<cloud::CloudWatch>,
    _lock: GuardLock,
    /// Last: the guard works in the vault as its owner until it is dropped.
    _acting: Option<fs_identity::ActingAs>,
}

/// The device and inode of `path`.
fn inode_of(path: &std::path::Path) -> Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    Ok((meta.dev(), meta.ino()))
}

impl Guard {
    /// Check the state, take the lock, verify the directory, read the machine and record
    /// `guard.start` (and a `media.mount` for each medium already mounted).
    pub fn start(mut config: Config, mut probes: Probes) -> Result<Guard> {
        let paths = VaultPaths::new(&config.vault)?;
        paths.check()?;
        // Everything in the vault is touched as its owner; root's own files through as_root.
        let (uid, gid) = paths.owner()?;
        let acting = fs_identity::act_as(uid, gid);
        let conn = db::open(&paths.db, false)?;
        let db_inode = inode_of(&paths.db)?;
        let station: String = conn
            .query_row("SELECT station_id FROM station", [], |r| r.get(0))
            .map_err(|_| Error::integrity("station record", "missing; the vault is incomplete"))?;
        let state = state::load(&config.guard_dir, &station)?.ok_or_else(|| Error::Denied {
            rule: "guard-not-enabled",
            message: format!(
                "no guard is enabled for station {station} (no state in {}); an officer enables it, as root",
                config.guard_dir.display()
            ),
        })?;
        let vault = std::fs::canonicalize(&config.vault).map_err(|e| Error::io(&config.vault, e))?;
        if state.vault != vault {
            return Err(Error::integrity(
                "guard state",
                format!(
                    "it was written for the vault at {}, not {}",
                    state.vault.display(),
                    vault.display()
                ),
            ));
        }
        let key = as_root(|| state::load_key(&config.guard_dir, &state))?;
        config.removable_roots.extend(state.removable_roots.iter().cloned());
        let since = crate::time::rfc3339_millis(time::OffsetDateTime::now_utc());
        let lock = as_root(|| lock::acquire(&config.guard_dir, &station, &since))?;
        let snapshot = probes.network.snapshot().map_err(|e| Error::io("netlink", e))?;
        let now = Instant::now();
        let mut guard = Guard {
            net: NetworkWatch::new(&snapshot, &[]),
            config,
            probes,
            paths,
            conn,
            state,
            key,
            policy: Policy::default(),
            trust: TrustNote::Trusted,
            media: Vec::new(),
            pending: VecDeque::new(),
            dropped: 0,
            last_heartbeat: now,
            last_trust_check: now,
            db_inode,
            directory: None,
            matcher: CopyMatcher::default(),
            watch: None,
            media_watch: None,
            dirty_media: std::collections::HashSet::new(),
            last_reindex: now,
            material_wait: Vec::new(),
            vault_imports: None,
            cloud: None,
            _lock: lock,
            _acting: acting,
        };
        guard.check_trust()?;
        // Read the network again with the policy's ignore list.
        guard.net = NetworkWatch::new(&snapshot, &guard.policy.network_ignore());
        let media = guard.read_media()?;
        guard.refresh_vault_content();
        guard.open_watch(&media);
        // A containment killed half-way left a partial or an unrecorded entry behind.
        let ids: std::collections::HashSet<String> =
            quarantine_table::list(&guard.conn)?.into_iter().map(|e| e.id).collect();
        quarantine::sweep(&guard.paths.quarantine, &|id| ids.contains(id));
        let start = record::start(
            std::process::id(),
            guard.state.directory_version,
            guard.heartbeat_interval().as_secs(),
            guard.net.state(),
            media.len(),
            guard.unwatched_dirs(),
        );
        guard.push(start);
        guard.media_changed(media, true);
        guard.flush()?;
        Ok(guard)
    }

    /// The network state now.
    pub fn network(&self) -> &NetState {
        self.net.state()
    }

    /// The media mounted now.
    pub fn media(&self) -> &[Medium] {
        &self.media
    }

    /// Events still waiting for the database.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    fn heartbeat_interval(&self) -> Duration {
        self.config
            .heartbeat
            .unwrap_or_else(|| Duration::from_secs(u64::from(self.policy.guard_heartbeat_minutes()) * 60))
    }

    /// Verify the directory again; write back a higher version; alert once on a rollback or
    /// a refusal; stop when the guard key was retired.
    fn check_trust(&mut self) -> Result<()> {
        self.last_trust_check = Instant::now();
        // The database file itself replaced (renamed, copied back): read the one in place.
        if inode_of(&self.paths.db)? != self.db_inode {
            self.conn = db::open(&self.paths.db, false)?;
            self.db_inode = inode_of(&self.paths.db)?;
        }
        let verdict = trust::judge(&self.conn, &self.state)?;
        let note = match verdict {
            Verdict::Trusted { directory, newer } => {
                if newer {
                    let next = trust::advanced(&self.state, &directory)?;
                    let dir = self.config.guard_dir.clone();
                    // An officer may have enabled another guard meanwhile: never write its
                    // state back over with this one's key.
                    let on_disk = as_root(|| state::load(&dir, &self.state.station))?;
                    if on_disk.is_some_and(|s| s.guard_key != self.state.guard_key) {
                        return Err(retired());
                    }
                    as_root(|| state::save(&dir, &next))?;
                    self.state = next;
                }
                self.policy = directory.policy();
                self.directory = Some(directory);
                self.refresh_vault_content();
                TrustNote::Trusted
            }
            Verdict::Retired => return Err(retired()),
            Verdict::RolledBack { stored, seen } => TrustNote::RolledBack { stored, seen },
            Verdict::Refused { why } => TrustNote::Refused(why),
        };
        if note != self.trust {
            match &note {
                TrustNote::Trusted => {}
                TrustNote::RolledBack { stored, seen } => self.push(record::alert(
                    GuardFinding::DirectoryRolledBack,
                    "station",
                    details! { "stored_version": stored, "seen_version": seen },
                )),
                TrustNote::Refused(why) => self.push(record::alert(
                    GuardFinding::DirectoryRefused,
                    "station",
                    details! { "why": why },
                )),
            }
            self.trust = note;
        }
        Ok(())
    }

    fn read_media(&mut self) -> Result<Vec<Medium>> {
        let mounts = self
            .probes
            .mounts
            .mounts()
            .map_err(|e| Error::io("/proc/self/mountinfo", e))?;
        Ok(media::removable_media(
            &mounts,
            self.probes.devices.as_ref(),
            &self.config.removable_roots,
        ))
    }

    /// Record what changed between the media known and `now`.
    fn media_changed(&mut self, now: Vec<Medium>, at_start: bool) {
        let (mounted, gone) = media::diff(&self.media, &now);
        for medium in &gone {
            self.matcher.remove_medium(medium);
            if let Some(watch) = self.media_watch.as_mut() {
                watch.remove(&medium.mount_point);
            }
            self.push(record::media_unmount(medium));
        }
        for medium in &mounted {
            if self.config.copies.is_some() {
                // Root reads the medium's tree: a stick's files may be closed to its owner.
                // Watched first, so a change while it is indexed marks it again.
                if let Some(watch) = self.media_watch.as_mut() {
                    as_root(|| watch.add(&medium.mount_point));
                }
                as_root(|| self.matcher.add_medium(medium.clone()));
            }
            let registration = self.registration(medium, &now);
            self.push(record::media_mount(medium, at_start, registration));
            if self.net.state().is_networked() {
                self.push(record::alert(
                    GuardFinding::MediumWhileNetworked,
                    &medium.name(),
                    details! {
                        "medium": record::medium_json(medium),
                        "interfaces": interfaces_of(self.net.state()),
                    },
                ));
            }
        }
        self.media = now;
    }

    /// The mount table changed: read it again and record the difference; a network share
    /// mounted since is watched from now on (and one gone is let go).
    pub fn on_mounts(&mut self) -> Result<()> {
        let now = self.read_media()?;
        self.media_changed(now, false);
        self.follow_shares();
        // A share or a FUSE mount may be a synced folder of its own: the scan is read
        // again shortly.
        if let Some(cloud) = self.cloud.as_mut() {
            cloud.mounts_changed();
        }
        self.flush()
    }

    /// The network may have changed: read it again.
    pub fn on_network(&mut self, now: Instant) -> Result<()> {
        let snapshot = self.probes.network.snapshot().map_err(|e| Error::io("netlink", e))?;
        let ignored = self.policy.network_ignore();
        let findings = self.net.observe(&snapshot, &ignored, now);
        self.net_findings(findings);
        self.flush()
    }

    fn net_findings(&mut self, findings: impl IntoIterator<Item = NetFinding>) {
        for finding in findings {
            match finding {
                NetFinding::NewInterface { name } => self.push(record::alert(
                    GuardFinding::NewInterface,
                    &name,
                    details! { "interface": name },
                )),
                NetFinding::Changed { from, to, flaps } => {
                    self.push(record::network_change(&from, &to, flaps));
                    if to.is_networked() && !from.is_networked() && !self.media.is_empty() {
                        let media: Vec<_> = self.media.iter().map(record::medium_json).collect();
                        self.push(record::alert(
                            GuardFinding::NetworkWhileMedium,
                            "station",
                            details! { "interfaces": interfaces_of(&to), "media": media },
                        ));
                    }
                }
            }
        }
    }

    /// Timers: a held-back network change, the heartbeat, the directory check, and events
    /// still waiting for the database.
    pub fn on_timer(&mut self, now: Instant) -> Result<()> {
        if let Some(finding) = self.net.due(now) {
            self.net_findings([finding]);
        }
        self.on_cloud_timer(now);
        self.on_watch_timer(now);
        self.on_material_timer(now);
        if now.duration_since(self.last_trust_check) >= TRUST_RECHECK {
            // A busy database is tried again at the next check; a retired key stops the guard.
            if let Err(e) = self.check_trust() {
                if is_final(&e) {
                    return Err(e);
                }
                eprintln!("strongroom guard: the directory could not be checked now: {e}");
            }
        }
        let interval = self.heartbeat_interval();
        if now.duration_since(self.last_heartbeat) >= interval {
            self.last_heartbeat = now;
            let beat = record::heartbeat(
                interval.as_secs(),
                self.net.state(),
                self.media.len(),
                self.unwatched_dirs(),
            );
            self.push(beat);
        }
        self.flush()
    }

    /// When the next timer is due.
    pub fn next_deadline(&self) -> Instant {
        let mut next = (self.last_heartbeat + self.heartbeat_interval()).min(self.last_trust_check + TRUST_RECHECK);
        if let Some(due) = self.net.next_due() {
            next = next.min(due);
        }
        if let Some(due) = self.watch.as_ref().and_then(DestinationWatch::next_due) {
            next = next.min(due);
        }
        if let Some(due) = self.material_due() {
            next = next.min(due);
        }
        if let Some(due) = self.cloud_due() {
            next = next.min(due);
        }
        if !self.pending.is_empty() {
            next = next.min(Instant::now() + Duration::from_secs(1));
        }
        next
    }
}

mod cloud;
mod copies;
mod material;
mod registration;
mod run;
mod writer;

pub use run::{run, run_once};
use writer::{Contained, Pending, is_final, retired};

fn interfaces_of(state: &NetState) -> Vec<String> {
    match state {
        NetState::AirGapped => Vec::new(),
        NetState::Networked { interfaces } => interfaces.clone(),
    }
}
