#!/usr/bin/env bash
# Fault soak: seeded runs against a simulator injecting 429, 503, connection resets, stalls past
# the client's timeout, truncated and malformed bodies, early token expiry and replication lag.
# Every run must complete or stop with a clear, resumable error; a follow-up apply must converge;
# nothing may corrupt state. --runs N (default 10), --seed S. Prints the counts.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "${MAILSCOPE_BIN:-.build/debug/mailscope}" ]] || { source scripts/setup; swift build --product mailscope >&2; }
exec python3 scripts/survival.py fault-soak "$@"
