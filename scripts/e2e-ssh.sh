#!/usr/bin/env bash
# End-to-end test of a dropped SSH session: the REAL binary (`mailscope demo`) runs in a real SSH
# session to this machine, served by an OpenSSH server this script starts on 127.0.0.1 (a random
# free port, its own host key, client key, config and log in a temporary directory; not a system
# service). In a private tmux server:
#
#   1. ssh in (an interactive shell), start the wizard, drive it to the propagation wait, note Elapsed;
#   2. cut the connection: SIGKILL the ssh client (the server sees the TCP connection close);
#      the wizard must exit within a few seconds (SIGHUP: save, restore) and leave no process;
#   3. ssh in again, start the wizard: it offers the saved run; resuming shows the wait with its
#      timer running on (Elapsed ≥ before the drop + the time since, not restarted);
#   4. cut the connection again, this time by SIGKILLing sshd's per-connection process; same checks;
#   5. ssh in a third time, resume, quit with q/y: the shell prompt returns, the tmux pane is out of
#      the alternate screen, and `stty -a` in that SSH session shows icanon, echo, isig, icrnl, opost.
#
# Prints "ssh drop: N of 2 drops resumed (...); terminal restored: yes|no; stray processes: N"
# as its last line; exits non-zero when a check fails.
#
#   scripts/e2e-ssh.sh
#
# Knobs (environment): MAILSCOPE_BIN, E2E_TIMEOUT, E2E_KEEP=1 (see scripts/e2e-tmux.sh);
#   E2E_SSH_DEMO_ARGS  the wizard's arguments (default: "demo --fast --propagation-seconds 900")
#   SSHD               the OpenSSH server (default: /usr/sbin/sshd; scripts/setup installs openssh-server)

set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=e2e-tmux.sh
E2E_SOURCE_ONLY=1 source "$ROOT/scripts/e2e-tmux.sh"
TMUX_CMD=(tmux -L "mailscope-e2e-ssh-$$")

read -r -a SSH_DEMO_ARGS <<<"${E2E_SSH_DEMO_ARGS:-demo --fast --propagation-seconds 900}"
SSHD="${SSHD:-/usr/sbin/sshd}"
KEYS="$WORK/ssh"
STATE="$WORK/state"           # MAILSCOPE_STATE_DIR of every session
USER_NAME="$(id -un)"
PROMPT="ssh-e2e-prompt\$"      # the remote shell's prompt (then a space)
PORT=""
SSHD_PID=""
EXIT_WAIT=10                  # seconds the wizard may take to exit after a drop

ssh_cleanup() {
    if [[ -n "$SSHD_PID" ]] && kill -0 "$SSHD_PID" 2>/dev/null; then
        # The listener and its per-connection processes (only ours: children of our listener).
        local child
        for child in $(pgrep -P "$SSHD_PID" 2>/dev/null); do kill -9 "$child" 2>/dev/null; done
        kill "$SSHD_PID" 2>/dev/null
        wait "$SSHD_PID" 2>/dev/null
    fi
    local pid
    for pid in $(mailscope_pids); do kill -9 "$pid" 2>/dev/null; done
    cleanup
}
trap ssh_cleanup EXIT

# fail MESSAGE -- prints the failure with what helps to understand it, and exits 1.
fail() {
    echo "ssh drop: FAILED: $*" >&2
    if [[ -s "$KEYS/sshd.log" ]]; then
        echo "  sshd log (last lines):" >&2
        tail -n 8 "$KEYS/sshd.log" | sed 's/^/    | /' >&2
    fi
    local file
    for file in "$WORK"/stderr.*; do
        [[ -s "$file" ]] || continue
        echo "  mailscope stderr ($(basename "$file")):" >&2
        tail -n 8 "$file" | sed 's/^/    | /' >&2
    done
    exit 1
}

