//! Command-line arguments (clap derive). Secrets are never arguments: passwords come from a
//! terminal prompt, a file or the environment.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod cloud;
mod custody;
mod guard;

pub use cloud::CloudCommand;
pub use custody::CustodyCommand;
pub use guard::{GuardCommand, MediaCommand, QuarantineCommand};

/// Exit codes, shown in `--help` and the README.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  error (bad input, missing file or vault, I/O failure)
  2  usage error
  3  authentication failed (wrong password or unknown user)
  4  account locked or disabled
  5  denied (role, clearance, policy, unsafe vault location) — the message names the rule
  6  integrity failure (tampered object, key store, database, ledger or audit bundle)
  7  approval required (a request was created and is pending)

Passwords: a terminal prompt, --password-file FILE, or STRONGROOM_PASSWORD; never an argument.";

/// Strongroom: an encrypted vault and custody ledger for classified media.
#[derive(Debug, Parser)]
#[command(name = "strongroom", version, about, after_help = EXIT_CODES_HELP, disable_help_subcommand = true)]
pub struct Cli {
    /// Vault directory [default: the XDG data directory's strongroom/]
    #[arg(long, global = true, env = "STRONGROOM_VAULT", value_name = "DIR")]
    pub vault: Option<PathBuf>,

    /// User to act as
    #[arg(long, global = true, env = "STRONGROOM_USER", value_name = "NAME")]
    pub user: Option<String>,

    /// Read the acting user's password from FILE (first line)
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Print machine-readable JSON
    #[arg(long, global = true)]
    pub json: bool,

    /// Second person for a two-person action (destroy, downgrade, export to removable
    /// media): an officer, who is asked for their own password
    #[arg(long, global = true, value_name = "NAME")]
    pub witness: Option<String>,

    /// Read the witness's password from FILE (first line)
    #[arg(long, global = true, value_name = "FILE", requires = "witness")]
    pub witness_password_file: Option<PathBuf>,

    /// What to do; with no command the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault with its first security officer (--user NAME)
    Init(InitArgs),
    /// Encrypt files or directories into the vault
    Import(ImportArgs),
    /// List the items you are cleared to see (page by page: the first lines come at once)
    List(ListArgs),
    /// Show one item's metadata and custody timeline
    Show(ShowArgs),
    /// Decrypt an item to a file
    Export(ExportArgs),
    /// Change your password
    Passwd(PasswdArgs),
    /// Give a user a new password with the recovery code
    Recover(RecoverArgs),
    /// Custody ledger: verify, export bundles (officers)
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Audit bundles on any machine: verify, trust a station key
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Users (officers): add, list, disable, enable, reset, clearance, role
    #[command(subcommand)]
    User(UserCommand),
    /// Destroy items (one certificate for them all): crypto-erase and removal of the ciphertext
    Destroy(DestroyArgs),
    /// Certificates of destruction: list, show, export, sign
    #[command(subcommand)]
    Certificate(CertificateCommand),
    /// Lower an item's classification level
    Downgrade(DowngradeArgs),
    /// Custody: transfer, accept, decline, pending, reassign, raise a level, retention, due
    #[command(subcommand)]
    Custody(CustodyCommand),
    /// Check every item against its object file and its custody history
    Inventory(InventoryArgs),
    /// Two-person requests: list, approve, deny (officers decide)
    #[command(subcommand)]
    Request(RequestCommand),
    /// The station policy: show, set (officers)
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// The signed account directory: rebuild it when its newest row was lost (officers)
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// The recovery code: `recovery-code reissue --reason R` replaces it (officers cleared to
    /// top-secret; the old code stops working and every key is replaced)
    #[command(subcommand)]
    RecoveryCode(RecoveryCodeCommand),
    /// The guard: a root daemon that watches the air gap and removable media
    #[command(subcommand)]
    Guard(GuardCommand),
    /// Copies the guard sealed while networked: list, show (officers)
    #[command(subcommand)]
    Quarantine(QuarantineCommand),
    /// Cloud-synced and network folders on this machine: scan, check a destination
    #[command(subcommand)]
    Cloud(CloudCommand),
    /// The register of authorized removable media: register, issue, return, retire, destroy
    /// (officers); list, show, mounted
    #[command(subcommand)]
    Media(MediaCommand),
    /// Open alerts; `alerts ack SEQ --comment TEXT` (officers), `alerts history`
    Alerts {
        /// What to do (nothing: list the open alerts)
        #[command(subcommand)]
        command: Option<AlertsCommand>,
    },
}

