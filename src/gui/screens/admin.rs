//! Officers' screen: users with roles, clearances and lockouts, and the forms that add,
//! disable, enable or unlock, reset and re-clear them; pending approvals; the policy editor.

use eframe::egui;
use zeroize::Zeroizing;

use crate::gui::i18n::{Lang, Text};
use crate::gui::model::Action;
use strongroom::station::{RequestView, UserView};

use super::Context;
use crate::gui::widgets::{self, banner, password};
use crate::gui::{detail_text, vocabulary};
use strongroom::Level;
use strongroom::accounts::settings::{Field, Setting};

/// The officers' user form.
#[derive(Default)]
pub struct UserForm {
    /// New user's name.
    pub name: String,
    /// New user is an officer.
    pub officer: bool,
    /// New user's clearance.
    pub clearance: Option<Level>,
    /// New user's password.
    pub password: Zeroizing<String>,
    /// Repeated.
    pub repeat: Zeroizing<String>,
    /// The user the buttons act on.
    pub target: String,
    /// Why (recorded).
    pub reason: String,
    /// Clearance to set.
    pub new_clearance: Option<Level>,
    /// Temporary password for a reset.
    pub temporary: Zeroizing<String>,
}

/// The officers' screen: users, pending requests, the policy editor's fields and the user
/// form (the policy itself is the session's).
#[derive(Default)]
pub struct AdminScreen {
    /// Users.
    pub users: Vec<UserView>,
    /// Pending requests.
    pub requests: Vec<RequestView>,
    /// Policy editor fields: setting and value as typed or chosen.
    pub policy_edit: Vec<(String, String)>,
    /// The user form.
    pub user_form: UserForm,
}

impl AdminScreen {
    /// Draw the officers' screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        show(ui, self, cx, &mut actions);
        actions
    }
}

fn show(ui: &mut egui::Ui, s: &mut AdminScreen, cx: &Context<'_>, actions: &mut Vec<Action>) {
    let lang = cx.lang;
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading(Text::Users.get(lang));
        egui::Grid::new("users").num_columns(4).striped(true).show(ui, |ui| {
            for text in [Text::UserName, Text::Role, Text::Clearance, Text::Status] {
                ui.strong(text.get(lang));
            }
            ui.end_row();
            for user in &s.users {
                ui.label(&user.entry.name);
                ui.label(vocabulary::role(user.entry.role, lang));
                ui.label(banner::label(user.entry.clearance, lang));
                let mut status = vocabulary::user_status(user.entry.status, lang).to_string();
                if user.locked {
                    status.push_str(" · ");
                    status.push_str(Text::LockedTag.get(lang));
                }
                ui.label(status);
                ui.end_row();
            }
        });
        user_forms(ui, s, cx, actions);
        ui.separator();
        ui.heading(Text::Requests.get(lang));
        if s.requests.is_empty() {
            ui.label(Text::NoRequests.get(lang));
        }
        for view in &s.requests {
            let request = &view.request;
            ui.horizontal_wrapped(|ui| {
                let kind = match request.target_level {
                    Some(to) => format!(
                        "{} → {}",
                        vocabulary::request_kind(request.kind, lang),
                        banner::label(to, lang)
                    ),
                    None => vocabulary::request_kind(request.kind, lang).to_string(),
                };
                ui.label(format!(
                    "#{} {kind} {} ({}) · {} · {}",
                    request.id,
                    view.control_number.as_deref().unwrap_or("?"),
                    banner::label(request.level, lang),
                    view.requester,
                    request.reason
                ));
                if ui.button(Text::Approve.get(lang)).clicked() {
                    actions.push(Action::Decide(request.id, true));
                }
                if ui.button(Text::Deny.get(lang)).clicked() {
                    actions.push(Action::Decide(request.id, false));
                }
            });
        }
        ui.separator();
        ui.heading(Text::Policy.get(lang));
        let current = cx.policy.map(|p| p.entries()).unwrap_or_default();
        // What it means (its setting name on hover), value, save, and the values it takes.
        egui::Grid::new("policy").num_columns(4).striped(true).show(ui, |ui| {
            for ((key, value), (_, old)) in s.policy_edit.iter_mut().zip(current) {
                let setting = Setting::named(key);
                let meaning = setting.map_or(key.as_str(), |setting| match lang {
                    Lang::En => setting.help_en,
                    Lang::Zh => setting.help_zh,
                });
                let label = ui
                    .scope(|ui| {
                        ui.set_max_width(POLICY_LABEL_WIDTH);
                        ui.add(egui::Label::new(meaning).wrap())
                    })
                    .inner
                    .on_hover_text(key.as_str());
                // A choice shows the value in force (a refused one springs back); a number
                // keeps what is typed until it is saved.
                if setting.is_some_and(|setting| !setting.field.is_typed()) {
                    value.clone_from(&old);
                }
                let changed = setting.is_some_and(|setting| value_field(ui, setting, value, label.id, lang));
                if changed && *value != old {
                    // A choice takes effect at once; a number with Save or Enter.
                    actions.push(Action::SetPolicy(key.clone(), value.clone()));
                }
                let typed = setting.is_some_and(|setting| setting.field.is_typed());
                if typed
                    && ui
                        .add_enabled(*value != old, egui::Button::new(Text::Save.get(lang)))
                        .clicked()
                {
                    actions.push(Action::SetPolicy(key.clone(), value.clone()));
                }
                if !typed {
                    ui.label("");
                }
                ui.weak(
                    setting
                        .filter(|s| matches!(s.field, Field::Number { .. }))
                        .map(Setting::values)
                        .unwrap_or_default(),
                );
                ui.end_row();
            }
        });
    });
}

