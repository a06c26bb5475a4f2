//! Look and fonts: the bundled Chinese font (so 中文 never renders as boxes, also in headless
//! tests), dark and light themes, and the classification colours of DESIGN.md §4a.

use std::sync::Arc;

use eframe::egui::{self, Color32, FontData, FontDefinitions, FontFamily};
use strongroom::Level;

/// A subset of Noto Sans SC covering all of GB2312 (assets/fonts/README.md).
const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-GB2312.otf");

/// Install the fonts: egui's defaults first, the CJK subset as fallback for every family.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts
        .font_data
        .insert("noto-sans-sc".into(), Arc::new(FontData::from_static(CJK_FONT)));
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("noto-sans-sc".into());
    }
    ctx.set_fonts(fonts);
}

/// Dark or light, with no blinking cursor (no idle repaints) and a dense layout.
pub fn apply(ctx: &egui::Context, dark: bool) {
    ctx.set_visuals(if dark {
        egui::Visuals::dark()
    } else {
        egui::Visuals::light()
    });
    ctx.all_styles_mut(|style| {
        style.visuals.text_cursor.blink = false;
        style.spacing.item_spacing = egui::vec2(8.0, 5.0);
    });
}

/// The banner colour of a level: green, purple, blue, red, orange.
pub fn level_colour(level: Level) -> Color32 {
    match level {
        Level::Unclassified => Color32::from_rgb(0x00, 0x7a, 0x33),
        Level::Internal => Color32::from_rgb(0x6a, 0x1b, 0x9a),
        Level::Confidential => Color32::from_rgb(0x0d, 0x47, 0xa1),
        Level::Secret => Color32::from_rgb(0xc6, 0x28, 0x28),
        Level::TopSecret => Color32::from_rgb(0xef, 0x6c, 0x00),
    }
}
