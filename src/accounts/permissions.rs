//! Who may do what: one table of action × role, with the level dimension given by the user's
//! clearance for actions on classified material. `Station` checks it for every action; user
//! interfaces only use it to grey out what would be refused anyway.

use crate::accounts::Role;
use crate::{Error, Level, Result};

/// Everything a user can ask the station to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Bring material into the vault (at a level).
    Import,
    /// See and open an item (at its level).
    View,
    /// Write an item's plaintext out (at its level).
    Export,
    /// Ask for an item to move to another custodian.
    RequestTransfer,
    /// Ask for an item to be destroyed.
    RequestDestruction,
    /// Acknowledge a guard or cloud alert.
    AcknowledgeAlert,
    /// Change an item's level (declassify or downgrade).
    Reclassify,
    /// Approve or deny another person's request.
    ApproveRequest,
    /// Add, disable, enable, reset users and set clearances.
    UserAdmin,
    /// Keep the register of authorized media.
    MediaRegister,
    /// Change the station's policy.
    Policy,
    /// Verify the custody ledger and start epochs.
    LedgerVerify,
    /// Export audit bundles and CSV.
    LedgerExport,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 13] = [
        Permission::Import,
        Permission::View,
        Permission::Export,
        Permission::RequestTransfer,
        Permission::RequestDestruction,
        Permission::AcknowledgeAlert,
        Permission::Reclassify,
        Permission::ApproveRequest,
        Permission::UserAdmin,
        Permission::MediaRegister,
        Permission::Policy,
        Permission::LedgerVerify,
        Permission::LedgerExport,
    ];

    /// Words for refusals: "only a security officer can {phrase}".
    pub fn phrase(self) -> &'static str {
        match self {
            Permission::Import => "import material",
            Permission::View => "view items",
            Permission::Export => "export items",
            Permission::RequestTransfer => "request a transfer",
            Permission::RequestDestruction => "request destruction",
            Permission::AcknowledgeAlert => "acknowledge alerts",
            Permission::Reclassify => "change an item's level",
            Permission::ApproveRequest => "approve or deny requests",
            Permission::UserAdmin => "administer users",
            Permission::MediaRegister => "keep the media register",
            Permission::Policy => "change the policy",
            Permission::LedgerVerify => "verify the ledger",
            Permission::LedgerExport => "export the ledger",
        }
    }

    /// Whether the action concerns material at a level (and so needs clearance for it).
    pub fn concerns_material(self) -> bool {
        matches!(
            self,
            Permission::Import
                | Permission::View
                | Permission::Export
                | Permission::RequestTransfer
                | Permission::RequestDestruction
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
    (Permission::AcknowledgeAlert, &[Role::Operator, Role::Officer]),
    (Permission::Reclassify, &[Role::Officer]),
    (Permission::ApproveRequest, &[Role::Officer]),
    (Permission::UserAdmin, &[Role::Officer]),
    (Permission::MediaRegister, &[Role::Officer]),
    (Permission::Policy, &[Role::Officer]),
    (Permission::LedgerVerify, &[Role::Officer]),
    (Permission::LedgerExport, &[Role::Officer]),
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

    /// The words, written out independently of `TABLE`.
    fn expected(role: Role, permission: Permission) -> bool {
        let operator_may = [
            Permission::Import,
            Permission::View,
            Permission::Export,
            Permission::RequestTransfer,
            Permission::RequestDestruction,
            Permission::AcknowledgeAlert,
        ];
        role == Role::Officer || operator_may.contains(&permission)
    }

    #[test]
    fn permission_matrix_every_action_role_and_level() {
        for permission in Permission::ALL {
            for role in [Role::Operator, Role::Officer] {
                for clearance in Level::ALL {
                    for level in Level::ALL.map(Some).into_iter().chain([None]) {
                        let by_level = !permission.concerns_material() || level.is_none_or(|l| l <= clearance);
                        let want = expected(role, permission) && by_level;
                        assert_eq!(
                            allowed(role, clearance, permission, level),
                            want,
                            "{permission:?} {role:?} {clearance} {level:?}"
                        );
                        let checked = check("u", role, clearance, permission, level);
                        assert_eq!(checked.is_ok(), want);
                        if let Err(Error::Denied { rule, .. }) = checked {
                            assert_eq!(
                                rule,
                                if expected(role, permission) {
                                    "clearance"
                                } else {
                                    "role"
                                }
                            );
                        }
                    }
                }
            }
        }
        assert!(TABLE.len() == Permission::ALL.len());
    }
}
