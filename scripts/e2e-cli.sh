#!/usr/bin/env bash
# End-to-end tests of the command line against `mailscope simulate` on loopback: apply completes
# every stage, check --json reports them healthy (exit 0), drift made behind mailscope's back is
# named (exit 1) and repaired by a second apply without duplicates, a bad config exits 2 before
# anything is sent, and no secret reaches a non-terminal stdout or the state files. Propagation is
# instant here (the waits are covered by the engine tests on an injected clock).
# Prints "N passed, N failed" last; exits non-zero on a failure.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${MAILSCOPE_BIN:-$ROOT/.build/debug/mailscope}"
[[ -x "$BIN" ]] || (cd "$ROOT" && swift build --product mailscope >&2) || { echo "0 passed, 1 failed"; exit 1; }
WORK=$(mktemp -d /tmp/mailscope-cli.XXXXXX)
SIM_PID=""
cleanup() { [[ -n "$SIM_PID" ]] && kill "$SIM_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
passed=0 failed=0
check() { # NAME COMMAND...
    local name=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" simulate --port "$port" --propagation-seconds 0 --ews-allow-list-seconds 0 --device-code-polls 1 --write-config "$WORK/sim.toml" \
    > "$WORK/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 50); do grep -q "Serving" "$WORK/sim.log" 2>/dev/null && break; sleep 0.1; done
STATE="$WORK/state"

# --version: the version and the commit it was built from ("unknown" for a plain `swift build`,
# the commit for scripts/package's build).
version_names_its_commit() {
    local version
    version=$(grep -o 'static let version = "[^"]*"' "$ROOT/Sources/mailscope/BuildInfo.swift" | cut -d'"' -f2)
    "$BIN" --version | grep -Eqx "${version//./\\.} \(commit (unknown|[0-9a-f]{12}(-dirty)?)\)"
}
apply_completes() {
    "$BIN" apply --config "$WORK/sim.toml" --yes --state-dir "$STATE" > "$WORK/apply1.out" 2> "$WORK/apply1.err" &&
        grep -q "All stages verified." "$WORK/apply1.out"
}
check_is_healthy() {
    "$BIN" check --config "$WORK/sim.toml" --state-dir "$STATE" --json > "$WORK/check1.json" 2>/dev/null || return 1
    python3 - "$WORK/check1.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
ids = [s["id"] for s in report["stages"]]
assert report["result"] == "healthy", report["result"]
assert ids == ["sign-in", "service-account", "distribution-group", "impersonation-role", "scope", "connect"], ids
assert all(s["status"] == "verified" for s in report["stages"]), [(s["id"], s["status"]) for s in report["stages"]]
assert all("evidence" in s and "detail" in s for s in report["stages"])
PY
}
no_secret_leaks() {
    local secret_file
    secret_file=$(grep -o "Client secret file (0600): .*" "$WORK/apply1.out" | sed 's/.*: //')
    [[ -f "$secret_file" ]] || return 1
    [[ $(stat -c %a "$secret_file") == 600 ]] || return 1
    local secret
    secret=$(cat "$secret_file")
    ! grep -rqF -- "$secret" "$WORK/apply1.out" "$WORK/apply1.err" "$WORK/check1.json" "$STATE"/*/journal.json
}
drift_is_named_and_repaired() {
    python3 - "$port" <<'PY' || return 1
import json, sys, urllib.request, urllib.parse
base = f"http://127.0.0.1:{sys.argv[1]}"
def post(url, data, headers={}):
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as answer: return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error: return error.code, json.loads(error.read() or b"{}")
form = lambda fields: urllib.parse.urlencode(fields).encode()
client = "fb78d390-0c51-40cd-8e17-fdbfab77341b"
_, code = post(f"{base}/login/contoso.com/oauth2/v2.0/devicecode", form({"client_id": client, "scope": f"{base}/exchange/.default"}))
for _ in range(5):
    status, token = post(f"{base}/login/contoso.com/oauth2/v2.0/token", form({
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": client, "device_code": code["device_code"]}))
    if status == 200: break
body = {"CmdletInput": {"CmdletName": "Remove-DistributionGroupMember",
        "Parameters": {"Identity": "WorkableUsers", "Member": "casey.adams@contoso.com", "Confirm": False}}}
status, _ = post(f"{base}/exchange/adminapi/beta/4a7c9e21-3b5d-4f68-8e1a-2c6b9d0f7e53/InvokeCommand", json.dumps(body).encode(),
    {"Authorization": "Bearer " + token["access_token"], "Content-Type": "application/json",
     "X-CmdletName": "Remove-DistributionGroupMember"})
assert status == 200, status
PY
    "$BIN" check --config "$WORK/sim.toml" --state-dir "$STATE" > "$WORK/check2.out" 2>/dev/null
    [[ $? == 1 ]] || return 1
    grep -q "Drift in: Distribution group" "$WORK/check2.out" || return 1
    grep -q "missing: casey.adams@contoso.com" "$WORK/check2.out" || return 1
    "$BIN" apply --config "$WORK/sim.toml" --yes --state-dir "$STATE" > "$WORK/apply2.out" 2> "$WORK/apply2.err" || return 1
    # Exactly one write: the missing member; nothing created twice.
    [[ $(grep -c "^mailscope: write:" "$WORK/apply2.err") == 1 ]] || return 1
    grep -q "write: Add casey.adams@contoso.com as a direct member" "$WORK/apply2.err" || return 1
    "$BIN" check --config "$WORK/sim.toml" --state-dir "$STATE" > /dev/null 2>&1
}
bad_config_exits_2() {
    printf 'preset = "workable"\n[tenant]\nid = "contoso.com"\n[group]\nmembers = ["not an address"]\n' > "$WORK/bad.toml"
    "$BIN" check --config "$WORK/bad.toml" --state-dir "$WORK/bad-state" > /dev/null 2> "$WORK/bad.err"
    [[ $? == 2 ]] && grep -q "group.members\[0\]" "$WORK/bad.err" && [[ ! -e "$WORK/bad-state" ]]
}
script_quotes_values() {
    sed 's/^members = .*/members = ["avery.adams@contoso.com"]/' "$WORK/sim.toml" > "$WORK/quote.toml"
    printf '[scope]\nname = "Team'"'"'s $(whoami) scope"\n' >> "$WORK/quote.toml"
    "$BIN" script --config "$WORK/quote.toml" > "$WORK/script.ps1" 2>/dev/null &&
        grep -qF "'Team''s \$(whoami) scope'" "$WORK/script.ps1"
}

# The vendor's own multi-tenant app (service_account.app_id): the simulator names its sample; apply
# creates only its service principal (no app, no credential), proves the scope with
# Test-ServicePrincipalAuthorization alone, and check is healthy. Its own scope and state directory.
vendor_app_is_scoped() {
    local app_id
    app_id=$(grep -o "service_account.app_id): .* [0-9a-f-]\{36\}" "$WORK/sim.log" | grep -o "[0-9a-f-]\{36\}$")
    [[ -n "$app_id" ]] || return 1
    sed 's/^members = .*/members = ["avery.adams@contoso.com", "room-alder@contoso.com"]/' "$WORK/sim.toml" > "$WORK/vendor.toml"
    printf '[service_account]\napp_id = "%s"\n[scope]\nname = "VendorBookingScope"\n' "$app_id" >> "$WORK/vendor.toml"
    "$BIN" apply --config "$WORK/vendor.toml" --yes --state-dir "$WORK/vendor-state" > "$WORK/vendor.out" 2> "$WORK/vendor.err" ||
        return 1
    grep -q "All stages verified." "$WORK/vendor.out" || return 1
    grep -q "Example Vendor Booking" "$WORK/vendor.out" || return 1
    ! grep -q "write: Create the Entra app\|write: Add a client secret" "$WORK/vendor.err" || return 1
    [[ $(grep -c "write: Create the app's service principal" "$WORK/vendor.err") == 1 ]] || return 1
    "$BIN" check --config "$WORK/vendor.toml" --state-dir "$WORK/vendor-state" --json > "$WORK/vendor.json" 2>/dev/null || return 1
    python3 - "$WORK/vendor.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["result"] == "healthy", report["result"]
connect = [s for s in report["stages"] if s["id"] == "connect"][0]
assert any("not testable without the vendor's credential" in e for e in connect["evidence"]), connect["evidence"]
PY
    # A second credential setting makes no sense with a vendor's app: refused, naming the field.
    sed 's/^app_id = /credential = "secret"\napp_id = /' "$WORK/vendor.toml" > "$WORK/vendor-bad.toml"
    "$BIN" check --config "$WORK/vendor-bad.toml" --state-dir "$WORK/vendor-state" > /dev/null 2> "$WORK/vendor-bad.err"
    [[ $? == 2 ]] && grep -q "service_account.credential" "$WORK/vendor-bad.err"
}

# Delegated access (issue 14 part 2): Workato's authorization-code connection. apply makes the
# app with Workato's redirect URI, admin consent and a secret, and no group, role or scope;
# check --json is healthy with those stages "skipped" (does not apply); a redirect URI with
# application access is refused (exit 2), naming the field.
delegated_app_is_ready() {
    sed 's/^preset = "workable"/preset = "workato"/' "$WORK/sim.toml" > "$WORK/delegated.toml"
    printf '[service_account]\nname = "workato_delegated"\naccess = "delegated"\nscopes = "minimum"\n' >> "$WORK/delegated.toml"
    "$BIN" apply --config "$WORK/delegated.toml" --yes --state-dir "$WORK/delegated-state" > "$WORK/delegated.out" \
        2> "$WORK/delegated.err" || return 1
    grep -q "All stages verified." "$WORK/delegated.out" || return 1
    grep -q "write: Grant admin consent for all users to User.Read offline_access" "$WORK/delegated.err" || return 1
    ! grep -q "write: Create management scope\|write: Create the distribution group" "$WORK/delegated.err" || return 1
    "$BIN" check --config "$WORK/delegated.toml" --state-dir "$WORK/delegated-state" --json > "$WORK/delegated.json" \
        2>/dev/null || return 1
    python3 - "$WORK/delegated.json" <<'PY' || return 1
import json, sys
report = json.load(open(sys.argv[1]))
assert report["result"] == "healthy", report["result"]
scope = [s for s in report["stages"] if s["id"] == "scope"][0]
assert scope["status"] == "skipped" and "does not apply" in scope["detail"], scope
PY
    sed 's/^access = "delegated"/redirect_uri = "https:\/\/www.workato.com\/oauth\/callback"/; s/^scopes = .*//' \
        "$WORK/delegated.toml" > "$WORK/delegated-bad.toml"
    "$BIN" check --config "$WORK/delegated-bad.toml" --state-dir "$WORK/delegated-state" > /dev/null 2> "$WORK/delegated-bad.err"
    [[ $? == 2 ]] && grep -q "service_account.redirect_uri" "$WORK/delegated-bad.err"
}

# A vendor that still calls EWS in Exchange Online (service_account.uses_ews): the plan shows the
# whole allow list with the app added, apply adds it once (the simulator's list lag is 0 here), the
# hand-off gives the EWS URL, and check proves EWS as the app both ways.
ews_app_is_allow_listed() {
    cp "$WORK/sim.toml" "$WORK/ews.toml"
    printf '[service_account]\nname = "ews_service"\nuses_ews = true\n[scope]\nname = "EwsUsersScope"\n' >> "$WORK/ews.toml"
    "$BIN" plan --config "$WORK/ews.toml" --state-dir "$WORK/ews-state" > "$WORK/ews-plan.out" 2>&1 || return 1
    grep -q "Set-OrganizationConfig -EwsAllowedAppIDs" "$WORK/ews-plan.out" || return 1
    "$BIN" apply --config "$WORK/ews.toml" --yes --state-dir "$WORK/ews-state" > "$WORK/ews.out" 2> "$WORK/ews.err" || return 1
    grep -q "All stages verified." "$WORK/ews.out" || return 1
    [[ $(grep -c "write: Add app .* to the organisation's EWS allow list" "$WORK/ews.err") == 1 ]] || return 1
    grep -q "EWS URL" "$WORK/ews.out" || return 1
    "$BIN" check --config "$WORK/ews.toml" --state-dir "$WORK/ews-state" --json > "$WORK/ews.json" 2>/dev/null || return 1
    python3 - "$WORK/ews.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["result"] == "healthy", report["result"]
connect = [s for s in report["stages"] if s["id"] == "connect"][0]
assert any("EWS as the app: GetFolder calendar of" in e and "success" in e for e in connect["evidence"]), connect["evidence"]
assert any("EWS as the app: GetFolder calendar of" in e and "ErrorAccessDenied" in e for e in connect["evidence"]), connect["evidence"]
PY
}

# Exchange Server (on-premises): the same simulator serves EWS and a stand-in for the Exchange
# Management Shell; apply hands each step to it, proves the result over EWS (NTLM), and check
# names the cause when the role is lost, the scope changes or an alias is used.
oport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" simulate --port "$oport" --propagation-seconds 0 --target exchange-server --write-config "$WORK/onprem.toml" \
    > "$WORK/onprem-sim.log" 2>&1 &
ONPREM_PID=$!
trap 'kill "$ONPREM_PID" 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do grep -q "Serving" "$WORK/onprem-sim.log" 2>/dev/null && break; sleep 0.1; done
# A fresh random password each run ("Aa1!" meets the simulated directory's complexity rule).
MAILSCOPE_SVC_PASSWORD="Aa1!$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
export MAILSCOPE_SVC_PASSWORD
OSTATE="$WORK/onprem-state"
ems() { # SCRIPT: run it in the simulated Exchange Management Shell, as an admin at the server would
    python3 - "$oport" "$1" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/_sim/ems", method="POST",
    data=json.dumps({"script": sys.argv[2], "input": []}).encode(), headers={"Content-Type": "application/json"})
answer = json.loads(urllib.request.urlopen(request).read())
assert not answer.get("errors"), answer
PY
}
onprem_check() { # NAME: check --json into $WORK/NAME.json; exit status in $WORK/NAME.status
    "$BIN" check --config "$WORK/onprem.toml" --state-dir "$OSTATE" --json > "$WORK/$1.json" 2>/dev/null
    echo $? > "$WORK/$1.status"
}
onprem_apply_completes() {
    "$BIN" apply --config "$WORK/onprem.toml" --yes --state-dir "$OSTATE" > "$WORK/oapply1.out" 2> "$WORK/oapply1.err" &&
        grep -q "All stages verified." "$WORK/oapply1.out" &&
        grep -q "ApplicationImpersonation" "$WORK/oapply1.err"
}
onprem_check_is_healthy() {
    onprem_check ocheck1
    [[ $(cat "$WORK/ocheck1.status") == 0 ]] && python3 - "$WORK/ocheck1.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["result"] == "healthy", report
assert all(s["status"] == "verified" for s in report["stages"]), [(s["id"], s["status"], s["detail"]) for s in report["stages"]]
connect = next(s for s in report["stages"] if s["id"] == "connect")
assert any("ErrorImpersonateUserDenied" in line for line in connect["evidence"]), connect
PY
}
onprem_second_apply_changes_nothing() {
    "$BIN" apply --config "$WORK/onprem.toml" --yes --state-dir "$OSTATE" > "$WORK/oapply2.out" 2> "$WORK/oapply2.err" &&
        ! grep -q "^mailscope: write:" "$WORK/oapply2.err"
}
onprem_names_a_lost_role() {
    ems "Remove-ManagementRoleAssignment -Identity 'WorkableImpersonation' -Confirm:\$false" || return 1
    onprem_check ocheck2
    [[ $(cat "$WORK/ocheck2.status") == 1 ]] && grep -q "no ApplicationImpersonation role" "$WORK/ocheck2.json" || return 1
    "$BIN" apply --config "$WORK/onprem.toml" --yes --state-dir "$OSTATE" > /dev/null 2>&1 && onprem_check ocheck3 &&
        [[ $(cat "$WORK/ocheck3.status") == 0 ]]
}
onprem_names_a_changed_scope() {
    ems "Set-ManagementScope -Identity 'WorkableUsersScope' -RecipientRestrictionFilter \"RecipientTypeDetails -eq 'RoomMailbox'\"" ||
        return 1
    onprem_check ocheck4
    [[ $(cat "$WORK/ocheck4.status") == 1 ]] && grep -q "does not cover avery.adams@contoso.com" "$WORK/ocheck4.json" || return 1
    "$BIN" apply --config "$WORK/onprem.toml" --yes --state-dir "$OSTATE" > /dev/null 2>&1
}
onprem_names_an_alias() {
    sed 's/^out_of_scope_mailbox = .*/&\nin_scope_mailbox = "badams@contoso.com"/' "$WORK/onprem.toml" > "$WORK/alias.toml"
    "$BIN" check --config "$WORK/alias.toml" --state-dir "$OSTATE" --json > "$WORK/alias.json" 2>/dev/null
    [[ $? == 1 ]] && grep -q "is an alias of 'blake.adams@contoso.com'" "$WORK/alias.json"
}
onprem_role_group_and_delegate_access_are_replaced() { # what the Nylas and Eptura guides left (issue 14 part 4)
    ems "New-RoleGroup -Name 'Nylas Impersonation' -Roles ApplicationImpersonation -Members 'svc-booking@contoso.com'
Add-MailboxPermission -Identity 'avery.adams@contoso.com' -User 'svc-booking@contoso.com' -AccessRights FullAccess" ||
        return 1
    onprem_check ocheck5
    [[ $(cat "$WORK/ocheck5.status") == 1 ]] && grep -q "exposure: the account reaches" "$WORK/ocheck5.json" &&
        grep -q "FullAccess on avery.adams@contoso.com" "$WORK/ocheck5.json" || return 1
    "$BIN" apply --config "$WORK/onprem.toml" --yes --state-dir "$OSTATE" > "$WORK/oapply5.out" 2> "$WORK/oapply5.err" &&
        grep -q "Remove-RoleGroupMember" "$WORK/oapply5.err" && grep -q "Remove-MailboxPermission" "$WORK/oapply5.err" ||
        return 1
    onprem_check ocheck6
    [[ $(cat "$WORK/ocheck6.status") == 0 ]]
}
onprem_password_never_leaks() {
    ! grep -rqF -- "$MAILSCOPE_SVC_PASSWORD" "$WORK"/oapply*.out "$WORK"/oapply*.err "$WORK"/ocheck*.json "$OSTATE"
}

