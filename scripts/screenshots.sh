#!/usr/bin/env bash
# Regenerates screenshots/*.png from real runs of `mailscope demo` under a private tmux server:
# one picture per screen of the flow (start, form, field help, sign-in, plan, apply, propagation
# wait, log, help, quit confirmation, hand-off, re-check with drift, too small, ASCII/mono), the
# members editor after a paste, the compact layout (40x12 sign-in and wait, the code alone at 30x8),
# the Exchange Server (on-premises) flow (target choice, server form, an Exchange Management Shell
# step with the role's warning, the wait, the hand-off), the preset table on the start screen.
#
#   scripts/screenshots.sh            # writes screenshots/NN-name.png (+ .ansi, git-ignored)
#
# Uses the helpers and knobs of scripts/e2e-tmux.sh (MAILSCOPE_BIN, E2E_DEMO_ARGS, E2E_TENANT,
# E2E_MEMBERS, E2E_TIMEOUT). Installs pyte and Pillow from PyPI when they are missing.

set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=e2e-tmux.sh
E2E_SOURCE_ONLY=1 source "$ROOT/scripts/e2e-tmux.sh"
trap cleanup EXIT

OUT="$ROOT/screenshots"
mkdir -p "$OUT"
SHOTS=0

if ! python3 -c "import pyte, PIL, wcwidth" 2>/dev/null; then
    python3 -m pip install --quiet pyte pillow 2>/dev/null ||
        python3 -m pip install --quiet --user pyte pillow 2>/dev/null ||
        python3 -m pip install --quiet --break-system-packages pyte pillow
fi
if [[ ! -x "$BIN" ]]; then
    (cd "$ROOT" && swift build --product mailscope) || exit 1
fi

# shot NAME [COLS ROWS] -- captures the current session to screenshots/NAME.{ansi,png}.
shot() {
    local name=$1 cols=${2:-80} rows=${3:-24}
    sleep 0.3  # let the last frame land
    "${TMUX_CMD[@]}" capture-pane -t "$LAST_SESSION" -p -e -N >"$OUT/$name.ansi"
    python3 "$ROOT/scripts/ansi2png.py" "$cols" "$rows" "$OUT/$name.png" <"$OUT/$name.ansi"
    SHOTS=$((SHOTS + 1))
    echo "  $name.png"
}

fail() { echo "screenshots: $*" >&2; exit 1; }

# next_flow TITLE -- a fresh tmux server for the next flow.
next_flow() {
    "${TMUX_CMD[@]}" kill-server >/dev/null 2>&1 || true
    sleep 0.3
    echo "$1"
}

next_flow "setup flow"
state="$WORK/shots-setup"
start_app setup "$state" 80 24
wait_for "What do you want to do?" || fail "no start screen"
shot 01-start
keys Enter
wait_for "Step 1 of 3" || fail "no form"
shot 02-form-tenant
keys F1
wait_for "Help" && shot 03-field-help
keys Escape
keys Enter Enter
wait_for "Step 2 of 3" && shot 04-form-account
fill_form || fail "form"
if [[ $(wait_for_any "$TIMEOUT" "Enter this code" "Plan: ") == "Enter this code" ]]; then
    shot 05-sign-in-device-code
fi
wait_for "Plan: " || fail "no plan"
shot 06-plan
keys y
wait_for_any 10 "applying" "Propagation wait" >/dev/null && shot 07-applying
wait_for "Propagation wait" $((TIMEOUT * 2)) || fail "no wait"
sleep 2
shot 08-propagation-wait
keys l
wait_for "Log ·" && shot 09-log
keys l
keys '?'
wait_for "Help" && shot 10-help
keys Escape
keys q
wait_for "Quit mailscope?" && shot 11-quit-confirmation
keys n
wait_for "Every stage is verified" $((TIMEOUT * 4)) || fail "not verified"
shot 12-hand-off
keys Enter q

next_flow "re-check flow"
state="$WORK/shots-recheck"
start_app recheck "$state" 80 24
wait_for "What do you want to do?" || fail "no start screen"
for _ in $(seq 1 8); do
    screen | grep -qF "▶ Re-check an existing setup" && break
    keys Up
    sleep 0.1
