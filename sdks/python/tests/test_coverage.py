"""The library against the served OpenAPI document: every operation has its method, and
each method sends its operation's HTTP method and path."""

from __future__ import annotations

import inspect
import json
import re
from typing import Dict, List, Tuple

import httpx

import paydesk
from conftest import Server

# Operations the library has before the server it is tested against serves them (they
# are being added in parallel): method and path, held to the document once it has them.
EXPECTED_SOON: Dict[str, Tuple[str, str]] = {
    "listManagementKeys": ("GET", "/management-keys"),
    "createManagementKey": ("POST", "/management-keys"),
    "retrieveManagementKey": ("GET", "/management-keys/{id}"),
    "revokeManagementKey": ("DELETE", "/management-keys/{id}"),
    "suspendManagementKey": ("POST", "/management-keys/{id}/suspend"),
    "reactivateManagementKey": ("POST", "/management-keys/{id}/reactivate"),
    "retrieveKeyPolicy": ("GET", "/key-policy"),
    "updateKeyPolicy": ("PATCH", "/key-policy"),
}


def served_operations(server: Server) -> Dict[str, Tuple[str, str]]:
    doc = httpx.get(f"{server.origin}/api/v1/openapi.json", timeout=30).json()
    ops: Dict[str, Tuple[str, str]] = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                ops[op["operationId"]] = (method.upper(), path)
    return ops


def call_each_method() -> Dict[str, Tuple[str, str, bytes]]:
    """Every method of OPERATIONS called once against a transport that records it."""
    seen: List[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True, "data": {"object": "x", "id": "x_1"}})

    client = paydesk.Paydesk("sk_test_x", base_url="http://paydesk.invalid",
                             http_client=httpx.Client(transport=httpx.MockTransport(answer)))
    sent: Dict[str, Tuple[str, str, bytes]] = {}
    for operation, target in paydesk.OPERATIONS.items():
        resource_name, method_name = target.split(".")
        resource = getattr(client, resource_name)
        method = getattr(resource, method_name)
        positional = [
            p for p in inspect.signature(method).parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        before = len(seen)
        method(*["ID_%d" % i for i in range(len(positional))])
        assert len(seen) == before + 1, f"{target} made {len(seen) - before} requests"
        request = seen[-1]
        sent[operation] = (request.method, request.url.path.removeprefix("/api/v1"), request.content)
    return sent


def matches(template: str, path: str) -> bool:
    pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "ID_[0-9]+", re.escape(template)) + "$"
    return re.match(pattern, path) is not None


def test_every_served_operation_is_in_the_library(server: Server) -> None:
    served = served_operations(server)
    missing = sorted(set(served) - set(paydesk.OPERATIONS) - set(paydesk.NOT_COVERED))
    assert not missing, f"operations of openapi.json the library lacks: {missing}"
    # The exceptions are real operations, each with a reason.
    for operation, why in paydesk.NOT_COVERED.items():
        assert operation in served, f"{operation} is excused but not served"
        assert len(why) > 20


def test_each_method_sends_its_operations_method_and_path(server: Server) -> None:
    served = served_operations(server)
    sent = call_each_method()
    for operation, (method, path, body) in sent.items():
        expected = served.get(operation) or EXPECTED_SOON.get(operation)
        assert expected, f"{operation} is in the library but neither served nor expected"
        assert (method, matches(expected[1], path)) == (expected[0], True), (
            f"{operation}: sent {method} {path}, the document says {expected[0]} {expected[1]}"
        )
        if method in ("POST", "PATCH"):
            assert json.loads(body) == {}
        else:
            assert body == b""
    # And no method of a resource is outside the table.
    client = paydesk.Paydesk("sk_test_x")
    listed = set(paydesk.OPERATIONS.values())
    for name, resource in vars(client).items():
        if isinstance(resource, paydesk._resources.Resource):
            for attr in dir(resource):
                if not attr.startswith("_") and callable(getattr(resource, attr)):
                    assert f"{name}.{attr}" in listed, f"{name}.{attr} is not in OPERATIONS"
