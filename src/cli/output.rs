//! Printing results: JSON with a stable shape for scripts, short aligned text for people.

use std::io::Write;

use anyhow::Result;
use strongroom::station::{ItemDetail, ItemSummary};

/// Print `value` as pretty JSON on stdout.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Bytes in binary units, one decimal.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The header of an item table.
pub fn item_table_header(out: &mut impl Write) -> Result<()> {
    writeln!(
        out,
        "{:<15} {:<13} {:<12} {:>10}  {:<12} TITLE",
        "CONTROL", "LEVEL", "CATEGORY", "SIZE", "CUSTODIAN"
    )?;
    Ok(())
}

/// One row of an item table.
pub fn item_table_row(out: &mut impl Write, item: &ItemSummary) -> Result<()> {
    writeln!(
        out,
        "{:<15} {:<13} {:<12} {:>10}  {:<12} {}",
        item.control_number.to_string(),
        item.level.name(),
        item.category.as_str(),
        bytes(item.size),
        printable(&item.custodian),
        printable(&item.title)
    )?;
    Ok(())
}

/// Items printed as they come (a list page by page, an import group by group), so nothing
/// is kept: a table with one header, or the elements of a pretty JSON array whose opening
/// the caller printed, indented by `indent` spaces.
pub struct ItemStream {
    json: Option<usize>,
    printed: usize,
}

impl ItemStream {
    /// A table.
    pub fn table() -> ItemStream {
        ItemStream { json: None, printed: 0 }
    }

    /// JSON array elements indented by `indent` spaces.
    pub fn json(indent: usize) -> ItemStream {
        ItemStream {
            json: Some(indent),
            printed: 0,
        }
    }

    /// Print one item.
    pub fn push(&mut self, item: &ItemSummary) -> Result<()> {
        let mut out = std::io::stdout().lock();
        match self.json {
            Some(indent) => {
                let text = serde_json::to_string_pretty(item)?;
                let pad = " ".repeat(indent);
                let lines: Vec<String> = text.lines().map(|line| format!("{pad}{line}")).collect();
                let lead = if self.printed == 0 { "\n" } else { ",\n" };
                write!(out, "{lead}{}", lines.join("\n"))?;
            }
            None => {
                if self.printed == 0 {
                    item_table_header(&mut out)?;
                }
                item_table_row(&mut out, item)?;
            }
        }
        self.printed += 1;
        Ok(())
    }

    /// How many items were printed.
    pub fn printed(&self) -> usize {
        self.printed
    }

    /// End the array's elements: the newline and indentation before its closing bracket,
    /// which the caller prints (nothing when it is empty, for `[]`).
    pub fn close_json(&self, outer_indent: usize) -> Result<()> {
        if self.printed > 0 {
            let mut out = std::io::stdout().lock();
            write!(out, "\n{}", " ".repeat(outer_indent))?;
        }
        Ok(())
    }
}

/// One item in detail.
pub fn item_detail(item: &ItemDetail) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let s = &item.summary;
    writeln!(out, "Control number  {}", s.control_number)?;
    writeln!(out, "Item id         {}", s.id)?;
    writeln!(out, "Title           {}", printable(&s.title))?;
    writeln!(out, "Level           {} ({})", s.level.name(), s.level.label_zh())?;
    writeln!(out, "Category        {}", s.category.as_str())?;
    writeln!(out, "Original name   {}", printable(&item.original_name))?;
    writeln!(out, "Size            {} ({} bytes)", bytes(s.size), s.size)?;
    writeln!(out, "SHA-256         {}", item.sha256)?;
    writeln!(out, "Custodian       {}", printable(&s.custodian))?;
    writeln!(out, "Imported by     {}", printable(&item.created_by))?;
    writeln!(out, "Imported at     {}", s.created_at)?;
    writeln!(out, "Status          {}", s.status.as_str())?;
    if let Some(notes) = &item.notes {
        writeln!(out, "Notes           {}", printable(notes))?;
    }
    if let Some(date) = &item.retain_until {
        let due = if item.due { "  (due for destruction)" } else { "" };
        writeln!(out, "Retain until    {}{due}", printable(date))?;
    }
    if let Some(offer) = &item.offer {
        writeln!(
            out,
            "Offered to      {} by {} until {}",
            printable(&offer.to),
            printable(&offer.by),
            printable(&offer.expires_at)
        )?;
    }
    writeln!(out, "\nCustody timeline")?;
    for event in &item.events {
        writeln!(
            out,
            "  #{:<6} {}  {:<20} {}",
            event.seq,
            printable(&event.time),
            printable(&event.action),
            printable(&event.actor)
        )?;
    }
    Ok(())
}

/// Events, one line each: seq, time, action, actor, subject and level.
pub fn event_lines(events: &[strongroom::ledger::StoredEvent]) {
    for event in events {
        println!(
            "#{:<6} {}  {:<22} {:<16} {:<20} {}",
            event.seq,
            printable(&event.time),
            printable(&event.action),
            printable(&event.actor),
            printable(&event.subject),
            event.level.map_or("-", |l| l.name())
        );
    }
}

/// Text from outside made safe for a terminal: the library's one escaping function
/// ([`strongroom::text::printable`]). Every line the CLI prints that holds such text goes
/// through here.
pub fn printable(text: &str) -> String {
    strongroom::text::printable(text)
}

/// What remains of a destroyed item.
pub fn tombstone(t: &strongroom::station::Tombstone) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "Control number  {}  (DESTROYED)", t.control_number)?;
    writeln!(out, "Item id         {}", t.item)?;
    writeln!(out, "Title           (destroyed with the item)")?;
    writeln!(out, "Level           {} ({})", t.level.name(), t.level.label_zh())?;
    writeln!(out, "Category        {}", printable(&t.category))?;
    if let Some(size) = t.size {
        writeln!(out, "Size            {} ({size} bytes)", bytes(size))?;
    }
    writeln!(out, "SHA-256         {}", printable(&t.sha256))?;
    writeln!(out, "Imported by     {}", printable(&t.imported_by))?;
    writeln!(out, "Imported at     {}", printable(&t.imported_at))?;
    writeln!(out, "Last custodian  {}", printable(&t.custodian))?;
    writeln!(out, "Destroyed at    {}", printable(&t.destroyed_at))?;
    writeln!(out, "Destroyed by    {}", printable(&t.destroyed_by))?;
    if let Some(witness) = &t.witness {
        writeln!(out, "Witness         {}", printable(witness))?;
    }
    if let Some(officer) = &t.approved_by {
        writeln!(out, "Approved by     {}", printable(officer))?;
    }
    writeln!(out, "Reason          {}", printable(&t.reason))?;
    writeln!(out, "Ledger seq      {}", t.seq)?;
    Ok(())
}
