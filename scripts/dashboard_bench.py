#!/usr/bin/env python3
"""Dashboard benchmark for SPEC §10: the payments list with DASHBOARD_BENCH_PAYMENTS
(100 000) payments answers a page in under 50 ms, thanks to its indexes and keyset pages.

A release build on a fresh database (SQLite by default; DASHBOARD_BENCH_DB=postgres uses a
fresh database on the local PostgreSQL, dropped at exit). The payments are made through
the API (64 clients), then a signed-in browser session asks for pages of /payments:
the newest, one deep in the list (by its cursor), filtered by status, by a date range,
and a customer's page. Prints the median and worst of 20 requests each, and GET /healthz
for scale; exits 1 if a median is 50 ms or more or a page was not 200.
Usage: python3 scripts/dashboard_bench.py [path/to/paydesk]
"""

import asyncio
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stress import drop_database, free_port, fresh_database, request  # noqa: E402

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "target", "release", "paydesk"))
PAYMENTS = int(os.environ.get("DASHBOARD_BENCH_PAYMENTS", "100000"))
BACKEND = os.environ.get("DASHBOARD_BENCH_DB", "sqlite")
PASSWORD = "dashboard-bench-password-1"
CLIENTS = 64


async def make_payments(port, keys, customer):
    made = [0]
    bad = [0]

    async def client(n):
        rw = None
        while made[0] < PAYMENTS:
            made[0] += 1
            i = made[0]
            body = {"amount": 100 + i % 5000, "currency": "usd",
                    "payment_method": "4000000000000002" if i % 10 == 0 else "4242424242424242"}
            if i % 100 == 0:
                body["customer"] = customer
            status, _, rw = await request(port, "POST", "/api/v1/payments", body, keys[n % len(keys)], rw)
            if status != 201:
                bad[0] += 1

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return time.monotonic() - started, bad[0]


def timed(opener, url, n=20):
    times, statuses, body = [], set(), b""
    for _ in range(n):
        t = time.perf_counter()
        try:
            with opener.open(url) as res:
                body = res.read()
                statuses.add(res.status)
        except urllib.error.HTTPError as e:
            statuses.add(e.code)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times), statuses, body.decode("utf-8", "replace")


def main():
    work = tempfile.mkdtemp(prefix="paydesk-dashboard.")
    port = free_port()
    url, extra, dbname = fresh_database(BACKEND, work, f"paydesk_dashboard_{os.getpid()}")
    env = dict(os.environ, PAYDESK_DATABASE_URL=url, PAYDESK_BIND=f"127.0.0.1:{port}", RUST_LOG="warn", **extra)
    subprocess.run([BIN, "user", "create", "--email", "ops@bench.test", "--role", "admin", "--merchant", "Bench", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=env, cwd=work, check=True, capture_output=True)
    server = subprocess.Popen([BIN, "serve"], env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=open(f"{work}/server.log", "w"))
    failures = 0
    try:
        async def setup():
            for _ in range(100):
                try:
                    await request(port, "GET", "/healthz")
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            _, body, _ = await request(port, "POST", "/api/v1/auth/login", {"email": "ops@bench.test", "password": PASSWORD})
            token = json.loads(body)["data"]["token"]
            keys = []
            for i in range(16):
                _, body, _ = await request(port, "POST", "/api/v1/api-keys", {"name": f"bench {i}", "permissions": "*", "rate_limit": 100000}, token)
                keys.append(json.loads(body)["data"]["secret_key"])
            _, body, _ = await request(port, "POST", "/api/v1/customers", {"email": "ada@bench.test", "name": "Ada"}, keys[0])
            customer = json.loads(body)["data"]["id"]
            seconds, bad = await make_payments(port, keys, customer)
            return customer, seconds, bad

        customer, seconds, bad = asyncio.run(setup())
        failures += bad
        print(f"{BACKEND}: made {PAYMENTS} payments through the API in {seconds:.1f} s ({PAYMENTS / seconds:.0f}/s); non-201: {bad}")

        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        with opener.open(f"{base}/login") as res:
            csrf = re.search(r'name="csrf" value="([^"]+)"', res.read().decode()).group(1)
        form = urllib.parse.urlencode({"email": "ops@bench.test", "password": PASSWORD, "csrf": csrf}).encode()
        try:
            opener.open(urllib.request.Request(f"{base}/login", data=form, headers={"Origin": base}))
        except urllib.error.HTTPError as e:
            assert e.code == 303, e.code

        _, _, _, first = timed(opener, f"{base}/payments", 1)
        ids = re.findall(r'data-payment-id="([^"]+)"', first)
        assert ids, "the first page lists payments"
        # A cursor deep in the list: walk 200 pages with the Older link.
        page = first
        for _ in range(200):
            older = re.search(r'href="(/payments\?before=[^"]+)" rel="next"', page)
            if not older:
                break
            with opener.open(base + older.group(1).replace("&#38;", "&")) as res:
                page = res.read().decode()
        deep_cursor = re.findall(r'data-payment-id="([^"]+)"', page)[-1]
        today = time.strftime("%Y-%m-%d", time.gmtime())
        cases = [
            ("GET /healthz (for scale)", f"{base}/healthz"),
            ("newest page", f"{base}/payments"),
            ("page ~5000 rows deep (cursor)", f"{base}/payments?before={deep_cursor}"),
            ("status=failed", f"{base}/payments?status=failed"),
            ("today's, by date range", f"{base}/payments?from={today}&to={today}"),
            ("a date range with none (2020)", f"{base}/payments?from=2020-01-01&to=2020-01-31"),
            ("a customer's page", f"{base}/customers/{customer}"),
            ("overview (30-day chart)", f"{base}/"),
        ]
        for name, url in cases:
            median, worst, statuses, _ = timed(opener, url)
            ok = statuses == {200} and (median < 50 or "overview" in name or "healthz" in name)
            failures += 0 if ok else 1
            print(f"  {name:34} median {median:6.1f} ms, worst {worst:6.1f} ms, statuses {sorted(statuses)}{'' if ok else '  <-- over 50 ms or not 200'}")
        print(f"failed checks: {failures}")
        return 0 if failures == 0 else 1
    finally:
        server.terminate()
        try:
            server.wait(35)
        except subprocess.TimeoutExpired:
            server.kill()
        drop_database(dbname)


if __name__ == "__main__":
    sys.exit(main())
