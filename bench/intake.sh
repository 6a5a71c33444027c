#!/usr/bin/env bash
# Intake benchmark (issue 4): accepted intents per second through POST /v1/intake/{source} against pgbench
# inserting one comparable row per transaction at the same concurrency, on one throwaway PostgreSQL with fsync and
# synchronous_commit on, everything on loopback. Then a second intake run at half the measured rate for latency.
#
# The bridge runs as `bookingbridge serve`. Its booking pipeline is parked on a HubSpot stand-in that accepts
# connections and never answers (and one worker), so the figures are intake's own, not the pipeline's.
#
# Usage: bench/intake.sh [concurrency] [seconds per run]
# Environment: BRIDGE_BIN (a built bookingbridge; default .build/release/bookingbridge, built if missing);
# PROFILE=1 records the bridge with `perf record -g` during the full-rate run (bench/out/perf.data).
set -euo pipefail
cd "$(dirname "$0")/.."
concurrency="${1:-${CONCURRENCY:-16}}"
seconds="${2:-${DURATION:-20}}"
out=bench/out
mkdir -p "$out"

have() { command -v "$1" >/dev/null 2>&1; }
if ! have wrk || ! have pgbench || ! have pg_config; then
    apt-get update -qq
    apt-get install -y -qq wrk postgresql >/dev/null
fi

bin="${BRIDGE_BIN:-.build/release/bookingbridge}"
if [ ! -x "$bin" ]; then
    swift build -c release --product bookingbridge
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A durable throwaway cluster (PostgreSQL refuses to run as root: as root it runs as the postgres user).
pgbin="$(pg_config --bindir)"
work="$(mktemp -d /tmp/bookingbridge-bench-XXXXXX)"
chmod 755 "$work"
as_pg=()
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$work"
    as_pg=(runuser -u postgres --)
fi
pg_port="$(free_port)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
    cp "$work/postgres.log" "$out/postgres.log" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
(cd "$work" && "${as_pg[@]}" "$pgbin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null)
(cd "$work" && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work -c max_connections=200 -c fsync=on -c synchronous_commit=on -c shared_buffers=256MB -c log_checkpoints=on -c log_autovacuum_min_duration=0 -c log_min_duration_statement=100 -c log_line_prefix=%m:" \
    start >/dev/null)
psql_() { psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
echo "PostgreSQL $(psql_ -At -c 'SHOW server_version') on port $pg_port: fsync=$(psql_ -At -c 'SHOW fsync'), synchronous_commit=$(psql_ -At -c 'SHOW synchronous_commit')"

# HubSpot stand-in that never answers: the pipeline's first call waits, the rest of the run it does nothing.
hub_port="$(free_port)"
python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $hub_port)); s.listen(64); time.sleep(86400)" &
pids+=($!)

bridge_port="$(free_port)"
DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable" \
    BRIDGE_CONFIG=bench/intake-bridge.json BRIDGE_PORT="$bridge_port" LOG_LEVEL=warning \
    HUBSPOT_ACCESS_TOKEN=bench HUBSPOT_BASE_URL="http://127.0.0.1:$hub_port" \
    "$bin" serve >"$out/bridge.log" 2>&1 &
bridge_pid=$!
pids+=($bridge_pid)
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$bridge_port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$bridge_port/healthz" >/dev/null || { echo "the bridge did not start; see $out/bridge.log"; exit 1; }

url="http://127.0.0.1:$bridge_port/v1/intake/bench"
threads=2
echo "warm-up (3 s)"
RUN_ID=warmup wrk -t"$threads" -c"$concurrency" -d3s -s bench/intake.lua "$url" >/dev/null

echo "intake: wrk -t$threads -c$concurrency -d${seconds}s"
if [ "${PROFILE:-0}" = 1 ]; then
    perf record -g -F 499 -p "$bridge_pid" -o "$out/perf.data" -- sleep "$seconds" >/dev/null 2>&1 &
fi
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Where the CPU goes, per request, over the middle of a run (its first and last second left out): the bridge, the
# whole PostgreSQL cluster (postmaster and every process it started: backends, WAL writer, checkpointer) and the
# load generator; and how much of both cores stayed idle.
postmaster="$(head -1 "$work/data/postmaster.pid")"
pg_ticks() {
    local total=0 pid
    for pid in "$postmaster" $(ps -o pid= --ppid "$postmaster"); do total=$((total + $(cpu_ticks "$pid"))); done
    echo "$total"
}
snapshot() { # $1: the load generator's pid
    echo "$(date +%s.%N) $(cpu_ticks "$bridge_pid") $(pg_ticks) $(cpu_ticks "$1") $(awk '/^cpu /{print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)"
}
# run_sampled NAME CLIENT COMMAND...: runs COMMAND (a wrk or pgbench run of $seconds, whose process is named CLIENT)
# with its output in $out/NAME.txt and on the terminal, and leaves its CPU samples in $work/NAME.cpu.
run_sampled() {
    local name="$1" client_name="$2"; shift 2
    "$@" >"$out/$name.txt" &
    local run=$!
    sleep 1
    local client; client="$(pgrep -n -x "$client_name" || echo 0)"
    local first; first="$(snapshot "$client")"
    sleep "$((seconds - 2))"
    echo "$first $(snapshot "$client")" >"$work/$name.cpu"
    wait "$run"
    cat "$out/$name.txt"
}
# per_request NAME RATE: "bridge postgres client idle%" per request, in microseconds.
per_request() {
    python3 - "$(cat "$work/$1.cpu")" "$2" "$(getconf CLK_TCK)" <<'PY'
import sys
v = [float(x) for x in sys.argv[1].split()]
rate, hz = float(sys.argv[2]), float(sys.argv[3])
(t0, b0, p0, c0, i0, a0), (t1, b1, p1, c1, i1, a1) = v[:6], v[6:]
us = lambda ticks: round((ticks / hz) / (t1 - t0) / rate * 1e6)
print(us(b1 - b0), us(p1 - p0), us(c1 - c0), round((i1 - i0) / (a1 - a0) * 100))
PY
}
bridge_ticks_before="$(cpu_ticks "$bridge_pid")"
commits_before="$(psql_ -At -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'")"
psql_ -c CHECKPOINT  # each phase starts without the previous one's dirty pages to write
run_sampled intake wrk env RUN_ID=full wrk -t"$threads" -c"$concurrency" -d"${seconds}s" --latency -s bench/intake.lua "$url"
bridge_ticks_after="$(cpu_ticks "$bridge_pid")"
commits_after="$(psql_ -At -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'")"
intake_rps="$(sed -n 's/^RESULT .*accepted_rps=\([0-9.]*\).*/\1/p' "$out/intake.txt")"
intake_p50="$(sed -n 's/^RESULT .*p50_ms=\([0-9.]*\).*/\1/p' "$out/intake.txt")"
intake_p99="$(sed -n 's/^RESULT .*p99_ms=\([0-9.]*\).*/\1/p' "$out/intake.txt")"

