//! The eframe application: `logic` drains the station thread and the dialogs and carries out
//! the screens' actions; `ui` only draws (banners, status strip, the current screen).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use eframe::egui;
use strongroom::crypto::Password;
use strongroom::progress::Progress;

use super::dialogs::{Dialogs, Purpose};
use super::i18n::{Lang, Text};
use super::messages::{CertificateStep, Command, Failure, Reply};
use super::model::{Action, Job, Message, Model, Phase, SignedIn, View};
use super::screens;
use super::screens::detail::ExportAsked;
use super::signed_in;
use super::theme;
use super::widgets::{banner, status_strip};
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
        theme::apply(ctx, model.prefs.dark);
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
                    m.unlock.busy = false;
                    m.unlock.password = Default::default();
                    m.locked_idle = false;
                    m.locked_session_of = None;
                    let ready = session.password_change.is_none();
                    // A password change keeps the session's state; a sign-in starts afresh.
                    match m.signed_in.as_mut() {
                        Some(signed_in) if m.phase == Phase::Main => {
                            signed_in.session = session;
                            signed_in.password = Default::default();
                        }
                        _ => m.signed_in = Some(SignedIn::new(session, m.lock_generation)),
                    }
                    m.phase = Phase::Main;
                    if ready {
                        self.worker.send(Command::RefreshItems);
                        self.worker.send(Command::RefreshAlerts);
                        self.worker.send(Command::RefreshCustody);
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
                Reply::Recovered(user) => {
                    m.recover = Default::default();
                    m.message = Some(Message {
                        failure: Failure::plain(&format!("{}: {user}", Text::Recovered.get(m.prefs.lang))),
                    });
                }
                Reply::Failed(failure) => {
                    m.setup.busy = false;
                    m.unlock.busy = false;
                    m.recover.busy = false;
                    if let Some(signed_in) = m.signed_in.as_mut() {
                        signed_in.ledger.verifying = false;
                        if let Some(dialog) = signed_in.destroy.as_mut() {
                            dialog.busy = false;
                        }
                    }
                    m.message = Some(Message { failure });
                }
                Reply::Guard(strip) => {
                    let lang = m.prefs.lang;
                    // The guard's news reaches whoever is signed in as notices (all of it is
                    // in the ledger). An alert is announced by the alerts' own reply, with its
                    // explanation: ask for them now rather than at the next alert poll.
                    if let Some(signed_in) = m.signed_in.as_mut().filter(|_| m.phase == Phase::Main) {
                        for news in strip.news.iter().filter(|n| !n.is_alert()) {
                            signed_in
                                .toasts
                                .push((status_strip::news(news, lang), std::time::Instant::now()));
                        }
                        if strip.news.iter().any(|n| n.is_alert()) {
                            self.worker.send(Command::RefreshAlerts);
                        }
                    }
                    m.guard = Some(*strip);
                }
                // Data for a session that has ended (the window locked first) is dropped.
                session_data => {
                    let lang = m.prefs.lang;
                    let main = m.phase == Phase::Main;
                    if let Some(signed_in) = m.signed_in.as_mut().filter(|_| main)
                        && let Some(message) = signed_in::apply_reply(signed_in, session_data, lang)
                    {
                        m.message = Some(message);
                    }
                }
            }
        }
        for (purpose, paths) in self.dialogs.drain() {
            let Some(signed_in) = self.model.signed_in.as_mut() else {
                continue;
            };
            match purpose {
                Purpose::ImportFiles | Purpose::ImportFolder => signed_in.import.paths.extend(paths),
                // The certificate is written into a folder of its own under the one chosen.
                Purpose::SaveCertificate(number) => {
                    if let Some(dir) = paths.into_iter().next() {
                        self.worker.send(Command::Certificate(CertificateStep::Save {
                            dir: dir.join(&number),
                            number,
                        }));
                    }
                }
                // Only into the form of the item the dialog was opened for.
                Purpose::ExportTo(name) => {
                    let open = signed_in
                        .item
                        .detail
                        .as_ref()
                        .map(|d| d.summary.control_number.to_string());
                    let same_item =
                        open.is_some_and(|control| name == control || name.starts_with(&format!("{control}.")));
                    if let Some(path) = paths.into_iter().next().filter(|_| same_item) {
                        signed_in.item.export_to = path.display().to_string();
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
        if let Some(signed_in) = self.model.signed_in.as_mut().filter(|_| !dropped.is_empty()) {
            signed_in.import.paths.extend(dropped);
            signed_in.view = View::Import;
        }
    }

    /// At lock: drop what was decrypted, the forms, and every text field's state (its undo
    /// history holds what was typed: passwords, titles, notes).
    /// Every text field's state goes, password fields' included, whatever their ids.
    fn forget_secrets(&mut self, ctx: &egui::Context) {
        ctx.data_mut(|data| data.remove_by_type::<egui::text_edit::TextEditState>());
        self.dialogs.forget();
        self.model.forget_session();
    }

    /// Carry out the screens' actions.
    fn execute(&mut self, ctx: &egui::Context) {
        for action in std::mem::take(&mut self.actions) {
            let m = &mut self.model;
            let lang = m.prefs.lang;
            let differ = || Message {
                failure: Failure::plain(Text::PasswordsDiffer.get(lang)),
            };
            match action {
                Action::CreateVault => {
                    if m.setup.password.as_str() != m.setup.repeat.as_str() {
                        m.message = Some(differ());
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
                        m.message = Some(differ());
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
                    if let Some(s) = &m.signed_in {
                        for job in s.jobs.iter().filter(|j| j.outcome.is_none()) {
                            job.progress.cancel();
                        }
                    }
                    self.worker.send(Command::Lock);
                    self.forget_secrets(ctx);
                    self.model.locks_unconfirmed += 1;
                }
                Action::ToggleLanguage => {
                    m.prefs.lang = match m.prefs.lang {
                        Lang::En => Lang::Zh,
                        Lang::Zh => Lang::En,
                    }
                }
                Action::ToggleTheme => {
                    m.prefs.dark = !m.prefs.dark;
                    theme::apply(ctx, m.prefs.dark);
                }
                Action::DismissMessage => m.message = None,
                Action::Ask(purpose) => self.dialogs.ask(purpose),
                Action::StartImport => self.start_import(),
                Action::Export => self.ask_export(),
                Action::ConfirmExport(asked) => self.start_export(asked, false),
                Action::ExportReplacing(asked) => self.start_export(asked, true),
                Action::UseRecoveryCode => m.recover.reveal = true,
                session_action => {
                    let Some(s) = m.signed_in.as_mut() else {
                        continue;
                    };
                    if let Some(message) = signed_in::carry_out(s, session_action, lang, &self.worker) {
                        m.message = Some(message);
                    }
                }
            }
        }
    }

    fn start_import(&mut self) {
        let lang = self.model.prefs.lang;
        let Some(s) = self.model.signed_in.as_mut() else {
            return;
        };
        let form = &mut s.import;
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
        let id = s.next_job;
        s.next_job += 1;
        let paths = std::mem::take(&mut form.paths);
        let title = Some(std::mem::take(&mut form.title)).filter(|t| !t.trim().is_empty());
        let notes = Some(std::mem::take(&mut form.notes)).filter(|t| !t.trim().is_empty());
        // Each import chooses its level: none is carried over to the next.
        form.level = None;
        // What is being imported is handled now: the banners say so from the start.
        s.raise(level);
        s.jobs.push(Job {
            id,
            label: format!(
                "{} {} ({})",
                Text::StartImport.get(lang),
                paths.len(),
                super::widgets::banner::label(level, lang)
            ),
            progress: progress.clone(),
            started: None,
            outcome: None,
            paths: paths.clone(),
            export: None,
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

    /// Hold the export the form asks for until the person confirms it.
    fn ask_export(&mut self) {
        let Some(s) = self.model.signed_in.as_mut() else {
            return;
        };
        s.item.pending_export = s.item.detail.as_ref().map(|detail| ExportAsked {
            item: detail.summary.control_number.to_string(),
            level: detail.summary.level,
            to: PathBuf::from(s.item.export_to.trim()),
            reason: s.item.export_reason.trim().to_string(),
        });
        s.item.export_medium = None;
        if let Some(asked) = s.item.pending_export.clone() {
            self.worker.send(Command::CheckExportMedium(asked));
        }
    }

    /// Start the export the person confirmed (it must be the one waiting for confirmation),
    /// or, `replacing`, the failed one whose destination the person agreed to replace.
    fn start_export(&mut self, asked: ExportAsked, replacing: bool) {
        let lang = self.model.prefs.lang;
        let Some(s) = self.model.signed_in.as_mut() else {
            return;
        };
        if replacing {
            if s.item.replaceable.take().as_ref() != Some(&asked) {
                return;
            }
        } else if s.item.pending_export.take().as_ref() != Some(&asked) {
            return;
        }
        // A witness on the item page stands in for exports no more than for anything else.
        s.item.actions.second_person_asked = false;
        s.raise(asked.level);
        let progress = Arc::new(Progress::new());
        let id = s.next_job;
        s.next_job += 1;
        s.jobs.push(Job {
            id,
            label: format!("{} {}", Text::StartExport.get(lang), asked.item),
            progress: progress.clone(),
            started: None,
            outcome: None,
            paths: Vec::new(),
            export: Some(asked.clone()),
        });
        self.worker.send(Command::Export {
            job: id,
            item: asked.item,
            to: asked.to,
            reason: asked.reason,
            overwrite: replacing,
            progress,
        });
    }

    /// The signed-in keyboard: Ctrl+F finds an item (the browser's filter), and Esc or
    /// Alt+Left goes back from an item, when no dialog is open and no field has the focus.
    fn shortcuts(&mut self, ctx: &egui::Context) {
        let confirming = self
            .model
            .signed_in
            .as_ref()
            .is_some_and(|s| s.item.pending_export.is_some());
        if self.model.phase != Phase::Main || self.model.message.is_some() || confirming {
            return;
        }
        let Some(s) = self.model.signed_in.as_mut() else {
            return;
        };
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::F)) {
            s.view = View::Browser;
            s.browser.focus_filter = true;
        }
        let typing = ctx.memory(|m| m.focused().is_some());
        let back = ctx.input_mut(|i| {
            i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowLeft)
                || (!typing && i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
        });
        if back && s.view == View::Detail {
            s.view = View::Browser;
        }
    }

    fn window_title(&self) -> String {
        let base = Text::AppTitle.get(self.model.prefs.lang);
        match &self.model.signed_in {
            Some(s) => format!("{base} — {} — {}", s.session.station, s.session.user),
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
        self.shortcuts(ctx);
        // Work in the window counts as activity for the station's idle lock.
        let active = ctx.input(|i| !i.events.is_empty() || i.pointer.is_moving());
        if active && self.model.phase == Phase::Main && self.last_touch.elapsed() >= TOUCH_EVERY {
            self.last_touch = Instant::now();
            self.worker.send(Command::Touch);
        }
        // Notices expire; queued jobs start their clocks when they start reading.
        if let Some(s) = self.model.signed_in.as_mut() {
            s.toasts.retain(|(_, since)| since.elapsed() < screens::toasts::SHOWN);
            for job in s.jobs.iter_mut() {
                if job.started.is_none() && job.progress.total() > 0 {
                    job.started = Some(Instant::now());
                }
            }
            if s.browser.dirty {
                s.browser.rebuild(&s.items);
            }
        }
        let title = self.window_title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        // Running jobs redraw their progress a few times a second.
        let running = self
            .model
            .signed_in
            .as_ref()
            .is_some_and(|s| s.jobs.iter().any(|j| j.outcome.is_none()));
        if running {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let lang = self.model.prefs.lang;
        let high = self.model.system_high();
        egui::Panel::top("banner-top").show(ui, |ui| {
            banner::show(ui, high, lang);
            screens::toolbar::show(ui, &self.model, &mut self.actions);
        });
        egui::Panel::bottom("banner-bottom").show(ui, |ui| {
            let problem = self
                .model
                .signed_in
                .as_ref()
                .and_then(|s| s.session.signing_problem.as_ref());
            status_strip::show(ui, lang, self.model.guard.as_ref(), problem, &mut self.model.cloud_open);
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
            Phase::Main => match self.model.signed_in.as_mut() {
                Some(s) if s.session.password_change.is_some() => {
                    self.actions.extend(screens::password_change(ui, s, lang))
                }
                Some(s) => self.actions.extend(screens::main_view(ui, s, lang)),
                None => {}
            },
        });
        let cloud = self.model.guard.as_ref().map(|g| &g.cloud);
        screens::cloud::show(ui.ctx(), lang, cloud, &mut self.model.cloud_open);
        screens::message::show(ui.ctx(), &self.model, &mut self.actions);
        screens::confirm_export::show(ui.ctx(), &self.model, &mut self.actions);
        if self.model.message.is_none()
            && self.model.phase == Phase::Main
            && let Some(s) = self.model.signed_in.as_mut()
            && let Some(dialog) = s.destroy.as_mut()
        {
            dialog.show(ui.ctx(), lang, s.generation, &mut self.actions);
        }
        screens::toasts::show(ui.ctx(), self.model.signed_in.as_ref());
        if !self.actions.is_empty() {
            ui.ctx().request_repaint();
        }
    }
}

#[cfg(test)]
impl App {
    /// Queue an action as a screen would (tests: to reach a screen without its clicks, where
    /// the clicks themselves are tested elsewhere).
    pub(crate) fn act(&mut self, action: Action) {
        self.actions.push(action);
    }
}
