//! The one place where errors become exit codes (documented in `--help` and the README).

use strongroom::Error;

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
    {
        return 6;
    }
    match error.chain().find_map(|e| e.downcast_ref::<Error>()) {
        Some(Error::AuthenticationFailed) => 3,
        Some(
            Error::AccountUnavailable { .. } | Error::PasswordChangeRequired { .. } | Error::SessionOutOfDate { .. },
        ) => 4,
        Some(Error::ApprovalRequired { .. }) => 7,
        Some(Error::Denied { .. }) => 5,
        Some(Error::ObjectTampered { .. } | Error::Integrity { .. } | Error::CorruptDatabase { .. }) => 6,
        _ => 1,
    }
}
