//! Test vectors of every stored format, checked against docs/FORMAT.md.
//!
//! Each test builds a value from fixed inputs with the crate's public API, compares the
//! exact bytes with the vector printed in docs/FORMAT.md (the same string must appear there),
//! and opens it again. The container and the wraps are also opened "by hand" with only
//! `aes-gcm`, `x25519-dalek`, `hkdf`, `argon2` and `ed25519-dalek` and the rules of FORMAT.md,
//! to show that the document alone is enough to read the data.

use std::io::Cursor;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use hkdf::Hkdf;
use serde_json::json;
use sha2::{Digest, Sha256};
use strongroom::accounts::directory::{self, Directory, DirectoryUser, LevelEntry, RecoveryEntry, Role, UserStatus};
use strongroom::accounts::keyring::{self, GrantRow, KeyKind};
use strongroom::crypto::kdf::{self, KdfParams};
use strongroom::crypto::keyslot::{self, Keyslot, SlotContents};
use strongroom::crypto::seal::{self, SecretKey};
use strongroom::crypto::sign::{self, SignKey};
use strongroom::crypto::stream::{self, DecryptKey, EncryptKey, Header, KeySource};
use strongroom::crypto::wrap::{self, Purpose};
use strongroom::crypto::{Key32, Password, commitment, recovery_code};
use strongroom::encoding::canonical;
use strongroom::ledger::events::{self, Action, NewEvent};
use strongroom::progress::Progress;
use strongroom::{ControlNumber, IdentityId, ItemId, Level, UserId, db};

use crate::support::{hex, unhex};

/// The specification the vectors are printed in.
const FORMAT_MD: &str = include_str!("../../docs/FORMAT.md");

// ---------------------------------------------------------------------------------------
// Fixed inputs (FORMAT.md §11.1).

/// Item uuid 00112233-4455-4677-8899-aabbccddeeff.
const ITEM: [u8; 16] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x46, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
];
/// Uuid of the sealed (quarantined) object 5ea1ed00-0000-4000-8000-000000000001.
const SEALED_ITEM: [u8; 16] = [
    0x5e, 0xa1, 0xed, 0x00, 0x00, 0x00, 0x40, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
];
/// The officer's identity uuid f0e1d2c3-b4a5-4687-9869-5a4b3c2d1e0f.
const IDENTITY: [u8; 16] = [
    0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x46, 0x87, 0x98, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
];
/// Level key of `secret`, generation 1.
const LK: [u8; 32] = [0x22; 32];
/// Sealing private key of `secret`, generation 1.
const SEALING_SECRET: [u8; 32] = [0x33; 32];
/// The officer's identity private key.
const IDENTITY_SECRET: [u8; 32] = [0x66; 32];
/// Admin key seed (Ed25519).
const ADMIN_SEED: [u8; 32] = [0x77; 32];
/// Station signing key seed (Ed25519).
const SIGNING_SEED: [u8; 32] = [0x99; 32];
/// Recovery identity private key.
const RECOVERY_SECRET: [u8; 32] = [0xaa; 32];
const LEVEL: Level = Level::Secret;
const GENERATION: u32 = 1;
const CHUNK: u32 = 65536;

/// 12 bytes `b, b+1, …, b+11`: the wrap nonces of the vectors.
fn nonce_from(b: u8) -> [u8; 12] {
    std::array::from_fn(|i| b + i as u8)
}

/// `actual` must equal the vector, and the vector must be printed in FORMAT.md.
fn expect(name: &str, actual: &str, vector: &str) {
    assert!(!vector.is_empty(), "{name}: empty vector");
    assert_eq!(
        actual, vector,
        "{name}: the code no longer produces the vector of docs/FORMAT.md"
    );
    assert!(
        FORMAT_MD.contains(vector),
        "{name}: the vector is not printed in docs/FORMAT.md"
    );
}

// ---------------------------------------------------------------------------------------
// Vectors, exactly as printed in FORMAT.md §11.

const V_CONTAINER0_HELLO: &str = "53524f424a0000010000112233445546778899aabbccddeeff00010000a0a1a2a3a4a5a6000000000000000c0dae4064a671062c28324a24ed1c73f20fe3d7bc09f8dcad61a3b663";
const V_CONTAINER0_EMPTY: &str = "53524f424a0000010000112233445546778899aabbccddeeff00010000b0b1b2b3b4b5b60000000000000000b411ded7c7a4f053a925a0ec93cf001e";
const V_CONTAINER0_TWO_CHUNKS_SHA256: &str = "c540836af4c0c542119e68c6a5a6fbb61b4fc61a3dceb068d7168866fa3818ff";
const V_SEAL_RECIPIENT_PK: &str = "7b0d47d93427f8311160781c7c733fd89f88970aef490d8aa0ee19a4cb8a1b14";
const V_SEAL_EPHEMERAL_PK: &str = "ff2ee45601ec1b67310c7790404585ae697331eee1c1f8cf2419731c1fff3e6b";
const V_SEAL_KEY: &str = "9f850b2868c6829b7df045fc7989168a1be4db84444843bdbde4866cd3044731";
const V_CONTAINER1: &str = "53524f424a0000010103000000017b0d47d93427f8311160781c7c733fd89f88970aef490d8aa0ee19a4cb8a1b14ff2ee45601ec1b67310c7790404585ae697331eee1c1f8cf2419731c1fff3e6b5ea1ed0000004000800000000000000100010000c0c1c2c3c4c5c6000000000000000b524a5c55d9762468c06a78f7d5c6b004dc2e7c69b5eecf03397155";
const V_AAD_DEK: &str =
    "7374726f6e67726f6f6d2f76312f64656b0000112233445546778899aabbccddeeff03000007ea0000000100000001";
const V_WRAP_DEK: &str = "000102030405060708090a0b57d1860eaa3c99d529270498554db26b6558d04650b07592fe3364a3870eacd144fab013c46b7cea8c864636aa358f07";
const V_AAD_TITLE: &str =
    "7374726f6e67726f6f6d2f76312f6d6574612f7469746c650000112233445546778899aabbccddeeff03000007ea0000000100000001";
const V_WRAP_TITLE: &str =
    "101112131415161718191a1b3c111ca8e2427ad0627fde317170f88b778781bac6c8b75b5f2062fa9c98eca5f93c02";
const V_AAD_NAME: &str =
    "7374726f6e67726f6f6d2f76312f6d6574612f6e616d650000112233445546778899aabbccddeeff03000007ea0000000100000001";
