#!/usr/bin/env bash
# Import/export throughput, memory and unlock time of Strongroom beside gpg, openssl and
# rage on the same 1 GiB file, tmpfs → tmpfs, in one run. Usage:
#   benches/compare.sh [SIZE_MIB] [DIR]      (defaults: 1024, /dev/shm)
# Needs: gpg, openssl, sha256sum (Debian base), rage on PATH (`cargo install rage`).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1024}
DIR=${2:-/dev/shm}/strongroom-bench.$$
mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

cargo build --release --quiet
cargo bench --bench stream --no-run --quiet 2>/dev/null
BENCH=$(ls -t target/release/deps/stream-* | grep -v '\.d$' | head -1)
BIN=target/release/strongroom

# seconds (3 decimals) a command takes
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l | xargs printf '%.3f'; }
gbps() { echo "$SIZE_MIB * 1048576 / $1 / 1000000000" | bc -l | xargs printf '%.2f'; }
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

head -c $((SIZE_MIB * 1048576)) /dev/urandom > "$DIR/plain"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "file: $SIZE_MIB MiB in $DIR"
OPENSSL_SHA=$(openssl speed -evp sha256 -bytes 1048576 -seconds 3 2>/dev/null | tail -1 | awk '{print $2}' | tr -d k)
OPENSSL_SHA_GBPS=$(echo "$OPENSSL_SHA * 1000 / 1000000000" | bc -l | xargs printf '%.2f')
echo "openssl speed -evp sha256 (1 MiB blocks): $OPENSSL_SHA_GBPS GB/s"
"$BENCH" primitives "$DIR/plain"

for chunk in 1024 16384; do
  CHUNK_KIB=$chunk "$BENCH" encrypt "$DIR/plain" "$DIR/obj"
  CHUNK_KIB=$chunk "$BENCH" decrypt "$DIR/obj" "$DIR/back"
  cmp -s "$DIR/plain" "$DIR/back" || { echo "round trip mismatch"; exit 1; }
  rm -f "$DIR/obj" "$DIR/back"
done

# The whole CLI, vault in the same tmpfs, Argon2id calibrated as a real init does.
export STRONGROOM_VAULT="$DIR/vault" STRONGROOM_USER=bench STRONGROOM_PASSWORD="benchmark passphrase"
"$BIN" init --json >/dev/null
UNLOCK=(); for _ in 1 2 3 4 5; do UNLOCK+=("$(secs "$BIN" list)"); done
echo "unlock (strongroom list, calibrated Argon2id, 5 runs): ${UNLOCK[*]} s"
echo "argon2id params: $(sqlite3 "$DIR/vault/strongroom.db" 'SELECT m_kib, t_cost, p_lanes FROM keyslots LIMIT 1' 2>/dev/null || echo 'see station.init event')"
IMPORT=$(secs "$BIN" import "$DIR/plain" --level secret)
CONTROL=$("$BIN" list --json | grep -m1 control_number | cut -d'"' -f4)
EXPORT=$(secs "$BIN" export "$CONTROL" --to "$DIR/export")
cmp -s "$DIR/plain" "$DIR/export" || { echo "export mismatch"; exit 1; }
echo "strongroom import (CLI incl. unlock): $IMPORT s = $(gbps "$IMPORT") GB/s; peak RSS incl. Argon2id: $(rss "$BIN" list) KiB"
echo "strongroom export (CLI incl. unlock): $EXPORT s = $(gbps "$EXPORT") GB/s"
rm -f "$DIR/export"

echo "benchmark passphrase" > "$DIR/pass"
G_ENC=$(secs gpg --batch --yes --pinentry-mode loopback --passphrase-file "$DIR/pass" --symmetric --cipher-algo AES256 -z 0 -o "$DIR/gpg" "$DIR/plain")
G_DEC=$(secs gpg --batch --yes --pinentry-mode loopback --passphrase-file "$DIR/pass" -d -o "$DIR/gpg.out" "$DIR/gpg")
echo "gpg --symmetric AES256 -z 0: encrypt $G_ENC s = $(gbps "$G_ENC") GB/s, decrypt $G_DEC s = $(gbps "$G_DEC") GB/s"
rm -f "$DIR/gpg" "$DIR/gpg.out"
O_ENC=$(secs openssl enc -aes-256-ctr -pbkdf2 -pass file:"$DIR/pass" -in "$DIR/plain" -out "$DIR/ossl")
O_SHA=$(secs sha256sum "$DIR/plain")
O_DEC=$(secs openssl enc -d -aes-256-ctr -pbkdf2 -pass file:"$DIR/pass" -in "$DIR/ossl" -out "$DIR/ossl.out")
O_BOTH=$(echo "$O_ENC + $O_SHA" | bc -l | xargs printf '%.3f')
echo "openssl enc -aes-256-ctr: encrypt $O_ENC s, + sha256sum $O_SHA s = $O_BOTH s = $(gbps "$O_BOTH") GB/s; decrypt $O_DEC s = $(gbps "$O_DEC") GB/s (no authentication)"
rm -f "$DIR/ossl" "$DIR/ossl.out"
if command -v rage >/dev/null; then
  rage-keygen -o "$DIR/key" 2>/dev/null
  RECIPIENT=$(grep -m1 'public key' "$DIR/key" | awk '{print $4}')
  R_ENC=$(secs rage -r "$RECIPIENT" -o "$DIR/rage" "$DIR/plain")
  R_DEC=$(secs rage -d -i "$DIR/key" -o "$DIR/rage.out" "$DIR/rage")
  echo "rage (X25519 recipient): encrypt $R_ENC s = $(gbps "$R_ENC") GB/s, decrypt $R_DEC s = $(gbps "$R_DEC") GB/s"
else
  echo "rage: not installed (cargo install rage)"
fi
echo "target: >= 75% of openssl sha256 = $(echo "$OPENSSL_SHA_GBPS * 0.75" | bc -l | xargs printf '%.2f') GB/s"
