#!/usr/bin/env bash
# Render the desktop app's main screens in a real window under Xvfb and save screenshots
# here. Needs: apt-get install xvfb imagemagick xdotool (Mesa's llvmpipe draws the GL).
# Usage: docs/screenshots/take.sh [path/to/strongroom]   (default: a release build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../../target/release/strongroom}"
[ -x "$bin" ] || { echo "build it first: cargo build --release" >&2; exit 1; }

work="$(mktemp -d)"
trap 'kill "${app:-0}" "${xvfb:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
export STRONGROOM_VAULT="$work/vault" STRONGROOM_USER=alice LIBGL_ALWAYS_SOFTWARE=1
printf 'correct horse battery staple\n' > "$work/pw"
"$bin" init --password-file "$work/pw" --kdf-memory-mib 64 --kdf-iterations 3 > /dev/null
mkdir -p "$work/survey"
for name in harbour-2026.tif ridge-north.las coastline.kml depot-plan.pdf drone-0147.jpg bundle-07.zip; do
  head -c 200000 /dev/urandom > "$work/survey/$name"
done
"$bin" import --password-file "$work/pw" "$work/survey/harbour-2026.tif" "$work/survey/coastline.kml" --level confidential > /dev/null
"$bin" import --password-file "$work/pw" "$work/survey/ridge-north.las" "$work/survey/drone-0147.jpg" --level secret > /dev/null
"$bin" import --password-file "$work/pw" "$work/survey/depot-plan.pdf" "$work/survey/bundle-07.zip" --level internal > /dev/null

Xvfb :77 -screen 0 1200x760x24 > /dev/null 2>&1 &
xvfb=$!
export DISPLAY=:77
sleep 1
"$bin" > "$work/app.log" 2>&1 &
app=$!
sleep 4
shot() { import -window root "$here/$1.png"; echo "saved $1.png"; }
window=$(xdotool search --sync --name Strongroom | head -1)
xdotool windowfocus "$window" 2>/dev/null || true
shot sign-in
xdotool type --delay 30 "alice"
xdotool key Tab
xdotool type --delay 30 "correct horse battery staple"
xdotool key Return
sleep 3
shot vault-browser
# Switch to Chinese with the language button (top right; its position is stable).
xdotool mousemove 1117 32 click 1
sleep 1
shot vault-browser-zh
