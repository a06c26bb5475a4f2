//! First run: where the vault goes, the first security officer, and the recovery code shown
//! once with a confirmation (type back its last group).

use eframe::egui;
use strongroom::crypto::Password;
use zeroize::Zeroizing;

use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model};
use crate::gui::widgets::{self, password};

/// The first-run form.
#[derive(Default)]
pub struct SetupForm {
    /// Vault directory.
    pub location: String,
    /// First officer's name.
    pub officer: String,
    /// Password.
    pub password: Zeroizing<String>,
    /// Repeated.
    pub repeat: Zeroizing<String>,
    /// The vault is being created.
    pub busy: bool,
    /// The code to show once.
    pub recovery_code: Option<Password>,
    /// What the user typed back.
    pub confirm: String,
    /// The typed group was wrong.
    pub confirm_wrong: bool,
}

/// Draw the setup form.
pub fn show(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.prefs.lang;
    ui.heading(Text::SetupHeading.get(lang));
    ui.label(Text::SetupIntro.get(lang));
    ui.add_space(8.0);
    let form = &mut model.setup;
    let mut entered = false;
    egui::Grid::new("setup-form")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let label = ui.label(Text::VaultLocation.get(lang));
            ui.add(egui::TextEdit::singleline(&mut form.location).desired_width(420.0))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(Text::OfficerName.get(lang));
            ui.add(egui::TextEdit::singleline(&mut form.officer).desired_width(260.0))
                .labelled_by(label.id);
            ui.end_row();
            password::field(
                ui,
                Text::NewPassword.get(lang),
                &mut form.password,
                password::id("setup", model.lock_generation),
            );
            ui.end_row();
            let repeat = password::field(
                ui,
                Text::RepeatPassword.get(lang),
                &mut form.repeat,
                password::id("setup-repeat", model.lock_generation),
            );
            entered = widgets::entered(ui, &repeat);
            ui.end_row();
        });
    let ready = !form.busy && !form.officer.trim().is_empty() && !form.password.is_empty();
    ui.horizontal(|ui| {
        let clicked = ui
            .add_enabled(ready, egui::Button::new(Text::CreateVault.get(lang)))
            .clicked();
        if (clicked || entered) && ready {
            actions.push(Action::CreateVault);
        }
        if form.busy {
            ui.spinner();
            ui.label(Text::Calibrating.get(lang));
        }
    });
}

/// Show the recovery code once and ask for its last group back.
pub fn recovery(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.prefs.lang;
    ui.heading(Text::RecoveryHeading.get(lang));
    ui.label(Text::RecoveryIntro.get(lang));
    if let Some(code) = &model.setup.recovery_code {
        ui.add_space(8.0);
        ui.label(egui::RichText::new(code.expose()).monospace().size(20.0).strong());
        ui.add_space(8.0);
    }
    let mut entered = false;
    ui.horizontal(|ui| {
        let label = ui.label(Text::RecoveryConfirm.get(lang));
        let field = ui.text_edit_singleline(&mut model.setup.confirm).labelled_by(label.id);
        entered = widgets::entered(ui, &field);
    });
    if model.setup.confirm_wrong {
        ui.colored_label(ui.visuals().error_fg_color, Text::RecoveryMismatch.get(lang));
    }
    if ui.button(Text::RecoveryDone.get(lang)).clicked() || entered {
        actions.push(Action::RecoveryConfirmed);
    }
}
