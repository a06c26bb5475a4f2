//! Sign in: user name and password; the station's answer (wrong password, waiting after
//! failures, locked, disabled) comes back as a message.

use eframe::egui;

use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model};
use zeroize::Zeroizing;

use super::Context;
use crate::gui::widgets::{self, password};

/// The sign-in form.
#[derive(Default)]
pub struct UnlockForm {
    /// User name.
    pub user: String,
    /// Password.
    pub password: Zeroizing<String>,
    /// Waiting for the station.
    pub busy: bool,
}

/// Recovery at the sign-in screen: the station's recovery code and a new password for the
/// user named in the sign-in form.
#[derive(Default)]
pub struct RecoverForm {
    /// The recovery code as typed.
    pub code: Zeroizing<String>,
    /// New password.
    pub new: Zeroizing<String>,
    /// Repeated.
    pub repeat: Zeroizing<String>,
    /// Waiting for the station.
    pub busy: bool,
    /// Open the form (and focus its code) at the next frame.
    pub reveal: bool,
}

/// The password change a reset or an old password requires: its own screen.
#[derive(Default)]
pub struct PasswordScreen {
    /// Current password.
    pub current: Zeroizing<String>,
    /// New password.
    pub new: Zeroizing<String>,
    /// Repeated.
    pub repeat: Zeroizing<String>,
}

/// Draw the sign-in form.
pub fn show(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.prefs.lang;
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading(Text::UnlockHeading.get(lang));
        if let Some(user) = &model.locked_session_of {
            ui.label(format!("{}: {user}", Text::SessionLocked.get(lang)));
        }
        if model.locked_idle {
            ui.label(Text::LockedIdle.get(lang));
        }
        ui.add_space(12.0);
    });
    // The form sits under the title: a column of its own width, centred.
    let pad = ((ui.available_width() - FORM_WIDTH) / 2.0).max(0.0);
    ui.horizontal_top(|ui| {
        ui.add_space(pad);
        ui.vertical(|ui| form(ui, model, actions));
    });
}

/// Width of the sign-in column (labels, fields and the recovery section).
const FORM_WIDTH: f32 = 420.0;

/// The fields, the button and the way back through the recovery code.
fn form(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.prefs.lang;
    egui::Grid::new("unlock-form")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let label = ui.label(Text::UserName.get(lang));
            let field = ui
                .add(egui::TextEdit::singleline(&mut model.unlock.user).desired_width(260.0))
                .labelled_by(label.id);
            // Ready to type: the user name field takes the focus when nothing has it.
            let nothing_focused = ui.memory(|m| m.focused().is_none());
            if nothing_focused && model.unlock.user.is_empty() {
                field.request_focus();
            }
            ui.end_row();
            let password = password::field(
                ui,
                Text::Password.get(lang),
                &mut model.unlock.password,
                password::id("unlock", model.lock_generation),
            );
            // After a lock the name is kept: the password is what is left to type.
            if nothing_focused && !model.unlock.user.is_empty() {
                password.request_focus();
            }
            ui.end_row();
            let submitted = password.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let ready = !model.unlock.user.trim().is_empty() && !model.unlock.password.is_empty() && !model.unlock.busy;
            ui.label("");
            ui.horizontal(|ui| {
                let clicked = ui
                    .add_enabled(ready, egui::Button::new(Text::Unlock.get(lang)))
                    .clicked();
                if model.unlock.busy {
                    ui.spinner();
                }
                if (clicked || submitted) && ready {
                    actions.push(Action::Unlock);
                }
            });
            ui.end_row();
        });
    recover(ui, model, actions);
}

/// Recovery with the station's recovery code, for the user named above: a new password
/// (the way back for a locked or forgotten account, and for the last officer).
fn recover(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.prefs.lang;
    let generation = model.lock_generation;
    ui.add_space(16.0);
    // Asked to open: held open until the code field is drawn and takes the focus (the body
    // appears over a few frames).
    let reveal = model.recover.reveal;
    egui::CollapsingHeader::new(Text::RecoverHeading.get(lang))
        .id_salt(("recover", generation))
        .open(reveal.then_some(true))
        .show(ui, |ui| {
            ui.label(Text::RecoverHelp.get(lang));
            let form = &mut model.recover;
            let mut entered = false;
            egui::Grid::new("recover-form")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    let code = password::field(
                        ui,
                        Text::RecoveryCodeField.get(lang),
                        &mut form.code,
                        password::id("recover-code", generation),
                    );
                    if std::mem::take(&mut form.reveal) {
                        code.request_focus();
                    }
                    ui.end_row();
                    password::field(
                        ui,
                        Text::NewPassword.get(lang),
                        &mut form.new,
                        password::id("recover-new", generation),
                    );
                    ui.end_row();
                    let repeat = password::field(
                        ui,
                        Text::RepeatPassword.get(lang),
                        &mut form.repeat,
                        password::id("recover-repeat", generation),
                    );
                    entered = widgets::entered(ui, &repeat);
                    ui.end_row();
                });
            let ready =
                !model.unlock.user.trim().is_empty() && !form.code.is_empty() && !form.new.is_empty() && !form.busy;
            let clicked = ui
                .add_enabled(ready, egui::Button::new(Text::RecoverButton.get(lang)))
                .clicked();
            if clicked || (entered && ready) {
                actions.push(Action::Recover);
            }
        });
}

impl PasswordScreen {
    /// Draw the required password change.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        change_password(ui, self, cx, &mut actions);
        actions
    }
}

/// The password change a reset or an old password requires before anything else.
fn change_password(ui: &mut egui::Ui, form: &mut PasswordScreen, cx: &Context<'_>, actions: &mut Vec<Action>) {
    let (lang, generation) = (cx.lang, cx.generation);
    ui.heading(Text::MustChange.get(lang));
    if let Some(reason) = cx.session.password_change.as_deref() {
        ui.label(reason);
    }
    password::field(
        ui,
        Text::CurrentPassword.get(lang),
        &mut form.current,
        password::id("current", generation),
    );
    password::field(
        ui,
        Text::NewPassword.get(lang),
        &mut form.new,
        password::id("new", generation),
    );
    let repeat = password::field(
        ui,
        Text::RepeatPassword.get(lang),
        &mut form.repeat,
        password::id("new-repeat", generation),
    );
    let entered = widgets::entered(ui, &repeat);
    let ready = !form.current.is_empty() && !form.new.is_empty();
    let clicked = ui
        .add_enabled(ready, egui::Button::new(Text::ChangePassword.get(lang)))
        .clicked();
    if clicked || (entered && ready) {
        actions.push(Action::ChangePassword);
    }
}
