//! The custody ledger for officers: verify it, with a clear pass or fail naming the first bad
//! event. (Bundles and the event browser are in the CLI for now: `ledger export`,
//! `audit verify`.)

use eframe::egui;

use crate::gui::i18n::Text;
use crate::gui::model::{Action, Model};

/// Draw the ledger screen.
pub fn show(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    let lang = model.lang;
    ui.heading(Text::Ledger.get(lang));
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!model.verifying, egui::Button::new(Text::Verify.get(lang)))
            .clicked()
        {
            actions.push(Action::Verify);
        }
        if model.verifying {
            ui.spinner();
        }
    });
    let Some(report) = &model.verify else {
        return;
    };
    if report.ok {
        ui.colored_label(egui::Color32::from_rgb(0x2e, 0x9d, 0x4f), Text::LedgerOk.get(lang));
        ui.label(format!("{} events, {} checkpoints", report.events, report.checkpoints));
    } else {
        ui.colored_label(ui.visuals().error_fg_color, Text::LedgerBad.get(lang));
        if let Some(bad) = &report.first_bad {
            ui.strong(format!("seq {}", bad.seq));
            ui.label(&bad.detail);
        }
        for finding in report.findings.iter().take(20) {
            ui.label(format!("seq {} — {}", finding.seq, finding.detail));
        }
    }
}
