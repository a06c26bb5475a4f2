//! The eframe application: `logic` drains the station thread and the dialogs and carries out
//! the screens' actions; `ui` only draws (banners, status strip, the current screen).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use eframe::egui;
use strongroom::accounts::Role;
use strongroom::crypto::Password;
use strongroom::progress::Progress;

use super::alert_text;
use super::dialogs::{Dialogs, Purpose};
use super::i18n::{Lang, Text};
use super::messages::{Command, Failure, Reply, UserChange};
use super::model::{Action, Job, Message, Model, Phase, View};
use super::screens;
use super::theme;
use super::widgets::{banner, password, status_strip};
use super::worker::Worker;

/// The desktop app.
pub struct App {
    /// What the screens show (public for tests).
    pub model: Model,
    worker: Worker,
    dialogs: Dialogs,
    actions: Vec<Action>,
    title: String,
    last_touch: Instant,
}

/// How often window activity is passed on to the station's idle timer.
const TOUCH_EVERY: std::time::Duration = std::time::Duration::from_secs(20);

impl App {
    /// An app over a running station thread and a dialog backend.
    pub fn new(ctx: &egui::Context, model: Model, worker: Worker, dialogs: Dialogs) -> App {
        theme::install_fonts(ctx);
        theme::apply(ctx, model.dark);
        App {
            model,
            worker,
            dialogs,
            actions: Vec::new(),
            title: String::new(),
            last_touch: Instant::now(),
        }
    }

