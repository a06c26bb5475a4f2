//! The confirmation before plaintext leaves the vault: it names the item, its level and the
//! destination. It is modal (nothing beneath takes input while it is up), and its Export
//! carries the very request it showed: Export (or Enter) starts exactly that; Cancel (or
//! Esc, or Enter on a focused Cancel) does not.

use eframe::egui;

use strongroom::station::ExportMediumCheck;

use crate::gui::i18n::{Lang, Text};
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
    let title = Text::ConfirmExportTitle.get(lang);
    // What the station said of this very export's medium (none yet: still checking).
    let checked = model
        .signed_in
        .as_ref()
        .and_then(|s| s.item.export_medium.as_ref())
        .filter(|(of, _)| of == asked)
        .map(|(_, check)| check);
    let mut refused = false;
    egui::Modal::new(egui::Id::unique("confirm-export")).show(ctx, |ui| {
        let dialog = egui::UiBuilder::new()
            .accessibility_role(egui::accesskit::Role::Dialog)
            .accessibility_label(title);
        ui.scope_builder(dialog, |ui| {
            ui.set_max_width(520.0);
            ui.heading(title);
            egui::Grid::new("confirm-export-grid").num_columns(2).show(ui, |ui| {
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
                refused = medium_row(ui, checked, lang);
                // A cloud-synced or network folder: refused up front, naming the rule.
                if let Some(why) = checked.and_then(|c| c.synced.as_ref()) {
                    ui.label(Text::CloudSync.get(lang));
                    let text = format!("{} (cloud-sync): {why}", Text::Refused.get(lang));
                    ui.add(egui::Label::new(egui::RichText::new(text).color(ui.visuals().error_fg_color)).wrap());
                    ui.end_row();
                    refused = true;
                }
            });
            ui.add(egui::Label::new(Text::ConfirmExportWarning.get(lang)).wrap());
            // The buttons keep their ids when the medium's row above them appears or
            // changes (the station's answer comes a frame or two later): a click on Export
            // made meanwhile still lands.
            let actions_scope = egui::UiBuilder::new().scope_id(egui::Id::unique("confirm-export-actions"));
            let (export, cancel) = ui
                .scope_builder(actions_scope, |ui| {
                    ui.horizontal(|ui| {
                        (
                            ui.add_enabled(!refused, egui::Button::new(Text::StartExport.get(lang))),
                            ui.button(Text::Cancel.get(lang)),
                        )
                    })
                    .inner
                })
                .inner;
            // Enter confirms unless Cancel has the focus (then Enter is its click).
            let enter = !refused
                && !cancel.has_focus()
                && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
            let escape = ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
            if cancel.clicked() || escape {
                actions.push(Action::CancelExport);
            } else if export.clicked() || enter {
                actions.push(Action::ConfirmExport(asked.clone()));
            }
        });
    });
}

/// The destination's medium: not removable, registered (its label and level), allowed
/// unregistered, or refused with the station's reason. Returns whether it is refused.
fn medium_row(ui: &mut egui::Ui, checked: Option<&ExportMediumCheck>, lang: Lang) -> bool {
    let Some(check) = checked else {
        ui.label(Text::ExportMedium.get(lang));
        ui.weak(Text::ExportMediumChecking.get(lang));
        ui.end_row();
        return false;
    };
    ui.label(Text::ExportMedium.get(lang));
    if !check.removable {
        // The row is always there, one line high, so the dialog does not move under a click
        // when the station's answer arrives.
        ui.label(Text::ExportMediumFixed.get(lang));
        ui.end_row();
        return false;
    }
    let refused = match (&check.refused, &check.registered) {
        (Some(why), _) => {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("{}: {why}", Text::Refused.get(lang)))
                        .color(ui.visuals().error_fg_color),
                )
                .wrap(),
            );
            true
        }
        (None, Some((label, level))) => {
            ui.horizontal(|ui| {
                ui.label(format!("{label} · {}", Text::ExportMediumRegistered.get(lang)));
                banner::word(ui, *level, lang);
            });
            false
        }
        (None, None) => {
            ui.colored_label(ui.visuals().warn_fg_color, Text::ExportMediumUnregistered.get(lang));
            false
        }
    };
    ui.end_row();
    refused
}
