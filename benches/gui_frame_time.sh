#!/usr/bin/env bash
# CPU frame time of the vault browser with 100 000 items while scrolling (headless, egui_kittest),
# in a release build. Prints p50 / p95 / max per frame; the target is p95 <= 16 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
BROWSER_BENCH_FRAMES=300 cargo test --release --bin strongroom browser_frame_time_with_100k_items -- --nocapture 2>&1 \
  | grep -E '^browser,|test result'
