-- Certificates of destruction (issue 31). One row per destruction: an item, a batch of
-- items, or a registered medium. `body` is the certificate's RFC 8785 JSON, written in the
-- transaction that erases the keys and records the events, so a destruction never commits
-- without its certificate. `signed` is the whole signed document (certificate.json) once an
-- officer's admin key has signed it: at once when an officer destroys, otherwise when an
-- officer signs it later. Nothing here is trusted by itself: the body is checked against
-- the ledger's events, and the signature against the admin keys.
CREATE TABLE certificates (
    id          INTEGER PRIMARY KEY CHECK (id > 0),
    number      TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL CHECK (subject IN ('items', 'medium')),
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    body        BLOB NOT NULL,
    signed      BLOB,
    created_at  TEXT NOT NULL
) STRICT;
