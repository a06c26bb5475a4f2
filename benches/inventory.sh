#!/usr/bin/env bash
# The inventory (issue 30): `strongroom inventory` (shallow: every row against its object's
# length and header and against its history, every file in objects/) over COUNT items; and
# `inventory --deep` beside `export` of one SIZE_MIB item, both on tmpfs, in the same run.
# Each figure is the median of three runs with the unlock's time (median of three
# `list --limit 1`) taken out. Usage:
#   benches/inventory.sh [COUNT] [SIZE_MIB] [DIR]   (defaults: 100000, 1024, target/inventory)
# Needs: python3, bc, /usr/bin/time. DIR should be on a real disk.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
SIZE_MIB=${2:-1024}
DIR=${3:-target/inventory}
SHM=/dev/shm/strongroom-inventory.$$
rm -rf "$DIR"
mkdir -p "$DIR" "$SHM"
DIR=$(cd "$DIR" && pwd)
trap 'rm -rf "$DIR" "$SHM"' EXIT

cargo build --release --quiet
BIN=$PWD/target/release/strongroom
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
three() { median "$(secs "$@")" "$(secs "$@")" "$(secs "$@")"; }
fmt() { printf '%.2f' "$1"; }

# COUNT small files (1–2 KiB), at most 100 a folder.
python3 - "$DIR/tiles" "$COUNT" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(30)
for i in range(count):
    d = os.path.join(root, str(i // 10000), str((i // 100) % 100))
    if i % 100 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{i % 100}.png"), "wb") as f:
        f.write(rng.randbytes(rng.randint(1024, 2048)))
PY
export STRONGROOM_USER=bench STRONGROOM_PASSWORD="benchmark passphrase"
export STRONGROOM_VAULT="$DIR/vault"
"$BIN" init --kdf-memory-mib 64 --kdf-iterations 3 --json >/dev/null
"$BIN" import --level internal "$DIR/tiles" >/dev/null
"$BIN" inventory >/dev/null # clean, and warms the page cache like a second run would
UNLOCK=$(three "$BIN" list --limit 1)
SHALLOW=$(three "$BIN" inventory)
RSS=$( { /usr/bin/time -f '%M' "$BIN" inventory >/dev/null; } 2>&1 | tail -1 )
echo "machine: $(nproc) cores; $COUNT items in $DIR"
echo "unlock (list --limit 1): $(fmt "$UNLOCK") s"
echo "inventory (shallow), unlock taken out: $(fmt "$(echo "$SHALLOW - $UNLOCK" | bc -l)") s; peak RSS $RSS KiB"

# One large item on tmpfs: export and the deep inventory, side by side.
export STRONGROOM_VAULT="$SHM/vault"
"$BIN" init --kdf-memory-mib 64 --kdf-iterations 3 --json >/dev/null
head -c $((SIZE_MIB * 1048576)) /dev/urandom > "$SHM/plain"
"$BIN" import --level secret "$SHM/plain" >/dev/null
rm -f "$SHM/plain"
CONTROL=$("$BIN" list --json | grep -m1 control_number | cut -d'"' -f4)
UNLOCK=$(three "$BIN" list --limit 1)
export_once() { rm -f "$SHM/out"; "$BIN" export "$CONTROL" --to "$SHM/out" --yes --reason bench; }
EXPORT=$(three export_once)
rm -f "$SHM/out"
DEEP=$(three "$BIN" inventory --deep)
gbps() { echo "$SIZE_MIB * 1048576 / ($1 - $UNLOCK) / 1000000000" | bc -l | xargs printf '%.2f'; }
echo "export of $SIZE_MIB MiB (tmpfs): $(gbps "$EXPORT") GB/s; inventory --deep: $(gbps "$DEEP") GB/s"
echo "deep / export: $(echo "100 * ($EXPORT - $UNLOCK) / ($DEEP - $UNLOCK)" | bc -l | xargs printf '%.0f') %"
