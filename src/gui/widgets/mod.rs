//! Small widgets the screens share.

pub mod banner;
pub mod local_time;
pub mod password;
pub mod status_strip;

/// Whether Enter was pressed in the single-line field that gave `response` (egui moves the
/// focus away on Enter): how a form is submitted from the keyboard.
pub fn entered(ui: &eframe::egui::Ui, response: &eframe::egui::Response) -> bool {
    response.lost_focus() && ui.input(|i| i.key_pressed(eframe::egui::Key::Enter))
}
