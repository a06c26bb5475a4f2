//! What the window and the station thread say to each other: [`Command`]s in, [`Reply`]s
//! out. Secrets travel in zeroizing `Password`s; replies carry only what the signed-in user
//! may see.

use std::path::PathBuf;
use std::sync::Arc;

use strongroom::accounts::Role;
use strongroom::accounts::policy::Policy;
use strongroom::crypto::Password;
use strongroom::ledger::StoredEvent;
use strongroom::ledger::alert::Alert;
use strongroom::ledger::bundle::BundleReport;
use strongroom::ledger::verify::Report;
use strongroom::progress::Progress;
use strongroom::station::RequestView;
use strongroom::station::{ItemDetail, ItemList, UserView};
use strongroom::{Error, Level};

use super::error_text::ErrorKind;
use super::i18n::Text;

/// Something for the station to do.
pub enum Command {
    /// Create a vault and its first officer (first run).
    Init {
        /// Vault directory.
        root: PathBuf,
        /// First officer.
        officer: String,
        /// Their password.
        password: Password,
    },
    /// Sign in.
    Unlock {
        /// User name.
        user: String,
        /// Password.
        password: Password,
    },
    /// Give `user` a new identity and password with the recovery code (the station stays
    /// locked; an alert is raised).
    Recover {
        /// The account.
        user: String,
        /// The recovery code as typed.
        code: Password,
        /// The new password.
        new: Password,
    },
    /// Drop the session's keys.
    Lock,
    /// The person at the window did something (restarts the idle time).
    Touch,
    /// Change the signed-in user's password (required after a reset or when too old).
    ChangePassword {
        /// Current password.
        current: Password,
        /// New password.
        new: Password,
    },
    /// Read the items again.
    RefreshItems,
    /// Read one item with its timeline.
    Item(String),
    /// Import files and folders (a queued job).
    Import {
        /// Job number (for progress and replies).
        job: u64,
        /// What to import.
        paths: Vec<PathBuf>,
        /// Level (required).
        level: Level,
        /// Title for a single file.
        title: Option<String>,
        /// Notes.
        notes: Option<String>,
        /// Counters and the cancel flag.
        progress: Arc<Progress>,
    },
    /// Export an item (a queued job).
    Export {
        /// Job number.
        job: u64,
        /// Control number.
        item: String,
        /// Destination.
        to: PathBuf,
        /// Why (recorded; required at or above the policy's export-reason level).
        reason: String,
        /// Replace a file already there (the person confirmed it).
        overwrite: bool,
        /// Counters and the cancel flag.
        progress: Arc<Progress>,
    },
    /// Verify the custody ledger (officers).
    VerifyLedger,
    /// Read ledger events matching a filter (officers see all).
    QueryEvents {
        /// Control number, or empty.
        item: String,
        /// User name, or empty.
        actor: String,
        /// Action, or empty.
        action: String,
        /// RFC 3339 lower bound, or empty.
        since: String,
        /// RFC 3339 upper bound, or empty.
        until: String,
    },
    /// Write an audit bundle of the whole log into a new directory.
    ExportBundle(PathBuf),
    /// Self-check an audit bundle against this station's own key.
    VerifyBundle(PathBuf),
    /// Read users, requests and policy (officers).
    RefreshAdmin,
    /// Destroy items under one certificate (two-person at the policy's level: a witness
    /// for the batch, or a request per item).
    Destroy {
        /// Control numbers.
        items: Vec<String>,
        /// Why.
        reason: String,
        /// A witness who typed their own password.
        witness: Option<(String, Password)>,
    },
    /// Open, save, verify or sign a certificate.
    Certificate(CertificateStep),
    /// Lower an item's level (officers; two-person at the policy's level).
    Downgrade {
        /// Control number.
        item: String,
        /// The new level.
        to: Level,
        /// Why.
        reason: String,
        /// A witness who typed their own password.
        witness: Option<(String, Password)>,
    },
    /// Officers' user administration.
    User(UserChange),
    /// Read the open alerts.
    RefreshAlerts,
    /// Acknowledge an alert with a comment.
    Acknowledge {
        /// The alert's seq.
        seq: u64,
        /// The comment (recorded).
        comment: String,
    },
    /// Approve or deny a request.
    Decide {
        /// Request number.
        id: u64,
        /// Approve (true) or deny.
        approve: bool,
    },
    /// Read the copies the guard recorded and the quarantine (officers).
    RefreshGuard,
    /// Release a quarantine entry as a vault item (a queued job).
    ReleaseEntry {
        /// Job number.
        job: u64,
        /// The entry (hex id).
        entry: String,
        /// The new item's level.
        level: Level,
        /// Its title (none: the copy's own name).
        title: Option<String>,
        /// Why.
        reason: String,
        /// A witness who typed their own password.
        witness: Option<(String, Password)>,
        /// Counters and the cancel flag.
        progress: Arc<Progress>,
    },
    /// Destroy a quarantine entry.
    DestroyEntry {
        /// The entry (hex id).
        entry: String,
        /// Why.
        reason: String,
        /// A witness who typed their own password.
        witness: Option<(String, Password)>,
    },
    /// Register a mounted medium (officers).
    RegisterMedium(strongroom::station::Registration),
    /// Issue, take back or retire a registered medium (officers).
    MediumStep {
        /// The medium's register id.
        id: String,
        /// What to do.
        step: super::model::MediumStep,
    },
    /// A custody step (offer, accept, decline, retention); `reopen`: the item's page asked,
    /// and shows the item again afterwards.
    Custody {
        /// What to do.
        step: super::model::CustodyStep,
        /// Show the item's page again with the change.
        reopen: bool,
    },
    /// Raise an item's level: re-encrypted under a fresh key (a queued job).
    Raise {
        /// Job number.
        job: u64,
        /// Control number.
        item: String,
        /// The higher level.
        to: Level,
        /// Why.
        reason: String,
        /// Counters and the cancel flag.
        progress: Arc<Progress>,
    },
    /// Read the Custody screen's data: open offers and the Due list.
    RefreshCustody,
    /// Check every item against its object and history (a queued job).
    Inventory {
        /// Job number.
        job: u64,
        /// Decrypt and hash every item the user is cleared for.
        deep: bool,
        /// Counters and the cancel flag.
        progress: Arc<Progress>,
    },
    /// Say whether the export waiting for confirmation may go to its destination's medium.
    CheckExportMedium(super::screens::detail::ExportAsked),
    /// Change one policy setting.
    SetPolicy {
        /// Setting name.
        key: String,
        /// New value.
        value: String,
    },
}

