//! Signed notes: round trips, tampering, and the Go note package's published example.
//! Test-only: the parent module declares it under #[cfg(test)].

use super::*;
use crate::crypto::Key32;

fn key() -> SignKey {
    SignKey::from_seed(&Key32::from_bytes([5; 32]))
}

#[test]
fn signed_notes_open_with_their_key_only() {
    let key = key();
    let text = "strongroom/0123456789abcdef\n42\nq1b2c3==\n";
    let note = sign(text, "strongroom/0123456789abcdef", &key).unwrap();
    assert!(note.starts_with(text));
    assert!(note.contains("\n\n\u{2014} strongroom/0123456789abcdef "));
    let verifier = Verifier::new("strongroom/0123456789abcdef", key.public()).unwrap();
    assert_eq!(open(&note, &verifier).unwrap(), text);
    // The verifier key round-trips through its text form.
    assert_eq!(Verifier::parse(&verifier.encode()).unwrap(), verifier);

    // Any change to the text, another key or another name: refused.
    let edited = note.replacen("42", "43", 1);
    assert!(matches!(open(&edited, &verifier), Err(NoteError::Unverified(_))));
    let other = SignKey::from_seed(&Key32::from_bytes([6; 32]));
    let forged = sign(text, "strongroom/0123456789abcdef", &other).unwrap();
    assert!(open(&forged, &verifier).is_err());
    let renamed = Verifier::new("strongroom/fedcba9876543210", key.public()).unwrap();
    assert!(open(&note, &renamed).is_err());
}

#[test]
fn malformed_notes_and_keys_are_refused() {
    let key = key();
    assert!(sign("no final newline", "k", &key).is_err());
    assert!(sign("blank\n\nline\n", "k", &key).is_err());
    assert!(Verifier::new("has space", key.public()).is_err());
    for bad in ["", "name", "name+zz+AA==", "name+00000000+AQ==", "name+00000000+Ag"] {
        assert!(Verifier::parse(bad).is_err(), "{bad}");
    }
    // A right-looking key whose id does not match its name is refused.
    let verifier = Verifier::new("alpha", key.public()).unwrap();
    let swapped = verifier.encode().replacen("alpha", "bravo", 1);
    assert!(Verifier::parse(&swapped).is_err());
    for bad in [
        "text\n",
        "text\n\n",
        "text\n\nno dash\n",
        "text\n\n\u{2014} k !!!\n",
        "text\n\n\u{2014} k AAAA",
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
}
