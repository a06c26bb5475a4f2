//! The custody part of an item's page: who holds it, an open offer (accept, decline or
//! withdraw it), offering it to another user, raising its level, and its retention date.
//! What this user may not do is disabled with the reason on hover; the station checks
//! every rule again.

use eframe::egui;
use strongroom::Level;
use strongroom::accounts::Role;
use strongroom::station::ItemDetail;

use super::Context;
use crate::gui::i18n::Text;
use crate::gui::model::{Action, CustodyStep};
use crate::gui::widgets::{banner, local_time};

/// What is typed in the custody part of an item's page.
#[derive(Default)]
pub struct CustodyForm {
    /// Whom to offer custody to.
    pub offer_to: String,
    /// A note for them.
    pub note: String,
    /// The level to raise it to (none chosen beforehand).
    pub raise_to: Option<Level>,
    /// Why it is raised.
    pub raise_reason: String,
    /// The retention date typed (`YYYY-MM-DD`).
    pub retain_until: String,
}

/// Draw the custody part of `detail`'s page.
pub fn ui(ui: &mut egui::Ui, form: &mut CustodyForm, cx: &Context<'_>, detail: &ItemDetail, actions: &mut Vec<Action>) {
    let lang = cx.lang;
    let me = &cx.session.user;
    let item = detail.summary.control_number.to_string();
    let holds = cx.session.role == Role::Officer || &detail.summary.custodian == me;
    ui.separator();
    ui.strong(Text::CustodySection.get(lang));
    egui::Grid::new("item-custody").num_columns(2).show(ui, |ui| {
        ui.label(Text::Custodian.get(lang));
        ui.label(&detail.summary.custodian);
        ui.end_row();
        ui.label(Text::RetentionDue.get(lang));
        match &detail.retain_until {
            Some(date) if detail.due => {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{date} — {}", Text::DueForDestruction.get(lang)),
                );
            }
            Some(date) => {
                ui.label(date);
            }
            None => {
                ui.label(Text::NoRetention.get(lang));
            }
        }
        ui.end_row();
        if let Some(offer) = &detail.offer {
            ui.label(Text::OfferOpen.get(lang));
            ui.horizontal(|ui| {
                let parties = ui.label(format!("{} → {}, {}", offer.from, offer.to, Text::OfferUntil.get(lang)));
                if let Some(note) = &offer.note {
                    parties.on_hover_text(note);
                }
                local_time::label(ui, &offer.expires_at);
                if &offer.to == me && ui.button(Text::AcceptCustody.get(lang)).clicked() {
                    actions.push(Action::Custody(CustodyStep::Accept(item.clone())));
                }
                let (close, may) = if &offer.to == me {
                    (Text::DeclineCustody, true)
                } else {
                    (Text::WithdrawOffer, holds || &offer.by == me)
                };
                if ui.add_enabled(may, egui::Button::new(close.get(lang))).clicked() {
                    actions.push(Action::Custody(CustodyStep::Decline(item.clone())));
                }
            });
            ui.end_row();
        }
        // Offer.
        let label = ui.label(Text::OfferTo.get(lang));
        ui.horizontal(|ui| {
            ui.add_enabled(
                holds,
                egui::TextEdit::singleline(&mut form.offer_to).desired_width(140.0),
            )
            .labelled_by(label.id);
            let ready = holds && !form.offer_to.trim().is_empty();
            let why = if holds { Text::NeedRecipient } else { Text::NotCustodian };
            if ui
                .add_enabled(ready, egui::Button::new(Text::OfferCustody.get(lang)))
                .on_disabled_hover_text(why.get(lang))
                .clicked()
            {
                actions.push(Action::Custody(CustodyStep::Offer {
                    items: vec![item.clone()],
                    to: form.offer_to.trim().to_string(),
                    note: form.note.trim().to_string(),
                }));
            }
        });
        ui.end_row();
        let label = ui.label(Text::OfferNote.get(lang));
        ui.add_enabled(holds, egui::TextEdit::singleline(&mut form.note).desired_width(320.0))
            .labelled_by(label.id);
        ui.end_row();
        // Raise.
        let level = detail.summary.level;
        let higher: Vec<Level> = Level::ALL
            .into_iter()
            .filter(|l| *l > level && *l <= cx.session.clearance)
            .collect();
        let label = ui.label(Text::RaiseTo.get(lang));
        let selected = form
            .raise_to
            .filter(|l| higher.contains(l))
            .map_or(Text::ChooseLevel.get(lang).to_string(), |l| banner::label(l, lang));
        ui.add_enabled_ui(holds && !higher.is_empty(), |ui| {
            egui::ComboBox::from_id_salt("raise-to")
                .selected_text(selected)
                .show_ui(ui, |ui| {
                    for l in &higher {
                        ui.selectable_value(&mut form.raise_to, Some(*l), banner::label(*l, lang));
                    }
                })
                .response
                .labelled_by(label.id);
        });
        ui.end_row();
        let label = ui.label(Text::RaiseReason.get(lang));
        ui.horizontal(|ui| {
            ui.add_enabled(
                holds,
                egui::TextEdit::singleline(&mut form.raise_reason).desired_width(240.0),
            )
            .labelled_by(label.id);
            let to = form.raise_to.filter(|l| higher.contains(l));
            let ready = holds && to.is_some() && !form.raise_reason.trim().is_empty();
            let why = if holds { Text::NeedReason } else { Text::NotCustodian };
            if ui
                .add_enabled(ready, egui::Button::new(Text::RaiseLevel.get(lang)))
                .on_hover_text(Text::RaiseHint.get(lang))
                .on_disabled_hover_text(why.get(lang))
                .clicked()
                && let Some(to) = to
            {
                actions.push(Action::Custody(CustodyStep::Raise {
                    item: item.clone(),
                    to,
                    reason: form.raise_reason.trim().to_string(),
                }));
            }
        });
        ui.end_row();
        // Retention.
        let label = ui.label(Text::RetainUntil.get(lang));
        ui.horizontal(|ui| {
            ui.add_enabled(
                holds,
                egui::TextEdit::singleline(&mut form.retain_until).desired_width(110.0),
            )
            .labelled_by(label.id);
            let typed = !form.retain_until.trim().is_empty();
            if ui
                .add_enabled(holds && typed, egui::Button::new(Text::SetRetention.get(lang)))
                .on_disabled_hover_text(Text::NotCustodian.get(lang))
                .clicked()
            {
                actions.push(Action::Custody(CustodyStep::Retention {
                    item: item.clone(),
                    until: Some(form.retain_until.trim().to_string()),
                }));
            }
            if ui
                .add_enabled(
                    holds && detail.retain_until.is_some(),
                    egui::Button::new(Text::ClearRetention.get(lang)),
                )
                .clicked()
            {
                actions.push(Action::Custody(CustodyStep::Retention {
                    item: item.clone(),
                    until: None,
                }));
            }
        });
        ui.end_row();
    });
}
