//! Small widgets the screens share.

pub mod banner;
pub mod password;
pub mod status_strip;
