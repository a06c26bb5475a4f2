//! Open alerts (lockouts now; guard and cloud alerts as they land), each acknowledged by an
//! officer with a comment that is recorded in the ledger.

use eframe::egui;
use strongroom::accounts::Role;

use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model};
use crate::gui::widgets::banner;

/// Draw the alerts.
pub fn show(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.lang;
    ui.heading(Text::Alerts.get(lang));
    if model.alerts.is_empty() {
        ui.label(Text::NoAlerts.get(lang));
        return;
    }
    // Acknowledging is an officer's decision, signed with the admin key.
    let officer = model.session.as_ref().is_some_and(|s| s.role == Role::Officer);
    if !officer {
        ui.label(Text::OfficersAcknowledge.get(lang));
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        for alert in &model.alerts {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal(|ui| {
                    ui.strong(format!("#{} {}", alert.seq, alert.action));
                    ui.label(&alert.time);
                    ui.label(&alert.subject);
                    if let Some(level) = alert.level {
                        ui.label(banner::label(level, lang));
                    }
                });
                if !officer {
                    return;
                }
                let comment = model.alert_comments.entry(alert.seq).or_default();
                ui.horizontal(|ui| {
                    let label = ui.label(format!("{} #{}", Text::Comment.get(lang), alert.seq));
                    ui.add(egui::TextEdit::singleline(comment).desired_width(360.0))
                        .labelled_by(label.id);
                    if ui
                        .add_enabled(
                            !comment.trim().is_empty(),
                            egui::Button::new(Text::Acknowledge.get(lang)),
                        )
                        .clicked()
                    {
                        actions.push(Action::Acknowledge(alert.seq));
                    }
                });
            });
        }
    });
}
