#!/usr/bin/env bash
# Webhook benchmark (issue 6): deliveries per second from the dispatcher to a fast receiver on loopback (answers
# 204), measured in the same run as a plain loop of signed POSTs with the same HTTP client and concurrency and no
# database; and the resident memory of the process while `count` deliveries (default 100,000) are pending and sent.
# Prints the figures and writes them to bench/out/webhooks.txt.
#
# Usage: bench/webhooks.sh [count] [concurrency]
# Runs `bookingbridge bench webhooks` from the release binary (BRIDGE_BIN, default .build/release/bookingbridge,
# built if missing) against a throwaway PostgreSQL with fsync and synchronous_commit on, or against DATABASE_URL
# (an empty database) when set. The same measurement runs as a Swift test with WEBHOOK_BENCH=1
# (WebhookBenchmarkTests, a debug build against the test cluster, which has fsync off).
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-${WEBHOOK_BENCH_COUNT:-100000}}"
concurrency="${2:-${WEBHOOK_BENCH_CONCURRENCY:-32}}"
bin="${BRIDGE_BIN:-.build/release/bookingbridge}"
if [ ! -x "$bin" ]; then
    swift build -c release --product bookingbridge
fi
mkdir -p bench/out
"$bin" bench webhooks --count "$count" --concurrency "$concurrency" --out bench/out/webhooks.txt
