//! Open alerts (lockouts, recovery, custody and ledger findings; guard and cloud alerts as
//! they land), each saying who, what, when and what to do, and acknowledged by an officer
//! with a comment (optional unless the policy asks for one) that is recorded in the ledger.

use eframe::egui;
use strongroom::accounts::Role;

use crate::gui::i18n::Text;
use crate::gui::model::Action;
use strongroom::ledger::alert::Alert;

use super::Context;
use crate::gui::widgets::{self, banner, local_time};
use crate::gui::{alert_text, vocabulary};

/// The alerts screen: the open alerts and the comments being typed for them.
#[derive(Default)]
pub struct AlertsScreen {
    /// Open alerts.
    pub open: Vec<Alert>,
    /// Comments being typed, by alert seq.
    pub comments: std::collections::BTreeMap<u64, String>,
}

impl AlertsScreen {
    /// Draw the alerts.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        show(ui, self, cx, &mut actions);
        actions
    }
}

fn show(ui: &mut egui::Ui, s: &mut AlertsScreen, cx: &Context<'_>, actions: &mut Vec<Action>) {
    let lang = cx.lang;
    ui.heading(Text::Alerts.get(lang));
    if s.open.is_empty() {
        ui.label(Text::NoAlerts.get(lang));
        return;
    }
    // Acknowledging is an officer's decision, signed with the admin key.
    let officer = cx.session.role == Role::Officer;
    if !officer {
        ui.label(Text::OfficersAcknowledge.get(lang));
    }
    let comment_required = cx.policy.is_some_and(|p| p.alert_comment_required());
    egui::ScrollArea::vertical().show(ui, |ui| {
        for alert in &s.open {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal_wrapped(|ui| {
                    ui.strong(alert_text::finding(&alert.finding, lang));
                    if let Some(level) = alert.level {
                        banner::word(ui, level, lang);
                    }
                });
                ui.weak(format!(
                    "#{} · {} · {} · {}",
                    alert.seq,
                    local_time::shown(&alert.time),
                    alert.actor,
                    vocabulary::action(&alert.action, lang)
                ));
                ui.label(Text::NextSteps.get(lang));
                for step in &alert.next {
                    ui.label(format!("  • {}", alert_text::step(*step, lang)));
                }
                if !officer {
                    return;
                }
                // A copy opens on the Guard screen, with its quarantine entry chosen.
                if let strongroom::ledger::alert::Finding::CopyWhileNetworked { quarantine, .. } = &alert.finding
                    && ui.button(Text::OpenCopy.get(lang)).clicked()
                {
                    actions.push(Action::OpenCopy {
                        seq: alert.seq,
                        entry: quarantine.clone(),
                    });
                }
                let comment = s.comments.entry(alert.seq).or_default();
                let ready = !comment_required || !comment.trim().is_empty();
                ui.horizontal_wrapped(|ui| {
                    let prompt = if comment_required {
                        Text::Comment
                    } else {
                        Text::CommentOptional
                    };
                    let label = ui.label(format!("{} #{}", prompt.get(lang), alert.seq));
                    let field = ui
                        .add(egui::TextEdit::singleline(comment).desired_width(320.0))
                        .labelled_by(label.id);
                    let entered = widgets::entered(ui, &field);
                    let clicked = ui
                        .add_enabled(ready, egui::Button::new(Text::Acknowledge.get(lang)))
                        .clicked();
                    if clicked || (entered && ready) {
                        actions.push(Action::Acknowledge(alert.seq));
                    }
                    if !ready {
                        ui.weak(Text::CommentRequired.get(lang));
                    }
                });
            });
        }
    });
}
