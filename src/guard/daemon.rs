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
use crate::guard::copies::{CopyFound, CopyMatcher};
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
            _lock: lock,
            _acting: acting,
        };
        guard.check_trust()?;
        // Read the network again with the policy's ignore list.
        guard.net = NetworkWatch::new(&snapshot, &guard.policy.network_ignore());
        let media = guard.read_media()?;
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

    /// Watch the protected destinations (when copy detection is on), leaving out the vault,
    /// the guard's directory and the media mounted now.
    fn open_watch(&mut self, media: &[Medium]) {
        let Some(config) = self.config.copies.clone() else {
            return;
        };
        let excluded = self.excluded(media);
        let homes = if config.defaults {
            std::fs::read_to_string("/etc/passwd")
                .map(|p| destinations::homes(&p))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        // Network shares are always protected: writing there is writing to another machine.
        let mounts = self.probes.mounts.mounts().unwrap_or_default();
        let roots = destinations::protected(&homes, config.defaults, &mounts, &config.extra, &excluded)
            .into_iter()
            .map(|d| d.root)
            .collect();
        // Root watches every account's home: watching needs root's own read access.
        match as_root(|| DestinationWatch::open(roots, excluded)) {
            Ok(watch) => self.watch = Some(watch),
            Err(e) => eprintln!("strongroom guard: the protected destinations cannot be watched: {e}"),
        }
    }

    /// What is never a destination: the vault, the guard's directory, the media.
    fn excluded(&self, media: &[Medium]) -> Vec<std::path::PathBuf> {
        let mut out = vec![self.config.vault.clone(), self.config.guard_dir.clone()];
        out.extend(media.iter().map(|m| m.mount_point.clone()));
        out.iter()
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
            .collect()
    }

    /// The descriptor the destination watch wakes the guard with.
    pub fn destinations_fd(&self) -> Option<std::os::fd::RawFd> {
        self.watch.as_ref().map(DestinationWatch::wake_fd)
    }

    /// Something happened in a protected destination: judge each finished file.
    pub fn on_destinations(&mut self) -> Result<()> {
        let excluded = self.excluded(&self.media);
        let Some(watch) = self.watch.as_mut() else {
            return Ok(());
        };
        let look = self.matcher.has_media();
        let changes = as_root(|| watch.drain(look));
        let mut finished = changes.finished;
        if changes.rescan {
            // Events were lost: look again at everything under the roots.
            for root in watch.roots().to_vec() {
                finished.extend(as_root(|| crate::guard::watch::scan(&root, &excluded)));
            }
        }
        for path in finished {
            // Root reads what lands in any home; a file gone or changing meanwhile is skipped.
            let found = as_root(|| self.matcher.judge(&path));
            if let Ok(Some(copy)) = found {
                self.copy_found(&copy);
            }
        }
        self.flush()
    }

    /// Record a copy: `guard.copy`, and `guard.copy.alert` while networked; then, by policy,
    /// seal it into the quarantine (the plaintext goes once the alert naming the entry is
    /// committed). If sealing fails, the copy stays and the alert says why.
    fn copy_found(&mut self, copy: &CopyFound) {
        // Sealed at top-secret: the level an item's row states is not checked against its
        // custody history here, and top-secret is never weaker.
        let level = Level::TopSecret;
        let sealed = self.directory.as_ref().and_then(|d| {
            let entry = d.level(level).ok()?;
            let public = crate::encoding::hex::decode::<32>(&entry.sealing_public_key)?;
            let name = copy.path.file_name()?.as_encoded_bytes().to_vec();
            let aad = crate::station::sealed_name::sealed_name_aad(level, entry.generation);
            let blob = crate::crypto::seal::seal_value(&public, &aad, &name).ok()?;
            Some((entry.generation, crate::encoding::hex::encode(&blob)))
        });
        let net = self.net.state().clone();
        // The vault item with this content, if any (named by its control number; its level
        // as the row says it, which only the item's history vouches for).
        let item = crate::vault::items::active_with_sha256(&self.conn, &copy.sha256)
            .ok()
            .flatten();
        let with_item = |mut event: NewEvent| {
            if let Some((control, row_level)) = &item {
                event
                    .details
                    .insert("control_number".into(), json!(control.to_string()));
                event.details.insert("item_level".into(), json!(row_level.name()));
            }
            event
        };
        self.push(with_item(record::copy(copy, level, sealed.as_ref(), &net)));
        if !net.is_networked() {
            return;
        }
        let mut alert = with_item(record::copy_alert(copy, level, sealed.as_ref(), &net));
        if self.policy.guard_response != crate::accounts::policy::GuardResponse::Quarantine {
            self.push(alert);
            return;
        }
        match self.contain(copy, level) {
            Ok(contained) => {
                alert.details.insert(
                    "quarantine".into(),
                    json!(crate::encoding::hex::encode(&contained.row.id)),
                );
                self.push_pending(Pending {
                    event: alert,
                    contained: Some(contained),
                });
            }
            Err(why) => {
                alert.details.insert("not_contained".into(), json!(why));
                self.push(alert);
            }
        }
    }

    /// Seal `copy` into the quarantine for `level` with the sealing key of the trusted
    /// directory.
    fn contain(&self, copy: &CopyFound, level: Level) -> std::result::Result<Contained, String> {
        let directory = self
            .directory
            .as_ref()
            .ok_or("the guard trusts no directory now, so it has no sealing key")?;
        let entry = directory.level(level).map_err(|e| e.to_string())?;
        let recipient = crate::encoding::hex::decode::<32>(&entry.sealing_public_key)
            .ok_or("the directory's sealing key is not a key")?;
        // Never a root file, nor one with another name elsewhere (a hard link): whatever its
        // path leads to, the guard contains only what its owner could have removed.
        if copy.owner.0 == 0 || copy.links != 1 {
            return Err("the copy belongs to root or has another hard link: it is left in place".into());
        }
        let target = quarantine::Target {
            identity: copy.identity,
            owner: copy.owner,
            size: copy.size,
            sha256: copy.sha256,
        };
        let sealed = quarantine::seal(
            &copy.path,
            target,
            &self.paths.quarantine,
            level,
            entry.generation,
            recipient,
        )
        .map_err(|e| e.to_string())?;
        Ok(Contained {
            row: quarantine_table::Row {
                id: sealed.id,
                level,
                generation: sealed.generation,
                size: copy.size,
                sha256: copy.sha256,
                medium: copy.medium.name(),
                destination_dir: copy
                    .path
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            },
            copy: copy.path.clone(),
            target,
            sealed,
        })
    }

    /// Record what changed between the media known and `now`.
    fn media_changed(&mut self, now: Vec<Medium>, at_start: bool) {
        let (mounted, gone) = media::diff(&self.media, &now);
        for medium in &gone {
            self.matcher.remove_medium(medium);
            self.push(record::media_unmount(medium));
        }
        for medium in &mounted {
            if self.config.copies.is_some() {
                // Root reads the medium's tree: a stick's files may be closed to its owner.
                as_root(|| self.matcher.add_medium(medium.clone()));
            }
            self.push(record::media_mount(medium, at_start));
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
        self.flush()
    }

    /// Watch every network mount, those mounted since the guard started included.
    fn follow_shares(&mut self) {
        let Some(watch) = self.watch.as_mut() else {
            return;
        };
        let Ok(mounts) = self.probes.mounts.mounts() else {
            return;
        };
        let shares: Vec<std::path::PathBuf> = mounts
            .iter()
            .filter(|m| m.reach() == crate::mounts::Reach::Network)
            .map(|m| m.point.clone())
            .collect();
        for share in &shares {
            if !watch.roots().iter().any(|r| share.starts_with(r)) {
                as_root(|| watch.add_root(share.clone()));
            }
        }
        let gone: Vec<std::path::PathBuf> = watch
            .roots()
            .iter()
            .filter(|r| !shares.contains(r) && !r.exists())
            .cloned()
            .collect();
        for root in gone {
            watch.remove_root(&root);
        }
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
            let beat = record::heartbeat(interval.as_secs(), self.net.state(), self.media.len());
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
        if !self.pending.is_empty() {
            next = next.min(Instant::now() + Duration::from_secs(1));
        }
        next
    }

    fn push(&mut self, event: NewEvent) {
        self.push_pending(Pending { event, contained: None });
    }

    fn push_pending(&mut self, pending: Pending) {
        if self.pending.len() >= MAX_PENDING {
            // A containment is never the one dropped: its sealed entry waits for its row.
            if let Some(at) = self.pending.iter().position(|p| p.contained.is_none()) {
                self.pending.remove(at);
                self.dropped += 1;
            }
        }
        self.pending.push_back(pending);
    }

    /// Write the waiting events, oldest first, each in its own transaction; stop at the
    /// first failure (the database busy or locked) and keep the rest for the next wake.
    /// Fails only when the guard must stop (its key retired).
    fn flush(&mut self) -> Result<()> {
        while let Some(mut pending) = self.pending.pop_front() {
            if self.dropped > 0 {
                pending
                    .event
                    .details
                    .insert("events_dropped".into(), json!(self.dropped));
            }
            match self.write(&pending) {
                Ok(()) => {
                    self.dropped = 0;
                    // Recorded with its sealed entry: only now does the plaintext go.
                    // The entry must still be the file written, in its place: the vault's
                    // owner can move or remove it, and then the plaintext is the evidence.
                    if let Some(contained) = pending.contained.as_ref().filter(|c| !c.sealed.still_in_place()) {
                        eprintln!(
                            "strongroom guard: the sealed entry of {} is gone; the copy stays",
                            contained.copy.display()
                        );
                    } else if let Some(contained) = &pending.contained
                        && let Err(e) = quarantine::remove_copy(&contained.copy, contained.target)
                    {
                        eprintln!(
                            "strongroom guard: the copy {} is sealed but could not be removed: {e}",
                            contained.copy.display()
                        );
                    }
                }
                Err(e) if is_final(&e) => return Err(e),
                Err(e) => {
                    eprintln!("strongroom guard: event {} waits: {e}", pending.event.action.as_str());
                    self.pending.push_front(pending);
                    break;
                }
            }
        }
        Ok(())
    }

    /// Append one event signed by the guard key. Inside the write transaction (no officer
    /// can publish meanwhile), a directory newer than the one last verified is judged first:
    /// a guard whose key was retired writes nothing more.
    fn write(&mut self, pending: &Pending) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if crate::accounts::directory::latest_version(&tx)? != self.state.directory_version
            && matches!(trust::judge(&tx, &self.state)?, Verdict::Retired)
        {
            return Err(retired());
        }
        let now = time::OffsetDateTime::now_utc();
        if let Some(contained) = &pending.contained {
            quarantine_table::insert(&tx, &contained.row, &crate::time::rfc3339_millis(now))?;
        }
        crate::ledger::events::append_by_guard(&tx, now, &pending.event, &self.key)?;
        tx.commit()?;
        Ok(())
    }
}

