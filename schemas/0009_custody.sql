-- Custody (issue 30). Raising an item's level re-encrypts its object under a fresh DEK: the
-- new ciphertext is `objects/ab/<uuid>.<n>.sro` (version 0 keeps the old name
-- `<uuid>.sro`), so it is written beside the old one and the row switches to it in the
-- transaction that records the raise. `object_version` names the current one; the ledger's
-- `item.raise` events say the same, and a row that disagrees was changed outside Strongroom.
ALTER TABLE items ADD COLUMN object_version INTEGER NOT NULL DEFAULT 0 CHECK (object_version >= 0);

-- A re-encryption under way: recorded before the new object is renamed into `objects/`, so
-- the open after a crash knows which of the two versions to remove (the one the ledger does
-- not name). `owner` is the work directory of the process doing it.
CREATE TABLE object_rewrites (
    item        BLOB PRIMARY KEY REFERENCES items(id),
    old_version INTEGER NOT NULL CHECK (old_version >= 0),
    new_version INTEGER NOT NULL CHECK (new_version > old_version),
    owner       TEXT NOT NULL
) STRICT;

-- Holdings by custodian: reassigning a leaver's items and warning when one is disabled.
CREATE INDEX items_by_custodian ON items(custodian, status);
