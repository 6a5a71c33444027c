# Shared by bench/intake.sh and bench/intake-table.sh (sourced, not run): a durable throwaway PostgreSQL, a HubSpot
# stand-in that never answers (so the booking pipeline stays parked and the figures are intake's own), the bridge
# serving bench/intake-bridge.json, and CPU sampling of the bridge, PostgreSQL and the load generator from /proc.
# Everything listens on loopback and is stopped on exit.
#
# Expects: out (the output folder), seconds (length of a sampled run). Sets: bin, work, pg_port, bridge_port,
# bridge_pid, postmaster; defines psql_, cpu_ticks, pg_ticks, snapshot, run_sampled, per_request.

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
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work -c max_connections=400 -c fsync=on -c synchronous_commit=on -c shared_buffers=256MB -c log_checkpoints=on -c log_autovacuum_min_duration=0 -c log_min_duration_statement=100 -c log_line_prefix=%m:" \
    start >/dev/null)
psql_() { psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
echo "PostgreSQL $(psql_ -At -c 'SHOW server_version') on port $pg_port: fsync=$(psql_ -At -c 'SHOW fsync'), synchronous_commit=$(psql_ -At -c 'SHOW synchronous_commit')"
postmaster="$(head -1 "$work/data/postmaster.pid")"

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

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The whole PostgreSQL cluster: postmaster and every process it started (backends, WAL writer, checkpointer).
pg_ticks() {
    local total=0 pid
    for pid in "$postmaster" $(ps -o pid= --ppid "$postmaster"); do total=$((total + $(cpu_ticks "$pid"))); done
    echo "$total"
}
snapshot() { # $1: the load generator's pid
    echo "$(date +%s.%N) $(cpu_ticks "$bridge_pid") $(pg_ticks) $(cpu_ticks "$1") $(awk '/^cpu /{print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)"
}
# run_sampled NAME CLIENT COMMAND...: runs COMMAND (a wrk or pgbench run of $seconds, whose process is named CLIENT)
# with its output in $out/NAME.txt and on the terminal, and leaves its CPU samples (the middle of the run: its
# first and last second left out) in $work/NAME.cpu.
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
