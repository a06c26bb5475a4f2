//! Contrast as WCAG 2.x defines it, so the colours people must read are chosen by number:
//! banner text on banner fill, and level colours used as text on each theme's background.

use eframe::egui::Color32;

/// The least contrast WCAG AA asks of normal text.
pub const AA: f32 = 4.5;

/// Relative luminance of an sRGB colour (WCAG 2.x, 0 for black to 1 for white).
pub fn luminance(colour: Color32) -> f32 {
    let linear = |c: u8| {
        let c = f32::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(colour.r()) + 0.7152 * linear(colour.g()) + 0.0722 * linear(colour.b())
}

/// The contrast ratio of two colours, from 1 (none) to 21 (black on white).
pub fn ratio(a: Color32, b: Color32) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `colour` itself if it reads at AA on every one of `backgrounds` (one theme's fills), or
/// else the nearest shade of it toward black (light backgrounds) or white (dark ones) that
/// does: the hue stays recognisable while the text becomes readable.
pub fn readable_on(colour: Color32, backgrounds: &[Color32]) -> Color32 {
    let light = backgrounds.iter().map(|b| luminance(*b)).sum::<f32>() > 0.18 * backgrounds.len() as f32;
    let toward = if light { Color32::BLACK } else { Color32::WHITE };
    (0..=20)
        .map(|step| mix(colour, toward, step as f32 / 20.0))
        .find(|shade| backgrounds.iter().all(|b| ratio(*shade, *b) >= AA))
        .unwrap_or(toward)
}

/// `a` moved `t` (0 to 1) of the way to `b`, channel by channel.
fn mix(a: Color32, b: Color32, t: f32) -> Color32 {
    let channel = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    Color32::from_rgb(channel(a.r(), b.r()), channel(a.g(), b.g()), channel(a.b(), b.b()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_matches_the_wcag_reference_points() {
        assert!((ratio(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        assert!((ratio(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 0.001);
        // #767676 on white is the classic lightest grey that passes AA (4.54:1).
        let grey = Color32::from_rgb(0x76, 0x76, 0x76);
        assert!((ratio(grey, Color32::WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn a_shade_that_reads_keeps_its_hue_and_one_that_does_not_moves_only_as_far_as_needed() {
        let dark = Color32::from_gray(27);
        let blue = Color32::from_rgb(0x00, 0x33, 0xA0);
        let shade = readable_on(blue, &[dark]);
        assert!(ratio(shade, dark) >= AA);
        assert!(shade.b() > shade.r(), "still blue: {shade:?}");
        let black = Color32::BLACK;
        assert_eq!(readable_on(Color32::WHITE, &[black]), Color32::WHITE);
    }
}
