#!/usr/bin/env bash
# Secrets and least privilege, both targets: after a full run with a known secret, the secret is in
# no file but its own 0600 one (journal, state, stdout/stderr, check --json, `mailscope script`, the
# simulator's log), state files are 0600 and directories 0700, http:// to a remote host is refused;
# then every mailbox of the simulator is called as the app (Graph with its own token; EWS
# impersonation as the service account): denied outside the scope, allowed inside.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x "${MAILSCOPE_BIN:-.build/debug/mailscope}" ]] || { source scripts/setup; swift build --product mailscope >&2; }
status=0
python3 scripts/survival.py secrets || status=1
python3 scripts/survival.py least-privilege || status=1
exit $status
