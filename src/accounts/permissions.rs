//! Who may do what: one table of action × role, with the level dimension given by the user's
//! clearance for actions on classified material. `Station` checks it for every action; user
//! interfaces only use it to grey out what would be refused anyway.

use crate::accounts::Role;
use crate::{Error, Level, Result};

/// Defines [`Permission`], the list of every permission and the words its refusal uses from
/// one table, so a new permission is in [`Permission::ALL`] (and the matrix test) at once.
macro_rules! permissions {
    ($($(#[doc = $doc:literal])* $variant:ident = $phrase:literal,)*) => {
        /// Everything a user can ask the station to do.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Permission {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Permission {
            /// Every permission, in the order of the table (derived from it).
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),*];

            /// Words for refusals: "only a security officer can {phrase}".
            pub fn phrase(self) -> &'static str {
                match self {
                    $(Permission::$variant => $phrase,)*
                }
            }
        }
    };
}

permissions! {
    /// Bring material into the vault (at a level).
    Import = "import material",
    /// See and open an item (at its level).
    View = "view items",
    /// Write an item's plaintext out (at its level).
    Export = "export items",
    /// Ask for an item to move to another custodian.
    RequestTransfer = "request a transfer",
    /// Ask for an item to be destroyed.
    RequestDestruction = "request destruction",
    /// Raise an item's level (its custodian or an officer, holding the higher level's key).
    RaiseLevel = "raise an item's level",
    /// Set or change an item's retention date (its custodian or an officer).
    SetRetention = "set retention dates",
    /// Move items from one custodian to another without an offer (a leaver's holdings).
    ReassignCustody = "reassign custody",
    /// Acknowledge a guard or cloud alert.
    AcknowledgeAlert = "acknowledge alerts",
    /// Change an item's level (declassify or downgrade).
    Reclassify = "change an item's level",
    /// Approve or deny another person's request.
    ApproveRequest = "approve or deny requests",
    /// Add, disable, enable, reset users and set clearances.
    UserAdmin = "administer users",
    /// Keep the register of authorized media.
    MediaRegister = "keep the media register",
    /// Change the station's policy.
    Policy = "change the policy",
    /// Verify the custody ledger and start epochs.
    LedgerVerify = "verify the ledger",
    /// Export audit bundles and CSV.
    LedgerExport = "export the ledger",
    /// Enable or disable the guard (its key in the signed directory).
    Guard = "enable or disable the guard",
    /// Sign a certificate of destruction with the admin key (one an operator's destruction
    /// left awaiting an officer).
    SignCertificate = "sign certificates of destruction",
}

impl Permission {
    /// Whether the action concerns material at a level (and so needs clearance for it).
    pub fn concerns_material(self) -> bool {
        matches!(
            self,
            Permission::Import
                | Permission::View
                | Permission::Export
                | Permission::RequestTransfer
                | Permission::RequestDestruction
                | Permission::RaiseLevel
                | Permission::SetRetention
                | Permission::Reclassify
        )
    }
}

/// The table: which roles may take each action at all.
const TABLE: &[(Permission, &[Role])] = &[
    (Permission::Import, &[Role::Operator, Role::Officer]),
    (Permission::View, &[Role::Operator, Role::Officer]),
    (Permission::Export, &[Role::Operator, Role::Officer]),
    (Permission::RequestTransfer, &[Role::Operator, Role::Officer]),
    (Permission::RequestDestruction, &[Role::Operator, Role::Officer]),
    (Permission::RaiseLevel, &[Role::Operator, Role::Officer]),
    (Permission::SetRetention, &[Role::Operator, Role::Officer]),
    (Permission::ReassignCustody, &[Role::Officer]),
    (Permission::AcknowledgeAlert, &[Role::Officer]),
    (Permission::Reclassify, &[Role::Officer]),
    (Permission::ApproveRequest, &[Role::Officer]),
    (Permission::UserAdmin, &[Role::Officer]),
    (Permission::MediaRegister, &[Role::Officer]),
    (Permission::Policy, &[Role::Officer]),
    (Permission::LedgerVerify, &[Role::Officer]),
    (Permission::LedgerExport, &[Role::Officer]),
    (Permission::Guard, &[Role::Officer]),
    (Permission::SignCertificate, &[Role::Officer]),
];

