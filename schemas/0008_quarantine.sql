-- The quarantine: copies from removable media the guard sealed while the station was
-- networked (DESIGN.md §5, issue 28). The sealed file is `quarantine/<id>.sro`, a container
-- of key source 1 sealed to the sealing key of `level` at `generation`. Written by the
-- guard in the same transaction as the `guard.copy.alert` that names it; nothing here is
-- trusted over that event.
CREATE TABLE quarantine (
    id              BLOB PRIMARY KEY,
    created_at      TEXT NOT NULL,
    level           INTEGER NOT NULL,
    generation      INTEGER NOT NULL,
    size            INTEGER NOT NULL,
    sha256          BLOB NOT NULL,
    medium          TEXT NOT NULL,
    destination_dir TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('held', 'released', 'destroyed'))
) STRICT;
