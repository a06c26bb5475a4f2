//! What the screens show and edit: a view-model filled from the station's replies. Screens
//! read it, edit their own form fields, and return [`Action`]s; only `App::logic` turns
//! actions into commands for the station thread.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use strongroom::Level;
use strongroom::accounts::policy::Policy;
use strongroom::crypto::Password;
use strongroom::ledger::StoredEvent;
use strongroom::ledger::alert::Alert;
use strongroom::ledger::bundle::BundleReport;
use strongroom::ledger::verify::Report;
use strongroom::progress::Progress;
use strongroom::station::RequestView;
use strongroom::station::{ItemDetail, ItemSummary, UserView};
use zeroize::Zeroizing;

use super::dialogs::Purpose;
use super::i18n::Lang;
use super::messages::{Failure, SessionInfo};

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
    /// The person confirmed the export: start it.
    ConfirmExport,
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
    /// Export again what the last export asked for, replacing the file it found (the
    /// message naming the file is the confirmation).
    ExportReplacing,
    /// Open the recovery form at the sign-in screen, its code field focused.
    UseRecoveryCode,
    /// Go to the open item's witness fields, to act now with a second person.
    AddWitness,
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

/// The first-run form.
#[derive(Default)]
pub struct SetupForm {
    /// Vault directory.
    pub location: String,
    /// First officer's name.
    pub officer: String,
    /// Password.
    pub password: Zeroizing<String>,
    /// Repeated.
    pub repeat: Zeroizing<String>,
    /// The vault is being created.
    pub busy: bool,
    /// The code to show once.
    pub recovery_code: Option<Password>,
    /// What the user typed back.
    pub confirm: String,
    /// The typed group was wrong.
    pub confirm_wrong: bool,
}

/// The sign-in form.
#[derive(Default)]
pub struct UnlockForm {
    /// User name.
    pub user: String,
    /// Password.
    pub password: Zeroizing<String>,
    /// Waiting for the station.
    pub busy: bool,
}

/// Recovery at the sign-in screen: the station's recovery code and a new password for the
/// user named in the sign-in form.
#[derive(Default)]
pub struct RecoverForm {
    /// The recovery code as typed.
    pub code: Zeroizing<String>,
    /// New password.
    pub new: Zeroizing<String>,
    /// Repeated.
    pub repeat: Zeroizing<String>,
    /// Waiting for the station.
    pub busy: bool,
    /// Open the form (and focus its code) at the next frame.
    pub reveal: bool,
}

/// The required password change.
#[derive(Default)]
pub struct PasswordForm {
    /// Current password.
    pub current: Zeroizing<String>,
    /// New password.
    pub new: Zeroizing<String>,
    /// Repeated.
    pub repeat: Zeroizing<String>,
}

/// Sorting of the vault browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortColumn {
    /// Control number.
    Control,
    /// Title.
    Title,
    /// Level.
    Level,
    /// Size.
    Size,
    /// Import time.
    Created,
}

/// The vault browser's filter and order.
pub struct Browser {
    /// Text filter (control number, title, custodian).
    pub text: String,
    /// Only this level.
    pub level: Option<Level>,
    /// Only this category.
    pub category: Option<String>,
    /// Sort column and direction.
    pub sort: (SortColumn, bool),
    /// Row order after filter and sort: indices into the items.
    pub order: Vec<u32>,
    /// The order must be rebuilt.
    pub dirty: bool,
    /// The filter field takes the focus at the next frame (Ctrl+F).
    pub focus_filter: bool,
}

impl Default for Browser {
    fn default() -> Self {
        Browser {
            text: String::new(),
            level: None,
            category: None,
            sort: (SortColumn::Control, false),
            order: Vec::new(),
            focus_filter: false,
            dirty: true,
        }
    }
}

/// The import form.
#[derive(Default)]
pub struct ImportForm {
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
    pub problem: Option<super::i18n::Text>,
}

