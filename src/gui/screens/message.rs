//! The dialog over everything for errors and refusals: a refusal names its rule, a
//! two-person action says a request is waiting.

use eframe::egui;

use crate::gui::error_text::ErrorKind;
use crate::gui::i18n::{Lang, Text};
use crate::gui::model::{Action, Model};

/// Draw the message dialog, if there is one.
pub fn show(ctx: &egui::Context, model: &Model, actions: &mut Vec<Action>) {
    let Some(message) = &model.message else {
        return;
    };
    let lang = model.prefs.lang;
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
            ui.set_max_width(520.0);
            let kind = &failure.kind;
            if *kind == ErrorKind::Other {
                ui.label(&failure.message);
            } else {
                ui.strong(kind.headline(lang));
                // The library's sentence, where the app's words leave something out. It is
                // English: in Chinese it is folded away, there for whoever supports the station.
                if !kind.says_it_all() {
                    match lang {
                        Lang::En => {
                            ui.label(format!("{}: {}", Text::Details.get(lang), failure.message));
                        }
                        Lang::Zh => {
                            egui::CollapsingHeader::new(Text::DetailsInEnglish.get(lang))
                                .default_open(false)
                                .show(ui, |ui| ui.label(&failure.message));
                        }
                    }
                }
                for advice in kind.advice(lang) {
                    ui.label(format!("• {advice}"));
                }
            }
            // OK, Enter or Esc close it.
            let keyed = ui.input(|i| i.key_pressed(egui::Key::Enter) || i.key_pressed(egui::Key::Escape));
            if ui.button(Text::Dismiss.get(lang)).clicked() || keyed {
                actions.push(Action::DismissMessage);
            }
        });
}
