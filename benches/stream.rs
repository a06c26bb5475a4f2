//! Throughput of the pieces of an import/export, side by side on one machine:
//! SHA-256 alone, AES-256-GCM alone (one core), and the `.sro` pipeline encrypting and
//! decrypting a file (tmpfs → tmpfs). Run: `cargo bench --bench stream -- [SIZE_MIB] [DIR]`.
//! Figures go to docs/PERFORMANCE.md; nothing here asserts a time.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use sha2::{Digest, Sha256};
use strongroom::crypto::Key32;
use strongroom::crypto::stream::{self, DecryptKey, EncryptKey, Header};
use strongroom::progress::Progress;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let mib: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1024);
    let dir = PathBuf::from(args.get(1).cloned().unwrap_or_else(|| "/dev/shm".into()));
    let chunk: u32 = std::env::var("CHUNK_KIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(stream::DEFAULT_CHUNK, |k: u32| k * 1024);
    let len = mib * 1024 * 1024;
    let plain_path = dir.join("strongroom-bench.plain");
    let sealed_path = dir.join("strongroom-bench.sro");
    let out_path = dir.join("strongroom-bench.out");
    {
        let mut f = File::create(&plain_path).expect("create plaintext");
        let mut block = vec![0u8; 1 << 20];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..mib {
            for b in block.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state as u8;
            }
            f.write_all(&block).expect("write plaintext");
        }
    }
    let gbps = |secs: f64| len as f64 / secs / 1e9;

    let buf = std::fs::read(&plain_path).expect("read plaintext");
    let t = Instant::now();
    let digest = Sha256::digest(&buf);
    let sha = gbps(t.elapsed().as_secs_f64());
    let cipher = Aes256Gcm::new(&[7u8; 32].into());
    let mut work = buf.clone();
    let t = Instant::now();
    for (i, chunk_buf) in work.chunks_mut(chunk as usize).enumerate() {
        let mut n = [0u8; 12];
        n[..8].copy_from_slice(&(i as u64).to_be_bytes());
        let _ = cipher
            .encrypt_inout_detached(&Nonce::from(n), b"", chunk_buf.into())
            .expect("encrypt");
    }
    let aes = gbps(t.elapsed().as_secs_f64());
    drop((buf, work));

    let key = Key32::from_bytes([9; 32]);
    let t = Instant::now();
    let src = File::open(&plain_path).expect("open plaintext");
    let dst = File::create(&sealed_path).expect("create object");
    let got = stream::encrypt(
        &src,
        &dst,
        EncryptKey::Dek(&key),
        [1; 16],
        chunk,
        len as u64,
        &Progress::new(),
    )
    .expect("encrypt");
    let enc = gbps(t.elapsed().as_secs_f64());
    assert_eq!(got[..], digest[..]);

    let t = Instant::now();
    let mut reader = BufReader::with_capacity(64 * 1024, File::open(&sealed_path).expect("open object"));
    let (header, raw) = Header::read(&mut reader).expect("header");
    let out = File::create(&out_path).expect("create output");
    let got = stream::decrypt(reader, &header, &raw, DecryptKey::Dek(&key), &out, &Progress::new()).expect("decrypt");
    let dec = gbps(t.elapsed().as_secs_f64());
    assert_eq!(got[..], digest[..]);

    let rss = peak_rss_kib();
    for p in [&plain_path, &sealed_path, &out_path] {
        let _ = std::fs::remove_file(p);
    }
    println!("size {mib} MiB, chunk {} KiB, dir {}", chunk / 1024, dir.display());
    println!("sha256 one core       {sha:6.2} GB/s");
    println!("aes-256-gcm one core  {aes:6.2} GB/s");
    println!(
        "ceiling (2 cores)     {:6.2} GB/s",
        sha.min(2.0 / (1.0 / sha + 1.0 / aes))
    );
    println!("encrypt file→file     {enc:6.2} GB/s");
    println!("decrypt file→file     {dec:6.2} GB/s");
    println!("peak RSS (whole run, includes the {mib} MiB in-memory baseline above) {rss} KiB");
    let _ = std::io::stdout().flush();
    let mut s = String::new();
    let _ = std::io::stdin().take(0).read_to_string(&mut s);
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