done
keys Enter
fill_form || fail "re-check form"
wait_for "Drift in" $((TIMEOUT * 2)) && shot 13-recheck-drift
keys q

next_flow "small terminal"
state="$WORK/shots-small"
start_app small "$state" 80 24
wait_for "What do you want to do?" || fail "no start screen"
"${TMUX_CMD[@]}" resize-window -t small -x 30 -y 8
wait_for "Terminal too small" && shot 14-too-small 30 8
keys q

next_flow "the preset table on the start screen (issue 16)"
state="$WORK/shots-presets"
start_app presets "$state" 80 24
wait_for "What do you want to do?" || fail "no start screen"
keys Down Down
wait_for "iOFFICE: its guide today" && shot 26-preset-table-ioffice
keys Down Down
wait_for "Workato: its guide today" && shot 27-preset-table-workato
"${TMUX_CMD[@]}" resize-window -t presets -x 120 -y 40
wait_for "Exchange Online: works differently today" && shot 28-preset-table-workato-120x40 120 40
keys q

next_flow "members editor (a pasted list) and the compact layout"
state="$WORK/shots-compact"
saved_args=("${DEMO_ARGS[@]}")
DEMO_ARGS=(demo --propagation-seconds 20)  # not --fast: the sign-in code stays up
start_app compact "$state" 80 24
DEMO_ARGS=("${saved_args[@]}")
to_members || fail "no members field"
keys C-u
paste $'avery.adams@contoso.onmicrosoft.com\nbea.berg@contoso.onmicrosoft.com\nAvery.Adams@contoso.onmicrosoft.com\ncy@contoso\ndee.dale@contoso.onmicrosoft.com\nroom.berlin@contoso.onmicrosoft.com\n'
wait_for "members" && keys Up Up Up && shot 22-member-editor
"${TMUX_CMD[@]}" kill-session -t compact
sleep 0.3
DEMO_ARGS=(demo --propagation-seconds 20)
start_app compact "$state" 80 24  # the demo's own members (its tenant's mailboxes)
DEMO_ARGS=("${saved_args[@]}")
wait_for "What do you want to do?" || fail "no start screen"
keys Enter
wait_for "Step 1 of 3" || fail "no form"
fill_form || fail "compact form"
if [[ $(wait_for_any "$TIMEOUT" "Enter this code" "Plan: ") == "Enter this code" ]]; then
    "${TMUX_CMD[@]}" resize-window -t compact -x 40 -y 12
    wait_for "Open in a browser:" && shot 23-compact-sign-in-40x12 40 12
    "${TMUX_CMD[@]}" resize-window -t compact -x 30 -y 8
    wait_gone "and enter the code:" && shot 24-sign-in-code-alone-30x8 30 8
    "${TMUX_CMD[@]}" resize-window -t compact -x 80 -y 24
fi
wait_for "Plan: " || fail "no plan"
keys y
wait_for "Propagation wait" $((TIMEOUT * 2)) || fail "no wait"
"${TMUX_CMD[@]}" resize-window -t compact -x 40 -y 12
sleep 2
wait_for "Next poll" && shot 25-compact-wait-40x12 40 12
keys q

next_flow "ASCII and no colour (LANG=C NO_COLOR=1)"
state="$WORK/shots-ascii"
start_app ascii "$state" 80 24 LANG=C LC_ALL=C NO_COLOR=1
wait_for "What do you want to do?" || fail "no start screen"
keys Enter
fill_form || fail "ascii form"
wait_for "Plan: " && shot 15-plan-ascii-no-color
keys q y

