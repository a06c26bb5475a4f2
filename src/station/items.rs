//! Reading items: the list a user may see (at or below their clearance) and one item's
//! detail with its custody timeline. Metadata is decrypted here with the session's keys.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use crate::accounts::decision::AdminKeys;
use crate::accounts::permissions::Permission;
use crate::accounts::users;
use crate::crypto::wrap::{self, Purpose};
use crate::crypto::{Key32, LevelKey};
use crate::encoding::hex;
use crate::ledger::{StoredEvent, events};
use crate::vault::history::{self, History};
use crate::vault::items::{self, ItemRow, item_aad};
use crate::vault::{Category, ItemStatus};
use crate::{ControlNumber, Error, ItemId, Level, Result, UserId};

use super::session::Session;
use super::{Access, Station};

/// Serialize any `Display` value as a string (ids in JSON output).
pub(crate) fn ser_display<T: std::fmt::Display, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// One row of the vault browser.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ItemSummary {
    /// Item uuid.
    #[serde(serialize_with = "ser_display")]
    pub id: ItemId,
    /// Control number.
    #[serde(serialize_with = "ser_display")]
    pub control_number: ControlNumber,
    /// Decrypted title.
    pub title: String,
    /// Level.
    pub level: Level,
    /// Category.
    pub category: Category,
    /// Plaintext size.
    pub size: u64,
    /// Custodian's name.
    pub custodian: String,
    /// Status.
    pub status: ItemStatus,
    /// Import time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Decrypted original file name (for the browser's filter; not in `list --json`).
    #[serde(skip)]
    pub original_name: String,
    /// Decrypted notes, if any (for the browser's filter; not in `list --json`).
    #[serde(skip)]
    pub notes: Option<String>,
}

/// One page of the vault list, and where the next one starts.
#[derive(Clone, Debug, Default)]
pub struct ItemPage {
    /// The page's items and how many of its rows were left out.
    pub list: ItemList,
    /// The control number to ask the next page after (none: this was the last page).
    pub next: Option<ControlNumber>,
}

/// The vault list: the items shown, and how many rows were left out because they disagree
/// with their custody history (changed outside Strongroom).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ItemList {
    /// The items shown.
    pub items: Vec<ItemSummary>,
    /// Rows left out.
    pub withheld: u64,
}

/// Everything about one item a cleared user may see.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ItemDetail {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: ItemSummary,
    /// Original file name (lossy UTF-8 for display).
    pub original_name: String,
    /// Original file name bytes.
    #[serde(skip)]
    pub original_name_raw: OsString,
    /// Notes.
    pub notes: Option<String>,
    /// Plaintext SHA-256, hex.
    pub sha256: String,
    /// Importing user.
    pub created_by: String,
    /// Container chunk size.
    pub chunk_size: u32,
    /// Custody timeline.
    pub events: Vec<StoredEvent>,
    /// Retention date (`YYYY-MM-DD`), from its history.
    pub retain_until: Option<String>,
    /// Whether that date has come.
    pub due: bool,
    /// An offer of custody open now.
    pub offer: Option<crate::vault::history::Offer>,
    /// Which encryption of its object is current.
    pub object_version: u32,
}

/// Decrypt one metadata column of a row.
pub(super) fn open_meta(row: &ItemRow, key: &Key32, purpose: Purpose, blob: &[u8]) -> Result<Vec<u8>> {
    wrap::open(
        key,
        &item_aad(purpose, row.id, row.level, &row.control, row.key_generation),
        blob,
    )
    .map(|plain| plain.to_vec())
    .map_err(|_| Error::ObjectTampered {
        item: row.control.to_string(),
        chunk: None,
        detail: format!(
            "its {} does not decrypt; the database row was changed outside Strongroom",
            purpose.label()
        ),
    })
}