# mailscope_pids -- the processes of this test's wizards (found by their state directory).
mailscope_pids() {
    grep -lzxF "MAILSCOPE_STATE_DIR=$STATE" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
}

# clock S -- seconds as M:SS.
clock() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

# now_ms -- wall clock in milliseconds.
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------------------------------------
# The OpenSSH server

start_sshd() {
    [[ -x "$SSHD" ]] || fail "no OpenSSH server at $SSHD (scripts/setup installs openssh-server)"
    command -v ssh >/dev/null || fail "no ssh client (openssh-client)"
    command -v ssh-keygen >/dev/null || fail "no ssh-keygen (openssh-client)"
    mkdir -p "$KEYS" "$STATE"
    chmod 700 "$KEYS"
    ssh-keygen -q -t ed25519 -N '' -C mailscope-e2e-host -f "$KEYS/host_key" || fail "ssh-keygen (host key)"
    ssh-keygen -q -t ed25519 -N '' -C mailscope-e2e-client -f "$KEYS/client_key" || fail "ssh-keygen (client key)"
    cp "$KEYS/client_key.pub" "$KEYS/authorized_keys"
    chmod 600 "$KEYS/authorized_keys"
    if [[ ! -d /run/sshd ]]; then
        # sshd's privilege-separation directory (a system service would create it).
        if [[ "$(id -u)" -eq 0 ]]; then mkdir -p -m 0755 /run/sshd; else sudo mkdir -p -m 0755 /run/sshd; fi ||
            fail "cannot create /run/sshd (sshd's privilege-separation directory)"
    fi
    local attempt
    for attempt in 1 2 3; do
        PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
            fail "cannot pick a free port"
        cat >"$KEYS/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $KEYS/host_key
AuthorizedKeysFile $KEYS/authorized_keys
PidFile $KEYS/sshd.pid
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers $USER_NAME
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel VERBOSE
EOF
        "$SSHD" -t -f "$KEYS/sshd_config" 2>"$KEYS/sshd.log" || fail "sshd refuses its config: $(cat "$KEYS/sshd.log")"
        "$SSHD" -D -f "$KEYS/sshd_config" -E "$KEYS/sshd.log" &
        SSHD_PID=$!
        local deadline=$((SECONDS + 10))
        while ((SECONDS < deadline)); do
            kill -0 "$SSHD_PID" 2>/dev/null || break
            if ssh_cmd -o BatchMode=yes -o ConnectTimeout=2 "$USER_NAME@127.0.0.1" true </dev/null 2>>"$KEYS/ssh.log"; then
                return 0
            fi
            sleep 0.2
        done
        kill "$SSHD_PID" 2>/dev/null
        wait "$SSHD_PID" 2>/dev/null
        SSHD_PID=""
        log "sshd on port $PORT did not accept a login (attempt $attempt)"
    done
    fail "sshd did not start or refused the login (see below; ssh: $(tail -n 2 "$KEYS/ssh.log" 2>/dev/null))"
}

# ssh_cmd ARG... -- the ssh client with this test's key, no user or system config, no known_hosts.
ssh_cmd() {
    ssh -F /dev/null -p "$PORT" -i "$KEYS/client_key" -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$@"
}

# ---------------------------------------------------------------------------------------------
# Sessions

