//! The Custody screen: offers of custody open now (accept or decline those made to you);
//! for officers, the Due list (items whose retention date has come, each opening its page
//! or the destroy dialog), the certificates of destruction, and the inventory, run as a job
//! with a progress bar, with what it found.

use std::sync::Arc;

use eframe::egui;
use strongroom::accounts::Role;
use strongroom::custody::inventory::Report;
use strongroom::custody::retention::DueItem;
use strongroom::progress::Progress;
use strongroom::station::{PendingOffer, Tombstone};

use super::Context;
use crate::gui::i18n::{Lang, Text};
use crate::gui::model::{Action, CustodyStep};
use crate::gui::vocabulary;
use crate::gui::widgets::{banner, local_time};
use strongroom::vault::Category;

/// The Custody screen's state.
#[derive(Default)]
pub struct CustodyScreen {
    /// Offers open now.
    pub offers: Vec<PendingOffer>,
    /// Items due for destruction.
    pub due: Vec<DueItem>,
    /// Destroyed items: what remains of each.
    pub tombstones: Vec<Tombstone>,
    /// The last inventory's findings.
    pub report: Option<Report>,
    /// The inventory running now: its job number and counters.
    pub running: Option<(u64, Arc<Progress>)>,
    /// Certificates of destruction (officers).
    pub certificates: super::certificates::CertificatesScreen,
}

impl CustodyScreen {
    /// How many things wait for this user: open offers made to them, and for officers the
    /// items due (the number on the tab).
    pub fn waiting(&self, user: &str, role: Role) -> usize {
        let mine = self.offers.iter().filter(|o| o.to == user).count();
        if role == Role::Officer {
            mine + self.due.len()
        } else {
            mine
        }
    }

    /// Draw the screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.heading(Text::CustodyHeading.get(cx.lang));
            self.offers_ui(ui, cx, &mut actions);
            if cx.session.role == Role::Officer {
                ui.add_space(10.0);
                self.due_ui(ui, cx, &mut actions);
                ui.add_space(10.0);
                self.certificates.ui(ui, cx, &mut actions);
                ui.add_space(10.0);
                self.inventory_ui(ui, cx, &mut actions);
            }
            ui.add_space(10.0);
            self.tombstones_ui(ui, cx);
        });
        actions
    }

    fn offers_ui(&self, ui: &mut egui::Ui, cx: &Context<'_>, actions: &mut Vec<Action>) {
        let lang = cx.lang;
        ui.strong(Text::OffersHeading.get(lang));
        if self.offers.is_empty() {
            ui.label(Text::NoOffers.get(lang));
            return;
        }
        egui::Grid::new("custody-offers")
            .num_columns(5)
            .striped(true)
            .show(ui, |ui| {
                for heading in [Text::ControlNumber, Text::Level, Text::OfferFromTo, Text::OfferLapses] {
                    ui.strong(heading.get(lang));
                }
                ui.label("");
                ui.end_row();
                for offer in &self.offers {
                    if ui.link(&offer.control_number).clicked() {
                        actions.push(Action::OpenItem(offer.control_number.clone()));
                    }
                    banner::word(ui, offer.level, lang);
                    let parties = ui.label(format!("{} → {}", offer.from, offer.to));
                    if let Some(note) = &offer.note {
                        parties.on_hover_text(note);
                    }
                    local_time::label(ui, &offer.expires_at);
                    ui.horizontal(|ui| {
                        if offer.to == cx.session.user && ui.button(Text::AcceptCustody.get(lang)).clicked() {
                            actions.push(Action::Custody(CustodyStep::Accept(offer.control_number.clone())));
                        }
                        let close = if offer.to == cx.session.user {
                            Text::DeclineCustody
                        } else {
                            Text::WithdrawOffer
                        };
                        if ui.button(close.get(lang)).clicked() {
                            actions.push(Action::Custody(CustodyStep::Decline(offer.control_number.clone())));
                        }
                    });
                    ui.end_row();
                }
            });
    }

    fn due_ui(&self, ui: &mut egui::Ui, cx: &Context<'_>, actions: &mut Vec<Action>) {
        let lang = cx.lang;
        ui.strong(format!("{} ({})", Text::DueHeading.get(lang), self.due.len()));
        if self.due.is_empty() {
            ui.label(Text::NothingDue.get(lang));
            return;
        }
        egui::Grid::new("custody-due")
            .num_columns(6)
            .striped(true)
            .show(ui, |ui| {
                for heading in [
                    Text::ControlNumber,
                    Text::Level,
                    Text::Custodian,
                    Text::RetentionDue,
                    Text::DaysOverdue,
                ] {
                    ui.strong(heading.get(lang));
                }
                ui.label("");
                ui.end_row();
                for due in &self.due {
                    if ui.link(&due.control_number).clicked() {
                        actions.push(Action::OpenItem(due.control_number.clone()));
                    }
                    banner::word(ui, due.level, lang);
                    ui.label(&due.custodian);
                    ui.label(&due.retain_until);
                    ui.label(due.days_overdue.to_string());
                    if ui.button(Text::DestroyOne.get(lang)).clicked() {
                        actions.push(Action::OpenDestroy {
                            items: vec![due.control_number.clone()],
                            reason: format!("{} ({})", Text::RetentionEnded.get(lang), due.retain_until),
                        });
                    }
                    ui.end_row();
                }
            });
    }

    fn tombstones_ui(&self, ui: &mut egui::Ui, cx: &Context<'_>) {
        let lang = cx.lang;
        ui.strong(format!(
            "{} ({})",
            Text::DestroyedHeading.get(lang),
            self.tombstones.len()
        ));
        if self.tombstones.is_empty() {
            ui.label(Text::NothingDestroyed.get(lang));
            return;
        }
        ui.weak(Text::TombstoneHint.get(lang));
        egui::ScrollArea::horizontal().id_salt("tombstones").show(ui, |ui| {
            egui::Grid::new("custody-tombstones")
                .num_columns(8)
                .striped(true)
                .show(ui, |ui| {
                    for heading in [
                        Text::ControlNumber,
                        Text::Level,
                        Text::Category,
                        Text::Size,
                        Text::Sha256,
                        Text::DestroyedAt,
                        Text::DestroyedBy,
                        Text::WitnessedBy,
                    ] {
                        ui.strong(heading.get(lang));
                    }
                    ui.end_row();
                    for t in &self.tombstones {
                        ui.label(&t.control_number).on_hover_text(&t.reason);
                        banner::word(ui, t.level, lang);
                        ui.label(vocabulary::category(Category::parse(&t.category), lang));
                        ui.label(t.size.map_or_else(|| "—".into(), super::browser::human_size));
                        ui.label(format!("{}…", t.sha256.get(..12).unwrap_or(&t.sha256)))
                            .on_hover_text(&t.sha256);
                        local_time::label(ui, &t.destroyed_at);
                        ui.label(&t.destroyed_by);
                        ui.label(t.witness.as_deref().or(t.approved_by.as_deref()).unwrap_or("—"));
                        ui.end_row();
                    }
                });
        });
    }

    fn inventory_ui(&self, ui: &mut egui::Ui, cx: &Context<'_>, actions: &mut Vec<Action>) {
        let lang = cx.lang;
        ui.strong(Text::InventoryHeading.get(lang));
        ui.weak(Text::InventoryHint.get(lang));
        ui.horizontal(|ui| {
            let idle = self.running.is_none();
            if ui
                .add_enabled(idle, egui::Button::new(Text::RunInventory.get(lang)))
                .clicked()
            {
                actions.push(Action::RunInventory { deep: false });
            }
            if ui
                .add_enabled(idle, egui::Button::new(Text::RunDeepInventory.get(lang)))
                .clicked()
            {
                actions.push(Action::RunInventory { deep: true });
            }
        });
        if let Some((job, progress)) = &self.running {
            let (done, total) = if progress.total() > 0 {
                (progress.done(), progress.total())
            } else {
                (progress.files_done(), progress.files_total())
            };
            let fraction = if total == 0 { 0.0 } else { done as f32 / total as f32 };
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(320.0)
                        .show_percentage()
                        .text(Text::InventoryRunning.get(lang)),
                );
                if ui.button(Text::Cancel.get(lang)).clicked() {
                    actions.push(Action::CancelJob(*job));
                }
            });
        }
        if let Some(report) = &self.report {
            findings(ui, report, lang);
        }
    }
}