/// The level key that wraps a row, or a refusal.
pub(super) fn row_key(session: &Session, row: &ItemRow) -> Result<LevelKey> {
    let held = session.level_key(row.level)?;
    if held.generation < row.key_generation {
        return Err(Error::SessionOutOfDate {
            why: format!("the {} key was rotated since this session was unlocked", row.level),
        });
    }
    if held.generation != row.key_generation {
        return Err(Error::integrity(
            format!("item {}", row.control),
            "wrapped under a level key generation this session does not hold",
        ));
    }
    Ok(held)
}

impl Station {
    /// Active items the user may see, by control number (see [`Station::item_list`]).
    pub fn list_items(&self) -> Result<Vec<ItemSummary>> {
        Ok(self.item_list()?.items)
    }

    /// Active items the user may see, by control number, and how many rows were left out.
    /// A row shown agrees with its custody history (level, importer, custodian, category,
    /// size, SHA-256, status), and its title, original name and notes open under the level it
    /// states; the import
    /// time shown is the ledger's. A row that disagrees was changed outside Strongroom: it is
    /// not shown, only counted, and `ledger verify` names it.
    pub fn item_list(&self) -> Result<ItemList> {
        let session = self.session_for(Access::Permitted(Permission::View, None))?;
        let names: HashMap<UserId, String> = users::names(&self.conn)?.into_iter().collect();
        let admin_keys = AdminKeys::load(&self.conn, &self.station_id)?;
        let histories = history::all(&self.conn, &|seq, event| admin_keys.vouch_for(seq, event))?;
        let mut list = ItemList::default();
        for row in items::list_active(&self.conn, session.user().clearance)? {
            let history = histories.get(&row.id);
            list_row(session, &row, history, &names, &mut list)?;
        }
        Ok(list)
    }

    /// One page of [`Station::item_list`]: up to `limit` items after the control number
    /// `after` (from the start when none), each checked against its own history, so a page
    /// of a large vault comes at once. `next` is where the next page starts, if there may be
    /// one.
    pub fn item_page(&self, after: Option<&ControlNumber>, limit: usize) -> Result<ItemPage> {
        let session = self.session_for(Access::Permitted(Permission::View, None))?;
        let names: HashMap<UserId, String> = users::names(&self.conn)?.into_iter().collect();
        let admin_keys = AdminKeys::load(&self.conn, &self.station_id)?;
        let rows = items::list_active_page(&self.conn, session.user().clearance, after, limit.max(1))?;
        let next = (rows.len() >= limit.max(1))
            .then(|| rows.last().map(|r| r.control.clone()))
            .flatten();
        let mut list = ItemList::default();
        for row in &rows {
            let history = history::of(&self.conn, row.id, &|seq, event| admin_keys.vouch_for(seq, event))?;
            list_row(session, row, history.as_ref(), &names, &mut list)?;
        }
        Ok(ItemPage { list, next })
    }

    /// Find an item by control number or uuid, visible to this user, and check it before
    /// anything acts on it: its key must open under the level its row states (the AAD binds
    /// the level), and its row must agree with its custody history (`vault::history`).
    pub(super) fn find_item(&self, reference: &str) -> Result<(ItemRow, History)> {
        self.session_for(Access::Keys)?;
        let row = if let Some(control) = ControlNumber::parse(reference) {
            items::by_control(&self.conn, &control)?
        } else if let Ok(uuid) = uuid::Uuid::parse_str(reference.trim()) {
            items::get(&self.conn, ItemId(uuid))?
        } else {
            return Err(Error::InvalidInput(format!(
                "'{reference}' is neither a control number (SR-2026-000042) nor an item id"
            )));
        };
        let row = match row {
            Some(row) if row.status == ItemStatus::Active => row,
            // Said plainly: it existed and was destroyed (its tombstone remains).
            Some(row)
                if row.status == ItemStatus::Destroyed
                    && row.level <= self.session_for(Access::Keys)?.user().clearance =>
            {
                return Err(Error::NotFound(format!(
                    "item {} as an item: it was destroyed, and only its tombstone remains",
                    row.control
                )));
            }
            _ => return Err(Error::NotFound(format!("item {reference}"))),
        };
        let session = self.session_for(Access::Permitted(Permission::View, Some(row.level)))?;
        let key = row_key(session, &row)?;
        let aad = item_aad(Purpose::Dek, row.id, row.level, &row.control, row.key_generation);
        wrap::open(&key.key, &aad, &row.wrapped_dek).map_err(|_| Error::ObjectTampered {
            item: row.control.to_string(),
            chunk: None,
            detail: format!(
                "its key does not open as a {} item; the database row was changed outside Strongroom",
                row.level
            ),
        })?;
        let names: HashMap<UserId, String> = users::names(&self.conn)?.into_iter().collect();
        let admin_keys = AdminKeys::load(&self.conn, &self.station_id)?;
        let history = history::check(&self.conn, &row, &names, &|seq, event| admin_keys.vouch_for(seq, event))?;
        Ok((row, history))
    }

