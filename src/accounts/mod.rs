//! Accounts and the key material that belongs to them: users and identities, keyslots,
//! grants, sealing keys and the signed directory that vouches for all of them.
//!
//! Nothing read from these tables is trusted on its own: keyslots and grants are AEAD wraps
//! only a key holder could make, and the directory is signed by the admin key.

pub mod approval;
pub mod availability;
pub mod decision;
pub mod directory;
pub mod directory_copy;
#[cfg(test)]
pub(crate) mod fixture;
pub mod keyring;
pub mod lockout;
pub mod new_identity;
pub mod password_rules;
pub mod permissions;
pub mod policy;
pub mod requests;
pub mod rotation;
pub mod settings;
pub mod sign_in_failures;
pub mod succession;
pub mod trust;
pub mod users;

pub use directory::{Directory, DirectoryUser, LevelEntry, Role, UserStatus};
pub use users::UserRecord;