/// The field for a policy value, by its kind: a number is typed (and saved with its
/// button), a level or the guard's response is chosen from a list in words, a switch is a
/// checkbox. Returns whether a choice was made or Enter pressed in a number (it takes
/// effect at once).
fn value_field(ui: &mut egui::Ui, setting: &Setting, value: &mut String, label: egui::Id, lang: Lang) -> bool {
    let height = ui.spacing().interact_size.y;
    match setting.field {
        Field::Number { .. } | Field::Names { .. } | Field::Text { .. } => {
            // A grid cell offers only its column's last width, so the size is set.
            let field = ui
                .add_sized([POLICY_VALUE_WIDTH, height], egui::TextEdit::singleline(value))
                .labelled_by(label);
            // Enter saves a number, like its Save button.
            widgets::entered(ui, &field)
        }
        Field::Level { .. } => {
            let current = value.parse::<Level>().ok();
            let mut chosen = current;
            egui::ComboBox::from_id_salt(setting.name)
                .width(POLICY_VALUE_WIDTH)
                .selected_text(current.map(|l| banner::label(l, lang)).unwrap_or_else(|| value.clone()))
                .show_ui(ui, |ui| {
                    for level in Level::ALL {
                        ui.selectable_value(&mut chosen, Some(level), banner::label(level, lang));
                    }
                })
                .response
                .labelled_by(label);
            match chosen.filter(|c| Some(*c) != current) {
                Some(level) => {
                    *value = level.name().to_string();
                    true
                }
                None => false,
            }
        }
        Field::Choice { choices, .. } => {
            let mut chosen = value.clone();
            egui::ComboBox::from_id_salt(setting.name)
                .width(POLICY_VALUE_WIDTH)
                .selected_text(detail_text::text("new", value, lang))
                .show_ui(ui, |ui| {
                    for option in choices {
                        ui.selectable_value(&mut chosen, option.to_string(), detail_text::text("new", option, lang));
                    }
                })
                .response
                .labelled_by(label);
            let changed = chosen != *value;
            *value = chosen;
            changed
        }
        Field::Switch { .. } => {
            let mut on = value == "yes";
            let words = detail_text::flag(on, lang);
            let changed = ui.checkbox(&mut on, words).labelled_by(label).changed();
            if changed {
                *value = if on { "yes" } else { "no" }.to_string();
            }
            changed
        }
    }
}

/// Width of a policy setting's meaning, wrapped.
const POLICY_LABEL_WIDTH: f32 = 300.0;
/// Width of a policy value field.
const POLICY_VALUE_WIDTH: f32 = 130.0;

