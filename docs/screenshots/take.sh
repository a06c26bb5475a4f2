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
# bob, an operator, locked out after a wrong password: an open alert.
printf "bob's first password\n" > "$work/bob1"
printf "bob's long passphrase\n" > "$work/bob"
printf 'not his password\n' > "$work/wrong"
"$bin" user add bob --role operator --clearance confidential --password-file "$work/pw" --new-password-file "$work/bob1" > /dev/null
STRONGROOM_USER=bob "$bin" passwd --password-file "$work/bob1" --new-password-file "$work/bob" > /dev/null
"$bin" policy set lockout-attempts 1 --password-file "$work/pw" > /dev/null
STRONGROOM_USER=bob "$bin" list --password-file "$work/wrong" > /dev/null 2>&1 || true
# Large enough for the import's progress to show.
head -c 1500M /dev/zero > "$work/survey/mosaic-2026.tif"
head -c 1500M /dev/zero > "$work/survey/mosaic-2027.tif"

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
xdotool mousemove 593 146 click 1
sleep 0.3
xdotool type --delay 30 "alice"
xdotool key Tab
xdotool type --delay 30 "correct horse battery staple"
xdotool key Return
sleep 3
shot vault-browser
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-1.5}"; }
# Positions at 1200×760: tabs in English (Vault 123, Import 189, Alerts 256, Ledger 340) and
# in Chinese (保密库 96, 导入 160, 警报 229, 保管账本 291); the first row of the vault at
# y=154; the import form's path field, level buttons and Import on the row at y=287.
import_big() { # $1 path field x, $2 level x, $3 Import x, $4 file
  click "$1" 89 0.3; xdotool type --delay 5 "$4"; xdotool key Return; sleep 0.3
  click "$2" 287 0.3; click "$3" 287 1.2
}
click 250 154 2; shot item-page
click 189 32 1; import_big 433 192 554 "$work/survey/mosaic-2026.tif"; shot import-progress
sleep 3; click 256 32; shot alerts
click 340 32 2; shot ledger
# Switch to Chinese with the language button (top right; its position is stable).
xdotool mousemove 1117 32 click 1
sleep 1
shot ledger-zh
click 229 32; shot alerts-zh
click 160 32 1; import_big 448 212 326 "$work/survey/mosaic-2027.tif"; shot import-progress-zh
sleep 3; click 96 32; shot vault-browser-zh
click 250 154 2; shot item-page-zh
