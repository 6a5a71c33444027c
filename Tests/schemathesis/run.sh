#!/usr/bin/env bash
# Runs schemathesis (property-based API testing, from PyPI) against a live bridge with docs/openapi.yaml as
# served by that bridge: no answer may be a 5xx, and every answer must match the document (status code, content
# type, headers, body schema).
#
# The bridge is `bookingbridge dev`: a throwaway PostgreSQL (unless DATABASE_URL is set), the HubSpot sandbox, a
# demo subscriber, and the sources below. Everything it starts is stopped again on exit.
#
#   Tests/schemathesis/run.sh                    # defaults: 40 examples per operation
#   MAX_EXAMPLES=200 Tests/schemathesis/run.sh   # longer run
#   SCHEMATHESIS_ARGS="--seed 1" Tests/schemathesis/run.sh
#   OPENAPI_SOURCE=file Tests/schemathesis/run.sh # read docs/openapi.yaml instead of GET /openapi.yaml
#
# Needs python3 with venv (Debian: python3-venv) and network access to PyPI on the first run; the virtual
# environment is kept in .build-schemathesis/ (git-ignored). Exit status: schemathesis's (0 when everything passed).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
work="$root/.build-schemathesis"
mkdir -p "$work"
log() { echo "[schemathesis] $*"; }

# --- schemathesis, in its own virtual environment -----------------------------------------------------------
venv="$work/venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  log "installing schemathesis into .build-schemathesis/venv"
  python3 -m venv "$venv" || { log "python3 -m venv failed (Debian: apt-get install python3-venv)"; exit 2; }
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$venv/bin/python" -m pip install -q 'schemathesis>=4,<5'
fi
log "$("$venv/bin/schemathesis" --version)"

# --- the bridge ---------------------------------------------------------------------------------------------
log "building bookingbridge"
swift build --product bookingbridge 2>&1 | tail -n 3
binary="$(swift build --show-bin-path)/bookingbridge"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
token="schemathesis-admin-token"
# Two sources: a public one (no credentials, any origin) and a token one (the fuzzer does not know its token, so it
# sees the 401 path). Limits are raised so that the fuzzer is not just answered 429.
cat > "$work/config.json" <<'JSON'
{
  "sources": {
    "demo": {
      "auth": { "mode": "public", "allowedOrigins": [], "honeypotField": "website" },
      "slug": "jane-doe/intro-30",
      "durationMinutes": 30,
      "timezone": "Europe/London",
      "formFields": { "company": "company" },
      "consent": { "marketing": "101" }
    },
    "partner": {
      "auth": { "mode": "token", "token": "partner-token-not-given-to-the-fuzzer" },
      "slug": "jane-doe/intro-30",
      "durationMinutes": 30,
      "timezone": "UTC"
    }
  },
  "intake": { "rateLimitPerClientPerMinute": 1000000, "defaultSourceRateLimitPerMinute": 1000000 },
  "webhooks": { "allowDestinations": ["127.0.0.0/8"], "timeoutSeconds": 2 }
}
JSON

bridge_log="$work/bridge.log"
log "starting bookingbridge dev on port $port (log: .build-schemathesis/bridge.log)"
env -u HUBSPOT_ACCESS_TOKEN -u HUBSPOT_CLIENT_ID -u HUBSPOT_CLIENT_SECRET -u HUBSPOT_REFRESH_TOKEN \
  BRIDGE_CONFIG="$work/config.json" BRIDGE_ADMIN_TOKEN="$token" BRIDGE_PUBLIC_URL="" LOG_LEVEL=warning \
  "$binary" dev --port "$port" >"$bridge_log" 2>&1 &
bridge=$!

stop_bridge() {
  if kill -0 "$bridge" 2>/dev/null; then
    # SIGINT is dev's Ctrl-C: it stops everything and removes the throwaway database.
    kill -INT "$bridge" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$bridge" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$bridge" 2>/dev/null || true
  fi
  wait "$bridge" 2>/dev/null || true
}
trap stop_bridge EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 240); do
  if curl -fsS "$base/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$bridge" 2>/dev/null; then
    log "the bridge exited before it was ready:"
    tail -n 40 "$bridge_log"
    exit 2
  fi
  sleep 0.5
done
curl -fsS "$base/readyz" >/dev/null || { log "the bridge did not become ready"; tail -n 40 "$bridge_log"; exit 2; }
log "bridge ready at $base"

# --- the run ------------------------------------------------------------------------------------------------
# The document as the bridge serves it (that is part of the test); OPENAPI_SOURCE=file uses docs/openapi.yaml.
schema="$base/openapi.yaml"
if [ "${OPENAPI_SOURCE:-served}" = file ]; then schema="$root/docs/openapi.yaml"; fi
status=0
# shellcheck disable=SC2086
"$venv/bin/schemathesis" run "$schema" \
  --url "$base" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "${MAX_EXAMPLES:-40}" \
  --workers "${WORKERS:-1}" \
  --request-timeout 20 \
  --report junit --report-dir "$work/report" \
  ${SCHEMATHESIS_ARGS:-} || status=$?

if grep -q 'unexpected error answering request' "$bridge_log"; then
  log "the bridge logged unexpected errors:"
  grep -E 'unexpected error answering request' "$bridge_log" | head -n 20
fi
log "schemathesis exited $status (JUnit report: .build-schemathesis/report/)"
exit "$status"
