//! `strongroom cloud …`: synced and network folders on this machine (no vault needed).

use std::path::PathBuf;

use clap::Subcommand;

/// Cloud-synced and network folders.
#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// Find the folders whose contents leave this machine: sync clients' configuration files,
    /// network and remote mounts, the markers clients leave in their folders (a bounded walk
    /// of your home), and running clients
    Scan {
        /// JSON for scripts
        #[arg(long)]
        json: bool,
        /// Skip the walk of the home directory for markers (markers above a checked path are
        /// still read)
        #[arg(long)]
        no_walk: bool,
    },
    /// Check one destination: exit 5 when it lies in, or contains, a synced or network folder,
    /// or cannot be resolved reliably
    Check {
        /// The path (a vault directory, an export destination; it need not exist yet)
        path: PathBuf,
        /// JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Officers: let the vault stay in a folder the checks call synced or remote but that is
    /// shown not to be (a stale configuration): a signed event names each folder, and the
    /// vault opens there from then on
    AllowVault {
        /// Why the folder does not sync (recorded in the ledger)
        #[arg(long)]
        reason: String,
    },
}
