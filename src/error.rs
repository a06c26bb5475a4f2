//! The library's top-level error: every case a user interface has to tell apart.
//!
//! Messages name the thing and what to do next. The binary maps these variants to the
//! documented exit codes in one place (`cli::exit`).

use std::io;
use std::path::PathBuf;

use crate::accounts::availability::Unavailable;

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core, in the words a user needs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Wrong password, wrong recovery code or unknown user (deliberately not told apart).
    #[error(
        "authentication failed: wrong password or unknown user{}",
        crate::accounts::availability::attempts_left_text(attempts_left)
    )]
    AuthenticationFailed {
        /// Tries left before the account locks (or, for the last officer, waits long),
        /// where the attempt counts toward a lockout.
        attempts_left: Option<u32>,
    },
    /// The account exists but may not sign in now.
    #[error("account {user} is {state}")]
    AccountUnavailable {
        /// User name.
        user: String,
        /// Why, and (through [`Unavailable::ways_back`]) what lets it back in.
        state: Unavailable,
    },
    /// Keys were rotated or the account directory changed since this session was unlocked:
    /// nothing was written, and the user signs in again (exit 4, DESIGN.md §4a).
    #[error("session out of date: unlock again ({why})")]
    SessionOutOfDate {
        /// What changed.
        why: String,
    },
    /// The user must choose a new password (it was reset by an officer or has expired)
    /// before anything else.
    #[error("{user} must choose a new password first ({reason})")]
    PasswordChangeRequired {
        /// User name.
        user: String,
        /// "it was reset by an officer", "it is older than 90 days".
        reason: String,
    },
    /// Two-person rule: the action waits for an officer's approval of request `request`.
    #[error("approval required: {message}")]
    ApprovalRequired {
        /// The pending request's number.
        request: u64,
        /// What was requested and how to get it approved.
        message: String,
    },
    /// A rule refused the action; `rule` names it for the user and the ledger.
    #[error("denied by rule '{rule}': {message}")]
    Denied {
        /// Short stable name of the rule (e.g. `clearance`, `vault-permissions`).
        rule: &'static str,
        /// What was refused and why.
        message: String,
    },
    /// An encrypted object failed to authenticate or does not match its record.
    #[error("item {item}: {detail}")]
    ObjectTampered {
        /// Control number (or uuid) of the item.
        item: String,
        /// The chunk that failed, where one did.
        chunk: Option<u64>,
        /// What failed, with advice.
        detail: String,
    },
    /// Stored key material, the signed directory or another record does not verify.
    #[error("integrity failure in {subject}: {detail}")]
    Integrity {
        /// What failed to verify (e.g. "signed directory").
        subject: String,
        /// Why, with advice.
        detail: String,
    },
    /// The custody ledger no longer matches what was signed: nothing more is signed until it
    /// is verified (which records where) and, once damage is recorded, an officer starts a
    /// new epoch.
    #[error("the custody ledger is damaged: {detail}")]
    LedgerDamaged {
        /// What was found.
        detail: String,
        /// The first bad seq a verification recorded; none until one has run.
        first_bad: Option<u64>,
    },
    /// A file system operation failed on `path`.
    #[error("{path}: {source}")]
    Io {
        /// The path the operation was on.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// There is no vault at the given directory.
    #[error("no vault at {0}")]
    NoVault(PathBuf),
    /// An export's destination exists (or appeared while exporting) and overwriting was not
    /// asked for.
    #[error("{} {}", path.display(), if *appeared { "appeared while exporting" } else { "already exists" })]
    DestinationExists {
        /// The destination.
        path: PathBuf,
        /// It appeared during the export rather than before it.
        appeared: bool,
    },
    /// An import source is a symbolic link and following links was not asked for.
    #[error("{} is a symbolic link", .0.display())]
    SymlinkSource(PathBuf),
    /// The database file cannot be read as a Strongroom database. It is never deleted.
    #[error(
        "the vault database {path} is damaged or not a Strongroom database ({detail}); it was left untouched — restore it from a backup"
    )]
    CorruptDatabase {
        /// Path of `strongroom.db`.
        path: PathBuf,
        /// SQLite's description.
        detail: String,
    },
    /// The vault was written by a newer Strongroom.
    #[error("the vault schema version {found} is newer than this program supports ({supported}); upgrade Strongroom")]
    SchemaTooNew {
        /// `user_version` found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// Any other SQLite failure. (Damage found by a query is `Integrity`: see the `From`.)
    #[error("database error: {0}")]
    Database(rusqlite::Error),
    /// The caller gave something unusable (bad name, bad path kind, bad size).
    #[error("{0}")]
    InvalidInput(String),
    /// The named item, user or file does not exist (or is not visible to this user).
    #[error("{0} not found")]
    NotFound(String),
    /// The operation was cancelled by the user; nothing was kept.
    #[error("cancelled; nothing was kept")]
    Cancelled,
    /// The station has no unlocked session.
    #[error("the station is locked: unlock it first")]
    NotUnlocked,
}

