-- Strongroom schema 2: signed checkpoints of the custody log (DESIGN.md §4, docs/LEDGER.md).

-- The leaf hash of each event, SHA-256(0x00 ‖ canonical), recorded when it is appended, so
-- verify can name the exact event whose bytes changed. Schemas 1 and 2 were released
-- together, so every event has one: a NULL leaf is itself a sign of tampering.
ALTER TABLE events ADD COLUMN leaf BLOB;

-- Every checkpoint ever written, in order. `note` is the C2SP signed note; `frontier` the
-- roots of the perfect subtrees at that size, so the next checkpoint extends it without
-- re-reading the whole log (verify never trusts it: it recomputes everything).
CREATE TABLE checkpoints (
    id          INTEGER PRIMARY KEY,
    epoch       INTEGER NOT NULL,
    tree_size   INTEGER NOT NULL,
    root        BLOB NOT NULL,
    note        TEXT NOT NULL,
    frontier    BLOB NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX checkpoints_by_size ON checkpoints(epoch, tree_size);

CREATE TRIGGER checkpoints_are_append_only_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
CREATE TRIGGER checkpoints_are_append_only_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;

-- Damage found by `ledger verify`. While any is recorded, no checkpoint is written: the
-- station never signs over a damaged log (an officer's new epoch, a later issue, resolves it).
CREATE TABLE ledger_damage (
    id              INTEGER PRIMARY KEY,
    found_at        TEXT NOT NULL,
    first_bad_seq   INTEGER NOT NULL,
    problem         TEXT NOT NULL,
    detail          TEXT NOT NULL,
    resolved_epoch  INTEGER               -- the epoch an officer started after it
) STRICT;

-- Log epochs after the first (epoch 0 starts at seq 0): epoch N is the log of the events from
-- start_seq on, its checkpoints have origin `strongroom/<station-id>/e<N>`, and its first
-- event (`ledger.epoch`) names the last good checkpoint and the first bad seq before it.
CREATE TABLE ledger_epochs (
    epoch       INTEGER PRIMARY KEY,
    start_seq   INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    reason      TEXT NOT NULL
) STRICT;

CREATE TRIGGER ledger_epochs_are_append_only_update BEFORE UPDATE ON ledger_epochs
BEGIN
    SELECT RAISE(ABORT, 'ledger epochs are append-only');
END;
CREATE TRIGGER ledger_epochs_are_append_only_delete BEFORE DELETE ON ledger_epochs
BEGIN
    SELECT RAISE(ABORT, 'ledger epochs are append-only');
END;
