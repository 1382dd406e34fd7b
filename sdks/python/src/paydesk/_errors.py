"""The errors a call can raise: one base class, one subclass per kind of failure."""

from __future__ import annotations

from typing import Any, Dict, Optional


class PaydeskError(Exception):
    """Any error from the API or on the way to it.

    ``status`` is the HTTP status (``None`` when no answer came), ``code`` the API's
    error code (``invalid_api_key``, ``not_found``, …), ``details`` what the API said
    beyond the message, ``request_id`` the ``req_…`` to quote to support.
    """

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        details: Optional[Dict[str, Any]] = None,
        request_id: Optional[str] = None,
        headers: Optional[Dict[str, str]] = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details: Dict[str, Any] = details or {}
        self.request_id = request_id
        self.headers: Dict[str, str] = headers or {}
        self.body = body

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.insert(0, f"({self.code})")
        if self.request_id:
            parts.append(f"[{self.request_id}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class AuthenticationError(PaydeskError):
    """401: no credentials, an unknown, expired or revoked key, a bad signature."""


class PermissionError(PaydeskError):  # noqa: A001 - the name users expect (Stripe's)
    """403: the key lacks the scope, is suspended, or comes from a refused IP."""


class NotFoundError(PaydeskError):
    """404: no such object for this merchant and mode."""


class ConflictError(PaydeskError):
    """409: the object's state refuses the change, or the idempotency key is in use."""


class InvalidRequestError(PaydeskError):
    """400, 405, 413, 415 or 422: the request itself is wrong (see ``details``)."""


class RateLimitError(PaydeskError):
    """429: too many requests; ``retry_after`` is the seconds to wait, when sent."""

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class APIError(PaydeskError):
    """5xx, or an answer that is not the API's envelope."""


class APIConnectionError(PaydeskError):
    """The request did not get an answer: refused, reset, timed out."""


class SignatureVerificationError(PaydeskError):
    """A webhook's ``Paydesk-Signature`` does not verify (see :class:`paydesk.Webhook`)."""

    def __init__(self, message: str, sig_header: Optional[str] = None) -> None:
        super().__init__(message, code="signature_invalid")
        self.sig_header = sig_header


def error_class(status: int) -> type:
    """The class for an HTTP status."""
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return APIError
    if 400 <= status < 500:
        return InvalidRequestError
    return APIError
