//! Wall-clock time behind a trait, so tests inject a fixed clock (lockout backoff, idle lock,
//! event times in test vectors) instead of sleeping.

use std::sync::Arc;

use time::OffsetDateTime;

/// A source of the current UTC time.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A shared clock handle.
pub type SharedClock = Arc<dyn Clock>;

/// The default clock for real use.
pub fn system_clock() -> SharedClock {
    Arc::new(SystemClock)
}

/// A clock that only moves when told to: tests of backoff, lockout, idle lock and password
/// age advance it instead of sleeping.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<OffsetDateTime>);

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: OffsetDateTime) -> Arc<ManualClock> {
        Arc::new(ManualClock(std::sync::Mutex::new(start)))
    }

    /// Move the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// RFC 3339 UTC with millisecond precision and `Z`, as every stored time is written
/// (`2026-11-23T14:57:10.123Z`): one spelling per instant, so canonical bytes are stable.
pub fn rfc3339_millis(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A time written as [`rfc3339_millis`] writes it, and only so (one spelling per instant).
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    let parsed = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    (rfc3339_millis(parsed) == text).then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_written_spelling_parses() {
        let t = parse_rfc3339("2026-11-23T14:57:10.123Z").unwrap();
        assert_eq!(rfc3339_millis(t), "2026-11-23T14:57:10.123Z");
        for other in [
            "",
            "2026-11-23T14:57:10Z",
            "2026-11-23T15:57:10.123+01:00",
            "2026-11-23",
        ] {
            assert!(parse_rfc3339(other).is_none(), "{other}");
        }
    }

    #[test]
    fn formats_utc_with_milliseconds() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_795_445_830_123_456_789).unwrap();
        assert_eq!(rfc3339_millis(t), "2026-11-23T14:57:10.123Z");
    }
}
