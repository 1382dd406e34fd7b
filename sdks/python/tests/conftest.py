"""A real `paydesk serve` for the suite: a fresh SQLite database in a temp dir, a free
loopback port, an admin made with the CLI, a user token from the API and a test key with
every permission. Stopped at the end of the session.

The binary: $PAYDESK_BIN, else <repo>/target/release/paydesk, else built with
`cargo build --release` from the repository root.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import httpx
import pytest

import paydesk

REPO_ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "sdk-python-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_binary() -> str:
    given = os.environ.get("PAYDESK_BIN")
    if given:
        if not os.access(given, os.X_OK):
            pytest.exit(f"PAYDESK_BIN={given} is not an executable", returncode=2)
        return given
    built = REPO_ROOT / "target" / "release" / "paydesk"
    if not built.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--locked"], cwd=REPO_ROOT, check=True, timeout=3600
        )
    return str(built)


@dataclass
class Server:
    origin: str
    binary: str
    env: Dict[str, str]
    workdir: str
    user_token: str
    secret_key: str
    publishable_key: str
    key_id: str

    def user_client(self, **options: Any) -> paydesk.Paydesk:
        options.setdefault("base_url", self.origin)
        return paydesk.Paydesk(self.user_token, **options)

    def client(self, key: Optional[str] = None, **options: Any) -> paydesk.Paydesk:
        options.setdefault("base_url", self.origin)
        return paydesk.Paydesk(key or self.secret_key, **options)

    def new_key(self, **params: Any) -> paydesk.PaydeskObject:
        """A new test key with the given options (every permission unless said)."""
        params.setdefault("name", f"sdk {uuid.uuid4().hex[:8]}")
        params.setdefault("permissions", "*")
        with self.user_client() as user:
            return user.api_keys.create(**params)


def _start(binary: str, env: Dict[str, str], workdir: str, origin: str) -> subprocess.Popen:
    log = open(os.path.join(workdir, "server.log"), "wb")
    process = subprocess.Popen(
        [binary, "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"paydesk serve exited with {process.returncode}; see {workdir}/server.log")
        try:
            if httpx.get(f"{origin}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("paydesk serve did not answer /healthz within 60 s")


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    binary = find_binary()
    workdir = tempfile.mkdtemp(prefix="paydesk-sdk-python-")
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYDESK_")}
    env.update(
        PAYDESK_BIND=f"127.0.0.1:{port}",
        PAYDESK_DATABASE_URL=f"sqlite://{workdir}/p.db",
        PAYDESK_SECRET=secrets.token_hex(48),
        PAYDESK_WEBHOOK_ALLOW_PRIVATE="true",
        PAYDESK_WEBHOOK_RETRY_BASE_MS="1000",
    )
    process = _start(binary, env, workdir, origin)
    try:
        email = "admin@sdk-python.test"
        subprocess.run(
            [binary, "user", "create", "--email", email, "--role", "admin",
             "--merchant", "SDK Python", "--password-stdin"],
            input=PASSWORD + "\n", text=True, env=env, cwd=workdir, check=True,
            capture_output=True, timeout=60,
        )
        login = httpx.post(
            f"{origin}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30
        )
        login.raise_for_status()
        token = login.json()["data"]["token"]
        with paydesk.Paydesk(token, base_url=origin) as user:
            key = user.api_keys.create(name="sdk python", permissions="*", rate_limit=100000)
        yield Server(
            origin=origin,
            binary=binary,
            env=env,
            workdir=workdir,
            user_token=token,
            secret_key=key.secret_key,
            publishable_key=key.publishable_key,
            key_id=key.id,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log = Path(workdir, "server.log")
        panicked = log.exists() and b"panicked" in log.read_bytes()
        shutil.rmtree(workdir, ignore_errors=True)
        if panicked:
            pytest.fail("the server panicked during the suite")


@pytest.fixture
def client(server: Server) -> Iterator[paydesk.Paydesk]:
    with server.client() as c:
        yield c


@pytest.fixture
def user(server: Server) -> Iterator[paydesk.Paydesk]:
    with server.user_client() as c:
        yield c


def unique_email(label: str = "c") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@sdk-python.test"
