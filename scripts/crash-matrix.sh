#!/usr/bin/env bash
# Crash matrix: SIGKILL `mailscope apply` at every write and every probe of the propagation wait
# (the simulator applies the request, then holds its answer), run apply again, and compare the
# tenant with an uninterrupted run. Exchange Online and Exchange Server. --quick samples four kill
# points per target (what scripts/test runs). Prints "N of N kill points converged".
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "${MAILSCOPE_BIN:-.build/debug/mailscope}" ]] || { source scripts/setup; swift build --product mailscope >&2; }
exec python3 scripts/survival.py crash-matrix "$@"
