#!/usr/bin/env bash
# Renders the HTML report as an admin's browser shows it, to PNG screenshots (headless Chromium):
# the shipped sample's report and, for each extra folder of exports given, that fleet's report.
#   bash Tests/Scripts/html_screenshots.sh OUTDIR [EXPORTS_FOLDER ...] [-- FRAGMENT]
# e.g. bash Tests/Scripts/html_screenshots.sh /tmp/shots /srv/exports -- '#severity=error&q=web'
# Uses .build/debug/macaudit (or $MACAUDIT); writes OUTDIR/<name>.html and OUTDIR/<name>.png.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: html_screenshots.sh OUTDIR [EXPORTS_FOLDER ...] [-- FRAGMENT]}; shift
folders=(Captures/sample-cluster); fragment=""
while (($#)); do
  if [ "$1" = "--" ]; then fragment=${2:-}; break; fi
  folders+=("$1"); shift
done
macaudit=${MACAUDIT:-.build/debug/macaudit}
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for folder in "${folders[@]}"; do
  name=$(basename "$folder")
  # Exit 1 means findings, which a report is for; 2 is a real failure.
  "$macaudit" audit "$folder" --format html -o "$out/$name.html" || [ $? -eq 1 ]
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --window-size=1400,2400 --screenshot="$out/$name.png" "file://$(realpath "$out/$name.html")$fragment" 2>/dev/null
  echo "$out/$name.png ($(du -h "$out/$name.html" | cut -f1) page)"
done
