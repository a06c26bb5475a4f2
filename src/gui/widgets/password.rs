//! A password field that leaves nothing behind: masked, labelled for screen readers and
//! tests, its undo history cleared after every frame (egui keeps the plaintext there
//! otherwise, DESIGN.md §8), and its widget state removable on lock.

use eframe::egui::{self, text_edit::TextEditState};
use zeroize::Zeroizing;

/// The id of a password field: its name and the lock generation, so fields drawn after a
/// lock never share state with the ones before it.
pub fn id(name: &str, generation: u64) -> egui::Id {
    egui::Id::unique(("strongroom-password", name, generation))
}

/// Draw a label and a password field bound to `value` in the current layout (two cells of a
/// grid); returns the field's response.
pub fn field(ui: &mut egui::Ui, label: &str, value: &mut Zeroizing<String>, id: egui::Id) -> egui::Response {
    let label = ui.label(label);
    let output = egui::TextEdit::singleline(&mut **value)
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

/// Forget the widget state (cursor, undo history) of the password fields in `ids`.
pub fn forget(ctx: &egui::Context, ids: &[egui::Id]) {
    ctx.data_mut(|data| {
        for id in ids {
            data.remove::<TextEditState>(*id);
        }
    });
}
