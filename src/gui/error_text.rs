//! Library errors as the app says them (DESIGN.md §7): each [`Error`] variant becomes an
//! [`ErrorKind`] holding the data the words need, and each kind has a headline and advice in
//! English and Chinese. The library's own sentence is kept as the details.

use std::path::PathBuf;

use strongroom::Error;
use strongroom::accounts::availability::{Unavailable, WayBack};

use super::i18n::{Lang, Text};
use super::vocabulary;

/// What went wrong, as the app tells it apart: one kind per library variant (matched without
/// a catch-all, so a new variant must be worded here), and `Other` for the app's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Wrong password or unknown user.
    AuthenticationFailed {
        /// Tries left before the lockout.
        attempts_left: Option<u32>,
    },
    /// The account may not sign in now.
    AccountUnavailable {
        /// Why, and the ways back.
        state: Unavailable,
    },
    /// Keys or accounts changed since sign-in.
    SessionOutOfDate,
    /// The password must be changed first.
    PasswordChangeRequired,
    /// A request waits for an officer.
    ApprovalRequired {
        /// Its number.
        request: u64,
    },
    /// A rule refused.
    Denied {
        /// The rule.
        rule: String,
    },
    /// An item's ciphertext failed.
    ObjectTampered,
    /// Stored material does not verify.
    Integrity,
    /// The ledger is damaged.
    LedgerDamaged {
        /// The first bad seq, once recorded.
        first_bad: Option<u64>,
    },
    /// A file operation failed.
    Io {
        /// Where.
        path: PathBuf,
    },
    /// No vault at the directory.
    NoVault,
    /// The export's destination exists.
    DestinationExists {
        /// Where.
        path: PathBuf,
    },
    /// A link was given as a source.
    SymlinkSource,
    /// The database file is damaged.
    CorruptDatabase,
    /// A newer Strongroom wrote the vault.
    SchemaTooNew,
    /// Another database failure.
    Database,
    /// Something given cannot be used.
    InvalidInput,
    /// Not found (or not visible).
    NotFound,
    /// Cancelled.
    Cancelled,
    /// No desktop viewer could be started for a certificate's PDF.
    NoViewer,
    /// The station is locked.
    NotUnlocked,
    /// The app's own message (its text is already in the user's language).
    Other,
}

impl ErrorKind {
    /// The kind of `error`.
    pub fn of(error: &Error) -> ErrorKind {
        match error {
            Error::AuthenticationFailed { attempts_left } => ErrorKind::AuthenticationFailed {
                attempts_left: *attempts_left,
            },
            Error::AccountUnavailable { state, .. } => ErrorKind::AccountUnavailable { state: *state },
            Error::SessionOutOfDate { .. } => ErrorKind::SessionOutOfDate,
            Error::PasswordChangeRequired { .. } => ErrorKind::PasswordChangeRequired,
            Error::ApprovalRequired { request, .. } => ErrorKind::ApprovalRequired { request: *request },
            Error::Denied { rule, .. } => ErrorKind::Denied {
                rule: (*rule).to_string(),
            },
            Error::ObjectTampered { .. } => ErrorKind::ObjectTampered,
            Error::Integrity { .. } => ErrorKind::Integrity,
            Error::LedgerDamaged { first_bad, .. } => ErrorKind::LedgerDamaged { first_bad: *first_bad },
            Error::Io { path, .. } => ErrorKind::Io { path: path.clone() },
            Error::NoVault(_) => ErrorKind::NoVault,
            Error::DestinationExists { path, .. } => ErrorKind::DestinationExists { path: path.clone() },
            Error::SymlinkSource(_) => ErrorKind::SymlinkSource,
            Error::CorruptDatabase { .. } => ErrorKind::CorruptDatabase,
            Error::SchemaTooNew { .. } => ErrorKind::SchemaTooNew,
            Error::Database(_) => ErrorKind::Database,
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::NotUnlocked => ErrorKind::NotUnlocked,
        }
    }

