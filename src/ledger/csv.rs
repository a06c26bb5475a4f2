//! Events as CSV for spreadsheets (RFC 4180): seq, time, actor, action, subject, level and
//! the details as JSON. Cells that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`) are prefixed with `'`, since actors and subjects can be typed by anyone.

use std::io::Write;

use rusqlite::Connection;

use crate::ledger::query::{self, EventFilter};
use crate::{Error, Result};

/// Write every event matching `filter` to `out`; returns the number of rows.
pub fn write(conn: &Connection, filter: &EventFilter, out: &mut impl Write) -> Result<u64> {
    let io = |e: std::io::Error| Error::io("CSV output", e);
    out.write_all(b"seq,time,actor,action,subject,level,details\r\n")
        .map_err(io)?;
    let mut after = None;
    let mut rows = 0u64;
    loop {
        let page = query::query(conn, filter, after, 10_000)?;
        let Some(last) = page.last() else { break };
        after = Some(last.seq);
        for event in &page {
            let json = event.json()?;
            let details = json.get("details").map(ToString::to_string).unwrap_or_default();
            let cells = [
                event.seq.to_string(),
                event.time.clone(),
                event.actor.clone(),
                event.action.clone(),
                event.subject.clone(),
                event.level.map(|l| l.name().to_string()).unwrap_or_default(),
                details,
            ];
            let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
            out.write_all(line.join(",").as_bytes()).map_err(io)?;
            out.write_all(b"\r\n").map_err(io)?;
            rows += 1;
        }
    }
    out.flush().map_err(io)?;
    Ok(rows)
}

fn cell(value: &str) -> String {
    // What a spreadsheet may run as a formula: OWASP's list, with tab and carriage return.
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("alice"), "alice");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("\t=1+2"), "'\t=1+2");
        assert_eq!(cell("\r=cmd|' /C calc'!A0"), "\"'\r=cmd|' /C calc'!A0\"");
    }
}