# pgbench: one row per transaction into a table shaped like intents (same columns, constraints and indexes),
# with values of the same size as the bridge stores (JSON written with ": " because pgbench reads ":name" as a
# variable).
psql_ -c "DROP TABLE IF EXISTS bench_rows; CREATE TABLE bench_rows (LIKE intents INCLUDING ALL);"
cat >"$work/insert.sql" <<'SQL'
\set n random(1, 1000000000)
INSERT INTO bench_rows (id, source, idempotency_key, status, raw, request, email, client_ip, user_agent)
VALUES (gen_random_uuid(), 'bench', 'key-bench-' || :client_id || '-' || :n || '-' || clock_timestamp(), 'received',
  '{"contentType": "application/x-www-form-urlencoded","fields": {"company": "Analytical Engines Ltd","company_website": "","date": "2027-01-12","email": "visitor12345@example.org","marketing_ok": "on","name": "Ada Lovelace 12345","notes": "Hello, I would like to talk about the difference engine and a possible pilot.","time": "09:30","tz": "Europe/Berlin"}}',
  '{"consents": {"1234": true},"durationMinutes": 30,"email": "visitor12345@example.org","firstName": "Ada","formFields": {"company": "Analytical Engines Ltd","message": "Hello, I would like to talk about the difference engine and a possible pilot."},"guestEmails": [],"lastName": "Lovelace 12345","locale": "en-us","slug": "jane-doe/intro-30","startTime": "2027-01-12T08:30:00.000Z","timezone": "Europe/Berlin"}',
  'visitor12345@example.org', '127.0.0.1', 'Mozilla/5.0 (X11; Linux x86_64) bench');
SQL
chmod 644 "$work/insert.sql"
echo "pgbench: -c$concurrency -j$threads -T$seconds -M prepared"
psql_ -c CHECKPOINT
run_sampled pgbench pgbench pgbench -n -h 127.0.0.1 -p "$pg_port" -U postgres -c "$concurrency" -j "$threads" -T "$seconds" \
    -M prepared -f "$work/insert.sql" postgres
pg_tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out/pgbench.txt" | head -1)"
# pgbench's rows are counted; dropped so that autovacuum of its table (triggered by ~100,000 inserts) does not run
# during the next phase and weigh on the bridge's commits.
psql_ -c "DROP TABLE bench_rows"

