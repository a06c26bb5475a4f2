-- Strongroom schema 1: station, signed directory, accounts and key material, items and the
-- append-only events table. Nothing here is trusted unless a key the reader holds vouches
-- for it (AEAD wraps, the signed directory): see DESIGN.md §2 and docs/FORMAT.md.

CREATE TABLE station (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    station_id  TEXT NOT NULL,               -- 16 lower-case hex characters
    created_at  TEXT NOT NULL
) STRICT;

-- Every version of the signed directory ever published; the newest one is in force.
CREATE TABLE directories (
    version     INTEGER PRIMARY KEY,
    body        BLOB NOT NULL,               -- RFC 8785 canonical JSON
    signature   BLOB NOT NULL,               -- Ed25519 by the admin key over the framed body
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id                   BLOB PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    role                 TEXT NOT NULL CHECK (role IN ('operator', 'officer')),
    clearance            INTEGER NOT NULL CHECK (clearance BETWEEN 0 AND 4),
    status               TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    identity_id          BLOB NOT NULL,
    created_at           TEXT NOT NULL,
    password_changed_at  TEXT NOT NULL
) STRICT;

CREATE TABLE identities (
    id          BLOB PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('user', 'recovery')),
    user_id     BLOB REFERENCES users(id),
    public_key  BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
) STRICT;

CREATE TABLE keyslots (
    identity_id  BLOB PRIMARY KEY REFERENCES identities(id),
    generation   INTEGER NOT NULL,
    salt         BLOB NOT NULL,
    m_kib        INTEGER NOT NULL,
    t_cost       INTEGER NOT NULL,
    p_lanes      INTEGER NOT NULL,
    wrapped      BLOB NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

-- A key sealed to an identity: kind 0 = level key (level, generation), 1 = admin key,
-- 2 = station signing key (level 0 for kinds 1 and 2).
CREATE TABLE grants (
    identity_id  BLOB NOT NULL REFERENCES identities(id),
    key_kind     INTEGER NOT NULL CHECK (key_kind IN (0, 1, 2)),
    level        INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    generation   INTEGER NOT NULL,
    sealed       BLOB NOT NULL,
    PRIMARY KEY (identity_id, key_kind, level, generation)
) STRICT;

-- Per level and generation: the sealing public key and its private key wrapped by the level
-- key of generation wrap_generation.
CREATE TABLE sealing_keys (
    level            INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    generation       INTEGER NOT NULL,
    public_key       BLOB NOT NULL,
    wrapped_private  BLOB NOT NULL,
    wrap_generation  INTEGER NOT NULL,
    PRIMARY KEY (level, generation)
) STRICT;

CREATE TABLE control_counters (
    year         INTEGER PRIMARY KEY,
    last_serial  INTEGER NOT NULL
) STRICT;

CREATE TABLE items (
    id              BLOB PRIMARY KEY,
    control_year    INTEGER NOT NULL,
    control_serial  INTEGER NOT NULL,
    level           INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    key_generation  INTEGER NOT NULL,
    wrapped_dek     BLOB NOT NULL,
    title           BLOB NOT NULL,           -- encrypted (meta/title)
    original_name   BLOB NOT NULL,           -- encrypted (meta/name)
    notes           BLOB,                    -- encrypted (meta/notes)
    size            INTEGER NOT NULL,
    sha256          BLOB NOT NULL,
    chunk_size      INTEGER NOT NULL,
    category        TEXT NOT NULL,
    created_by      BLOB NOT NULL REFERENCES users(id),
    custodian       BLOB NOT NULL REFERENCES users(id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'active', 'destroyed')),
    pending_owner   TEXT,                    -- work directory of the importing process
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (control_year, control_serial)
) STRICT;
CREATE INDEX items_by_status ON items(status, level);
CREATE INDEX items_by_sha256 ON items(sha256);

-- Named temp files of exports on file systems without O_TMPFILE, removed at next open.
CREATE TABLE export_temps (
    path        BLOB PRIMARY KEY,
    item        BLOB NOT NULL,
    owner       TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- The custody events: each row's `canonical` is the event's RFC 8785 bytes; the other
-- columns are copies for queries, checked against the bytes by `ledger verify`.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    time       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    level      INTEGER,
    item       BLOB,
    canonical  BLOB NOT NULL
) STRICT;
CREATE INDEX events_by_item ON events(item, seq);
CREATE INDEX events_by_actor ON events(actor, seq);
CREATE INDEX events_by_action ON events(action, seq);
CREATE INDEX events_by_time ON events(time, seq);

CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
