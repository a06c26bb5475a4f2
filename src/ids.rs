//! Newtypes for identifiers, so a user id can never be passed where an item id belongs.
//!
//! Items, users and identities are named by random UUIDs (16 bytes in every format); items
//! also carry a control number people can read aloud (`SR-2026-000042`).

use std::fmt;

use uuid::Uuid;

use crate::crypto::random;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn random() -> crate::Result<Self> {
                Ok(Self(uuid::Builder::from_random_bytes(random::array::<16>()?).into_uuid()))
            }
            /// The 16 bytes used in formats and the database.
            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
            /// Rebuild from the 16 stored bytes.
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Uuid::from_bytes(bytes))
            }
            /// Parse the hyphenated text form (as in the signed directory).
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::parse_str(text).ok().map(Self)
            }
            /// Rebuild from a stored blob, if it is 16 bytes long.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                <[u8; 16]>::try_from(bytes).ok().map(Self::from_bytes)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// An item in the vault.
    ItemId
);
uuid_id!(
    /// A user account.
    UserId
);
uuid_id!(
    /// An X25519 identity (a user's or the recovery identity); grants are sealed to it.
    IdentityId
);

/// A control number such as `SR-2026-000042`: the year of import and a serial within it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ControlNumber {
    /// Year the serial belongs to.
    pub year: i32,
    /// Serial within the year, from 1.
    pub serial: u32,
}

impl ControlNumber {
    /// Parse `SR-YYYY-NNNNNN` (case-insensitive).
    pub fn parse(text: &str) -> Option<ControlNumber> {
        let upper = text.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix("SR-")?;
        let (year, serial) = rest.split_once('-')?;
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !digits(year) || serial.len() < 6 || !digits(serial) {
            return None;
        }
        Some(ControlNumber {
            year: year.parse().ok()?,
            serial: serial.parse().ok()?,
        })
    }
}

impl fmt::Display for ControlNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SR-{:04}-{:06}", self.year, self.serial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_numbers_format_and_parse() {
        let n = ControlNumber { year: 2026, serial: 42 };
        assert_eq!(n.to_string(), "SR-2026-000042");
        assert_eq!(ControlNumber::parse("sr-2026-000042"), Some(n));
        assert_eq!(ControlNumber::parse("SR-2026-42"), None);
        assert_eq!(ControlNumber::parse("XX-2026-000042"), None);
        assert_eq!(ControlNumber::parse("SR-2026-1234567").unwrap().serial, 1_234_567);
        // Only digits: Rust's integer parser would take a sign.
        assert_eq!(ControlNumber::parse("SR-+202-000001"), None);
        assert_eq!(ControlNumber::parse("SR-2026-+00001"), None);
    }
}
