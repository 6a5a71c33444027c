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

# The cluster, the parked HubSpot stand-in, the bridge and the CPU sampling helpers.
source bench/lib.sh

url="http://127.0.0.1:$bridge_port/v1/intake/bench"
threads=2
echo "warm-up (3 s)"
RUN_ID=warmup wrk -t"$threads" -c"$concurrency" -d3s -s bench/intake.lua "$url" >/dev/null

echo "intake: wrk -t$threads -c$concurrency -d${seconds}s"
if [ "${PROFILE:-0}" = 1 ]; then
    perf record -g -F 499 -p "$bridge_pid" -o "$out/perf.data" -- sleep "$seconds" >/dev/null 2>&1 &
fi
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
