//! Throughput and memory of the `.sro` pipeline, run as separate processes by
//! `benches/compare.sh` so each one's peak RSS is its own (and never includes Argon2id):
//!
//! ```text
//! stream primitives FILE          SHA-256 and AES-256-GCM alone on one core, and the ceiling
//! stream encrypt FILE OBJECT      encrypt file → file, report GB/s and peak RSS
//! stream decrypt OBJECT FILE      decrypt file → file, report GB/s and peak RSS
//! stream memory MIB               the pipeline alone: memory → memory, no file I/O
//! ```
//! `CHUNK_KIB` sets the chunk size (default 1024). Nothing here asserts a time.

use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use sha2::{Digest, Sha256};
use strongroom::crypto::Key32;
use strongroom::crypto::stream::{self, DecryptKey, EncryptKey, Header};
use strongroom::progress::Progress;

/// The tests' one pseudo-random generator, for the same data in benchmarks and tests.
#[path = "../tests/it/support/random.rs"]
mod random;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let chunk: u32 = std::env::var("CHUNK_KIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(stream::DEFAULT_CHUNK, |k: u32| k * 1024);
    let key = Key32::from_bytes([9; 32]);
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["primitives", file] => primitives(file, chunk),
        ["encrypt", input, output] => {
            let src = File::open(input).expect("open input");
            let len = src.metadata().expect("stat input").len();
            let dst = File::create(output).expect("create output");
            let t = Instant::now();
            stream::encrypt(&src, &dst, EncryptKey::Dek(&key), [1; 16], chunk, len, &Progress::new()).expect("encrypt");
            report("encrypt", len, t.elapsed().as_secs_f64(), chunk);
        }
        ["memory", mib] => {
            // The pipeline alone: plaintext from memory, ciphertext and plaintext to a sink.
            let len = mib.parse::<usize>().expect("MiB") << 20;
            let plain = pattern(len);
            let mut object = Vec::with_capacity(len + len / 1000 + 1024);
            let t = Instant::now();
            stream::encrypt(
                &plain[..],
                &mut object,
                EncryptKey::Dek(&key),
                [1; 16],
                chunk,
                len as u64,
                &Progress::new(),
            )
            .expect("encrypt");
            println!(
                "memory_encrypt_gbps {:.2}",
                len as f64 / t.elapsed().as_secs_f64() / 1e9
            );
            let mut reader = &object[..];
            let (header, raw) = Header::read(&mut reader).expect("header");
            let t = Instant::now();
            stream::decrypt(
                reader,
                &header,
                &raw,
                DecryptKey::Dek(&key),
                std::io::sink(),
                &Progress::new(),
            )
            .expect("decrypt");
            println!(
                "memory_decrypt_gbps {:.2}",
                len as f64 / t.elapsed().as_secs_f64() / 1e9
            );
        }
        ["decrypt", input, output] => {
            let mut reader = BufReader::with_capacity(64 * 1024, File::open(input).expect("open object"));
            let (header, raw) = Header::read(&mut reader).expect("header");
            let dst = File::create(output).expect("create output");
            let t = Instant::now();
            stream::decrypt(reader, &header, &raw, DecryptKey::Dek(&key), &dst, &Progress::new()).expect("decrypt");
            report(
                "decrypt",
                header.plaintext_len,
                t.elapsed().as_secs_f64(),
                header.chunk_size,
            );
        }
        _ => {
            // `cargo bench` with no arguments: a quick self-contained run on 256 MiB.
            let dir = std::env::temp_dir();
            let plain = dir.join("strongroom-bench.plain");
            let object = dir.join("strongroom-bench.sro");
            std::fs::write(&plain, pattern(256 << 20)).expect("write plaintext");
            primitives(plain.to_str().expect("utf-8"), chunk);
            let src = File::open(&plain).expect("open");
            let dst = File::create(&object).expect("create");
            let t = Instant::now();
            stream::encrypt(
                &src,
                &dst,
                EncryptKey::Dek(&key),
                [1; 16],
                chunk,
                256 << 20,
                &Progress::new(),
            )
            .expect("encrypt");
            report("encrypt", 256 << 20, t.elapsed().as_secs_f64(), chunk);
            let _ = std::fs::remove_file(&plain);
            let _ = std::fs::remove_file(&object);
        }
    }
}

fn primitives(file: &str, chunk: u32) {
    let buf = std::fs::read(file).expect("read input");
    let t = Instant::now();
    let _ = Sha256::digest(&buf);
    let sha = buf.len() as f64 / t.elapsed().as_secs_f64() / 1e9;
    let cipher = Aes256Gcm::new(&[7u8; 32].into());
    let mut work = buf.clone();
    let t = Instant::now();
    for (i, part) in work.chunks_mut(chunk as usize).enumerate() {
        let mut n = [0u8; 12];
        n[..8].copy_from_slice(&(i as u64).to_be_bytes());
        let _ = cipher
            .encrypt_inout_detached(&Nonce::from(n), b"", part.into())
            .expect("encrypt");
    }
    let aes = buf.len() as f64 / t.elapsed().as_secs_f64() / 1e9;
    println!("sha256_one_core_gbps {sha:.2}");
    println!("aes256gcm_one_core_gbps {aes:.2}");
    println!("two_core_ceiling_gbps {:.2}", sha.min(2.0 / (1.0 / sha + 1.0 / aes)));
}

fn report(what: &str, len: u64, secs: f64, chunk: u32) {
    println!("{what}_gbps {:.2}", len as f64 / secs / 1e9);
    println!("{what}_peak_rss_kib {}", peak_rss_kib());
    println!("{what}_chunk_kib {}", chunk / 1024);
}

fn pattern(len: usize) -> Vec<u8> {
    random::pseudo_random(len, 0x9e37_79b9_7f4a_7c15)
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
