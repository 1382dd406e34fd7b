#!/usr/bin/env python3
"""Small steps of scripts/load.sh that are clumsy in bash (Python 3.11 standard library only).

    load_helper.py free-port
    load_helper.py wait-ok   --url URL [--timeout S]
    load_helper.py fixture   --url URL --email E --password P --keys N --out DIR
    load_helper.py expect-ok --url URL --key KEY
    load_helper.py report    --config NAME --backend sqlite|postgres --dir DIR --runs N
                             [--summary FILE]
    load_helper.py summary   --summary FILE

`fixture` signs in, makes N API keys and one customer, and writes DIR/token,
DIR/keys.txt (one secret key a line, for scripts/load_rotate.lua) and DIR/customer_id.
`report` reads the wrk outputs DIR/<route>.<run>.txt and prints the table of one
configuration; it exits 3 when any response was non-2xx or a socket error happened.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# The routes measured, in the order they are run and printed. The names are the file
# names load.sh gives to wrk's output.
ROUTES = [
    ("healthz", "GET /healthz"),
    ("whoami", "GET /api/v1/whoami"),
    ("customer", "GET /api/v1/customers/{id}"),
]

# SPEC §8: throughput as a ratio of /healthz on the same process in the same run.
TARGETS = {
    "sqlite": {"whoami": 0.90, "customer": 0.50},
    "postgres": {"whoami": 0.90, "customer": 0.25},
}


# --------------------------------------------------------------------------- HTTP


def call(method: str, url: str, token: str | None = None, body: dict | None = None,
         timeout: float = 30.0) -> tuple[int, dict | None, str]:
    """One request; returns (status, parsed JSON or None, raw text). Never raises on 4xx/5xx."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read().decode("utf-8", "replace")
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return status, parsed, raw


def must(status: int, parsed: dict | None, raw: str, what: str, ok=(200, 201)) -> dict:
    if status not in ok or not parsed or not parsed.get("ok"):
        sys.exit(f"load_helper: {what} failed: HTTP {status}: {raw[:500]}")
    return parsed["data"]


# --------------------------------------------------------------------------- commands


def cmd_free_port(_args) -> None:
    # Asks the kernel for a free loopback port. Another program could take it before the
    # server binds it; on a test machine that is rare, and the server then fails loudly.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def cmd_wait_ok(args) -> None:
    deadline = time.monotonic() + args.timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            status, _, raw = call("GET", args.url, timeout=2.0)
            if status == 200:
                return
            last = f"HTTP {status}: {raw[:200]}"
        except (OSError, urllib.error.URLError) as e:
            last = str(e)
        time.sleep(0.1)
    sys.exit(f"load_helper: {args.url} did not answer 200 within {args.timeout:g} s ({last})")


def cmd_fixture(args) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.url.rstrip("/")

    token = must(*call("POST", f"{base}/api/v1/auth/login",
                       body={"email": args.email, "password": args.password}),
                 "sign-in")["token"]
    (out / "token").write_text(token + "\n")

    # Many keys because one key may make at most 100000 requests a minute (the largest
    # rate_limit allowed) and the server may answer more than that; wrk rotates them.
    keys = []
    for i in range(1, args.keys + 1):
        data = must(*call("POST", f"{base}/api/v1/api-keys", token=token,
                          body={"name": f"load {i}", "mode": "test", "permissions": "*",
                                "rate_limit": 100000}),
                    f"creating API key {i}")
        keys.append(data["secret_key"])
    (out / "keys.txt").write_text("\n".join(keys) + "\n")

    customer = must(*call("POST", f"{base}/api/v1/customers", token=keys[0],
                          body={"email": "c@example.com", "name": "C"}),
                    "creating the customer")["id"]
    (out / "customer_id").write_text(customer + "\n")


def cmd_expect_ok(args) -> None:
    # One plain request before the load, so a route that refuses the keys is reported
    # with its error body instead of as a wall of non-2xx counts.
    status, _, raw = call("GET", args.url, token=args.key)
    if status != 200:
        sys.exit(f"load_helper: GET {args.url} answered HTTP {status}: {raw[:500]}")


WRK_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_TOTAL = re.compile(r"^\s*(\d+) requests in", re.M)
WRK_P99 = re.compile(r"^\s*99%\s+([\d.]+)(us|ms|s)\b", re.M)


def parse_wrk(text: str, name: str) -> dict:
    rps = WRK_RPS.search(text)
    if not rps:
        sys.exit(f"load_helper: no 'Requests/sec' in {name}; wrk said:\n{text}")
    non2xx = WRK_NON2XX.search(text)
    sock = WRK_SOCKET.search(text)
    total = WRK_TOTAL.search(text)
    p99 = WRK_P99.search(text)
    p99_ms = None
    if p99:
        p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return {
        "rps": float(rps.group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(g) for g in sock.groups()) if sock else 0,
        "requests": int(total.group(1)) if total else 0,
        "p99_ms": p99_ms,
    }


