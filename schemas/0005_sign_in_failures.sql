-- Failed sign-ins under names with no lockout counter to hold them (unknown users, disabled
-- or locked accounts, the recovery code): a name's first failure in a 60-second window is an
-- event at once; the rest of that window are counted here and recorded as one event when the
-- window closes (at that name's next failure, or at the next open). Anyone with the OS account
-- can try names; this keeps the ledger from growing by an event per try without losing count.
CREATE TABLE sign_in_failures (
    name          TEXT PRIMARY KEY,        -- as recorded: escaped, at most 64 bytes
    reason        TEXT NOT NULL,           -- the reason of the window's first failure
    window_start  INTEGER NOT NULL,        -- unix seconds
    count         INTEGER NOT NULL CHECK (count >= 1)
) STRICT;
