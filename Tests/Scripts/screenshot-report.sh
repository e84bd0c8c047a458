#!/usr/bin/env bash
# Renders the HTML report of the sample cluster (with a plan, and a VM whose name is an HTML
# injection attempt) and takes a screenshot with headless Chromium, to look at by eye:
#   bash Tests/Scripts/screenshot-report.sh [out-dir]     (needs: apt-get install chromium)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/.build-report}
mkdir -p "$out/exports/sample-cluster" "$out/rules"
cp "$root"/Captures/sample-cluster/*.json "$out/exports/sample-cluster/"
cat > "$out/exports/sample-cluster/hostile.json" <<'JSON'
[{"ComputerName":"HCI-N01","VMName":"<script>alert('x')</script> <img src=x onerror=alert(1)>","Name":"Network Adapter",
  "Id":"Microsoft:hostile","MacAddress":"021DD8000010","DynamicMacAddressEnabled":false,"SwitchName":"LegacySwitch"}]
JSON
cp "$root"/rules/*.yaml "$out/rules/"
printf 'version: 1\npools:\n  - name: tenant\n    first: 02-1D-D9-00-00-00\n    last: 02-1D-D9-00-00-3F\n    scope: fleet\n' > "$out/rules/pools.yaml"
(cd "$root" && swift run -c release macaudit audit "$out/exports" --rules "$out/rules" --plan --format html --output "$out/report.html") || true
chromium --headless --no-sandbox --disable-gpu --window-size=1200,2400 --screenshot="$out/report.png" "file://$out/report.html" 2>/dev/null
echo "$out/report.png"
