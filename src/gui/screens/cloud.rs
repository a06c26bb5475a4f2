//! The Cloud window, opened from the status strip's Cloud field: every cloud-synced or
//! network folder found on this machine, with its provider, the evidence that shows it and
//! whether its client runs; the sync clients running. Nothing from the vault goes into
//! these folders: the export dialog refuses them, and so does the station.

use eframe::egui;
use strongroom::cloud::finding::CloudStrip;

use crate::gui::i18n::{Lang, Text};
use crate::gui::theme;

/// Draw the window while `open` is set (its close button clears it).
pub fn show(ctx: &egui::Context, lang: Lang, cloud: Option<&CloudStrip>, open: &mut bool) {
    if !*open {
        return;
    }
    let dark = ctx.global_style().visuals.dark_mode;
    egui::Window::new(Text::CloudFolders.get(lang))
        .open(open)
        .collapsible(false)
        .default_width(620.0)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.label(Text::CloudRule.get(lang));
            ui.separator();
            let Some(cloud) = cloud else {
                ui.label(Text::NotMonitored.get(lang));
                return;
            };
            if cloud.folders.is_empty() {
                ui.label(Text::NoSyncedFoldersFound.get(lang));
            }
            egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
                for folder in &cloud.folders {
                    ui.horizontal_wrapped(|ui| {
                        ui.strong(&folder.provider);
                        ui.label(folder.root.display().to_string());
                        if folder.client_running {
                            ui.colored_label(theme::alarm_ink(dark), Text::ClientRunning.get(lang));
                        } else {
                            ui.label(Text::ClientNotRunning.get(lang));
                        }
                        if !folder.exists {
                            ui.label(Text::FolderMissing.get(lang));
                        }
                    });
                    for line in &folder.evidence {
                        ui.label(format!("    {line}"));
                    }
                    ui.add_space(4.0);
                }
            });
            if !cloud.clients.is_empty() {
                ui.separator();
                ui.colored_label(
                    theme::alarm_ink(dark),
                    format!("{}: {}", Text::SyncClientsRunning.get(lang), cloud.clients.join(", ")),
                );
            }
        });
}