    /// What happened, in `lang`.
    pub fn headline(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            ErrorKind::AuthenticationFailed { attempts_left } => {
                let head = Text::ErrWrongPassword.get(lang).to_string();
                match attempts_left {
                    Some(0) if zh => format!("{head}（已无尝试机会）"),
                    Some(0) => format!("{head} (no attempts left)"),
                    Some(n) if zh => format!("{head}（还可尝试 {n} 次）"),
                    Some(n) => format!("{head} ({n} attempts left)"),
                    None => head,
                }
            }
            ErrorKind::AccountUnavailable { state } => match state {
                Unavailable::Locked { failures } if zh => format!("账户已在连续 {failures} 次登录失败后锁定"),
                Unavailable::Locked { failures } => format!("The account is locked after {failures} failed sign-ins"),
                Unavailable::Waiting { seconds, .. } if zh => format!("请在 {seconds} 秒后再试"),
                Unavailable::Waiting { seconds, .. } => format!("Try again in {seconds} s"),
                Unavailable::Disabled => Text::ErrDisabled.get(lang).to_string(),
            },
            ErrorKind::ApprovalRequired { request } if zh => format!("已提交第 {request} 号请求，等待安全保密员批准"),
            ErrorKind::ApprovalRequired { request } => {
                format!("Request {request} was made and waits for a security officer")
            }
            ErrorKind::Denied { rule } if zh => format!("被“{}”规则拒绝", vocabulary::rule(rule, lang)),
            ErrorKind::Denied { rule } => format!("Refused by the rule '{rule}'"),
            ErrorKind::LedgerDamaged { first_bad: Some(seq) } if zh => format!("保管账本自序号 {seq} 起已损坏"),
            ErrorKind::LedgerDamaged { first_bad: Some(seq) } => {
                format!("The custody ledger is damaged from seq {seq}")
            }
            ErrorKind::Io { path } => format!("{}: {}", Text::ErrFile.get(lang), path.display()),
            ErrorKind::DestinationExists { path } => format!("{}: {}", Text::ErrExists.get(lang), path.display()),
            other => other.plain_headline().get(lang).to_string(),
        }
    }

    /// The headline of the kinds whose words need no data.
    fn plain_headline(&self) -> Text {
        match self {
            ErrorKind::SessionOutOfDate => Text::ErrSessionOutOfDate,
            ErrorKind::PasswordChangeRequired => Text::ErrPasswordChange,
            ErrorKind::ObjectTampered => Text::ErrTampered,
            ErrorKind::Integrity => Text::ErrIntegrity,
            ErrorKind::LedgerDamaged { .. } => Text::ErrLedgerDamaged,
            ErrorKind::NoVault => Text::ErrNoVault,
            ErrorKind::SymlinkSource => Text::ErrSymlink,
            ErrorKind::CorruptDatabase => Text::ErrCorruptDatabase,
            ErrorKind::SchemaTooNew => Text::ErrSchemaTooNew,
            ErrorKind::Database => Text::ErrDatabase,
            ErrorKind::InvalidInput => Text::ErrInvalidInput,
            ErrorKind::NotFound => Text::ErrNotFound,
            ErrorKind::Cancelled => Text::Cancelled,
            ErrorKind::NotUnlocked => Text::ErrNotUnlocked,
            ErrorKind::NoViewer => Text::NoViewer,
            _ => Text::Error,
        }
    }

    /// What to do next, in `lang`: at least one line for every kind but the app's own.
    pub fn advice(&self, lang: Lang) -> Vec<String> {
        let text = |t: Text| t.get(lang).to_string();
        match self {
            ErrorKind::AuthenticationFailed { attempts_left: Some(0) } => {
                vec![text(Text::AdviceOfficerUnlocks), text(Text::AdviceRecoveryCode)]
            }
            ErrorKind::AuthenticationFailed { .. } => vec![text(Text::AdviceRetype)],
            ErrorKind::AccountUnavailable { state } => state
                .ways_back()
                .iter()
                .map(|way| match way {
                    WayBack::OfficerUnlocks => text(Text::AdviceOfficerUnlocks),
                    WayBack::OfficerEnables => text(Text::AdviceOfficerEnables),
                    WayBack::RecoveryCode => text(Text::AdviceRecoveryCode),
                    WayBack::Wait { .. } => text(Text::AdviceWait),
                })
                .collect(),
            ErrorKind::SessionOutOfDate => vec![text(Text::AdviceSignInAgain)],
            ErrorKind::PasswordChangeRequired => vec![text(Text::AdviceChangePassword)],
            ErrorKind::ApprovalRequired { .. } => vec![text(Text::AdviceApproval)],
            ErrorKind::Denied { .. } => vec![text(Text::AdviceRule)],
            ErrorKind::ObjectTampered | ErrorKind::Integrity => vec![text(Text::AdviceTampered)],
            ErrorKind::LedgerDamaged { first_bad: None } => vec![text(Text::AdviceVerifyLedger)],
            ErrorKind::LedgerDamaged { first_bad: Some(_) } => vec![text(Text::AdviceStartEpoch)],
            ErrorKind::Io { .. } => vec![text(Text::AdviceIo)],
            ErrorKind::NoVault => vec![text(Text::AdviceNoVault)],
            ErrorKind::DestinationExists { .. } => vec![text(Text::AdviceOtherName)],
            ErrorKind::SymlinkSource => vec![text(Text::AdviceSymlink)],
            ErrorKind::CorruptDatabase => vec![text(Text::AdviceRestoreBackup)],
            ErrorKind::SchemaTooNew => vec![text(Text::AdviceUpgrade)],
            ErrorKind::Database => vec![text(Text::AdviceRetryLater)],
            ErrorKind::InvalidInput => vec![text(Text::AdviceCheckInput)],
            ErrorKind::NotFound => vec![text(Text::AdviceNotFound)],
            ErrorKind::Cancelled => vec![text(Text::AdviceCancelled)],
            ErrorKind::NoViewer => vec![text(Text::AdviceSaveCertificate)],
            ErrorKind::NotUnlocked => vec![text(Text::AdviceSignInAgain)],
            ErrorKind::Other => Vec::new(),
        }
    }

    /// Whether the headline and advice say everything the library's sentence says, so the
    /// sentence need not be shown as details.
    pub fn says_it_all(&self) -> bool {
        matches!(
            self,
            ErrorKind::AuthenticationFailed { .. }
                | ErrorKind::AccountUnavailable { .. }
                | ErrorKind::SessionOutOfDate
                | ErrorKind::ApprovalRequired { .. }
                | ErrorKind::NoVault
                | ErrorKind::DestinationExists { .. }
                | ErrorKind::SymlinkSource
                | ErrorKind::Cancelled
                | ErrorKind::NotUnlocked
                | ErrorKind::Other
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One error of every library variant: each has a headline and advice in both languages,
    /// and the Chinese is Chinese.
    #[test]
    fn every_error_the_app_can_show_has_words_and_advice_in_both_languages() {
        let io = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let errors = vec![
            Error::AuthenticationFailed { attempts_left: Some(2) },
            Error::AccountUnavailable {
                user: "bob".into(),
                state: Unavailable::Locked { failures: 5 },
            },
            Error::AccountUnavailable {
                user: "alice".into(),
                state: Unavailable::Waiting {
                    failures: 5,
                    seconds: 3600,
                    last_officer: true,
                },
            },
            Error::AccountUnavailable {
                user: "bob".into(),
                state: Unavailable::Disabled,
            },
            Error::SessionOutOfDate { why: "w".into() },
            Error::PasswordChangeRequired {
                user: "bob".into(),
                reason: "r".into(),
            },
            Error::ApprovalRequired {
                request: 3,
                message: "m".into(),
            },
            Error::Denied {
                rule: "clearance",
                message: "m".into(),
            },
            Error::ObjectTampered {
                item: "SR-2026-000001".into(),
                chunk: Some(1),
                detail: "d".into(),
            },
            Error::integrity("s", "d"),
            Error::LedgerDamaged {
                detail: "d".into(),
                first_bad: None,
            },
            Error::LedgerDamaged {
                detail: "d".into(),
                first_bad: Some(4),
            },
            Error::io("/x", io()),
            Error::NoVault("/v".into()),
            Error::DestinationExists {
                path: "/o".into(),
                appeared: false,
            },
            Error::SymlinkSource("/l".into()),
            Error::CorruptDatabase {
                path: "/d".into(),
                detail: "d".into(),
            },
            Error::SchemaTooNew { found: 9, supported: 7 },
            Error::Database(rusqlite::Error::InvalidQuery),
            Error::InvalidInput("i".into()),
            Error::NotFound("n".into()),
            Error::Cancelled,
            Error::NotUnlocked,
        ];
        for error in &errors {
            let kind = ErrorKind::of(error);
            let (en, zh) = (kind.headline(Lang::En), kind.headline(Lang::Zh));
            assert!(!en.is_empty() && en != zh, "{kind:?}: {en} / {zh}");
            assert!(zh.chars().any(|c| c > '\u{2e80}'), "{kind:?}: {zh}");
            let (advice_en, advice_zh) = (kind.advice(Lang::En), kind.advice(Lang::Zh));
            assert!(!advice_en.is_empty(), "{kind:?} has no advice");
            assert_eq!(advice_en.len(), advice_zh.len());
            for (e, z) in advice_en.iter().zip(&advice_zh) {
                assert_ne!(e, z);
                assert!(
                    !e.contains("strongroom ") && !e.contains("--"),
                    "a command in the app: {e}"
                );
            }
        }
        // The last officer's wait offers the recovery code too.
        assert_eq!(ErrorKind::of(&errors[2]).advice(Lang::En).len(), 2);
    }
}
