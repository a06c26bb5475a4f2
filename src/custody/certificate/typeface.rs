//! The bundled font (a GB2312 subset of Noto Sans CJK SC, `assets/fonts/`) as certificates
//! use it: which characters it has, and how wide a line is. A character the font lacks
//! would vanish from the PDF without a trace (krilla draws `.notdef` and says nothing), so
//! every string is checked first and such characters are written as `<U+XXXX>` instead.

use crate::{Error, Result};

/// The bundled font's bytes (also the app's Chinese font).
pub static FONT: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-GB2312.otf");

/// The bundled font, parsed.
pub struct Typeface {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
}

impl Typeface {
    /// Parse the bundled font.
    pub fn bundled() -> Result<Typeface> {
        let face = ttf_parser::Face::parse(FONT, 0).map_err(|e| Error::integrity("the bundled font", e.to_string()))?;
        let units_per_em = f32::from(face.units_per_em());
        Ok(Typeface { face, units_per_em })
    }

    /// Whether the font draws `c`.
    pub fn covers(&self, c: char) -> bool {
        c == ' ' || self.face.glyph_index(c).is_some_and(|g| g.0 != 0)
    }

    /// The characters of `text` the font lacks, once each, in order.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::new();
        for c in text.chars().filter(|c| !self.covers(*c)) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// `text` as the PDF can show it: control characters become spaces and each character
    /// the font lacks becomes `<U+XXXX>`, so nothing disappears unseen.
    pub fn printable(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_control() {
                out.push(' ');
            } else if self.covers(c) {
                out.push(c);
            } else {
                out.push_str(&format!("<U+{:04X}>", u32::from(c)));
            }
        }
        out
    }

    /// Width of `text` (already printable) at `size` points: the sum of its advances.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(0, u32::from)
            })
            .sum();
        units as f32 * size / self.units_per_em
    }

    /// `text` (already printable) broken into lines no wider than `width` at `size`: at
    /// spaces where it can, anywhere (a hash, a long CJK run) where it must.
    pub fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_inclusive(' ') {
            let candidate = format!("{line}{word}");
            if self.width(candidate.trim_end(), size) <= width {
                line = candidate;
                continue;
            }
            if !line.trim().is_empty() {
                lines.push(line.trim_end().to_string());
                line.clear();
            }
            for c in word.chars() {
                let next = format!("{line}{c}");
                if self.width(next.trim_end(), size) > width && !line.is_empty() {
                    lines.push(line.trim_end().to_string());
                    line = c.to_string();
                } else {
                    line = next;
                }
            }
        }
        if !line.trim().is_empty() || lines.is_empty() {
            lines.push(line.trim_end().to_string());
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_outside_the_font_are_shown_by_code_point() {
        let face = Typeface::bundled().unwrap();
        // 堃 and 喆 are outside GB2312 (research/pdf.md: they rendered blank).
        assert_eq!(face.missing("王堃 / 陈喆 abc"), vec!['堃', '喆']);
        assert_eq!(face.printable("王堃\n"), "王<U+5803> ");
        assert!(face.missing("绝密 TOP SECRET 销毁证明 SR-2026-000042").is_empty());
    }

    #[test]
    fn lines_wrap_within_the_width_and_keep_every_character() {
        let face = Typeface::bundled().unwrap();
        let text =
            "crypto erase of the data encryption key, then the ciphertext overwritten once and removed 然后删除密文";
        let lines = face.wrap(text, 9.0, 150.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| face.width(l, 9.0) <= 150.0));
        let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
        let source: String = text.chars().filter(|c| *c != ' ').collect();
        assert_eq!(joined, source);
        let hash = "a".repeat(64);
        assert!(face.wrap(&hash, 9.0, 100.0).len() > 1);
    }
}