/// Whether `role`, cleared to `clearance`, may take `permission` (on material at `level`).
pub fn allowed(role: Role, clearance: Level, permission: Permission, level: Option<Level>) -> bool {
    let by_role = TABLE.iter().any(|(p, roles)| *p == permission && roles.contains(&role));
    let by_level = !permission.concerns_material() || level.is_none_or(|l| l <= clearance);
    by_role && by_level
}

/// [`allowed`], or the refusal that names the rule.
pub fn check(user: &str, role: Role, clearance: Level, permission: Permission, level: Option<Level>) -> Result<()> {
    if !TABLE.iter().any(|(p, roles)| *p == permission && roles.contains(&role)) {
        return Err(Error::Denied {
            rule: "role",
            message: format!("only a security officer can {}", permission.phrase()),
        });
    }
    if !allowed(role, clearance, permission, level) {
        let level = level.map_or_else(String::new, |l| l.to_string());
        return Err(Error::Denied {
            rule: "clearance",
            message: format!("{user} is cleared to {clearance}, not {level}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words as a table, written out by hand and independent of `TABLE` and of
    /// `concerns_material`: may an operator take it, and does it need clearance for the
    /// material's level? (Officers may take every action.) A match, so a new permission does
    /// not compile until it has a row here.
    fn expected_row(permission: Permission) -> (bool, bool) {
        match permission {
            // (operator may, needs clearance)
            Permission::Import => (true, true),
            Permission::View => (true, true),
            Permission::Export => (true, true),
            Permission::RequestTransfer => (true, true),
            Permission::RequestDestruction => (true, true),
            Permission::RaiseLevel => (true, true),
            Permission::SetRetention => (true, true),
            Permission::ReassignCustody => (false, false),
            Permission::AcknowledgeAlert => (false, false),
            Permission::Reclassify => (false, true),
            Permission::ApproveRequest => (false, false),
            Permission::UserAdmin => (false, false),
            Permission::MediaRegister => (false, false),
            Permission::Policy => (false, false),
            Permission::LedgerVerify => (false, false),
            Permission::LedgerExport => (false, false),
            Permission::Guard => (false, false),
            Permission::SignCertificate => (false, false),
        }
    }

    /// Cleared-for table, rows = clearance, columns = the material's level, both in the order
    /// unclassified, internal, confidential, secret, top-secret. Spelled out, not computed.
    const CLEARED_FOR: [&str; 5] = [
        "x....", // unclassified
        "xx...", // internal
        "xxx..", // confidential
        "xxxx.", // secret
        "xxxxx", // top-secret
    ];

    const LEVELS: [Level; 5] = [
        Level::Unclassified,
        Level::Internal,
        Level::Confidential,
        Level::Secret,
        Level::TopSecret,
    ];

    #[test]
    fn permission_matrix_every_action_role_and_level() {
        let mut cases = 0;
        for &permission in Permission::ALL {
            let (operator_may, needs_clearance) = expected_row(permission);
            for role in [Role::Operator, Role::Officer] {
                let role_may = role == Role::Officer || operator_may;
                for (c, clearance) in LEVELS.into_iter().enumerate() {
                    for level in (0..5).map(Some).chain([None]) {
                        let cleared = level.is_none_or(|l| CLEARED_FOR[c].as_bytes()[l] == b'x');
                        let want = role_may && (!needs_clearance || cleared);
                        let level = level.map(|l| LEVELS[l]);
                        let case = format!("{permission:?} {role:?} cleared to {clearance} on {level:?}");
                        assert_eq!(allowed(role, clearance, permission, level), want, "{case}");
                        match check("u", role, clearance, permission, level) {
                            Ok(()) => assert!(want, "{case}: allowed"),
                            Err(Error::Denied { rule, .. }) => {
                                assert!(!want, "{case}: refused");
                                assert_eq!(rule, if role_may { "clearance" } else { "role" }, "{case}");
                            }
                            Err(other) => panic!("{case}: {other:?}"),
                        }
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 18 * 2 * 5 * 6, "every permission, role, clearance and level");
    }
}