/// A change to a user account (officers).
pub enum UserChange {
    /// Add a user.
    Add {
        /// Name.
        name: String,
        /// Role.
        role: Role,
        /// Clearance.
        clearance: Level,
        /// Their first password.
        password: Password,
    },
    /// Disable an account.
    Disable {
        /// Name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Enable or unlock an account.
    Enable {
        /// Name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Reset a password to a temporary one.
    Reset {
        /// Name.
        name: String,
        /// The temporary password.
        password: Password,
        /// Why.
        reason: String,
    },
    /// Set a clearance.
    Clearance {
        /// Name.
        name: String,
        /// The new clearance.
        level: Level,
        /// Why.
        reason: String,
    },
}

/// Who is signed in.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    /// User name.
    pub user: String,
    /// Role.
    pub role: Role,
    /// Clearance.
    pub clearance: Level,
    /// Station id.
    pub station: String,
    /// Why the password must change first, if it must.
    pub password_change: Option<String>,
    /// Why the station signs no checkpoints (its ledger was changed outside Strongroom), if
    /// it does not: shown until it is dealt with.
    pub signing_problem: Option<Failure>,
}

/// What the station answers.
pub enum Reply {
    /// The vault at the chosen location opened (or there is none yet).
    Opened {
        /// Whether a vault exists there.
        exists: bool,
    },
    /// The vault could not be opened; nothing else will work.
    Unavailable(Failure),
    /// The vault was created and locked again; the recovery code is shown once.
    Initialized {
        /// The code.
        recovery_code: Password,
    },
    /// Signed in.
    Unlocked(SessionInfo),
    /// The session ended (`idle` when the timer did it).
    Locked {
        /// Locked by the idle timer.
        idle: bool,
    },
    /// The items this user may see.
    Items(ItemList),
    /// One item.
    Item(Box<ItemDetail>),
    /// A job finished.
    JobDone {
        /// Job number.
        job: u64,
        /// What to say.
        summary: String,
    },
    /// A batch finished with some of its files left out (the rest are done).
    JobPartial {
        /// Job number.
        job: u64,
        /// What was done ("SR-2026-000001, …").
        summary: String,
        /// Each path left out: its name and why.
        failed: Vec<(String, Failure)>,
    },
    /// An import was cancelled after some of its groups were committed: those items stay.
    JobCancelledKept {
        /// Job number.
        job: u64,
        /// The items kept ("SR-2026-000001, …").
        kept: String,
    },
    /// A job failed or was cancelled.
    JobFailed {
        /// Job number.
        job: u64,
        /// Why.
        error: Failure,
    },
    /// The ledger was verified.
    Verified(Box<Report>),
    /// Ledger events.
    Events(Vec<StoredEvent>),
    /// Open alerts.
    Alerts(Vec<Alert>),
    /// The status strip's reading: network, media, the guard, and what it recorded since.
    Guard(Box<strongroom::guard::status::GuardStrip>),
    /// The Guard screen's data.
    GuardScreen {
        /// Copies recorded, newest first.
        copies: Vec<strongroom::station::CopyRecord>,
        /// The quarantine, newest first.
        entries: Vec<strongroom::guard::quarantine_table::Entry>,
        /// The removable media mounted now, judged against the register.
        mounted: Vec<strongroom::station::MountedMedium>,
        /// The media register.
        register: Vec<strongroom::guard::register::Entry>,
        /// Register events no admin key signed (ignored).
        ignored: u64,
    },
    /// The Custody screen's data.
    Custody {
        /// Offers of custody open now that concern the user (officers: all).
        offers: Vec<strongroom::station::PendingOffer>,
        /// Items whose retention date has come.
        due: Vec<strongroom::custody::retention::DueItem>,
        /// Destroyed items (their tombstones).
        tombstones: Vec<strongroom::station::Tombstone>,
    },
    /// An inventory's findings.
    Inventory(Box<strongroom::custody::inventory::Report>),
    /// Items were destroyed: the destroy dialog shows their certificate.
    Destroyed(Box<strongroom::station::DestroyReport>),
    /// The certificates of destruction.
    Certificates(Box<strongroom::station::CertificateList>),
    /// A certificate was checked: its number, and the outcome in words (or why it failed).
    CertificateChecked(String, Result<String, String>),
    /// What the export confirmation says about the destination's medium.
    ExportMedium {
        /// The export it is about.
        asked: super::screens::detail::ExportAsked,
        /// The verdict.
        check: strongroom::station::ExportMediumCheck,
    },
    /// Something finished that deserves a notice: what, and about what.
    Notice(Text, String),
    /// The account was recovered; its user signs in with the new password.
    Recovered(String),
    /// An audit bundle was verified.
    BundleVerified(Box<BundleReport>),
    /// Officer data.
    Admin {
        /// Users.
        users: Vec<UserView>,
        /// Pending requests.
        requests: Vec<RequestView>,
        /// The policy.
        policy: Box<Policy>,
    },
    /// A command failed.
    Failed(Failure),
}

/// What to do with a certificate of destruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateStep {
    /// Show its PDF in the desktop's viewer.
    Open(String),
    /// Write certificate.json, certificate.pdf and ak.vkey into a directory.
    Save {
        /// Its number.
        number: String,
        /// The directory chosen.
        dir: PathBuf,
    },
    /// Check it against the ledger and the station's admin keys.
    Verify(String),
    /// Sign one awaiting an officer.
    Sign(String),
}

/// An error as the window shows it: its kind (worded in the app's languages), the library's
/// sentence, and the rule when a rule refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, with the data the app's words need.
    pub kind: ErrorKind,
    /// The library's sentence (English), shown as the details.
    pub message: String,
    /// The rule's name for refusals.
    pub rule: Option<String>,
    /// A two-person request was made instead.
    pub approval: bool,
    /// Cancelled by the user.
    pub cancelled: bool,
}

impl Failure {
    /// A message of the app's own, already in the user's language.
    pub fn plain(message: &str) -> Failure {
        Failure {
            kind: ErrorKind::Other,
            message: message.to_string(),
            rule: None,
            approval: false,
            cancelled: false,
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            kind: ErrorKind::of(&error),
            message: error.to_string(),
            rule: match &error {
                Error::Denied { rule, .. } => Some((*rule).to_string()),
                _ => None,
            },
            approval: matches!(error, Error::ApprovalRequired { .. }),
            cancelled: matches!(error, Error::Cancelled),
        }
    }
}
