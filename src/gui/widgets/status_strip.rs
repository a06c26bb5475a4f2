//! The status strip, on every screen: the air-gap state (AIR-GAPPED in green, NETWORKED in
//! red naming the interfaces), the removable media mounted, whether a guard runs for this
//! vault, and the cloud-synced and network folders found (with sync clients running). A ledger that
//! the station no longer signs (damaged outside Strongroom) is named here too.

use eframe::egui;
use strongroom::guard::NetState;
use strongroom::guard::status::{GuardNews, GuardStrip};

use crate::gui::i18n::{Lang, Text};
use crate::gui::messages::Failure;
use crate::gui::theme;

/// Draw the strip. `guard` is the latest reading (none yet: "not monitored").
/// Clicking the Cloud field sets `open_cloud`.
pub fn show(
    ui: &mut egui::Ui,
    lang: Lang,
    guard: Option<&GuardStrip>,
    signing_problem: Option<&Failure>,
    open_cloud: &mut bool,
) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        let not_monitored = Text::NotMonitored.get(lang);
        // Network.
        ui.label(format!("{}:", Text::Network.get(lang)));
        match guard.map(|g| &g.network) {
            Some(NetState::AirGapped) => {
                ui.colored_label(
                    theme::safe_ink(dark),
                    egui::RichText::new(Text::AirGapped.get(lang)).strong(),
                );
            }
            Some(NetState::Networked { interfaces }) => {
                let text = format!("{} ({})", Text::Networked.get(lang), interfaces.join(", "));
                ui.colored_label(theme::alarm_ink(dark), egui::RichText::new(text).strong());
            }
            None => {
                ui.label(not_monitored);
            }
        }
        ui.separator();
        // Removable media.
        match guard.map(|g| &g.media) {
            Some(media) if media.is_empty() => {
                ui.label(format!("{}: {}", Text::Media.get(lang), Text::NoMedia.get(lang)));
            }
            Some(media) => {
                let names: Vec<String> = media.iter().map(|m| m.name()).collect();
                let points: Vec<String> = media.iter().map(|m| m.mount_point.display().to_string()).collect();
                let (count, names) = (media.len(), names.join(", "));
                let mounted = match lang {
                    Lang::En => format!("{count} {} ({names})", Text::MediaMounted.get(lang)),
                    Lang::Zh => format!("{} {count} 个（{names}）", Text::MediaMounted.get(lang)),
                };
                ui.label(format!("{}: {mounted}", Text::Media.get(lang)))
                    .on_hover_text(points.join("\n"));
            }
            None => {
                ui.label(format!("{}: {not_monitored}", Text::Media.get(lang)));
            }
        }
        ui.separator();
        // Cloud-synced and network folders, and sync clients running (an alarm: they send
        // what lands in their folders elsewhere).
        match guard.map(|g| &g.cloud) {
            Some(cloud) => {
                let label = Text::CloudSync.get(lang);
                let folders = cloud.folders.len();
                let found = if folders == 0 {
                    Text::NoSyncedFolders.get(lang).to_string()
                } else {
                    let noun = if folders == 1 {
                        Text::SyncedFolder
                    } else {
                        Text::SyncedFolders
                    };
                    format!("{folders} {}", noun.get(lang))
                };
                // The count opens the Cloud window: each folder with its provider and evidence.
                if ui.link(format!("{label}: {found}")).clicked() {
                    *open_cloud = true;
                }
                if !cloud.clients.is_empty() {
                    let running = format!("{} {}", cloud.clients.join(", "), Text::ClientsRunning.get(lang));
                    ui.colored_label(theme::alarm_ink(dark), running);
                }
            }
            None => {
                ui.label(format!("{}: {not_monitored}", Text::CloudSync.get(lang)));
            }
        }
        ui.separator();
        // The guard: the app never runs one itself (it needs root), it only says.
        ui.label(format!("{}:", Text::Guard.get(lang)));
        match guard {
            Some(GuardStrip {
                running: Some(holder), ..
            }) => {
                let since = holder.since.get(11..16).unwrap_or_default();
                ui.label(format!(
                    "{} ({} {since})",
                    Text::GuardRunning.get(lang),
                    Text::GuardSince.get(lang)
                ))
                .on_hover_text(format!("PID {}", holder.pid));
            }
            Some(strip) if strip.enabled => {
                ui.colored_label(theme::alarm_ink(dark), Text::GuardNotRunning.get(lang));
                if let Some(late) = &strip.late {
                    ui.colored_label(
                        theme::alarm_ink(dark),
                        format!(
                            "{} {} UTC",
                            Text::GuardLate.get(lang),
                            late.from.get(..16).unwrap_or(&late.from).replace('T', " ")
                        ),
                    );
                }
            }
            Some(_) => {
                ui.label(Text::GuardNotEnabled.get(lang));
            }
            None => {
                ui.label(not_monitored);
            }
        }
        // The ledger signs nothing more until an officer deals with it: said on every screen.
        if let Some(problem) = signing_problem {
            let mut why = problem.kind.headline(lang);
            for advice in problem.kind.advice(lang) {
                why.push_str("\n• ");
                why.push_str(&advice);
            }
            ui.colored_label(ui.visuals().error_fg_color, Text::SigningStopped.get(lang))
                .on_hover_text(why);
        }
    });
}

/// A notice for something the guard recorded.
pub fn news(news: &GuardNews, lang: Lang) -> String {
    match news {
        GuardNews::NewInterface { interface } => format!("{}: {interface}", Text::NewInterfaceNotice.get(lang)),
        GuardNews::MediumWhileNetworked { medium } => {
            format!("{}: {medium}", Text::MediumWhileNetworkedNotice.get(lang))
        }
        GuardNews::NetworkWhileMedium => Text::NetworkWhileMediumNotice.get(lang).to_string(),
        GuardNews::VaultMaterial => Text::VaultMaterialNotice.get(lang).to_string(),
        GuardNews::InSyncedFolder { provider } => format!("{}: {provider}", Text::SyncedFolderNotice.get(lang)),
        GuardNews::UnregisteredMedium { medium } => {
            format!("{}: {medium}", Text::UnregisteredMediumNotice.get(lang))
        }
        GuardNews::NetworkChanged {
            networked: true,
            interfaces,
        } => format!(
            "{}: {} ({})",
            Text::Network.get(lang),
            Text::Networked.get(lang),
            interfaces.join(", ")
        ),
        GuardNews::NetworkChanged { networked: false, .. } => {
            format!("{}: {}", Text::Network.get(lang), Text::AirGapped.get(lang))
        }
        GuardNews::Mounted { medium } => format!("{}: {medium}", Text::MediumMountedNotice.get(lang)),
        GuardNews::Unmounted { medium } => format!("{}: {medium}", Text::MediumRemovedNotice.get(lang)),
        GuardNews::DirectoryDistrusted => Text::DirectoryDistrustedNotice.get(lang).to_string(),
        GuardNews::Copied { medium, .. } => format!("{}: {medium}", Text::CopiedNotice.get(lang)),
    }
}
