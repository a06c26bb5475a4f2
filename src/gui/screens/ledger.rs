//! The custody ledger for officers: verify it (a clear pass, or the first bad event),
//! browse events with filters in a virtualized table, write an audit bundle, and self-check a
//! bundle against this station's own key (not an audit: auditors verify on another machine).

use eframe::egui;
use egui_extras::{Column, TableBuilder};

use crate::gui::i18n::{Lang, Text};
use crate::gui::model::Action;
use strongroom::ledger::StoredEvent;
use strongroom::ledger::bundle::BundleReport;
use strongroom::ledger::verify::Report;

use super::Context;
use crate::gui::widgets::{self, local_time};
use crate::gui::{detail_text, vocabulary};

/// The ledger screen: the last verification, the event filter and the events found, and
/// the audit bundle directory with the last self-check.
#[derive(Default)]
pub struct LedgerScreen {
    /// Last ledger verification.
    pub verify: Option<Report>,
    /// A verification is running.
    pub verifying: bool,
    /// Ledger browser filter: item, actor, action, since, until.
    pub filter: [String; 5],
    /// Ledger events found.
    pub events: Vec<StoredEvent>,
    /// Directory of an audit bundle to write or verify.
    pub bundle_dir: String,
    /// The last bundle self-check.
    pub bundle_report: Option<BundleReport>,
}

impl LedgerScreen {
    /// Draw the ledger screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        show(ui, self, cx.lang, &mut actions);
        actions
    }
}

fn show(ui: &mut egui::Ui, s: &mut LedgerScreen, lang: Lang, actions: &mut Vec<Action>) {
    ui.heading(Text::Ledger.get(lang));
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!s.verifying, egui::Button::new(Text::Verify.get(lang)))
            .clicked()
        {
            actions.push(Action::Verify);
        }
        if s.verifying {
            ui.spinner();
        }
    });
    if let Some(report) = &s.verify {
        if report.ok {
            ui.colored_label(egui::Color32::from_rgb(0x2e, 0x9d, 0x4f), Text::LedgerOk.get(lang));
            ui.label(format!(
                "{} {}, {} {}",
                report.events,
                Text::EventsCount.get(lang),
                report.checkpoints,
                Text::CheckpointsCount.get(lang)
            ));
        } else {
            let headline = if report.first_bad.is_some() {
                Text::LedgerBad
            } else {
                Text::ItemsDisagree
            };
            ui.colored_label(ui.visuals().error_fg_color, headline.get(lang));
            if let Some(bad) = &report.first_bad {
                ui.strong(format!("{} {}", Text::Seq.get(lang), bad.seq));
                ui.label(&bad.detail);
            }
            for item in report.item_findings.iter().take(20) {
                for difference in &item.differences {
                    ui.label(format!(
                        "{} {}: {} {} ≠ {} {}",
                        item.control_number,
                        difference.field,
                        Text::RowSays.get(lang),
                        difference.row,
                        Text::HistorySays.get(lang),
                        difference.history
                    ));
                }
            }
        }
        // Not damage: the guard not watching, or not for a while.
        for warning in &report.warnings {
            ui.colored_label(ui.visuals().warn_fg_color, guard_warning(warning, lang));
        }
    }
    ui.separator();
    bundles(ui, s, lang, actions);
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        let names = [Text::ByItem, Text::ByActor, Text::ByAction, Text::Since, Text::Until];
        let mut entered = false;
        for (text, value) in names.iter().zip(s.filter.iter_mut()) {
            let label = ui.label(text.get(lang));
            let field = ui
                .add(egui::TextEdit::singleline(value).desired_width(130.0))
                .labelled_by(label.id);
            entered |= widgets::entered(ui, &field);
        }
        // Search, or Enter in any filter field.
        if ui.button(Text::Search.get(lang)).clicked() || entered {
            actions.push(Action::QueryEvents);
        }
    });
    events_table(ui, s, lang, actions);
}

