//! One file per screen. A signed-in screen is a struct holding its own state (fields typed,
//! data loaded for it), whose `ui` reads a [`Context`] and returns the actions the person
//! asked for; the screens before sign-in draw their forms in the model. None touches the
//! station, SQL, crypto or files.

pub mod admin;
pub mod alerts;
pub mod browser;
pub mod certificates;
pub mod cloud;
pub mod confirm_export;
pub mod custody;
pub mod destroy_dialog;
pub mod detail;
pub mod guard;
pub mod import;
pub mod item_custody;
pub mod ledger;
pub mod media;
pub mod message;
pub mod setup;
pub mod toasts;
pub mod toolbar;
pub mod unlock;

use eframe::egui;
use strongroom::accounts::policy::Policy;

use super::i18n::Lang;
use super::messages::SessionInfo;
use super::model::{Action, SignedIn, View};

/// What a signed-in screen may read besides its own state: who is signed in, the lock
/// generation (password fields' ids), the language, and the policy once loaded.
pub struct Context<'a> {
    /// The session.
    pub session: &'a SessionInfo,
    /// The lock generation the session began in.
    pub generation: u64,
    /// The language.
    pub lang: Lang,
    /// The station's policy (officers; loaded with the officers' data).
    pub policy: Option<&'a Policy>,
}

/// The signed-in screens: the current view, with the job list under it when there are jobs.
/// Each screen is a struct of its own state whose `ui` returns what the person asked for.
pub fn main_view(ui: &mut egui::Ui, s: &mut SignedIn, lang: Lang) -> Vec<Action> {
    let mut actions = Vec::new();
    if !s.jobs.is_empty() {
        egui::Panel::bottom("jobs").resizable(false).show(ui, |ui| {
            import::jobs(ui, &s.jobs, s.jobs_open, lang, &mut actions);
        });
    }
    let cx = Context {
        session: &s.session,
        generation: s.generation,
        lang,
        policy: s.policy.as_ref(),
    };
    actions.extend(match s.view {
        View::Browser => s.browser.ui(ui, &cx, &s.items, s.items_withheld),
        View::Import => s.import.ui(ui, &cx),
        View::Detail => s.item.ui(ui, &cx),
        View::Ledger => s.ledger.ui(ui, &cx),
        View::Admin => s.admin.ui(ui, &cx),
        View::Alerts => s.alerts.ui(ui, &cx),
        View::Guard => s.guard.ui(ui, &cx),
        View::Custody => s.custody.ui(ui, &cx),
    });
    actions
}

/// The password change a reset or an old password requires before any other screen.
pub fn password_change(ui: &mut egui::Ui, s: &mut SignedIn, lang: Lang) -> Vec<Action> {
    let cx = Context {
        session: &s.session,
        generation: s.generation,
        lang,
        policy: s.policy.as_ref(),
    };
    s.password.ui(ui, &cx)
}
