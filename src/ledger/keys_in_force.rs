//! Which station signing key was in force where. Key-change notes link the station's keys
//! into one chain k0 → k1 → …; key k_i signs the checkpoints from the change that brought
//! it in up to and including the one that replaced it, positions being compared as
//! (epoch, tree size). At a change both keys may sign, since the note itself carries both
//! signatures over that size and root.
//!
//! A chain is built from one trusted key — the signed directory's current key on the
//! station, the pinned key on an audit machine — by following notes in both directions:
//! back through each note whose new key is known (the new key vouches for the old one by
//! signing the note) and forward through each note whose old key is known. A second
//! successor of one key, a second predecessor, a note that does not connect to the trusted
//! key, a cycle and a change earlier in the log than the one before it are problems the
//! caller reports; they never widen what a key may sign.

use crate::encoding::hex;
use crate::ledger::key_change_note::KeyChange;
use crate::ledger::note::{self, Verifier};

/// A key change and where it came from (for messages: `key change 3`, a bundle file name).
#[derive(Clone, Debug)]
pub(crate) struct Link {
    /// What to call it in a message.
    pub label: String,
    /// The change its note states.
    pub change: KeyChange,
}

/// Something wrong with the set of key changes, at a change's place in the log.
#[derive(Clone, Debug)]
pub(crate) struct ChainProblem {
    /// Epoch of the change concerned.
    pub epoch: u64,
    /// Its tree size.
    pub tree_size: u64,
    /// In words.
    pub detail: String,
}

/// The station's signing keys in the order they were in force.
#[derive(Clone, Debug)]
pub(crate) struct KeyChain {
    /// `keys[0]` is the first key; `changes[i]` replaced `keys[i]` by `keys[i + 1]`.
    keys: Vec<Verifier>,
    changes: Vec<Link>,
}

/// Short form of a key for messages: its id in hex.
pub(crate) fn key_id(key: &Verifier) -> String {
    hex::encode(&key.id)
}

impl KeyChain {
    /// The newest key.
    pub fn latest(&self) -> &Verifier {
        // A chain always holds its trusted key.
        &self.keys[self.keys.len() - 1]
    }

    /// The position of `key` in the chain (0 for the first key).
    pub fn position(&self, key: &Verifier) -> Option<usize> {
        self.keys.iter().position(|k| k == key)
    }

    /// The changes, oldest first.
    pub fn changes(&self) -> &[Link] {
        &self.changes
    }

    /// Open a checkpoint note with whichever key of the chain signed it: the key's position
    /// and the note's text.
    pub fn open<'n>(&self, note_text: &'n str) -> Option<(usize, &'n str)> {
        self.keys
            .iter()
            .enumerate()
            .find_map(|(index, key)| note::open(note_text, key).ok().map(|text| (index, text)))
    }

    /// Whether key `index` was in force at `size` of `epoch`'s log.
    pub fn in_force(&self, index: usize, epoch: u64, size: u64) -> bool {
        let at = (epoch, size);
        let from = index
            .checked_sub(1)
            .and_then(|i| self.changes.get(i))
            .map_or((0, 0), |l| (l.change.epoch, l.change.tree_size));
        let until = self
            .changes
            .get(index)
            .map_or((u64::MAX, u64::MAX), |l| (l.change.epoch, l.change.tree_size));
        from <= at && at <= until
    }

    /// Why key `index` may not sign at `size` of `epoch`'s log (see [`KeyChain::in_force`]).
    pub fn out_of_force(&self, index: usize, epoch: u64, size: u64) -> String {
        let key = self.keys.get(index).map(key_id).unwrap_or_default();
        match self.changes.get(index) {
            Some(l) if (epoch, size) > (l.change.epoch, l.change.tree_size) => format!(
                "signed by key {key}, which was replaced at size {} of {} ({}): a retired key signed past its key change",
                l.change.tree_size, l.change.origin, l.label
            ),
            _ => match index.checked_sub(1).and_then(|i| self.changes.get(i)) {
                Some(l) => format!(
                    "signed by key {key}, which took over only at size {} of {} ({})",
                    l.change.tree_size, l.change.origin, l.label
                ),
                None => format!("signed by key {key}, which was not in force there"),
            },
        }
    }
}

