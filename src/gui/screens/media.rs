//! The media part of the Guard screen (officers): the removable media mounted now, each
//! with the register's verdict (label, level, custodian, or why it is not authorized); a
//! form registering a mounted medium; and the register, where a medium is issued to a
//! holder, taken back or retired.

use std::path::PathBuf;

use eframe::egui;
use strongroom::Level;
use strongroom::guard::register::{Entry, MediumStatus};
use strongroom::station::MountedMedium;

use super::Context;
use crate::gui::i18n::Text;
use crate::gui::model::{Action, MediumStep};
use crate::gui::widgets::{banner, local_time};

/// What is typed to register a medium.
#[derive(Default)]
pub struct RegisterForm {
    /// The mounted medium chosen (its mount point).
    pub mount_point: Option<PathBuf>,
    /// Its label in the register.
    pub label: String,
    /// The highest level it may carry (none chosen beforehand).
    pub level: Option<Level>,
    /// Its custodian.
    pub custodian: String,
    /// Authorized through this day (YYYY-MM-DD), or empty for no expiry.
    pub expires: String,
}

/// The media part's state.
#[derive(Default)]
pub struct MediaPanel {
    /// The removable media mounted now, judged.
    pub mounted: Vec<MountedMedium>,
    /// The register, oldest first.
    pub register: Vec<Entry>,
    /// Register events no admin key signed (ignored, and said so).
    pub ignored: u64,
    /// The registration form.
    pub form: RegisterForm,
    /// The register entry chosen (medium id).
    pub chosen: Option<String>,
    /// Whom to issue the chosen medium to.
    pub issue_to: String,
    /// Why the chosen medium is retired.
    pub retire_reason: String,
}

