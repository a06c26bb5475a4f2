//! The Merkle tree of the custody log, exactly as RFC 6962 / RFC 9162 §2.1 define it:
//! leaf = SHA-256(0x00 ‖ event bytes), node = SHA-256(0x01 ‖ left ‖ right), the root of n
//! leaves split at the largest power of two below n. Inclusion and consistency proofs and
//! their verification follow the RFC's algorithms, so any RFC 6962 verifier can check them.

use sha2::{Digest, Sha256};

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// Why a proof does not verify.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The index or sizes are out of range for the tree.
    #[error("proof parameters out of range: {0}")]
    Range(&'static str),
    /// The proof has the wrong number of hashes.
    #[error("proof has {found} hashes, {expected} expected")]
    Length {
        /// Hashes given.
        found: usize,
        /// Hashes the sizes require.
        expected: usize,
    },
    /// The recomputed root differs.
    #[error("the recomputed root does not match")]
    Mismatch,
}

/// Hash of a leaf's data.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// Hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Builds roots over a growing log in O(log n) memory: push leaves in order, ask for the
/// root at any size.
#[derive(Clone, Debug, Default)]
pub struct TreeBuilder {
    /// Roots of the perfect subtrees covering the leaves so far, largest first, with heights.
    stack: Vec<(u32, Hash)>,
    size: u64,
}

impl TreeBuilder {
    /// An empty tree.
    pub fn new() -> TreeBuilder {
        TreeBuilder::default()
    }

    /// Leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Append a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut height = 0;
        let mut hash = leaf;
        while let Some(&(top_height, top)) = self.stack.last() {
            if top_height != height {
                break;
            }
            self.stack.pop();
            hash = node_hash(&top, &hash);
            height += 1;
        }
        self.stack.push((height, hash));
        self.size += 1;
    }

    /// The frontier to store: for each perfect subtree, largest first, its height (1 byte)
    /// and root (32 bytes).
    pub fn frontier(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.stack.len() * 33);
        for (height, hash) in &self.stack {
            out.push(*height as u8);
            out.extend_from_slice(hash);
        }
        out
    }

    /// Rebuild from a stored frontier of a tree of `size` leaves; `None` if they disagree.
    pub fn from_frontier(size: u64, frontier: &[u8]) -> Option<TreeBuilder> {
        if !frontier.len().is_multiple_of(33) {
            return None;
        }
        let stack: Vec<(u32, Hash)> = frontier
            .chunks_exact(33)
            .map(|c| (u32::from(c[0]), c[1..].try_into().unwrap_or([0; 32])))
            .collect();
        // The heights must be exactly the set bits of `size`, largest first.
        let expected: Vec<u32> = (0..64u32).rev().filter(|bit| size >> bit & 1 == 1).collect();
        if stack.iter().map(|(h, _)| *h).collect::<Vec<_>>() != expected {
            return None;
        }
        Some(TreeBuilder { stack, size })
    }

    /// The root of the leaves pushed so far.
    pub fn root(&self) -> Hash {
        let mut entries = self.stack.iter().rev();
        let Some(&(_, mut root)) = entries.next() else {
            return empty_root();
        };
        for (_, left) in entries {
            root = node_hash(left, &root);
        }
        root
    }
}

/// Root of `leaves` (MTH of RFC 6962).
pub fn root(leaves: &[Hash]) -> Hash {
    let mut builder = TreeBuilder::new();
    for leaf in leaves {
        builder.push(*leaf);
    }
    builder.root()
}

/// Largest power of two strictly below `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// A whole tree kept in memory (every level: about 2n hashes), so that roots of any prefix
/// and proofs between any sizes cost O(log n) each. Used to write audit bundles.
#[derive(Clone, Debug)]
pub struct Tree {
    /// `levels[h][i]` is the root of the perfect subtree of leaves `i·2^h .. (i+1)·2^h`.
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// Build from leaf hashes.
    pub fn new(leaves: Vec<Hash>) -> Tree {
        let mut levels = vec![leaves];
        while let Some(last) = levels.last()
            && last.len() > 1
        {
            let next: Vec<Hash> = last.chunks_exact(2).map(|pair| node_hash(&pair[0], &pair[1])).collect();
            levels.push(next);
        }
        Tree { levels }
    }

    /// Number of leaves.
    pub fn size(&self) -> usize {
        self.levels.first().map_or(0, Vec::len)
    }

