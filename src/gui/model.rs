//! The window's state, as the egui demo app keeps it: [`Prefs`] (language, theme), the
//! [`Phase`] (setup, sign-in, signed in), the sign-in forms, and `Option<SignedIn>` holding
//! every signed-in screen's state, dropped whole at lock. Screens return [`Action`]s; only
//! `App::logic` turns them into commands for the station thread.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use strongroom::Level;
use strongroom::accounts::policy::Policy;
use strongroom::progress::Progress;
use strongroom::station::ItemSummary;

use super::dialogs::Purpose;
use super::i18n::Lang;
use super::messages::{Failure, SessionInfo};
use super::screens::admin::AdminScreen;
use super::screens::alerts::AlertsScreen;
use super::screens::browser::BrowserScreen;
use super::screens::custody::CustodyScreen;
use super::screens::detail::{ExportAsked, ItemScreen};
use super::screens::guard::GuardScreen;
use super::screens::import::ImportScreen;
use super::screens::ledger::LedgerScreen;
use super::screens::setup::SetupForm;
use super::screens::unlock::{PasswordScreen, RecoverForm, UnlockForm};

/// A step on a registered medium, from the Guard screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediumStep {
    /// Issue it to this user.
    Issue(String),
    /// Take it back from its holder.
    Return,
    /// Take it out of use, for this reason.
    Retire(String),
}

/// A custody step, from the item page, the vault browser or the Custody screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CustodyStep {
    /// Offer these items (control numbers) to a user, with a note.
    Offer {
        /// Control numbers.
        items: Vec<String>,
        /// The user offered custody.
        to: String,
        /// A note (may be empty).
        note: String,
    },
    /// Accept the offer of this item made to the signed-in user.
    Accept(String),
    /// Decline (or withdraw) the offer of this item.
    Decline(String),
    /// Raise this item's level.
    Raise {
        /// Control number.
        item: String,
        /// The higher level.
        to: Level,
        /// Why.
        reason: String,
    },
    /// Set (a date) or clear (none) this item's retention date.
    Retention {
        /// Control number.
        item: String,
        /// `YYYY-MM-DD`, or none to clear it.
        until: Option<String>,
    },
}

/// Something a screen asks for.
pub enum Action {
    /// Create the vault (first run).
    CreateVault,
    /// The recovery code was written down.
    RecoveryConfirmed,
    /// Sign in with the unlock form.
    Unlock,
    /// Give the account in the unlock form a new password with the recovery code.
    Recover,
    /// Change the password with the password form.
    ChangePassword,
    /// Lock now.
    Lock,
    /// Open a view.
    Show(View),
    /// Open an item's detail.
    OpenItem(String),
    /// Start the import in the form.
    StartImport,
    /// Cancel a job.
    CancelJob(u64),
    /// Remove the finished jobs from the jobs panel.
    ClearJobs,
    /// Open or close the jobs list.
    ToggleJobs,
    /// Ask to confirm the export of the open item to the path in the form.
    Export,
    /// The person confirmed the export the confirmation showed: start exactly it.
    ConfirmExport(ExportAsked),
    /// The person did not confirm the export.
    CancelExport,
    /// Open a file dialog.
    Ask(Purpose),
    /// Verify the ledger.
    Verify,
    /// Query the ledger with the filter fields.
    QueryEvents,
    /// Write an audit bundle to the bundle field's directory.
    ExportBundle,
    /// Verify the bundle in the bundle field's directory.
    VerifyBundle,
    /// Destroy the open item (reason and witness from its form).
    Destroy,
    /// Open the destroy dialog for these items, with a reason to start from.
    OpenDestroy {
        /// Control numbers.
        items: Vec<String>,
        /// The reason filled in (the Due list's: retention ended).
        reason: String,
    },
    /// Destroy what the destroy dialog names, as its fields say.
    ConfirmDestroy,
    /// Close the destroy dialog.
    CloseDestroy,
    /// A step on a certificate of destruction.
    Certificate(super::messages::CertificateStep),
    /// Lower the open item's level (from its form).
    Downgrade,
    /// Add the user in the user form.
    AddUser,
    /// Disable the selected user.
    DisableUser,
    /// Enable or unlock the selected user.
    EnableUser,
    /// Reset the selected user's password to the temporary one.
    ResetUser,
    /// Set the selected user's clearance.
    SetClearance,
    /// Acknowledge an alert with the comment typed for it.
    Acknowledge(u64),
    /// Approve (true) or deny a request.
    Decide(u64, bool),
    /// Change a policy setting.
    SetPolicy(String, String),
    /// Switch language.
    ToggleLanguage,
    /// Switch theme.
    ToggleTheme,
    /// Close the message dialog.
    DismissMessage,
    /// Export again what the failed export asked for, replacing the file it found (the
    /// message naming the file is the confirmation).
    ExportReplacing(ExportAsked),
    /// Open the recovery form at the sign-in screen, its code field focused.
    UseRecoveryCode,
    /// Go to the open item's witness fields, to act now with a second person.
    AddWitness,
    /// Release the chosen quarantine entry (from the Guard screen's form).
    ReleaseEntry,
    /// Destroy the chosen quarantine entry.
    DestroyEntry,
    /// Register the medium the Guard screen's form names.
    RegisterMedium,
    /// A step on a registered medium (its id).
    MediumStep(String, MediumStep),
    /// A custody step.
    Custody(CustodyStep),
    /// Check every item against its object and history (`deep`: decrypt and hash too).
    RunInventory {
        /// Decrypt and hash every item the user is cleared for.
        deep: bool,
    },
    /// Open the Guard screen at the copy an alert reports (its seq) and its entry.
    OpenCopy {
        /// The alert's seq.
        seq: u64,
        /// The quarantine entry it names.
        entry: Option<String>,
    },
}

