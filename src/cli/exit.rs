//! The one place where errors become exit codes (documented in `--help` and the README).

use strongroom::Error;
use strongroom::accounts::availability::WayBack;

/// A usage problem found after parsing (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Exit code for an error chain.
pub fn code(error: &anyhow::Error) -> i32 {
    if error.downcast_ref::<UsageError>().is_some() {
        return 2;
    }
    if error.downcast_ref::<super::ledger::LedgerDamaged>().is_some()
        || error.downcast_ref::<super::ledger::BundleRejected>().is_some()
        || error
            .downcast_ref::<super::certificates::CertificateRejected>()
            .is_some()
    {
        return 6;
    }
    match error.chain().find_map(|e| e.downcast_ref::<Error>()) {
        Some(Error::AuthenticationFailed { .. }) => 3,
        Some(
            Error::AccountUnavailable { .. } | Error::PasswordChangeRequired { .. } | Error::SessionOutOfDate { .. },
        ) => 4,
        Some(Error::ApprovalRequired { .. }) => 7,
        Some(Error::Denied { .. }) => 5,
        Some(
            Error::ObjectTampered { .. }
            | Error::Integrity { .. }
            | Error::CorruptDatabase { .. }
            | Error::LedgerDamaged { .. },
        ) => 6,
        _ => 1,
    }
}

/// What to type next, for the errors whose way out is a command: the library says what
/// happened and holds the data; the command line adds how to go on (the app has buttons).
pub fn hint(error: &anyhow::Error) -> Option<String> {
    hint_for(error.chain().find_map(|e| e.downcast_ref::<Error>())?)
}

/// What to type next after the library error `error`, if a command is the way out.
pub fn hint_for(error: &Error) -> Option<String> {
    let hint = match error {
        Error::PasswordChangeRequired { .. } => "choose your own password with `strongroom passwd`".to_string(),
        Error::NoVault(_) => "create one with `strongroom init --user NAME`, or name it with --vault DIR".into(),
        Error::DestinationExists { .. } => "pass --force to overwrite it".into(),
        Error::SymlinkSource(_) => "pass --follow-symlinks to import what it points to".into(),
        Error::LedgerDamaged { first_bad: None, .. } => {
            "a security officer runs `strongroom ledger verify` to record where".into()
        }
        Error::LedgerDamaged { first_bad: Some(_), .. } => {
            "a security officer runs `strongroom ledger epoch --reason TEXT` after looking at the damage".into()
        }
        Error::Denied { rule: "pinned-key", .. } => {
            "pass --epoch if the station's officers announced a new key or epoch".into()
        }
        Error::ApprovalRequired { request, .. } => format!(
            "a security officer runs `strongroom request approve {request}`; then run this again (or add --witness NAME)"
        ),
        Error::AccountUnavailable { user, state } => {
            let ways: Vec<String> = state
                .ways_back()
                .iter()
                .filter_map(|way| match way {
                    WayBack::OfficerUnlocks | WayBack::OfficerEnables => {
                        Some(format!("a security officer runs `strongroom user enable {user}`"))
                    }
                    WayBack::RecoveryCode => Some(format!("`strongroom recover --user {user}` with the recovery code")),
                    WayBack::Wait { .. } => None,
                })
                .collect();
            if ways.is_empty() {
                return None;
            }
            ways.join("; or ")
        }
        _ => return None,
    };
    Some(hint)
}
