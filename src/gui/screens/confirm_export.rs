//! The confirmation before plaintext leaves the vault: it names the item, its level and the
//! destination. Export (or Enter) starts it; Cancel (or Esc) does not.

use eframe::egui;

use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model};
use crate::gui::widgets::banner;

/// Draw the confirmation, if an export waits for one.
pub fn show(ctx: &egui::Context, model: &Model, actions: &mut Vec<Action>) {
    let Some(asked) = model.signed_in.as_ref().and_then(|s| s.item.pending_export.as_ref()) else {
        return;
    };
    if model.message.is_some() {
        return;
    }
    let lang = model.prefs.lang;
    egui::Window::new(Text::ConfirmExportTitle.get(lang))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.set_max_width(520.0);
            egui::Grid::new("confirm-export").num_columns(2).show(ui, |ui| {
                ui.label(Text::ConfirmExportItem.get(lang));
                ui.horizontal(|ui| {
                    ui.strong(&asked.item);
                    banner::word(ui, asked.level, lang);
                });
                ui.end_row();
                ui.label(Text::ConfirmExportTo.get(lang));
                ui.add(egui::Label::new(egui::RichText::new(asked.to.display().to_string()).strong()).wrap());
                ui.end_row();
                if !asked.reason.is_empty() {
                    ui.label(Text::ExportReason.get(lang));
                    ui.add(egui::Label::new(&asked.reason).wrap());
                    ui.end_row();
                }
            });
            ui.add(egui::Label::new(Text::ConfirmExportWarning.get(lang)).wrap());
            let (enter, escape) = ui.input(|i| (i.key_pressed(egui::Key::Enter), i.key_pressed(egui::Key::Escape)));
            ui.horizontal(|ui| {
                if ui.button(Text::StartExport.get(lang)).clicked() || enter {
                    actions.push(Action::ConfirmExport);
                } else if ui.button(Text::Cancel.get(lang)).clicked() || escape {
                    actions.push(Action::CancelExport);
                }
            });
        });
}
