#!/usr/bin/env bash
# The guard's reaction times and its cost at rest (issue 27's benchmark), with the release
# binary as root:
#   - a mount to its `media.mount` event: an ext4 loop device mounted under a removable root,
#     N times (the event's own time minus the time just before `mount`);
#   - a new interface to its `guard.alert`: a veth pair created in the guard's network
#     namespace (air-gapped), N times;
#   - idle CPU of `guard run` over IDLE seconds (utime + stime from /proc) while it watches a
#     protected home of 10 000 directories, and its RSS (VmRSS now, VmHWM peak);
#   - copies (issue 28): `cp` of a 1 MiB file from the stick into a protected directory to
#     its `guard.copy`, N times; a 200-file `cp -r` burst (how many detected); a medium of
#     100 000 files mounted: the time to its `media.mount` (the index is built first) and
#     the guard's RSS with it indexed.
# Usage: sudo benches/guard.sh [N] [IDLE]   (defaults: 50, 60). Needs: root, ip, nsenter,
# losetup, mkfs.ext4, sqlite3, python3. Everything it makes is under target/guard-bench and
# a network namespace of its own, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
IDLE=${2:-60}
WORK=$PWD/target/guard-bench
NS=srg-bench-$$
rm -rf "$WORK"
mkdir -p "$WORK/removable/stick"
chmod 755 "$WORK"
cleanup() {
  cp "$WORK/guard.log" target/guard-bench.log 2>/dev/null || true
  [ -n "${GUARD:-}" ] && kill "$GUARD" 2>/dev/null || true
  umount "$WORK/removable/stick" 2>/dev/null || true
  umount "$WORK/removable/big" 2>/dev/null || true
  [ -n "${LOOP:-}" ] && losetup -d "$LOOP" 2>/dev/null || true
  [ -n "${BIGLOOP:-}" ] && losetup -d "$BIGLOOP" 2>/dev/null || true
  ip netns delete "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --release --quiet
BIN=$PWD/target/release/strongroom
export STRONGROOM_VAULT=$WORK/vault STRONGROOM_GUARD_DIR=$WORK/guard STRONGROOM_USER=alice
printf 'benchmark passphrase for the guard\n' > "$WORK/pw"
"$BIN" --password-file "$WORK/pw" --json init --kdf-memory-mib 64 --kdf-iterations 3 >/dev/null
"$BIN" --password-file "$WORK/pw" guard enable --removable-root "$WORK/removable" >/dev/null

# The stick: a 1 MiB file and a 200-file tree; the big medium: 100 000 small files.
mkdir -p "$WORK/stick-files/tree" "$WORK/big-files" "$WORK/home" "$WORK/removable/big"
head -c 1048576 /dev/urandom > "$WORK/stick-files/one.bin"
for i in $(seq 200); do head -c 4096 /dev/urandom > "$WORK/stick-files/tree/$i.bin"; done
python3 - "$WORK/big-files" <<'PY'
import os, sys
root = sys.argv[1]
for i in range(100000):
    d = os.path.join(root, str(i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{i}.dat"), "wb") as f:
        f.write(i.to_bytes(4, "little") * (1 + i % 64))
PY
# The protected home: 10 000 directories (100 of 100), each watched.
python3 - "$WORK/home" <<'PY'
import os, sys
for i in range(10000):
    os.makedirs(os.path.join(sys.argv[1], f"d{i // 100}", str(i)), exist_ok=True)
PY
truncate -s 32M "$WORK/stick.img"
LOOP=$(losetup -f --show "$WORK/stick.img")
mkfs.ext4 -q -F -L BENCH -d "$WORK/stick-files" "$LOOP"
truncate -s 400M "$WORK/big.img"
mkfs.ext4 -q -F -L BIG -N 120000 -d "$WORK/big-files" "$WORK/big.img"
BIGLOOP=$(losetup -f --show "$WORK/big.img")
ip netns add "$NS"

nsenter --net=/run/netns/"$NS" -- "$BIN" guard run --no-default-destinations --protect "$WORK/home" 2>"$WORK/guard.log" &
GUARD=$!
DB=$WORK/vault/strongroom.db
count() { sqlite3 "$DB" "SELECT COUNT(*) FROM events WHERE action = '$1'"; }
wait_count() { # action, target count
  local deadline=$((SECONDS + 10))
  while [ "$(count "$1")" -lt "$2" ]; do
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for $1" >&2; exit 1; }
    sleep 0.01
  done
}
last_time() { sqlite3 "$DB" "SELECT time FROM events WHERE action = '$1' ORDER BY seq DESC LIMIT 1"; }
wait_count guard.start 1

: > "$WORK/mount.txt"
for i in $(seq "$N"); do
  before=$(count media.mount)
  t0=$(date +%s.%N)
  mount "$LOOP" "$WORK/removable/stick"
  wait_count media.mount $((before + 1))
  echo "$t0 $(last_time media.mount)" >> "$WORK/mount.txt"
  gone=$(count media.unmount)
  umount "$WORK/removable/stick"
  wait_count media.unmount $((gone + 1))
done

: > "$WORK/iface.txt"
for i in $(seq "$N"); do
  before=$(sqlite3 "$DB" "SELECT COUNT(*) FROM events WHERE action = 'guard.alert'")
  t0=$(date +%s.%N)
  ip -n "$NS" link add "b$i" type veth peer name "c$i"
  wait_count guard.alert $((before + 1))
  echo "$t0 $(last_time guard.alert)" >> "$WORK/iface.txt"
  ip -n "$NS" link delete "b$i"
done

# Copies: the stick mounted, each copy to its event.
mount "$LOOP" "$WORK/removable/stick"
wait_count media.mount $((N + 1))
: > "$WORK/copy.txt"
for i in $(seq "$N"); do
  before=$(count guard.copy)
  t0=$(date +%s.%N)
  cp "$WORK/removable/stick/one.bin" "$WORK/home/copy-$i.bin"
  wait_count guard.copy $((before + 1))
  echo "$t0 $(last_time guard.copy)" >> "$WORK/copy.txt"
done
before=$(count guard.copy)
cp -r "$WORK/removable/stick/tree" "$WORK/home/tree"
sleep 5
BURST=$(( $(count guard.copy) - before ))
umount "$WORK/removable/stick"

# The big medium: mount to event (indexing included), then the RSS with it indexed.
before=$(count media.mount)
t0=$(date +%s.%N)
mount "$BIGLOOP" "$WORK/removable/big"
wait_count media.mount $((before + 1))
echo "$t0 $(last_time media.mount)" > "$WORK/big.txt"
BIGRSS=$(awk '/VmRSS/ {print $2}' "/proc/$GUARD/status")

ticks() { awk '{print $14 + $15}' "/proc/$GUARD/stat"; }
sleep 2
start_ticks=$(ticks)
sleep "$IDLE"
end_ticks=$(ticks)
HZ=$(getconf CLK_TCK)
RSS=$(awk '/VmRSS/ {print $2}' "/proc/$GUARD/status")
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$GUARD/status")

python3 - "$WORK/mount.txt" "$WORK/iface.txt" "$start_ticks" "$end_ticks" "$HZ" "$IDLE" "$RSS" "$HWM" "$WORK/copy.txt" "$BURST" "$WORK/big.txt" "$BIGRSS" <<'PY'
import sys, datetime
def latencies(path):
    out = []
    for line in open(path):
        t0, event = line.split()
        at = datetime.datetime.strptime(event, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        out.append((at.timestamp() - float(t0)) * 1000)
    return sorted(out)
def report(name, values):
    p = lambda q: values[min(len(values) - 1, int(round(q * (len(values) - 1))))]
    print(f"{name}: n={len(values)} median {p(0.5):.0f} ms, p95 {p(0.95):.0f} ms, max {values[-1]:.0f} ms (target p95 <= 1000 ms)")
report("mount -> media.mount", latencies(sys.argv[1]))
report("new interface -> guard.alert", latencies(sys.argv[2]))
start, end, hz, idle = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"idle CPU over {idle} s, watching a home of 10 000 directories: {100 * (end - start) / hz / idle:.3f} % of one core (target <= 1 %)")
print(f"RSS: {int(sys.argv[7]) / 1024:.1f} MiB now, {int(sys.argv[8]) / 1024:.1f} MiB peak (target <= 32 MiB)")
report("cp of 1 MiB -> guard.copy", latencies(sys.argv[9]))
print(f"200-file cp -r burst: {sys.argv[10]}/200 detected")
print(f"100 000-file medium: mount -> media.mount (indexing included) {latencies(sys.argv[11])[0]:.0f} ms (target <= 5000 ms)")
print(f"RSS with it indexed: {int(sys.argv[12]) / 1024:.1f} MiB (target <= 64 MiB)")
PY
