//! The certificate of a batch of N destroyed items (default 1 000): its PDF made from the
//! body (shaping, subsetting the bundled font, writing), and the signed document signed and
//! checked again. Run: `cargo bench --bench certificate -- [N] [OUT.pdf]`; prints the median
//! of 5 runs of each, the PDF's size and pages. Nothing here asserts a time.

use std::time::{Duration, Instant};

use strongroom::Level;
use strongroom::crypto::Key32;
use strongroom::crypto::sign::SignKey;
use strongroom::custody::certificate::build::{self, ItemFacts, Occasion};
use strongroom::custody::certificate::{DestroyedItem, LedgerRecord, Person, document, pdf};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let person = |name: &str, title: &str| Person {
        name: name.into(),
        title: Some(title.into()),
        organization: Some("Survey Office 测绘局".into()),
        location: Some("Building 4, room 210".into()),
    };
    let items = (0..n)
        .map(|i| ItemFacts {
            item: DestroyedItem {
                control_number: format!("SR-2026-{:06}", i + 1),
                level: Level::ALL[(i % 5) as usize],
                category: ["raster", "vector", "point-cloud", "photo", "document"][(i % 5) as usize].into(),
                size: 1_000_000 + i * 7919,
                sha256: format!("{:064x}", u128::from(i) * 0x9e37_79b9_7f4a_7c15),
                seq: 1000 + i,
            },
            exports: u64::from(i % 97 == 0),
        })
        .collect();
    let certificate = build::for_items(
        Occasion {
            number: "CD-2026-000001".into(),
            station: "0123456789abcdef".into(),
            destroyed_at: "2026-12-07T10:00:00.000Z".into(),
            performed_by: person("alice", "Security Officer 安全保密员"),
            validated_by: Some(person("carol", "Deputy Officer 副主任")),
            validation: Some("witness".into()),
            reason: "retention period ended 保管期限届满".into(),
            ledger: LedgerRecord {
                origin: "strongroom/0123456789abcdef".into(),
                first_seq: 1000,
                last_seq: 1000 + n - 1,
                checkpoint_size: 1000 + n,
                checkpoint_root: "2nsZ6Jvenn7J4TpFoQb+YIkTwcl09GqFGtXKUk9nZ2A=".into(),
            },
        },
        items,
    );
    let admin = SignKey::from_seed(&Key32::from_bytes([9; 32]));
    let signed = document::sign(&certificate, "alice", "2026-12-07T10:00:01.000Z", &admin, Vec::new()).expect("sign");

    let mut bytes = Vec::new();
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        bytes = pdf::render(&certificate, Some(&signed)).expect("render");
        runs.push(t.elapsed());
    }
    let pages = bytes
        .windows(b"/Type /Page\n".len())
        .filter(|w| *w == b"/Type /Page\n")
        .count();
    println!(
        "PDF of {n} items: {:.3} s (median of 5), {} bytes",
        median(runs).as_secs_f64(),
        bytes.len()
    );
    if pages > 0 {
        println!("pages: {pages}");
    }

    let mut runs = Vec::new();
    let mut json = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let signed =
            document::sign(&certificate, "alice", "2026-12-07T10:00:01.000Z", &admin, Vec::new()).expect("sign");
        json = serde_json::to_vec_pretty(&signed).expect("json");
        document::open(&json).expect("open");
        runs.push(t.elapsed());
    }
    println!(
        "sign + write + open certificate.json of {n} items: {:.3} s (median of 5), {} bytes",
        median(runs).as_secs_f64(),
        json.len()
    );
    if let Some(out) = args.get(1) {
        std::fs::write(out, &bytes).expect("write the PDF");
        println!("wrote {out}");
    }
}
