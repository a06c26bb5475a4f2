//! The guard's commands: `guard`, the `quarantine` of what it sealed, and the `media`
//! register it checks media against.

use std::path::PathBuf;

use clap::Subcommand;

/// `quarantine` subcommands.
#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// Every entry, newest first
    List,
    /// One entry, checked: it opens with its level's sealing key and hashes as recorded
    Show {
        /// The entry's id (hex, from `quarantine list`)
        id: String,
    },
    /// Release an entry as a vault item (officers holding its level; a witness at or above
    /// the two-person level): its content goes straight from the entry into the item
    Release {
        /// The entry's id (hex, from `quarantine list`)
        id: String,
        /// The new item's level: unclassified, internal, confidential, secret, top-secret (or 公开/内部/秘密/机密/绝密)
        #[arg(long)]
        level: String,
        /// The new item's title (default: the copy's original file name)
        #[arg(long)]
        title: Option<String>,
        /// Why it is released (recorded)
        #[arg(long)]
        reason: String,
    },
    /// Destroy an entry (officers holding its level; a witness at or above the two-person
    /// level): recorded, then its sealed key overwritten and the file removed
    Destroy {
        /// The entry's id (hex, from `quarantine list`)
        id: String,
        /// Why it is destroyed (recorded)
        #[arg(long)]
        reason: String,
    },
}

/// `media` subcommands.
#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Register the medium mounted at MOUNTPOINT (officers): an admin-key-signed record,
    /// written on the medium as its marker. Reading its file-system identity needs root, or
    /// the guard running
    Register {
        /// Where the medium is mounted
        mount_point: PathBuf,
        /// Its label in the register (what is written on it)
        #[arg(long)]
        label: String,
        /// The highest level it may carry: unclassified … top-secret (or 公开 … 绝密)
        #[arg(long)]
        level: String,
        /// Its custodian (a user cleared for the level)
        #[arg(long)]
        custodian: String,
        /// Authorized through this day (YYYY-MM-DD, UTC) or until this RFC 3339 time
        #[arg(long)]
        expires: Option<String>,
    },
    /// Every medium of the register
    List,
    /// One medium of the register, with its history
    Show {
        /// The medium's id (or its first 8 characters or more)
        id: String,
    },
    /// The removable media mounted now, each with the register's verdict
    Mounted,
    /// Issue a medium to a holder (officers)
    Issue {
        /// The medium's id
        id: String,
        /// Who takes it (cleared for its level)
        #[arg(long)]
        to: String,
    },
    /// Take a medium back from its holder (officers)
    Return {
        /// The medium's id
        id: String,
    },
    /// Take a medium out of use: its marker authorizes nothing from now on (officers)
    Retire {
        /// The medium's id
        id: String,
        /// Why (recorded)
        #[arg(long)]
        reason: String,
    },
    /// Record a medium as destroyed (officers; a witness at or above the two-person level)
    Destroy {
        /// The medium's id
        id: String,
        /// Why (recorded)
        #[arg(long)]
        reason: String,
    },
}

/// `guard` subcommands.
#[derive(Debug, Subcommand)]
pub enum GuardCommand {
    /// Enable the guard (an officer, run as root): a new guard key in the signed directory
    /// and the root-owned state the guard trusts
    Enable {
        /// Mount points under this directory count as removable media (repeatable)
        #[arg(long = "removable-root", value_name = "DIR")]
        removable_roots: Vec<PathBuf>,
    },
    /// Disable the guard (an officer): its key leaves the signed directory
    Disable,
    /// Run the guard in the foreground (as root, for the service manager)
    Run {
        /// Read the machine once, record what is there, and exit
        #[arg(long)]
        once: bool,
        /// Mount points under this directory count as removable media (repeatable)
        #[arg(long = "removable-root", value_name = "DIR")]
        removable_roots: Vec<PathBuf>,
        /// Seconds between heartbeats, instead of the policy's minutes
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=86_400))]
        heartbeat_seconds: Option<u64>,
        /// Also watch this directory for copies from removable media (repeatable)
        #[arg(long = "protect", value_name = "DIR")]
        protect: Vec<PathBuf>,
        /// Watch only the directories given with --protect and network mounts (not every
        /// home, /tmp, /var/tmp, /dev/shm and /run/user)
        #[arg(long)]
        no_default_destinations: bool,
    },
    /// Network state, mounted media, whether a guard runs, heartbeat gaps, last events
    Status {
        /// Mount points under this directory count as removable media (repeatable)
        #[arg(long = "removable-root", value_name = "DIR")]
        removable_roots: Vec<PathBuf>,
    },
}