const V_WRAP_NAME: &str = "202122232425262728292a2bac5bd6ce202c7b6de10c47f63073d0624a42b716bf7616aa312610";
const V_AAD_NOTES: &str =
    "7374726f6e67726f6f6d2f76312f6d6574612f6e6f7465730000112233445546778899aabbccddeeff03000007ea0000000100000001";
const V_WRAP_NOTES: &str =
    "303132333435363738393a3b19eb1910457405b53e4c5607a399af7ec38471884036e4e480535d643d4bd5cd2707";
const V_AAD_SEALING: &str = "7374726f6e67726f6f6d2f76312f7365616c696e672d6b657900030000000100000001";
const V_WRAP_SEALING: &str = "404142434445464748494a4bd79f32c727cd97472ab8db2d69c6987dba44e6825e0e59a41babef9afdfe7bb688400f9fc0eb0a8edeebaa12df5c2ca8";
const V_ADMIN_PK: &str = "c853ad0f0cd2b619aea92ceec4fd56a24d6499d584ce79257e45cfd8139b60a7";
const V_KEYSLOT_KEK: &str = "853b272a44db1421c02962669a55eb0994f3cab385ed1c4c79253eee19bab49e";
const V_KEYSLOT_PAYLOAD: &str = "6666666666666666666666666666666666666666666666666666666666666666c853ad0f0cd2b619aea92ceec4fd56a24d6499d584ce79257e45cfd8139b60a70000000000000001";
const V_AAD_KEYSLOT: &str = "7374726f6e67726f6f6d2f76312f6b6579736c6f7400f0e1d2c3b4a5468798695a4b3c2d1e0f00000001";
const V_KEYSLOT_BLOB: &str = "505152535455565758595a5be30e65c3581622ce9a1e65781adb513642394a169f9dee364ad8132e9fe197867ed057d012c9366e90fc5a0933b930c5470b5503ebd5c8dc7ec32ebc036cf2668f64cd44fcd22bfab8d158e0b69607cad456efe18bac19e4";
const V_IDENTITY_PK: &str = "219e4d800da968d2a5fcb009c784f4746c7138edb9ee4844b739e830b05cf424";
const V_AAD_GRANT: &str = "7374726f6e67726f6f6d2f76312f6772616e7400f0e1d2c3b4a5468798695a4b3c2d1e0f000300000001";
const V_GRANT_KEY: &str = "70b1a5c15c9adf1559abfa7f60b8a69c6a20ec5df559af25da4ade89ddc690d4";
const V_GRANT: &str = "30d3c865a48fceb3d6118577cf2e5f228d6ff69866264757785b253cb7a4806a606162636465666768696a6ba69490571f85f6a11d0113d893c26b62ba7a3979428e786cb9d0a4c24a1b26f3593a5fa7ba228af7ab26995a056f0753";
const V_COMMITMENT: &str = "b5c87ec88db2a95647953b15301a6338380c397ab8ff36a33bb776f3fc7d2b09";
const V_RECOVERY_CODE: &str = "000G-40R4-0M30-E209-185G-R38E-1W81-24GK";
const V_RECOVERY_NORMALIZED: &str = "000G40R40M30E209185GR38E1W8124GK";
const V_RECOVERY_KEK: &str = "7752b246399ba019587b603e1d100ea843a382ba38106470de5723ad099265cd";
const V_DIRECTORY_BODY: &str = "{\"admin_key\":\"c853ad0f0cd2b619aea92ceec4fd56a24d6499d584ce79257e45cfd8139b60a7\",\"format\":\"strongroom/v1/directory\",\"issued_at\":\"2026-11-23T15:04:05.250Z\",\"levels\":[{\"commitment\":\"b5c87ec88db2a95647953b15301a6338380c397ab8ff36a33bb776f3fc7d2b09\",\"generation\":1,\"level\":\"secret\",\"sealing_public_key\":\"7b0d47d93427f8311160781c7c733fd89f88970aef490d8aa0ee19a4cb8a1b14\"}],\"recovery\":{\"identity\":\"0f1e2d3c-4b5a-4968-a7b6-c5d4e3f20110\",\"public_key\":\"14ca9e4d387bccf35746e0407daaacc6b28a4f8445ef5a5158894db983e24070\"},\"signing_key\":\"332ebe8d27cb7323b3a401c1c13b5dd64bccc0e10ecda1c2b5d11a03779a85e5\",\"station\":\"0123456789abcdef\",\"users\":[{\"clearance\":\"top-secret\",\"id\":\"12345678-9abc-4def-8123-456789abcdef\",\"identity\":\"f0e1d2c3-b4a5-4687-9869-5a4b3c2d1e0f\",\"name\":\"officer\",\"public_key\":\"219e4d800da968d2a5fcb009c784f4746c7138edb9ee4844b739e830b05cf424\",\"role\":\"officer\",\"status\":\"active\"}],\"version\":1}";
const V_DIRECTORY_SIGNATURE: &str = "786b0d95a19818608314079827cf1f5744b4a6fd3531b3f06a4a83b03f8e4f709e014239e994ea43a31cf4fafcf6a8dde2b23852188a61e890db164fd7fa4608";
const V_EVENT: &str = "7b22616374696f6e223a226974656d2e696d706f7274222c226163746f72223a226f666669636572222c2264657461696c73223a7b2263617465676f7279223a22646f63756d656e74222c22636f6e74726f6c5f6e756d626572223a2253522d323032362d303030303031222c22637573746f6469616e223a22e5bca0e4bc9f222c226974656d223a2230303131323233332d343435352d343637372d383839392d616162626363646465656666222c22736861323536223a2231373762323866363333363734616561323837656530316532336233616431333930366536323833353537383537333831383738393466356263326332663164222c2273697a65223a31327d2c226c6576656c223a22736563726574222c22736571223a302c227375626a656374223a2253522d323032362d303030303031222c2274696d65223a22323032362d31312d32335431353a30343a30352e3235305a227d";

// ---------------------------------------------------------------------------------------
// The container, read by hand from FORMAT.md §3 with only aes-gcm (and x25519/hkdf for §4).

/// A header parsed by hand.
struct HandHeader {
    /// Header length: 44 (key source 0) or 113 (key source 1).
    len: usize,
    /// For key source 1: level, generation, recipient pk, ephemeral pk.
    sealed: Option<(u8, u32, [u8; 32], [u8; 32])>,
    item: [u8; 16],
    chunk_size: u32,
    prefix: [u8; 7],
    plaintext_len: u64,
}

