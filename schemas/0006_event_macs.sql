-- The MAC of each event a session wrote: HMAC-SHA256 of `canonical` under a key derived
-- from the station signing key (docs/FORMAT.md §10). NULL for events written with no
-- session (failed sign-ins, the cleanup at open); the next sign-in reports any other
-- event after the newest checkpoint that has no valid MAC.
ALTER TABLE events ADD COLUMN mac BLOB;
