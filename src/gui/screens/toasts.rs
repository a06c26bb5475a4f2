//! Short notices in the lower right corner (a job finished, a bundle was written), each
//! for a few seconds.

use std::time::Duration;

use eframe::egui;

use crate::gui::model::SignedIn;

/// Width of a notice.
const TOAST_WIDTH: f32 = 420.0;

/// How long a notice stays.
pub const SHOWN: Duration = Duration::from_secs(6);

/// Draw the notices that are still fresh (`App::logic` forgets the others).
pub fn show(ctx: &egui::Context, signed_in: Option<&SignedIn>) {
    let Some(s) = signed_in.filter(|s| !s.toasts.is_empty()) else {
        return;
    };
    egui::Area::new(egui::Id::unique("strongroom-toasts"))
        .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-16.0, -56.0))
        .show(ctx, |ui| {
            for (text, _) in &s.toasts {
                // Wide enough for a path or a control-number list without breaking words.
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_min_width(TOAST_WIDTH.min(ctx.content_rect().width() - 48.0));
                    ui.set_max_width(TOAST_WIDTH);
                    ui.add(egui::Label::new(text).wrap());
                });
            }
        });
    ctx.request_repaint_after(Duration::from_millis(500));
}
