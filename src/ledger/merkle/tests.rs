//! The tree against its RFC 6962 definition, exhaustively for small trees.
//! Test-only: the parent module declares it under #[cfg(test)].

use super::*;

/// MTH exactly as RFC 6962 §2.1 writes it, recursively, as the reference.
fn reference_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
        }
    }
}

fn leaves(n: usize) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(format!("event {i}").as_bytes())).collect()
}

#[test]
fn builder_roots_match_the_recursive_definition() {
    let all = leaves(70);
    let mut builder = TreeBuilder::new();
    assert_eq!(builder.root(), empty_root());
    for n in 1..=all.len() {
        builder.push(all[n - 1]);
        assert_eq!(builder.root(), reference_root(&all[..n]), "size {n}");
        assert_eq!(builder.size(), n as u64);
    }
}

#[test]
fn every_inclusion_proof_verifies_and_any_change_fails() {
    let all = leaves(33);
    for n in 1..=all.len() {
        let tree = &all[..n];
        let head = root(tree);
        for i in 0..n {
            let proof = inclusion_proof(tree, i).unwrap();
            verify_inclusion(i as u64, n as u64, &tree[i], &proof, &head).unwrap();
            // Another leaf, another index, another size or a changed hash: refused.
            let other = leaf_hash(b"forged");
            assert!(verify_inclusion(i as u64, n as u64, &other, &proof, &head).is_err());
            if n > 1 {
                assert!(verify_inclusion(((i + 1) % n) as u64, n as u64, &tree[i], &proof, &head).is_err());
                let mut bad = proof.clone();
                bad[0][0] ^= 1;
                assert!(verify_inclusion(i as u64, n as u64, &tree[i], &bad, &head).is_err());
                assert!(verify_inclusion(i as u64, n as u64, &tree[i], &proof[1..], &head).is_err());
            }
        }
    }
    assert!(inclusion_proof(&all[..3], 3).is_err());
}

#[test]
fn every_consistency_proof_verifies_and_any_change_fails() {
    let all = leaves(33);
    for n in 1..=all.len() {
        let new_root = root(&all[..n]);
        for m in 1..=n {
            let old_root = root(&all[..m]);
            let proof = consistency_proof(&all[..n], m).unwrap();
            verify_consistency(m as u64, n as u64, &old_root, &new_root, &proof).unwrap();
            if m < n {
                let mut bad = proof.clone();
                bad[0][5] ^= 1;
                assert!(verify_consistency(m as u64, n as u64, &old_root, &new_root, &bad).is_err());
                let forked = root(&[&all[..m - 1], &[leaf_hash(b"rewritten history")][..]].concat());
                assert!(verify_consistency(m as u64, n as u64, &forked, &new_root, &proof).is_err());
            }
        }
    }
    assert!(verify_consistency(0, 5, &empty_root(), &root(&all[..5]), &[]).is_ok());
    assert!(verify_consistency(6, 5, &root(&all[..6]), &root(&all[..5]), &[]).is_err());
}

#[test]
fn a_stored_frontier_continues_the_same_tree() {
    let all = leaves(45);
    let mut builder = TreeBuilder::new();
    for leaf in &all[..29] {
        builder.push(*leaf);
    }
    let mut resumed = TreeBuilder::from_frontier(29, &builder.frontier()).unwrap();
    for leaf in &all[29..] {
        resumed.push(*leaf);
    }
    assert_eq!(resumed.root(), reference_root(&all));
    assert!(TreeBuilder::from_frontier(30, &builder.frontier()).is_none());
    assert!(TreeBuilder::from_frontier(29, &builder.frontier()[1..]).is_none());
    assert_eq!(TreeBuilder::from_frontier(0, &[]).unwrap().root(), empty_root());
}

#[test]
fn a_whole_tree_gives_every_prefix_root() {
    let all = leaves(37);
    let tree = Tree::new(all.clone());
    for n in 0..=all.len() {
        assert_eq!(tree.root_at(n), reference_root(&all[..n]), "size {n}");
    }
    assert_eq!(tree.leaf(36), Some(all[36]));
    assert!(tree.consistency_proof(5, 38).is_err());
}
