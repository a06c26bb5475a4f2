//! Classification levels: a fixed ordered scale, shared by every issue (DESIGN.md §4a).
//!
//! The byte value of a level appears in formats (AAD, container header, commitments), so
//! the numbering here is a contract: never renumber.

use std::fmt;
use std::str::FromStr;

/// A classification level, ordered from least to most sensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// 公开
    Unclassified = 0,
    /// 内部
    Internal = 1,
    /// 秘密
    Confidential = 2,
    /// 机密
    Secret = 3,
    /// 绝密
    TopSecret = 4,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 5] = [
        Level::Unclassified,
        Level::Internal,
        Level::Confidential,
        Level::Secret,
        Level::TopSecret,
    ];

    /// The byte used for this level in every format.
    pub fn as_byte(self) -> u8 {
        self as u8
    }

    /// The level for a format byte, if it is one.
    pub fn from_byte(byte: u8) -> Option<Level> {
        Level::ALL.get(usize::from(byte)).copied()
    }

    /// The English name used in the CLI, JSON and ledger (`top-secret`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Unclassified => "unclassified",
            Level::Internal => "internal",
            Level::Confidential => "confidential",
            Level::Secret => "secret",
            Level::TopSecret => "top-secret",
        }
    }

    /// The Simplified Chinese label (公开 … 绝密).
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Unclassified => "公开",
            Level::Internal => "内部",
            Level::Confidential => "秘密",
            Level::Secret => "机密",
            Level::TopSecret => "绝密",
        }
    }

    /// Every level at or below this one (what a user cleared to `self` holds).
    pub fn at_or_below(self) -> impl Iterator<Item = Level> {
        Level::ALL.into_iter().filter(move |l| *l <= self)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The text given is not a level name.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown classification level '{0}': use unclassified, internal, confidential, secret or top-secret (公开/内部/秘密/机密/绝密)"
)]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let key = text.trim().to_ascii_lowercase().replace('_', "-");
        Level::ALL
            .into_iter()
            .find(|l| l.name() == key || l.label_zh() == text.trim() || (key == "topsecret" && *l == Level::TopSecret))
            .ok_or_else(|| UnknownLevel(text.to_string()))
    }
}

impl serde::Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A level's banner colours as `schemas/classification.json` gives them (RGB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BannerColours {
    /// The banner's fill.
    pub background: [u8; 3],
    /// Its text.
    pub text: [u8; 3],
}

/// The classification scheme the binary carries: the one list of level labels and colours,
/// which the app's theme reads (DESIGN.md §4a).
const SCHEME: &str = include_str!("../schemas/classification.json");

impl Level {
    /// This level's banner colours from `schemas/classification.json`. (The file is part of
    /// the binary and checked by a test; were it unreadable, banners would be black on white
    /// rather than absent.)
    pub fn banner_colours(self) -> BannerColours {
        static TABLE: std::sync::OnceLock<Vec<BannerColours>> = std::sync::OnceLock::new();
        let table = TABLE.get_or_init(|| parse_banners(SCHEME).unwrap_or_default());
        table
            .get(usize::from(self.as_byte()))
            .copied()
            .unwrap_or(BannerColours {
                background: [0, 0, 0],
                text: [0xff, 0xff, 0xff],
            })
    }
}

fn parse_banners(scheme: &str) -> Option<Vec<BannerColours>> {
    let value: serde_json::Value = serde_json::from_str(scheme).ok()?;
    let rgb = |text: &serde_json::Value| -> Option<[u8; 3]> {
        let hex = text.as_str()?.strip_prefix('#')?;
        crate::encoding::hex::decode::<3>(hex)
    };
    value["levels"]
        .as_array()?
        .iter()
        .map(|entry| {
            Some(BannerColours {
                background: rgb(&entry["banner"]["background"])?,
                text: rgb(&entry["banner"]["text"])?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_round_trip_names_and_bytes() {
        for pair in Level::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
        }
        for level in Level::ALL {
            assert_eq!(level.name().parse::<Level>().unwrap(), level);
            assert_eq!(level.label_zh().parse::<Level>().unwrap(), level);
            assert_eq!(Level::from_byte(level.as_byte()), Some(level));
        }
        assert_eq!("TOP_SECRET".parse::<Level>().unwrap(), Level::TopSecret);
        assert_eq!("机密".parse::<Level>().unwrap(), Level::Secret);
        assert!("restricted".parse::<Level>().is_err());
        assert_eq!(Level::from_byte(5), None);
    }

    #[test]
    fn classification_scheme_file_matches_the_enum() {
        let scheme: serde_json::Value = serde_json::from_str(include_str!("../schemas/classification.json")).unwrap();
        let levels = scheme["levels"].as_array().unwrap();
        assert_eq!(levels.len(), Level::ALL.len());
        for (entry, level) in levels.iter().zip(Level::ALL) {
            assert_eq!(entry["name"], level.name());
            assert_eq!(
                entry["label"]["en"].as_str().unwrap().to_lowercase().replace(' ', "-"),
                level.name()
            );
            assert_eq!(entry["label"]["zh-CN"], level.label_zh());
            assert_eq!(entry["rank"], level.as_byte());
        }
        // The colours parse, one pair per level, as DESIGN.md §4a names them.
        let banners = super::parse_banners(include_str!("../schemas/classification.json")).unwrap();
        assert_eq!(banners.len(), Level::ALL.len());
        assert_eq!(Level::Internal.banner_colours().background, [0x50, 0x2b, 0x85]);
        assert_eq!(Level::TopSecret.banner_colours().background, [0xff, 0x8c, 0x00]);
        assert_eq!(Level::TopSecret.banner_colours().text, [0, 0, 0]);
    }
}