start_sim() { # NAME ARGS...: a second simulator; its config in $WORK/NAME.toml, its pid in $WORK/NAME.pid
    local name=$1; shift
    local p
    p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$BIN" simulate --port "$p" --device-code-polls 1 --write-config "$WORK/$name.toml" "$@" > "$WORK/$name-sim.log" 2>&1 &
    echo $! > "$WORK/$name.pid"
    for _ in $(seq 50); do grep -q "Serving" "$WORK/$name-sim.log" 2>/dev/null && break; sleep 0.1; done
}
stop_sim() { kill "$(cat "$WORK/$1.pid")" 2>/dev/null; }
signal_stops_apply() { # SIGNAL EXIT-CODE: apply stops during the propagation wait, saves and says how to resume
    local sig=$1 code=$2 name="sig$1"
    start_sim "$name" --propagation-seconds 3600
    "$BIN" apply --config "$WORK/$name.toml" --yes --state-dir "$WORK/$name-state" > "$WORK/$name.out" 2> "$WORK/$name.err" &
    local pid=$!
    for _ in $(seq 600); do grep -q "waiting for propagation" "$WORK/$name.err" && break; sleep 0.1; done
    kill -"$sig" "$pid"
    local started=$SECONDS status
    wait "$pid"; status=$?
    stop_sim "$name"
    [[ $status == "$code" ]] || { echo "  exit $status, want $code"; return 1; }
    (( SECONDS - started <= 6 )) || { echo "  took $((SECONDS - started)) s"; return 1; }
    grep -q "Stopped during Connect" "$WORK/$name.err" || { tail -3 "$WORK/$name.err"; return 1; }
    grep -q "run the same command again to resume" "$WORK/$name.err" || return 1
    python3 -c 'import json,sys,glob; [json.load(open(p)) for p in glob.glob(sys.argv[1] + "/*/journal.json")] or sys.exit(1)' \
        "$WORK/$name-state"
}
sigterm_stops_apply() { signal_stops_apply TERM 143; }
sigint_stops_apply() { signal_stops_apply INT 130; }
hung_network_gives_up_in_bounded_time() { # every answer stalls past --request-timeout 2
    start_sim hung --propagation-seconds 0 --stall-rate 1 --stall-seconds 30
    local started=$SECONDS status
    "$BIN" apply --config "$WORK/hung.toml" --yes --state-dir "$WORK/hung-state" --request-timeout 2 \
        > "$WORK/hung.out" 2> "$WORK/hung.err"
    status=$?
    stop_sim hung
    [[ $status != 0 ]] || return 1
    (( SECONDS - started <= 20 )) || { echo "  took $((SECONDS - started)) s"; return 1; }
    grep -q "retry 2 of 6 in" "$WORK/hung.err" || { tail -5 "$WORK/hung.err"; return 1; }
}
fleet_check_reports_each_setup() { # ONE simulator serving 8 tenants (6 applied, 2 never applied), one unreachable, one bad config, one device-code
    local f="$WORK/fleet" status n
    mkdir -p "$f"
    # simulate --tenants 8 --write-configs: contoso.com, contoso02.com, … contoso08.com on one port,
    # each config signing in with its own tenant's automation app.
    start_sim fleet --propagation-seconds 0 --tenants 8 --write-configs "$f/configs"
    for n in 01 02 03 04 05 06; do
        "$BIN" apply --config "$f/configs/tenant-$n.toml" --yes --state-dir "$f/state" > "$f/$n.apply" 2>&1 ||
            { tail -5 "$f/$n.apply"; return 1; }
    done
    # delta: a tenant that does not answer (its simulator is gone); echo: a config with a typo.
    start_sim fleet-delta --propagation-seconds 0 --automation-app
    printf '[service_account]\nname = "svc_delta"\n' | cat "$WORK/fleet-delta.toml" - > "$f/configs/delta.toml"
    stop_sim fleet-delta
    sleep 0.3
    sed 's/^preset = "workable"/preset = "workabel"/' "$f/configs/tenant-01.toml" > "$f/configs/echo.toml"
    cp "$WORK/sim.toml" "$f/configs/foxtrot.toml"   # device-code sign-in: refused in a fleet
    "$BIN" check --configs "$f/configs" --state-dir "$f/state" --jobs 3 --request-timeout 3 > "$f/table.out" 2> "$f/table.err"
    status=$?
    "$BIN" check --configs "$f/configs" --state-dir "$f/state" --jobs 3 --request-timeout 3 --json > "$f/fleet.json" 2>/dev/null
    stop_sim fleet
    [[ $status == 2 ]] || { echo "  exit $status, want 2 (the worst)"; cat "$f/table.out" "$f/table.err"; return 1; }
    python3 - "$f/fleet.json" "$f/table.out" <<'PY' || return 1
import json, sys
rows = {r["config"].split("/")[-1]: r for r in json.load(open(sys.argv[1]))}
table = open(sys.argv[2]).read()
expect = {f"tenant-{n:02d}.toml": "healthy" for n in range(1, 7)}
expect.update({"tenant-07.toml": "drift", "tenant-08.toml": "drift", "delta.toml": "error", "echo.toml": "error",
               "foxtrot.toml": "error"})
assert set(rows) == set(expect), sorted(rows)
for name, result in expect.items():
    assert rows[name]["result"] == result, (name, rows[name]["result"], rows[name].get("error"))
    if name.startswith("tenant-"):  # each config reached its own tenant on the one simulator
        domain = "contoso.com" if name == "tenant-01.toml" else f"contoso{name[7:9]}.com"
        tid = "4a7c9e21-3b5d-4f68-8e1a-" + ("2c6b9d0f7e53" if name == "tenant-01.toml" else f"{int(name[7:9]):012d}")
        assert rows[name]["tenant"]["defaultDomain"] == domain and rows[name]["tenant"]["id"] == tid, (name, rows[name]["tenant"])
        assert domain in table, domain
assert [s["id"] for s in rows["tenant-01.toml"]["stages"]][:2] == ["sign-in", "service-account"], rows["tenant-01.toml"]["stages"]
assert "preset" in rows["echo.toml"]["error"], rows["echo.toml"]["error"]
assert "device-code" in rows["foxtrot.toml"]["error"] and "certificate" in rows["foxtrot.toml"]["error"]
assert rows["delta.toml"]["error"], rows["delta.toml"]
for name in expect:
    assert name in table, name
assert "11 setups in" in table and "6 healthy, 2 drifted, 3 could not be checked" in table, table
PY
}

