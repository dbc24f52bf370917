#!/usr/bin/env bash
# Refreshes docs/report.png, the screenshot of the report in the README and
# docs/output.md: agora runs on ../shared/corpus with ../shared/bench/themes.toml
# and headless Chromium photographs the top of report.html (summary, trend
# charts, heatmaps). Run it after changing pipeline/src/report.rs, look at
# the picture, and commit it.
#
#   scripts/report-screenshot.sh [PNG]     # default docs/report.png
#
# Needs ../shared and chromium (Debian package chromium, or AGORA_CHROMIUM).
set -euo pipefail
cd "$(dirname "$0")/.."

png=${1:-docs/report.png}
shared=../shared
[ -d "$shared/corpus" ] || { echo "report-screenshot: $shared/corpus is missing" >&2; exit 2; }
browser=${AGORA_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$browser" ] || { echo "report-screenshot: chromium is missing: apt-get install chromium" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet --locked -p agora
target/debug/agora run --quiet --input "$shared/corpus" --themes "$shared/bench/themes.toml" \
  --out "$work/out" --format csv || [ $? -eq 1 ]
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars --window-size=1300,2350 \
  --screenshot="$PWD/$png" "file://$work/out/report.html" 2>/dev/null
echo "report-screenshot: wrote $png"
