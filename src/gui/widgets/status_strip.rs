//! The status strip: network state, removable media, cloud sync and the guard. Until the
//! guard and cloud issues land these say "not monitored", honestly. A ledger that the station
//! no longer signs (damaged outside Strongroom) is named here on every screen.

use eframe::egui;

use crate::gui::i18n::{Lang, Text};
use crate::gui::messages::Failure;

/// Draw the strip.
pub fn show(ui: &mut egui::Ui, lang: Lang, signing_problem: Option<&Failure>) {
    ui.horizontal_wrapped(|ui| {
        for text in [Text::Network, Text::Media, Text::CloudSync, Text::Guard] {
            ui.label(format!("{}: {}", text.get(lang), Text::NotMonitored.get(lang)));
            ui.separator();
        }
        // The ledger signs nothing more until an officer deals with it: said on every screen.
        if let Some(problem) = signing_problem {
            let mut why = problem.kind.headline(lang);
            for advice in problem.kind.advice(lang) {
                why.push_str("\n• ");
                why.push_str(&advice);
            }
            ui.colored_label(ui.visuals().error_fg_color, Text::SigningStopped.get(lang))
                .on_hover_text(why);
        }
    });
}
