//! Times as people read them: local time to the second, the stored UTC time (with
//! milliseconds, as the ledger has it) on hover.

use std::sync::OnceLock;

use eframe::egui;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// The local offset, learnt once at start.
static OFFSET: OnceLock<UtcOffset> = OnceLock::new();

/// Learn the local UTC offset. Call it while the process has one thread: the `time` crate
/// refuses to read it later, since the C library's time zone state is not thread-safe.
/// Unknown means UTC, and then the times say so.
pub fn learn_offset() {
    let _ = OFFSET.set(UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC));
}

/// `stored` (RFC 3339 UTC) as shown: "2026-12-07 05:21:04" in local time, with " UTC" when
/// that is what it is; text that is not a time is shown as it is.
pub fn shown(stored: &str) -> String {
    let Ok(time) = OffsetDateTime::parse(stored, &Rfc3339) else {
        return stored.to_string();
    };
    let offset = OFFSET.get().copied().unwrap_or(UtcOffset::UTC);
    let local = time.to_offset(offset);
    let text = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    );
    if offset == UtcOffset::UTC {
        format!("{text} UTC")
    } else {
        text
    }
}

/// A label with the time as shown, and the stored UTC time on hover.
pub fn label(ui: &mut egui::Ui, stored: &str) -> egui::Response {
    ui.label(shown(stored)).on_hover_text(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_time_reads_to_the_second_and_other_text_is_kept() {
        // Tests run with many threads, so the offset is never learnt here: UTC, said.
        assert_eq!(shown("2026-12-07T04:21:00.123Z"), "2026-12-07 04:21:00 UTC");
        assert_eq!(shown("not a time"), "not a time");
    }
}