    /// Leaf hash at `index`.
    pub fn leaf(&self, index: usize) -> Option<Hash> {
        self.levels.first().and_then(|l| l.get(index)).copied()
    }

    /// Root of the first `size` leaves.
    pub fn root_at(&self, size: usize) -> Hash {
        if size == 0 {
            empty_root()
        } else {
            self.range_root(0, size)
        }
    }

    /// Root of leaves `start .. end` as RFC 6962 splits them (start aligned to the split).
    fn range_root(&self, start: usize, end: usize) -> Hash {
        let n = end - start;
        if n.is_power_of_two() {
            let height = n.trailing_zeros() as usize;
            if let Some(hash) = self.levels.get(height).and_then(|level| level.get(start >> height)) {
                return *hash;
            }
        }
        if n == 1 {
            return self.levels[0][start];
        }
        let k = split(n);
        node_hash(&self.range_root(start, start + k), &self.range_root(start + k, end))
    }

    /// Inclusion proof of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: usize, size: usize) -> Result<Vec<Hash>, ProofError> {
        if index >= size || size > self.size() {
            return Err(ProofError::Range("leaf index beyond the tree"));
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Ok(proof)
    }

    fn path(&self, index: usize, start: usize, end: usize, proof: &mut Vec<Hash>) {
        if end - start <= 1 {
            return;
        }
        let k = split(end - start);
        if index < start + k {
            self.path(index, start, start + k, proof);
            proof.push(self.range_root(start + k, end));
        } else {
            self.path(index, start + k, end, proof);
            proof.push(self.range_root(start, start + k));
        }
    }

    /// Consistency proof from the first `old_size` leaves to the first `new_size`.
    pub fn consistency_proof(&self, old_size: usize, new_size: usize) -> Result<Vec<Hash>, ProofError> {
        if old_size == 0 || old_size > new_size || new_size > self.size() {
            return Err(ProofError::Range("old size must be 1 ..= new size"));
        }
        let mut proof = Vec::new();
        self.subproof(old_size, 0, new_size, true, &mut proof);
        Ok(proof)
    }

    fn subproof(&self, m: usize, start: usize, end: usize, complete: bool, proof: &mut Vec<Hash>) {
        let n = end - start;
        if m == n {
            if !complete {
                proof.push(self.range_root(start, end));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, start + k, complete, proof);
            proof.push(self.range_root(start + k, end));
        } else {
            self.subproof(m - k, start + k, end, false, proof);
            proof.push(self.range_root(start, start + k));
        }
    }
}

/// Inclusion proof of leaf `index` in the tree of `leaves` (PATH of RFC 6962).
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Result<Vec<Hash>, ProofError> {
    Tree::new(leaves.to_vec()).inclusion_proof(index, leaves.len())
}

/// Consistency proof between the first `old_size` leaves and all of `leaves` (PROOF of
/// RFC 6962).
pub fn consistency_proof(leaves: &[Hash], old_size: usize) -> Result<Vec<Hash>, ProofError> {
    Tree::new(leaves.to_vec()).consistency_proof(old_size, leaves.len())
}

/// Verify an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::Range("leaf index beyond the tree"));
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::Length {
                found: proof.len(),
                expected: proof.len() - 1,
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::Length {
            found: proof.len(),
            expected: proof.len() + 1,
        });
    }
    if r == *root { Ok(()) } else { Err(ProofError::Mismatch) }
}

/// Verify a consistency proof between two tree heads (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::Range("the old tree is larger than the new one"));
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::Length {
                found: proof.len(),
                expected: 0,
            });
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::Mismatch)
        };
    }
    if old_size == 0 {
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(ProofError::Length {
                found: proof.len(),
                expected: 0,
            })
        };
    }
    let mut hashes: Vec<Hash> = proof.to_vec();
    if old_size.is_power_of_two() {
        hashes.insert(0, *old_root);
    }
    let Some((first, rest)) = hashes.split_first() else {
        return Err(ProofError::Length { found: 0, expected: 1 });
    };
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::Length {
                found: proof.len(),
                expected: proof.len() - 1,
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::Length {
            found: proof.len(),
            expected: proof.len() + 1,
        });
    }
    if fr == *old_root && sr == *new_root {
        Ok(())
    } else {
        Err(ProofError::Mismatch)
    }
}

#[cfg(test)]
mod tests;