# Half the measured intake rate, spread evenly over the connections.
delay_ms="$(python3 -c "print(max(0, int(round($concurrency / ($intake_rps / 2) * 1000))))")"
echo "intake at about half that rate: wrk -t$threads -c$concurrency -d${seconds}s, DELAY_MS=$delay_ms per connection"
psql_ -c CHECKPOINT
RUN_ID=half DELAY_MS="$delay_ms" wrk -t"$threads" -c"$concurrency" -d"${seconds}s" --latency -s bench/intake.lua "$url" | tee "$out/intake-half.txt"
half_rps="$(sed -n 's/^RESULT .*accepted_rps=\([0-9.]*\).*/\1/p' "$out/intake-half.txt")"
half_p50="$(sed -n 's/^RESULT .*p50_ms=\([0-9.]*\).*/\1/p' "$out/intake-half.txt")"
half_p99="$(sed -n 's/^RESULT .*p99_ms=\([0-9.]*\).*/\1/p' "$out/intake-half.txt")"

# The floor: the bridge's CPU for an empty GET /healthz (no body, no database) at about the rate the target asks of
# intake (0.8 x pgbench), so that the intake figures above can be read against what the HTTP server alone costs.
target_rps="$(python3 -c "print(round(0.8 * $pg_tps))")"
# wrk waits whole milliseconds between a connection's requests, and each request's own time adds to that wait.
floor_delay_ms="$(python3 -c "print(max(1, round($concurrency / $target_rps * 1000) - 1))")"
echo "function delay() return $floor_delay_ms end" >"$work/floor.lua"
echo "empty requests at about $target_rps/s: wrk -t$threads -c$concurrency -d${seconds}s GET /healthz, ${floor_delay_ms} ms apart per connection"
run_sampled floor wrk wrk -t"$threads" -c"$concurrency" -d"${seconds}s" -s "$work/floor.lua" "http://127.0.0.1:$bridge_port/healthz"
floor_rps="$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out/floor.txt")"
read -r i_bridge i_pg i_wrk i_idle < <(per_request intake "$intake_rps")
read -r p_bridge p_pg p_client p_idle < <(per_request pgbench "$pg_tps")
read -r f_bridge _ _ _ < <(per_request floor "$floor_rps")
budget="$(python3 -c "print(round($(nproc) * 1e6 / $target_rps))")"
rows="$(psql_ -At -c "SELECT count(*) FROM intents WHERE source = 'bench'")"
peak_rss_mib="$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$bridge_pid/status" 2>/dev/null || echo "?")"
ratio="$(python3 -c "print(f'{$intake_rps / $pg_tps:.2f}')")"
echo
echo "== intake benchmark (concurrency $concurrency, ${seconds}s runs, fsync on, synchronous_commit on) =="
echo "intake:         $intake_rps accepted/s   p50 ${intake_p50} ms   p99 ${intake_p99} ms   ($((commits_after - commits_before)) commits, NOTIFYs included, for $(sed -n 's/^RESULT accepted=\([0-9]*\).*/\1/p' "$out/intake.txt") intents)"
echo "  bridge CPU during that run: $(python3 -c "print(round(($bridge_ticks_after - $bridge_ticks_before) / $(getconf CLK_TCK) / $seconds * 100))")% of one core (of $(nproc))"
echo "  CPU per intent (us, middle of the run): bridge $i_bridge + PostgreSQL $i_pg + wrk $i_wrk = $((i_bridge + i_pg + i_wrk)); idle ${i_idle}% of $(nproc) cores"
echo "pgbench insert: $pg_tps tps"
echo "  CPU per transaction (us): PostgreSQL $p_pg + pgbench $p_client = $((p_pg + p_client)); idle ${p_idle}%"
echo "ratio intake/pgbench: $ratio   (target >= 0.8)"
echo "intake at half rate: $half_rps accepted/s   p50 ${half_p50} ms   p99 ${half_p99} ms   (target p99 < 25 ms)"
echo "CPU budget at the target: $(nproc) cores at $target_rps intents/s leave $budget us per intent for bridge, PostgreSQL and wrk together"
echo "  the bridge's floor there: an empty GET /healthz at $floor_rps/s costs it $f_bridge us per request"
echo "intents stored: $rows"
echo "bridge peak RSS: $peak_rss_mib MiB (VmHWM over the whole run)"
echo "PostgreSQL's log (checkpoints, autovacuum, statements over 100 ms): $out/postgres.log; the bridge's: $out/bridge.log"
