//! Lower-case hex for keys and hashes in JSON documents and output, over the `hex` crate
//! (strict: exactly two hex digits per byte, no signs or spaces).

/// Encode bytes as lower-case hex.
pub fn encode(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

/// Decode hex (either case) into exactly `N` bytes.
pub fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    ::hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// Decode hex of any even length.
pub fn decode_vec(text: &str) -> Option<Vec<u8>> {
    ::hex::decode(text).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        assert_eq!(super::encode(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(super::decode::<3>("00ABff"), Some([0x00, 0xab, 0xff]));
        assert_eq!(super::decode::<3>("00abf"), None);
        assert_eq!(super::decode::<1>("zz"), None);
        assert_eq!(super::decode_vec("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(super::decode_vec("0"), None);
        // `from_str_radix` took a sign: "+f" read as 0x0f.
        assert_eq!(super::decode_vec("+f"), None);
        assert_eq!(super::decode::<1>("+f"), None);
        assert_eq!(super::decode_vec(" f"), None);
    }
}
