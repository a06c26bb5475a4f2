//! Import: files and folders from a dialog, a typed path or a drop on the window; a level
//! that must be chosen (no default); title and notes; and the jobs panel with bytes,
//! throughput, time left and cancel.

use std::path::PathBuf;

use eframe::egui;

use crate::gui::dialogs::Purpose;
use crate::gui::i18n::{Lang, Text};
use crate::gui::model::{Action, Job};
use crate::gui::widgets::{self, banner};
use strongroom::Level;

use super::Context;
use super::browser::human_size;

/// The import screen: what is chosen to import and how.
#[derive(Default)]
pub struct ImportScreen {
    /// Chosen files and folders.
    pub paths: Vec<PathBuf>,
    /// The path field.
    pub path_field: String,
    /// The level (required, no default).
    pub level: Option<Level>,
    /// Title (one file).
    pub title: String,
    /// Notes.
    pub notes: String,
    /// What is wrong with the form.
    pub problem: Option<Text>,
}

impl ImportScreen {
    /// Draw the import form.
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        show(ui, self, cx.session.clearance, cx.lang, &mut actions);
        actions
    }
}

fn show(ui: &mut egui::Ui, form: &mut ImportScreen, clearance: Level, lang: Lang, actions: &mut Vec<Action>) {
    ui.heading(Text::ImportHeading.get(lang));
    ui.horizontal(|ui| {
        if ui.button(Text::AddFiles.get(lang)).clicked() {
            actions.push(Action::Ask(Purpose::ImportFiles));
        }
        if ui.button(Text::AddFolder.get(lang)).clicked() {
            actions.push(Action::Ask(Purpose::ImportFolder));
        }
        let label = ui.label(Text::PathField.get(lang));
        let field = ui
            .add(egui::TextEdit::singleline(&mut form.path_field).desired_width(300.0))
            .labelled_by(label.id);
        let entered = widgets::entered(ui, &field);
        if (ui.button(Text::AddPath.get(lang)).clicked() || entered) && !form.path_field.trim().is_empty() {
            form.paths.push(PathBuf::from(form.path_field.trim()));
            form.path_field.clear();
            if entered {
                field.request_focus(); // ready for the next path
            }
        }
    });
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_height(60.0);
        ui.set_width(ui.available_width());
        if form.paths.is_empty() {
            ui.weak(Text::DropHint.get(lang));
        }
        let mut remove = None;
        for (i, path) in form.paths.iter().enumerate() {
            ui.horizontal(|ui| {
                if ui.small_button("x").on_hover_text(Text::Cancel.get(lang)).clicked() {
                    remove = Some(i);
                }
                ui.label(path.display().to_string());
            });
        }
        if let Some(i) = remove {
            form.paths.remove(i);
        }
    });
    egui::Grid::new("import-form").num_columns(2).show(ui, |ui| {
        let label = ui.label(Text::Title.get(lang));
        ui.text_edit_singleline(&mut form.title).labelled_by(label.id);
        ui.end_row();
        let label = ui.label(Text::Notes.get(lang));
        ui.text_edit_multiline(&mut form.notes).labelled_by(label.id);
        ui.end_row();
    });
    // The level is one click among the levels this user may import at (up to their
    // clearance; none chosen beforehand), and Import is on the same row.
    ui.horizontal_wrapped(|ui| {
        ui.label(Text::Level.get(lang));
        for level in clearance.at_or_below() {
            let chosen = form.level == Some(level);
            let text = egui::RichText::new(banner::label(level, lang));
            if ui.selectable_label(chosen, text).clicked() {
                form.level = Some(level);
            }
        }
        ui.separator();
        if ui.button(Text::StartImport.get(lang)).clicked() {
            actions.push(Action::StartImport);
        }
    });
    if let Some(problem) = form.problem {
        ui.colored_label(ui.visuals().error_fg_color, problem.get(lang));
    }
}

/// Height of the jobs list before it scrolls.
const JOBS_HEIGHT: f32 = 120.0;

/// Draw the jobs panel: collapsible, newest first, scrolling past a few rows, and clearable
/// once jobs are finished.
pub fn jobs(ui: &mut egui::Ui, jobs: &[Job], open: bool, lang: Lang, actions: &mut Vec<Action>) {
    let running = jobs.iter().filter(|j| j.outcome.is_none()).count();
    let finished = jobs.len() - running;
    ui.horizontal(|ui| {
        ui.strong(format!(
            "{} ({running} {})",
            Text::Jobs.get(lang),
            Text::Running.get(lang)
        ));
        let toggle = if open { Text::HideJobs } else { Text::ShowJobs };
        if ui.button(toggle.get(lang)).clicked() {
            actions.push(Action::ToggleJobs);
        }
        if finished > 0 && ui.button(Text::ClearFinished.get(lang)).clicked() {
            actions.push(Action::ClearJobs);
        }
    });
    if open {
        egui::ScrollArea::vertical()
            .id_salt("jobs")
            .max_height(JOBS_HEIGHT)
            .auto_shrink([false, true])
            .show(ui, |ui| job_rows(ui, jobs, lang, actions));
    }
}

/// One row per job, newest first.
fn job_rows(ui: &mut egui::Ui, jobs: &[Job], lang: Lang, actions: &mut Vec<Action>) {
    for job in jobs.iter().rev() {
        // Long summaries (paths, control numbers) wrap instead of running out of the panel.
        ui.horizontal_wrapped(|ui| {
            ui.label(&job.label);
            let (done, total) = (job.progress.done(), job.progress.total());
            match &job.outcome {
                None if job.started.is_none() => {
                    ui.label(Text::Queued.get(lang));
                    if ui.button(Text::Cancel.get(lang)).clicked() {
                        actions.push(Action::CancelJob(job.id));
                    }
                }
                None => {
                    let fraction = if total > 0 { done as f32 / total as f32 } else { 0.0 };
                    ui.add(egui::ProgressBar::new(fraction).desired_width(200.0).show_percentage());
                    let seconds = job.started.map_or(0.0, |t| t.elapsed().as_secs_f64()).max(0.001);
                    let rate = done as f64 / seconds;
                    let left = if rate > 0.0 {
                        (total.saturating_sub(done)) as f64 / rate
                    } else {
                        0.0
                    };
                    // Many files: how many of them too.
                    let files = match (job.progress.files_done(), job.progress.files_total()) {
                        (_, 0 | 1) => String::new(),
                        (done, total) => format!("{done} / {total} {} · ", Text::FilesCount.get(lang)),
                    };
                    ui.label(format!(
                        "{files}{} / {} · {}/s · {:.0} s {}",
                        human_size(done),
                        human_size(total),
                        human_size(rate as u64),
                        left,
                        Text::Remaining.get(lang)
                    ));
                    if ui.button(Text::Cancel.get(lang)).clicked() {
                        actions.push(Action::CancelJob(job.id));
                    }
                }
                Some(Ok(summary)) => {
                    ui.label(format!("{} · {summary}", Text::Done.get(lang)));
                }
                Some(Err(failure)) if failure.cancelled => {
                    // A cancel that kept what was committed says what (the message).
                    match failure.kind {
                        crate::gui::error_text::ErrorKind::Other => ui.label(&failure.message),
                        _ => ui.label(Text::Cancelled.get(lang)),
                    };
                }
                Some(Err(failure)) => {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("{}: {}", Text::Failed.get(lang), failure.message),
                    );
                }
            }
        });
    }
}
