#!/usr/bin/env bash
# Fuzz smoke test for CI: builds every fuzz target the way `cargo fuzz build` does (release,
# SanitizerCoverage, AddressSanitizer, `--cfg fuzzing`, debug assertions) on the stable
# toolchain — no cargo-fuzz and no nightly needed: RUSTC_BOOTSTRAP=1 admits -Zsanitizer — then
# runs each target for FUZZ_SECONDS from a scratch copy of fuzz/seeds/<target>/.
# Prints one line per target; exits non-zero if a target fails to build or any run fails
# (crash, panic, sanitizer report, timeout, out of memory). Failing inputs are saved under
# fuzz/artifacts/<target>/, as `cargo fuzz run` saves them.
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 20)
#   FUZZ_JOBS      targets run at once (default: the number of CPUs, at most 2)
#   FUZZ_TARGETS   space-separated targets to run (default: every [[bin]] of fuzz/Cargo.toml)
#   FUZZ_QUICK     1: build at opt-level 0 with no debug info, parallel codegen and no
#                  AddressSanitizer (the targets parse in safe Rust; the sanitizer matters for
#                  long runs), for a clean build in CI's time: 49 s alone (93 s of CPU) on the
#                  2-core machine, against 63–68 s at opt-level 1; far fewer executions a second
#                  (the container target ~100/s), enough for a smoke run
#   CARGO_BUILD_JOBS, CARGO_TARGET_DIR (default fuzz/target)
# Arguments: `build` only builds, `run` only runs what was built; none does both.
set -euo pipefail
mode=${1:-all}
case $mode in all | build | run) ;; *)
  echo "usage: fuzz/smoke.sh [build|run]" >&2
  exit 2
  ;;
esac
cd "$(dirname "$0")"
fuzz_dir=$PWD
export CARGO_TERM_COLOR=never

seconds=${FUZZ_SECONDS:-20}
cpus=$(nproc 2>/dev/null || echo 1)
parallel=${FUZZ_JOBS:-$((cpus < 2 ? cpus : 2))}
targets=${FUZZ_TARGETS:-$(awk '/^\[\[bin\]\]/ { bin = 1 } bin && /^name *=/ { gsub(/"/, "", $3); print $3; bin = 0 }' Cargo.toml)}
declared=$(grep -c '^\[\[bin\]\]' Cargo.toml)
if [ -z "${targets// /}" ] || { [ -z "${FUZZ_TARGETS:-}" ] && [ "$(echo $targets | wc -w)" != "$declared" ]; }; then
  echo "fuzz: found targets '$targets' but Cargo.toml declares $declared [[bin]] entries" >&2
  exit 1
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$fuzz_dir/target}
triple=$(rustc -vV | sed -n 's/^host: //p')

# The flags of cargo-fuzz 0.13 (src/project.rs, `cargo fuzz build` with its defaults:
# release, debug assertions, address sanitizer, one codegen unit). --target keeps them off
# build scripts and proc macros.
flags=(
  -Cpasses=sancov-module
  -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
  -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares
  --cfg fuzzing
  -Cllvm-args=-simplifycfg-branch-fold-threshold=0
  -Cllvm-args=-sanitizer-coverage-stack-depth
  -Cdebug-assertions
)
profile=(--config 'profile.release.debug="line-tables-only"')
if [ "${FUZZ_QUICK:-0}" = 1 ]; then
  profile=(--config 'profile.release.opt-level=0' --config 'profile.release.debug=false')
else
  flags+=(-Zsanitizer=address -Ccodegen-units=1)
fi
# libfuzzer-sys compiles libFuzzer (C++) with the cc crate.
if ! command -v "${CXX:-c++}" >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1; then
  echo "fuzz: libFuzzer needs a C++ compiler (Debian: apt-get install g++)" >&2
  exit 1
fi
start=$(date +%s)
bin_dir=$CARGO_TARGET_DIR/$triple/release
if [ "$mode" != run ]; then
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="${flags[*]} ${RUSTFLAGS:-}" cargo build \
    --manifest-path Cargo.toml -j "${CARGO_BUILD_JOBS:-2}" \
    --target "$triple" --release "${profile[@]}" --bins
  echo "fuzz: built the targets in $(($(date +%s) - start)) s"
fi
[ "$mode" != build ] || exit 0

# Scratch space: corpora and the files the targets write ($TMPDIR), on tmpfs when there is one.
parent=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && parent=/dev/shm
scratch=$(mktemp -d "$parent/strongroom-fuzz.XXXXXX")
# On exit (also when interrupted): stop the runs this script started (each a subshell running
# `timeout`, which passes the signal on to the fuzzer), then drop the scratch.
stop_runs() {
  local pid
  for pid in $(jobs -rp); do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  wait || true
  rm -rf "$scratch"
}
trap stop_runs EXIT
trap 'exit 130' INT TERM

run() {
  local target=$1 corpus=$scratch/corpus/$1 log=$scratch/$1.log
  local artifacts=$fuzz_dir/artifacts/$1/
  mkdir -p "$corpus" "$artifacts" "$scratch/tmp/$1"
  if [ -d "seeds/$target" ]; then
    cp seeds/"$target"/* "$corpus"/
  fi
  local t0 status=0
  t0=$(date +%s)
  # -timeout: one input taking 10 s is a hang; the outer timeout covers a stuck start-up.
  TMPDIR=$scratch/tmp/$1 \
    ASAN_OPTIONS="quarantine_size_mb=32:detect_odr_violation=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    timeout $((seconds + 120)) "$bin_dir/$target" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=512 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts" \
    "$corpus" >"$log" 2>&1 || status=$?
  local took=$(($(date +%s) - t0))
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$log" | tail -n 1)
  if [ "$status" = 0 ]; then
    echo "ok $target: ${runs:-?} executions in $took s, coverage ${cov:-?}" >"$scratch/$1.result"
  else
    {
      echo "FAILED $target: exit $status after ${runs:-?} executions in $took s"
      grep -o 'Test unit written to .*' "$log" | sed 's/^/  /' || true
      echo "  log (last 40 lines):"
      tail -n 40 "$log" | sed 's/^/  | /'
    } >"$scratch/$1.result"
  fi
}

echo "fuzz: running each target for $seconds s, $parallel at a time"
for target in $targets; do
  if [ ! -x "$bin_dir/$target" ]; then
    echo "FAILED $target: no binary at $bin_dir/$target" >"$scratch/$target.result"
    continue
  fi
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do
    wait -n || true
  done
  run "$target" &
done
wait

failed=0
for target in $targets; do
  if [ -f "$scratch/$target.result" ]; then
    cat "$scratch/$target.result"
  else
    echo "FAILED $target: the run left no result"
  fi
  grep -qs '^ok ' "$scratch/$target.result" || failed=$((failed + 1))
done
echo "fuzz: $(echo $targets | wc -w) targets, $failed failed, $(($(date +%s) - start)) s in all"
[ "$failed" = 0 ]
