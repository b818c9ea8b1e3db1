#!/usr/bin/env bash
# Hostile input: config values that try to break out of the scope filter or the PowerShell export
# (quotes, typographic quotes, backticks, $(), newlines, OPATH operators), overlong and non-UTF-8
# text, wrong tenant ids, malformed TOML, non-https and non-loopback URLs: each is refused by plan,
# check and script with exit 2 and the field named, before anything is sent (the simulators count
# the requests), and nothing crashes. A legal but hostile scope name goes through apply on Exchange
# Server and must arrive as the exact literal in the simulated Exchange Management Shell.
# Malformed server responses: scripts/fuzz and scripts/fault-soak.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "${MAILSCOPE_BIN:-.build/debug/mailscope}" ]] || { source scripts/setup; swift build --product mailscope >&2; }
python3 scripts/survival.py hostile-input
