//! The parallel, ordered chunk pipeline shared by encryption and decryption.
//!
//! ```text
//! reader ─▶ [hash] ─▶ workers (AES-GCM, all cores) ─▶ reorder [+ hash] ─▶ writer
//! ```
//! Encryption hashes the plaintext before the workers, decryption after them; either way the
//! hash runs on its own thread while the workers use the cores. Buffers come from a pool of
//! at most `IN_FLIGHT_BYTES / chunk` (at least three), which is what bounds memory whatever the
//! chunk size. Errors travel down the same ordered stream as chunks, so the first failure in
//! chunk order is the one reported.

use std::collections::BTreeMap;

use crossbeam_channel::{Receiver, Sender, TryRecvError, bounded, unbounded};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::progress::Progress;

use super::{Digest, IN_FLIGHT_BYTES, StreamError};

/// Where chunks come from.
pub(super) trait Source: Send {
    /// Fill `buf` with chunk `index`, resizing it to the chunk's length (it may hold an earlier chunk).
    fn chunk(&mut self, index: u64, buf: &mut Vec<u8>) -> Result<(), StreamError>;
    /// Called after the last chunk: check that nothing follows.
    fn finish(&mut self) -> Result<(), StreamError>;
}

/// Where a hash is taken relative to the transform.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum HashAt {
    /// Before the workers (encryption: hash the plaintext read).
    Input,
    /// After reordering (decryption: hash the plaintext produced).
    Output,
}

/// A chunk buffer; wiped (whole capacity) when dropped, since it held plaintext.
type Buf = Zeroizing<Vec<u8>>;

type Item = (u64, Result<Buf, StreamError>);

/// Buffers kept even for the largest chunks: one being read, one hashed, one encrypted, so
/// 16 MiB chunks still overlap (3 × 16 MiB stays within the 64 MiB streaming budget).
const MIN_BUFFERS: usize = 3;

