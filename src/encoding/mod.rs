//! General encodings every domain shares, kept out of the domains so that none depends on
//! another for them: lower-case hex, standard base64, and RFC 8785 canonical JSON (the bytes
//! that events, signed directories and requests are hashed and signed over).

pub mod base64;
pub mod canonical;
pub mod hex;
