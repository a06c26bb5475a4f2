//! The Guard screen (officers): the copies from removable media the guard recorded, and
//! the quarantine it sealed them into, each entry released as a vault item or destroyed
//! (with a witness at or above the two-person level). An alert about a copy opens here,
//! with its copy and entry chosen.

use eframe::egui;
use strongroom::Level;
use strongroom::guard::quarantine_table::Entry;
use strongroom::station::CopyRecord;
use zeroize::Zeroizing;

use super::Context;
use super::browser::human_size;
use crate::gui::i18n::Text;
use crate::gui::model::Action;
use crate::gui::widgets::{banner, local_time, password};

/// Width of the "found in" column (a longer path is cut, whole on hover); the screen scrolls
/// sideways where the window is narrower than the tables.
const PLACE_WIDTH: f32 = 240.0;

/// What is typed to settle the chosen entry.
#[derive(Default)]
pub struct EntryForm {
    /// The new item's level (release; none chosen beforehand).
    pub level: Option<Level>,
    /// The new item's title (empty: the copy's own name).
    pub title: String,
    /// Why (recorded).
    pub reason: String,
    /// Witness name (needed at or above the two-person level).
    pub witness: String,
    /// Witness password.
    pub witness_password: Zeroizing<String>,
}

/// The Guard screen's state.
#[derive(Default)]
pub struct GuardScreen {
    /// The copies recorded, newest first.
    pub copies: Vec<CopyRecord>,
    /// The quarantine, newest first.
    pub entries: Vec<Entry>,
    /// The entry chosen (hex id).
    pub chosen: Option<String>,
    /// The copy an alert pointed at (its seq).
    pub highlighted: Option<u64>,
    /// The form for the chosen entry.
    pub form: EntryForm,
    /// The media mounted, the register and its forms.
    pub media: super::media::MediaPanel,
}

