//! Sign in: user name and password; the station's answer (wrong password, waiting after
//! failures, locked, disabled) comes back as a message.

use eframe::egui;

use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model};
use crate::gui::widgets::password;

/// Draw the sign-in form.
pub fn show(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.lang;
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading(Text::UnlockHeading.get(lang));
        if model.locked_idle {
            ui.label(Text::LockedIdle.get(lang));
        }
        ui.add_space(12.0);
    });
    egui::Grid::new("unlock-form").num_columns(1).show(ui, |ui| {
        ui.horizontal(|ui| {
            let label = ui.label(Text::UserName.get(lang));
            ui.text_edit_singleline(&mut model.unlock.user).labelled_by(label.id);
        });
        ui.end_row();
        let field = password::field(
            ui,
            Text::Password.get(lang),
            &mut model.unlock.password,
            password::id("unlock", model.lock_generation),
        );
        let submitted = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.end_row();
        let ready = !model.unlock.user.trim().is_empty() && !model.unlock.password.is_empty() && !model.unlock.busy;
        let clicked = ui
            .add_enabled(ready, egui::Button::new(Text::Unlock.get(lang)))
            .clicked();
        if model.unlock.busy {
            ui.spinner();
        }
        if (clicked || submitted) && ready {
            actions.push(Action::Unlock);
        }
        ui.end_row();
    });
}

/// The password change a reset or an old password requires before anything else.
pub fn change_password(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.lang;
    let generation = model.lock_generation;
    ui.heading(Text::MustChange.get(lang));
    if let Some(reason) = model.session.as_ref().and_then(|s| s.password_change.as_deref()) {
        ui.label(reason);
    }
    let form = &mut model.password;
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
    password::field(
        ui,
        Text::RepeatPassword.get(lang),
        &mut form.repeat,
        password::id("new-repeat", generation),
    );
    let ready = !form.current.is_empty() && !form.new.is_empty();
    if ui
        .add_enabled(ready, egui::Button::new(Text::ChangePassword.get(lang)))
        .clicked()
    {
        actions.push(Action::ChangePassword);
    }
}