/// `destroy`.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// Control numbers (SR-2026-000042) or item ids: several are destroyed together, under
    /// one certificate
    #[arg(required = true, num_args = 1..)]
    pub items: Vec<String>,
    /// Why (recorded in the ledger)
    #[arg(long)]
    pub reason: String,
    /// Confirm without a prompt (required in scripts)
    #[arg(long)]
    pub yes: bool,
}

/// `certificate ...`.
#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Certificates at or below your clearance, newest first
    List,
    /// One certificate's fields and status
    Show {
        /// Its number (CD-2026-000001)
        number: String,
    },
    /// Write certificate.json, certificate.pdf and ak.vkey into a directory
    Export {
        /// Its number
        number: String,
        /// The directory (made if absent; existing files are never overwritten)
        #[arg(long, value_name = "DIR")]
        out: std::path::PathBuf,
    },
    /// Sign a certificate awaiting a security officer (officers)
    Sign {
        /// Its number
        number: String,
    },
}

/// `downgrade`.
#[derive(Debug, Args)]
pub struct DowngradeArgs {
    /// Control number (SR-2026-000042) or item id
    pub item: String,
    /// The new, lower level
    #[arg(long, value_name = "LEVEL")]
    pub to: String,
    /// Why (recorded in the ledger)
    #[arg(long)]
    pub reason: String,
    /// Confirm without a prompt (required in scripts)
    #[arg(long)]
    pub yes: bool,
}

/// `request` subcommands.
#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// List requests (officers see all, others their own)
    List {
        /// Show every request, not only pending ones
        #[arg(long)]
        all: bool,
    },
    /// Approve another person's pending request
    Approve {
        /// Request number
        id: u64,
        /// A note for the record
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Deny another person's pending request
    Deny {
        /// Request number
        id: u64,
        /// A note for the record
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show every setting
    Show,
    /// Change one setting (officers); recorded with its old and new value
    Set {
        /// Setting name (see `policy show`)
        key: String,
        /// New value
        value: String,
    },
}

/// `directory` subcommands.
#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Put back the newest signed directory from the ledger's copy after its row was
    /// deleted outside Strongroom (the station refuses every write until then)
    Rebuild,
}

/// `recovery-code` subcommands.
#[derive(Debug, Subcommand)]
pub enum RecoveryCodeCommand {
    /// Issue a new recovery code, shown once; the old one stops working. Every level key, the
    /// signing key and the admin key are replaced (pending approvals lapse), and an alert is
    /// raised for another officer
    Reissue {
        /// Why (recorded in the ledger): "used for bob's recovery", "seen by a visitor"
        #[arg(long)]
        reason: String,
        /// Confirm without asking (scripts)
        #[arg(long)]
        yes: bool,
    },
}

/// `ledger` subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute every event, root and checkpoint signature; report the first bad seq
    Verify,
    /// Write an audit bundle (a directory) to verify on another machine
    Export(LedgerExportArgs),
    /// Show events, filtered and paged (officers see all; others up to their clearance)
    Events(LedgerEventsArgs),
    /// After damage was found: start a new log epoch, so checkpoints resume
    Epoch {
        /// Why (recorded in the epoch's first event)
        #[arg(long)]
        reason: String,
    },
}

/// `ledger export`.
#[derive(Debug, Args)]
pub struct LedgerExportArgs {
    /// New (or empty) directory for the audit bundle
    #[arg(long, value_name = "DIR", required_unless_present = "csv", conflicts_with = "csv")]
    pub out: Option<std::path::PathBuf>,
    /// Write the events as CSV for spreadsheets instead (refuses to overwrite)
    #[arg(long, value_name = "FILE")]
    pub csv: Option<std::path::PathBuf>,
    /// Which events
    #[command(flatten)]
    pub filter: EventFilterArgs,
}