/// The main views after sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The vault browser.
    Browser,
    /// Import form and jobs.
    Import,
    /// One item.
    Detail,
    /// Custody ledger (officers).
    Ledger,
    /// Users, approvals, policy (officers).
    Admin,
    /// Open alerts.
    Alerts,
    /// Copies from removable media and the quarantine (officers).
    Guard,
    /// Offers of custody; for officers the Due list and the inventory.
    Custody,
}

/// Which screen the window shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the station thread to open the vault.
    Starting,
    /// No vault yet: the setup wizard.
    Setup,
    /// The vault was made: show the recovery code once.
    Recovery,
    /// Sign in.
    Unlock,
    /// Signed in.
    Main,
    /// The vault could not be opened (the message says why).
    Unavailable,
}

/// A queued or running job.
pub struct Job {
    /// Number.
    pub id: u64,
    /// What it is ("Import 3 paths", "Export SR-…").
    pub label: String,
    /// Counters and cancel.
    pub progress: Arc<Progress>,
    /// When it started reading (queued jobs wait their turn).
    pub started: Option<Instant>,
    /// The outcome, once known.
    pub outcome: Option<Result<String, Failure>>,
    /// For an import, the paths it was given (put back in the form if it is refused).
    pub paths: Vec<PathBuf>,
    /// For an export, what was asked (replayed, replacing the file, if the destination
    /// exists and the person says so).
    pub export: Option<ExportAsked>,
}

/// A refusal or error to show in a dialog.
pub struct Message {
    /// The failure.
    pub failure: Failure,
}

/// What the person chose for the window, kept across locks.
#[derive(Clone, Copy, Debug)]
pub struct Prefs {
    /// Language.
    pub lang: Lang,
    /// Dark theme.
    pub dark: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            lang: Lang::En,
            dark: true,
        }
    }
}

/// Everything a session shows and everything typed during it: one value, dropped whole at
/// lock, so nothing decrypted or typed can outlive the session through a forgotten field.
pub struct SignedIn {
    /// Who is signed in.
    pub session: SessionInfo,
    /// The lock generation it began in (password fields' ids).
    pub generation: u64,
    /// Current view.
    pub view: View,
    /// Items the user may see.
    pub items: Vec<ItemSummary>,
    /// Rows left out of the list because they disagree with the custody ledger.
    pub items_withheld: u64,
    /// The station's policy (officers).
    pub policy: Option<Policy>,
    /// Jobs, newest last.
    pub jobs: Vec<Job>,
    /// The jobs list is open (its heading and counts always show).
    pub jobs_open: bool,
    /// Next job number.
    pub next_job: u64,
    /// Short notices, with when they appeared.
    pub toasts: Vec<(String, Instant)>,
    /// The required password change.
    pub password: PasswordScreen,
    /// The vault browser.
    pub browser: BrowserScreen,
    /// The import screen.
    pub import: ImportScreen,
    /// The open item's page.
    pub item: ItemScreen,
    /// The custody ledger (officers).
    pub ledger: LedgerScreen,
    /// Open alerts.
    pub alerts: AlertsScreen,
    /// Users, requests and policy (officers).
    pub admin: AdminScreen,
    /// Copies and the quarantine (officers).
    pub guard: GuardScreen,
    /// Offers, the Due list and the inventory.
    pub custody: CustodyScreen,
    /// The destroy dialog, while open.
    pub destroy: Option<super::screens::destroy_dialog::DestroyDialog>,
    /// The highest level this session has shown or handled (the banners; DESIGN.md §7).
    high: Level,
}

