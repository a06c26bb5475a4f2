//! Certificates of destruction on the Custody screen (officers): each with its date, level,
//! items, who destroyed, and its status; open its PDF in the desktop's viewer, save it for
//! the security office, verify it, or sign one an operator's destruction left awaiting an
//! officer.

use std::collections::BTreeMap;

use eframe::egui;
use strongroom::accounts::Role;
use strongroom::station::{CertificateList, CertificateView};

use super::Context;
use crate::gui::dialogs::Purpose;
use crate::gui::i18n::Text;
use crate::gui::messages::CertificateStep;
use crate::gui::model::Action;
use crate::gui::widgets::{banner, local_time};

/// The certificates as last read, and what verifying each found.
#[derive(Default)]
pub struct CertificatesScreen {
    /// The list.
    pub list: CertificateList,
    /// Verification outcomes by number.
    pub checked: BTreeMap<String, Result<String, String>>,
}

impl CertificatesScreen {
    /// Draw the section.
    pub fn ui(&self, ui: &mut egui::Ui, cx: &Context<'_>, actions: &mut Vec<Action>) {
        let lang = cx.lang;
        ui.strong(format!(
            "{} ({})",
            Text::CertificatesHeading.get(lang),
            self.list.certificates.len()
        ));
        if self.list.certificates.is_empty() && self.list.unreadable.is_empty() {
            ui.label(Text::NoCertificates.get(lang));
        }
        let officer = cx.session.role == Role::Officer;
        if !self.list.certificates.is_empty() {
            egui::ScrollArea::horizontal().id_salt("certificates").show(ui, |ui| {
                egui::Grid::new("custody-certificates")
                    .num_columns(7)
                    .striped(true)
                    .show(ui, |ui| {
                        for heading in [
                            Text::CertificateNumber,
                            Text::CertificateDate,
                            Text::Level,
                            Text::ItemCount,
                            Text::CertificateBy,
                            Text::CertificateStatus,
                        ] {
                            ui.strong(heading.get(lang));
                        }
                        ui.label("");
                        ui.end_row();
                        for view in &self.list.certificates {
                            self.row(ui, view, officer, cx, actions);
                            ui.end_row();
                        }
                    });
            });
        }
        if !self.list.unreadable.is_empty() {
            let bad = ui.visuals().error_fg_color;
            ui.colored_label(bad, Text::CertificatesUnreadable.get(lang));
            for why in &self.list.unreadable {
                ui.add(egui::Label::new(why).wrap());
            }
        }
    }

    fn row(
        &self,
        ui: &mut egui::Ui,
        view: &CertificateView,
        officer: bool,
        cx: &Context<'_>,
        actions: &mut Vec<Action>,
    ) {
        let lang = cx.lang;
        let c = &view.certificate;
        ui.label(&c.number);
        local_time::label(ui, &c.destroyed_at);
        banner::word(ui, c.level(), lang);
        ui.label(match &c.medium {
            Some(m) => m.label.clone(),
            None => c.items.len().to_string(),
        });
        ui.label(&c.performed_by.name);
        let bad = ui.visuals().error_fg_color;
        let status = match view.status() {
            "signed" => ui.label(Text::StatusSigned.get(lang)),
            "awaiting-signature" => ui.label(Text::StatusAwaiting.get(lang)),
            _ => ui.colored_label(bad, Text::StatusDisagrees.get(lang)),
        };
        if let Some(why) = &view.ledger_disagrees {
            status.on_hover_text(why);
        }
        ui.horizontal(|ui| {
            let number = c.number.clone();
            let agrees = view.ledger_disagrees.is_none();
            if ui
                .add_enabled(agrees, egui::Button::new(Text::OpenPdf.get(lang)))
                .clicked()
            {
                actions.push(Action::Certificate(CertificateStep::Open(number.clone())));
            }
            let signed = view.signed.is_some() && agrees;
            if ui
                .add_enabled(signed, egui::Button::new(Text::SaveCertificate.get(lang)))
                .clicked()
            {
                actions.push(Action::Ask(Purpose::SaveCertificate(number.clone())));
            }
            if ui.button(Text::VerifyCertificate.get(lang)).clicked() {
                actions.push(Action::Certificate(CertificateStep::Verify(number.clone())));
            }
            if officer && view.signed.is_none() && agrees && ui.button(Text::SignCertificate.get(lang)).clicked() {
                actions.push(Action::Certificate(CertificateStep::Sign(number.clone())));
            }
            match self.checked.get(&number) {
                Some(Ok(what)) => {
                    ui.label(Text::CertificateVerifiedOk.get(lang)).on_hover_text(what);
                }
                Some(Err(why)) => {
                    ui.colored_label(bad, Text::CertificateVerifyFailed.get(lang))
                        .on_hover_text(why);
                }
                None => {}
            }
        });
    }
}
