//! Custody commands: transfers between custodians, raising a level, retention dates and the
//! Due list.

use clap::Subcommand;

/// `custody` subcommands.
#[derive(Debug, Subcommand)]
pub enum CustodyCommand {
    /// Offer custody of items to another user (you hold them, or you are an officer); they
    /// accept or decline it before it lapses (policy transfer-offer-hours)
    Transfer {
        /// Control numbers (SR-2026-000042) or item ids
        #[arg(required = true, value_name = "ID")]
        items: Vec<String>,
        /// The user offered custody (cleared for each item's level)
        #[arg(long, value_name = "USER")]
        to: String,
        /// A note for the recipient (recorded in the ledger in plain: no titles or content)
        #[arg(long)]
        note: Option<String>,
    },
    /// Accept an offer of custody made to you
    Accept {
        /// Control number or item id
        item: String,
    },
    /// Decline an offer made to you, or withdraw one you made
    Decline {
        /// Control number or item id
        item: String,
    },
    /// Offers of custody open now (to you, by you, of your items; officers: all)
    Pending,
    /// Move every item one user holds to another (officers; for a leaver)
    Reassign {
        /// The present custodian
        #[arg(long, value_name = "USER")]
        from: String,
        /// The new custodian (cleared for every item)
        #[arg(long, value_name = "USER")]
        to: String,
        /// Why (recorded)
        #[arg(long)]
        reason: String,
        /// Confirm without a prompt (required in scripts)
        #[arg(long)]
        yes: bool,
    },
    /// Raise an item's level: re-encrypted under a fresh key at the higher level (its
    /// custodian or an officer, holding that level)
    Raise {
        /// Control number or item id
        item: String,
        /// The new, higher level
        #[arg(long, value_name = "LEVEL")]
        to: String,
        /// Why (recorded)
        #[arg(long)]
        reason: String,
        /// Confirm without a prompt (required in scripts)
        #[arg(long)]
        yes: bool,
    },
    /// Set, change or clear an item's retention date (its custodian or an officer)
    Retention {
        /// Control number or item id
        item: String,
        /// Keep until this date (YYYY-MM-DD, today or later); it is due from that day
        #[arg(
            long,
            value_name = "DATE",
            required_unless_present = "clear",
            conflicts_with = "clear"
        )]
        until: Option<String>,
        /// Remove the retention date
        #[arg(long)]
        clear: bool,
        /// Why (recorded)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Items whose retention date has come (due for destruction)
    Due,
}
