//! The status strip: network state, removable media, cloud sync and the guard. Until the
//! guard and cloud issues land these say "not monitored", honestly.

use eframe::egui;

use crate::gui::i18n::{Lang, Text};

/// Draw the strip.
pub fn show(ui: &mut egui::Ui, lang: Lang) {
    ui.horizontal(|ui| {
        for text in [Text::Network, Text::Media, Text::CloudSync, Text::Guard] {
            ui.label(format!("{}: {}", text.get(lang), Text::NotMonitored.get(lang)));
            ui.separator();
        }
    });
}