/// Run the pipeline over `count` chunks; returns the SHA-256 of the plaintext. `buf_capacity`
/// fits any chunk with its tag, `first_capacity` the first one (all of a one-chunk object).
#[allow(clippy::too_many_arguments)]
pub(super) fn run<S, T, W>(
    count: u64,
    buf_capacity: usize,
    first_capacity: usize,
    mut source: S,
    hash_at: HashAt,
    transform: &T,
    mut write: W,
    progress: &Progress,
) -> Result<Digest, StreamError>
where
    S: Source,
    T: Fn(u64, &mut Vec<u8>) -> Result<(), StreamError> + Sync,
    W: FnMut(&[u8]) -> Result<(), StreamError> + Send,
{
    // One chunk (a small file): in this thread, in a buffer of its own size. Five threads and
    // a wiped chunk-sized buffer would cost more than the work, file after file.
    if count <= 1 {
        return run_inline(count, first_capacity, source, hash_at, transform, write, progress);
    }
    let pool_size = (IN_FLIGHT_BYTES / buf_capacity.max(1)).max(MIN_BUFFERS);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let (free_tx, free_rx) = bounded::<Buf>(pool_size);
    let (read_tx, read_rx) = unbounded::<Item>();
    let (work_tx, work_rx) = unbounded::<Item>();
    let (done_tx, done_rx) = unbounded::<Item>();
    let (out_tx, out_rx) = unbounded::<Buf>();

    std::thread::scope(|scope| {
        // Hash stage (input side) or a plain forwarder.
        let input = scope.spawn(move || hash_stage(read_rx, work_tx, hash_at == HashAt::Input));
        for _ in 0..workers {
            let (rx, tx) = (work_rx.clone(), done_tx.clone());
            scope.spawn(move || {
                for (index, item) in rx.iter() {
                    let item = item.and_then(|mut buf| transform(index, &mut buf).map(|()| buf));
                    if tx.send((index, item)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((work_rx, done_tx));
        let collector = scope.spawn(move || reorder(done_rx, out_tx, hash_at == HashAt::Output));
        let writer = scope.spawn(move || -> Result<(), StreamError> {
            for buf in out_rx.iter() {
                write(&buf)?;
                let _ = free_tx.try_send(buf);
            }
            Ok(())
        });

        read_all(
            count,
            buf_capacity,
            pool_size,
            &mut source,
            &free_rx,
            &read_tx,
            progress,
        );
        drop(read_tx);

        let hashed_input = input.join().unwrap_or(None);
        let ordered = collector
            .join()
            .unwrap_or(Err(StreamError::Header("pipeline thread failed".into())));
        let written = writer
            .join()
            .unwrap_or(Err(StreamError::Header("pipeline thread failed".into())));
        written?;
        let hashed_output = ordered?;
        hashed_output
            .or(hashed_input)
            .ok_or(StreamError::Header("pipeline stopped early".into()))
    })
}

/// [`run`] without threads, for objects of at most one chunk: the same steps in the same
/// order (read, hash the input, transform, hash the output, write), in one buffer of
/// `capacity` bytes, wiped when dropped and never reallocated.
fn run_inline<S, T, W>(
    count: u64,
    capacity: usize,
    mut source: S,
    hash_at: HashAt,
    transform: &T,
    mut write: W,
    progress: &Progress,
) -> Result<Digest, StreamError>
where
    S: Source,
    T: Fn(u64, &mut Vec<u8>) -> Result<(), StreamError> + Sync,
    W: FnMut(&[u8]) -> Result<(), StreamError> + Send,
{
    let mut sha = Sha256::new();
    let mut buf: Buf = Zeroizing::new(Vec::with_capacity(capacity));
    for index in 0..count {
        if progress.is_cancelled() {
            return Err(StreamError::Cancelled);
        }
        source.chunk(index, &mut buf)?;
        if hash_at == HashAt::Input {
            sha.update(buf.as_slice());
        }
        transform(index, &mut buf)?;
        if hash_at == HashAt::Output {
            sha.update(buf.as_slice());
        }
        write(&buf)?;
    }
    source.finish()?;
    Ok(sha.finalize().into())
}

/// The reader: takes buffers from the pool, fills them in order, sends them on. Stops at the
/// first error (sent down the stream) or when the downstream has gone.
fn read_all<S: Source>(
    count: u64,
    capacity: usize,
    pool_size: usize,
    source: &mut S,
    free: &Receiver<Buf>,
    out: &Sender<Item>,
    progress: &Progress,
) {
    let mut allocated = 0usize;
    for index in 0..count {
        if progress.is_cancelled() {
            let _ = out.send((index, Err(StreamError::Cancelled)));
            return;
        }
        let mut buf = match free.try_recv() {
            Ok(buf) => buf,
            Err(TryRecvError::Empty) if allocated < pool_size => {
                allocated += 1;
                Zeroizing::new(Vec::with_capacity(capacity))
            }
            Err(_) => match free.recv() {
                Ok(buf) => buf,
                Err(_) => return,
            },
        };
        // Not cleared: `Source::chunk` resizes, which zeroes only what grows (buffers are reused).
        let item = source.chunk(index, &mut buf).map(|()| buf);
        let failed = item.is_err();
        if out.send((index, item)).is_err() || failed {
            return;
        }
    }
    if let Err(e) = source.finish() {
        let _ = out.send((count, Err(e)));
    }
}

/// Forward items in order, hashing the good ones if asked. Returns the digest if it hashed
/// every chunk without meeting an error.
fn hash_stage(rx: Receiver<Item>, tx: Sender<Item>, hash: bool) -> Option<Digest> {
    let mut sha = Sha256::new();
    let mut clean = true;
    for (index, item) in rx.iter() {
        match &item {
            Ok(buf) if hash => sha.update(buf),
            Err(_) => clean = false,
            _ => {}
        }
        if tx.send((index, item)).is_err() {
            return None;
        }
    }
    (hash && clean).then(|| sha.finalize().into())
}

/// Put chunks back in order, hash them if asked, pass them to the writer; stop at the first
/// error in chunk order.
fn reorder(rx: Receiver<Item>, tx: Sender<Buf>, hash: bool) -> Result<Option<Digest>, StreamError> {
    let mut sha = Sha256::new();
    let mut next = 0u64;
    let mut waiting: BTreeMap<u64, Result<Buf, StreamError>> = BTreeMap::new();
    for (index, item) in rx.iter() {
        waiting.insert(index, item);
        while let Some(item) = waiting.remove(&next) {
            let buf = item?;
            if hash {
                sha.update(&buf);
            }
            if tx.send(buf).is_err() {
                return Ok(None);
            }
            next += 1;
        }
    }
    // An error past the last chunk (trailing bytes) or a chunk never delivered.
    if let Some((_, item)) = waiting.pop_first() {
        item?;
    }
    Ok(hash.then(|| sha.finalize().into()))
}