impl GuardScreen {
    /// Draw the screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        let lang = cx.lang;
        ui.horizontal(|ui| {
            ui.heading(Text::Guard.get(lang));
            if ui.button(Text::Refresh.get(lang)).clicked() {
                actions.push(Action::Show(crate::gui::model::View::Guard));
            }
        });
        egui::ScrollArea::both().auto_shrink([false, false]).show(ui, |ui| {
            ui.add_space(4.0);
            self.media.ui(ui, cx, &mut actions);
            ui.add_space(12.0);
            ui.strong(Text::Quarantine.get(lang));
            self.quarantine(ui, cx, &mut actions);
            ui.add_space(12.0);
            ui.strong(Text::RecentCopies.get(lang));
            self.copies(ui, cx);
        });
        actions
    }

    fn quarantine(&mut self, ui: &mut egui::Ui, cx: &Context<'_>, actions: &mut Vec<Action>) {
        let lang = cx.lang;
        if self.entries.is_empty() {
            ui.label(Text::QuarantineEmpty.get(lang));
            return;
        }
        egui::Grid::new("quarantine")
            .num_columns(6)
            .striped(true)
            .show(ui, |ui| {
                for heading in [
                    Text::Entry,
                    Text::SealedAt,
                    Text::Level,
                    Text::Size,
                    Text::FromMedium,
                    Text::Status,
                ] {
                    ui.strong(heading.get(lang));
                }
                ui.end_row();
                for entry in &self.entries {
                    let chosen = self.chosen.as_deref() == Some(entry.id.as_str());
                    if ui
                        .selectable_label(chosen, short(&entry.id))
                        .on_hover_text(format!("{}\n{}", entry.id, entry.destination_dir))
                        .clicked()
                    {
                        choose(&mut self.chosen, &mut self.form, &entry.id);
                    }
                    local_time::label(ui, &entry.created_at);
                    banner::word(ui, entry.level, lang);
                    ui.label(human_size(entry.size));
                    ui.label(&entry.medium);
                    ui.label(status_text(&entry.status).get(lang));
                    ui.end_row();
                }
            });
        let Some(entry) = self.entries.iter().find(|e| Some(&e.id) == self.chosen.as_ref()) else {
            ui.weak(Text::ChooseEntry.get(lang));
            return;
        };
        ui.add_space(6.0);
        if entry.status != "held" {
            ui.label(format!("{} · {}", entry.id, status_text(&entry.status).get(lang)));
            return;
        }
        let (held_level, generation) = (entry.level, cx.generation);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(format!("{}: {}", Text::Entry.get(lang), entry.id));
            ui.label(format!("{}: {}", Text::FoundIn.get(lang), entry.destination_dir));
            ui.weak(Text::WitnessHint.get(lang));
            let form = &mut self.form;
            ui.horizontal_wrapped(|ui| {
                ui.label(Text::ReleaseAt.get(lang));
                // Never below the level it was sealed at (lowering is a downgrade).
                for level in cx.session.clearance.at_or_below().filter(|l| *l >= held_level) {
                    let text = egui::RichText::new(banner::label(level, lang));
                    if ui.selectable_label(form.level == Some(level), text).clicked() {
                        form.level = Some(level);
                    }
                }
            });
            egui::Grid::new("entry-form").num_columns(2).show(ui, |ui| {
                let label = ui.label(Text::Title.get(lang));
                ui.add(egui::TextEdit::singleline(&mut form.title).desired_width(360.0))
                    .labelled_by(label.id);
                ui.end_row();
                let label = ui.label(Text::Reason.get(lang));
                ui.add(egui::TextEdit::singleline(&mut form.reason).desired_width(360.0))
                    .labelled_by(label.id);
                ui.end_row();
                let label = ui.label(Text::Witness.get(lang));
                ui.add(
                    egui::TextEdit::singleline(&mut form.witness).id(egui::Id::unique(("entry-witness", generation))),
                )
                .labelled_by(label.id);
                ui.end_row();
                password::field(
                    ui,
                    Text::WitnessPassword.get(lang),
                    &mut form.witness_password,
                    password::id("entry-witness", generation),
                );
                ui.end_row();
            });
            let has_reason = !form.reason.trim().is_empty();
            ui.horizontal(|ui| {
                let release = ui
                    .add_enabled(
                        has_reason && form.level.is_some(),
                        egui::Button::new(Text::ReleaseEntry.get(lang)),
                    )
                    .on_disabled_hover_text(Text::NeedLevelAndReason.get(lang));
                if release.clicked() {
                    actions.push(Action::ReleaseEntry);
                }
                let destroy = ui
                    .add_enabled(has_reason, egui::Button::new(Text::DestroyEntry.get(lang)))
                    .on_disabled_hover_text(Text::NeedReason.get(lang));
                if destroy.clicked() {
                    actions.push(Action::DestroyEntry);
                }
            });
        });
    }

    fn copies(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) {
        let lang = cx.lang;
        if self.copies.is_empty() {
            ui.label(Text::NoCopies.get(lang));
            return;
        }
        egui::Grid::new("copies").num_columns(6).striped(true).show(ui, |ui| {
            for heading in [
                Text::Time,
                Text::FromMedium,
                Text::FoundIn,
                Text::Size,
                Text::SameAsItem,
                Text::Outcome,
            ] {
                ui.strong(heading.get(lang));
            }
            ui.end_row();
            for copy in &self.copies {
                let marked = self.highlighted == Some(copy.seq);
                let time = local_time::shown(&copy.time);
                if marked {
                    ui.label(egui::RichText::new(time).strong().underline());
                } else {
                    ui.label(time);
                }
                ui.label(&copy.medium);
                let place = match &copy.name {
                    Some(name) => format!("{}/{name}", copy.destination_dir),
                    None => copy.destination_dir.clone(),
                };
                let cell = egui::vec2(PLACE_WIDTH, ui.spacing().interact_size.y);
                ui.allocate_ui_with_layout(cell, egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    ui.set_min_width(PLACE_WIDTH);
                    ui.add(egui::Label::new(place).truncate())
                        .on_hover_text(format!("SHA-256 {}", copy.sha256));
                });
                ui.label(human_size(copy.size));
                ui.label(copy.control_number.as_deref().unwrap_or("—"));
                match (&copy.quarantine, &copy.not_contained, copy.alert) {
                    (Some(entry), _, _) => {
                        let chosen = self.chosen.as_deref() == Some(entry.as_str());
                        let text = format!("{} {}", Text::Quarantined.get(lang), short(entry));
                        if ui.selectable_label(chosen, text).clicked() {
                            choose(&mut self.chosen, &mut self.form, entry);
                        }
                    }
                    (None, Some(why), _) => {
                        ui.colored_label(ui.visuals().warn_fg_color, Text::LeftInPlace.get(lang))
                            .on_hover_text(why);
                    }
                    (None, None, true) => {
                        ui.colored_label(ui.visuals().warn_fg_color, Text::AlertedWhileNetworked.get(lang));
                    }
                    (None, None, false) => {
                        ui.label(Text::RecordedAirGapped.get(lang));
                    }
                }
                ui.end_row();
            }
        });
    }
}

/// An entry id as the tables show it: its first eight characters (whole on hover).
pub fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// Choose entry `id`; what was typed for another entry is not carried over to it.
pub fn choose(chosen: &mut Option<String>, form: &mut EntryForm, id: &str) {
    if chosen.as_deref() != Some(id) {
        *form = EntryForm::default();
    }
    *chosen = Some(id.to_string());
}

/// An entry's status in words.
fn status_text(status: &str) -> Text {
    match status {
        "held" => Text::Held,
        "released" => Text::Released,
        _ => Text::Destroyed,
    }
}
