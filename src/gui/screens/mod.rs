//! One file per screen. Each draws from the model (the signed-in ones from the session's
//! state only), edits only its own form fields and returns actions; none touches the
//! station, SQL, crypto or files.

pub mod admin;
pub mod alerts;
pub mod browser;
pub mod confirm_export;
pub mod detail;
pub mod import;
pub mod ledger;
pub mod message;
pub mod setup;
pub mod toasts;
pub mod toolbar;
pub mod unlock;

use eframe::egui;

use super::i18n::Lang;
use super::model::{Action, SignedIn, View};

/// The signed-in screens: the current view, with the job list under it when there are jobs.
pub fn main_view(ui: &mut egui::Ui, s: &mut SignedIn, lang: Lang, actions: &mut Vec<Action>) {
    if !s.jobs.is_empty() {
        egui::Panel::bottom("jobs").resizable(false).show(ui, |ui| {
            import::jobs(ui, s, lang, actions);
        });
    }
    match s.view {
        View::Browser => browser::show(ui, s, lang, actions),
        View::Import => import::show(ui, s, lang, actions),
        View::Detail => detail::show(ui, s, lang, actions),
        View::Ledger => ledger::show(ui, s, lang, actions),
        View::Admin => admin::show(ui, s, lang, actions),
        View::Alerts => alerts::show(ui, s, lang, actions),
    }
}
