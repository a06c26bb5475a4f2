-- The guard's signature on each event it writes with no session open (DESIGN.md §4, §5):
-- Ed25519 by the guard key over "strongroom/v1/guard-event" ‖ 0x00 ‖ `canonical`. The guard's
-- public key is in the signed directory; a sign-in accepts a guard event only if this
-- signature verifies under it (docs/FORMAT.md §11). NULL for every other event.
ALTER TABLE events ADD COLUMN guard_signature BLOB;
