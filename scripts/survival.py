#!/usr/bin/env python3
"""Survival suites for mailscope against `mailscope simulate` on loopback (real binary, real HTTP).

  crash-matrix  [--quick] [--target exchange-online|exchange-server|both]
      An uninterrupted reference run counts the writes (N) and probes (P) and records the tenant's
      inventory. Then, for every kill point, on a fresh simulator with the same seed and a fresh
      state directory: the simulator applies the Nth write (or Kth probe: the propagation wait's
      polls) and holds its answer (`--hold-after-write N`); once `/_sim/stats` says held, the
      harness SIGKILLs `mailscope apply`, runs apply again to completion and compares the inventory
      with the reference (no duplicate, exactly one credential of the app, same members, scopes and
      assignments), and checks the journal (valid JSON, 0600, no pendingWrite). --quick samples a
      few kill points.
  fault-soak    [--runs N] [--seed S]
      Seeded runs where the simulator injects 429 (Retry-After), 503, connection resets, stalls past
      the client's timeout, truncated and malformed bodies, tokens expiring before their announced
      lifetime, and 404 after create (replication lag). Each run must complete, or stop with exit
      code 1 or 2 and a message, and a follow-up apply must converge; nothing may corrupt state.
  secrets       A full run per target with a known secret (the app's client secret, the Exchange
                Server password): it must appear nowhere but its own 0600 file (journal, state
                files, stdout/stderr, check --json, `mailscope script`, the simulator's log), every
                state file 0600 and directory 0700, and http:// to a non-loopback host refused.
  least-privilege  After setup, every mailbox in the simulator is called as the app (Graph with the
                the app's own token; EWS impersonation as the service account): denied outside the
                scope, allowed inside.

Each prints its figures; the exit status is non-zero on any failure.
"""
import argparse
import atexit
import base64
import glob
import json
import secrets
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("MAILSCOPE_BIN", os.path.join(ROOT, ".build", "debug", "mailscope"))
# A fresh random password for the simulated service account each run (the "Aa1!" prefix meets the
# simulated Active Directory's complexity rule); never a fixed string in the repository.
PASSWORD = "Aa1!" + secrets.token_urlsafe(18)
FAST = ["--propagation-seconds", "0", "--device-code-polls", "1", "--device-code-interval-seconds", "1"]


WORK_DIRS = []


def workdir(prefix):
    """A temporary directory, removed at exit unless MAILSCOPE_KEEP is set."""
    path = tempfile.mkdtemp(prefix=prefix)
    WORK_DIRS.append(path)
    return path


