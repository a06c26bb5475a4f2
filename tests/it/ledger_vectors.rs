//! The ledger's Merkle tree and signed notes against published vectors: RFC 6962 test data
//! from transparency-dev/merkle (testonly/, proof/verify_test.go), and the Go
//! golang.org/x/mod/sumdb/note package's and the C2SP signed-note spec's examples, plus a real
//! sum.golang.org checkpoint. Values copied verbatim from those sources (see docs/LEDGER.md).
#![allow(dead_code)]

use strongroom::crypto::Key32;
use strongroom::crypto::sign::SignKey;
use strongroom::ledger::checkpoint;
use strongroom::ledger::merkle::{self, Hash};
use strongroom::ledger::note::{self, Verifier};

use crate::support::unhex;

// SHA-256("") = MTH of the empty tree
const EMPTY_ROOT: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// HashLeaf(b"") = SHA-256(0x00)
const EMPTY_LEAF_HASH: &str = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
// HashLeaf(b"L123456")  (preimage 00 4c313233343536)
const LEAF_L123456: &str = "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56";
// HashChildren(b"N123", b"N456")  (preimage 01 4e313233 4e343536); children are NOT 32 bytes here
const NODE_N123_N456: &str = "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb";

const LEAF_INPUTS_HEX: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

const NODE_HASHES_L0: [&str; 8] = [
    // leaf hashes
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
];
const NODE_HASHES_L1: [&str; 4] = [
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
];
const NODE_HASHES_L2: [&str; 2] = [
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
];
const NODE_HASHES_L3: [&str; 1] = ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"];

const ROOT_HASHES: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // size 0 = EmptyRootHash() = SHA-256("")
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", // size 1
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", // size 2
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", // size 3
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", // size 4
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", // size 5
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", // size 6
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", // size 7
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", // size 8
];

