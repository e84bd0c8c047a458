#!/usr/bin/env bash
# Builds and runs a libFuzzer target over the core's own sources (SwiftPM cannot link a
# -sanitize=fuzzer executable, so swiftc is called directly).
#   bash Tests/Fuzz/run.sh frame [seconds]   # the frame decoder, seeded with Captures/wire frames
#   bash Tests/Fuzz/run.sh json [seconds]    # JSON exports (reader + decoders), seeded with the sample exports
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${1:-frame}
seconds=${2:-600}
work="$root/.build-fuzz/$target"
mkdir -p "$work/corpus"
# The harness links the package's own stage targets, compiled here as modules from their folders
# (every file of MACAuditModel; MACAuditIngest without Rules/, which needs Yams), so a file added to
# either target is fuzzed without anyone editing this script.
modules="$root/.build-fuzz/modules"
mkdir -p "$modules"
build_module() {  # name, source folder, find arguments…  (rebuilt only when a source is newer)
  local name=$1 folder=$2; shift 2
  mapfile -t files < <(find "$folder" -name '*.swift' "$@" | sort)
  local list="$modules/$name.sources"
  if [ -f "$modules/lib$name.a" ] && [ "$(printf '%s\n' "${files[@]}")" = "$(cat "$list" 2>/dev/null)" ] &&
     [ -z "$(find "${files[@]}" $depends -newer "$modules/lib$name.a" | head -1)" ]; then return; fi
  printf '%s\n' "${files[@]}" > "$list"
  (cd "$modules" && swiftc -O -sanitize=fuzzer,address -parse-as-library -package-name macaudit -module-name "$name" \
     -I "$modules" -emit-module -emit-library -static -o "$modules/lib$name.a" "${files[@]}")
}
depends="" build_module MACAuditModel "$root/Sources/MACAuditModel"
depends="$modules/libMACAuditModel.a" build_module MACAuditIngest "$root/Sources/MACAuditIngest" -not -path '*/Rules/*'
sources=()
case "$target" in
  frame)
    sources=("$root/Tests/Fuzz/FrameDecoderFuzz.swift")
    # Seeds: every frame of the sample captures, prefixed with its link-type byte (0 = Ethernet).
    python3 - "$root/Captures/wire" "$work/corpus" <<'PY'
import os, struct, sys
src, dst = sys.argv[1], sys.argv[2]
n = 0
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), "rb").read()
    if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        continue  # pcapng seeds come from the pcap files
    link = struct.unpack("<I", data[20:24])[0]
    prefix = {1: 0, 113: 1, 276: 2}.get(link, 3)
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + caplen]
        open(os.path.join(dst, "seed-%04d" % n), "wb").write(bytes([prefix]) + frame)
        n += 1
        off += 16 + caplen
PY
    ;;
  json)
    # Ingest and the model behind it: ExportFile drives the reader, the decoders and the model.
    sources=("$root/Tests/Fuzz/JSONReaderFuzz.swift")
    for f in "$root"/Captures/sample-cluster/*.json; do head -c 4096 "$f" > "$work/corpus/$(basename "$f")"; done
    ;;
  *) echo "usage: run.sh frame|json [seconds]" >&2; exit 2 ;;
esac
swiftc -O -sanitize=fuzzer,address -parse-as-library -package-name macaudit -I "$modules" "${sources[@]}" \
  "$modules/libMACAuditIngest.a" "$modules/libMACAuditModel.a" -o "$work/fuzz"
"$work/fuzz" "$work/corpus" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 2>&1 | tail -25
