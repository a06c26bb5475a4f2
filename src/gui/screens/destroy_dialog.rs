//! The destroy dialog: the items to destroy (one, or those ticked in the vault), why, and
//! a witness when the level needs one; it ends on the certificate of destruction, which can
//! be opened in the desktop's PDF viewer or saved for the security office right there.
//! Modal: nothing beneath takes input while it is up.

use eframe::egui;
use zeroize::Zeroizing;

use strongroom::Level;
use strongroom::station::DestroyReport;

use crate::gui::dialogs::Purpose;
use crate::gui::i18n::{Lang, Text};
use crate::gui::messages::CertificateStep;
use crate::gui::model::Action;
use crate::gui::widgets::{banner, password};

/// The dialog's state.
pub struct DestroyDialog {
    /// The items, by control number.
    pub items: Vec<String>,
    /// The highest level among them.
    pub level: Level,
    /// Why (recorded).
    pub reason: String,
    /// Witness name (empty: none).
    pub witness: String,
    /// Witness password.
    pub witness_password: Zeroizing<String>,
    /// Sent to the station; waiting for its answer.
    pub busy: bool,
    /// Done: what was destroyed, and its certificate.
    pub done: Option<DestroyReport>,
    /// Focus the first field to fill at the next frame (the reason if empty, else the witness).
    focus: bool,
}

impl DestroyDialog {
    /// A dialog for `items` (at most `level`), starting from `reason`.
    pub fn new(items: Vec<String>, level: Level, reason: String) -> DestroyDialog {
        DestroyDialog {
            items,
            level,
            reason,
            witness: String::new(),
            witness_password: Zeroizing::default(),
            busy: false,
            done: None,
            focus: true,
        }
    }

    /// A dialog that opens on a destruction already done (from the item page).
    pub fn finished(report: DestroyReport) -> DestroyDialog {
        let level = report
            .items
            .iter()
            .map(|i| i.level)
            .max()
            .unwrap_or(Level::Unclassified);
        let items = report.items.iter().map(|i| i.control_number.clone()).collect();
        let mut dialog = DestroyDialog::new(items, level, String::new());
        dialog.done = Some(report);
        dialog
    }

    /// Draw the dialog; `generation` keys the password field.
    pub fn show(&mut self, ctx: &egui::Context, lang: Lang, generation: u64, actions: &mut Vec<Action>) {
        let title = Text::DestroyTitle.get(lang);
        egui::Modal::new(egui::Id::unique("destroy-dialog")).show(ctx, |ui| {
            let dialog = egui::UiBuilder::new()
                .accessibility_role(egui::accesskit::Role::Dialog)
                .accessibility_label(title);
            ui.scope_builder(dialog, |ui| {
                ui.set_max_width(560.0);
                ui.heading(title);
                match &self.done {
                    Some(report) => certificate(ui, report, lang, actions),
                    None => self.form(ui, lang, generation, actions),
                }
            });
        });
    }

    fn form(&mut self, ui: &mut egui::Ui, lang: Lang, generation: u64, actions: &mut Vec<Action>) {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{}: {}", Text::ItemCount.get(lang), self.items.len()));
            banner::word(ui, self.level, lang);
        });
        let shown: Vec<&str> = self.items.iter().take(12).map(String::as_str).collect();
        let more = self.items.len().saturating_sub(shown.len());
        let list = if more > 0 {
            format!("{} … (+{more})", shown.join(", "))
        } else {
            shown.join(", ")
        };
        ui.add(egui::Label::new(egui::RichText::new(list).strong()).wrap());
        ui.add(egui::Label::new(Text::DestroyWarning.get(lang)).wrap());
        ui.weak(Text::TwoPersonHint.get(lang));
        let mut submit = false;
        egui::Grid::new("destroy-dialog-fields").num_columns(2).show(ui, |ui| {
            let label = ui.label(Text::Reason.get(lang));
            let reason = ui
                .add(egui::TextEdit::singleline(&mut self.reason).desired_width(340.0))
                .labelled_by(label.id);
            // With no reason yet (items ticked in the vault) the reason comes first; the Due
            // list fills it in, and then the witness does.
            if self.focus && self.reason.is_empty() {
                self.focus = false;
                reason.request_focus();
            }
            ui.end_row();
            let label = ui.label(Text::Witness.get(lang));
            let witness = ui
                .add(
                    egui::TextEdit::singleline(&mut self.witness).id(egui::Id::unique(("destroy-witness", generation))),
                )
                .labelled_by(label.id);
            if std::mem::take(&mut self.focus) {
                witness.request_focus();
            }
            ui.end_row();
            let field = password::field(
                ui,
                Text::WitnessPassword.get(lang),
                &mut self.witness_password,
                password::id("destroy-witness", generation),
            );
            submit = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.end_row();
        });
        let ready = !self.reason.trim().is_empty() && !self.busy;
        ui.horizontal(|ui| {
            let destroy = ui
                .add_enabled(ready, egui::Button::new(Text::DestroyItem.get(lang)))
                .on_disabled_hover_text(Text::NeedReason.get(lang));
            if (destroy.clicked() || submit) && ready {
                actions.push(Action::ConfirmDestroy);
            }
            let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
            if (ui.button(Text::Cancel.get(lang)).clicked() || escape) && !self.busy {
                actions.push(Action::CloseDestroy);
            }
            if self.busy {
                ui.spinner();
            }
        });
    }
}

/// The end of the dialog: the certificate, what it covers, and what to do with it.
fn certificate(ui: &mut egui::Ui, report: &DestroyReport, lang: Lang, actions: &mut Vec<Action>) {
    let names: Vec<&str> = report.items.iter().map(|i| i.control_number.as_str()).collect();
    ui.add(egui::Label::new(format!("{}: {}", Text::Destroyed.get(lang), names.join(", "))).wrap());
    ui.horizontal(|ui| {
        ui.label(Text::CertificateNumber.get(lang));
        ui.strong(&report.certificate);
    });
    let status = if report.signed {
        Text::CertificateSigned
    } else {
        Text::CertificateAwaiting
    };
    ui.add(egui::Label::new(status.get(lang)).wrap());
    ui.horizontal(|ui| {
        let number = report.certificate.clone();
        if ui.button(Text::OpenPdf.get(lang)).clicked() {
            actions.push(Action::Certificate(CertificateStep::Open(number.clone())));
        }
        if ui
            .add_enabled(report.signed, egui::Button::new(Text::SaveCertificate.get(lang)))
            .on_disabled_hover_text(Text::CertificateAwaiting.get(lang))
            .clicked()
        {
            actions.push(Action::Ask(Purpose::SaveCertificate(number)));
        }
        if ui.button(Text::Finish.get(lang)).clicked() {
            actions.push(Action::CloseDestroy);
        }
    });
}