check version_names_its_commit version_names_its_commit
check apply_completes apply_completes
check check_is_healthy check_is_healthy
check no_secret_leaks no_secret_leaks
check drift_is_named_and_repaired drift_is_named_and_repaired
check bad_config_exits_2 bad_config_exits_2
check script_quotes_values script_quotes_values
check vendor_app_is_scoped vendor_app_is_scoped
check delegated_app_is_ready delegated_app_is_ready
check ews_app_is_allow_listed ews_app_is_allow_listed
check onprem_apply_completes onprem_apply_completes
check onprem_check_is_healthy onprem_check_is_healthy
check onprem_second_apply_changes_nothing onprem_second_apply_changes_nothing
check onprem_names_a_lost_role onprem_names_a_lost_role
check onprem_names_a_changed_scope onprem_names_a_changed_scope
check onprem_names_an_alias onprem_names_an_alias
check onprem_role_group_and_delegate_access_are_replaced onprem_role_group_and_delegate_access_are_replaced
check onprem_password_never_leaks onprem_password_never_leaks
check sigterm_stops_apply sigterm_stops_apply
check sigint_stops_apply sigint_stops_apply
check hung_network_gives_up_in_bounded_time hung_network_gives_up_in_bounded_time
check fleet_check_reports_each_setup fleet_check_reports_each_setup
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