fn parse_by_hand(object: &[u8]) -> Result<HandHeader, &'static str> {
    let field = |at: usize, n: usize| object.get(at..at + n).ok_or("truncated header");
    if field(0, 6)? != b"SROBJ\0" {
        return Err("bad magic");
    }
    if field(6, 2)? != [0, 1] {
        return Err("unsupported version");
    }
    let (sealed, at) = match field(8, 1)?[0] {
        0 => (None, 9),
        1 => {
            let level = field(9, 1)?[0];
            if level > 4 {
                return Err("unknown level");
            }
            let generation = u32::from_be_bytes(field(10, 4)?.try_into().unwrap());
            let recipient: [u8; 32] = field(14, 32)?.try_into().unwrap();
            let ephemeral: [u8; 32] = field(46, 32)?.try_into().unwrap();
            (Some((level, generation, recipient, ephemeral)), 78)
        }
        _ => return Err("unknown key source"),
    };
    let header = HandHeader {
        len: at + 35,
        sealed,
        item: field(at, 16)?.try_into().unwrap(),
        chunk_size: u32::from_be_bytes(field(at + 16, 4)?.try_into().unwrap()),
        prefix: field(at + 20, 7)?.try_into().unwrap(),
        plaintext_len: u64::from_be_bytes(field(at + 27, 8)?.try_into().unwrap()),
    };
    if !(65536..=16 * 1024 * 1024).contains(&header.chunk_size) {
        return Err("chunk size out of range");
    }
    if header.plaintext_len.div_ceil(u64::from(header.chunk_size)) > 1 << 32 {
        return Err("more than 2^32 chunks");
    }
    Ok(header)
}

/// The content key of a sealed object: X25519 + HKDF-SHA256, FORMAT.md §4.
fn sealed_key_by_hand(header: &HandHeader, sealing_secret: [u8; 32]) -> Result<[u8; 32], &'static str> {
    let (_, _, recipient, ephemeral) = header.sealed.ok_or("not sealed")?;
    let secret = x25519_dalek::StaticSecret::from(sealing_secret);
    if x25519_dalek::PublicKey::from(&secret).to_bytes() != recipient {
        return Err("sealed to another key");
    }
    let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(ephemeral));
    if shared.as_bytes() == &[0u8; 32] {
        return Err("all-zero shared secret");
    }
    Ok(hkdf_by_hand(
        &ephemeral,
        &recipient,
        shared.as_bytes(),
        b"strongroom/v1/seal",
    ))
}

fn hkdf_by_hand(ephemeral: &[u8; 32], recipient: &[u8; 32], shared: &[u8], info: &[u8]) -> [u8; 32] {
    let salt = [&ephemeral[..], &recipient[..]].concat();
    let mut okm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&salt), shared).expand(info, &mut okm).unwrap();
    okm
}

/// AES-256-GCM open of `body ‖ tag` in place, by hand.
fn gcm_open(key: &[u8; 32], nonce: [u8; 12], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, &'static str> {
    let split = sealed.len().checked_sub(16).ok_or("shorter than a tag")?;
    let tag = Tag::try_from(&sealed[split..]).map_err(|_| "tag")?;
    let mut body = sealed[..split].to_vec();
    Aes256Gcm::new(key.into())
        .decrypt_inout_detached(&Nonce::from(nonce), aad, body.as_mut_slice().into(), &tag)
        .map_err(|_| "authentication failed")?;
    Ok(body)
}

/// Decrypt a whole object by hand: chunk count, nonces, lengths and trailing bytes.
fn decrypt_by_hand(object: &[u8], key: &[u8; 32]) -> Result<Vec<u8>, &'static str> {
    let header = parse_by_hand(object)?;
    let aad = &object[..header.len];
    let cs = u64::from(header.chunk_size);
    let count = header.plaintext_len.div_ceil(cs).max(1);
    let mut at = header.len;
    let mut plain = Vec::new();
    for i in 0..count {
        let len = (header.plaintext_len - i * cs).min(cs) as usize;
        let chunk = object.get(at..at + len + 16).ok_or("truncated")?;
        let mut nonce = [0u8; 12];
        nonce[..7].copy_from_slice(&header.prefix);
        nonce[7..11].copy_from_slice(&(i as u32).to_be_bytes());
        nonce[11] = u8::from(i + 1 == count);
        plain.extend(gcm_open(key, nonce, aad, chunk)?);
        at += len + 16;
    }
    if at != object.len() {
        return Err("trailing bytes");
    }
    Ok(plain)
}

// ---------------------------------------------------------------------------------------
// The container through the crate.

fn encrypt_dek(plain: &[u8], dek: [u8; 32], prefix: [u8; 7]) -> Vec<u8> {
    let mut out = Vec::new();
    let digest = stream::encrypt_with(
        Cursor::new(plain),
        &mut out,
        EncryptKey::Dek(&Key32::from_bytes(dek)),
        ITEM,
        CHUNK,
        plain.len() as u64,
        prefix,
        None,
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(plain)));
    out
}

fn decrypt_with_crate(object: &[u8], key: DecryptKey<'_>) -> Result<Vec<u8>, stream::StreamError> {
    let mut src = Cursor::new(object);
    let (header, raw) = Header::read(&mut src)?;
    let mut out = Vec::new();
    let digest = stream::decrypt(src, &header, &raw, key, &mut out, &Progress::new())?;
    assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(&out)));
    Ok(out)
}

/// Every single-byte change, a truncation and an extension fail, in the crate and by hand.
fn assert_tamper_evident(object: &[u8], key: &[u8; 32], open: impl Fn(&[u8]) -> bool) {
    for at in 0..object.len() {
        let mut bad = object.to_vec();
        bad[at] ^= 0x01;
        assert!(!open(&bad), "flipping byte {at} went unnoticed by the crate");
        assert!(
            decrypt_by_hand(&bad, key).is_err(),
            "flipping byte {at} went unnoticed by hand"
        );
    }
    let mut longer = object.to_vec();
    longer.push(0);
    assert!(!open(&longer) && decrypt_by_hand(&longer, key).is_err());
    let shorter = &object[..object.len() - 1];
    assert!(!open(shorter) && decrypt_by_hand(shorter, key).is_err());
}

