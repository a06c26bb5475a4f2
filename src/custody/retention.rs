//! Retention dates: the day from which an item should be destroyed. Set at import (given,
//! or the level's default from policy), changed later by the custodian or an officer, each
//! time an event; the Due list is every item whose date has come. Dates are whole days,
//! `YYYY-MM-DD`, compared in UTC like every time the ledger records.

use time::{Date, Month, OffsetDateTime};

use crate::accounts::policy::Policy;
use crate::vault::history::History;
use crate::{Error, ItemId, Level, Result};

/// Parse a retention date (`YYYY-MM-DD`).
pub fn parse_date(text: &str) -> Result<Date> {
    let bad = || Error::InvalidInput(format!("'{text}' is not a date; write it as YYYY-MM-DD (2027-06-30)"));
    let mut parts = text.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

/// A date as retention dates are written.
pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Today's date (UTC) at `now`.
pub fn today(now: OffsetDateTime) -> Date {
    now.to_offset(time::UtcOffset::UTC).date()
}

/// Check a retention date being set: it may not already have passed (an item kept "until
/// yesterday" is a typing mistake, not a decision).
pub fn check_new(date: &str, now: OffsetDateTime) -> Result<String> {
    let parsed = parse_date(date)?;
    if parsed < today(now) {
        return Err(Error::InvalidInput(format!(
            "retention date {} is in the past (today is {}); give today or a later date",
            format_date(parsed),
            format_date(today(now))
        )));
    }
    Ok(format_date(parsed))
}

/// The policy's default retention date for a new item at `level`, if the policy sets one.
pub fn default_for(policy: &Policy, level: Level, now: OffsetDateTime) -> Option<String> {
    let days = policy.retention_days(level);
    (days > 0).then(|| format_date(today(now).saturating_add(time::Duration::days(i64::from(days)))))
}

/// Whether an item retained until `date` is due at `now` (from that day on). A date that
/// does not parse (an event written by something else) counts as due: an officer looks.
pub fn is_due(date: &str, now: OffsetDateTime) -> bool {
    parse_date(date).map_or(true, |d| d <= today(now))
}

/// One item on the Due list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DueItem {
    /// Item uuid.
    pub item: String,
    /// Control number.
    pub control_number: String,
    /// Level.
    pub level: Level,
    /// Custodian (from the history).
    pub custodian: String,
    /// The retention date that has come.
    pub retain_until: String,
    /// Days since that date (0 on the day itself).
    pub days_overdue: i64,
}

/// The items not destroyed whose retention date has come, at or below `clearance`, oldest
/// date first.
pub fn due<'a>(
    histories: impl IntoIterator<Item = (&'a ItemId, &'a History)>,
    clearance: Level,
    now: OffsetDateTime,
) -> Vec<DueItem> {
    let mut out: Vec<DueItem> = histories
        .into_iter()
        .filter(|(_, h)| !h.destroyed && h.level <= clearance)
        .filter_map(|(id, h)| {
            let date = h.retain_until.as_deref()?;
            is_due(date, now).then(|| DueItem {
                item: id.to_string(),
                control_number: h.control_number.clone(),
                level: h.level,
                custodian: h.custodian.clone(),
                retain_until: date.to_string(),
                days_overdue: parse_date(date).map_or(0, |d| (today(now) - d).whole_days()),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.retain_until.as_str(), a.control_number.as_str()).cmp(&(b.retain_until.as_str(), b.control_number.as_str()))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07 10:00 UTC.
    fn morning() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_796_637_600).unwrap()
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(format_date(parse_date("2027-06-30").unwrap()), "2027-06-30");
        for bad in [
            "2027-6-30",
            "2027-02-30",
            "30/06/2027",
            "",
            "2027-06-30T00:00",
            "+2027-06-3",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn a_past_date_is_refused_and_today_is_due() {
        let now = morning();
        assert!(
            check_new("2026-12-06", now)
                .unwrap_err()
                .to_string()
                .contains("in the past")
        );
        assert_eq!(check_new("2026-12-07", now).unwrap(), "2026-12-07");
        assert!(is_due("2026-12-07", now));
        assert!(!is_due("2026-12-08", now));
        assert!(is_due("garbage", now));
    }

    #[test]
    fn the_default_comes_from_the_levels_policy() {
        let now = morning();
        let mut policy = Policy::default();
        assert_eq!(default_for(&policy, Level::Secret, now), None);
        policy.set("retention-days-secret", "30").unwrap();
        assert_eq!(default_for(&policy, Level::Secret, now).as_deref(), Some("2027-01-06"));
        assert_eq!(default_for(&policy, Level::Internal, now), None);
    }
}