/// What the last inventory found.
fn findings(ui: &mut egui::Ui, report: &Report, lang: Lang) {
    ui.label(format!(
        "{} {}, {} {}, {} {}",
        report.items,
        Text::CountItems.get(lang),
        report.destroyed,
        Text::CountDestroyed.get(lang),
        report.objects,
        Text::CountObjects.get(lang)
    ));
    if let Some(deep) = &report.deep {
        ui.label(format!(
            "{}: {} ({})",
            Text::InventoryDecrypted.get(lang),
            deep.checked,
            super::browser::human_size(deep.bytes)
        ));
    }
    if report.is_clean() {
        ui.label(Text::InventoryClean.get(lang));
        return;
    }
    let bad = ui.visuals().error_fg_color;
    egui::Grid::new("inventory-findings")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            let row = |ui: &mut egui::Ui, kind: Text, what: &str, detail: &str| {
                ui.colored_label(bad, kind.get(lang));
                ui.label(what);
                ui.label(detail);
                ui.end_row();
            };
            for f in &report.missing {
                row(ui, Text::FindingMissing, &f.control_number, &f.problem);
            }
            for f in &report.mismatched {
                row(ui, Text::FindingMismatched, &f.control_number, &f.problem);
            }
            for path in &report.orphans {
                row(ui, Text::FindingOrphan, path, "");
            }
            for f in &report.history {
                let detail: Vec<String> = f
                    .differences
                    .iter()
                    .map(|d| format!("{}: {} ≠ {}", d.field, d.row, d.history))
                    .collect();
                row(ui, Text::FindingHistory, &f.control_number, &detail.join("; "));
            }
            for s in &report.disabled_custodians {
                row(ui, Text::FindingStranded, &s.control_number, &s.custodian);
            }
        });
}