impl From<rusqlite::Error> for Error {
    /// A page found damaged by any query is an integrity failure (exit 6), as a damaged file
    /// is at open; everything else stays a database error.
    fn from(error: rusqlite::Error) -> Self {
        let damaged = matches!(
            error.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        );
        if damaged {
            Error::integrity(
                "the vault database",
                format!("it is damaged ({error}); it was left untouched — restore it from a backup"),
            )
        } else {
            Error::Database(error)
        }
    }
}

impl Error {
    /// A failed password or recovery code where no count applies.
    pub const AUTHENTICATION_FAILED: Error = Error::AuthenticationFailed { attempts_left: None };

    /// Wrap an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Shorthand for an integrity failure.
    pub fn integrity(subject: impl Into<String>, detail: impl Into<String>) -> Self {
        Error::Integrity {
            subject: subject.into(),
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::availability::Unavailable;

    /// The library says what happened; how to go on is the front end's (the CLI's hints,
    /// the app's buttons). No message of these errors names a command or a flag.
    #[test]
    fn messages_name_no_command_line() {
        let errors = [
            Error::PasswordChangeRequired {
                user: "bob".into(),
                reason: "a security officer chose this password".into(),
            },
            Error::NoVault(PathBuf::from("/srv/vault")),
            Error::DestinationExists {
                path: PathBuf::from("/media/stick/plan.tif"),
                appeared: false,
            },
            Error::DestinationExists {
                path: PathBuf::from("/media/stick/plan.tif"),
                appeared: true,
            },
            Error::SymlinkSource(PathBuf::from("/home/op/link")),
            Error::LedgerDamaged {
                detail: "event 4 is missing".into(),
                first_bad: Some(4),
            },
            Error::AuthenticationFailed { attempts_left: Some(0) },
            Error::AccountUnavailable {
                user: "bob".into(),
                state: Unavailable::Locked { failures: 5 },
            },
        ];
        for error in errors {
            let text = error.to_string();
            assert!(!text.contains("strongroom ") && !text.contains("--"), "{text}");
        }
    }

    /// Nor does any string the library builds elsewhere: no string literal outside `cli/`
    /// and `gui/` names a `strongroom` command or a `--flag`.
    #[test]
    fn no_library_string_names_a_command_or_a_flag() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&src, &mut files);
        let mut found = Vec::new();
        for file in files {
            let relative = file.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            if ["cli/", "gui/", "main.rs"].iter().any(|p| relative.starts_with(p)) || relative.contains("tests") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("mod tests") {
                    break; // a file's own tests come last
                }
                if code.starts_with("//") || !code.contains('"') {
                    continue;
                }
                let flag = code.split('"').skip(1).step_by(2).any(|literal| {
                    literal.contains("`strongroom") || literal.split(' ').any(|w| w.starts_with("--") && w.len() > 2)
                });
                if flag {
                    found.push(format!("{relative}:{}: {code}", n + 1));
                }
            }
        }
        assert!(found.is_empty(), "library strings with commands:\n{}", found.join("\n"));
    }
}
