//! The bar under the top banner: views, who is signed in, lock, language and theme.

use eframe::egui;
use strongroom::accounts::Role;

use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model, Phase, View};
use crate::gui::vocabulary;

/// Draw the toolbar.
pub fn show(ui: &mut egui::Ui, model: &Model, actions: &mut Vec<Action>) {
    let lang = model.prefs.lang;
    let signed_in = model.signed_in.as_ref().filter(|_| model.phase == Phase::Main);
    ui.horizontal(|ui| {
        ui.strong(Text::AppTitle.get(lang));
        ui.separator();
        if let Some(s) = signed_in {
            // The custody tab counts what waits for this user (offers to them; for officers
            // the items due too).
            let waiting = s.custody.waiting(&s.session.user, s.session.role);
            let custody = if waiting > 0 {
                format!("{} ({waiting})", Text::CustodyTab.get(lang))
            } else {
                Text::CustodyTab.get(lang).to_string()
            };
            let mut tab = |ui: &mut egui::Ui, view: View, text: &str| {
                if ui.selectable_label(s.view == view, text).clicked() {
                    actions.push(Action::Show(view));
                }
            };
            tab(ui, View::Browser, Text::Vault.get(lang));
            tab(ui, View::Import, Text::Import.get(lang));
            tab(ui, View::Alerts, Text::Alerts.get(lang));
            tab(ui, View::Custody, &custody);
            if s.session.role == Role::Officer {
                tab(ui, View::Guard, Text::Guard.get(lang));
                tab(ui, View::Ledger, Text::Ledger.get(lang));
                tab(ui, View::Admin, Text::Users.get(lang));
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let theme = if model.prefs.dark {
                Text::ThemeLight
            } else {
                Text::ThemeDark
            };
            if ui.button(theme.get(lang)).clicked() {
                actions.push(Action::ToggleTheme);
            }
            if ui.button(Text::Language.get(lang)).clicked() {
                actions.push(Action::ToggleLanguage);
            }
            if let Some(session) = signed_in.map(|s| &s.session) {
                if ui.button(Text::Lock.get(lang)).on_hover_text("Ctrl+L").clicked() {
                    actions.push(Action::Lock);
                }
                // Cut to the room the tabs leave (the whole text on hover), so on a narrow
                // window it never runs under the tabs.
                ui.add(
                    egui::Label::new(format!(
                        "{} {} ({}, {})",
                        Text::SignedInAs.get(lang),
                        session.user,
                        vocabulary::role(session.role, lang),
                        crate::gui::widgets::banner::label(session.clearance, lang)
                    ))
                    .truncate(),
                );
            }
        });
    });
}
