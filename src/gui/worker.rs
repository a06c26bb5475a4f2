//! The station's own thread. The window never touches `Station` directly: it sends
//! [`Command`]s and reads [`Reply`]s, so a long import or a key derivation never freezes a
//! frame. Jobs run one after another in the order they were asked for (imports queue).
//!
//! Between commands the thread asks the station whether its idle timer locked it, so the
//! window learns of an idle lock even if it drew nothing for a while.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use strongroom::accounts::requests::RequestStatus;
use strongroom::crypto::kdf::KdfParams;
use strongroom::ledger::query::EventFilter;
use strongroom::progress::Progress;
use strongroom::station::{ImportOptions, ImportReport, InitOptions};

use strongroom::time::SharedClock;
use strongroom::{Error, Level, Station};

use super::error_text::ErrorKind;
use super::i18n::Text;
use super::messages::{Command, Failure, Reply, SessionInfo, UserChange};

mod certificates;
mod custody_screen;
mod guard_screen;

/// How often the open alerts are read again.
const ALERT_POLL: Duration = Duration::from_secs(10);

/// How often the status strip's network, media and guard state are read again (news of
/// the guard reaches the window within two seconds).
const GUARD_POLL: Duration = Duration::from_secs(1);

/// At most this many copies are shown on the Guard screen.
const GUARD_COPIES: u64 = 500;

/// At most this many events are read for the ledger browser at once.
const MAX_EVENTS: u64 = 200_000;

/// The window's end of the station thread.
pub struct Worker {
    commands: Sender<Command>,
    replies: Receiver<Reply>,
}

/// How the station thread wakes the window (`egui::Context::request_repaint`).
pub type Repaint = Arc<dyn Fn() + Send + Sync>;

/// Settings of the station thread.
pub struct WorkerOptions {
    /// The vault directory.
    pub root: PathBuf,
    /// Clock for the station (tests inject one).
    pub clock: SharedClock,
    /// Argon2id parameters for a new vault (`None` calibrates).
    pub kdf: Option<KdfParams>,
    /// How often the thread checks the idle lock.
    pub idle_poll: Duration,
    /// Where the guard keeps its state and lock (`guard::state::guard_dir()` in the app).
    pub guard_dir: PathBuf,
    /// What the status strip reads (the machine's own unless a test injects its own).
    pub guard_probes: Option<strongroom::guard::Probes>,
    /// Where a certificate's PDF is written to be opened (private to this user).
    pub certificate_dir: PathBuf,
    /// Opens a PDF in the desktop's viewer (tests record what would be opened).
    pub viewer: Viewer,
    /// Where the cloud checks look (the machine's own unless a test injects a fixture home).
    pub cloud: Option<strongroom::station::cloud::CloudSources>,
}

/// Opens a file in the desktop's viewer.
pub type Viewer = Arc<dyn Fn(&std::path::Path) -> std::io::Result<()> + Send + Sync>;

/// The desktop's viewer: `xdg-open`, not waited for (it may keep running).
pub fn desktop_viewer() -> Viewer {
    Arc::new(|path| {
        let mut child = std::process::Command::new("xdg-open")
            .arg(path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        // Reaped on its own thread, so no zombie is left behind.
        std::thread::spawn(move || child.wait());
        Ok(())
    })
}

/// Where the app writes a certificate's PDF to open it: the session's runtime directory
/// (`$XDG_RUNTIME_DIR`, private and cleared at log-out), else a directory of the user's own
/// under the temp directory.
pub fn certificate_view_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("strongroom-certificates"),
        _ => {
            // SAFETY: geteuid has no preconditions and cannot fail.
            let uid = unsafe { libc::geteuid() };
            std::env::temp_dir().join(format!("strongroom-certificates-{uid}"))
        }
    }
}

