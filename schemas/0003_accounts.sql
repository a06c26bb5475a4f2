-- Strongroom schema 3: accounts, session security, approvals and key succession
-- (DESIGN.md §2 and §4, docs/FORMAT.md §9–§11). Like everything in this file, these rows are
-- trusted only as far as a key vouches for them: successions and key changes are signed,
-- counters and requests are checked against the ledger's events.

-- A password reset (or an expired password) makes the user choose a new one at next login.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- Failed sign-ins per account since the last success: backoff and lockout.
CREATE TABLE login_failures (
    user_id       BLOB PRIMARY KEY REFERENCES users(id),
    failures      INTEGER NOT NULL,
    last_failure  TEXT NOT NULL,
    locked_at     TEXT                    -- set when the policy's limit is reached
) STRICT;

-- Admin key succession: each record names the previous and next admin public keys and is
-- signed by the previous key. A key with two successors is tampering, so no UNIQUE here:
-- verification must see both to say so.
CREATE TABLE admin_successions (
    id            INTEGER PRIMARY KEY,
    previous_key  BLOB NOT NULL,
    next_key      BLOB NOT NULL,
    body          BLOB NOT NULL,          -- RFC 8785 canonical JSON
    signature     BLOB NOT NULL,          -- Ed25519 by previous_key
    created_at    TEXT NOT NULL
) STRICT;
CREATE INDEX admin_successions_by_previous ON admin_successions(previous_key);

CREATE TRIGGER admin_successions_are_append_only_update BEFORE UPDATE ON admin_successions
BEGIN
    SELECT RAISE(ABORT, 'admin successions are append-only');
END;
CREATE TRIGGER admin_successions_are_append_only_delete BEFORE DELETE ON admin_successions
BEGIN
    SELECT RAISE(ABORT, 'admin successions are append-only');
END;

-- Station signing key changes: C2SP notes signed by the old and the new key (docs/LEDGER.md).
CREATE TABLE signing_key_changes (
    id          INTEGER PRIMARY KEY,
    epoch       INTEGER NOT NULL,
    tree_size   INTEGER NOT NULL,
    note        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TRIGGER signing_key_changes_are_append_only_update BEFORE UPDATE ON signing_key_changes
BEGIN
    SELECT RAISE(ABORT, 'signing key changes are append-only');
END;
CREATE TRIGGER signing_key_changes_are_append_only_delete BEFORE DELETE ON signing_key_changes
BEGIN
    SELECT RAISE(ABORT, 'signing key changes are append-only');
END;

-- Two-person requests: an action on material at or above the policy's threshold waits here
-- until an officer other than the requester approves or denies it. An approved request is
-- used once, by the action it names, within a day, and only if its approval is signed by the
-- admin key (so SQL cannot approve anything) and no event records it as used already (so
-- SQL cannot reuse one). Replacing the admin key expires outstanding approvals.
CREATE TABLE requests (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('destroy', 'downgrade', 'export-removable')),
    item           BLOB NOT NULL REFERENCES items(id),
    level          INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    target_level   INTEGER CHECK (target_level BETWEEN 0 AND 4),
    requested_by   BLOB NOT NULL REFERENCES users(id),
    requested_at   TEXT NOT NULL,
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'used', 'expired')),
    decided_by     BLOB REFERENCES users(id),
    decided_at     TEXT,
    decision_note  TEXT,
    signature      BLOB                   -- approvals: Ed25519 by the admin key (officers only)
) STRICT;
CREATE INDEX requests_by_status ON requests(status, id);