#[test]
fn container_key_source_0() {
    let dek = [0x11; 32];
    let prefix = [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6];
    let object = encrypt_dek(b"hello, vault", dek, prefix);
    expect("container, key source 0", &hex(&object), V_CONTAINER0_HELLO);
    assert_eq!(object.len(), 44 + 12 + 16);

    // The crate's reader and a reader built from FORMAT.md alone agree.
    let key = Key32::from_bytes(dek);
    assert_eq!(
        decrypt_with_crate(&unhex(V_CONTAINER0_HELLO), DecryptKey::Dek(&key)).unwrap(),
        b"hello, vault"
    );
    let header = parse_by_hand(&object).unwrap();
    assert_eq!((header.len, header.item, header.chunk_size), (44, ITEM, CHUNK));
    assert_eq!((header.prefix, header.plaintext_len, header.sealed), (prefix, 12, None));
    assert_eq!(
        decrypt_by_hand(&unhex(V_CONTAINER0_HELLO), &dek).unwrap(),
        b"hello, vault"
    );
    assert_tamper_evident(&object, &dek, |o| decrypt_with_crate(o, DecryptKey::Dek(&key)).is_ok());
    assert!(decrypt_by_hand(&object, &[0x12; 32]).is_err());

    // An empty plaintext is one empty final chunk: header ‖ tag.
    let empty = encrypt_dek(b"", [0x12; 32], [0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6]);
    expect("container, empty plaintext", &hex(&empty), V_CONTAINER0_EMPTY);
    assert_eq!(empty.len(), 44 + 16);
    assert_eq!(decrypt_by_hand(&empty, &[0x12; 32]).unwrap(), b"");
    assert_eq!(
        decrypt_with_crate(&empty, DecryptKey::Dek(&Key32::from_bytes([0x12; 32]))).unwrap(),
        b""
    );
    // Its chunk must carry the last flag: the same chunk sealed with flag 0 is refused.
    let mut nonce = [0u8; 12];
    nonce[..7].copy_from_slice(&[0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6]);
    assert!(gcm_open(&[0x12; 32], nonce, &empty[..44], &empty[44..]).is_err());
    nonce[11] = 1;
    assert!(gcm_open(&[0x12; 32], nonce, &empty[..44], &empty[44..]).is_ok());
}

#[test]
fn container_two_chunks() {
    let plain: Vec<u8> = (0..65536 + 3).map(|i| (i % 251) as u8).collect();
    let dek = [0x13; 32];
    let object = encrypt_dek(&plain, dek, [0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6]);
    assert_eq!(object.len(), 44 + 65539 + 2 * 16);
    expect(
        "container, two chunks (SHA-256 of the object)",
        &hex(&Sha256::digest(&object)),
        V_CONTAINER0_TWO_CHUNKS_SHA256,
    );
    assert_eq!(decrypt_by_hand(&object, &dek).unwrap(), plain);
    let key = Key32::from_bytes(dek);
    assert_eq!(decrypt_with_crate(&object, DecryptKey::Dek(&key)).unwrap(), plain);

    // Reordering, dropping the last chunk or marking the first one last all fail.
    let (head, body) = object.split_at(44);
    let (first, second) = body.split_at(65536 + 16);
    let swapped = [head, second, first].concat();
    assert!(decrypt_by_hand(&swapped, &dek).is_err());
    assert!(decrypt_with_crate(&swapped, DecryptKey::Dek(&key)).is_err());
    let dropped = [head, first].concat();
    assert!(decrypt_by_hand(&dropped, &dek).is_err());
    assert!(decrypt_with_crate(&dropped, DecryptKey::Dek(&key)).is_err());
    let mut nonce = [0u8; 12];
    nonce[..7].copy_from_slice(&[0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6]);
    assert!(gcm_open(&dek, nonce, head, first).is_ok());
    nonce[11] = 1;
    assert!(gcm_open(&dek, nonce, head, first).is_err());
}

#[test]
fn container_reader_limits() {
    let object = unhex(V_CONTAINER0_HELLO);
    let with_header = |patch: &dyn Fn(&mut Vec<u8>)| {
        let mut o = object.clone();
        patch(&mut o);
        Header::read(&mut Cursor::new(&o)).is_err() && parse_by_hand(&o).is_err()
    };
    // Chunk size 64 KiB − 1 and 16 MiB + 1 are refused.
    assert!(with_header(
        &|o| o[25..29].copy_from_slice(&(65536u32 - 1).to_be_bytes())
    ));
    assert!(with_header(
        &|o| o[25..29].copy_from_slice(&(16u32 * 1024 * 1024 + 1).to_be_bytes())
    ));
    // A length needing 2^32 + 1 chunks of 64 KiB is refused; exactly 2^32 chunks is accepted.
    assert!(with_header(
        &|o| o[36..44].copy_from_slice(&((1u64 << 48) + 1).to_be_bytes())
    ));
    let mut max = object.clone();
    max[36..44].copy_from_slice(&(1u64 << 48).to_be_bytes());
    assert!(Header::read(&mut Cursor::new(&max)).is_ok() && parse_by_hand(&max).is_ok());
    // Version, key source and magic.
    assert!(with_header(&|o| o[7] = 2));
    assert!(with_header(&|o| o[8] = 2));
    assert!(with_header(&|o| o[0] = b's'));
}

