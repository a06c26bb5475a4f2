//! The dialog over everything for errors and refusals: a refusal names its rule, a
//! two-person action says a request is waiting.

use eframe::egui;

use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model};

/// Draw the message dialog, if there is one.
pub fn show(ctx: &egui::Context, model: &Model, actions: &mut Vec<Action>) {
    let Some(message) = &model.message else {
        return;
    };
    let lang = model.lang;
    let failure = &message.failure;
    let title = if failure.approval {
        Text::ApprovalNeeded
    } else if failure.rule.is_some() {
        Text::Refused
    } else {
        Text::Error
    };
    egui::Window::new(title.get(lang))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            if let Some(rule) = &failure.rule {
                ui.strong(format!("{}: {rule}", Text::Rule.get(lang)));
            }
            ui.label(&failure.message);
            if ui.button(Text::Dismiss.get(lang)).clicked() {
                actions.push(Action::DismissMessage);
            }
        });
}
