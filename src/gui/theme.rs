//! Look and fonts: the bundled Chinese font (so 中文 never renders as boxes, also in headless
//! tests), dark and light themes, and the classification colours of DESIGN.md §4a.

use std::path::Path;
use std::sync::Arc;

use eframe::egui::{self, Color32, FontData, FontDefinitions, FontFamily};
use strongroom::Level;

/// A subset of Noto Sans SC covering all of GB2312 (assets/fonts/README.md).
const CJK_FONT: &[u8] = strongroom::custody::certificate::typeface::FONT;

/// Where distributions install full CJK fonts, with the face to use in a collection (Noto
/// Sans CJK's faces are JP, KR, SC, TC, HK: the simplified Chinese one is 2): used after the
/// bundled subset, for user data (names, titles, notes) with characters outside GB2312.
const SYSTEM_CJK_FONTS: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
];

/// Install the fonts: egui's defaults first, the bundled CJK subset as fallback for every
/// family, then the first full CJK font the system has (a character no font has is drawn as
/// a box, egui's default, never a crash).
pub fn install_fonts(ctx: &egui::Context) {
    let system: Vec<(&Path, u32)> = SYSTEM_CJK_FONTS.iter().map(|(p, i)| (Path::new(*p), *i)).collect();
    ctx.set_fonts(font_definitions(&system));
}

/// The font definitions with the bundled subset and the first of `system` (a file and its
/// face) that can be read.
fn font_definitions(system: &[(&Path, u32)]) -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts
        .font_data
        .insert("noto-sans-sc".into(), Arc::new(FontData::from_static(CJK_FONT)));
    let mut fallbacks = vec!["noto-sans-sc".to_string()];
    if let Some((bytes, index)) = system
        .iter()
        .find_map(|(path, index)| std::fs::read(path).ok().map(|bytes| (bytes, *index)))
    {
        let mut font = FontData::from_owned(bytes);
        font.index = index;
        fonts.font_data.insert("system-cjk".into(), Arc::new(font));
        fallbacks.push("system-cjk".to_string());
    }
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .extend(fallbacks.iter().cloned());
    }
    fonts
}

/// Dark or light, with no blinking cursor (no idle repaints) and a dense layout.
pub fn apply(ctx: &egui::Context, dark: bool) {
    ctx.set_visuals(visuals(dark));
    ctx.all_styles_mut(|style| {
        style.visuals.text_cursor.blink = false;
        style.spacing.item_spacing = egui::vec2(8.0, 5.0);
    });
}

/// The banner colour of a level (green, purple, blue, red, orange), as
/// `schemas/classification.json` gives it.
pub fn level_colour(level: Level) -> Color32 {
    let [r, g, b] = level.banner_colours().background;
    Color32::from_rgb(r, g, b)
}

/// The colour of a banner's text for `level` (black on orange, white on the others).
pub fn level_text_colour(level: Level) -> Color32 {
    let [r, g, b] = level.banner_colours().text;
    Color32::from_rgb(r, g, b)
}

/// The colour to write a level's name in on the `dark` or light theme: the level's hue, in a
/// shade that reads at WCAG AA on that theme's panels and windows (the mandated hues stay as
/// banner fills).
pub fn level_ink(level: Level, dark: bool) -> Color32 {
    let v = visuals(dark);
    let fills = [v.panel_fill, v.window_fill, v.extreme_bg_color];
    super::contrast::readable_on(level_colour(level), &fills)
}

/// Green that reads at WCAG AA on the theme's fills: a safe state (AIR-GAPPED).
pub fn safe_ink(dark: bool) -> Color32 {
    let v = visuals(dark);
    super::contrast::readable_on(
        Color32::from_rgb(0x2e, 0x7d, 0x32),
        &[v.panel_fill, v.window_fill, v.extreme_bg_color],
    )
}

/// Red that reads at WCAG AA on the theme's fills: a state to act on (NETWORKED, no guard).
pub fn alarm_ink(dark: bool) -> Color32 {
    let v = visuals(dark);
    super::contrast::readable_on(
        Color32::from_rgb(0xc6, 0x28, 0x28),
        &[v.panel_fill, v.window_fill, v.extreme_bg_color],
    )
}

/// The stock visuals of a theme, before the station's changes.
fn visuals(dark: bool) -> egui::Visuals {
    if dark {
        egui::Visuals::dark()
    } else {
        egui::Visuals::light()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::contrast::{AA, ratio};

    #[test]
    fn a_system_cjk_font_comes_after_the_bundled_subset_and_a_missing_one_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let font = dir.path().join("full-cjk.otf");
        std::fs::write(&font, CJK_FONT).unwrap();
        let missing = dir.path().join("absent.ttc");
        let fonts = font_definitions(&[(&missing, 2), (&font, 0)]);
        let order = &fonts.families[&FontFamily::Proportional];
        let at = |name: &str| order.iter().position(|f| f == name);
        assert!(
            at("noto-sans-sc") < at("system-cjk") && at("system-cjk").is_some(),
            "{order:?}"
        );
        assert_eq!(fonts.font_data["system-cjk"].index, 0);
        let without = font_definitions(&[(&missing, 2)]);
        assert!(!without.font_data.contains_key("system-cjk"));
    }

    #[test]
    fn every_banner_and_every_level_name_reads_at_aa_on_both_themes() {
        for level in Level::ALL {
            let banner = ratio(level_text_colour(level), level_colour(level));
            assert!(banner >= AA, "{level} banner text: {banner:.2}:1");
            for dark in [false, true] {
                let v = visuals(dark);
                let ink = level_ink(level, dark);
                for fill in [v.panel_fill, v.window_fill, v.extreme_bg_color] {
                    let r = ratio(ink, fill);
                    assert!(r >= AA, "{level} as text (dark: {dark}) on {fill:?}: {r:.2}:1");
                }
            }
        }
    }
}
