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
core="$root/Sources/MACAudit"
case "$target" in
  frame)
    sources=("$core/Wire/ByteReader.swift" "$core/Wire/Sightings.swift" "$core/Wire/FrameDecoder.swift"
             "$core/Model/MACAddress.swift" "$core/Ingest/JSONReader.swift" "$core/Ingest/JSONValue.swift"
             "$root/Tests/Fuzz/FrameDecoderFuzz.swift")
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
    # (not the input-set walker, findings or the reconciler's index, which need the other stages).
    mapfile -t sources < <(find "$core/Ingest" "$core/Model" -name '*.swift' ! -name InputSet.swift ! -name Finding.swift ! -name StringIndex.swift | sort)
    sources+=("$root/Tests/Fuzz/JSONReaderFuzz.swift")
    for f in "$root"/Captures/sample-cluster/*.json; do head -c 4096 "$f" > "$work/corpus/$(basename "$f")"; done
    ;;
  *) echo "usage: run.sh frame|json [seconds]" >&2; exit 2 ;;
esac
swiftc -O -sanitize=fuzzer,address -parse-as-library "${sources[@]}" -o "$work/fuzz"
"$work/fuzz" "$work/corpus" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 2>&1 | tail -25
