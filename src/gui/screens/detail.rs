//! One item: its metadata, its custody timeline from the ledger, and what this user may do
//! with it. Actions that are not possible say why.

use eframe::egui;
use egui_extras::{Column, TableBuilder};

use crate::gui::dialogs::Purpose;
use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model, View};
use crate::gui::widgets::banner;

use super::browser::human_size;

/// Draw the item detail.
pub fn show(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.lang;
    if ui.button(Text::Back.get(lang)).clicked() {
        actions.push(Action::Show(View::Browser));
    }
    let Some(detail) = &model.detail else {
        return;
    };
    let item = &detail.summary;
    ui.heading(format!("{} — {}", item.control_number, item.title));
    egui::Grid::new("item-detail")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let rows = [
                (Text::ControlNumber, item.control_number.to_string()),
                (Text::Level, banner::label(item.level, lang)),
                (Text::Category, item.category.as_str().to_string()),
                (Text::Size, human_size(item.size)),
                (Text::Custodian, item.custodian.clone()),
                (Text::Status, item.status.as_str().to_string()),
                (Text::Created, item.created_at.clone()),
                (Text::OriginalName, detail.original_name.clone()),
                (Text::Notes, detail.notes.clone().unwrap_or_default()),
                (Text::Sha256, detail.sha256.clone()),
            ];
            for (text, value) in rows {
                ui.label(text.get(lang));
                ui.label(value);
                ui.end_row();
            }
        });
    ui.separator();
    ui.horizontal(|ui| {
        let label = ui.label(Text::ExportTo.get(lang));
        ui.add(egui::TextEdit::singleline(&mut model.export_to).desired_width(360.0))
            .labelled_by(label.id);
        if ui.button(Text::Choose.get(lang)).clicked() {
            actions.push(Action::Ask(Purpose::ExportTo(detail.original_name.clone())));
        }
        if ui
            .add_enabled(
                !model.export_to.trim().is_empty(),
                egui::Button::new(Text::StartExport.get(lang)),
            )
            .clicked()
        {
            actions.push(Action::Export);
        }
    });
    ui.add_enabled(false, egui::Button::new(Text::TransferLater.get(lang)));
    ui.separator();
    ui.strong(Text::Timeline.get(lang));
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    TableBuilder::new(ui)
        .id_salt("timeline")
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
                    ui.label(&event.time);
                });
                row.col(|ui| {
                    ui.label(&event.actor);
                });
                row.col(|ui| {
                    ui.label(&event.action);
                });
            });
        });
}