/// An event waiting to be written, with the quarantine entry it records, if any.
struct Pending {
    event: NewEvent,
    contained: Option<Contained>,
}

/// A copy sealed into the quarantine, waiting for its row and event; its plaintext is
/// removed once they are committed.
struct Contained {
    row: quarantine_table::Row,
    copy: std::path::PathBuf,
    target: quarantine::Target,
    sealed: quarantine::Sealed,
}

/// The guard's key is no longer the one the signed directory names: it must stop.
fn retired() -> Error {
    Error::Denied {
        rule: "guard-retired",
        message: "the signed directory no longer names this guard's key: an officer disabled the guard or enabled another one"
            .into(),
    }
}

/// Whether `error` means the guard must stop (rather than retry at its next wake).
fn is_final(error: &Error) -> bool {
    matches!(
        error,
        Error::Denied {
            rule: "guard-retired",
            ..
        }
    )
}

fn interfaces_of(state: &NetState) -> Vec<String> {
    match state {
        NetState::AirGapped => Vec::new(),
        NetState::Networked { interfaces } => interfaces.clone(),
    }
}

/// Run until `stop` is set: wait for the kernel or a timer, then act. Errors that mean the
/// guard must not go on (its key retired, its state refused) end the run.
pub fn run(config: Config, stop: &AtomicBool) -> Result<()> {
    // Listen first, then read: a change while the guard starts is not lost.
    let mut waker = crate::guard::wait::Waker::open()?;
    let mut guard = Guard::start(config, Probes::system())?;
    let everything = crate::guard::wait::Woke {
        mounts: true,
        network: true,
        destinations: true,
    };
    let mut woke = everything;
    while !stop.load(Ordering::Relaxed) {
        // A probe or the database failing now is tried again at the next wake (a flapping
        // link, a busy database); only a retired key ends the run.
        let now = Instant::now();
        let results = [
            if woke.mounts { guard.on_mounts() } else { Ok(()) },
            if woke.network { guard.on_network(now) } else { Ok(()) },
            if woke.destinations {
                guard.on_destinations()
            } else {
                Ok(())
            },
            guard.on_timer(now),
        ];
        for result in results {
            match result {
                Err(e) if is_final(&e) => return Err(e),
                Err(e) => eprintln!("strongroom guard: {e}; trying again"),
                Ok(()) => {}
            }
        }
        let timeout = guard.next_deadline().saturating_duration_since(Instant::now());
        woke = match waker.wait(timeout.min(Duration::from_secs(1)), guard.destinations_fd()) {
            Ok(woke) => woke,
            Err(e) => {
                eprintln!("strongroom guard: {e}; reading everything again");
                std::thread::sleep(Duration::from_millis(200));
                everything
            }
        };
    }
    Ok(())
}

/// One scan and exit (`guard run --once`): start (which records the state found) and stop.
pub fn run_once(config: Config) -> Result<(NetState, Vec<Medium>)> {
    let guard = Guard::start(config, Probes::system())?;
    Ok((guard.network().clone(), guard.media().to_vec()))
}