#[test]
fn container_key_source_1_sealed() {
    let sealing = SecretKey::from_bytes(SEALING_SECRET);
    let recipient = sealing.public();
    expect("sealing public key", &hex(&recipient), V_SEAL_RECIPIENT_PK);
    let ephemeral = [0x44; 32];
    let (eph_pk, content_key) =
        seal::to_recipient_with(SecretKey::from_bytes(ephemeral), &recipient, seal::SEAL_INFO).unwrap();
    expect("ephemeral public key", &hex(&eph_pk), V_SEAL_EPHEMERAL_PK);
    expect("sealed content key", &hex(content_key.expose()), V_SEAL_KEY);

    let plain = b"sealed copy";
    let prefix = [0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6];
    let mut object = Vec::new();
    stream::encrypt_with(
        Cursor::new(plain),
        &mut object,
        EncryptKey::Sealed {
            level: LEVEL,
            generation: GENERATION,
            recipient,
        },
        SEALED_ITEM,
        CHUNK,
        plain.len() as u64,
        prefix,
        Some(SecretKey::from_bytes(ephemeral)),
        &Progress::new(),
    )
    .unwrap();
    expect("container, key source 1", &hex(&object), V_CONTAINER1);
    assert_eq!(object.len(), 113 + plain.len() + 16);

    // The crate reads it with the sealing secret.
    let mut src = Cursor::new(&object);
    let (header, raw) = Header::read(&mut src).unwrap();
    assert_eq!(raw.len(), 113);
    assert_eq!(
        header.key_source,
        KeySource::Sealed {
            level: LEVEL,
            generation: GENERATION,
            recipient,
            ephemeral: eph_pk
        }
    );
    assert_eq!(
        decrypt_with_crate(&object, DecryptKey::Sealing(&sealing)).unwrap(),
        plain
    );
    let other = SecretKey::from_bytes([0x34; 32]);
    assert!(decrypt_with_crate(&object, DecryptKey::Sealing(&other)).is_err());

    // By hand: X25519 + HKDF from FORMAT.md §4, then the chunks of §3.
    let vector = unhex(V_CONTAINER1);
    let hand = parse_by_hand(&vector).unwrap();
    assert_eq!(hand.len, 113);
    assert_eq!(hand.sealed, Some((3, 1, recipient, eph_pk)));
    assert_eq!((hand.item, hand.prefix, hand.plaintext_len), (SEALED_ITEM, prefix, 11));
    let key = sealed_key_by_hand(&hand, SEALING_SECRET).unwrap();
    assert_eq!(hex(&key), V_SEAL_KEY);
    assert_eq!(decrypt_by_hand(&vector, &key).unwrap(), plain);
    assert!(sealed_key_by_hand(&hand, [0x34; 32]).is_err());
    assert_tamper_evident(&object, &key, |o| {
        decrypt_with_crate(o, DecryptKey::Sealing(&sealing)).is_ok()
    });

    // A low-order ephemeral key (all-zero shared secret) is refused on both sides.
    assert!(seal::from_sender(&sealing, &[0u8; 32], seal::SEAL_INFO).is_err());
    assert!(seal::to_recipient_with(SecretKey::from_bytes(ephemeral), &[0u8; 32], seal::SEAL_INFO).is_err());
    let mut low = hand;
    if let Some(s) = low.sealed.as_mut() {
        s.3 = [0u8; 32];
    }
    assert_eq!(sealed_key_by_hand(&low, SEALING_SECRET), Err("all-zero shared secret"));
}

// ---------------------------------------------------------------------------------------
// Wraps (FORMAT.md §2).

/// The control number of the vector item: SR-2026-000001.
const CONTROL: ControlNumber = ControlNumber { year: 2026, serial: 1 };

/// AAD of an item's DEK or metadata: ids = item uuid ‖ level byte ‖ u32_be(year) ‖
/// u32_be(serial), built by hand and checked against the crate's `item_aad`.
fn item_aad(purpose: Purpose) -> Vec<u8> {
    let by_hand = wrap::aad(
        purpose,
        &[&ITEM, &[LEVEL.as_byte()], &2026u32.to_be_bytes(), &1u32.to_be_bytes()],
        GENERATION,
    );
    let crate_aad = strongroom::vault::items::item_aad(purpose, ItemId::from_bytes(ITEM), LEVEL, &CONTROL, GENERATION);
    assert_eq!(by_hand, crate_aad);
    by_hand
}

/// Wrap with the level key, compare both AAD and blob with the vectors, open by crate and by
/// hand, and check that another purpose, row, level or generation is refused.
fn check_item_wrap(purpose: Purpose, nonce: [u8; 12], plain: &[u8], v_aad: &str, v_blob: &str) {
    let lk = Key32::from_bytes(LK);
    let aad = item_aad(purpose);
    expect(&format!("{} AAD", purpose.label()), &hex(&aad), v_aad);
    let blob = wrap::seal_with_nonce(&lk, nonce, &aad, plain).unwrap();
    expect(&format!("{} wrap", purpose.label()), &hex(&blob), v_blob);
    assert_eq!(blob.len(), 12 + plain.len() + 16);

    let vector = unhex(v_blob);
    assert_eq!(&wrap::open(&lk, &aad, &vector).unwrap()[..], plain);
    assert_eq!(
        gcm_open(&LK, vector[..12].try_into().unwrap(), &unhex(v_aad), &vector[12..]).unwrap(),
        plain
    );
    let other_purpose = if purpose == Purpose::MetaName {
        Purpose::MetaTitle
    } else {
        Purpose::MetaName
    };
    let aad_for = |item: [u8; 16], level: Level, control: ControlNumber, generation: u32| {
        strongroom::vault::items::item_aad(purpose, ItemId::from_bytes(item), level, &control, generation)
    };
    for wrong in [
        item_aad(other_purpose),
        aad_for(SEALED_ITEM, LEVEL, CONTROL, GENERATION),
        aad_for(ITEM, Level::TopSecret, CONTROL, GENERATION),
        aad_for(ITEM, LEVEL, ControlNumber { year: 2026, serial: 2 }, GENERATION),
        aad_for(ITEM, LEVEL, CONTROL, GENERATION + 1),
    ] {
        assert!(wrap::open(&lk, &wrong, &vector).is_err());
    }
    let mut flipped = vector.clone();
    flipped[14] ^= 0x80;
    assert!(wrap::open(&lk, &aad, &flipped).is_err());
}

#[test]
fn wrap_dek() {
    check_item_wrap(Purpose::Dek, nonce_from(0x00), &[0x11; 32], V_AAD_DEK, V_WRAP_DEK);
    // The wrapped DEK opens as a key and decrypts the key-source-0 container vector.
    let dek = wrap::open_key(&Key32::from_bytes(LK), &item_aad(Purpose::Dek), &unhex(V_WRAP_DEK)).unwrap();
    assert_eq!(
        decrypt_by_hand(&unhex(V_CONTAINER0_HELLO), dek.expose()).unwrap(),
        b"hello, vault"
    );
}

#[test]
fn wrap_meta_title() {
    check_item_wrap(
        Purpose::MetaTitle,
        nonce_from(0x10),
        "Harbour survey 2026".as_bytes(),
        V_AAD_TITLE,
        V_WRAP_TITLE,
    );
}

#[test]
fn wrap_meta_name() {
    check_item_wrap(
        Purpose::MetaName,
        nonce_from(0x20),
        "harbour.tif".as_bytes(),
        V_AAD_NAME,
        V_WRAP_NAME,
    );
}

