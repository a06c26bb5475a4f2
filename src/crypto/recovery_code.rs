//! The recovery code: 160 random bits shown once at init as Crockford base32 in groups of
//! four (`7K3M-…`). Typing is forgiving: case, spaces and dashes are ignored and the
//! look-alikes I/L→1 and O→0 are folded, as Crockford specifies.

use super::{CryptoError, Password, random};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Bytes of entropy in a code.
pub const CODE_BYTES: usize = 20;
/// Characters in a normalized code.
pub const CODE_CHARS: usize = CODE_BYTES * 8 / 5;

/// Make a new code, grouped for display.
pub fn generate() -> Result<Password, CryptoError> {
    Ok(encode(&random::array::<CODE_BYTES>()?))
}

/// Encode bytes (a multiple of 5) as a grouped code.
pub fn encode(bytes: &[u8; CODE_BYTES]) -> Password {
    let mut chars = String::with_capacity(CODE_CHARS + CODE_CHARS / 4);
    let mut acc: u64 = 0;
    let mut bits = 0;
    let mut n = 0;
    for &b in bytes {
        acc = (acc << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            if n > 0 && n % 4 == 0 {
                chars.push('-');
            }
            chars.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
            n += 1;
        }
    }
    Password::new(chars)
}

/// Normalize a typed code to its 32 canonical characters (the Argon2id input).
pub fn normalize(typed: &Password) -> Result<Password, CryptoError> {
    let mut out = String::with_capacity(CODE_CHARS);
    for c in typed.expose().chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' | '\t' | '\n' | '\r' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return Err(CryptoError::Malformed("recovery code (unexpected character)"));
        }
        out.push(c);
    }
    if out.len() != CODE_CHARS {
        return Err(CryptoError::Malformed(
            "recovery code (wrong length: it has 32 characters in 8 groups)",
        ));
    }
    Ok(Password::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_eight_groups_and_normalize_forgivingly() {
        let code = encode(&[0xA5; CODE_BYTES]);
        assert_eq!(code.expose().split('-').count(), 8);
        assert!(code.expose().split('-').all(|g| g.len() == 4));
        let typed = Password::new(code.expose().to_lowercase().replace('-', " "));
        assert_eq!(normalize(&typed).unwrap().expose(), code.expose().replace('-', ""));
        let with_lookalikes = Password::new("O".repeat(31) + "L");
        assert_eq!(normalize(&with_lookalikes).unwrap().expose(), "0".repeat(31) + "1");
        assert!(normalize(&Password::from("ABC")).is_err());
        assert!(normalize(&Password::new("U".repeat(32))).is_err());
    }
}
