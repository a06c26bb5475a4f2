//! The desktop app (feature `gui`): a thin eframe layer over `Station`. The station lives on
//! its own thread (`worker`); screens draw a view-model and return actions (`model`); file
//! dialogs sit behind a trait (`dialogs`). Nothing here touches SQL, crypto or files.

pub mod alert_text;
pub mod app;
pub mod contrast;
pub mod detail_text;
pub mod dialogs;
pub mod error_text;
pub mod i18n;
pub mod messages;
pub mod model;
pub mod screens;
pub mod signed_in;
pub mod theme;
pub mod vocabulary;
pub mod widgets;
pub mod worker;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, bail};
use eframe::egui;

use app::App;
use dialogs::{Dialogs, NativeDialogs};
use model::Model;
use worker::{Worker, WorkerOptions};

/// The window icon: `assets/strongroom.svg` rendered to 64×64 RGBA (`convert -background none
/// -resize 64x64 strongroom.svg -depth 8 rgba:strongroom-64.rgba`).
const WINDOW_ICON: &[u8] = include_bytes!("../../assets/strongroom-64.rgba");

/// Open the window over the vault at `root`. Without a display, say so in one line.
pub fn run(root: PathBuf) -> Result<()> {
    let has_display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
    if !has_display {
        bail!("no display to open the desktop app on; use the command line instead (strongroom --help)");
    }
    // Before eframe starts its threads (the local offset can only be read now).
    widgets::local_time::learn_offset();
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("Strongroom")
            .with_inner_size([1200.0, 760.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true)
            .with_icon(Arc::new(egui::IconData {
                rgba: WINDOW_ICON.to_vec(),
                width: 64,
                height: 64,
            })),
        ..Default::default()
    };
    eframe::run_native(
        "Strongroom",
        options,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let repaint = Arc::new(move || ctx.request_repaint());
            let worker = Worker::start(
                WorkerOptions {
                    root: root.clone(),
                    clock: strongroom::time::system_clock(),
                    kdf: None,
                    idle_poll: Duration::from_secs(1),
                    guard_dir: strongroom::guard::state::guard_dir(),
                    guard_probes: None,
                    certificate_dir: worker::certificate_view_dir(),
                    viewer: worker::desktop_viewer(),
                    cloud: None,
                },
                repaint,
            )?;
            let dialogs = Dialogs::new(Box::new(NativeDialogs));
            Ok(Box::new(App::new(&cc.egui_ctx, Model::new(root), worker, dialogs)))
        }),
    )
    .map_err(|e| {
        anyhow::anyhow!("the desktop app could not start ({e}); use the command line instead (strongroom --help)")
    })
}