// (leaf_index, tree_size, proof)
const INCLUSION_PROOFS: &[(u64, u64, &[&str])] = &[
    (0, 1, &[]),
    (
        0,
        2,
        &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"],
    ),
    (
        1,
        2,
        &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

// (size1, size2, proof)
const CONSISTENCY_PROOFS: &[(u64, u64, &[&str])] = &[
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_KEY_ID: u32 = 0xc74f20a3;
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"; // no published skey
const ENOCH_KEY_ID: u32 = 0xaf0cfe78;
const NOTE_TEXT: &str =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIGNED_NOTE_PETER: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const SIGNED_NOTE_PETER_ENOCH: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";
const PETER_SIG_B64: &str =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="; // base64(c74f20a3 || ed25519 sig)
const ENOCH_SIG_B64: &str =
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ="; // base64(af0cfe78 || ed25519 sig)
const PETER_SEED_HEX: &str = "810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173"; // skey base64 decodes to 01 || seed
const PETER_PK_HEX: &str = "1a5cd907143c384c41e830c5bce12aa8817ec5649aaabf2c31388b35b2d744d6"; // vkey base64 decodes to 01 || pk; the seed derives this pk
const ENOCH_PK_HEX: &str = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";
const PETER_SIG_HEX: &str = "f64992e052f541bf49f7dcbc8010c5506d885ba92cbafca40704959227348b8652060dd451580b6a5948d5e02afa9fa9d9e0a2da5165be8a13a472c81c099c03"; // 64-byte Ed25519 sig over NOTE_TEXT
const ENOCH_SIG_HEX: &str = "1ce665ad123b735b7d11b33c2a43724ca415749d797f8c36d08e5e6dbfe67dad88e1e9faf005d5a1ab439a2f4c6d35a0e4c6c2758ba31df759677546f31cf904";
const C2SP_FOO_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const C2SP_FOO_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
const SUMDB_VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
const SUMDB_CHECKPOINT: &str = "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n\u{2014} sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n";

fn hash(text: &str) -> Hash {
    unhex(text).try_into().unwrap()
}

fn leaves() -> Vec<Hash> {
    LEAF_INPUTS_HEX.iter().map(|l| merkle::leaf_hash(&unhex(l))).collect()
}

#[test]
fn hashes_match_rfc_6962_unit_vectors() {
    assert_eq!(merkle::empty_root(), hash(EMPTY_ROOT));
    assert_eq!(merkle::leaf_hash(b""), hash(EMPTY_LEAF_HASH));
    assert_eq!(merkle::leaf_hash(b"L123456"), hash(LEAF_L123456));
    for (leaf, expected) in leaves().iter().zip(NODE_HASHES_L0) {
        assert_eq!(*leaf, hash(expected));
    }
    let l = leaves();
    for (i, expected) in NODE_HASHES_L1.iter().enumerate() {
        assert_eq!(merkle::node_hash(&l[2 * i], &l[2 * i + 1]), hash(expected));
    }
}

#[test]
fn roots_match_for_every_size() {
    let l = leaves();
    for (size, expected) in ROOT_HASHES.iter().enumerate() {
        assert_eq!(merkle::root(&l[..size]), hash(expected), "size {size}");
    }
}

#[test]
fn inclusion_proofs_match_and_verify() {
    let l = leaves();
    for (index, size, proof) in INCLUSION_PROOFS {
        let expected: Vec<Hash> = proof.iter().map(|p| hash(p)).collect();
        let ours = merkle::inclusion_proof(&l[..*size as usize], *index as usize).unwrap();
        assert_eq!(ours, expected, "inclusion of {index} in {size}");
        merkle::verify_inclusion(
            *index,
            *size,
            &l[*index as usize],
            &expected,
            &hash(ROOT_HASHES[*size as usize]),
        )
        .unwrap();
    }
}

#[test]
fn consistency_proofs_match_and_verify() {
    let l = leaves();
    for (old, new, proof) in CONSISTENCY_PROOFS {
        let expected: Vec<Hash> = proof.iter().map(|p| hash(p)).collect();
        let ours = merkle::consistency_proof(&l[..*new as usize], *old as usize).unwrap();
        assert_eq!(ours, expected, "consistency {old} -> {new}");
        merkle::verify_consistency(
            *old,
            *new,
            &hash(ROOT_HASHES[*old as usize]),
            &hash(ROOT_HASHES[*new as usize]),
            &expected,
        )
        .unwrap();
    }
}

#[test]
fn the_go_note_packages_example_key_and_note() {
    let seed: [u8; 32] = unhex(PETER_SEED_HEX).try_into().unwrap();
    let key = SignKey::from_seed(&Key32::from_bytes(seed));
    let verifier = Verifier::new("PeterNeumann", key.public()).unwrap();
    // The key id and verifier key string we derive are the published ones.
    assert_eq!(u32::from_be_bytes(verifier.id), PETER_KEY_ID);
    assert_eq!(verifier.encode(), PETER_VKEY);
    assert_eq!(Verifier::parse(PETER_VKEY).unwrap(), verifier);
    // Signing the example text gives the published note byte for byte (Ed25519 is deterministic).
    assert_eq!(note::sign(NOTE_TEXT, "PeterNeumann", &key).unwrap(), SIGNED_NOTE_PETER);
    assert_eq!(note::open(SIGNED_NOTE_PETER, &verifier).unwrap(), NOTE_TEXT);
    // A note signed by two keys opens with either.
    let enoch = Verifier::parse(ENOCH_VKEY).unwrap();
    assert_eq!(note::open(SIGNED_NOTE_PETER_ENOCH, &enoch).unwrap(), NOTE_TEXT);
    assert_eq!(note::open(SIGNED_NOTE_PETER_ENOCH, &verifier).unwrap(), NOTE_TEXT);
    assert!(note::open(SIGNED_NOTE_PETER, &enoch).is_err());
}

#[test]
fn the_c2sp_example_note_and_a_real_checkpoint_verify() {
    let foo = Verifier::parse(C2SP_FOO_VKEY).unwrap();
    assert_eq!(
        note::open(C2SP_FOO_NOTE, &foo).unwrap(),
        "This is an example message.\n"
    );
    // Base64 of a verifier key may contain '+': parsing splits on the first two only.
    let sumdb = Verifier::parse(SUMDB_VKEY).unwrap();
    let text = note::open(SUMDB_CHECKPOINT, &sumdb).unwrap();
    let (origin, size, root) = checkpoint::parse_body(text).unwrap();
    assert_eq!(origin, "go.sum database tree");
    assert_eq!(size, 6476701);
    assert_eq!(checkpoint::body(&origin, size, &root), text);
}

/// docs/LEDGER.md §3.6: the key-change note of station 0123456789abcdef replacing the key of
/// seed 32 × 0x01 by the key of seed 32 × 0x02 at size 1024, root bytes 0x00 … 0x1f.
const KEY_CHANGE_NOTE: &str = "strongroom/key-change/v1\n\
strongroom/0123456789abcdef\n\
strongroom/0123456789abcdef+7116e14e+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c\n\
strongroom/0123456789abcdef+1675b1e9+AYE5dw6ofRdfVqNUZsNMfszLjYqRtO43ol32D1uPybOU\n\
1024\n\
AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\
\n\
\u{2014} strongroom/0123456789abcdef cRbhTviF68lTJEKBilyKQt4mjhheJAcygfktZeY3+6pafm8KpEvxTFfuYCPSi05anO/60aEiH/VQPBO9Ircl1tg2XAI=\n\
\u{2014} strongroom/0123456789abcdef FnWx6RcVin6rP0TalvKMRsBHkBVkGZGtGazY1RpSi+nekgZDiZAjjJCpRoAiOeEZK+TAP4/bbWnzpw1FIcC9UAJh4Q8=\n\
";

#[test]
fn the_key_change_vector_of_the_spec_is_reproduced_byte_for_byte() {
    use strongroom::ledger::key_change_note;
    let old = SignKey::from_seed(&Key32::from_bytes([1; 32]));
    let new = SignKey::from_seed(&Key32::from_bytes([2; 32]));
    let root: Hash = std::array::from_fn(|i| i as u8);
    let note = key_change_note::sign("0123456789abcdef", 0, &old, &new, 1024, &root).unwrap();
    assert_eq!(note, KEY_CHANGE_NOTE);
    let docs = include_str!("../../docs/LEDGER.md");
    assert!(
        docs.contains(KEY_CHANGE_NOTE),
        "the vector is not printed in docs/LEDGER.md"
    );
    let old_key = Verifier::new("strongroom/0123456789abcdef", old.public()).unwrap();
    let change = key_change_note::open(KEY_CHANGE_NOTE, &old_key).unwrap();
    assert_eq!(
        change.new,
        Verifier::new("strongroom/0123456789abcdef", new.public()).unwrap()
    );
    assert_eq!(
        (change.origin.as_str(), change.tree_size, change.root),
        ("strongroom/0123456789abcdef", 1024, root)
    );
}
