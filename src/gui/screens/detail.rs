//! One item: its metadata, its custody timeline from the ledger, and what this user may do
//! with it. Actions that are not possible say why.

use eframe::egui;
use egui_extras::{Column, TableBuilder};
use zeroize::Zeroizing;

use crate::gui::dialogs::Purpose;
use crate::gui::i18n::Text;
use crate::gui::model::{Action, View};
use crate::gui::vocabulary;
use crate::gui::widgets::{self, banner, local_time, password};
use strongroom::Level;
use strongroom::accounts::Role;

use super::Context;
use super::browser::human_size;
use std::path::PathBuf;
use strongroom::station::ItemDetail;

/// The item detail's action form: destruction and downgrade, with a witness.
#[derive(Default)]
pub struct ItemActions {
    /// Why (recorded).
    pub reason: String,
    /// Downgrade target.
    pub downgrade_to: Option<Level>,
    /// Witness name (empty: none; a request is made instead).
    pub witness: String,
    /// Witness password.
    pub witness_password: Zeroizing<String>,
    /// Focus the witness name at the next frame.
    pub focus_witness: bool,
    /// A destruction or downgrade was asked for from this form (a witness added here can
    /// stand in for an approval).
    pub second_person_asked: bool,
}

/// An export as it was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportAsked {
    /// Control number.
    pub item: String,
    /// The item's level (the banner counts it while the export runs).
    pub level: Level,
    /// Destination as typed.
    pub to: PathBuf,
    /// The reason given.
    pub reason: String,
}

/// One item's page: the open item (decrypted metadata and timeline), the export form, the
/// export waiting for confirmation and the last one asked for, and the action form.
#[derive(Default)]
pub struct ItemScreen {
    /// The open item.
    pub detail: Option<ItemDetail>,
    /// Export destination field.
    pub export_to: String,
    /// Why the export is made (recorded in the ledger).
    pub export_reason: String,
    /// The export whose destination existed, for "Replace the file" to repeat exactly it.
    pub replaceable: Option<ExportAsked>,
    /// An export waiting for the person's confirmation.
    pub pending_export: Option<ExportAsked>,
    /// What the station said of the waiting export's medium (for that very export).
    pub export_medium: Option<(ExportAsked, strongroom::station::ExportMediumCheck)>,
    /// Destruction and downgrade.
    pub actions: ItemActions,
    /// Transfer, raise and retention.
    pub custody: super::item_custody::CustodyForm,
}

impl ItemScreen {
    /// Show `detail`: a different item than the one open starts with empty forms (where
    /// plaintext goes is always chosen on purpose: no default).
    pub fn open(&mut self, detail: ItemDetail) {
        if self.detail.as_ref().map(|d| d.summary.id) != Some(detail.summary.id) {
            self.export_to.clear();
            self.export_reason.clear();
            self.pending_export = None;
            self.actions = ItemActions::default();
            self.custody = Default::default();
        }
        self.detail = Some(detail);
    }

    /// Draw the item page.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        if ui.button(Text::Back.get(cx.lang)).clicked() {
            actions.push(Action::Show(View::Browser));
        }
        // Taken out for the frame and put back, so the decrypted detail is never copied.
        let Some(detail) = self.detail.take() else {
            return actions;
        };
        // One scroll for the whole item, so its actions and timeline stay reachable in a
        // small window.
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| draw(ui, self, cx, &detail, &mut actions));
        self.detail = Some(detail);
        actions
    }
}

fn draw(ui: &mut egui::Ui, s: &mut ItemScreen, cx: &Context<'_>, detail: &ItemDetail, actions: &mut Vec<Action>) {
    let lang = cx.lang;
    let item = &detail.summary;
    ui.heading(format!("{} — {}", item.control_number, item.title));
    egui::Grid::new("item-detail")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let rows = [
                (Text::ControlNumber, item.control_number.to_string()),
                (Text::Level, banner::label(item.level, lang)),
                (Text::Category, vocabulary::category(item.category, lang).to_string()),
                (Text::Size, human_size(item.size)),
                (Text::Custodian, item.custodian.clone()),
                (Text::Status, vocabulary::item_status(item.status, lang).to_string()),
                (Text::Created, local_time::shown(&item.created_at)),
                (Text::OriginalName, detail.original_name.clone()),
                (Text::Notes, detail.notes.clone().unwrap_or_default()),
                (Text::Sha256, detail.sha256.clone()),
            ];
            for (text, value) in rows {
                ui.label(text.get(lang));
                if text == Text::Level {
                    banner::word(ui, item.level, lang);
                } else {
                    ui.label(value);
                }
                ui.end_row();
            }
        });
    ui.separator();
    // Destination, then reason, then Export (Enter in either field does it too); a
    // confirmation names the item, its level and the destination before plaintext is written.
    let ready = !s.export_to.trim().is_empty();
    egui::Grid::new("export-form").num_columns(2).show(ui, |ui| {
        let label = ui.label(Text::ExportTo.get(lang));
        let mut entered = false;
        ui.horizontal(|ui| {
            let field = ui
                .add(egui::TextEdit::singleline(&mut s.export_to).desired_width(360.0))
                .labelled_by(label.id);
            entered |= widgets::entered(ui, &field);
            if ui.button(Text::Choose.get(lang)).clicked() {
                // The dialog is offered the control number (with the file's extension), not the
                // decrypted original name.
                actions.push(Action::Ask(Purpose::ExportTo(suggested_name(
                    &detail.summary.control_number.to_string(),
                    &detail.original_name,
                ))));
            }
        });
        ui.end_row();
        let label = ui.label(Text::ExportReason.get(lang));
        ui.horizontal(|ui| {
            let field = ui
                .add(egui::TextEdit::singleline(&mut s.export_reason).desired_width(360.0))
                .labelled_by(label.id);
            entered |= widgets::entered(ui, &field);
            let export = ui
                .add_enabled(ready, egui::Button::new(Text::StartExport.get(lang)))
                .on_disabled_hover_text(Text::ChooseDestination.get(lang));
            if export.clicked() || (entered && ready) {
                actions.push(Action::Export);
            }
        });
        ui.end_row();
    });
    item_actions(ui, &mut s.actions, cx, detail.summary.level, actions);
    super::item_custody::ui(ui, &mut s.custody, cx, detail, actions);
    ui.separator();
    ui.strong(Text::Timeline.get(lang));
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    TableBuilder::new(ui)
        .id_salt("timeline")
        .vscroll(false)
        .striped(true)
        .column(Column::initial(190.0))
        .column(Column::initial(110.0))
        .column(Column::remainder())
        .header(row_height, |mut header| {
            for text in [Text::Time, Text::Actor, Text::Action] {
                header.col(|ui| {
                    ui.strong(text.get(lang));
                });
            }
        })
        .body(|body| {
            body.rows(row_height, detail.events.len(), |mut row| {
                let event = &detail.events[row.index()];
                row.col(|ui| {
                    local_time::label(ui, &event.time);
                });
                row.col(|ui| {
                    ui.label(&event.actor);
                });
                row.col(|ui| {
                    ui.label(vocabulary::action(&event.action, lang))
                        .on_hover_text(&event.action);
                });
            });
        });
}