next_flow "Exchange Server on-premises (demo --target exchange-server)"
state="$WORK/shots-server"
start_app_adding server "$state" 80 24 --target exchange-server
wait_for "What do you want to do?" || fail "no start screen"
keys Enter
wait_for "Step 1 of 4" || fail "no server form"
keys Up Up
wait_for "changes the target" && shot 16-server-target-choice
keys Down Down Enter Enter
wait_for "Step 2 of 4" && shot 17-server-form-service-account
fill_form || fail "server form"
wait_for "Plan: " $((TIMEOUT * 2)) && shot 18-server-plan
keys y
# Confirm each Exchange Management Shell step; photograph the role step (its 2-hour warning).
last=""
for _ in $(seq 1 200); do
    now=$(screen)
    grep -qE "Every stage is verified|Propagation wait|Stopped: " <<<"$now" && break
    number=$(grep -oE 'Exchange Management Shell [^ ]+ step [0-9]+' <<<"$now" | grep -oE '[0-9]+$')
    if [[ -n "$number" && "$number" != "$last" ]] && grep -qF "I ran it in the Exchange" <<<"$now"; then
        grep -qF "Assign ApplicationImpersonation" <<<"$now" && shot 19-server-shell-step-role
        keys Enter
        last=$number
    fi
    sleep 0.2
done
wait_for "Propagation wait" $((TIMEOUT * 2)) && sleep 2 && shot 20-server-propagation-wait
wait_for "Every stage is verified" $((TIMEOUT * 4)) && shot 21-server-hand-off
keys Enter

next_flow "the vendor's own app (issue 14)"
state="$WORK/shots-vendor"
start_app vendor "$state" 100 30
wait_for "What do you want to do?" || fail "no start screen"
keys Enter
wait_for "Step 1 of 3" || fail "no form"
keys Up Right
wait_for "the vendor gives me an app ID" || fail "no vendor app choice"
enter_until "Step 2 of 3" || fail "the form did not reach Step 2 of 3"
wait_for "Vendor app (client) ID" || fail "no vendor app ID field"
type_text "7a0c3e5b-9d41-4f6e-b2a8-3c5d1e9f0b72"
keys Enter Enter
wait_for "▶ Group name" || fail "no group name field"
keys C-u
type_text "VendorBookingUsers"  # the group the demo's legacy access policy names
wait_for "✔ valid" && shot 29-form-vendor-app 100 30
fill_form || fail "vendor form"
wait_for "Plan: " $((TIMEOUT * 2)) && keys PageDown PageDown && shot 30-plan-vendor-app-policy 100 30
keys y
wait_for "Every stage is verified" $((TIMEOUT * 4)) && shot 31-hand-off-vendor-app 100 30
keys Enter

next_flow "delegated access (issue 14)"
state="$WORK/shots-delegated"
start_app delegated "$state" 100 30
wait_for "What do you want to do?" || fail "no start screen"
keys Down Down Down Down
wait_for "Workato: its guide today" || fail "no Workato"
keys Enter
wait_for "Step 1 of 3" || fail "no form"
keys Up Right Right
wait_for "Step 1 of 2" || fail "no delegated choice"
enter_until "Step 2 of 2" || fail "the form did not reach Step 2 of 2"
wait_for "Redirect URI" && shot 32-form-delegated-app 100 30
fill_form || fail "delegated form"
wait_for "Plan: " $((TIMEOUT * 2)) && shot 33-plan-delegated-app 100 30
keys y
wait_for "Every stage is verified" $((TIMEOUT * 4)) && shot 34-hand-off-delegated-app 100 30
keys Enter

next_flow "EWS allow list and End Event Early (issue 14)"
state="$WORK/shots-ews"
start_app ews "$state" 100 30
wait_for "What do you want to do?" || fail "no start screen"
keys Down Down
wait_for "iOFFICE: its guide today" || fail "no iOFFICE"
keys Enter
wait_for "Step 1 of 3" || fail "no form"
enter_until "Step 3 of 3" || fail "the form did not reach Step 3 of 3"
wait_for "The vendor calls EWS" && keys Down Down && shot 35-form-ews-and-end-event-early 100 30
fill_form || fail "ews form"
wait_for "Plan: " $((TIMEOUT * 2)) && keys PageDown && shot 36-plan-ews-allow-list 100 30
keys y
wait_for "Every stage is verified" $((TIMEOUT * 6)) && shot 37-hand-off-ews 100 30
keys Enter

echo "$SHOTS screenshots in $OUT"
