//! The password rules every new password must meet (DESIGN.md, accounts issue): at least 12
//! characters and not the user's own name.

use crate::crypto::Password;
use crate::{Error, Result};

/// Minimum number of characters.
pub const MIN_LENGTH: usize = 12;

/// Refuse a password that breaks the policy, naming the rule.
pub fn check(user: &str, password: &Password) -> Result<()> {
    let text = password.expose();
    if text.chars().count() < MIN_LENGTH {
        return Err(Error::Denied {
            rule: "password-policy",
            message: format!("a password needs at least {MIN_LENGTH} characters"),
        });
    }
    if text.trim().eq_ignore_ascii_case(user.trim()) {
        return Err(Error::Denied {
            rule: "password-policy",
            message: "the password may not be the user name".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_name_equal_passwords_are_refused() {
        assert!(check("alice", &Password::from("short")).is_err());
        assert!(check("administrator", &Password::from("Administrator")).is_err());
        check("alice", &Password::from("long enough passphrase")).unwrap();
    }
}