# connect NAME -- a tmux session whose pane is `ssh -tt` into an interactive shell on this machine;
# starts the wizard in it (the shell's foreground job, as an admin would).
connect() {
    local name=$1 remote command
    # An interactive shell with no rc files, no history file, a recognisable prompt.
    printf -v remote 'exec env HISTFILE=/dev/null PS1=%q bash --norc --noprofile -i' "$PROMPT "
    printf -v command 'exec ssh -F /dev/null -tt -p %q -i %q -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR %q %q 2>>%q' \
        "$PORT" "$KEYS/client_key" "$USER_NAME@127.0.0.1" "$remote" "$WORK/ssh-client.$name"
    "${TMUX_CMD[@]}" -u new-session -d -s "$name" -x 80 -y 24 -e TERM=tmux-256color "$command" ||
        fail "tmux could not start session $name"
    LAST_SESSION=$name
    wait_for "$PROMPT" || fail "no shell prompt over ssh in session $name"
    local wizard arguments
    printf -v wizard 'env TERM=xterm-256color LANG=C.UTF-8 LC_ALL= MAILSCOPE_STATE_DIR=%q %q' "$STATE" "$BIN"
    printf -v arguments ' %q' "${SSH_DEMO_ARGS[@]}"
    wizard+=$arguments
    type_text "$wizard 2>>$(printf %q "$WORK/stderr.$name"); echo mailscope-exit=\$?"
    keys Enter
    wait_for "What do you want to do?" || fail "the wizard did not start over ssh (session $name)"
}

# the_pid -- the one wizard running now.
the_pid() {
    local pids
    pids=$(mailscope_pids)
    [[ $(wc -w <<<"$pids") -eq 1 ]] || fail "expected one mailscope process, found: ${pids:-none}"
    echo "$pids"
}

# drop HOW -- cuts the connection (client: SIGKILL the ssh client; server: SIGKILL sshd's
# per-connection process), then waits for the wizard to exit. Sets DROP_EXIT_MS and STRAYS.
drop() {
    local how=$1 pid victim started
    pid=$(the_pid) || exit 1
    if [[ "$how" == client ]]; then
        victim=$("${TMUX_CMD[@]}" display-message -p -t "$LAST_SESSION" '#{pane_pid}')
        [[ "$(cat "/proc/$victim/comm" 2>/dev/null)" == ssh ]] || fail "the pane's process is not the ssh client"
    else
        victim=$(pgrep -P "$SSHD_PID")
        [[ $(wc -w <<<"$victim") -eq 1 ]] || fail "expected one sshd per-connection process, found: ${victim:-none}"
    fi
    started=$(now_ms)
    kill -9 "$victim" || fail "cannot kill $how process $victim"
    while kill -0 "$pid" 2>/dev/null; do
        (($(now_ms) - started < EXIT_WAIT * 1000)) || fail "mailscope (pid $pid) still runs ${EXIT_WAIT} s after the drop ($how)"
        sleep 0.05
    done
    DROP_EXIT_MS=$(($(now_ms) - started))
    # What the session leaves behind: wizards, and sshd's per-connection processes.
    local deadline=$((SECONDS + 5)) left
    while :; do
        left="$(mailscope_pids) $(pgrep -P "$SSHD_PID")"
        [[ -z "${left// /}" ]] && break
        ((SECONDS < deadline)) || break
        sleep 0.1
    done
    STRAYS=$(wc -w <<<"$left")
    "${TMUX_CMD[@]}" kill-session -t "$LAST_SESSION" >/dev/null 2>&1 || true
}

# resume -- on the start screen: resumes the saved run up to the wait; prints Elapsed in seconds.
resume() {
    wait_for "Resume the saved run" || fail "the saved run is not offered after reconnecting"
    expect "▶ Resume the saved run" >/dev/null || fail "the saved run is not the first choice"
    keys Enter
    wait_for "Propagation wait" $((TIMEOUT * 2)) || fail "resuming did not lead back to the propagation wait"
    wait_for "Elapsed " || fail "no Elapsed on the wait screen"
    elapsed_seconds
}

# ---------------------------------------------------------------------------------------------