impl MediaPanel {
    /// Draw the mounted media, the registration form and the register.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>, actions: &mut Vec<Action>) {
        let lang = cx.lang;
        ui.strong(Text::MountedMedia.get(lang));
        self.mounted(ui, cx);
        ui.add_space(8.0);
        ui.strong(Text::RegisterMedium.get(lang));
        self.register_form(ui, cx, actions);
        ui.add_space(8.0);
        ui.strong(Text::MediaRegister.get(lang));
        self.register(ui, cx, actions);
    }

    fn mounted(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) {
        let lang = cx.lang;
        if self.mounted.is_empty() {
            ui.label(Text::NoMediaMounted.get(lang));
            return;
        }
        egui::Grid::new("mounted-media")
            .num_columns(4)
            .striped(true)
            .show(ui, |ui| {
                for heading in [Text::MountPoint, Text::Registration, Text::Level, Text::Custodian] {
                    ui.strong(heading.get(lang));
                }
                ui.end_row();
                for m in &self.mounted {
                    ui.label(m.medium.mount_point.display().to_string())
                        .on_hover_text(m.medium.name());
                    match (&m.entry, &m.unregistered) {
                        (Some(entry), _) => {
                            ui.label(format!(
                                "{} ({})",
                                entry.record().label,
                                Text::ExportMediumRegistered.get(lang)
                            ));
                            banner::word(ui, entry.record().level, lang);
                            ui.label(&entry.record().custodian);
                        }
                        (None, why) => {
                            ui.colored_label(ui.visuals().warn_fg_color, Text::NotRegistered.get(lang))
                                .on_hover_text(why.as_deref().unwrap_or_default());
                            ui.label("—");
                            ui.label("—");
                        }
                    }
                    ui.end_row();
                }
            });
    }

    fn register_form(&mut self, ui: &mut egui::Ui, cx: &Context<'_>, actions: &mut Vec<Action>) {
        let lang = cx.lang;
        let unregistered: Vec<PathBuf> = self
            .mounted
            .iter()
            .filter(|m| m.entry.is_none())
            .map(|m| m.medium.mount_point.clone())
            .collect();
        if unregistered.is_empty() {
            ui.weak(Text::NothingToRegister.get(lang));
            return;
        }
        let form = &mut self.form;
        if form.custodian.is_empty() {
            form.custodian = cx.session.user.clone();
        }
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(Text::MountPoint.get(lang));
                for point in &unregistered {
                    let chosen = form.mount_point.as_ref() == Some(point);
                    if ui.selectable_label(chosen, point.display().to_string()).clicked() {
                        form.mount_point = Some(point.clone());
                    }
                }
            });
            ui.horizontal_wrapped(|ui| {
                ui.label(Text::Level.get(lang));
                for level in cx.session.clearance.at_or_below() {
                    let text = egui::RichText::new(banner::label(level, lang));
                    if ui.selectable_label(form.level == Some(level), text).clicked() {
                        form.level = Some(level);
                    }
                }
            });
            egui::Grid::new("register-form").num_columns(2).show(ui, |ui| {
                for (text, field) in [
                    (Text::MediumLabel, &mut form.label),
                    (Text::Custodian, &mut form.custodian),
                    (Text::ExpiresOn, &mut form.expires),
                ] {
                    let label = ui.label(text.get(lang));
                    ui.add(egui::TextEdit::singleline(field).desired_width(240.0))
                        .labelled_by(label.id);
                    ui.end_row();
                }
            });
            let ready = form.mount_point.as_ref().is_some_and(|p| unregistered.contains(p))
                && form.level.is_some()
                && !form.label.trim().is_empty()
                && !form.custodian.trim().is_empty();
            let register = ui
                .add_enabled(ready, egui::Button::new(Text::RegisterMedium.get(lang)))
                .on_disabled_hover_text(Text::NeedMediumLevelLabel.get(lang));
            if register.clicked() {
                actions.push(Action::RegisterMedium);
            }
        });
    }

    fn register(&mut self, ui: &mut egui::Ui, cx: &Context<'_>, actions: &mut Vec<Action>) {
        let lang = cx.lang;
        if self.ignored > 0 {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{}: {}", Text::RegisterIgnored.get(lang), self.ignored),
            );
        }
        if self.register.is_empty() {
            ui.label(Text::RegisterEmpty.get(lang));
            return;
        }
        let now = time::OffsetDateTime::now_utc();
        egui::Grid::new("media-register")
            .num_columns(6)
            .striped(true)
            .show(ui, |ui| {
                for heading in [
                    Text::MediumLabel,
                    Text::Level,
                    Text::Custodian,
                    Text::HeldBy,
                    Text::AuthorizedUntil,
                    Text::Status,
                ] {
                    ui.strong(heading.get(lang));
                }
                ui.end_row();
                for entry in &self.register {
                    let record = entry.record();
                    let chosen = self.chosen.as_deref() == Some(record.medium.as_str());
                    if ui
                        .selectable_label(chosen, &record.label)
                        .on_hover_text(format!("{}\n{}", record.medium, record.fs_uuid))
                        .clicked()
                        && !chosen
                    {
                        self.chosen = Some(record.medium.clone());
                        self.issue_to.clear();
                        self.retire_reason.clear();
                    }
                    banner::word(ui, record.level, lang);
                    ui.label(&record.custodian);
                    ui.label(entry.holder.as_deref().unwrap_or("—"));
                    match &record.expires {
                        Some(at) => local_time::label(ui, at),
                        None => ui.label("—"),
                    };
                    ui.label(status_text(entry.status_at(now)).get(lang));
                    ui.end_row();
                }
            });
        let Some(entry) = self
            .register
            .iter()
            .find(|e| Some(&e.record().medium) == self.chosen.as_ref())
        else {
            ui.weak(Text::ChooseMedium.get(lang));
            return;
        };
        let id = entry.record().medium.clone();
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(format!("{} · {}", entry.record().label, id));
            let active = entry.status == MediumStatus::Active;
            ui.horizontal(|ui| match &entry.holder {
                Some(holder) => {
                    let back = ui.button(format!("{} ({holder})", Text::ReturnMedium.get(lang)));
                    if back.clicked() {
                        actions.push(Action::MediumStep(id.clone(), MediumStep::Return));
                    }
                }
                None if active => {
                    let label = ui.label(Text::IssueTo.get(lang));
                    ui.add(egui::TextEdit::singleline(&mut self.issue_to).desired_width(140.0))
                        .labelled_by(label.id);
                    let to = self.issue_to.trim().to_string();
                    if ui
                        .add_enabled(!to.is_empty(), egui::Button::new(Text::IssueMedium.get(lang)))
                        .clicked()
                    {
                        actions.push(Action::MediumStep(id.clone(), MediumStep::Issue(to)));
                    }
                }
                None => {}
            });
            if active {
                ui.horizontal(|ui| {
                    let label = ui.label(Text::Reason.get(lang));
                    ui.add(egui::TextEdit::singleline(&mut self.retire_reason).desired_width(240.0))
                        .labelled_by(label.id);
                    let reason = self.retire_reason.trim().to_string();
                    let retire = ui
                        .add_enabled(!reason.is_empty(), egui::Button::new(Text::RetireMedium.get(lang)))
                        .on_disabled_hover_text(Text::NeedReason.get(lang));
                    if retire.clicked() {
                        actions.push(Action::MediumStep(id.clone(), MediumStep::Retire(reason)));
                    }
                });
            }
        });
    }
}

/// A register entry's status (as `Entry::status_at` names it) in words.
fn status_text(status: &str) -> Text {
    match status {
        "active" => Text::MediumActive,
        "expired" => Text::MediumExpired,
        "retired" => Text::MediumRetired,
        _ => Text::Destroyed,
    }
}
