#!/usr/bin/env python3
"""Webhook benchmark for SPEC §9 against a release build on a fresh SQLite database, with a
real HTTP receiver on loopback:

1. what the outbox costs the request that causes an event: POST /api/v1/customers
   (`customer.created`) with the one endpoint disabled (no outbox row) and enabled (one
   row in the event's transaction), in alternating blocks, sequentially (median latency)
   and under load (64 clients for WEBHOOK_BENCH_SECONDS, throughput against GET /healthz
   of the same process, same run). This phase runs with PAYDESK_WEBHOOK_DELIVERY=off, so
   the figure is the row's cost alone, not the sending that shares the 2 cores;
2. the server restarted on the same database with delivery on: the backlog phase 1
   queued is sent; then the same load with sending running beside it; then deliveries
   per second: WEBHOOK_BENCH_EVENTS events made as fast as 64 clients can, how fast they
   reach the receiver, and the lag from the last event made to its delivery.

SQLite by default; WEBHOOK_BENCH_DB=postgres uses a fresh database in the local PostgreSQL
(127.0.0.1:5432, user postgres), dropped at the end.

Every delivery must arrive exactly once (by Paydesk-Event-Id); exits 1 otherwise, or when
any answer was not 2xx. Ratios are reported, not judged: they depend on the machine.
Usage: python3 scripts/webhook_bench.py [path/to/paydesk]
"""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stress import drop_database, free_port, fresh_database, request  # noqa: E402

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "target", "release", "paydesk"))
SECONDS = float(os.environ.get("WEBHOOK_BENCH_SECONDS", "8"))
EVENTS = int(os.environ.get("WEBHOOK_BENCH_EVENTS", "3000"))
BACKEND = os.environ.get("WEBHOOK_BENCH_DB", "sqlite")
CLIENTS = 64
PASSWORD = "webhook-bench-password-1"


class Receiver:
    """Answers 200 to every POST and notes when each event id arrived."""

    def __init__(self):
        self.arrivals = {}  # event id -> [monotonic times]

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                event = ""
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.lower() == "content-length":
                        length = int(value.strip())
                    elif name.lower() == "paydesk-event-id":
                        event = value.strip()
                if length:
                    await reader.readexactly(length)
                self.arrivals.setdefault(event, []).append(time.monotonic())
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def count(self):
        return sum(len(v) for v in self.arrivals.values())


async def load(port, path, token, seconds, body=None):
    """CLIENTS clients on kept-alive connections for `seconds`, with the keys in `token`
    (a list) taken in turn; returns (answers/s, non-2xx)."""
    stop = time.monotonic() + seconds
    done = [0, 0]

    async def client(n):
        rw = None
        i = 0
        while time.monotonic() < stop:
            try:
                payload = None if body is None else {"name": f"Bench {n}-{i}"}
                who = None if token is None else token[n % len(token)]
                status, _, rw = await request(port, "POST" if body is not None else "GET", path, payload, who, rw)
            except (ConnectionError, asyncio.IncompleteReadError):
                status, rw = 0, None
            done[0] += 1
            done[1] += 0 if 200 <= status < 300 else 1
            i += 1

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return done[0] / seconds, done[1]


async def sequential_ms(port, key, n):
    rw = None
    times = []
    bad = 0
    for i in range(n):
        t = time.perf_counter()
        status, _, rw = await request(port, "POST", "/api/v1/customers", {"name": f"Seq {i}"}, key, rw)
        times.append((time.perf_counter() - t) * 1000)
        bad += 0 if status == 201 else 1
    return statistics.median(times), bad


async def drained(receiver, want, timeout):
    start = time.monotonic()
    while receiver.count() < want and time.monotonic() - start < timeout:
        await asyncio.sleep(0.05)
    return receiver.count() >= want


def start(work, env, **extra):
    return subprocess.Popen([BIN, "serve"], env=dict(env, **extra), cwd=work, stdout=subprocess.DEVNULL,
                            stderr=open(f"{work}/server.log", "a"))


def stop(server):
    server.terminate()
    try:
        server.wait(35)
    except subprocess.TimeoutExpired:
        server.kill()


async def up(port):
    for _ in range(100):
        try:
            await request(port, "GET", "/healthz")
            return
        except OSError:
            await asyncio.sleep(0.1)


async def under_load(port, keys, endpoint_status, label):
    """Alternating blocks, endpoint disabled and enabled, each against /healthz."""
    rows, failures = [], 0
    for status in ("disabled", "enabled", "disabled", "enabled"):
        await endpoint_status(status)
        health, bad_h = await load(port, "/healthz", None, SECONDS / 2)
        rps, bad = await load(port, "/api/v1/customers", keys, SECONDS, body=True)
        failures += bad + bad_h
        rows.append((status, rps, health))
    for status in ("disabled", "enabled"):
        picked = [(r, h) for s, r, h in rows if s == status]
        ratio = statistics.median(r / h for r, h in picked)
        print(f"  under load ({CLIENTS} clients, {SECONDS:.0f} s x2), endpoint {status}: "
              f"{statistics.median(r for r, _ in picked):.0f}/s, {ratio:.3f}x /healthz")
    off = statistics.median(r / h for s, r, h in rows if s == "disabled")
    on = statistics.median(r / h for s, r, h in rows if s == "enabled")
    print(f"  {label}: {on / off:.3f}x the throughput without")
    return failures