impl Worker {
    /// Start the station thread for the vault at `options.root`.
    pub fn start(options: WorkerOptions, repaint: Repaint) -> std::io::Result<Worker> {
        let (commands, inbox) = unbounded();
        let (outbox, replies) = bounded(256);
        std::thread::Builder::new()
            .name("strongroom-station".into())
            .spawn(move || StationThread::new(options, outbox, repaint).run(&inbox))?;
        Ok(Worker { commands, replies })
    }

    /// Ask for something; never blocks.
    pub fn send(&self, command: Command) {
        // The thread only ends when this handle is dropped.
        let _ = self.commands.send(command);
    }

    /// Replies that arrived since the last call, and whether the station thread still runs.
    pub fn drain(&self) -> (Vec<Reply>, bool) {
        let mut out = Vec::new();
        loop {
            match self.replies.try_recv() {
                Ok(reply) => out.push(reply),
                Err(crossbeam_channel::TryRecvError::Empty) => return (out, true),
                Err(crossbeam_channel::TryRecvError::Disconnected) => return (out, false),
            }
        }
    }
}

struct StationThread {
    options: WorkerOptions,
    station: Option<Station>,
    outbox: Sender<Reply>,
    repaint: Repaint,
}

impl StationThread {
    fn new(options: WorkerOptions, outbox: Sender<Reply>, repaint: Repaint) -> StationThread {
        StationThread {
            options,
            station: None,
            outbox,
            repaint,
        }
    }

    fn reply(&self, reply: Reply) {
        let _ = self.outbox.send(reply);
        (self.repaint)();
    }

