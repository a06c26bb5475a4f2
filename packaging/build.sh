#!/usr/bin/env bash
# Build the Debian packages: target/debian/strongroom_*.deb (the desktop app) and
# target/debian/strongroom-cli_*.deb (the CLI only, for audit machines).
#
#   packaging/build.sh [PROFILE]     PROFILE: dist (default: LTO, one codegen unit) or
#                                    package-check (CI: no LTO, quick)
#
# Needs cargo-deb and rsvg-convert (librsvg2-bin), and dpkg-dev for dpkg-shlibdeps
# (packaging/README.md says how to bring them to a host with no network). Works offline
# when the crates are vendored (packaging/README.md, "Offline").
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-dist}
assets=target/assets
rm -rf "$assets"

# What the packages ship but nobody writes by hand: man pages and completions from the CLI's
# clap definitions, the licence texts of every crate each binary is built from.
cargo run --locked --quiet -p strongroom-gen -- man "$assets/man"
cargo run --locked --quiet -p strongroom-gen -- completions "$assets/completions"
cargo run --locked --quiet -p strongroom-gen -- licences "$assets/gui/THIRD-PARTY-LICENSES.txt"
cargo run --locked --quiet -p strongroom-gen -- licences "$assets/cli/THIRD-PARTY-LICENSES.txt" --no-default-features

# The icon at every size the desktop asks for, from the one SVG in assets/.
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$assets/icons/${size}x${size}"
  rsvg-convert -w "$size" -h "$size" assets/strongroom.svg -o "$assets/icons/${size}x${size}/strongroom.png"
done

# One after the other: both variants build target/<profile>/strongroom.
cargo deb --locked --profile "$profile" --output target/debian/
cargo deb --locked --profile "$profile" --variant cli --output target/debian/
ls -l target/debian/*.deb