@atexit.register
def _cleanup():
    if not os.environ.get("MAILSCOPE_KEEP"):
        for path in WORK_DIRS:
            shutil.rmtree(path, ignore_errors=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Simulator:
    """One `mailscope simulate` process with its config."""

    def __init__(self, work, name, target="exchange-online", seed=1, extra=()):
        self.work = work
        self.port = free_port()
        self.config = os.path.join(work, name + ".toml")
        self.log = os.path.join(work, name + "-sim.log")
        args = [BIN, "simulate", "--port", str(self.port), "--seed", str(seed), "--target", target,
                "--write-config", self.config] + FAST + list(extra)
        self.process = subprocess.Popen(args, stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        for _ in range(200):
            if os.path.exists(self.log) and "Serving" in open(self.log).read():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("the simulator did not start: " + open(self.log).read()[-500:])

    def get(self, path):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=10) as answer:
            return json.loads(answer.read())

    def stats(self):
        return self.get("/_sim/stats")

    def inventory(self):
        return self.get("/_sim/inventory")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def environment():
    env = dict(os.environ)
    env["MAILSCOPE_SVC_PASSWORD"] = PASSWORD
    env.pop("MAILSCOPE_STATE_DIR", None)
    return env


def apply_args(sim, state, extra=()):
    return [BIN, "apply", "--config", sim.config, "--yes", "--state-dir", state] + list(extra)


def run_apply(sim, state, label, extra=(), timeout=300):
    """Runs apply to its end; returns (exit status, stdout, stderr)."""
    out = os.path.join(sim.work, label + ".out")
    err = os.path.join(sim.work, label + ".err")
    try:
        status = subprocess.run(apply_args(sim, state, extra), stdout=open(out, "w"), stderr=open(err, "w"),
                                stdin=subprocess.DEVNULL, env=environment(), timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        status = "timeout"
    return status, open(out).read(), open(err).read()


def journal_problems(state, finished):
    """Problems with the journals under `state`: invalid JSON, mode, a pending write after a finished run."""
    problems = []
    for directory in glob.glob(os.path.join(state, "*")):
        if os.path.isdir(directory) and stat.S_IMODE(os.stat(directory).st_mode) != 0o700:
            problems.append("%s is not 0700" % directory)
    for path in glob.glob(os.path.join(state, "*", "journal.json")):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode != 0o600:
            problems.append("journal mode %o" % mode)
        try:
            journal = json.load(open(path))
        except ValueError as error:
            problems.append("journal is not valid JSON: %s" % error)
            continue
        if finished and journal.get("pendingWrite") is not None:
            problems.append("pendingWrite left: %s" % json.dumps(journal["pendingWrite"])[:120])
    for path in glob.glob(os.path.join(state, "*", "*.damaged-*")):
        problems.append("a damaged journal was set aside: %s" % path)
    return problems


def inventory_problems(reference, actual):
    """Differences between two inventories, and duplicates / extra credentials in `actual`."""
    problems = []
    for key in sorted(set(reference) | set(actual)):
        if reference.get(key) != actual.get(key):
            problems.append("%s differs: expected %s, got %s" % (
                key, json.dumps(reference.get(key))[:400], json.dumps(actual.get(key))[:400]))
    names = [app["name"] for app in actual.get("applications", [])]
    for name in set(names):
        if names.count(name) > 1:
            problems.append("%d apps named %s" % (names.count(name), name))
    for app in actual.get("applications", []):
        if app.get("uniqueName") and app["secrets"] + app["certificates"] != 1:
            problems.append("app %s has %d secrets and %d certificates (want exactly one credential)" % (
                app["name"], app["secrets"], app["certificates"]))
    return problems


def verified(status, out):
    return status == 0 and "All stages verified." in out


def secret_files(state):
    return sorted(glob.glob(os.path.join(state, "*", "service-account-*")))


# ---------------------------------------------------------------------------------------------
# Crash matrix


def crash_matrix(args):
    targets = ["exchange-online", "exchange-server"] if args.target == "both" else [args.target]
    total = converged = 0
    started = time.time()
    failures = []
    for target in targets:
        work = workdir("mailscope-crash.")
        sim = Simulator(work, "reference", target=target, seed=args.seed)
        try:
            status, out, err = run_apply(sim, os.path.join(work, "reference-state"), "reference")
            if not verified(status, out):
                print("FAIL %s reference run: exit %s\n%s" % (target, status, err[-2000:]))
                return 1
            stats = sim.stats()
            reference = sim.inventory()
        finally:
            sim.stop()
        writes, probes = int(stats["writes"]), int(stats["probes"])
        points = [("write", n) for n in range(1, writes + 1)] + [("probe", k) for k in range(1, probes + 1)]
        if args.quick:
            wanted = {("write", 1), ("write", min(3, writes)), ("write", writes), ("probe", probes)}
            points = [point for point in points if point in wanted]
        points = [(kind, number, None) for kind, number in points]
        # Then the journal is damaged between the kill and the next run (truncated, garbage, deleted):
        # the credential file must be matched to the app by key ID again, and no second one made.
        damaged = [("write", writes, "truncated"), ("probe", 1, "garbage"), ("probe", probes, "deleted")]
        points += [point for point in damaged if not args.quick or point[2] != "garbage"]
        print("%s: reference run made %d writes and %d probes; %d kill points" % (target, writes, probes, len(points)))
        for kind, number, damage in points:
            total += 1
            problems, held = kill_point(work, target, args.seed, kind, number, reference, damage)
            if damage:
                held += ", journal " + damage
            if problems:
                failures.append((target, kind, number, held, problems))
                print("FAIL %s kill at %s %d (%s): %s" % (target, kind, number, held, "; ".join(problems)))
            else:
                converged += 1
                if args.verbose:
                    print("ok   %s kill at %s %d (%s)" % (target, kind, number, held))
    print("crash matrix: %d of %d kill points converged (%.0f s)" % (converged, total, time.time() - started))
    return 0 if converged == total else 1


def damage_journal(state, damage):
    """Truncates, overwrites or deletes every journal under `state` (what a full disk, an editor or
    a clean-up script does)."""
    for path in glob.glob(os.path.join(state, "*", "journal.json")):
        if damage == "truncated":
            data = open(path, "rb").read()
            open(path, "wb").write(data[: len(data) // 2])
        elif damage == "garbage":
            open(path, "wb").write(b"\x00\x13garbage{{{")
        else:
            os.remove(path)


def kill_point(work, target, seed, kind, number, reference, damage=None):
    name = "%s-%s-%d%s" % (target, kind, number, "-" + damage if damage else "")
    sim = Simulator(work, name, target=target, seed=seed, extra=["--hold-after-" + kind, str(number)])
    state = os.path.join(work, name + "-state")
    problems = []
    held = "?"
    try:
        first = subprocess.Popen(apply_args(sim, state), stdout=open(os.path.join(work, name + ".1.out"), "w"),
                                 stderr=open(os.path.join(work, name + ".1.err"), "w"), stdin=subprocess.DEVNULL,
                                 env=environment())
        deadline = time.time() + 120
        while time.time() < deadline:
            stats = sim.stats()
            if stats["held"]:
                held = stats["heldRequest"]
                break
            if first.poll() is not None:
                break
            time.sleep(0.05)
        if first.poll() is not None:
            problems.append("apply ended (exit %s) before the kill point" % first.returncode)
            return problems, held
        if held == "?":
            first.kill()
            problems.append("the kill point was not reached in 120 s")
            return problems, held
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        problems += journal_problems(state, finished=False)
        if damage:
            damage_journal(state, damage)
        status, out, err = run_apply(sim, state, name + ".2")
        if not verified(status, out):
            problems.append("the second apply did not converge (exit %s): %s" % (status, err.strip()[-600:]))
        if damage and damage != "deleted" and "was set aside as journal.json.damaged-" not in err:
            problems.append("the damaged journal was set aside without a word")
        problems += [problem for problem in journal_problems(state, finished=True)
                     if not (damage and "a damaged journal was set aside" in problem)]
        problems += inventory_problems(reference, sim.inventory())
        if target == "exchange-online" and len(secret_files(state)) != 1:
            problems.append("%d secret files in the state directory (want 1): %s" % (
                len(secret_files(state)), [os.path.basename(p) for p in secret_files(state)]))
    finally:
        sim.stop()
    return problems, held


# ---------------------------------------------------------------------------------------------
# Fault soak

FAULTS = ["--throttle-rate", "0.06", "--server-error-rate", "0.04", "--reset-rate", "0.03", "--stall-rate", "0.015",
          "--stall-seconds", "3", "--truncate-rate", "0.03", "--malformed-rate", "0.03", "--replication-lag-seconds", "2",
          "--token-lifetime-seconds", "6", "--token-advertised-seconds", "3600"]


def fault_soak(args):
    work = workdir("mailscope-soak.")
    started = time.time()
    counts = {"runs": 0, "first": 0, "resumed": 0, "unconverged": 0, "corrupted": 0, "unclear": 0}
    faults = {}
    statuses = {}
    for run in range(args.runs):
        seed = args.seed + run
        reference_sim = Simulator(work, "ref-%d" % seed, seed=seed)
        try:
            status, out, err = run_apply(reference_sim, os.path.join(work, "ref-%d-state" % seed), "ref-%d" % seed)
            if not verified(status, out):
                print("FAIL reference run for seed %d: exit %s" % (seed, status))
                return 1
            reference = reference_sim.inventory()
        finally:
            reference_sim.stop()
        sim = Simulator(work, "soak-%d" % seed, seed=seed, extra=FAULTS)
        state = os.path.join(work, "soak-%d-state" % seed)
        counts["runs"] += 1
        try:
            attempts = []
            for attempt in range(1, 7):
                status, out, err = run_apply(sim, state, "soak-%d.%d" % (seed, attempt), extra=["--request-timeout", "2"])
                attempts.append(status)
                problems = journal_problems(state, finished=False)
                if problems:
                    counts["corrupted"] += 1
                    print("CORRUPTED seed %d attempt %d: %s" % (seed, attempt, "; ".join(problems)))
                if verified(status, out):
                    break
                # A clear stop: exit 1 or 2, and the last line is mailscope's own message naming the stage
                # and the fix (not a write it was making, not a stack or "Error:" from below).
                lines = [line for line in err.strip().splitlines() if line.strip()]
                last = lines[-1:] if lines and lines[-1].startswith("mailscope: ") and not lines[-1].startswith(
                    ("mailscope: write:", "mailscope:   ", "mailscope: warning:", "mailscope: info:")) else []
                clear = status in (1, 2) and last
                if not clear:
                    counts["unclear"] += 1
                    print("UNCLEAR seed %d attempt %d: exit %s, stderr ends: %s" % (seed, attempt, status, err.strip()[-400:]))
                elif args.verbose:
                    print("     seed %d attempt %d stopped (exit %s): %s" % (seed, attempt, status, last[-1][:300]))
            stats = sim.stats()
            for kind, value in stats["faults"].items():
                faults[kind] = faults.get(kind, 0) + int(value)
            for code, value in stats["statuses"].items():
                statuses[code] = statuses.get(code, 0) + int(value)
            if not verified(status, out):
                counts["unconverged"] += 1
                print("FAIL seed %d did not converge in %d applies: %s" % (seed, len(attempts), attempts))
                continue
            if len(attempts) == 1:
                counts["first"] += 1
            else:
                counts["resumed"] += 1
            problems = journal_problems(state, finished=True) + inventory_problems(reference, sim.inventory())
            if len(secret_files(state)) != 1:
                problems.append("%d secret files in the state directory" % len(secret_files(state)))
            if problems:
                counts["corrupted"] += 1
                print("CORRUPTED seed %d: %s" % (seed, "; ".join(problems)))
            elif args.verbose:
                print("ok   seed %d: %d apply run(s)" % (seed, len(attempts)))
        finally:
            sim.stop()
    injected = ", ".join("%s %d" % (kind, faults.get(kind, 0)) for kind in
                         ["throttled", "serverError", "reset", "stall", "truncated", "malformed"])
    print("fault soak: %d runs; faults injected: %s; 404 answers %d, 401 answers %d" % (
        counts["runs"], injected, statuses.get("404", 0), statuses.get("401", 0)))
    print("fault soak: %d completed first time, %d stopped then resumed, %d did not converge, %d unclear stops, "
          "%d corrupted (%.0f s)" % (counts["first"], counts["resumed"], counts["unconverged"], counts["unclear"],
                                     counts["corrupted"], time.time() - started))
    bad = counts["unconverged"] + counts["corrupted"] + counts["unclear"]
    return 0 if bad == 0 else 1


# ---------------------------------------------------------------------------------------------
# Secrets


def secrets(args):
    work = workdir("mailscope-secrets.")
    files = scanned = hits = 0
    private_ok = private_all = 0
    failures = []
    for target in ["exchange-online", "exchange-server"]:
        sim = Simulator(work, target, target=target)
        state = os.path.join(work, target + "-state")
        try:
            status, out, err = run_apply(sim, state, target + "-apply")
            if not verified(status, out):
                failures.append("%s: apply did not complete (exit %s)" % (target, status))
                continue
            check = subprocess.run([BIN, "check", "--config", sim.config, "--state-dir", state, "--json"],
                                   capture_output=True, env=environment())
            open(os.path.join(work, target + "-check.json"), "wb").write(check.stdout)
            open(os.path.join(work, target + "-check.err"), "wb").write(check.stderr)
            script = subprocess.run([BIN, "script", "--config", sim.config], capture_output=True, env=environment())
            open(os.path.join(work, target + "-script.ps1"), "wb").write(script.stdout + script.stderr)
        finally:
            sim.stop()
        if target == "exchange-online":
            held = secret_files(state)
            if len(held) != 1:
                failures.append("%d secret files" % len(held))
                continue
            secret_path = held[0]
            secret = open(secret_path).read().strip()
            allowed = {secret_path}
        else:
            secret = PASSWORD
            allowed = set()
        # Every file the run produced: state, stdout/stderr, check --json, the script, the simulator's log.
        for directory, _, names in os.walk(work):
            for name in names:
                path = os.path.join(directory, name)
                if path in allowed or not (name.startswith(target) or path.startswith(state)):
                    continue
                data = open(path, "rb").read()
                files += 1
                scanned += len(data)
                for form in {secret, urllib.parse.quote(secret, safe=""), base64.b64encode(secret.encode()).decode()}:
                    if form.encode() in data:
                        hits += 1
                        failures.append("%s: the secret appears in %s" % (target, path))
        for directory, dirnames, names in os.walk(state):
            for name in dirnames:
                private_all += 1
                if stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o700:
                    private_ok += 1
                else:
                    failures.append("%s: directory %s is not 0700" % (target, name))
            for name in names:
                private_all += 1
                if stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o600:
                    private_ok += 1
                else:
                    failures.append("%s: %s is not 0600" % (target, name))
    # http:// to a host that is not loopback is refused before anything is sent (exit 2).
    config = os.path.join(work, "remote.toml")
    open(config, "w").write('preset = "workable"\n[tenant]\nid = "contoso.com"\ncloud = "custom"\n'
                            'login = "http://login.example.com"\ngraph = "http://graph.example.com"\n'
                            'exchange = "http://outlook.example.com"\n[group]\nmembers = ["avery.adams@contoso.com"]\n')
    refused = subprocess.run([BIN, "check", "--config", config, "--state-dir", os.path.join(work, "remote-state")],
                             capture_output=True, env=environment())
    if refused.returncode != 2 or b"http" not in refused.stderr:
        failures.append("http:// to a non-loopback host was not refused (exit %d): %s" % (
            refused.returncode, refused.stderr.decode()[-300:]))
    for failure in failures:
        print("FAIL " + failure)
    print("secrets scan: %d files, %d bytes scanned, %d hits; 0600/0700: %d of %d; http:// to a remote host refused: %s" % (
        files, scanned, hits, private_ok, private_all, "yes" if refused.returncode == 2 else "NO"))
    return 0 if not failures else 1


# ---------------------------------------------------------------------------------------------
# Least privilege


def post_form(url, fields):
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def status_of(request):
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def least_privilege(args):
    work = workdir("mailscope-scope.")
    outside = [0, 0]  # denied, total
    inside = [0, 0]  # allowed, total
    failures = []
    # Exchange Online: Graph as the app, with its own token (client credentials, the held secret).
    sim = Simulator(work, "online")
    state = os.path.join(work, "online-state")
    try:
        status, out, err = run_apply(sim, state, "online-apply")
        if not verified(status, out):
            print("FAIL apply did not complete (exit %s): %s" % (status, err[-800:]))
            return 1
        app_id = [line.split(": ", 1)[1] for line in out.splitlines() if "Client (application) ID:" in line][0].strip()
        secret = open(secret_files(state)[0]).read().strip()
        base = "http://127.0.0.1:%d" % sim.port
        token = post_form(base + "/login/contoso.com/oauth2/v2.0/token", {
            "grant_type": "client_credentials", "client_id": app_id, "client_secret": secret,
            "scope": base + "/graph/.default"})["access_token"]
        inventory = sim.inventory()
        group = next(g for g in inventory["groups"] if g["name"] == "WorkableUsers")
        members = {m.lower() for m in group["members"]}
        for mailbox in inventory["mailboxes"]:
            address = mailbox["address"]
            answers = []
            for path in ["/calendar?$select=id", "/messages?$top=1&$select=id"]:
                request = urllib.request.Request(
                    # Graph resolves /users/{id | userPrincipalName} (user-get.md), not a mail address.
                    base + "/graph/v1.0/users/" + urllib.parse.quote(mailbox.get("upn") or address) + path,
                    headers={"Authorization": "Bearer " + token})
                answers.append(status_of(request)[0])
            if address.lower() in members:
                inside[1] += 1
                if all(code == 200 for code in answers):
                    inside[0] += 1
                else:
                    failures.append("online: %s (inside) answered %s" % (address, answers))
            else:
                outside[1] += 1
                if all(code == 403 for code in answers):
                    outside[0] += 1
                else:
                    failures.append("online: %s (outside) answered %s" % (address, answers))
    finally:
        sim.stop()
    # Exchange Server: EWS GetFolder with ExchangeImpersonation, signed in as the service account.
    sim = Simulator(work, "server", target="exchange-server")
    state = os.path.join(work, "server-state")
    try:
        status, out, err = run_apply(sim, state, "server-apply")
        if not verified(status, out):
            print("FAIL exchange-server apply did not complete (exit %s): %s" % (status, err[-800:]))
            return 1
        inventory = sim.inventory()
        group = next(g for g in inventory["groups"] if g["name"] == "WorkableUsers")
        members = {m.lower() for m in group["members"]}
        authorization = "Basic " + base64.b64encode(("svc-booking@contoso.com:" + PASSWORD).encode()).decode()
        for mailbox in inventory["mailboxes"]:
            address = mailbox["address"]
            if address.lower() == "svc-booking@contoso.com":
                continue  # the service account itself
            envelope = (
                '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" '
                'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header>'
                '<t:RequestServerVersion Version="Exchange2013_SP1"/><t:ExchangeImpersonation><t:ConnectingSID>'
                '<t:PrimarySmtpAddress>%s</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>'
                '</soap:Header><soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>'
                '<m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder></soap:Body>'
                '</soap:Envelope>' % address)
            request = urllib.request.Request(
                "http://127.0.0.1:%d/EWS/Exchange.asmx" % sim.port, data=envelope.encode(), method="POST",
                headers={"Authorization": authorization, "Content-Type": "text/xml; charset=utf-8",
                         "X-AnchorMailbox": address,
                         "SOAPAction": '"http://schemas.microsoft.com/exchange/services/2006/messages/GetFolder"'})
            code, body = status_of(request)
            text = body.decode("utf-8", "replace")
            allowed = code == 200 and 'ResponseClass="Success"' in text
            denied = "ErrorImpersonateUserDenied" in text
            if address.lower() in members:
                inside[1] += 1
                if allowed:
                    inside[0] += 1
                else:
                    failures.append("server: %s (inside) answered %d %s" % (address, code, text[:200]))
            else:
                outside[1] += 1
                if denied:
                    outside[0] += 1
                else:
                    failures.append("server: %s (outside) answered %d %s" % (address, code, text[:200]))
    finally:
        sim.stop()
    for failure in failures:
        print("FAIL " + failure)
    print("least privilege: %d of %d outside mailboxes denied, %d of %d inside allowed (Graph as the app and EWS "
          "impersonation)" % (outside[0], outside[1], inside[0], inside[1]))
    return 0 if not failures and outside[1] > 0 and inside[1] > 0 else 1


def hostile_input(args):
    """Hostile config values: each is refused before anything is sent (exit 2, the field named, no
    crash), or, where it is a legal value, quoted so that it stays a literal all the way into the
    Exchange Management Shell steps the simulated server runs."""
    work = workdir("mailscope-hostile-")
    sim = Simulator(work, "hostile")
    onprem = Simulator(work, "hostile-onprem", target="exchange-server")
    failures = []
    try:
        base = open(sim.config).read()
        server = open(onprem.config).read()

        def replace(text, key, value):
            lines = text.splitlines()
            for index, line in enumerate(lines):
                if line.startswith(key + " = "):
                    lines[index] = key + " = " + value
                    return "\n".join(lines) + "\n"
            raise KeyError(key)

        refused = [
            ("a typographic quote in the group name, which the OPATH filter's DN carries", "group.name",
             replace(base, "members", '["avery.adams@contoso.com"]\nname = "Rooms\u2019 -or Name -like \u2018*"')),
            ("a newline in a name", "service_account.name", base + '[service_account]\nname = "svc\\nRemove-Mailbox"\n'),
            ("a control character in an address", "group.members[0]",
             replace(base, "members", '["alex\\u0007@contoso.com"]')),
            ("an overlong display name", "service_account.name", base + '[service_account]\nname = "%s"\n' % ("x" * 300)),
            ("a wrong tenant id", "tenant.id", replace(base, "id", '"4a7c9e21-3b5d-4f68-8e1a-2c6b9d0f7e5"')),
            ("a tenant id that is a path", "tenant.id", replace(base, "id", '"../../etc/passwd"')),
            ("malformed TOML: an unterminated string", "line", base + 'preset = "workable\n'),
            ("malformed TOML: a table header without a name", "line", base + "[\n"),
            ("malformed TOML: a brace in a list", "line", base + "l = [}\n"),
            ("an unknown setting", "scope.filter", base + '[scope]\nfilter = "Name -like \'*\'"\n'),
            ("a role that is not an application role", "roles.names",
             base + '[roles]\nnames = ["Organization Management"]\n'),
            ("plain http to a remote host", "tenant.graph", replace(base, "graph", '"http://graph.example.net/graph"')),
            ("an EWS URL on another scheme", "server.ews_url", replace(server, "ews_url", '"file:///etc/passwd"')),
            ("a simulated shell that is not on loopback", "server.simulated_shell",
             replace(server, "simulated_shell", '"http://10.1.2.3/_sim/ems"')),
            ("the out-of-scope mailbox inside the group", "connect.out_of_scope_mailbox",
             replace(server, "out_of_scope_mailbox", '"avery.adams@contoso.com"')),
            # Hidden characters (issue 11): a NUL escape once cut the name short inside the TOML
            # parser ("All Staff") and took over that group.
            ("a NUL escape in the group name", "group.name",
             replace(base, "members", '["avery.adams@contoso.com"]\nname = "All Staff\\u0000 (integration)"')),
            ("a raw NUL byte in the group name", "line",
             replace(base, "members", '["avery.adams@contoso.com"]\nname = "All Staff\x00 (integration)"')),
            ("a C1 control character in a name", "service_account.name",
             base + '[service_account]\nname = "svc\\u0085booking"\n'),
            ("a right-to-left override in the group name", "group.name",
             replace(base, "members", '["avery.adams@contoso.com"]\nname = "All Staff\\u202E(noitargetni)"')),
            ("a bidi isolate typed into the scope name", "scope.name", base + '[scope]\nname = "Scope\u2066x\u2069"\n'),
            ("a zero-width joiner in the group name", "group.name",
             replace(base, "members", '["avery.adams@contoso.com"]\nname = "All\u200dStaff"')),
            ("a zero-width space in a member address", "group.members[0]",
             replace(base, "members", '["avery.adams@contoso.com\\u200B"]')),
            ("a byte-order mark before a name", "service_account.name",
             base + '[service_account]\nname = "\\uFEFFsvc-booking"\n'),
        ]
        before = sim.stats()["requests"] + onprem.stats()["requests"]
        refused_ok = 0
        for index, (name, field, text) in enumerate(refused):
            path = os.path.join(work, "hostile-%d.toml" % index)
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(text)
            for command in ("plan", "check", "script"):
                run = subprocess.run([BIN, command, "--config", path, "--state-dir", os.path.join(work, "s%d" % index)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     env=environment(), timeout=60)
                error = run.stderr.decode("utf-8", "replace")
                if run.returncode != 2 or field not in error:
                    failures.append("%s (%s): exit %s, %s" % (name, command, run.returncode, error.strip()[:200]))
                    break
            else:
                refused_ok += 1
        # Not UTF-8 at all.
        path = os.path.join(work, "latin1.toml")
        with open(path, "wb") as stream:
            stream.write(base.encode() + b'[service_account]\nname = "Sch\xf6n"\n')
        run = subprocess.run([BIN, "plan", "--config", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=environment(), timeout=60)
        if run.returncode == 2 and b"UTF-8" in run.stderr:
            refused_ok += 1
        else:
            failures.append("a config that is not UTF-8: exit %s" % run.returncode)
        total_refused = len(refused) + 1
        sent = sim.stats()["requests"] + onprem.stats()["requests"] - before

        # Legal values that must be named or merged, not refused: a homoglyph of an existing group,
        # duplicates by case and by alias; and members of whom none exists stop before any write.
        def plan_of(label, text, command="plan"):
            path = os.path.join(work, label + ".toml")
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(text)
            extra = ["--yes"] if command == "apply" else []
            run = subprocess.run([BIN, command, "--config", path, "--state-dir", os.path.join(work, label)] + extra,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                 env=environment(), timeout=120)
            return run.returncode, (run.stdout + run.stderr).decode("utf-8", "replace")
        named = 0
        status, out = plan_of("homoglyph", replace(base, "members", '["avery.adams@contoso.com"]\nname = "\u0410ll Staff"\nalias = "allstaff2"'))
        if 'looks like the existing group "All Staff"' in out and "Cyrillic" in out:
            named += 1
        else:
            failures.append("a homoglyph of 'All Staff' was not named: exit %s, %s" % (status, out[-300:]))
        status, out = plan_of("duplicates", replace(
            base, "members", '["avery.adams@contoso.com", "AVERY.ADAMS@contoso.com", "blake.adams@contoso.com", "badams@contoso.com"]'))
        adds = out.count("Add-DistributionGroupMember")
        if out.count("the duplicate is dropped") == 2 and adds == 2:
            named += 1
        else:
            failures.append("duplicates by case and alias were not merged: %d add-member writes, %s" % (adds, out[-300:]))
        writes_before = sim.stats().get("writes", 0)
        status, out = plan_of("nobody", replace(base, "members", '["nobody@contoso.com"]'), command="apply")
        writes_after = sim.stats().get("writes", 0)
        if status != 0 and "none of the 1 configured member(s) is a mailbox" in out and writes_after == writes_before:
            named += 1
        else:
            failures.append("no resolvable member: exit %s, %d writes, %s" % (status, writes_after - writes_before, out[-300:]))

        # Legal but hostile values: quoted literals all the way into the simulated Exchange Management Shell.
        literal = "O'Brien $(Stop-Computer) `n; Remove-Mailbox ceo -- \"x\""
        hostile = server + '[scope]\nname = "%s"\n' % literal.replace("\\", "\\\\").replace('"', '\\"')
        path = os.path.join(work, "literal.toml")
        with open(path, "w") as stream:
            stream.write(hostile)
        state = os.path.join(work, "literal-state")
        run = subprocess.run([BIN, "apply", "--config", path, "--yes", "--state-dir", state], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=environment(), timeout=300)
        scopes = [scope["name"] for scope in onprem.inventory().get("scopes", [])]
        literal_ok = run.returncode == 0 and literal in scopes
        if not literal_ok:
            failures.append("a legal hostile scope name did not arrive as a literal: exit %s, scopes %s, %s" %
                            (run.returncode, scopes, run.stderr.decode("utf-8", "replace")[-300:]))
    finally:
        sim.stop()
        onprem.stop()
    for failure in failures:
        print("  FAIL " + failure)
    print("hostile input: %d of %d hostile configs refused before anything was sent (exit 2, field named, "
          "no crash; plan, check and script), %d requests sent; %d of 3 legal look-alike, duplicate and "
          "unresolvable inputs named, merged or stopped before a write; a legal hostile scope name ran as a "
          "literal in the simulated Exchange Management Shell: %s" % (refused_ok, total_refused, sent, named,
                                                                     "yes" if literal_ok else "NO"))
    return 0 if not failures and sent == 0 and refused_ok == total_refused and named == 3 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="suite", required=True)
    crash = sub.add_parser("crash-matrix")
    crash.add_argument("--quick", action="store_true")
    crash.add_argument("--target", default="both", choices=["exchange-online", "exchange-server", "both"])
    crash.add_argument("--seed", type=int, default=1)
    crash.add_argument("--verbose", action="store_true")
    soak = sub.add_parser("fault-soak")
    soak.add_argument("--runs", type=int, default=10)
    soak.add_argument("--seed", type=int, default=100)
    soak.add_argument("--verbose", action="store_true")
    sub.add_parser("secrets")
    sub.add_parser("least-privilege")
    sub.add_parser("hostile-input")
    args = parser.parse_args()
    if not os.access(BIN, os.X_OK):
        print("build mailscope first (swift build --product mailscope), or set MAILSCOPE_BIN", file=sys.stderr)
        return 1
    return {"crash-matrix": crash_matrix, "fault-soak": fault_soak, "secrets": secrets,
            "least-privilege": least_privilege, "hostile-input": hostile_input}[args.suite](args)


if __name__ == "__main__":
    sys.exit(main())