    /// Apply the station's replies to the model.
    fn receive(&mut self, ctx: &egui::Context) {
        let (replies, alive) = self.worker.drain();
        if !alive && self.model.phase != Phase::Unavailable {
            self.model.phase = Phase::Unavailable;
        }
        for reply in replies {
            let m = &mut self.model;
            // Data for a session that has ended (the window locked first) is dropped.
            if m.phase != Phase::Main && reply.is_session_data() {
                continue;
            }
            match reply {
                Reply::Opened { exists } => {
                    m.phase = if exists { Phase::Unlock } else { Phase::Setup };
                }
                Reply::Unavailable(failure) => {
                    m.phase = Phase::Unavailable;
                    m.message = Some(Message { failure });
                }
                Reply::Initialized { recovery_code } => {
                    m.setup.busy = false;
                    m.setup.recovery_code = Some(recovery_code);
                    m.setup.password = Default::default();
                    m.setup.repeat = Default::default();
                    m.phase = Phase::Recovery;
                }
                Reply::Unlocked(session) => {
                    m.unlock = Default::default();
                    m.password = Default::default();
                    m.locked_idle = false;
                    let ready = session.password_change.is_none();
                    m.session = Some(session);
                    m.phase = Phase::Main;
                    m.view = View::Browser;
                    if ready {
                        self.worker.send(Command::RefreshItems);
                        self.worker.send(Command::RefreshAlerts);
                    }
                }
                Reply::Locked { idle: false } if m.locks_unconfirmed > 0 => {
                    // The window forgot everything when it asked; what was typed at the
                    // sign-in screen since then stays.
                    m.locks_unconfirmed -= 1;
                }
                Reply::Locked { idle } => {
                    self.forget_secrets(ctx);
                    self.model.locked_idle = idle;
                }
                Reply::Items(list) => {
                    m.items = list.items;
                    m.items_withheld = list.withheld;
                    m.browser.dirty = true;
                }
                Reply::Item(detail) => {
                    // Where plaintext goes is always chosen on purpose: no default.
                    if m.detail.as_ref().map(|d| d.summary.id) != Some(detail.summary.id) {
                        m.export_to.clear();
                        m.export_reason.clear();
                        m.item_actions = Default::default();
                    }
                    m.detail = Some(*detail);
                    m.view = View::Detail;
                }
                Reply::JobDone { job, summary } => {
                    if let Some(j) = m.jobs.iter_mut().find(|j| j.id == job) {
                        m.toasts.push((format!("{} · {summary}", j.label), Instant::now()));
                        j.outcome = Some(Ok(summary));
                    }
                }
                Reply::Events(events) => m.events = events,
                Reply::Alerts(alerts) => {
                    // A new alert is announced once.
                    let known: std::collections::BTreeSet<u64> = m.alerts.iter().map(|a| a.seq).collect();
                    for alert in alerts.iter().filter(|a| !known.contains(&a.seq)) {
                        m.toasts.push((
                            format!(
                                "{}: {}",
                                Text::Alerts.get(m.lang),
                                alert_text::finding(&alert.finding, m.lang)
                            ),
                            Instant::now(),
                        ));
                    }
                    m.alerts = alerts;
                }
                Reply::Notice(what, subject) => m
                    .toasts
                    .push((format!("{}: {subject}", what.get(m.lang)), Instant::now())),
                Reply::BundleVerified(report) => m.bundle_report = Some(*report),
                Reply::JobPartial { job, summary, failed } => {
                    let lang = m.lang;
                    let left_out = failed
                        .iter()
                        .map(|(_, failure)| failure.message.as_str())
                        .collect::<Vec<_>>()
                        .join("\n");
                    let done = if summary.is_empty() {
                        String::new()
                    } else {
                        format!("{}: {summary}\n", Text::ImportedItems.get(lang))
                    };
                    let failure = Failure::plain(&format!(
                        "{done}{} ({}):\n{left_out}",
                        Text::NotImported.get(lang),
                        failed.len()
                    ));
                    if let Some(j) = m.jobs.iter_mut().find(|j| j.id == job) {
                        j.outcome = Some(Err(failure.clone()));
                    }
                    m.message = Some(Message { failure });
                }
                Reply::JobFailed { job, error } => {
                    if let Some(j) = m.jobs.iter_mut().find(|j| j.id == job) {
                        j.outcome = Some(Err(error.clone()));
                    }
                    if !error.cancelled {
                        m.message = Some(Message { failure: error });
                    }
                }
                Reply::Verified(report) => {
                    m.verifying = false;
                    m.verify = Some(*report);
                }
                Reply::Admin {
                    users,
                    requests,
                    policy,
                } => {
                    m.users = users;
                    m.requests = requests;
                    m.policy_edit = policy.entries().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                    m.policy = Some(*policy);
                }
                Reply::Recovered(user) => {
                    m.recover = Default::default();
                    m.message = Some(Message {
                        failure: Failure::plain(&format!("{}: {user}", Text::Recovered.get(m.lang))),
                    });
                }
                Reply::Failed(failure) => {
                    m.setup.busy = false;
                    m.unlock.busy = false;
                    m.recover.busy = false;
                    m.verifying = false;
                    m.message = Some(Message { failure });
                }
            }
        }
        for (purpose, paths) in self.dialogs.drain() {
            if self.model.phase != Phase::Main {
                continue;
            }
            match purpose {
                Purpose::ImportFiles | Purpose::ImportFolder => self.model.import.paths.extend(paths),
                Purpose::ExportTo(_) => {
                    if let Some(path) = paths.into_iter().next() {
                        self.model.export_to = path.display().to_string();
                    }
                }
            }
        }
        // Files dropped on the window go to the import form (taken, so they count once).
        let dropped: Vec<PathBuf> = ctx.input_mut(|i| {
            std::mem::take(&mut i.raw.dropped_files)
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() && self.model.phase == Phase::Main {
            self.model.import.paths.extend(dropped);
            self.model.view = View::Import;
        }
    }

    /// At lock: drop what was decrypted, the forms, and every text field's state (its undo
    /// history holds what was typed: passwords, titles, notes).
    fn forget_secrets(&mut self, ctx: &egui::Context) {
        ctx.data_mut(|data| data.remove_by_type::<egui::text_edit::TextEditState>());
        let generation = self.model.lock_generation;
        password::forget(
            ctx,
            &[
                password::id("unlock", generation),
                password::id("setup", generation),
                password::id("setup-repeat", generation),
                password::id("current", generation),
                password::id("new", generation),
                password::id("new-repeat", generation),
                password::id("witness", generation),
                password::id("user-new", generation),
                password::id("user-repeat", generation),
                password::id("user-temporary", generation),
                password::id("recover-code", generation),
                password::id("recover-new", generation),
                password::id("recover-repeat", generation),
            ],
        );
        self.model.forget_session();
    }

    /// Carry out the screens' actions.
    fn execute(&mut self, ctx: &egui::Context) {
        for action in std::mem::take(&mut self.actions) {
            let m = &mut self.model;
            match action {
                Action::CreateVault => {
                    if m.setup.password.as_str() != m.setup.repeat.as_str() {
                        m.message = Some(Message {
                            failure: Failure::plain(Text::PasswordsDiffer.get(m.lang)),
                        });
                        continue;
                    }
                    m.setup.busy = true;
                    m.root = PathBuf::from(m.setup.location.trim());
                    self.worker.send(Command::Init {
                        root: m.root.clone(),
                        officer: m.setup.officer.trim().to_string(),
                        password: Password::new(std::mem::take(&mut *m.setup.password)),
                    });
                }
                Action::RecoveryConfirmed => {
                    let expected = m
                        .setup
                        .recovery_code
                        .as_ref()
                        .and_then(|c| c.expose().rsplit('-').next().map(str::to_string))
                        .unwrap_or_default();
                    if m.setup.confirm.trim().eq_ignore_ascii_case(&expected) && !expected.is_empty() {
                        let officer = m.setup.officer.trim().to_string();
                        m.setup = Default::default();
                        m.unlock.user = officer;
                        m.phase = Phase::Unlock;
                    } else {
                        m.setup.confirm_wrong = true;
                    }
                }
                Action::Unlock => {
                    m.unlock.busy = true;
                    self.worker.send(Command::Unlock {
                        user: m.unlock.user.trim().to_string(),
                        password: Password::new(std::mem::take(&mut *m.unlock.password)),
                    });
                }
                Action::Recover => {
                    let form = &mut m.recover;
                    if form.new.as_str() != form.repeat.as_str() {
                        m.message = Some(Message {
                            failure: Failure::plain(Text::PasswordsDiffer.get(m.lang)),
                        });
                        continue;
                    }
                    form.busy = true;
                    form.repeat = Default::default();
                    self.worker.send(Command::Recover {
                        user: m.unlock.user.trim().to_string(),
                        code: Password::new(std::mem::take(&mut *form.code)),
                        new: Password::new(std::mem::take(&mut *form.new)),
                    });
                }
                Action::Lock => {
                    // Running jobs stop (leaving nothing behind) so the lock is not kept
                    // waiting, and the window forgets everything at once, before the station
                    // thread confirms.
                    for job in m.jobs.iter().filter(|j| j.outcome.is_none()) {
                        job.progress.cancel();
                    }
                    self.worker.send(Command::Lock);
                    self.forget_secrets(ctx);
                    self.model.locks_unconfirmed += 1;
                }
                Action::ChangePassword => {
                    if m.password.new.as_str() != m.password.repeat.as_str() {
                        m.message = Some(Message {
                            failure: Failure::plain(Text::PasswordsDiffer.get(m.lang)),
                        });
                        continue;
                    }
                    m.password.repeat = Default::default();
                    self.worker.send(Command::ChangePassword {
                        current: Password::new(std::mem::take(&mut *m.password.current)),
                        new: Password::new(std::mem::take(&mut *m.password.new)),
                    });
                }
                Action::Show(view) => {
                    m.view = view;
                    match view {
                        View::Admin => self.worker.send(Command::RefreshAdmin),
                        View::Alerts => self.worker.send(Command::RefreshAlerts),
                        _ => {}
                    }
                }
                Action::OpenItem(reference) => self.worker.send(Command::Item(reference)),
                Action::StartImport => self.start_import(),
                Action::CancelJob(id) => {
                    if let Some(job) = m.jobs.iter().find(|j| j.id == id) {
                        job.progress.cancel();
                    }
                }
                Action::Export => self.start_export(),
                Action::Ask(purpose) => self.dialogs.ask(purpose),
                Action::Verify => {
                    m.verifying = true;
                    self.worker.send(Command::VerifyLedger);
                }
                Action::QueryEvents => {
                    let [item, actor, action, since, until] = m.event_filter.clone();
                    self.worker.send(Command::QueryEvents {
                        item,
                        actor,
                        action,
                        since,
                        until,
                    });
                }
                Action::ExportBundle => self
                    .worker
                    .send(Command::ExportBundle(PathBuf::from(m.bundle_dir.trim()))),
                Action::VerifyBundle => {
                    m.bundle_report = None;
                    self.worker
                        .send(Command::VerifyBundle(PathBuf::from(m.bundle_dir.trim())));
                }
                Action::Destroy | Action::Downgrade => {
                    let Some(detail) = &m.detail else { continue };
                    let item = detail.summary.control_number.to_string();
                    let form = &mut m.item_actions;
                    let witness = Some(form.witness.trim().to_string())
                        .filter(|w| !w.is_empty())
                        .map(|w| (w, Password::new(std::mem::take(&mut *form.witness_password))));
                    let reason = form.reason.trim().to_string();
                    let command = match (&action, form.downgrade_to) {
                        (Action::Destroy, _) => Command::Destroy { item, reason, witness },
                        (_, Some(to)) => Command::Downgrade {
                            item,
                            to,
                            reason,
                            witness,
                        },
                        (_, None) => continue,
                    };
                    self.worker.send(command);
                }
                Action::AddUser => {
                    let form = &mut m.user_form;
                    if form.password.as_str() != form.repeat.as_str() {
                        m.message = Some(Message {
                            failure: Failure::plain(Text::PasswordsDiffer.get(m.lang)),
                        });
                        continue;
                    }
                    let Some(clearance) = form.clearance else { continue };
                    form.repeat = Default::default();
                    self.worker.send(Command::User(UserChange::Add {
                        name: form.name.trim().to_string(),
                        role: if form.officer { Role::Officer } else { Role::Operator },
                        clearance,
                        password: Password::new(std::mem::take(&mut *form.password)),
                    }));
                }
                Action::DisableUser | Action::EnableUser | Action::ResetUser | Action::SetClearance => {
                    let form = &mut m.user_form;
                    let (name, reason) = (form.target.clone(), form.reason.trim().to_string());
                    let change = match action {
                        Action::DisableUser => UserChange::Disable { name, reason },
                        Action::EnableUser => UserChange::Enable { name, reason },
                        Action::ResetUser => UserChange::Reset {
                            name,
                            reason,
                            password: Password::new(std::mem::take(&mut *form.temporary)),
                        },
                        _ => match form.new_clearance {
                            Some(level) => UserChange::Clearance { name, level, reason },
                            None => continue,
                        },
                    };
                    self.worker.send(Command::User(change));
                }
                Action::Acknowledge(seq) => {
                    let comment = m.alert_comments.remove(&seq).unwrap_or_default();
                    self.worker.send(Command::Acknowledge { seq, comment });
                }
                Action::Decide(id, approve) => self.worker.send(Command::Decide { id, approve }),
                Action::SetPolicy(key, value) => self.worker.send(Command::SetPolicy { key, value }),
                Action::ToggleLanguage => {
                    m.lang = match m.lang {
                        Lang::En => Lang::Zh,
                        Lang::Zh => Lang::En,
                    }
                }
                Action::ToggleTheme => {
                    m.dark = !m.dark;
                    theme::apply(ctx, m.dark);
                }
                Action::DismissMessage => m.message = None,
            }
        }
    }

    fn start_import(&mut self) {
        let m = &mut self.model;
        let form = &mut m.import;
        let Some(level) = form.level else {
            form.problem = Some(Text::LevelRequired);
            return;
        };
        if form.paths.is_empty() {
            form.problem = Some(Text::NothingToImport);
            return;
        }
        form.problem = None;
        let progress = Arc::new(Progress::new());
        let id = m.next_job;
        m.next_job += 1;
        let paths = std::mem::take(&mut form.paths);
        let title = Some(std::mem::take(&mut form.title)).filter(|t| !t.trim().is_empty());
        let notes = Some(std::mem::take(&mut form.notes)).filter(|t| !t.trim().is_empty());
        m.jobs.push(Job {
            id,
            label: format!("{} {} ({level})", Text::StartImport.get(m.lang), paths.len()),
            progress: progress.clone(),
            started: None,
            outcome: None,
        });
        self.worker.send(Command::Import {
            job: id,
            paths,
            level,
            title,
            notes,
            progress,
        });
    }

    fn start_export(&mut self) {
        let m = &mut self.model;
        let Some(detail) = &m.detail else {
            return;
        };
        let item = detail.summary.control_number.to_string();
        let progress = Arc::new(Progress::new());
        let id = m.next_job;
        m.next_job += 1;
        m.jobs.push(Job {
            id,
            label: format!("{} {item}", Text::StartExport.get(m.lang)),
            progress: progress.clone(),
            started: None,
            outcome: None,
        });
        self.worker.send(Command::Export {
            job: id,
            item,
            to: PathBuf::from(m.export_to.trim()),
            reason: m.export_reason.trim().to_string(),
            progress,
        });
    }

    fn window_title(&self) -> String {
        let base = Text::AppTitle.get(self.model.lang);
        match &self.model.session {
            Some(s) => format!("{base} — {} — {}", s.station, s.user),
            None => base.to_string(),
        }
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.receive(ctx);
        self.execute(ctx);
        if self.model.phase == Phase::Main && ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::L)) {
            self.actions.push(Action::Lock);
            self.execute(ctx);
        }
        // Work in the window counts as activity for the station's idle lock.
        let active = ctx.input(|i| !i.events.is_empty() || i.pointer.is_moving());
        if active && self.model.phase == Phase::Main && self.last_touch.elapsed() >= TOUCH_EVERY {
            self.last_touch = Instant::now();
            self.worker.send(Command::Touch);
        }
        // Notices expire; queued jobs start their clocks when they start reading.
        self.model
            .toasts
            .retain(|(_, since)| since.elapsed() < screens::toasts::SHOWN);
        for job in self.model.jobs.iter_mut() {
            if job.started.is_none() && job.progress.total() > 0 {
                job.started = Some(Instant::now());
            }
        }
        if self.model.browser.dirty {
            screens::browser::rebuild_order(&mut self.model.browser, &self.model.items);
        }
        let title = self.window_title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        // Running jobs redraw their progress a few times a second.
        if self.model.jobs.iter().any(|j| j.outcome.is_none()) {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let lang = self.model.lang;
        let high = self.model.system_high();
        egui::Panel::top("banner-top").show(ui, |ui| {
            banner::show(ui, high, lang);
            screens::toolbar::show(ui, &self.model, &mut self.actions);
        });
        egui::Panel::bottom("banner-bottom").show(ui, |ui| {
            let problem = self.model.session.as_ref().and_then(|s| s.signing_problem.as_ref());
            status_strip::show(ui, lang, problem);
            banner::show(ui, high, lang);
        });
        egui::CentralPanel::default().show(ui, |ui| match self.model.phase {
            Phase::Starting => {
                ui.spinner();
            }
            Phase::Unavailable => {
                ui.label(Text::Unavailable.get(lang));
            }
            Phase::Setup => screens::setup::show(ui, &mut self.model, &mut self.actions),
            Phase::Recovery => screens::setup::recovery(ui, &mut self.model, &mut self.actions),
            Phase::Unlock => screens::unlock::show(ui, &mut self.model, &mut self.actions),
            Phase::Main if self.model.session.as_ref().is_some_and(|s| s.password_change.is_some()) => {
                screens::unlock::change_password(ui, &mut self.model, &mut self.actions)
            }
            Phase::Main => screens::main_view(ui, &mut self.model, &mut self.actions),
        });
        screens::message::show(ui.ctx(), &self.model, &mut self.actions);
        screens::toasts::show(ui.ctx(), &self.model);
        if !self.actions.is_empty() {
            ui.ctx().request_repaint();
        }
    }
}
