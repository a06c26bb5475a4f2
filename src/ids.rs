//! Newtypes for identifiers, so a user id can never be passed where an item id belongs.
//!
//! Items, users and identities are named by random UUIDs (16 bytes in every format); items
//! also carry a control number people can read aloud (`SR-2026-000042`).

use std::fmt;

use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
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

        /// Stored as its 16 bytes.
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::Borrowed(ValueRef::Blob(self.as_bytes())))
            }
        }

        /// Read from a 16-byte blob; anything else is a conversion failure.
        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let blob = value.as_blob()?;
                Self::from_slice(blob).ok_or(FromSqlError::InvalidBlobSize {
                    expected_size: 16,
                    blob_size: blob.len(),
                })
            }
        }

        /// Written in signed records as the hyphenated lower-case text form.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        /// Read only in the form [`Serialize`](serde::Serialize) writes, so a signed record
        /// re-serializes to the same bytes.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text)
                    .filter(|id| id.to_string() == text)
                    .ok_or_else(|| serde::de::Error::custom("not a hyphenated lower-case uuid"))
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
    fn ids_are_16_byte_blobs_in_sqlite_and_anything_else_is_refused() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id BLOB NOT NULL) STRICT").unwrap();
        let id = ItemId::random().unwrap();
        conn.execute("INSERT INTO t (id) VALUES (?1)", [id]).unwrap();
        let (back, kind): (ItemId, String) = conn
            .query_row("SELECT id, typeof(id) FROM t", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((back, kind.as_str()), (id, "blob"));
        conn.execute("UPDATE t SET id = x'00112233'", []).unwrap();
        assert!(
            conn.query_row("SELECT id FROM t", [], |r| r.get::<_, ItemId>(0))
                .is_err()
        );
    }

    #[test]
    fn ids_read_from_signed_records_only_in_the_form_they_are_written() {
        let id = UserId::random().unwrap();
        let text = serde_json::to_string(&id).unwrap();
        assert_eq!(text, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<UserId>(&text).unwrap(), id);
        // Other spellings of the same uuid would re-serialize to other bytes.
        for other in [
            id.to_string().to_uppercase(),
            id.0.simple().to_string(),
            format!("{{{id}}}"),
            id.0.urn().to_string(),
        ] {
            assert!(
                serde_json::from_str::<UserId>(&format!("\"{other}\"")).is_err(),
                "{other}"
            );
        }
    }

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