/// Build the chain through `trusted` from `candidates`, earlier candidates winning over
/// later ones that contradict them (so a pin's accepted changes win over a bundle's notes,
/// and the first stored note over a later one). Each candidate must already be known to
/// be signed by both keys it names.
pub(crate) fn build(trusted: &Verifier, candidates: Vec<Link>) -> (KeyChain, Vec<ChainProblem>) {
    let mut problems = Vec::new();
    let problem = |link: &Link, detail: String| ChainProblem {
        epoch: link.change.epoch,
        tree_size: link.change.tree_size,
        detail,
    };
    let mut links: Vec<Link> = Vec::new();
    for link in candidates {
        // The same change stated twice (a pin and a bundle both know it) is one link.
        if links.iter().any(|l| l.change == link.change) {
            continue;
        }
        let (old, new) = (&link.change.old, &link.change.new);
        if let Some(first) = links.iter().find(|l| l.change.old == *old) {
            let detail = if first.change.new == *new {
                format!(
                    "{} and {} both replace key {} by key {}, at different places in the log (size {} of {}, size {} of {})",
                    first.label,
                    link.label,
                    key_id(old),
                    key_id(new),
                    first.change.tree_size,
                    first.change.origin,
                    link.change.tree_size,
                    link.change.origin
                )
            } else {
                format!(
                    "key {} has two successors: {} names key {}, {} names key {}; only someone holding the old key could sign a second one",
                    key_id(old),
                    first.label,
                    key_id(&first.change.new),
                    link.label,
                    key_id(new)
                )
            };
            problems.push(problem(&link, detail));
            continue;
        }
        if let Some(first) = links.iter().find(|l| l.change.new == *new) {
            problems.push(problem(
                &link,
                format!(
                    "key {} has two predecessors: {} names key {}, {} names key {}",
                    key_id(new),
                    first.label,
                    key_id(&first.change.old),
                    link.label,
                    key_id(old)
                ),
            ));
            continue;
        }
        links.push(link);
    }

    let mut used = vec![false; links.len()];
    let mut keys = vec![trusted.clone()];
    let mut back = Vec::new();
    let mut forward = Vec::new();
    for direction_back in [true, false] {
        let mut key = trusted.clone();
        loop {
            let next = (0..links.len()).find(|&i| {
                !used[i]
                    && if direction_back {
                        links[i].change.new == key
                    } else {
                        links[i].change.old == key
                    }
            });
            let Some(i) = next else { break };
            used[i] = true;
            let link = &links[i];
            let reached = if direction_back {
                &link.change.old
            } else {
                &link.change.new
            };
            if keys.contains(reached) {
                problems.push(problem(
                    link,
                    format!(
                        "{} leads back to key {}, which the chain already holds: the key changes form a cycle",
                        link.label,
                        key_id(reached)
                    ),
                ));
                break;
            }
            keys.push(reached.clone());
            key = reached.clone();
            if direction_back {
                back.push(i);
            } else {
                forward.push(i);
            }
        }
    }
    for (link, _) in links.iter().zip(&used).filter(|(_, used)| !**used) {
        problems.push(problem(
            link,
            format!(
                "{} replaces key {} by key {}, neither of which leads to the trusted key {}",
                link.label,
                key_id(&link.change.old),
                key_id(&link.change.new),
                key_id(trusted)
            ),
        ));
    }

    let order: Vec<usize> = back.iter().rev().chain(forward.iter()).copied().collect();
    let mut chain_keys = Vec::with_capacity(order.len() + 1);
    let changes: Vec<Link> = order.iter().map(|&i| links[i].clone()).collect();
    match changes.first() {
        Some(first) => chain_keys.push(first.change.old.clone()),
        None => chain_keys.push(trusted.clone()),
    }
    chain_keys.extend(changes.iter().map(|l| l.change.new.clone()));
    for pair in changes.windows(2) {
        let (before, after) = (&pair[0].change, &pair[1].change);
        if (after.epoch, after.tree_size) < (before.epoch, before.tree_size) {
            problems.push(problem(
                &pair[1],
                format!(
                    "{} is at size {} of {}, earlier in the log than the key change before it ({}, size {} of {})",
                    pair[1].label, after.tree_size, after.origin, pair[0].label, before.tree_size, before.origin
                ),
            ));
        }
    }
    (
        KeyChain {
            keys: chain_keys,
            changes,
        },
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key32;
    use crate::crypto::sign::SignKey;
    use crate::ledger::key_change_note;

    const STATION: &str = "0123456789abcdef";

    fn key(seed: u8) -> SignKey {
        SignKey::from_seed(&Key32::from_bytes([seed; 32]))
    }

    fn verifier(seed: u8) -> Verifier {
        Verifier::new("strongroom/0123456789abcdef", key(seed).public()).unwrap()
    }

    fn link(old: u8, new: u8, epoch: u64, size: u64) -> Link {
        let note = key_change_note::sign(STATION, epoch, &key(old), &key(new), size, &[size as u8; 32]).unwrap();
        Link {
            label: format!("{old}->{new}"),
            change: key_change_note::parse(&note).unwrap(),
        }
    }

    #[test]
    fn a_chain_is_followed_both_ways_from_the_trusted_key() {
        let links = vec![link(2, 3, 0, 20), link(1, 2, 0, 10), link(3, 4, 1, 5)];
        let (chain, problems) = build(&verifier(2), links);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(chain.latest(), &verifier(4));
        assert_eq!(chain.position(&verifier(1)), Some(0));
        assert_eq!(chain.position(&verifier(4)), Some(3));
        // Key 1 until size 10, key 2 from 10 to 20, key 3 up to size 5 of epoch 1.
        assert!(chain.in_force(0, 0, 10) && !chain.in_force(0, 0, 11));
        assert!(chain.in_force(1, 0, 10) && chain.in_force(1, 0, 20) && !chain.in_force(1, 0, 9));
        assert!(chain.in_force(2, 1, 5) && !chain.in_force(2, 1, 6));
        assert!(chain.in_force(3, 1, 6) && !chain.in_force(3, 0, 30));
        assert!(chain.out_of_force(0, 0, 11).contains("retired key"));
        assert!(chain.out_of_force(3, 0, 30).contains("took over only"));
    }

    #[test]
    fn no_change_means_one_key_in_force_everywhere() {
        let (chain, problems) = build(&verifier(1), Vec::new());
        assert!(problems.is_empty());
        assert!(chain.in_force(0, 0, 0) && chain.in_force(0, 7, u64::MAX));
        assert!(chain.changes().is_empty());
    }

    #[test]
    fn contradictions_are_problems_and_the_first_statement_wins() {
        let (chain, problems) = build(&verifier(1), vec![link(1, 2, 0, 10), link(1, 9, 0, 12)]);
        assert_eq!(chain.latest(), &verifier(2));
        assert!(problems[0].detail.contains("two successors"), "{problems:?}");

        let (_, problems) = build(&verifier(2), vec![link(1, 2, 0, 10), link(3, 2, 0, 12)]);
        assert!(problems[0].detail.contains("two predecessors"), "{problems:?}");

        let (_, problems) = build(&verifier(1), vec![link(1, 2, 0, 10), link(1, 2, 0, 11)]);
        assert!(problems[0].detail.contains("different places"), "{problems:?}");

        let (_, problems) = build(&verifier(1), vec![link(5, 6, 0, 10)]);
        assert!(problems[0].detail.contains("neither of which leads"), "{problems:?}");

        let (_, problems) = build(&verifier(1), vec![link(1, 2, 0, 10), link(2, 3, 0, 4)]);
        assert!(problems[0].detail.contains("earlier in the log"), "{problems:?}");

        let (chain, problems) = build(&verifier(1), vec![link(1, 2, 0, 10), link(2, 1, 0, 12)]);
        assert!(problems[0].detail.contains("cycle"), "{problems:?}");
        assert_eq!(chain.changes().len(), 1);

        // The same change twice is one change.
        let (chain, problems) = build(&verifier(1), vec![link(1, 2, 0, 10), link(1, 2, 0, 10)]);
        assert!(problems.is_empty());
        assert_eq!(chain.changes().len(), 1);
    }
}
