#!/usr/bin/env python3
"""How long a key revoked on instance A keeps working on instance B (SPEC §8: 100 ms).

    revocation_probe.py --a http://127.0.0.1:PORT_A --b http://127.0.0.1:PORT_B \
                        --token USER_TOKEN [--n 30] [--give-up 2.0] [--json-out FILE]

N times: create a key on A (key-management API, user token), call GET /api/v1/whoami
with it on B until 200 (so B has seen, and may have cached, the key), DELETE it on A,
then poll B's /api/v1/whoami in a tight loop until it answers 401. A sample is the time
from the DELETE's response to B's first 401. A sample that still gets 200 after
--give-up seconds is a failure. Prints p50, p99 and max in milliseconds.

Python 3.11 standard library only. Exit status 1 when any sample failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import sys
import time
import urllib.parse


class Conn:
    """One keep-alive connection to an instance, re-opened after a network error, so the
    tight loop measures the server and not TCP handshakes."""

    def __init__(self, base: str):
        u = urllib.parse.urlsplit(base)
        if u.scheme != "http":
            sys.exit(f"revocation_probe: only http:// URLs, got {base}")
        self.host, self.port = u.hostname, u.port or 80
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, bearer: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {bearer}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                return resp.status, raw
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def data_of(status: int, raw: bytes, what: str) -> dict:
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if status not in (200, 201) or not parsed or not parsed.get("ok"):
        sys.exit(f"revocation_probe: {what}: HTTP {status}: {raw[:300]!r}")
    return parsed["data"]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile (with 30 samples, p99 is the largest)."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def one_sample(a: Conn, b: Conn, token: str, i: int, give_up: float, odd: dict) -> float | str:
    """Returns the delay in ms, or a string saying why the sample failed."""
    created = data_of(*a.request("POST", "/api/v1/api-keys", token,
                                 {"name": f"revocation probe {i}", "mode": "test",
                                  "permissions": "*", "rate_limit": 100000}),
                      f"creating probe key {i} on A")
    key_id, secret = created["id"], created["secret_key"]

    # Warm B: it must accept the key (and so have it cached) before the revocation.
    deadline = time.perf_counter() + give_up
    while True:
        status, _ = b.request("GET", "/api/v1/whoami", secret)
        if status == 200:
            break
        odd[status] = odd.get(status, 0) + 1
        if time.perf_counter() > deadline:
            return f"new key not accepted on B within {give_up:g} s (last HTTP {status})"

    status, raw = a.request("DELETE", f"/api/v1/api-keys/{key_id}", token)
    revoked_at = time.perf_counter()
    data_of(status, raw, f"revoking probe key {i} on A")

    while True:
        status, _ = b.request("GET", "/api/v1/whoami", secret)
        now = time.perf_counter()
        if status == 401:
            return (now - revoked_at) * 1000.0
        if status != 200:
            # Neither "still valid" nor "revoked": worth showing (429, 5xx, …).
            odd[status] = odd.get(status, 0) + 1
        if now - revoked_at > give_up:
            return f"still accepted on B {give_up:g} s after the revocation"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--a", required=True, help="base URL of the instance that revokes")
    p.add_argument("--b", required=True, help="base URL of the instance that must refuse")
    p.add_argument("--token", required=True, help="user token (POST /api/v1/auth/login)")
    p.add_argument("--n", type=int, default=30)
    p.add_argument("--give-up", type=float, default=2.0, help="seconds per sample")
    p.add_argument("--json-out", help="append a JSON line with the result here")
    p.add_argument("--config", default="cluster", help="name written into --json-out")
    args = p.parse_args()

    a, b = Conn(args.a), Conn(args.b)
    delays: list[float] = []
    failures: list[str] = []
    odd: dict[int, int] = {}
    for i in range(1, args.n + 1):
        result = one_sample(a, b, args.token, i, args.give_up, odd)
        if isinstance(result, str):
            failures.append(f"sample {i}: {result}")
        else:
            delays.append(result)

    print(f"revocation on A refused on B: {len(delays)}/{args.n} samples within "
          f"{args.give_up:g} s")
    entry = {"kind": "revocation", "config": args.config, "n": args.n, "ok": len(delays),
             "failures": len(failures)}
    if delays:
        delays.sort()
        entry.update(p50_ms=percentile(delays, 50), p99_ms=percentile(delays, 99),
                     max_ms=delays[-1])
        print(f"  p50 {entry['p50_ms']:.1f} ms   p99 {entry['p99_ms']:.1f} ms   "
              f"max {entry['max_ms']:.1f} ms   (target: refused within 100 ms)")
    for f in failures:
        print(f"  FAILED {f}")
    if odd:
        print("  unexpected answers from B: "
              + ", ".join(f"HTTP {s} x{n}" for s, n in sorted(odd.items())))
    if args.json_out:
        with open(args.json_out, "a") as f:
            f.write(json.dumps(entry) + "\n")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