async def main():
    work = tempfile.mkdtemp(prefix="paydesk-webhooks.")
    port = free_port()
    url, extra, dbname = fresh_database(BACKEND, work, f"paydesk_webhooks_{os.getpid()}")
    env = dict(os.environ, PAYDESK_DATABASE_URL=url, PAYDESK_BIND=f"127.0.0.1:{port}", RUST_LOG="warn",
               PAYDESK_WEBHOOK_ALLOW_PRIVATE="true", PAYDESK_WEBHOOK_RETRY_BASE_MS="1000", **extra)
    print(f"database: {BACKEND}")
    subprocess.run([BIN, "user", "create", "--email", "ops@bench.test", "--role", "admin", "--merchant", "Bench", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=env, cwd=work, check=True, capture_output=True)
    server = start(work, env, PAYDESK_WEBHOOK_DELIVERY="off")
    receiver = Receiver()
    listener = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    hook_url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}/hook"
    failures = 0
    try:
        await up(port)
        _, body, _ = await request(port, "POST", "/api/v1/auth/login", {"email": "ops@bench.test", "password": PASSWORD})
        token = json.loads(body)["data"]["token"]
        # Enough keys that no rate limit (at most 100000 a minute each) is reached.
        keys = []
        for i in range(16):
            _, body, _ = await request(port, "POST", "/api/v1/api-keys", {"name": f"bench {i}", "permissions": "*", "rate_limit": 100000}, token)
            keys.append(json.loads(body)["data"]["secret_key"])
        key = keys[0]
        # The endpoint exists throughout; "without" means disabled (no outbox row is written).
        _, body, _ = await request(port, "POST", "/api/v1/webhook-endpoints", {"url": hook_url}, token)
        endpoint = json.loads(body)["data"]["id"]

        async def endpoint_status(status):
            s, _, _ = await request(port, "PATCH", f"/api/v1/webhook-endpoints/{endpoint}", {"status": status}, token)
            assert s == 200, s

        await sequential_ms(port, key, 200)  # warm-up

        # 1a. Sequential latency, alternating blocks, nothing sent.
        print("phase 1: PAYDESK_WEBHOOK_DELIVERY=off, the outbox row alone")
        lat = {"disabled": [], "enabled": []}
        for _ in range(4):
            for status in ("disabled", "enabled"):
                await endpoint_status(status)
                median, bad = await sequential_ms(port, key, 250)
                failures += bad
                lat[status].append(median)
        without, with_ = statistics.median(lat["disabled"]), statistics.median(lat["enabled"])
        print(f"  sequential POST /customers, median of 4 blocks of 250: {without:.3f} ms without an outbox row, {with_:.3f} ms with one: "
              f"{with_ / without:.3f}x the time")
        # 1b. Throughput under load.
        failures += await under_load(port, keys, endpoint_status, "with the outbox row")
        if receiver.count():
            print(f"  sent by an instance with delivery off: {receiver.count()} (must be 0)")
            failures += 1

        # 2. The same database, delivery on: the backlog goes out.
        stop(server)
        server = start(work, env)
        t0 = time.monotonic()
        await up(port)
        start_wait = time.monotonic()
        while True:
            before = receiver.count()
            await asyncio.sleep(1.0)
            if (receiver.count() == before and before > 0) or time.monotonic() - start_wait > 180:
                break
        backlog = receiver.count()
        twice = sum(1 for times in receiver.arrivals.values() if len(times) > 1)
        failures += 1 if twice or not backlog else 0
        print(f"phase 2: restarted with delivery on: the {backlog} queued deliveries sent in "
              f"{time.monotonic() - t0 - 1.0:.1f} s; delivered twice: {twice}")
        failures += await under_load(port, keys, endpoint_status, "with the outbox row and its sending on the same 2 cores")

        # 2b. Deliveries per second.
        start_wait = time.monotonic()
        while True:  # wait for the load blocks' deliveries to finish
            before = receiver.count()
            await asyncio.sleep(1.0)
            if receiver.count() == before or time.monotonic() - start_wait > 120:
                break
        receiver.arrivals.clear()
        await endpoint_status("enabled")
        made = []

        async def maker(n):
            rw = None
            while len(made) < EVENTS:
                made.append(1)
                status, _, rw = await request(port, "POST", "/api/v1/customers", {"name": f"Event {n}"}, keys[n % len(keys)], rw)
                if status != 201:
                    nonlocal_failures[0] += 1

        nonlocal_failures = [0]
        t0 = time.monotonic()
        await asyncio.gather(*(maker(n) for n in range(CLIENTS)))
        t_made = time.monotonic()
        failures += nonlocal_failures[0]
        ok = await drained(receiver, EVENTS, 120)
        arrivals = sorted(t for times in receiver.arrivals.values() for t in times)
        twice = sum(1 for times in receiver.arrivals.values() if len(times) > 1)
        if not ok or twice:
            failures += 1
        if arrivals:
            span = arrivals[-1] - t0
            print(f"deliveries: {EVENTS} events made in {t_made - t0:.2f} s ({EVENTS / (t_made - t0):.0f}/s); "
                  f"{len(receiver.arrivals)} delivered in {span:.2f} s from the first event ({len(arrivals) / span:.0f} deliveries/s); "
                  f"last delivery {1000 * (arrivals[-1] - t_made):.0f} ms after the last event; delivered twice: {twice}")
        still = server.poll() is None
        print(f"non-2xx answers or failed checks: {failures}; server still running: {still}")
        return 0 if failures == 0 and still else 1
    finally:
        listener.close()
        stop(server)
        drop_database(dbname)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
