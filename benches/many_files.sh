#!/usr/bin/env bash
# Many small files: a tile pyramid of COUNT files of 4–20 KiB in nested directories, imported
# as one directory, beside the same run's baselines on the same disk:
#   - a loop writing each file with its own fsync (python3: read, write, fsync),
#   - `cp -r` of the tree, then one `sync`.
# Prints files/s for each, Strongroom's share of the fsync-each loop, and the import's peak
# RSS. Usage: benches/many_files.sh [COUNT] [DIR]   (defaults: 100000, target/many-files)
# Needs: python3, /usr/bin/time. The directory must be on a real disk, not tmpfs.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
DIR=${2:-target/many-files}
rm -rf "$DIR"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
trap 'rm -rf "$DIR"' EXIT

cargo build --release --quiet
BIN=$PWD/target/release/strongroom

# The fixture: z/x/y.png, 4–20 KiB of pseudo-random bytes each, at most 100 files a folder.
python3 - "$DIR/tiles" "$COUNT" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(26)
for i in range(count):
    z, x, y = i // 10000, (i // 100) % 100, i % 100
    d = os.path.join(root, str(z), str(x))
    if y == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{y}.png"), "wb") as f:
        f.write(rng.randbytes(rng.randint(4096, 20480)))
PY
BYTES=$(du -sb "$DIR/tiles" | cut -f1)
echo "machine: $(nproc) cores; fixture: $COUNT files, $((BYTES / 1048576)) MiB in $DIR"
sync

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l | xargs printf '%.2f'; }
rate() { echo "$COUNT / $1" | bc -l | xargs printf '%.0f'; }

# Baseline 1: each file written and fsynced, one after another.
FSYNC_EACH=$(secs python3 - "$DIR/tiles" "$DIR/copy-fsync" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for d, _, names in os.walk(src):
    out = os.path.join(dst, os.path.relpath(d, src))
    os.makedirs(out, exist_ok=True)
    for n in names:
        with open(os.path.join(d, n), "rb") as f:
            data = f.read()
        with open(os.path.join(out, n), "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
PY
)
rm -rf "$DIR/copy-fsync"; sync
# Baseline 2: copy everything, then one sync.
CP_SYNC=$(secs sh -c "cp -r '$DIR/tiles' '$DIR/copy-cp' && sync")
rm -rf "$DIR/copy-cp"; sync

# Strongroom: one directory import into a vault on the same disk.
export STRONGROOM_VAULT="$DIR/vault" STRONGROOM_USER=bench STRONGROOM_PASSWORD="benchmark passphrase"
"$BIN" init --kdf-memory-mib 64 --kdf-iterations 3 --json >/dev/null
UNLOCK=$(secs "$BIN" list)
UNLOCK_RSS=$( { /usr/bin/time -f '%M' "$BIN" list >/dev/null; } 2>&1 | tail -1 )
s=$(date +%s.%N)
RSS=$( { /usr/bin/time -f '%M' "$BIN" import --level internal "$DIR/tiles" >/dev/null; } 2>&1 | tail -1 )
e=$(date +%s.%N)
IMPORT=$(echo "$e - $s - $UNLOCK" | bc -l | xargs printf '%.2f')
IMPORTED=$("$BIN" list --json | grep -c '"control_number"')
[ "$IMPORTED" = "$COUNT" ] || { echo "imported $IMPORTED of $COUNT"; exit 1; }
FIRST_PAGE=$(secs "$BIN" list --limit 100)
WHOLE_LIST=$(secs "$BIN" list)

echo "write + fsync each (python3): $FSYNC_EACH s = $(rate "$FSYNC_EACH") files/s"
echo "cp -r then sync:             $CP_SYNC s = $(rate "$CP_SYNC") files/s"
echo "strongroom import (unlock of $UNLOCK s left out): $IMPORT s = $(rate "$IMPORT") files/s"
echo "share of the fsync-each loop: $(echo "100 * $FSYNC_EACH / $IMPORT" | bc -l | xargs printf '%.0f') %"
echo "import peak RSS: $RSS KiB; the unlock alone (list of an empty vault): $UNLOCK_RSS KiB"
echo "list --limit 100 on $COUNT items: $FIRST_PAGE s incl. the unlock ($(echo "($FIRST_PAGE - $UNLOCK) * 1000" | bc -l | xargs printf '%.0f') ms after it); whole list: $WHOLE_LIST s"