/// The item detail's action form: destruction and downgrade, with a witness.
#[derive(Default)]
pub struct ItemActions {
    /// Why (recorded).
    pub reason: String,
    /// Downgrade target.
    pub downgrade_to: Option<Level>,
    /// Witness name (empty: none; a request is made instead).
    pub witness: String,
    /// Witness password.
    pub witness_password: Zeroizing<String>,
    /// Focus the witness name at the next frame.
    pub focus_witness: bool,
    /// A destruction or downgrade was asked for from this form (a witness added here can
    /// stand in for an approval).
    pub second_person_asked: bool,
}

/// An export as it was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportAsked {
    /// Control number.
    pub item: String,
    /// The item's level (the banner counts it while the export runs).
    pub level: Level,
    /// Destination as typed.
    pub to: PathBuf,
    /// The reason given.
    pub reason: String,
}

/// The officers' user form.
#[derive(Default)]
pub struct UserForm {
    /// New user's name.
    pub name: String,
    /// New user is an officer.
    pub officer: bool,
    /// New user's clearance.
    pub clearance: Option<Level>,
    /// New user's password.
    pub password: Zeroizing<String>,
    /// Repeated.
    pub repeat: Zeroizing<String>,
    /// The user the buttons act on.
    pub target: String,
    /// Why (recorded).
    pub reason: String,
    /// Clearance to set.
    pub new_clearance: Option<Level>,
    /// Temporary password for a reset.
    pub temporary: Zeroizing<String>,
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
    /// Required password change.
    pub password: PasswordForm,
    /// Items the user may see.
    pub items: Vec<ItemSummary>,
    /// Rows left out of the list because they disagree with the custody ledger.
    pub items_withheld: u64,
    /// Browser state.
    pub browser: Browser,
    /// The open item.
    pub detail: Option<ItemDetail>,
    /// Export destination field.
    pub export_to: String,
    /// Why the export is made (recorded in the ledger).
    pub export_reason: String,
    /// The last export asked for, so that replacing the file it found repeats exactly it.
    pub last_export: Option<ExportAsked>,
    /// An export waiting for the person's confirmation.
    pub pending_export: Option<ExportAsked>,
    /// The item's action form.
    pub item_actions: ItemActions,
    /// The officers' user form.
    pub user_form: UserForm,
    /// Import form.
    pub import: ImportForm,
    /// Jobs, newest last.
    pub jobs: Vec<Job>,
    /// The jobs list is open (its heading and counts always show).
    pub jobs_open: bool,
    /// Next job number.
    pub next_job: u64,
    /// Last ledger verification.
    pub verify: Option<Report>,
    /// A verification is running.
    pub verifying: bool,
    /// Ledger browser filter: item, actor, action, since, until.
    pub event_filter: [String; 5],
    /// Ledger events found.
    pub events: Vec<StoredEvent>,
    /// Directory of an audit bundle to write or verify.
    pub bundle_dir: String,
    /// The last bundle verification.
    pub bundle_report: Option<BundleReport>,
    /// Open alerts.
    pub alerts: Vec<Alert>,
    /// Comments being typed, by alert seq.
    pub alert_comments: std::collections::BTreeMap<u64, String>,
    /// Short notices, with when they appeared.
    pub toasts: Vec<(String, Instant)>,
    /// Users (officers).
    pub users: Vec<UserView>,
    /// Pending requests (officers).
    pub requests: Vec<RequestView>,
    /// Policy.
    pub policy: Option<Policy>,
    /// Policy editor fields.
    pub policy_edit: Vec<(String, String)>,
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
            password: PasswordForm::default(),
            items: Vec::new(),
            items_withheld: 0,
            browser: Browser::default(),
            detail: None,
            export_to: String::new(),
            export_reason: String::new(),
            last_export: None,
            pending_export: None,
            item_actions: ItemActions::default(),
            user_form: UserForm::default(),
            import: ImportForm::default(),
            jobs: Vec::new(),
            jobs_open: true,
            next_job: 1,
            verify: None,
            verifying: false,
            event_filter: Default::default(),
            events: Vec::new(),
            bundle_dir: String::new(),
            bundle_report: None,
            alerts: Vec::new(),
            alert_comments: Default::default(),
            toasts: Vec::new(),
            users: Vec::new(),
            requests: Vec::new(),
            policy: None,
            policy_edit: Vec::new(),
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
