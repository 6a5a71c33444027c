#!/usr/bin/env bash
# Intake's cost per request against its own floor (issue 24), at 16, 64 and 256 connections: for each, wrk posts
# distinct urlencoded forms to POST /v1/intake/bench at full rate, then an empty GET /healthz is offered at about
# the rate intake just reached (same connections), then intake again at half its rate for the latency. The bridge's
# CPU comes from /proc/PID/stat over the middle of each run. One throwaway durable PostgreSQL (fsync and
# synchronous_commit on) and the bridge parked on a HubSpot stand-in that never answers, as bench/intake.sh.
#
# Usage: bench/intake-table.sh [seconds per run] [connections...]    (default: 15 s; 16 64 256)
# Environment: BRIDGE_BIN (a built bookingbridge; default .build/release/bookingbridge, built if missing); LABEL
# (what the table's title calls the binary, e.g. the commit it was built from).
# Prints a Markdown table and writes it to bench/out/intake-table.md (and the rows to bench/out/intake-table.tsv).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
shift || true
connections=("$@")
[ ${#connections[@]} -gt 0 ] || connections=(16 64 256)
out=bench/out
mkdir -p "$out"
source bench/lib.sh

url="http://127.0.0.1:$bridge_port/v1/intake/bench"
threads=2
# wrk's delay() is in whole milliseconds between a connection's requests; each request's own time adds to it.
delay_for() { python3 -c "print(max(0, round($1 / $2 * 1000) - 1))"; }
field() { sed -n "s/^RESULT .*$1=\([0-9.]*\).*/\1/p" "$2"; }
rows=()
for c in "${connections[@]}"; do
    echo "== $c connections"
    RUN_ID="warmup-$c" wrk -t"$threads" -c"$c" -d3s -s bench/intake.lua "$url" >/dev/null
    psql_ -c CHECKPOINT
    run_sampled "table-intake-$c" wrk env RUN_ID="full-$c" wrk -t"$threads" -c"$c" -d"${seconds}s" --latency \
        -s bench/intake.lua "$url" | grep -E '^RESULT|Requests/sec'
    rate="$(field accepted_rps "$out/table-intake-$c.txt")"
    p99="$(field p99_ms "$out/table-intake-$c.txt")"
    read -r i_bridge i_pg _ _ < <(per_request "table-intake-$c" "$rate")

    echo "function delay() return $(delay_for "$c" "$rate") end" >"$work/floor-$c.lua"
    run_sampled "table-floor-$c" wrk wrk -t"$threads" -c"$c" -d"${seconds}s" -s "$work/floor-$c.lua" \
        "http://127.0.0.1:$bridge_port/healthz" | grep -E 'Requests/sec'
    floor_rate="$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out/table-floor-$c.txt")"
    read -r f_bridge _ _ _ < <(per_request "table-floor-$c" "$floor_rate")

    psql_ -c CHECKPOINT
    RUN_ID="half-$c" DELAY_MS="$(delay_for "$c" "$(python3 -c "print($rate / 2)")")" wrk -t"$threads" -c"$c" \
        -d"${seconds}s" --latency -s bench/intake.lua "$url" >"$out/table-half-$c.txt"
    half_rate="$(field accepted_rps "$out/table-half-$c.txt")"
    half_p99="$(field p99_ms "$out/table-half-$c.txt")"
    rows+=("$c	$rate	$p99	$i_bridge	$i_pg	$floor_rate	$f_bridge	$half_rate	$half_p99")
    echo "intake $rate/s p99 $p99 ms, bridge $i_bridge us/intent (PostgreSQL $i_pg); empty GET at $floor_rate/s: $f_bridge us; half rate $half_rate/s p99 $half_p99 ms"
done
printf '%s\n' "${rows[@]}" >"$out/intake-table.tsv"
# LABEL names what was measured in the title (say, the commit the binary was built from); the checkout's commit is
# only a guess when BRIDGE_BIN points elsewhere.
label="${LABEL:-checkout $(git rev-parse --short HEAD 2>/dev/null || echo '?')}"
python3 - "$out/intake-table.tsv" "$label" "$bin" <<'PY' | tee "$out/intake-table.md"
import sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line]
print(f"intake against its own floor ({sys.argv[3]}, {sys.argv[2]}; durable PostgreSQL on loopback)\n")
print("| connections | accepted/s | p99 | bridge CPU per intent | PostgreSQL CPU per intent | empty GET at ~same rate | ratio (target ≤ 1.5) | p99 at half rate (target < 25 ms) |")
print("|---|---|---|---|---|---|---|---|")
verdicts = []
for c, rate, p99, bridge, pg, floor_rate, floor, half_rate, half_p99 in rows:
    ratio = float(bridge) / float(floor) if float(floor) else float("inf")
    print(f"| {c} | {float(rate):,.0f} | {float(p99):.0f} ms | {bridge} µs | {pg} µs | {floor} µs at {float(floor_rate):,.0f}/s | {ratio:.2f} | {float(half_p99):.1f} ms at {float(half_rate):,.0f}/s |")
    verdicts.append(f"- {'met' if ratio <= 1.5 else 'missed'}: intake CPU per intent against the empty GET floor at {c} connections: {ratio:.2f}x (target ≤ 1.5x)")
    verdicts.append(f"- {'met' if float(half_p99) < 25 else 'missed'}: intake p99 at half rate at {c} connections: {float(half_p99):.1f} ms (target < 25 ms)")
print()
print("\n".join(verdicts))
PY