#[test]
fn wrap_meta_notes() {
    check_item_wrap(
        Purpose::MetaNotes,
        nonce_from(0x30),
        "North pier, 1:500.".as_bytes(),
        V_AAD_NOTES,
        V_WRAP_NOTES,
    );
}

#[test]
fn wrap_sealing_key() {
    let lk = Key32::from_bytes(LK);
    let aad = keyring::sealing_aad(LEVEL, GENERATION, GENERATION);
    expect("sealing-key AAD", &hex(&aad), V_AAD_SEALING);
    let blob = wrap::seal_with_nonce(&lk, nonce_from(0x40), &aad, &SEALING_SECRET).unwrap();
    expect("sealing-key wrap", &hex(&blob), V_WRAP_SEALING);
    let vector = unhex(V_WRAP_SEALING);
    let opened = SecretKey::from_slice(&wrap::open(&lk, &aad, &vector).unwrap()).unwrap();
    assert_eq!(hex(&opened.public()), V_SEAL_RECIPIENT_PK);
    assert_eq!(
        gcm_open(&LK, nonce_from(0x40), &aad, &vector[12..]).unwrap(),
        SEALING_SECRET
    );
    // Sealing generation 2 under the same level-key generation is another row.
    assert!(wrap::open(&lk, &keyring::sealing_aad(LEVEL, 2, GENERATION), &vector).is_err());
    assert!(wrap::open(&lk, &keyring::sealing_aad(LEVEL, GENERATION, 2), &vector).is_err());
}

// ---------------------------------------------------------------------------------------
// Keyslot (FORMAT.md §5).

#[test]
fn keyslot() {
    let admin = SignKey::from_seed(&Key32::from_bytes(ADMIN_SEED));
    expect("admin public key", &hex(&admin.public()), V_ADMIN_PK);
    let password = Password::from("correct horse battery staple");
    let salt: [u8; 16] = std::array::from_fn(|i| i as u8);
    let params = KdfParams {
        m_kib: 65536,
        t: 3,
        p: 4,
    };
    assert_eq!(params, KdfParams::FLOOR);
    let kek = kdf::derive_from_password(&password, &salt, params).unwrap();
    expect("keyslot KEK", &hex(kek.expose()), V_KEYSLOT_KEK);

    let contents = SlotContents {
        identity: SecretKey::from_bytes(IDENTITY_SECRET),
        admin_public: admin.public(),
        directory_version: 1,
    };
    let payload = keyslot::encode(&contents);
    expect("keyslot payload", &hex(&payload), V_KEYSLOT_PAYLOAD);
    let aad = keyslot::aad(&IDENTITY, 1);
    expect("keyslot AAD", &hex(&aad), V_AAD_KEYSLOT);
    let blob = wrap::seal_with_nonce(&kek, nonce_from(0x50), &aad, &payload).unwrap();
    expect("keyslot wrap", &hex(&blob), V_KEYSLOT_BLOB);

    // The crate opens the stored slot.
    let slot = Keyslot {
        salt,
        params,
        generation: 1,
        blob: unhex(V_KEYSLOT_BLOB),
    };
    let opened = keyslot::open(&password, &IDENTITY, &slot).unwrap();
    assert_eq!(*opened.identity.to_bytes(), IDENTITY_SECRET);
    assert_eq!((opened.admin_public, opened.directory_version), (admin.public(), 1));
    assert!(keyslot::open(&Password::from("correct horse battery stapler"), &IDENTITY, &slot).is_err());
    assert!(keyslot::open(&password, &SEALED_ITEM, &slot).is_err());
    for weak in [(65535, 3), (65536, 2)] {
        let mut below = slot.clone();
        (below.params.m_kib, below.params.t) = weak;
        assert!(keyslot::open(&password, &IDENTITY, &below).is_err());
    }

    // By hand: Argon2id v0x13 with the stored parameters, then AES-256-GCM.
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(65536, 3, 4, Some(32)).unwrap(),
    );
    let mut hand_kek = [0u8; 32];
    argon
        .hash_password_into(b"correct horse battery staple", &salt, &mut hand_kek)
        .unwrap();
    assert_eq!(hex(&hand_kek), V_KEYSLOT_KEK);
    let vector = unhex(V_KEYSLOT_BLOB);
    let plain = gcm_open(
        &hand_kek,
        vector[..12].try_into().unwrap(),
        &unhex(V_AAD_KEYSLOT),
        &vector[12..],
    )
    .unwrap();
    assert_eq!(hex(&plain), V_KEYSLOT_PAYLOAD);
    assert_eq!(plain.len(), 72);
    assert_eq!(u64::from_be_bytes(plain[64..72].try_into().unwrap()), 1);
}

// ---------------------------------------------------------------------------------------
// Grant (FORMAT.md §6).

#[test]
fn grant() {
    let identity = SecretKey::from_bytes(IDENTITY_SECRET);
    let identity_pk = identity.public();
    expect("identity public key", &hex(&identity_pk), V_IDENTITY_PK);
    let aad = keyring::grant_aad(IdentityId::from_bytes(IDENTITY), KeyKind::Level, LEVEL, GENERATION);
    expect("grant AAD", &hex(&aad), V_AAD_GRANT);
    let ephemeral = [0x88; 32];
    let (eph_pk, key) =
        seal::to_recipient_with(SecretKey::from_bytes(ephemeral), &identity_pk, seal::GRANT_INFO).unwrap();
    expect("grant key", &hex(key.expose()), V_GRANT_KEY);
    let blob = seal::grant_with(
        SecretKey::from_bytes(ephemeral),
        nonce_from(0x60),
        &identity_pk,
        &aad,
        &LK,
    )
    .unwrap();
    expect("grant", &hex(&blob), V_GRANT);
    assert_eq!(blob.len(), 32 + 12 + 32 + 16);
    assert_eq!(blob[..32], eph_pk);

    let vector = unhex(V_GRANT);
    let row = GrantRow {
        kind: KeyKind::Level,
        level: LEVEL,
        generation: GENERATION,
        sealed: vector.clone(),
    };
    let opened = keyring::open_grant(IdentityId::from_bytes(IDENTITY), &identity, &row).unwrap();
    assert_eq!(opened.expose(), &LK);
    // The opened key is the one the directory commits to.
    assert_eq!(hex(&commitment::level_key(LEVEL, GENERATION, &opened)), V_COMMITMENT);
    for (kind, level, generation) in [
        (KeyKind::Admin, LEVEL, GENERATION),
        (KeyKind::Level, Level::TopSecret, GENERATION),
        (KeyKind::Level, LEVEL, 2),
    ] {
        let moved = GrantRow {
            kind,
            level,
            generation,
            sealed: vector.clone(),
        };
        assert!(keyring::open_grant(IdentityId::from_bytes(IDENTITY), &identity, &moved).is_err());
    }
    assert!(seal::open_grant(&SecretKey::from_bytes(RECOVERY_SECRET), &aad, &vector).is_err());

    // By hand: X25519(identity, ephemeral pk), HKDF info "strongroom/v1/grant", AES-256-GCM.
    let eph: [u8; 32] = vector[..32].try_into().unwrap();
    let shared = x25519_dalek::StaticSecret::from(IDENTITY_SECRET).diffie_hellman(&x25519_dalek::PublicKey::from(eph));
    let hand_key = hkdf_by_hand(&eph, &identity_pk, shared.as_bytes(), b"strongroom/v1/grant");
    assert_eq!(hex(&hand_key), V_GRANT_KEY);
    let plain = gcm_open(
        &hand_key,
        vector[32..44].try_into().unwrap(),
        &unhex(V_AAD_GRANT),
        &vector[44..],
    )
    .unwrap();
    assert_eq!(plain, LK);
}