    fn run(mut self, inbox: &Receiver<Command>) {
        let exists = Station::vault_exists(&self.options.root);
        if exists {
            let options = self.open_options();
            match Station::open_with(&self.options.root, options) {
                Ok(station) => self.station = Some(station),
                Err(error) => return self.reply(Reply::Unavailable(error.into())),
            }
        }
        self.reply(Reply::Opened { exists });
        let mut alerts_checked = std::time::Instant::now();
        let mut guard_checked: Option<std::time::Instant> = None;
        let mut guard_through: Option<u64> = None;
        loop {
            match inbox.recv_timeout(self.options.idle_poll) {
                Ok(command) => {
                    if let Err(error) = self.handle(command) {
                        self.reply(Reply::Failed(error.into()));
                    }
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return,
            }
            self.check_idle();
            if guard_checked.is_none_or(|at| at.elapsed() >= GUARD_POLL) {
                guard_checked = Some(std::time::Instant::now());
                if let Some(station) = self.station.as_mut()
                    && let Ok(strip) = station.guard_strip(guard_through)
                {
                    // Like the alerts: never waits; the next poll brings what a dropped one had,
                    // since the seq only moves on when the window got the news.
                    let through = strip.through;
                    if self.outbox.try_send(Reply::Guard(Box::new(strip))).is_ok() {
                        guard_through = Some(through);
                        (self.repaint)();
                    }
                }
            }
            // New alerts (written by other processes too) reach the window within seconds.
            if alerts_checked.elapsed() >= ALERT_POLL {
                alerts_checked = std::time::Instant::now();
                if let Some(station) = self.station.as_ref().filter(|s| s.is_unlocked())
                    && let Ok(alerts) = station.alerts()
                {
                    // Never waits: while the window is minimized nothing drains the replies,
                    // and a blocked station thread would stop answering. A dropped poll is
                    // superseded by the next one.
                    if self.outbox.try_send(Reply::Alerts(alerts)).is_ok() {
                        (self.repaint)();
                    }
                }
            }
        }
    }

    /// How the station is opened: the app's clock, guard directory and probes.
    fn open_options(&mut self) -> strongroom::station::OpenOptions {
        let mut options = strongroom::station::OpenOptions::with_clock(self.options.clock.clone());
        options.guard_dir = self.options.guard_dir.clone();
        if let Some(probes) = self.options.guard_probes.take() {
            options.guard_probes = probes;
        }
        if let Some(cloud) = &self.options.cloud {
            options.cloud = cloud.clone();
        }
        options
    }

    fn check_idle(&mut self) {
        if let Some(station) = self.station.as_mut()
            && station.poll_idle().unwrap_or(false)
        {
            self.reply(Reply::Locked { idle: true });
        }
    }

    fn station(&mut self) -> Result<&mut Station, Error> {
        self.station.as_mut().ok_or(Error::NotUnlocked)
    }

    fn handle(&mut self, command: Command) -> Result<(), Error> {
        match command {
            Command::Init {
                root,
                officer,
                password,
            } => {
                let options = InitOptions {
                    kdf: self.options.kdf,
                    clock: self.options.clock.clone(),
                    ..InitOptions::default()
                };
                let (station, recovery_code) = Station::init(&root, &officer, &password, options)?;
                // The code is shown with no session open: the officer signs in after, on the
                // station opened as the app opens it (its guard directory and probes).
                drop(station);
                self.station = Some(Station::open_with(&root, self.open_options())?);
                self.reply(Reply::Initialized { recovery_code });
            }
            Command::Unlock { user, password } => {
                let station = self.station()?;
                station.unlock(&user, &password)?;
                let info = session_info(station)?;
                self.reply(Reply::Unlocked(info));
            }
            Command::Recover { user, code, new } => {
                self.station()?.recover(&user, &code, &new)?;
                self.reply(Reply::Recovered(user));
            }
            Command::Lock => {
                self.station()?.lock();
                self.reply(Reply::Locked { idle: false });
            }
            Command::ChangePassword { current, new } => {
                let station = self.station()?;
                station.change_password(&current, &new)?;
                let info = session_info(station)?;
                self.reply(Reply::Unlocked(info));
            }
            Command::RefreshItems => {
                let list = self.station()?.item_list()?;
                self.reply(Reply::Items(list));
            }
            Command::Item(reference) => {
                let detail = self.station()?.item(&reference)?;
                self.reply(Reply::Item(Box::new(detail)));
            }
            Command::Import {
                job,
                paths,
                level,
                title,
                notes,
                progress,
            } => {
                match self.import(&paths, level, title, notes, &progress) {
                    Ok(report) => {
                        let summary = control_numbers(&report.imported);
                        if let Some(error) = report.stopped {
                            // What committed stays: say both.
                            let mut failed: Vec<(String, Failure)> = report
                                .failed
                                .into_iter()
                                .map(|f| (f.path.display().to_string(), f.error.into()))
                                .collect();
                            failed.push((String::new(), error.into()));
                            self.reply(Reply::JobPartial { job, summary, failed });
                        } else if report.cancelled {
                            self.reply(Reply::JobCancelledKept { job, kept: summary });
                        } else if report.is_complete() {
                            self.reply(Reply::JobDone { job, summary });
                        } else {
                            let failed = report
                                .failed
                                .into_iter()
                                .map(|f| (f.path.display().to_string(), f.error.into()))
                                .collect();
                            self.reply(Reply::JobPartial { job, summary, failed });
                        }
                    }
                    Err(error) => self.reply(Reply::JobFailed {
                        job,
                        error: error.into(),
                    }),
                }
                if let Ok(list) = self.station()?.item_list() {
                    self.reply(Reply::Items(list));
                }
            }
            Command::Export {
                job,
                item,
                to,
                reason,
                overwrite,
                progress,
            } => match self.station()?.export(&item, &to, overwrite, &reason, &progress) {
                Ok(report) => self.reply(Reply::JobDone {
                    job,
                    summary: format!("{} → {}", report.control_number, report.path.display()),
                }),
                Err(error) => self.reply(Reply::JobFailed {
                    job,
                    error: error.into(),
                }),
            },
            Command::VerifyLedger => {
                let report = self.station()?.verify_ledger()?;
                self.reply(Reply::Verified(Box::new(report)));
            }
            Command::RefreshAdmin => self.refresh_admin()?,
            Command::QueryEvents {
                item,
                actor,
                action,
                since,
                until,
            } => {
                let station = self.station()?;
                let some = |t: String| Some(t.trim().to_string()).filter(|t| !t.is_empty());
                let item = match some(item) {
                    Some(reference) => Some(station.item(&reference)?.summary.id),
                    None => None,
                };
                // An action's exact name goes through the index; part of one ("export",
                // "alert") matches every action that contains it.
                let typed = some(action);
                let exact = typed
                    .as_deref()
                    .filter(|t| strongroom::ledger::Action::ALL.iter().any(|a| a.as_str() == *t));
                let filter = EventFilter {
                    item,
                    actor: some(actor),
                    action: exact.map(str::to_string),
                    since: some(since),
                    until: some(until),
                    max_level: None,
                };
                let mut events = station.query_events(&filter, None, MAX_EVENTS)?;
                if let (Some(part), None) = (&typed, exact) {
                    events.retain(|e| e.action.contains(part.as_str()));
                }
                self.reply(Reply::Events(events));
            }
            Command::ExportBundle(dir) => {
                let manifest = self.station()?.export_bundle(&EventFilter::default(), &dir)?;
                let _ = manifest;
                self.reply(Reply::Notice(Text::BundleWritten, dir.display().to_string()));
            }
            Command::VerifyBundle(dir) => {
                let report = self.station()?.self_check_bundle(&dir)?;
                self.reply(Reply::BundleVerified(Box::new(report)));
            }
            Command::Touch => {
                if let Some(station) = self.station.as_ref() {
                    station.note_activity();
                }
            }
            command @ (Command::RefreshCustody
            | Command::Custody { .. }
            | Command::Inventory { .. }
            | Command::Raise { .. }) => self.custody(command)?,
            command @ (Command::RefreshGuard
            | Command::ReleaseEntry { .. }
            | Command::DestroyEntry { .. }
            | Command::RegisterMedium(_)
            | Command::MediumStep { .. }) => self.guard_screen(command)?,
            Command::CheckExportMedium(asked) => {
                let check = self.station()?.export_medium_check(&asked.item, &asked.to)?;
                self.reply(Reply::ExportMedium { asked, check });
            }
            command @ (Command::Destroy { .. } | Command::Certificate(_)) => self.certificates(command)?,
            Command::Downgrade {
                item,
                to,
                reason,
                witness,
            } => {
                let station = self.station()?;
                if let Some((name, password)) = witness {
                    station.add_witness(&name, &password)?;
                }
                station.downgrade_item(&item, to, &reason)?;
                self.reply(Reply::Notice(Text::Downgraded, format!("{item} → {to}")));
                let detail = self.station()?.item(&item)?;
                self.reply(Reply::Item(Box::new(detail)));
                self.refresh_items()?;
            }
            Command::User(change) => {
                let station = self.station()?;
                // Each change says what it did, about whom.
                let (what, name) = match change {
                    UserChange::Add {
                        name,
                        role,
                        clearance,
                        password,
                    } => {
                        station.add_user(&name, role, clearance, &password)?;
                        (Text::UserAdded, name)
                    }
                    UserChange::Disable { name, reason } => {
                        let held = station.disable_user(&name, &reason)?;
                        if !held.is_empty() {
                            // They still hold items: say which, so an officer reassigns them.
                            self.reply(Reply::Notice(Text::StillHolds, format!("{name}: {}", held.join(", "))));
                        }
                        (Text::UserDisabled, name)
                    }
                    UserChange::Enable { name, reason } => {
                        station.enable_user(&name, &reason)?;
                        (Text::UserEnabled, name)
                    }
                    UserChange::Reset { name, password, reason } => {
                        station.reset_password(&name, &password, &reason)?;
                        (Text::UserReset, name)
                    }
                    UserChange::Clearance { name, level, reason } => {
                        station.set_clearance(&name, level, &reason)?;
                        (Text::UserClearanceSet, name)
                    }
                };
                self.reply(Reply::Notice(what, name));
                self.refresh_admin()?;
            }
            Command::RefreshAlerts => {
                let alerts = self.station()?.alerts()?;
                self.reply(Reply::Alerts(alerts));
            }
            Command::Acknowledge { seq, comment } => {
                self.station()?.acknowledge_alert(seq, &comment)?;
                let alerts = self.station()?.alerts()?;
                self.reply(Reply::Alerts(alerts));
            }
            Command::Decide { id, approve } => {
                let station = self.station()?;
                if approve {
                    station.approve_request(id, "")?;
                } else {
                    station.deny_request(id, "")?;
                }
                self.refresh_admin()?;
            }
            Command::SetPolicy { key, value } => {
                self.station()?.set_policy(&key, &value)?;
                self.reply(Reply::Notice(Text::PolicySaved, format!("{key} = {value}")));
                self.refresh_admin()?;
            }
        }
        Ok(())
    }

    fn import(
        &mut self,
        paths: &[PathBuf],
        level: Level,
        title: Option<String>,
        notes: Option<String>,
        progress: &Progress,
    ) -> Result<ImportReport, Error> {
        let station = self.station()?;
        let plan = station.plan_import(paths, false)?;
        let options = ImportOptions {
            title,
            notes,
            ..ImportOptions::at(level)
        };
        station.import(plan, &options, progress)
    }

    fn refresh_items(&mut self) -> Result<(), Error> {
        let list = self.station()?.item_list()?;
        self.reply(Reply::Items(list));
        Ok(())
    }

    fn refresh_admin(&mut self) -> Result<(), Error> {
        let station = self.station()?;
        let users = station.users()?;
        let requests = station.requests(Some(RequestStatus::Pending))?;
        let policy = Box::new(station.policy()?);
        self.reply(Reply::Admin {
            users,
            requests,
            policy,
        });
        Ok(())
    }
}

fn session_info(station: &Station) -> Result<SessionInfo, Error> {
    let session = station.session().ok_or(Error::NotUnlocked)?;
    Ok(SessionInfo {
        user: session.user().name.clone(),
        role: session.user().role,
        clearance: session.user().clearance,
        station: station.station_id().to_string(),
        password_change: session.password_change_required().map(str::to_string),
        signing_problem: station.checkpoint_error().map(|e| Failure {
            kind: ErrorKind::of(e),
            message: e.to_string(),
            rule: None,
            approval: false,
            cancelled: false,
        }),
    })
}

/// The control numbers of `items` for a notice: all of a few, or the first and last of many
/// (a 100 000-tile import must not become a 1.5 MB label).
fn control_numbers(items: &[strongroom::station::ItemSummary]) -> String {
    match items {
        [] => String::new(),
        [first, .., last] if items.len() > 5 => {
            format!("{} … {} ({})", first.control_number, last.control_number, items.len())
        }
        _ => items
            .iter()
            .map(|i| i.control_number.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use strongroom::station::ItemSummary;
    use strongroom::vault::{Category, ItemStatus};
    use strongroom::{ControlNumber, ItemId, Level};

    use super::control_numbers;

    fn item(serial: u32) -> ItemSummary {
        ItemSummary {
            id: ItemId::from_bytes([serial as u8; 16]),
            control_number: ControlNumber { year: 2026, serial },
            title: format!("{serial}.png"),
            level: Level::Internal,
            category: Category::Photo,
            size: 4096,
            custodian: "alice".into(),
            status: ItemStatus::Active,
            created_at: String::new(),
            updated_at: String::new(),
            original_name: format!("{serial}.png"),
            notes: None,
        }
    }

    #[test]
    fn a_notice_names_a_few_items_and_the_ends_of_many() {
        let few: Vec<_> = (1..=3).map(item).collect();
        assert_eq!(control_numbers(&few), "SR-2026-000001, SR-2026-000002, SR-2026-000003");
        let many: Vec<_> = (1..=100_000).map(item).collect();
        assert_eq!(control_numbers(&many), "SR-2026-000001 … SR-2026-100000 (100000)");
        assert_eq!(control_numbers(&[]), "");
    }
}