/// Which events: `ledger export` and `ledger events`.
#[derive(Debug, Args)]
pub struct EventFilterArgs {
    /// Only events about this item (control number or id)
    #[arg(long, value_name = "ID")]
    pub item: Option<String>,
    /// Only events by this user
    #[arg(long, value_name = "USER")]
    pub actor: Option<String>,
    /// Only events of this action (e.g. item.export)
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// Only events at or after this time (RFC 3339, UTC: 2026-11-23T00:00:00.000Z)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events before this time
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
}

/// `ledger events`.
#[derive(Debug, Args)]
pub struct LedgerEventsArgs {
    /// Which events
    #[command(flatten)]
    pub filter: EventFilterArgs,
    /// Only events after this seq (the next page starts after the last seq shown)
    #[arg(long, value_name = "SEQ")]
    pub after: Option<u64>,
    /// At most this many events
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub limit: u64,
}

/// `alerts` subcommands (none: list the open alerts).
#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Acknowledge an open alert (officers); recorded with the comment, if any
    Ack {
        /// The alert's seq (as `strongroom alerts` shows it)
        seq: u64,
        /// What was done about it (recorded in the ledger; required when the policy's
        /// alert-comment-required is yes)
        #[arg(long)]
        comment: Option<String>,
    },
    /// Acknowledgements recorded so far, oldest first
    History,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; their password is asked twice (or read with --new-password-file)
    Add {
        /// Login name
        name: String,
        /// operator or officer
        #[arg(long, value_parser = ["operator", "officer"])]
        role: String,
        /// Highest level the user may hold
        #[arg(long, value_name = "LEVEL")]
        clearance: String,
        /// Read the new user's password from FILE
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<std::path::PathBuf>,
    },
    /// List users as the signed directory states them, with lockouts
    List,
    /// Disable an account: its keys are rotated away and it can no longer sign in
    Disable {
        /// Login name
        name: String,
        /// Why (recorded in the ledger)
        #[arg(long)]
        reason: String,
        /// Confirm without a prompt (required in scripts)
        #[arg(long)]
        yes: bool,
    },
    /// Re-enable a disabled account, or unlock one locked by failed sign-ins
    Enable {
        /// Login name
        name: String,
        /// Why (recorded in the ledger)
        #[arg(long)]
        reason: String,
    },
    /// Reset a password: a temporary one (asked twice, or --new-password-file) that the
    /// user must change at next login
    Reset {
        /// Login name
        name: String,
        /// Why (recorded in the ledger)
        #[arg(long)]
        reason: String,
        /// Read the temporary password from FILE
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<std::path::PathBuf>,
    },
    /// Raise or lower a clearance (lowering rotates the keys of the levels lost)
    Clearance {
        /// Login name
        name: String,
        /// The new clearance
        #[arg(value_name = "LEVEL")]
        level: String,
        /// Why (recorded in the ledger)
        #[arg(long)]
        reason: String,
    },
    /// Make a user an operator or an officer (demoting an officer replaces the admin key)
    Role {
        /// Login name
        name: String,
        /// operator or officer
        #[arg(value_parser = ["operator", "officer"])]
        role: String,
        /// Why (recorded in the ledger)
        #[arg(long)]
        reason: String,
    },
}

/// `audit` subcommands: on any machine, no vault needed.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify an audit bundle against the pinned station key
    Verify {
        /// The bundle directory
        dir: std::path::PathBuf,
    },
    /// Check a certificate of destruction (certificate.json) against the pinned admin key
    VerifyCertificate {
        /// The certificate.json file
        file: std::path::PathBuf,
        /// The station's audit bundle: also prove the ledger holds the destruction
        #[arg(long, value_name = "DIR")]
        bundle: Option<std::path::PathBuf>,
    },
    /// Pin a station's verifier key (station.vkey) or admin key (ak.vkey) on this machine
    Trust {
        /// The key, as `strongroom/<station>+<id>+<key>` (a bundle's station.vkey) or
        /// `strongroom-admin/<station>+<id>+<key>` (a certificate's ak.vkey)
        vkey: String,
        /// Accept a new key or epoch for a station already pinned
        #[arg(long)]
        epoch: bool,
    },
}