/// Destruction and downgrade, with a reason and an optional witness.
fn item_actions(
    ui: &mut egui::Ui,
    form: &mut ItemActions,
    cx: &Context<'_>,
    level_of: Level,
    actions: &mut Vec<Action>,
) {
    let lang = cx.lang;
    let officer = cx.session.role == Role::Officer;
    let level = level_of;
    let generation = cx.generation;
    ui.separator();
    ui.weak(Text::TwoPersonHint.get(lang));
    egui::Grid::new("item-actions").num_columns(2).show(ui, |ui| {
        let label = ui.label(Text::Reason.get(lang));
        ui.add(egui::TextEdit::singleline(&mut form.reason).desired_width(360.0))
            .labelled_by(label.id);
        ui.end_row();
        let label = ui.label(Text::Witness.get(lang));
        let witness = ui
            .add(egui::TextEdit::singleline(&mut form.witness).id(egui::Id::unique(("witness-name", generation))))
            .labelled_by(label.id);
        if std::mem::take(&mut form.focus_witness) {
            witness.request_focus();
            witness.scroll_to_me(Some(egui::Align::Center));
        }
        ui.end_row();
        password::field(
            ui,
            Text::WitnessPassword.get(lang),
            &mut form.witness_password,
            password::id("witness", generation),
        );
        ui.end_row();
    });
    let has_reason = !form.reason.trim().is_empty();
    ui.horizontal(|ui| {
        let destroy = ui
            .add_enabled(has_reason, egui::Button::new(Text::DestroyItem.get(lang)))
            .on_disabled_hover_text(Text::NeedReason.get(lang));
        if destroy.clicked() {
            actions.push(Action::Destroy);
        }
        ui.separator();
        let label = ui.label(Text::DowngradeTo.get(lang));
        let selected = form
            .downgrade_to
            .map_or(Text::ChooseLevel.get(lang).to_string(), |l| banner::label(l, lang));
        ui.add_enabled_ui(officer, |ui| {
            egui::ComboBox::from_id_salt("downgrade-to")
                .selected_text(selected)
                .show_ui(ui, |ui| {
                    for lower in Level::ALL.into_iter().filter(|l| *l < level) {
                        ui.selectable_value(&mut form.downgrade_to, Some(lower), banner::label(lower, lang));
                    }
                })
                .response
                .labelled_by(label.id);
        });
        let ready = officer && has_reason && form.downgrade_to.is_some();
        let why = if officer { Text::NeedReason } else { Text::OfficersOnly };
        if ui
            .add_enabled(ready, egui::Button::new(Text::DowngradeItem.get(lang)))
            .on_disabled_hover_text(why.get(lang))
            .clicked()
        {
            actions.push(Action::Downgrade);
        }
    });
}

/// The file name a save dialog suggests for an export: the control number, with the original
/// file's extension when it is a plain one (letters and digits, up to ten), so the file opens
/// in its program; the rest of the original name stays out of the dialog.
fn suggested_name(control: &str, original_name: &str) -> String {
    let extension = std::path::Path::new(original_name)
        .extension()
        .and_then(|e| e.to_str())
        .filter(|e| !e.is_empty() && e.len() <= 10 && e.chars().all(|c| c.is_ascii_alphanumeric()));
    match extension {
        Some(extension) => format!("{control}.{extension}"),
        None => control.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::suggested_name;

    #[test]
    fn the_suggested_name_is_the_control_number_with_a_plain_extension() {
        assert_eq!(
            suggested_name("SR-2026-000003", "ridge-north.las"),
            "SR-2026-000003.las"
        );
        assert_eq!(
            suggested_name("SR-2026-000003", "Harbour Plan.TIF"),
            "SR-2026-000003.TIF"
        );
        assert_eq!(suggested_name("SR-2026-000003", "README"), "SR-2026-000003");
        assert_eq!(suggested_name("SR-2026-000003", "x.tar.gz"), "SR-2026-000003.gz");
        assert_eq!(suggested_name("SR-2026-000003", "odd.ex t"), "SR-2026-000003");
        assert_eq!(suggested_name("SR-2026-000003", "a.\u{202e}fdp"), "SR-2026-000003");
    }
}