def cmd_report(args) -> None:
    d = Path(args.dir)
    targets = TARGETS[args.backend]
    rows = []
    for route, label in ROUTES:
        runs = [parse_wrk((d / f"{route}.{i}.txt").read_text(), f"{route}.{i}.txt")
                for i in range(1, args.runs + 1)]
        p99s = [r["p99_ms"] for r in runs if r["p99_ms"] is not None]
        rows.append({
            "route": route,
            "label": label,
            "runs": [r["rps"] for r in runs],
            "median": statistics.median(r["rps"] for r in runs),
            "p99_ms": statistics.median(p99s) if p99s else None,
            "non2xx": sum(r["non2xx"] for r in runs),
            "socket_errors": sum(r["socket_errors"] for r in runs),
            "requests": sum(r["requests"] for r in runs),
        })
    base = rows[0]["median"] or 1.0

    print(f"{'route':<28} {'median rps':>11} {'ratio':>6} {'target':>7}  {'':<4} "
          f"{'p99 ms':>7} {'non-2xx':>8} {'sock err':>8}  runs (rps)")
    bad = False
    for r in rows:
        r["ratio"] = r["median"] / base
        target = targets.get(r["route"])
        r["target"] = target
        if target is None:
            tgt, verdict = "", ""
        else:
            tgt = f">={target:.2f}"
            verdict = "ok" if r["ratio"] >= target else "LOW"
        p99 = f"{r['p99_ms']:.2f}" if r["p99_ms"] is not None else "-"
        runs = " / ".join(f"{x:.0f}" for x in r["runs"])
        print(f"{r['label']:<28} {r['median']:>11.0f} {r['ratio']:>6.2f} {tgt:>7}  {verdict:<4} "
              f"{p99:>7} {r['non2xx']:>8} {r['socket_errors']:>8}  {runs}")
        if r["non2xx"] or r["socket_errors"]:
            bad = True
    for r in rows:
        if r["non2xx"]:
            print(f"\n!!!!! WARNING: {r['label']} got {r['non2xx']} non-2xx responses of "
                  f"{r['requests']} ({args.config}). The figures above are NOT valid: look at "
                  f"the server log and at a single request's answer (429? 5xx?).")
        if r["socket_errors"]:
            print(f"\n!!!!! WARNING: {r['label']} had {r['socket_errors']} socket errors "
                  f"(connect/read/write/timeout) in {args.config}.")

    if args.summary:
        with open(args.summary, "a") as f:
            f.write(json.dumps({"kind": "load", "config": args.config,
                                "backend": args.backend, "rows": rows}) + "\n")
    if bad:
        sys.exit(3)


def cmd_summary(args) -> None:
    path = Path(args.summary)
    lines = [json.loads(x) for x in path.read_text().splitlines() if x.strip()] \
        if path.exists() else []
    if not lines:
        print("(no configuration finished)")
        return
    for entry in lines:
        if entry["kind"] == "load":
            parts = []
            for r in entry["rows"]:
                if r["target"] is None:
                    parts.append(f"{r['route']} {r['median']:.0f} rps")
                else:
                    verdict = "ok" if r["ratio"] >= r["target"] else "LOW"
                    parts.append(f"{r['route']} {r['ratio']:.2f}x (>={r['target']:.2f} {verdict})")
            errors = sum(r["non2xx"] + r["socket_errors"] for r in entry["rows"])
            parts.append(f"non-2xx+errors {errors}" + ("  <-- WARNING" if errors else ""))
            print(f"{entry['config']:<9} " + " | ".join(parts))
        elif entry["kind"] == "revocation":
            if entry["ok"]:
                print(f"{entry['config']:<9} revocation A->B: p50 {entry['p50_ms']:.1f} ms, "
                      f"p99 {entry['p99_ms']:.1f} ms, max {entry['max_ms']:.1f} ms "
                      f"({entry['ok']}/{entry['n']} ok, {entry['failures']} failed)"
                      + ("  <-- WARNING" if entry["failures"] else ""))
            else:
                print(f"{entry['config']:<9} revocation A->B: all {entry['n']} samples failed"
                      "  <-- WARNING")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    sub.add_parser("free-port").set_defaults(fn=cmd_free_port)

    s = sub.add_parser("wait-ok")
    s.add_argument("--url", required=True)
    s.add_argument("--timeout", type=float, default=60.0)
    s.set_defaults(fn=cmd_wait_ok)

    s = sub.add_parser("fixture")
    s.add_argument("--url", required=True)
    s.add_argument("--email", required=True)
    s.add_argument("--password", required=True)
    s.add_argument("--keys", type=int, default=64)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_fixture)

    s = sub.add_parser("expect-ok")
    s.add_argument("--url", required=True)
    s.add_argument("--key", required=True)
    s.set_defaults(fn=cmd_expect_ok)

    s = sub.add_parser("report")
    s.add_argument("--config", required=True)
    s.add_argument("--backend", choices=sorted(TARGETS), required=True)
    s.add_argument("--dir", required=True)
    s.add_argument("--runs", type=int, required=True)
    s.add_argument("--summary")
    s.set_defaults(fn=cmd_report)

    s = sub.add_parser("summary")
    s.add_argument("--summary", required=True)
    s.set_defaults(fn=cmd_summary)

    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
