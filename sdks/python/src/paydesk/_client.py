"""The client: credentials, the HTTP call, retries, the envelope and its errors."""

from __future__ import annotations

import json
import random
import time
import uuid
from typing import Any, Callable, Dict, Mapping, Optional

import httpx

from . import _resources, _signing
from ._errors import APIConnectionError, APIError, PaydeskError, RateLimitError, error_class
from ._object import ListObject, PaydeskObject, convert
from ._version import VERSION

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
# Back-off before retry n (0-based): INITIAL_DELAY × 2ⁿ, less up to a quarter of jitter.
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
# A Retry-After above this is not waited for: the error is raised instead.
MAX_RETRY_AFTER = 60.0


class Paydesk:
    """A Paydesk API client.

    ``api_key`` is a secret key (``sk_test_…``), or a user token from
    ``POST /api/v1/auth/login`` or a management key for ``api_keys``,
    ``webhook_endpoints``, ``management_keys`` and ``key_policy``.

    - ``base_url``: the server (``https://paydesk.example.com``); ``/api/v1`` is added.
    - ``api_version``: sent as ``Paydesk-Version`` (else the key's pin, else current).
    - ``max_retries``: retries of a call after a connection error, 429 or 5xx (default 2).
    - ``timeout``: seconds per attempt.
    - ``sign_requests``: sign every request with the secret key (``Paydesk-Signature``).
    - ``publishable_key``: send the pair ``X-API-Key: pk_…`` + ``X-API-Secret: sk_…``
      instead of ``Authorization: Bearer``.
    - ``http_client``: an ``httpx.Client`` of your own (proxies, transports).
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: Optional[str] = None,
        api_version: Optional[str] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        sign_requests: bool = False,
        publishable_key: Optional[str] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        if not api_key or not isinstance(api_key, str):
            raise ValueError("Paydesk needs an API key (sk_test_…), a user token or a management key.")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more.")
        self.api_key = api_key
        self.base_url = _api_base(base_url or DEFAULT_BASE_URL)
        self.api_version = api_version
        self.max_retries = max_retries
        self.timeout = timeout
        self.sign_requests = sign_requests
        self.publishable_key = publishable_key
        self._own_http = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout)
        # For tests and back-off that must not really sleep.
        self._sleep: Callable[[float], None] = time.sleep
        self.last_response: Optional[httpx.Response] = None

        self.customers = _resources.Customers(self)
        self.payments = _resources.Payments(self)
        self.refunds = _resources.Refunds(self)
        self.plans = _resources.Plans(self)
        self.subscriptions = _resources.Subscriptions(self)
        self.client_sessions = _resources.ClientSessions(self)
        self.balance = _resources.Balance(self)
        self.events = _resources.Events(self)
        self.webhook_endpoints = _resources.WebhookEndpoints(self)
        self.webhook_deliveries = _resources.WebhookDeliveries(self)
        self.api_keys = _resources.ApiKeys(self)
        self.management_keys = _resources.ManagementKeys(self)
        self.key_policy = _resources.KeyPolicy(self)
        self.whoami = _resources.Whoami(self)

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> "Paydesk":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # The calls the resources make.

    def request(self, method: str, path: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """One API call: ``path`` below ``/api/v1``; GET/DELETE params in the query, the
        others as the JSON body. Returns the envelope's ``data`` as objects. An
        ``idempotency_key`` in ``params`` replaces the generated one."""
        data = self._send(method.upper(), path, dict(params or {}))
        return convert(data)

    def request_list(self, path: str, params: Optional[Mapping[str, Any]] = None) -> ListObject:
        """A GET that answers a list: the first page, able to fetch the next ones."""
        params = {k: v for k, v in (params or {}).items() if v is not None}
        data = self._send("GET", path, dict(params))

        def fetch(next_params: Dict[str, Any]) -> ListObject:
            return self.request_list(path, next_params)

        return ListObject(data if isinstance(data, dict) else {"data": data}, fetch, params)

    # The HTTP exchange.

    def _headers(self) -> Dict[str, str]:
        headers = {
            "Accept": "application/json",
            "User-Agent": f"paydesk-python/{VERSION}",
        }
        if self.publishable_key:
            headers["X-API-Key"] = self.publishable_key
            headers["X-API-Secret"] = self.api_key
        else:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if self.api_version:
            headers["Paydesk-Version"] = self.api_version
        return headers

    def _send(self, method: str, path: str, params: Dict[str, Any]) -> Any:
        url = self.base_url + path
        headers = self._headers()
        query: Optional[Dict[str, str]] = None
        body = b""
        idempotency_key = params.pop("idempotency_key", None)
        if method in ("GET", "DELETE", "HEAD"):
            query = {k: _query_value(v) for k, v in params.items() if v is not None}
        else:
            body = json.dumps(params, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
            # Made once per call: every retry of this call carries the same key, so the
            # server does the work once however many attempts reach it.
            headers["Idempotency-Key"] = str(idempotency_key or uuid.uuid4())
        attempt = 0
        while True:
            if self.sign_requests:
                headers["Paydesk-Signature"] = _signing.header(self.api_key, body)
            try:
                response = self._http.request(
                    method,
                    url,
                    params=query,
                    content=body if method not in ("GET", "DELETE", "HEAD") else None,
                    headers=headers,
                    timeout=self.timeout,
                )
            except httpx.TransportError as e:
                if attempt < self.max_retries:
                    self._sleep(_backoff(attempt))
                    attempt += 1
                    continue
                raise APIConnectionError(
                    f"Could not reach Paydesk at {self.base_url} ({type(e).__name__}: {e}); "
                    f"tried {attempt + 1} time{'s' if attempt else ''}."
                ) from e
            self.last_response = response
            status = response.status_code
            if (status == 429 or status >= 500) and attempt < self.max_retries:
                delay = _retry_delay(attempt, response.headers.get("Retry-After"))
                if delay is not None:
                    response.close()
                    self._sleep(delay)
                    attempt += 1
                    continue
            return _interpret(response)


def _api_base(base_url: str) -> str:
    base = base_url.rstrip("/")
    if base.endswith("/api/v1"):
        return base
    return base + "/api/v1"


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _backoff(attempt: int) -> float:
    delay = min(INITIAL_DELAY * float(2**attempt), MAX_DELAY)
    return delay * (1 - random.random() * 0.25)


def _retry_delay(attempt: int, retry_after: Optional[str]) -> Optional[float]:
    """How long to wait before the next attempt, or ``None`` not to retry."""
    if retry_after is not None:
        try:
            seconds = float(retry_after)
        except ValueError:
            seconds = -1
        if seconds > MAX_RETRY_AFTER:
            return None
        if seconds >= 0:
            return max(seconds, 0.0)
    return _backoff(attempt)


def _interpret(response: httpx.Response) -> Any:
    request_id = response.headers.get("Request-Id")
    try:
        body = response.json()
    except ValueError:
        body = None
    status = response.status_code
    if 200 <= status < 300 and isinstance(body, dict) and body.get("ok") is True:
        return body.get("data")
    headers = dict(response.headers)
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        if 200 <= status < 300:
            raise APIError(
                "Paydesk answered with something that is not its JSON envelope.",
                status=status, request_id=request_id, headers=headers, body=response.text,
            )
        cls = error_class(status)
        raise cls(
            f"Paydesk answered {status} without an error envelope.",
            status=status, request_id=request_id, headers=headers, body=response.text,
        )
    error = body["error"]
    kwargs: Dict[str, Any] = dict(
        status=status,
        code=error.get("code"),
        details=error.get("details") or {},
        request_id=body.get("request_id") or request_id,
        headers=headers,
        body=body,
    )
    message = error.get("message") or f"Paydesk answered {status}."
    cls = error_class(status)
    if cls is RateLimitError:
        retry_after: Optional[float]
        try:
            retry_after = float(response.headers["Retry-After"])
        except (KeyError, ValueError):
            retry_after = None
        raise RateLimitError(message, retry_after=retry_after, **kwargs)
    raise cls(message, **kwargs)


__all__ = ["Paydesk", "PaydeskError", "PaydeskObject"]