/// Add a user; act on one (disable, enable or unlock, reset, clearance) with a reason.
fn user_forms(ui: &mut egui::Ui, s: &mut AdminScreen, cx: &Context<'_>, actions: &mut Vec<Action>) {
    let (lang, generation) = (cx.lang, cx.generation);
    let names: Vec<String> = s.users.iter().map(|u| u.entry.name.clone()).collect();
    let form = &mut s.user_form;
    ui.separator();
    let mut entered = false;
    egui::Grid::new("add-user").num_columns(2).show(ui, |ui| {
        let label = ui.label(Text::NewUserName.get(lang));
        ui.text_edit_singleline(&mut form.name).labelled_by(label.id);
        ui.end_row();
        ui.label("");
        ui.checkbox(&mut form.officer, Text::IsOfficer.get(lang));
        ui.end_row();
        let label = ui.label(Text::Clearance.get(lang));
        level_combo(ui, "add-user-clearance", &mut form.clearance, lang).labelled_by(label.id);
        ui.end_row();
        password::field(
            ui,
            Text::NewPassword.get(lang),
            &mut form.password,
            password::id("user-new", generation),
        );
        ui.end_row();
        let repeat = password::field(
            ui,
            Text::RepeatPassword.get(lang),
            &mut form.repeat,
            password::id("user-repeat", generation),
        );
        entered = widgets::entered(ui, &repeat);
        ui.end_row();
    });
    let ready = !form.name.trim().is_empty() && form.clearance.is_some() && !form.password.is_empty();
    let clicked = ui
        .add_enabled(ready, egui::Button::new(Text::AddUser.get(lang)))
        .clicked();
    if clicked || (entered && ready) {
        actions.push(Action::AddUser);
    }
    ui.separator();
    egui::Grid::new("change-user").num_columns(2).show(ui, |ui| {
        let label = ui.label(Text::Account.get(lang));
        egui::ComboBox::from_id_salt("target-user")
            .selected_text(form.target.clone())
            .show_ui(ui, |ui| {
                for name in &names {
                    ui.selectable_value(&mut form.target, name.clone(), name);
                }
            })
            .response
            .labelled_by(label.id);
        ui.end_row();
        let label = ui.label(Text::Reason.get(lang));
        ui.add(egui::TextEdit::singleline(&mut form.reason).desired_width(320.0))
            .labelled_by(label.id);
        ui.end_row();
    });
    let ready = !form.target.is_empty() && !form.reason.trim().is_empty();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(ready, egui::Button::new(Text::DisableUser.get(lang)))
            .clicked()
        {
            actions.push(Action::DisableUser);
        }
        if ui
            .add_enabled(ready, egui::Button::new(Text::EnableUser.get(lang)))
            .clicked()
        {
            actions.push(Action::EnableUser);
        }
        let label = ui.label(Text::Clearance.get(lang));
        level_combo(ui, "new-clearance", &mut form.new_clearance, lang).labelled_by(label.id);
        if ui
            .add_enabled(
                ready && form.new_clearance.is_some(),
                egui::Button::new(Text::SetClearance.get(lang)),
            )
            .clicked()
        {
            actions.push(Action::SetClearance);
        }
    });
    ui.horizontal(|ui| {
        password::field(
            ui,
            Text::TemporaryPassword.get(lang),
            &mut form.temporary,
            password::id("user-temporary", generation),
        );
        if ui
            .add_enabled(
                ready && !form.temporary.is_empty(),
                egui::Button::new(Text::ResetPassword.get(lang)),
            )
            .clicked()
        {
            actions.push(Action::ResetUser);
        }
    });
}

fn level_combo(ui: &mut egui::Ui, id: &str, value: &mut Option<Level>, lang: crate::gui::i18n::Lang) -> egui::Response {
    let selected = value.map_or(Text::ChooseLevel.get(lang).to_string(), |l| banner::label(l, lang));
    egui::ComboBox::from_id_salt(id)
        .selected_text(selected)
        .show_ui(ui, |ui| {
            for level in Level::ALL {
                ui.selectable_value(value, Some(level), banner::label(level, lang));
            }
        })
        .response
}