fn bundles(ui: &mut egui::Ui, s: &mut LedgerScreen, lang: Lang, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let label = ui.label(Text::BundleDir.get(lang));
        ui.add(egui::TextEdit::singleline(&mut s.bundle_dir).desired_width(320.0))
            .labelled_by(label.id);
        let ready = !s.bundle_dir.trim().is_empty();
        if ui
            .add_enabled(ready, egui::Button::new(Text::ExportBundle.get(lang)))
            .clicked()
        {
            actions.push(Action::ExportBundle);
        }
        if ui
            .add_enabled(ready, egui::Button::new(Text::VerifyBundle.get(lang)))
            .clicked()
        {
            actions.push(Action::VerifyBundle);
        }
    });
    if let Some(report) = &s.bundle_report {
        match &report.error {
            None => {
                ui.colored_label(
                    egui::Color32::from_rgb(0x2e, 0x9d, 0x4f),
                    format!(
                        "{} — {} events, {}",
                        Text::BundleOk.get(lang),
                        report.events,
                        report.origin
                    ),
                );
            }
            Some(error) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("{}: {}", Text::BundleBad.get(lang), error.reason),
                );
            }
        }
        if report.archive {
            ui.label(Text::BundleArchive.get(lang));
        }
        ui.weak(Text::NotAnAudit.get(lang));
        for warning in &report.warnings {
            ui.label(warning);
        }
    }
}

fn events_table(ui: &mut egui::Ui, s: &LedgerScreen, lang: Lang, actions: &mut Vec<Action>) {
    if s.events.is_empty() {
        ui.label(Text::NoEvents.get(lang));
        return;
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    // Columns that do not fit the window scroll sideways instead of being cut off.
    egui::ScrollArea::horizontal()
        .id_salt("ledger-columns")
        .auto_shrink([false, false])
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
        .show(ui, |ui| {
            TableBuilder::new(ui)
                .id_salt("ledger-events")
                .striped(true)
                .column(Column::initial(60.0))
                .column(Column::initial(180.0))
                .column(Column::initial(90.0))
                .column(Column::initial(150.0))
                .column(Column::initial(130.0))
                .column(Column::remainder().clip(true))
                .header(row_height, |mut header| {
                    for text in [
                        Text::Seq,
                        Text::Time,
                        Text::Actor,
                        Text::Action,
                        Text::Subject,
                        Text::Details,
                    ] {
                        header.col(|ui| {
                            ui.strong(text.get(lang));
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_height, s.events.len(), |mut row| {
                        let event = &s.events[row.index()];
                        row.col(|ui| {
                            ui.label(event.seq.to_string());
                        });
                        row.col(|ui| {
                            local_time::label(ui, &event.time);
                        });
                        row.col(|ui| {
                            ui.label(&event.actor);
                        });
                        row.col(|ui| {
                            ui.label(vocabulary::action(&event.action, lang))
                                .on_hover_text(&event.action);
                        });
                        row.col(|ui| {
                            // An item's event opens the item.
                            if event.action.starts_with("item.") {
                                if ui.link(&event.subject).clicked() {
                                    actions.push(Action::OpenItem(event.subject.clone()));
                                }
                            } else {
                                ui.label(detail_text::subject(&event.subject, lang))
                                    .on_hover_text(&event.subject);
                            }
                        });
                        row.col(|ui| {
                            let details = summary(event, lang);
                            ui.label(&details).on_hover_text(&details);
                        });
                    });
                });
        });
}

/// The details a person reads in a row (reason, destination, witness, comment, …), in
/// `lang`: every short text or number of the event's details, the signed copies and
/// signatures left out.
fn summary(event: &strongroom::ledger::StoredEvent, lang: Lang) -> String {
    const LEFT_OUT: [&str; 6] = ["directory", "decision", "admin_succession", "item", "user", "sha256"];
    let Ok(json) = event.json() else {
        return String::new();
    };
    let Some(details) = json["details"].as_object() else {
        return String::new();
    };
    details
        .iter()
        .filter(|(key, _)| !LEFT_OUT.contains(&key.as_str()))
        .filter_map(|(key, value)| {
            let shown = match value {
                serde_json::Value::String(text) => detail_text::text(key, text, lang),
                serde_json::Value::Number(number) => number.to_string(),
                serde_json::Value::Bool(flag) => detail_text::flag(*flag, lang).to_string(),
                _ => return None,
            };
            Some(format!("{}: {shown}", detail_text::key(key, lang)))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A warning about the guard, in `lang`.
fn guard_warning(warning: &strongroom::guard::status::GuardWarning, lang: Lang) -> String {
    use strongroom::guard::status::{GuardWarning, HeartbeatGap};
    match warning {
        GuardWarning::NotRunning => format!("{}: {}", Text::Guard.get(lang), Text::GuardNotRunning.get(lang)),
        GuardWarning::HeartbeatGap(HeartbeatGap { from, to, seconds, .. }) => format!(
            "{}: {} {from} → {} ({seconds} s)",
            Text::Guard.get(lang),
            Text::GuardLate.get(lang),
            to.as_deref().unwrap_or("…")
        ),
    }
}
