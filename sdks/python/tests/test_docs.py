"""The reference's Python examples (`/docs/api`) run with this library: each one, run
against a transport that records, sends its operation's method and path."""

from __future__ import annotations

import contextlib
import html
import io
import re
from typing import List

import httpx
import pytest

import paydesk
from conftest import Server
from test_coverage import served_operations

ARTICLE = re.compile(r'<article class="card operation" id="([^"]+)"(.*?)</article>', re.S)
PYTHON = re.compile(r'data-testid="example-python">.*?<code>(.*?)</code>', re.S)


def test_the_references_python_examples_call_what_they_say(server: Server) -> None:
    page = httpx.get(f"{server.origin}/docs/api", timeout=30).text
    examples = {m.group(1): PYTHON.search(m.group(2)) for m in ARTICLE.finditer(page)}
    if not any(examples.values()):
        pytest.skip("this server's reference shows no Python examples yet")
    served = served_operations(server)
    seen: List[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True, "data": {"object": "x", "id": "x_1"}})

    def mock() -> paydesk.Paydesk:
        transport = httpx.Client(transport=httpx.MockTransport(answer))
        return paydesk.Paydesk("sk_test_x", base_url="http://paydesk.invalid", http_client=transport)

    ran = 0
    for operation, found in examples.items():
        if operation in paydesk.NOT_COVERED:
            assert found is None, f"{operation} shows a Python example"
            continue
        assert found is not None, f"{operation} shows no Python example"
        code = html.unescape(found.group(1))
        before = len(seen)
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, {"client": mock(), "user": mock()})  # noqa: S102 - our own page
        assert len(seen) == before + 1, f"{operation}: {code}"
        method, path = served[operation]
        request = seen[-1]
        assert request.method == method, f"{operation}: {code}"
        sent = request.url.path.removeprefix("/api/v1")
        # The examples' ids (`cus_123`) stand where the path has `{id}`.
        assert re.match("^" + re.sub(r"\\\{[^}]+\\\}", "[a-z]+_[0-9A-Za-z]+", re.escape(path)) + "$", sent), (
            f"{operation}: {code} sent {sent}, the document says {path}"
        )
        assert paydesk.OPERATIONS[operation].split(".")[1] in code
        ran += 1
    assert ran >= 44
