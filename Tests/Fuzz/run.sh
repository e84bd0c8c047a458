#!/usr/bin/env bash
# Builds and runs a libFuzzer target over the core's own sources (SwiftPM cannot link a
# -sanitize=fuzzer executable, so swiftc is called directly).
#   bash Tests/Fuzz/run.sh frame [seconds]   # the frame decoder, seeded with Captures/wire frames
#   bash Tests/Fuzz/run.sh json [seconds]    # JSON exports (reader + decoders), seeded with the sample exports
#   bash Tests/Fuzz/run.sh rules [seconds]   # rule files (Yams + every rule kind), seeded with rules/
#   bash Tests/Fuzz/run.sh registry [seconds] # IEEE registry files (CSV, manuf), seeded with ieee-data and manuf heads
#   bash Tests/Fuzz/run.sh database [seconds] # --db values (postgres:// URLs, paths) and ~/.pgpass files
# A crash, leak or timeout exits non-zero and prints the input as base64; inputs kept in
# Tests/Fixtures/fuzz/TARGET/ (crashes found earlier, turned into regression inputs) run first.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${1:-frame}
seconds=${2:-600}
case "$target" in frame|json|rules|registry|database) ;; *) echo "usage: run.sh frame|json|rules|registry|database [seconds]" >&2; exit 2 ;; esac
work="$root/.build-fuzz/$target"
rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/artifacts"
flags=(-O -sanitize=fuzzer,address -parse-as-library)
# The harness links the package's own stage targets, compiled here as modules from their folders
# (every file of MACAuditModel and MACAuditIngest, Yams and its C parser from the package's
# checkout), so a file added to either target is fuzzed without anyone editing this script.
modules="$root/.build-fuzz/modules"
mkdir -p "$modules"
yams="$root/.build/checkouts/Yams/Sources"
[ -d "$yams" ] || (cd "$root" && swift package resolve >/dev/null)
fresh() {  # library, list file, sources…: true when the library is newer than its sources and the list is unchanged
  local lib=$1 list=$2; shift 2
  [ -f "$lib" ] && [ "$(printf '%s\n' "$@")" = "$(cat "$list" 2>/dev/null)" ] &&
    [ -z "$(find "$@" $depends -newer "$lib" | head -1)" ]
}
build_c_module() {  # CYaml: clang with the fuzzer's coverage instrumentation and ASan
  mapfile -t files < <(find "$yams/CYaml/src" -name '*.c' | sort)
  if fresh "$modules/libCYaml.a" "$modules/CYaml.sources" "${files[@]}"; then return; fi
  printf '%s\n' "${files[@]}" > "$modules/CYaml.sources"
  rm -rf "$modules/cyaml" && mkdir -p "$modules/cyaml"
  for f in "${files[@]}"; do
    clang -O1 -g -fsanitize=fuzzer-no-link,address -DYAML_DECLARE_STATIC -I "$yams/CYaml/include" \
      -c "$f" -o "$modules/cyaml/$(basename "$f" .c).o"
  done
  rm -f "$modules/libCYaml.a" && ar rcs "$modules/libCYaml.a" "$modules"/cyaml/*.o
}
build_module() {  # name, source folder, extra swiftc arguments…  (rebuilt only when a source is newer)
  local name=$1 folder=$2; shift 2
  mapfile -t files < <(find "$folder" -name '*.swift' | sort)
  if fresh "$modules/lib$name.a" "$modules/$name.sources" "${files[@]}"; then return; fi
  printf '%s\n' "${files[@]}" > "$modules/$name.sources"
  (cd "$modules" && swiftc "${flags[@]}" "$@" -module-name "$name" -I "$modules" -emit-module -emit-library -static \
     -o "$modules/lib$name.a" "${files[@]}")
}
cyaml=(-Xcc -DYAML_DECLARE_STATIC -I "$yams/CYaml/include")
depends="" build_c_module
depends="$modules/libCYaml.a" build_module Yams "$yams/Yams" -D SWIFT_PACKAGE "${cyaml[@]}"
depends="" build_module MACAuditModel "$root/Sources/MACAuditModel" -package-name macaudit
depends="$modules/libMACAuditModel.a $modules/libYams.a" build_module MACAuditIngest "$root/Sources/MACAuditIngest" -package-name macaudit "${cyaml[@]}"
case "$target" in
  frame)
    source="$root/Tests/Fuzz/FrameDecoderFuzz.swift"
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
    source="$root/Tests/Fuzz/JSONReaderFuzz.swift"
    for f in "$root"/Captures/sample-cluster/*.json "$root"/Tests/Fixtures/nc/*.json "$root"/Tests/Fixtures/shapes/*.json; do
      [ -f "$f" ] && head -c 4096 "$f" > "$work/corpus/$(basename "$(dirname "$f")")-$(basename "$f")"
    done
    ;;
  rules)
    # Seeds: every shipped rule file, prefixed with the byte that selects its kind (the order of
    # Rules.fileNames), and every rules folder the tests and samples keep.
    source="$root/Tests/Fuzz/RulesFuzz.swift"
    python3 - "$root" "$work/corpus" <<'PY'
import glob, os, sys
root, dst = sys.argv[1], sys.argv[2]
kinds = ["reserved-prefixes.yaml", "severities.yaml", "pools.yaml", "plan.yaml", "database.yaml", "ouis.yaml"]
files = glob.glob(os.path.join(root, "rules", "*.yaml")) + glob.glob(os.path.join(root, "Captures", "**", "*.yaml"), recursive=True) \
      + glob.glob(os.path.join(root, "Tests", "Fixtures", "**", "*.yaml"), recursive=True)
for n, path in enumerate(sorted(files)):
    name = os.path.basename(path)
    if name in kinds:
        open(os.path.join(dst, "seed-%03d" % n), "wb").write(bytes([kinds.index(name)]) + open(path, "rb").read())
PY
    ;;
  registry)
    # Seeds: the head of every installed registry file (even byte: IEEE CSV, odd: manuf) and the
    # quirks the tests know (quotes, line breaks in fields, CRLF, a BOM, /28 and /36 masks).
    source="$root/Tests/Fuzz/RegistryFuzz.swift"
    python3 - "$work/corpus" <<'PY'
import glob, os, sys
dst = sys.argv[1]
seeds = []
for path in sorted(glob.glob("/usr/share/ieee-data/*.csv")):
    seeds.append(b"\x00" + b"".join(open(path, "rb").readlines()[:60]))
if os.path.exists("/usr/share/wireshark/manuf"):
    lines = open("/usr/share/wireshark/manuf", "rb").readlines()
    seeds.append(b"\x01" + b"".join(lines[:80]) + b"".join(l for l in lines if b"/36" in l or b"/28" in l)[:4000])
seeds.append(b"\x00\xef\xbb\xbfRegistry,Assignment,Organization Name,Organization Address\r\nMA-L,F4BD9E,\"Cisco Systems, Inc\",\"a\r\nb\"\r\nMA-S,70B3D5F2F,\"x \"\"y\"\"\",\r\n")
seeds.append(b"\x01# manuf\n00:15:5D\tMicrosof\tMicrosoft Corporation\n00:1B:C5:00:00:00/36\tConvergi\tConverging\n00:55:DA:50:00:00/28\tNano\n")
for n, seed in enumerate(seeds):
    open(os.path.join(dst, "seed-%03d" % n), "wb").write(seed)
PY
    ;;
  database)
    # Seeds: URLs of every shape the reader knows (even first byte) and password files (odd).
    source="$root/Tests/Fuzz/DatabaseLocationFuzz.swift"
    n=0
    for seed in '\x00\x00postgres://u:p%40w@db.example.net:6432/fleet?sslmode=verify-full&sslrootcert=/etc/ca.crt&connect_timeout=5' \
                '\x00\x01postgresql:///fleet?host=/run/postgresql&application_name=x' '\x00\x00postgres://u@[fd00::5]:5444/x' \
                '\x00\x01/var/lib/macaudit/pool.sqlite' '\x00\x00postgres:/broken' '\x00\x00redis://h/0' \
                '\x01\x00# c\ndb:5432:fleet:audit:first\n*:*:*:*:second\nweird\\:host:*:*:*:x\\\\y\n'; do
      printf %b "$seed" > "$work/corpus/seed-$n"; n=$((n + 1))
    done
    ;;
esac
swiftc "${flags[@]}" -package-name macaudit -I "$modules" "${cyaml[@]}" "$source" \
  "$modules/libMACAuditIngest.a" "$modules/libMACAuditModel.a" "$modules/libYams.a" "$modules/libCYaml.a" -o "$work/fuzz" \
  2> "$work/link.log" || { cat "$work/link.log" >&2; exit 1; }
corpora=("$work/corpus")
[ -d "$root/Tests/Fixtures/fuzz/$target" ] && corpora+=("$root/Tests/Fixtures/fuzz/$target")
rm -f "$work/artifacts"/*
status=0
"$work/fuzz" "${corpora[@]}" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" > "$work/log" 2>&1 || status=$?
tail -25 "$work/log"
if [ "$status" -ne 0 ]; then
  for f in "$work/artifacts"/*; do
    [ -f "$f" ] || continue
    echo "fuzz $target: $(basename "$f") ($(wc -c < "$f") bytes), base64 (save it as Tests/Fixtures/fuzz/$target/NAME):"
    base64 -w 76 "$f"
  done
  echo "fuzz $target: failed (exit $status); the whole log is $work/log" >&2
  exit "$status"
fi