// ---------------------------------------------------------------------------------------
// Level-key commitment (FORMAT.md §7).

#[test]
fn level_key_commitment() {
    let got = commitment::level_key(LEVEL, GENERATION, &Key32::from_bytes(LK));
    expect("level-key commitment", &hex(&got), V_COMMITMENT);
    let by_hand = Sha256::new()
        .chain_update(b"strongroom/v1/lk-commit")
        .chain_update([3u8])
        .chain_update(1u32.to_be_bytes())
        .chain_update(LK)
        .finalize();
    assert_eq!(hex(&by_hand), V_COMMITMENT);
    assert_ne!(commitment::level_key(LEVEL, 2, &Key32::from_bytes(LK)), got);
    assert_ne!(
        commitment::level_key(Level::TopSecret, GENERATION, &Key32::from_bytes(LK)),
        got
    );
}

// ---------------------------------------------------------------------------------------
// Recovery code (FORMAT.md §8).

#[test]
fn recovery_code() {
    let bytes: [u8; 20] = std::array::from_fn(|i| i as u8);
    let code = recovery_code::encode(&bytes);
    expect("recovery code", code.expose(), V_RECOVERY_CODE);
    assert_eq!(code.expose().len(), 39);
    assert!(code.expose().split('-').all(|g| g.len() == 4));

    // Normalization: case, spaces, tabs, newlines and dashes ignored; I/L→1, O→0.
    let normalized = recovery_code::normalize(&code).unwrap();
    expect("normalized recovery code", normalized.expose(), V_RECOVERY_NORMALIZED);

    // Decoding by hand: 5 bits per character, most significant first.
    let alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut decoded = Vec::new();
    for c in V_RECOVERY_NORMALIZED.chars() {
        acc = ((acc << 5) | alphabet.find(c).unwrap() as u32) & 0x1fff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            decoded.push((acc >> bits) as u8);
        }
    }
    assert_eq!(decoded, bytes);

    let typed = format!(
        "\t{}\n",
        V_RECOVERY_CODE
            .to_lowercase()
            .replace('-', " ")
            .replace('1', "l")
            .replace('0', "O")
    );
    assert_eq!(
        recovery_code::normalize(&Password::new(typed)).unwrap().expose(),
        V_RECOVERY_NORMALIZED
    );
    assert!(recovery_code::normalize(&Password::new(format!("{V_RECOVERY_NORMALIZED}U"))).is_err());
    assert!(recovery_code::normalize(&Password::new(V_RECOVERY_NORMALIZED[1..].to_string())).is_err());

    // The normalized 32 characters are the Argon2id password of the recovery keyslot.
    let salt: [u8; 16] = std::array::from_fn(|i| 0x10 + i as u8);
    let kek = kdf::derive_from_password(&normalized, &salt, KdfParams::FLOOR).unwrap();
    expect("recovery KEK", &hex(kek.expose()), V_RECOVERY_KEK);
    let mut hand = [0u8; 32];
    argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(65536, 3, 4, Some(32)).unwrap(),
    )
    .hash_password_into(V_RECOVERY_NORMALIZED.as_bytes(), &salt, &mut hand)
    .unwrap();
    assert_eq!(hex(&hand), V_RECOVERY_KEK);
}

// ---------------------------------------------------------------------------------------
// Signed directory (FORMAT.md §9).

fn directory_vector() -> Directory {
    let key_hex = |secret: [u8; 32]| hex(&SecretKey::from_bytes(secret).public());
    Directory {
        format: directory::FORMAT.to_string(),
        version: 1,
        station: "0123456789abcdef".into(),
        issued_at: "2026-11-23T15:04:05.250Z".into(),
        admin_key: hex(&SignKey::from_seed(&Key32::from_bytes(ADMIN_SEED)).public()),
        signing_key: hex(&SignKey::from_seed(&Key32::from_bytes(SIGNING_SEED)).public()),
        recovery: RecoveryEntry {
            identity: IdentityId::parse("0f1e2d3c-4b5a-4968-a7b6-c5d4e3f20110").unwrap(),
            public_key: key_hex(RECOVERY_SECRET),
        },
        levels: vec![LevelEntry {
            level: LEVEL,
            generation: GENERATION,
            commitment: V_COMMITMENT.into(),
            sealing_public_key: key_hex(SEALING_SECRET),
        }],
        users: vec![DirectoryUser {
            id: UserId::parse("12345678-9abc-4def-8123-456789abcdef").unwrap(),
            name: "officer".into(),
            role: Role::Officer,
            clearance: Level::TopSecret,
            status: UserStatus::Active,
            identity: IdentityId::from_bytes(IDENTITY),
            public_key: key_hex(IDENTITY_SECRET),
        }],
        policy: None,
        guard: None,
    }
}

