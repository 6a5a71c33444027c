#!/usr/bin/env bash
# Installs the reference Standard Webhooks library and runs the Swift test that has it verify real deliveries
# (including across a secret rotation). Run from anywhere; builds the tests first.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -m pip install --quiet standardwebhooks
swift build --build-tests
swift test --skip-build --filter WebhookPythonReceiverTests
