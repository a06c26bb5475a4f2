//! Nothing: this package's one target of note is the integration test binary `it`
//! (`main.rs`). Cargo wants a library or a binary in every package.