#[test]
fn directory_signature() {
    let admin = SignKey::from_seed(&Key32::from_bytes(ADMIN_SEED));
    let signed = directory_vector().sign(&admin).unwrap();
    expect(
        "directory body",
        std::str::from_utf8(&signed.body).unwrap(),
        V_DIRECTORY_BODY,
    );
    expect("directory signature", &hex(&signed.signature), V_DIRECTORY_SIGNATURE);

    let admin_pk: [u8; 32] = unhex(V_ADMIN_PK).try_into().unwrap();
    let body = V_DIRECTORY_BODY.as_bytes();
    let signature = unhex(V_DIRECTORY_SIGNATURE);
    assert_eq!(
        directory::verify(body, &signature, &admin_pk).unwrap(),
        directory_vector()
    );
    assert!(sign::verify(&admin_pk, "strongroom/v1/directory", body, &signature).is_ok());
    // By hand: Ed25519 over "strongroom/v1/directory" ‖ 0x00 ‖ body.
    let message = [&b"strongroom/v1/directory\0"[..], body].concat();
    let verifying = ed25519_dalek::VerifyingKey::from_bytes(&admin_pk).unwrap();
    let sig = ed25519_dalek::Signature::from_bytes(&signature.clone().try_into().unwrap());
    assert!(verifying.verify_strict(&message, &sig).is_ok());
    assert!(verifying.verify_strict(body, &sig).is_err());
    // The body is canonical JSON: the same document re-serialized is byte-identical.
    let parsed: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(canonical::to_vec(&parsed).unwrap(), body);

    // A changed body, a non-canonical body (even with a valid signature) and another key fail.
    let edited = V_DIRECTORY_BODY.replace("\"version\":1", "\"version\":2");
    assert!(directory::verify(edited.as_bytes(), &signature, &admin_pk).is_err());
    let spaced = V_DIRECTORY_BODY.replacen('{', "{ ", 1);
    let spaced_sig = admin.sign("strongroom/v1/directory", spaced.as_bytes());
    assert!(directory::verify(spaced.as_bytes(), &spaced_sig, &admin_pk).is_err());
    let other = SignKey::from_seed(&Key32::from_bytes(SIGNING_SEED));
    assert!(directory::verify(body, &signature, &other.public()).is_err());
}

// ---------------------------------------------------------------------------------------
// Canonical event bytes (FORMAT.md §10).

#[test]
fn canonical_event_bytes() {
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(1_795_446_245_250_000_000).unwrap();
    assert_eq!(strongroom::time::rfc3339_millis(time), "2026-11-23T15:04:05.250Z");
    let event = NewEvent {
        actor: "officer".into(),
        action: Action::ItemImport,
        subject: "SR-2026-000001".into(),
        level: Some(LEVEL),
        item: Some(ItemId::from_bytes(ITEM)),
        details: strongroom::details! {
            "item": "00112233-4455-4677-8899-aabbccddeeff",
            "control_number": "SR-2026-000001",
            "size": 12,
            "sha256": hex(&Sha256::digest(b"hello, vault")),
            "category": "document",
            "custodian": "张伟",
        },
    };
    let body = json!({
        "seq": 0,
        "time": "2026-11-23T15:04:05.250Z",
        "actor": event.actor,
        "action": "item.import",
        "subject": event.subject,
        "level": "secret",
        "details": event.details,
    });
    let bytes = canonical::to_vec(&body).unwrap();
    expect("event bytes", &hex(&bytes), V_EVENT);
    // The text form, for the reader: ASCII except the custodian's name in UTF-8.
    assert!(FORMAT_MD.contains(std::str::from_utf8(&bytes).unwrap()));

    // What events::append stores for the same event is exactly these bytes.
    let dir = tempfile::tempdir().unwrap();
    let mut conn = db::open(&dir.path().join("strongroom.db"), true).unwrap();
    let seq = db::write(&mut conn, |tx| events::append(tx, time, &event, None)).unwrap();
    assert_eq!(seq, 0);
    let stored = events::list(&conn, 0, 10).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(hex(&stored[0].canonical), V_EVENT);
    assert_eq!(stored[0].level, Some(LEVEL));

    // Exactly the seven fields, keys sorted, no whitespace, integers only.
    let parsed: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&unhex(V_EVENT)).unwrap();
    let keys: Vec<&str> = parsed.keys().map(String::as_str).collect();
    assert_eq!(keys, ["action", "actor", "details", "level", "seq", "subject", "time"]);
    assert!(canonical::to_vec(&json!({ "size": 1.5 })).is_err());
}

// ---------------------------------------------------------------------------------------
// Sealed names (FORMAT.md §6a).

const V_AAD_SEALED_NAME: &str = "7374726f6e67726f6f6d2f76312f7365616c65642d6e616d65000300000001";
const V_SEALED_NAME: &str = "30d3c865a48fceb3d6118577cf2e5f228d6ff69866264757785b253cb7a4806a707172737475767778797a7bc71b91482af87bef797e3e056a6daf5a4e2254adbc6654095e442d87f343539b";

#[test]
fn sealed_name() {
    let sealing = SecretKey::from_bytes(SEALING_SECRET);
    let aad = strongroom::station::sealed_name_aad(LEVEL, GENERATION);
    expect("sealed-name AAD", &hex(&aad), V_AAD_SEALED_NAME);
    let blob = seal::seal_value_with(
        SecretKey::from_bytes([0x88; 32]),
        nonce_from(0x70),
        &sealing.public(),
        &aad,
        b"harbour-copy.tif",
    )
    .unwrap();
    expect("sealed name", &hex(&blob), V_SEALED_NAME);
    let vector = unhex(V_SEALED_NAME);
    assert_eq!(
        &seal::open_value(&sealing, &aad, &vector).unwrap()[..],
        b"harbour-copy.tif"
    );
    // By hand: X25519 + HKDF-SHA256 with info "strongroom/v1/seal", then the wrap.
    let eph: [u8; 32] = vector[..32].try_into().unwrap();
    let shared = x25519_dalek::x25519(SEALING_SECRET, eph);
    let mut salt = eph.to_vec();
    salt.extend_from_slice(&sealing.public());
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&salt), &shared)
        .expand(b"strongroom/v1/seal", &mut key)
        .unwrap();
    assert_eq!(
        gcm_open(&key, vector[32..44].try_into().unwrap(), &aad, &vector[44..]).unwrap(),
        b"harbour-copy.tif"
    );
    // Another level or generation does not open it.
    assert!(
        seal::open_value(
            &sealing,
            &strongroom::station::sealed_name_aad(Level::TopSecret, GENERATION),
            &vector
        )
        .is_err()
    );
    assert!(seal::open_value(&sealing, &strongroom::station::sealed_name_aad(LEVEL, 2), &vector).is_err());
}