    /// One item's detail and custody timeline.
    pub fn item(&self, reference: &str) -> Result<ItemDetail> {
        let (row, history) = self.find_item(reference)?;
        let session = self.session_for(Access::Keys)?;
        let names: HashMap<UserId, String> = users::names(&self.conn)?.into_iter().collect();
        let key = row_key(session, &row)?.key;
        let name = open_meta(&row, &key, Purpose::MetaName, &row.original_name)?;
        let mut summary = summarize(session, &row, &names)?;
        // What the ledger states, not what the row says.
        summary.custodian = history.custodian.clone();
        summary.created_at = history.imported_at.clone();
        let notes = summary.notes.clone();
        Ok(ItemDetail {
            summary,
            original_name: String::from_utf8_lossy(&name).into_owned(),
            original_name_raw: OsString::from_vec(name),
            notes,
            sha256: hex::encode(&row.sha256),
            created_by: history.importer.clone(),
            chunk_size: row.chunk_size,
            events: events::for_item(&self.conn, row.id)?,
            due: history
                .retain_until
                .as_deref()
                .is_some_and(|d| crate::custody::retention::is_due(d, self.clock.now())),
            offer: crate::custody::transfer::open_offer(&history, &self.now()).cloned(),
            retain_until: history.retain_until,
            object_version: row.object_version,
        })
    }
}

/// Add `row` to `list` if it agrees with its custody `history` and its metadata opens under
/// the level it states; count it as withheld otherwise.
fn list_row(
    session: &Session,
    row: &ItemRow,
    history: Option<&History>,
    names: &HashMap<UserId, String>,
    list: &mut ItemList,
) -> Result<()> {
    let agrees = history.filter(|history| history::differences(row, history, names).is_empty());
    let Some(history) = agrees else {
        list.withheld += 1;
        return Ok(());
    };
    // Metadata that does not open under the level its row states was changed too.
    let mut summary = match summarize(session, row, names) {
        Ok(summary) => summary,
        Err(Error::ObjectTampered { .. } | Error::Integrity { .. }) => {
            list.withheld += 1;
            return Ok(());
        }
        Err(other) => return Err(other),
    };
    summary.created_at = history.imported_at.clone();
    list.items.push(summary);
    Ok(())
}

pub(super) fn summarize(session: &Session, row: &ItemRow, names: &HashMap<UserId, String>) -> Result<ItemSummary> {
    let key = row_key(session, row)?.key;
    let title = open_meta(row, &key, Purpose::MetaTitle, &row.title)?;
    let original_name = open_meta(row, &key, Purpose::MetaName, &row.original_name)?;
    let notes = match &row.notes {
        Some(blob) => Some(String::from_utf8_lossy(&open_meta(row, &key, Purpose::MetaNotes, blob)?).into_owned()),
        None => None,
    };
    Ok(ItemSummary {
        id: row.id,
        control_number: row.control.clone(),
        title: String::from_utf8_lossy(&title).into_owned(),
        level: row.level,
        category: row.category,
        size: row.size,
        custodian: names.get(&row.custodian).cloned().unwrap_or_default(),
        status: row.status,
        created_at: row.created_at.clone(),
        updated_at: row.updated_at.clone(),
        original_name: String::from_utf8_lossy(&original_name).into_owned(),
        notes,
    })
}
