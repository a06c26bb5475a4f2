//! Text from outside (file names, titles, paths, user names typed at a prompt, error messages
//! that quote them) made safe to print or record: the one escaping function every output
//! uses, and a cap for names recorded in the ledger.

/// Control characters (a newline, an escape sequence that retitles the window or clears the
/// screen) and the invisible bidirectional controls that make a name read backwards (U+202E)
/// shown escaped, so no name can forge or hide part of a line.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else if is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`printable`], cut to at most `max_bytes` bytes on a character boundary (ending in `…`
/// when cut): what the ledger records of a name someone typed.
pub fn capped(text: &str, max_bytes: usize) -> String {
    let shown = printable(text);
    if shown.len() <= max_bytes {
        return shown;
    }
    const MORE: &str = "…";
    let mut end = max_bytes.saturating_sub(MORE.len());
    while !shown.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{MORE}", &shown[..end])
}

/// The Unicode bidirectional formatting characters, and the invisible ones that hide text.
/// (Zero-width joiners are left alone: scripts such as Persian and Devanagari need them.)
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::{capped, printable};

    #[test]
    fn terminal_controls_and_bidi_overrides_are_shown_escaped() {
        assert_eq!(printable("plain 名字.tif"), "plain 名字.tif");
        assert_eq!(printable("a\nb"), "a\\nb");
        assert_eq!(printable("\u{1b}]0;owned\u{7}"), "\\u{1b}]0;owned\\u{7}");
        assert_eq!(printable("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(printable("invoice\u{202E}fdp.exe"), "invoice\\u{202e}fdp.exe");
        assert_eq!(printable("x\u{2066}y\u{2069}"), "x\\u{2066}y\\u{2069}");
        // Joiners some scripts need stay.
        assert_eq!(printable("می\u{200C}خواهم"), "می\u{200C}خواهم");
    }

    #[test]
    fn capped_names_fit_and_end_on_a_character() {
        assert_eq!(capped("alice", 64), "alice");
        let long = "名".repeat(100);
        let cut = capped(&long, 64);
        assert!(cut.len() <= 64 && cut.ends_with('…'), "{cut}");
        assert_eq!(capped(&"\u{1b}".repeat(30), 64).len(), 64);
    }
}
