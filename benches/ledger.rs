//! Custody-log figures on a log of N events (default 1 000 000), in a temporary database:
//! batched append rate, checkpoints every 256 events, full `ledger verify`, and filtered
//! queries. Run: `cargo bench --bench ledger -- [N] [DIR]`. Nothing here asserts a time.

use std::time::Instant;

use serde_json::json;
use strongroom::crypto::Key32;
use strongroom::crypto::event_mac::EventMacKey;
use strongroom::crypto::sign::SignKey;
use strongroom::ledger::note::Verifier;
use strongroom::ledger::query::{self, EventFilter};
use strongroom::ledger::{Action, NewEvent, checkpoint, events, verify};
use strongroom::{ItemId, Level, db};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir_in(args.get(1).map_or("/dev/shm", String::as_str)).expect("temp dir");
    let mut conn = db::open(&dir.path().join("ledger.db"), true).expect("open");
    let station = "0123456789abcdef";
    let key = SignKey::from_seed(&Key32::from_bytes([7; 32]));
    // Every event a session writes carries its MAC, so the append figure includes it.
    let mac = EventMacKey::from_signing(&key).expect("event MAC key");
    let items: Vec<ItemId> = (0..1000).map(|_| ItemId::random().expect("id")).collect();
    let start = time::OffsetDateTime::now_utc();

    // Batched import: 10 000 events per transaction, a checkpoint every 256 events.
    let t = Instant::now();
    let mut appended = 0u64;
    let mut checkpoints = 0u64;
    while appended < n {
        let batch = (n - appended).min(10_000);
        db::write(&mut conn, |tx| {
            for i in appended..appended + batch {
                let item = items[(i % 1000) as usize];
                let event = NewEvent {
                    actor: format!("user{}", i % 50),
                    action: if i % 7 == 0 {
                        Action::ItemExport
                    } else {
                        Action::ItemImport
                    },
                    subject: format!("SR-2026-{:06}", i % 1_000_000),
                    level: Some(Level::ALL[(i % 5) as usize]),
                    item: Some(item),
                    details: json!({ "item": item.to_string(), "size": i, "sha256": "ab".repeat(32) })
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                };
                events::append(tx, start + time::Duration::milliseconds(i as i64), &event, Some(&mac))?;
                if (i + 1) % 256 == 0 {
                    checkpoint::write(tx, station, &key, "interval", "2026-11-23T00:00:00.000Z")?;
                    checkpoints += 1;
                }
            }
            Ok(())
        })
        .expect("append");
        appended += batch;
    }
    let append_secs = t.elapsed().as_secs_f64();
    println!("events {n}, checkpoints {checkpoints}");
    println!(
        "append_events_per_s {:.0} (batches of 10 000, with checkpoints every 256)",
        n as f64 / append_secs
    );

    let verifier = Verifier::new(&checkpoint::origin(station), key.public()).expect("verifier");
    let t = Instant::now();
    let report = verify::verify(&conn, station, &verifier).expect("verify");
    println!(
        "verify_s {:.2} (ok: {}, verified size {})",
        t.elapsed().as_secs_f64(),
        report.ok,
        report.verified_size
    );

    for (name, filter) in [
        (
            "item",
            EventFilter {
                item: Some(items[123]),
                ..Default::default()
            },
        ),
        (
            "actor+action",
            EventFilter {
                actor: Some("user7".into()),
                action: Some("item.export".into()),
                ..Default::default()
            },
        ),
        (
            "time range",
            EventFilter {
                since: Some(strongroom::time::rfc3339_millis(
                    start + time::Duration::milliseconds(n as i64 / 2),
                )),
                ..Default::default()
            },
        ),
    ] {
        let _ = query::query(&conn, &filter, None, 100).expect("warm-up");
        let t = Instant::now();
        let page = query::query(&conn, &filter, None, 100).expect("query");
        println!(
            "query_{name}_ms {:.2} ({} rows, first page of 100)",
            t.elapsed().as_secs_f64() * 1000.0,
            page.len()
        );
    }

    let out = dir.path().join("bundle");
    let t = Instant::now();
    let manifest = strongroom::ledger::bundle::export(
        &conn,
        station,
        &verifier,
        &EventFilter::default(),
        &out,
        "2026-11-23T00:00:00.000Z",
    )
    .expect("bundle export");
    println!(
        "bundle_export_s {:.2} ({} events, {} checkpoints)",
        t.elapsed().as_secs_f64(),
        manifest.events,
        manifest.checkpoints
    );
    let mut pins = strongroom::ledger::bundle::Pins::load(&dir.path().join("pins.json")).expect("pins");
    pins.trust(&verifier.encode(), false).expect("trust");
    let t = Instant::now();
    let report = strongroom::ledger::bundle::verify(&out, &mut pins);
    println!("bundle_verify_s {:.2} (ok: {})", t.elapsed().as_secs_f64(), report.ok);
}
