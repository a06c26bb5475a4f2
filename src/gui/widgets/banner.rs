//! The classification banner, top and bottom: the system-high level of what is on screen,
//! in its colour, with its label in the current language.

use eframe::egui::{self, RichText};
use strongroom::Level;

use crate::gui::i18n::Lang;
use crate::gui::theme::{level_colour, level_text_colour};

/// The banner text of a level in `lang` (English names upper-cased, Chinese labels as is).
pub fn label(level: Level, lang: Lang) -> String {
    match lang {
        Lang::En => level.name().replace('-', " ").to_uppercase(),
        Lang::Zh => level.label_zh().to_string(),
    }
}

/// Draw a full-width banner for `level`.
pub fn show(ui: &mut egui::Ui, level: Level, lang: Lang) {
    let colour = level_colour(level);
    egui::Frame::NONE.fill(colour).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.vertical_centered(|ui| {
            ui.label(
                RichText::new(label(level, lang))
                    .strong()
                    .color(level_text_colour(level)),
            );
        });
    });
}

/// A level's name as text in the page: in the level's hue, in the shade that reads on the
/// current theme (`theme::level_ink`).
pub fn word(ui: &mut egui::Ui, level: Level, lang: Lang) -> egui::Response {
    let ink = crate::gui::theme::level_ink(level, ui.visuals().dark_mode);
    ui.label(RichText::new(label(level, lang)).strong().color(ink))
}