main() {
    if [[ ! -x "$BIN" ]]; then
        (cd "$ROOT" && swift build --product mailscope >&2) || fail "mailscope does not build"
    fi
    command -v tmux >/dev/null || fail "tmux is missing (scripts/setup installs it)"
    local started=$SECONDS
    start_sshd

    # 1. First session, to the propagation wait.
    connect s1
    keys Enter
    wait_for "Step 1 of 3" || fail "the form did not open"
    fill_form || fail "the form did not lead to sign-in"
    wait_for "Plan: " $((TIMEOUT * 2)) || fail "no plan after sign-in"
    keys y
    wait_for "Propagation wait" $((TIMEOUT * 2)) || fail "the run did not reach the propagation wait"
    sleep 2
    local figures=() resumed=0 strays=0 drop_number=0 how
    for how in client server; do
        drop_number=$((drop_number + 1))
        local before before_ms after after_ms
        before=$(elapsed_seconds)
        before_ms=$(now_ms)
        ((before >= 0)) || fail "cannot read Elapsed before drop $drop_number"
        drop "$how"
        strays=$((strays + STRAYS))
        log "drop $drop_number ($how killed): wizard exited in $DROP_EXIT_MS ms, $STRAYS stray processes"
        # 2./4. Reconnect: the saved wait resumes with its timer.
        connect "s$((drop_number + 1))"
        after=$(resume) || exit 1
        after_ms=$(now_ms)
        local gone=$(((after_ms - before_ms) / 1000))
        log "drop $drop_number: Elapsed $(clock "$before") before, $(clock "$after") after reconnecting ${gone} s later"
        if ((after >= before + gone - 2)); then
            resumed=$((resumed + 1))
        else
            log "the timer restarted: expected Elapsed ≥ $(clock $((before + gone - 2))), saw $(clock "$after")"
        fi
        local killed="ssh client"
        [[ "$how" == server ]] && killed="sshd child"
        figures+=("$killed killed: exit $(awk -v ms="$DROP_EXIT_MS" 'BEGIN { printf "%.1f", ms / 1000 }') s, elapsed $(clock "$before") → $(clock "$after")")
        sleep 1
    done

    # 5. Quit the resumed wizard: the terminal of the SSH session must be usable again.
    keys q
    wait_for "Quit mailscope?" || fail "no quit confirmation"
    keys y
    wait_for "mailscope-exit=0" || fail "the wizard did not exit with 0 after q, y"
    wait_for "$PROMPT" || fail "no shell prompt after the wizard"
    local restored=yes alternate modes
    alternate=$("${TMUX_CMD[@]}" display-message -p -t "$LAST_SESSION" '#{alternate_on}')
    [[ "$alternate" == 0 ]] || { restored=no; log "the pane is still on the alternate screen"; }
    # The typed command must not contain the marker it prints ("stty-%s" + "modes"), or waiting for
    # the marker would match the echoed command line before stty has answered.
    type_text "printf 'stty-%s: %s :end\n' modes \"\$(stty -a | tr ' ;' '\n\n' | grep -Ex -- '-?(icanon|echo|isig|icrnl|opost)' | tr '\n' ' ')\""
    keys Enter
    local deadline=$((SECONDS + 10))
    until screen | grep -qE '^stty-modes: .* :end$'; do
        ((SECONDS < deadline)) || fail "stty -a printed nothing in the SSH session"
        sleep 0.1
    done
    modes=$(screen | grep -E '^stty-modes: .* :end$' | tail -1 | sed -e 's/^stty-modes: //' -e 's/ *:end$//')
    local mode
    for mode in icanon echo isig icrnl opost; do
        grep -qw -- "$mode" <<<"${modes//-/_}" || { restored=no; log "terminal not restored: $mode is off ($modes)"; }
    done
    log "after quitting: stty $modes; alternate screen: $alternate"
    type_text "exit"
    keys Enter
    sleep 0.5
    local left
    left=$(mailscope_pids)
    strays=$((strays + $(wc -w <<<"$left")))

    local summary
    summary="ssh drop: $resumed of 2 drops resumed ($(IFS=';'; echo "${figures[*]}" | sed 's/;/; /g')); terminal restored: $restored; stray processes: $strays ($((SECONDS - started)) s)"
    echo "$summary"
    ((resumed == 2)) && [[ "$restored" == yes ]] && ((strays == 0))
}

main "$@"
