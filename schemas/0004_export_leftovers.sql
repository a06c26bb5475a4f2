-- What an export leaves outside the vault until it finishes, and so what the next open may
-- remove after a crash (DESIGN.md §3): a named temp `.strongroom-<uuid>.part`, or an empty
-- `O_EXCL` placeholder reserving the final name where RENAME_NOREPLACE is missing (FUSE).
-- Each is removed only while it is still the file that was made: its device and inode are
-- recorded once it exists, before any byte is written to it.
ALTER TABLE export_temps ADD COLUMN kind TEXT NOT NULL DEFAULT 'temp' CHECK (kind IN ('temp', 'placeholder'));
ALTER TABLE export_temps ADD COLUMN dev INTEGER;
ALTER TABLE export_temps ADD COLUMN ino INTEGER;
