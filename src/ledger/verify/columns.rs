//! An event's bytes against its query columns: `ledger verify` reports the first column an
//! insider changed without changing the event itself.

use std::borrow::Cow;

use crate::Level;

/// The fields of an event that verify compares, borrowed from its bytes where possible.
#[derive(serde::Deserialize)]
pub(super) struct EventView<'a> {
    pub(super) seq: u64,
    #[serde(borrow)]
    pub(super) time: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) actor: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) action: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) subject: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) level: Option<Cow<'a, str>>,
    #[serde(borrow)]
    details: DetailsView<'a>,
}

#[derive(serde::Deserialize)]
struct DetailsView<'a> {
    #[serde(borrow, default)]
    pub(super) item: Option<Cow<'a, str>>,
}

/// The query columns of an event row.
pub(super) struct Columns {
    pub(super) time: String,
    pub(super) actor: String,
    pub(super) action: String,
    pub(super) subject: String,
    pub(super) level: Option<i64>,
    pub(super) item: Option<Vec<u8>>,
}

impl Columns {
    /// The first column that disagrees with the event's bytes, if any.
    pub(super) fn disagreement(&self, event: &EventView<'_>) -> Option<&'static str> {
        // A stored value that is not a level or an item id at all disagrees with anything.
        let level = match self.level {
            None => None,
            Some(l) => match u8::try_from(l).ok().and_then(Level::from_byte) {
                Some(level) => Some(level.name()),
                None => return Some("level"),
            },
        };
        let item = match self.item.as_deref() {
            None => None,
            Some(bytes) => match crate::ItemId::from_slice(bytes) {
                Some(id) => Some(id.to_string()),
                None => return Some("item"),
            },
        };
        if event.time != self.time {
            return Some("time");
        }
        if event.actor != self.actor {
            return Some("actor");
        }
        if event.action != self.action {
            return Some("action");
        }
        if event.subject != self.subject {
            return Some("subject");
        }
        if event.level.as_deref() != level {
            return Some("level");
        }
        if event.details.item.as_deref() != item.as_deref() {
            return Some("item");
        }
        None
    }
}
