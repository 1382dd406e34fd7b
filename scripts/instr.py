#!/usr/bin/env python3
"""The counting half of scripts/instr.sh (SPEC §15; Python 3.11 standard library only).

    instr.py --bin target/release/paydesk --floor target/release/examples/floor
             --baseline scripts/instr-baseline.txt [--check] [--n 150] [--warmup 50]
             [--write-baseline]

Every server runs under `valgrind --tool=callgrind` (user-space instructions, all threads
summed). For each route: a warm-up, then `callgrind_control -z` (zero), N sequential
requests over one keep-alive connection, a pause for the request log's flush (about every
second), `callgrind_control -d` (dump); then an idle phase of the same wall-clock length,
zeroed and dumped the same way; three times. Instructions per request =
(smallest busy phase - smallest idle phase) / N: the background work (timers, flushes with
nothing to write, the metrics upkeep) is subtracted, and what lands in a phase now and then
(housekeeping once a minute, the usage counters' write every 5 s, a WAL checkpoint) rarely
spoils all three.

Exit status: 0, or 1 with --check when a row rose more than 15 % above the baseline (the
rows are named), 2 when it could not run.
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EMAIL = "ops@acme.test"
PASSWORD = "a long passphrase here"
FLOOR_TOKEN = "floor-token-" + "x" * 40
TOLERANCE = 0.15
# Seconds after the last request of a phase before its dump: the request log writes its
# batch about every second, and that write belongs to the requests, not to the idle phase.
SETTLE = 1.3
# Each route's busy and idle phases are counted this many times (see Server.count).
REPEATS = 3

# Rows in print order: (name, label, ratio base or None, SPEC §15 target ratio or None).
ROWS = [
    ("floor.healthz", "floor GET /healthz", None, None),
    ("floor.whoami", "floor GET /whoami", None, None),
    ("on.healthz", "Paydesk GET /healthz", "floor.healthz", 1.3),
    ("on.whoami", "Paydesk GET /api/v1/whoami", "floor.whoami", 1.6),
    ("on.customer", "Paydesk GET /api/v1/customers/{id} (SQLite)", "floor.whoami", 2.5),
    ("on.create", "Paydesk POST /api/v1/customers", "floor.whoami", None),
    ("on.create_hook", "Paydesk POST /api/v1/customers, 1 endpoint", "on.create", 1.2),
    ("off.healthz", "  log off: GET /healthz", "floor.healthz", None),
    ("off.whoami", "  log off: GET /api/v1/whoami", "floor.whoami", None),
    ("off.customer", "  log off: GET /api/v1/customers/{id}", "floor.whoami", None),
    ("off.create", "  log off: POST /api/v1/customers", "floor.whoami", None),
    ("off.create_hook", "  log off: POST /api/v1/customers, 1 endpoint", "off.create", None),
    ("log_line", "request log line (whoami on - off)", None, None),
    # Issue 22's note: what a spend limit adds to a payment (log on only).
    ("on.payment", "Paydesk POST /api/v1/payments", "floor.whoami", None),
    ("on.payment_limited", "Paydesk POST /api/v1/payments, daily limit", "on.payment", None),
]
# SPEC §15: noting and writing one request log line costs at most this many instructions.
LOG_LINE_TARGET = 6000


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One process under callgrind, on a loopback port."""

    def __init__(self, name: str, argv: list[str], env: dict, work: Path, port: int):
        self.name, self.work, self.port = name, work, port
        self.out = work / f"cg-{name}.out"
        self.logfile = open(work / f"server-{name}.log", "w")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={self.out}", *argv]
        self.proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=self.logfile,
                                     stderr=subprocess.STDOUT)
        self.dumps = 0
        self.conn: http.client.HTTPConnection | None = None

    def wait_up(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                die(f"{self.name} exited ({self.proc.returncode}); see {self.logfile.name}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    c.close()
                    return
            except OSError:
                pass
            time.sleep(0.5)
        die(f"{self.name} did not answer /healthz within {timeout:g} s")

    def request(self, method: str, path: str, token: str | None = None,
                body: dict | None = None) -> tuple[int, bytes]:
        # One keep-alive connection for every request of this server.
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {}
        data = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        if resp.getheader("connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return resp.status, raw

    def must(self, method, path, token=None, body=None) -> dict:
        status, raw = self.request(method, path, token, body)
        if status not in (200, 201):
            die(f"{self.name}: {method} {path} answered {status}: {raw[:300]!r}")
        return json.loads(raw)

    def control(self, flag: str) -> None:
        r = subprocess.run(["callgrind_control", flag, str(self.proc.pid)],
                           capture_output=True, text=True)
        if r.returncode != 0 or "OK" not in r.stdout:
            die(f"callgrind_control {flag} {self.proc.pid} failed: {r.stdout}{r.stderr}")

    def dump(self) -> int:
        """Dumps the counts since the last zero and returns their total of instructions."""
        self.control("-d")
        self.dumps += 1
        path = Path(f"{self.out}.{self.dumps}")
        for _ in range(100):
            if path.exists():
                for line in path.read_text().splitlines():
                    if line.startswith("summary:") or line.startswith("totals:"):
                        return int(line.split()[1])
            time.sleep(0.05)
        die(f"no dump at {path}")

    def count(self, method: str, path: str, n: int, warmup: int, token=None, body=None) -> float:
        """Instructions per request for N sequential requests, minus an idle phase."""
        for _ in range(warmup):
            self.check(method, path, token, body)
        time.sleep(SETTLE)  # the warm-up's flush, before the counting starts
        busy, idle = [], []
        for _ in range(REPEATS):
            self.control("-z")
            t0 = time.monotonic()
            for _ in range(n):
                self.check(method, path, token, body)
            time.sleep(SETTLE)
            busy.append(self.dump())
            PHASES.append(f"{self.out.name}.{self.dumps}: busy {method} {path}")
            length = time.monotonic() - t0
            self.control("-z")
            time.sleep(length)
            idle.append(self.dump())
            PHASES.append(f"{self.out.name}.{self.dumps}: idle after {method} {path}")
        log(f"  {self.name} {method} {path[:28]}: busy {busy}, idle {idle}")
        # Background work lands in a phase now and then and only ever adds; the smallest
        # of each kind leaves it out.
        return (min(busy) - min(idle)) / n

    def check(self, method, path, token, body) -> None:
        status, raw = self.request(method, path, token, body)
        if status not in (200, 201):
            die(f"{self.name}: {method} {path} answered {status}: {raw[:300]!r}")

    def stop(self) -> None:
        if self.conn:
            self.conn.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logfile.close()


SERVERS: list[Server] = []
# Which dump file holds which phase, for --keep.
PHASES: list[str] = []


def die(msg: str) -> None:
    log(f"instr: {msg}")
    for s in SERVERS:
        s.stop()
    sys.exit(2)


def wanted(args, route: str) -> bool:
    """Whether `route` is counted (all unless --only names some: a quicker look while working)."""
    return not args.only or route in args.only


def count_floor(args, work: Path) -> dict[str, float]:
    port = free_port()
    env = dict(os.environ, FLOOR_TOKEN=FLOOR_TOKEN)
    s = Server("floor", [args.floor, str(port)], env, work, port)
    SERVERS.append(s)
    s.wait_up()
    out = {
        "floor.healthz": s.count("GET", "/healthz", args.n, args.warmup),
        "floor.whoami": s.count("GET", "/whoami", args.n, args.warmup, token=FLOOR_TOKEN),
    }
    s.stop()
    return out


def count_paydesk(args, work: Path, state: str) -> dict[str, float]:
    """One Paydesk process with PAYDESK_REQUEST_LOG=state, on a fresh SQLite database."""
    dir_ = work / f"log-{state}"
    dir_.mkdir()
    url = f"sqlite://{dir_}/paydesk.db"
    secret = secrets.token_hex(48)
    env = dict(os.environ, PAYDESK_DATABASE_URL=url, PAYDESK_SECRET=secret, RUST_LOG="warn")
    env.pop("PAYDESK_REDIS_URL", None)  # Redis off
    # The CLI steps run natively, before the server (they are not what is counted).
    subprocess.run([args.bin, "migrate"], cwd=dir_, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([args.bin, "user", "create", "--email", EMAIL, "--role", "admin",
                    "--merchant", "Acme", "--password-stdin"], cwd=dir_, env=env, check=True,
                   input=PASSWORD + "\n", text=True, stdout=subprocess.DEVNULL)
    port = free_port()
    env.update(
        PAYDESK_BIND=f"127.0.0.1:{port}",
        PAYDESK_METRICS_BIND=f"127.0.0.1:{free_port()}",  # metrics on
        PAYDESK_REQUEST_LOG=state,
        # Events are queued for the endpoint but nothing is sent (no receiver needed).
        PAYDESK_WEBHOOK_DELIVERY="off",
        PAYDESK_WEBHOOK_ALLOW_PRIVATE="true",
    )
    s = Server(f"paydesk-{state}", [args.bin, "serve"], env, dir_, port)
    SERVERS.append(s)
    s.wait_up()
    token = s.must("POST", "/api/v1/auth/login",
                   body={"email": EMAIL, "password": PASSWORD})["data"]["token"]
    key = s.must("POST", "/api/v1/api-keys", token=token,
                 body={"name": "instr", "mode": "test", "permissions": "*",
                       "rate_limit": 100000})["data"]["secret_key"]
    customer = s.must("POST", "/api/v1/customers", token=key,
                      body={"email": "c@example.com", "name": "C"})["data"]["id"]
    new = {"email": "n@example.com", "name": "N"}
    p = f"{state}."
    out = {}
    if wanted(args, "healthz"):
        out[p + "healthz"] = s.count("GET", "/healthz", args.n, args.warmup)
    if wanted(args, "whoami"):
        out[p + "whoami"] = s.count("GET", "/api/v1/whoami", args.n, args.warmup, token=key)
    if wanted(args, "customer"):
        out[p + "customer"] = s.count("GET", f"/api/v1/customers/{customer}", args.n,
                                      args.warmup, token=key)
    if wanted(args, "create"):
        out[p + "create"] = s.count("POST", "/api/v1/customers", args.n, args.warmup,
                                    token=key, body=new)
    # One enabled endpoint in the key's mode (nothing listens there: delivery is off).
    s.must("POST", "/api/v1/webhook-endpoints", token=token,
           body={"url": "http://127.0.0.1:9/hook", "mode": "test"})
    if wanted(args, "create_hook"):
        out[p + "create_hook"] = s.count("POST", "/api/v1/customers", args.n, args.warmup,
                                         token=key, body=new)
    if state == "on" and wanted(args, "payment"):
        # A payment with a key without spend limits, then with one holding a daily limit
        # on payments (high enough never to refuse): the cost of the check (issue 22).
        limited = s.must("POST", "/api/v1/api-keys", token=token,
                         body={"name": "instr-limited", "mode": "test", "permissions": "*",
                               "rate_limit": 100000,
                               "spend_limits": [{"resource": "payments", "currency": "usd",
                                                 "amount": 1_000_000_000_000,
                                                 "period": "day"}]})["data"]["secret_key"]
        pay = {"amount": 100, "currency": "usd", "payment_method": "4242424242424242"}
        out[p + "payment"] = s.count("POST", "/api/v1/payments", args.n, args.warmup,
                                     token=key, body=pay)
        out[p + "payment_limited"] = s.count("POST", "/api/v1/payments", args.n, args.warmup,
                                             token=limited, body=pay)
    s.stop()
    return out


def keep(work: Path, dest: Path) -> None:
    """Copies the callgrind dumps (one per phase, named by PHASES.txt) and the servers' logs."""
    import shutil
    dest.mkdir(parents=True, exist_ok=True)
    for f in work.rglob("*"):
        if f.is_file() and (f.name.startswith("cg-") or f.name.startswith("server-")):
            shutil.copy2(f, dest / f.name)
    (dest / "PHASES.txt").write_text("\n".join(PHASES) + "\n")
    log(f"instr: profiles kept in {dest} (see PHASES.txt; callgrind_annotate FILE)")


def read_baseline(path: Path) -> dict[str, int]:
    base = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                name, value = line.split()
                base[name] = int(value)
    return base


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--baseline", required=True, type=Path)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--write-baseline", action="store_true")
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--keep", type=Path, help="copy the profiles and server logs here")
    ap.add_argument("--only", type=lambda v: [r for r in v.split(",") if r],
                    default=[], help="routes to count (healthz,whoami,customer,create,"
                    "create_hook,payment); all when empty. Not with --check or "
                    "--write-baseline.")
    args = ap.parse_args()
    if args.only and (args.check or args.write_baseline):
        ap.error("--only counts some routes: not with --check or --write-baseline")

    with tempfile.TemporaryDirectory(prefix="paydesk-instr.") as tmp:
        work = Path(tmp)
        counts = count_floor(args, work)
        for state in ("on", "off"):
            counts.update(count_paydesk(args, work, state))
        if args.keep:
            keep(work, args.keep)
    if "on.whoami" in counts and "off.whoami" in counts:
        counts["log_line"] = counts["on.whoami"] - counts["off.whoami"]

    base = read_baseline(args.baseline)
    print(f"\ninstructions per request (callgrind, N={args.n} sequential keep-alive requests "
          f"after {args.warmup} warm-up, idle phase subtracted; SQLite, metrics on, Redis off)")
    print(f"{'route':<48} {'instr/req':>10}  {'ratio':>14}  {'target':>8}  {'baseline':>9}")
    over = []
    for name, label, ratio_to, target in ROWS:
        if name not in counts:
            continue
        v = counts[name]
        ratio = ""
        if ratio_to and ratio_to not in counts:
            pass
        elif ratio_to and ratio_to.startswith("floor."):
            ratio = f"{v / counts[ratio_to]:.2f}x floor"
        elif ratio_to:
            ratio = f"{v / counts[ratio_to]:.2f}x w/o"
        tgt = f"<= {target}x" if target else ""
        if name == "log_line":
            tgt = f"<= {LOG_LINE_TARGET}"
        b = base.get(name)
        mark = ""
        if b is not None and v > b * (1 + TOLERANCE) and not name.startswith("floor."):
            mark = " RISEN"
            over.append((name, v, b))
        print(f"{label:<48} {v:>10.0f}  {ratio:>14}  {tgt:>8}  {b if b is not None else '-':>9}{mark}")

    if args.write_baseline:
        lines = ["# scripts/instr.sh baseline: instructions per request (name count); "
                 "--check fails when a count rises > 15 % above it. Lower it as work lands."]
        lines += [f"{name} {round(counts[name])}" for name, *_ in ROWS]
        args.baseline.write_text("\n".join(lines) + "\n")
        log(f"baseline written to {args.baseline}")
    if args.check:
        if not base:
            log(f"instr: no baseline at {args.baseline}")
            sys.exit(2)
        if over:
            for name, v, b in over:
                print(f"instr: {name} rose to {v:.0f} instructions per request, "
                      f"{(v / b - 1) * 100:+.1f} % over the baseline {b} (limit +15 %)")
            sys.exit(1)
        print("instr: every count within 15 % of the baseline")


if __name__ == "__main__":
    main()
