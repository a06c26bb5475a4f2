//! One file per screen. Each draws from the model, edits only its own form fields and
//! returns actions; none touches the station, SQL, crypto or files.

pub mod admin;
pub mod alerts;
pub mod browser;
pub mod detail;
pub mod import;
pub mod ledger;
pub mod message;
pub mod setup;
pub mod toasts;
pub mod toolbar;
pub mod unlock;

use eframe::egui;

use super::model::{Action, Model, View};

/// The signed-in screens: the current view, with the job list under it when there are jobs.
pub fn main_view(ui: &mut egui::Ui, model: &mut Model, actions: &mut Vec<Action>) {
    if !model.jobs.is_empty() {
        egui::Panel::bottom("jobs").resizable(false).show(ui, |ui| {
            import::jobs(ui, model, actions);
        });
    }
    match model.view {
        View::Browser => browser::show(ui, model, actions),
        View::Import => import::show(ui, model, actions),
        View::Detail => detail::show(ui, model, actions),
        View::Ledger => ledger::show(ui, model, actions),
        View::Admin => admin::show(ui, model, actions),
        View::Alerts => alerts::show(ui, model, actions),
    }
}