impl SignedIn {
    /// A new session's state: the vault browser, nothing loaded yet.
    pub fn new(session: SessionInfo, generation: u64) -> SignedIn {
        SignedIn {
            session,
            generation,
            view: View::Browser,
            items: Vec::new(),
            items_withheld: 0,
            policy: None,
            jobs: Vec::new(),
            jobs_open: true,
            next_job: 1,
            toasts: Vec::new(),
            password: PasswordScreen::default(),
            browser: BrowserScreen::default(),
            import: ImportScreen::default(),
            item: ItemScreen::default(),
            ledger: LedgerScreen::default(),
            alerts: AlertsScreen::default(),
            admin: AdminScreen::default(),
            guard: GuardScreen::default(),
            custody: CustodyScreen::default(),
            destroy: None,
            high: Level::Unclassified,
        }
    }

    /// Note that something at `level` was shown or is being handled: the banners never go
    /// lower again in this session.
    pub fn raise(&mut self, level: Level) {
        self.high = self.high.max(level);
    }

    /// Note every level of `levels`.
    pub fn raise_all(&mut self, levels: impl IntoIterator<Item = Level>) {
        for level in levels {
            self.raise(level);
        }
    }

    /// The level the banners show: the highest this session has shown or handled, running
    /// jobs included, the same on every screen (DESIGN.md §7).
    pub fn system_high(&self) -> Level {
        self.high
    }
}

/// Everything the window shows: the preferences, where the app stands, the forms of the
/// screens before sign-in, and the session's state while someone is signed in.
pub struct Model {
    /// Language and theme.
    pub prefs: Prefs,
    /// Current screen.
    pub phase: Phase,
    /// The vault directory.
    pub root: PathBuf,
    /// First-run form.
    pub setup: SetupForm,
    /// Sign-in form.
    pub unlock: UnlockForm,
    /// Recovery with the recovery code (sign-in screen).
    pub recover: RecoverForm,
    /// The signed-in session's state (`Phase::Main` only).
    pub signed_in: Option<SignedIn>,
    /// The dialog shown over everything.
    pub message: Option<Message>,
    /// The last lock was the idle timer's.
    pub locked_idle: bool,
    /// Bumped at every lock: password widgets get fresh ids.
    pub lock_generation: u64,
    /// Locks the window asked for and already carried out on its side, whose confirmation
    /// from the station thread has not arrived yet (the confirmation must not clear what
    /// was typed at the sign-in screen meanwhile).
    pub locks_unconfirmed: u32,
    /// Whose session the lock screen stands in front of (none before the first sign-in).
    pub locked_session_of: Option<String>,
    /// The status strip's latest reading (network, media, guard), none before the first.
    /// Nothing in it is secret: it stays across locks.
    pub guard: Option<strongroom::guard::status::GuardStrip>,
    /// The Cloud window is open (the status strip's Cloud field opens it).
    pub cloud_open: bool,
}

impl Model {
    /// A model for the vault at `root`.
    pub fn new(root: PathBuf) -> Model {
        Model {
            prefs: Prefs::default(),
            phase: Phase::Starting,
            setup: SetupForm {
                location: root.display().to_string(),
                ..SetupForm::default()
            },
            root,
            unlock: UnlockForm::default(),
            recover: RecoverForm::default(),
            signed_in: None,
            message: None,
            locked_idle: false,
            lock_generation: 0,
            locks_unconfirmed: 0,
            locked_session_of: None,
            guard: None,
            cloud_open: false,
        }
    }

    /// The highest level on screen (for the banners); unclassified before sign-in.
    pub fn system_high(&self) -> Level {
        match &self.signed_in {
            Some(signed_in) if self.phase == Phase::Main => signed_in.system_high(),
            _ => Level::Unclassified,
        }
    }

    /// Drop everything decrypted and every secret the window holds (at lock): the session's
    /// state whole, the dialog, and the passwords typed at the sign-in screen.
    pub fn forget_session(&mut self) {
        // The lock screen names whose session it was: the name stays, nothing else does.
        let user = match self.signed_in.take() {
            Some(signed_in) => {
                self.locked_session_of = Some(signed_in.session.user.clone());
                signed_in.session.user
            }
            None => std::mem::take(&mut self.unlock.user),
        };
        self.message = None;
        self.unlock = UnlockForm {
            user,
            ..UnlockForm::default()
        };
        self.recover = RecoverForm::default();
        self.phase = Phase::Unlock;
        self.lock_generation += 1;
    }
}
