//! Officers' screen: users with roles, clearances and lockouts; pending approvals; the
//! policy editor. (Adding, disabling and resetting users are in the CLI for now.)

use eframe::egui;

use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model};
use crate::gui::widgets::banner;

/// Draw the officers' screen.
pub fn show(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.lang;
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading(Text::Users.get(lang));
        egui::Grid::new("users").num_columns(4).striped(true).show(ui, |ui| {
            for text in [Text::UserName, Text::Role, Text::Clearance, Text::Status] {
                ui.strong(text.get(lang));
            }
            ui.end_row();
            for user in &model.users {
                ui.label(&user.entry.name);
                ui.label(user.entry.role.as_str());
                ui.label(banner::label(user.entry.clearance, lang));
                let mut status = user.entry.status.as_str().to_string();
                if user.locked {
                    status.push_str(" · locked");
                }
                ui.label(status);
                ui.end_row();
            }
        });
        ui.separator();
        ui.heading(Text::Requests.get(lang));
        if model.requests.is_empty() {
            ui.label(Text::NoRequests.get(lang));
        }
        for request in &model.requests {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "#{} {} ({}) — {}",
                    request.id,
                    request.kind.as_str(),
                    banner::label(request.level, lang),
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
        let current = model.policy.as_ref().map(|p| p.entries()).unwrap_or_default();
        egui::Grid::new("policy").num_columns(3).show(ui, |ui| {
            for ((key, value), (_, old)) in model.policy_edit.iter_mut().zip(current) {
                let label = ui.label(key.as_str());
                ui.text_edit_singleline(value).labelled_by(label.id);
                if ui
                    .add_enabled(*value != old, egui::Button::new(Text::Save.get(lang)))
                    .clicked()
                {
                    actions.push(Action::SetPolicy(key.clone(), value.clone()));
                }
                ui.end_row();
            }
        });
    });
}