/// `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Argon2id memory in MiB (at least 64) instead of calibrating
    #[arg(long, value_name = "MIB", requires = "kdf_iterations")]
    pub kdf_memory_mib: Option<u32>,
    /// Argon2id passes (at least 3) instead of calibrating
    #[arg(long, value_name = "N", requires = "kdf_memory_mib")]
    pub kdf_iterations: Option<u32>,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files and directories (directories are imported recursively)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Classification level: unclassified, internal, confidential, secret, top-secret (or 公开/内部/秘密/机密/绝密)
    #[arg(long, value_name = "LEVEL")]
    pub level: String,
    /// Title (a single file only; several files take their file names). Text given here is
    /// visible to other users in the process list and stays in shell history: `--title -`
    /// asks for it at the terminal, --title-file reads it from a file
    #[arg(long, value_name = "TEXT|-")]
    pub title: Option<String>,
    /// Read the title from a file (its first line)
    #[arg(long, value_name = "FILE", conflicts_with = "title")]
    pub title_file: Option<PathBuf>,
    /// Notes stored encrypted with every imported item. Visible in the process list and shell
    /// history when given here: `--notes -` asks at the terminal, --notes-file reads a file
    #[arg(long, value_name = "TEXT|-")]
    pub notes: Option<String>,
    /// Read the notes from a file (all of it)
    #[arg(long, value_name = "FILE", conflicts_with = "notes")]
    pub notes_file: Option<PathBuf>,
    /// Follow symbolic links (never out of a directory being imported)
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Container chunk size in KiB (64 ..= 16384)
    #[arg(long, value_name = "KIB", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(64..=16384))]
    pub chunk_kib: u32,
    /// Files committed together: a crash or cancel loses at most one group (1 ..= 65536)
    #[arg(long, value_name = "N", default_value_t = 2048, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub group_files: u32,
    /// Keep until this date (YYYY-MM-DD, today or later); default: the level's retention
    /// policy, if it sets one
    #[arg(long, value_name = "DATE")]
    pub retain_until: Option<String>,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// List destroyed items instead (their tombstones: control number, level, hash, who
    /// destroyed and witnessed them)
    #[arg(long, conflicts_with_all = ["limit", "after"])]
    pub destroyed: bool,
    /// Only this many items (one page); with --json the output then says where the next
    /// page starts
    #[arg(long)]
    pub limit: Option<usize>,
    /// Start after this control number (the `next` of the previous page)
    #[arg(long, value_name = "CONTROL")]
    pub after: Option<String>,
}

/// `inventory`.
#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Also decrypt and hash every item you are cleared for
    #[arg(long)]
    pub deep: bool,
}

/// `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Control number (SR-2026-000042) or item id
    pub item: String,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Control number (SR-2026-000042) or item id
    pub item: String,
    /// Destination file, or an existing directory to write the original file name into
    #[arg(long, value_name = "PATH")]
    pub to: PathBuf,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
    /// Why (recorded in the ledger; required at or above the policy's export-reason level)
    #[arg(long)]
    pub reason: Option<String>,
    /// Officers: export into a cloud-synced or network folder anyway, for this reason (items
    /// below the policy's cloud-override-below only; recorded as a signed event)
    #[arg(long, value_name = "REASON")]
    pub override_cloud: Option<String>,
    /// Confirm without a prompt (required in scripts)
    #[arg(long)]
    pub yes: bool,
}

/// `passwd`.
#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Read the new password from FILE instead of prompting twice
    #[arg(long, value_name = "FILE")]
    pub new_password_file: Option<PathBuf>,
}

/// `recover`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// Read the recovery code from FILE instead of prompting
    #[arg(long, value_name = "FILE")]
    pub recovery_code_file: Option<PathBuf>,
    /// Read the user's new password from FILE instead of prompting twice
    #[arg(long, value_name = "FILE")]
    pub new_password_file: Option<PathBuf>,
}
