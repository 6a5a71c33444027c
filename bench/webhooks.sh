#!/usr/bin/env bash
# Webhook benchmark (issue 6): deliveries per second from the dispatcher to a fast receiver on loopback (answers
# 204), measured in the same run as a plain loop of signed POSTs with the same HTTP client and concurrency and no
# database; and the resident memory of the process while all WEBHOOK_BENCH_COUNT deliveries (default 100,000) are
# pending. Prints the figures and writes them to bench/out/webhooks.txt.
#
# Usage: bench/webhooks.sh [count] [concurrency]
# Environment: CONFIG=release (default) or debug. DATABASE_URL: run against that server instead of a throwaway
# cluster (the throwaway one has fsync off; give a durable server's URL to include commit cost).
# The benchmark is a Swift test (WebhookBenchmarkTests) run with WEBHOOK_BENCH=1; in release it is built with
# testable imports, which the first time recompiles the dependencies in that mode.
set -euo pipefail
cd "$(dirname "$0")/.."
export WEBHOOK_BENCH=1
export WEBHOOK_BENCH_COUNT="${1:-${WEBHOOK_BENCH_COUNT:-100000}}"
export WEBHOOK_BENCH_CONCURRENCY="${2:-${WEBHOOK_BENCH_CONCURRENCY:-32}}"
config="${CONFIG:-release}"
mkdir -p bench/out
swift test -c "$config" --filter WebhookBenchmarkTests 2>&1 | grep -v -e '^\[' -e 'PostgresNIO' | tee bench/out/webhooks.log
cat bench/out/webhooks.txt
