#!/usr/bin/env python3
"""Stress loads of SPEC §12 against a release build on a fresh SQLite database:

1. concurrent writes: 64 clients POST /api/v1/customers for STRESS_WRITE_SECONDS (30);
   no answer may be a 5xx;
2. concurrent refunds: 400 refunds of 10 at once on one payment of 1000; exactly 100
   succeed, the rest are 400, none is 5xx, and the payment is refunded exactly 1000;
3. slow clients: STRESS_SLOW (5000) connections send a head announcing a body and then
   trickle it; meanwhile /healthz must answer within 1 s, the server's memory stay under
   256 MB, and every slow connection be closed within 20 s (408 at the body deadline).

Prints the figures and exits 1 if a limit was broken. Loopback only; every process it
starts is stopped. Usage: python3 scripts/stress.py [path/to/paydesk]
"""

import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "target", "release", "paydesk"))
WRITE_SECONDS = float(os.environ.get("STRESS_WRITE_SECONDS", "30"))
SLOW = int(os.environ.get("STRESS_SLOW", "5000"))
PASSWORD = "stress-test-password-1"


def fresh_database(backend, work, name):
    """The database URL and extra environment for a benchmark's server: a SQLite file in
    `work`, or a new PostgreSQL database `name` on 127.0.0.1:5432 (user postgres), which
    drop_database removes. Returns (url, env, dbname or None)."""
    if backend == "postgres":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        return f"postgres://postgres@127.0.0.1:5432/{name}", {"PAYDESK_SECRET": "b" * 96}, name
    return f"sqlite://{work}/paydesk.db", {}, None


def drop_database(dbname):
    if dbname:
        subprocess.run(["dropdb", "--if-exists", "--force", "-h", "127.0.0.1", "-U", "postgres", dbname])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


async def request(port, method, path, body=None, token=None, reader_writer=None):
    """One HTTP/1.1 request on a (possibly reused) connection; returns (status, body, rw)."""
    if reader_writer is None:
        reader_writer = await asyncio.open_connection("127.0.0.1", port)
    reader, writer = reader_writer
    data = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    writer.write(head.encode() + b"\r\n" + data)
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    close = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
        if name.lower() == "connection" and "close" in value.lower():
            close = True
    payload = await reader.readexactly(length) if length else b""
    if close:
        writer.close()
        reader_writer = None
    return status, payload, reader_writer


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def concurrent_writes(port, key):
    statuses = {}
    stop = time.monotonic() + WRITE_SECONDS

    async def client(n):
        rw = None
        i = 0
        while time.monotonic() < stop:
            try:
                status, _, rw = await request(port, "POST", "/api/v1/customers", {"email": f"c{n}-{i}@stress.test", "name": "Stress"}, key, rw)
            except (ConnectionError, asyncio.IncompleteReadError):
                status, rw = "error", None
            statuses[status] = statuses.get(status, 0) + 1
            i += 1

    await asyncio.gather(*(client(n) for n in range(64)))
    total = sum(statuses.values())
    bad = sum(v for k, v in statuses.items() if k == "error" or (isinstance(k, int) and k >= 500))
    print(f"concurrent writes: {total} POSTs from 64 clients in {WRITE_SECONDS:.0f} s ({total / WRITE_SECONDS:.0f}/s); statuses {statuses}; 5xx or errors: {bad}")
    return bad == 0


async def concurrent_refunds(port, key):
    status, body, _ = await request(port, "POST", "/api/v1/payments", {"amount": 1000, "currency": "usd", "payment_method": "4242424242424242"}, key)
    pay = json.loads(body)["data"]["id"]

    async def refund():
        status, _, _ = await request(port, "POST", f"/api/v1/payments/refund/{pay}", {"amount": 10}, key)
        return status

    results = await asyncio.gather(*(refund() for _ in range(400)))
    counts = {s: results.count(s) for s in set(results)}
    _, body, _ = await request(port, "GET", f"/api/v1/payments/{pay}", None, key)
    refunded = json.loads(body)["data"]["amount_refunded"]
    ok = counts.get(201, 0) == 100 and refunded == 1000 and not any(s >= 500 for s in counts)
    print(f"concurrent refunds: 400 refunds of 10 on a payment of 1000: statuses {counts}; amount_refunded {refunded}")
    return ok


async def slow_clients(port, pid, key):
    held = []
    opened = 0
    for i in range(SLOW):
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            break
        w.write(f"POST /api/v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{".encode())
        held.append((r, w))
        opened += 1
        if i % 500 == 0:
            await asyncio.sleep(0)
    started = time.monotonic()
    worst = 0.0
    peak = rss_mb(pid)
    closed_at = None

    async def trickle():
        for r, w in held:
            if not w.is_closing():
                try:
                    w.write(b" ")
                except Exception:
                    pass

    while time.monotonic() - started < 25:
        t = time.monotonic()
        try:
            status, _, _ = await asyncio.wait_for(request(port, "GET", "/healthz"), 5)
        except asyncio.TimeoutError:
            status = "timeout"
        worst = max(worst, time.monotonic() - t)
        peak = max(peak, rss_mb(pid))
        await trickle()
        # Read whatever the server sent (408s) so closed sockets show EOF.
        done = 0
        for r, w in held:
            try:
                await asyncio.wait_for(r.read(4096), 0.0001)
            except (asyncio.TimeoutError, ConnectionError):
                pass
            if r.at_eof():
                done += 1
        if done == opened and closed_at is None:
            closed_at = time.monotonic() - started
            break
        await asyncio.sleep(0.5)
    closed = sum(1 for r, w in held if r.at_eof())
    for r, w in held:
        w.close()
    print(f"slow clients: {opened} connections trickling bodies; /healthz worst {worst * 1000:.0f} ms; server memory peak {peak:.0f} MB; "
          f"closed by the server: {closed}/{opened}" + (f" within {closed_at:.1f} s" if closed_at is not None else " (not all within 25 s)"))
    return worst < 1.0 and peak < 256 and closed_at is not None and closed_at <= 20.5


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="paydesk-stress.")
    port = free_port()
    env = dict(os.environ, PAYDESK_DATABASE_URL=f"sqlite://{work}/paydesk.db", PAYDESK_BIND=f"127.0.0.1:{port}", RUST_LOG="warn")
    subprocess.run([BIN, "user", "create", "--email", "ops@stress.test", "--role", "admin", "--merchant", "Stress", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=env, cwd=work, check=True, capture_output=True)
    server = subprocess.Popen([BIN, "serve"], env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=open(f"{work}/server.log", "w"))
    try:
        for _ in range(100):
            try:
                await request(port, "GET", "/healthz")
                break
            except OSError:
                await asyncio.sleep(0.1)
        _, body, _ = await request(port, "POST", "/api/v1/auth/login", {"email": "ops@stress.test", "password": PASSWORD})
        token = json.loads(body)["data"]["token"]
        _, body, _ = await request(port, "POST", "/api/v1/api-keys", {"name": "stress", "permissions": "*", "rate_limit": 100000}, token)
        key = json.loads(body)["data"]["secret_key"]
        results = [
            await concurrent_writes(port, key),
            await concurrent_refunds(port, key),
            await slow_clients(port, server.pid, key),
        ]
        still = server.poll() is None
        print(f"server still running: {still}")
        return 0 if all(results) and still else 1
    finally:
        server.terminate()
        try:
            server.wait(35)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
