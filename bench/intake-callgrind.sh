#!/usr/bin/env bash
# Instructions per intake request (issue 24), counted by valgrind's callgrind instead of timed: a fixed set of
# form posts through the bridge's own router in process (`bookingbridge bench intake`, against a throwaway durable
# PostgreSQL), beside the same number of empty GET /healthz through the same router (the floor). Repeatable to a
# fraction of a percent on a busy machine, so a change's cost shows without the machine's noise.
#
# Usage: bench/intake-callgrind.sh [requests]        (default 1000; 200 warm-up posts before either phase)
# Exits 2 when valgrind is missing and cannot be installed, 1 when the run itself broke.
# Environment: BRIDGE_BIN (a built bookingbridge; default .build/release/bookingbridge, built if missing).
# Prints `intake instructions per request: N (empty GET floor M, ratio R)` and keeps both profiles in bench/out
# (callgrind-floor.out, callgrind-intake.out: read them with `callgrind_annotate --inclusive=yes`).
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
out=bench/out
mkdir -p "$out"

have() { command -v "$1" >/dev/null 2>&1; }
if ! have valgrind || ! have cc; then
    { apt-get update -qq && apt-get install -y -qq valgrind gcc binutils >/dev/null; } || true
fi
if ! have valgrind || ! have cc; then
    echo "valgrind (or a C compiler) is not installed and could not be: no instruction count"
    exit 2
fi
bin="${BRIDGE_BIN:-.build/release/bookingbridge}"
if [ ! -x "$bin" ]; then
    swift build -c release --product bookingbridge
fi

work="$(mktemp -d /tmp/bookingbridge-callgrind-XXXXXX)"
trap 'rm -rf "$work"' EXIT
# valgrind crashes on libdispatch's sigsuspend without this shim (see the file); debug info stripped so that
# valgrind does not spend minutes reading it (symbols stay).
cc -shared -fPIC -O2 -o "$work/shim.so" bench/callgrind-sigsuspend.c
strip --strip-debug -o "$work/bookingbridge" "$bin"
LD_PRELOAD="$work/shim.so" valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" \
    --zero-before='*BenchMeasureStart*' --dump-before='*BenchMeasureStop*' \
    "$work/bookingbridge" bench intake --count "$count" --warm-up 200 >"$out/callgrind.log" 2>&1 || {
    tail -n 20 "$out/callgrind.log"
    echo "the callgrind run failed; see $out/callgrind.log"
    exit 1
}
floor_file="$(ls "$work"/cg.*.1 2>/dev/null | head -1 || true)"
intake_file="$(ls "$work"/cg.*.2 2>/dev/null | head -1 || true)"
if [ -z "$floor_file" ] || [ -z "$intake_file" ]; then
    echo "callgrind wrote no profile per phase; see $out/callgrind.log"
    exit 1
fi
cp "$floor_file" "$out/callgrind-floor.out"
cp "$intake_file" "$out/callgrind-intake.out"
python3 - "$floor_file" "$intake_file" "$count" <<'PY'
import re, sys
def total(path):
    text = open(path).read()
    m = re.search(r"^(?:totals|summary):\s*(\d+)", text, re.M)
    if not m: sys.exit(f"no instruction total in {path}")
    return int(m.group(1))
floor, intake, count = total(sys.argv[1]), total(sys.argv[2]), int(sys.argv[3])
f, i = round(floor / count), round(intake / count)
print(f"intake instructions per request: {i:,} (empty GET floor {f:,}, ratio {i / f:.1f})")
PY
