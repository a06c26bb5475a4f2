//! The dialog over everything for errors and refusals: a refusal names its rule, a
//! two-person action says a request is waiting.

use eframe::egui;

use crate::gui::error_text::ErrorKind;
use crate::gui::i18n::{Lang, Text};
use crate::gui::model::{Action, Model, Phase, View};
use strongroom::accounts::Role;
use strongroom::accounts::availability::WayBack;

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
            // What the message suggests, as a button that does it.
            let remedies = remedies(model);
            if !remedies.is_empty() {
                ui.horizontal(|ui| {
                    for (text, action) in remedies {
                        if ui.button(text.get(lang)).clicked() {
                            actions.push(Action::DismissMessage);
                            actions.push(action);
                        }
                    }
                });
            }
            // OK, Enter or Esc close it.
            let keyed = ui.input(|i| i.key_pressed(egui::Key::Enter) || i.key_pressed(egui::Key::Escape));
            if ui.button(Text::Dismiss.get(lang)).clicked() || keyed {
                actions.push(Action::DismissMessage);
            }
        });
}

/// The buttons that carry out what a message advises, where the app can: replace the file
/// an export found, open the recovery form, add a witness on the item page, sign in again,
/// open the ledger.
fn remedies(model: &Model) -> Vec<(Text, Action)> {
    let Some(message) = &model.message else {
        return Vec::new();
    };
    let s = model.signed_in.as_ref().filter(|_| model.phase == Phase::Main);
    let officer = s.is_some_and(|s| s.session.role == Role::Officer);
    let failure = &message.failure;
    let mut remedies = Vec::new();
    match &failure.kind {
        ErrorKind::DestinationExists { .. } => {
            if let Some(asked) = s.and_then(|s| s.item.replaceable.clone()) {
                remedies.push((Text::ReplaceFile, Action::ExportReplacing(asked)));
            }
        }
        ErrorKind::AccountUnavailable { state }
            if model.phase == Phase::Unlock && state.ways_back().contains(&WayBack::RecoveryCode) =>
        {
            remedies.push((Text::UseRecoveryCodeButton, Action::UseRecoveryCode));
        }
        ErrorKind::ApprovalRequired { .. } if s.is_some_and(|s| s.item.actions.second_person_asked) => {
            remedies.push((Text::AddWitnessButton, Action::AddWitness));
        }
        ErrorKind::SessionOutOfDate | ErrorKind::NotUnlocked if s.is_some() => {
            remedies.push((Text::SignInAgainButton, Action::Lock));
        }
        ErrorKind::LedgerDamaged { .. } if officer => {
            remedies.push((Text::OpenLedgerButton, Action::Show(View::Ledger)));
        }
        _ => {}
    }
    remedies
}
