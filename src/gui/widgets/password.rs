//! A password field that leaves nothing behind: masked, labelled for screen readers and
//! tests, its undo history cleared after every frame (egui keeps the plaintext there
//! otherwise, DESIGN.md §8), its widget state removed at lock with every text field's, and its buffer reserved
//! up front so typing never reallocates it (a reallocation leaves an unwiped copy behind).

use eframe::egui;
use zeroize::Zeroizing;

/// The id of a password field: its name and the lock generation, so fields drawn after a
/// lock never share state with the ones before it.
pub fn id(name: &str, generation: u64) -> egui::Id {
    egui::Id::unique(("strongroom-password", name, generation))
}

/// Longest password a field takes, in characters.
pub const MAX_CHARS: usize = 256;
/// Bytes reserved for a field: `MAX_CHARS` characters of up to four bytes each.
const CAPACITY: usize = MAX_CHARS * 4;

/// Give `value` room for `MAX_CHARS` characters without ever moving what it already holds
/// unwiped: the contents move into a new reserved buffer and the old one is zeroized as it
/// drops.
pub fn reserve(value: &mut Zeroizing<String>) {
    if value.capacity() < CAPACITY {
        let mut bigger = Zeroizing::new(String::with_capacity(CAPACITY));
        bigger.push_str(value);
        *value = bigger;
    }
}

/// Draw a label and a password field bound to `value` in the current layout (two cells of a
/// grid); returns the field's response.
pub fn field(ui: &mut egui::Ui, label: &str, value: &mut Zeroizing<String>, id: egui::Id) -> egui::Response {
    let label = ui.label(label);
    reserve(value);
    let output = egui::TextEdit::singleline(&mut **value)
        .char_limit(MAX_CHARS)
        .password(true)
        .id(id)
        .desired_width(260.0)
        .show(ui);
    let response = output.response.response;
    let mut state = output.state;
    state.clear_undoer();
    state.store(ui.ctx(), response.id);
    response.labelled_by(label.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_being_typed_never_moves() {
        let mut value = Zeroizing::new(String::from("ab"));
        reserve(&mut value);
        let buffer = value.as_ptr();
        for _ in 2..MAX_CHARS {
            value.push('𝄞'); // four bytes: the widest a character can be
        }
        assert_eq!(value.as_ptr(), buffer, "the buffer was reallocated while typing");
        reserve(&mut value);
        assert_eq!(value.as_ptr(), buffer, "a reserved buffer is kept");
    }
}
