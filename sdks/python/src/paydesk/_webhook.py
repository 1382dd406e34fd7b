"""Verifying the webhooks Paydesk sends (SPEC §9): ``Webhook.construct_event``."""

from __future__ import annotations

import hmac
import json
from typing import Optional, Union

from . import _signing
from ._errors import SignatureVerificationError
from ._object import PaydeskObject

DEFAULT_TOLERANCE = 300


class Webhook:
    """Checks ``Paydesk-Signature`` on a delivery and reads its event."""

    DEFAULT_TOLERANCE = DEFAULT_TOLERANCE

    @staticmethod
    def construct_event(
        payload: Union[bytes, str],
        sig_header: Optional[str],
        secret: str,
        tolerance: Optional[int] = DEFAULT_TOLERANCE,
    ) -> PaydeskObject:
        """The event in ``payload`` (the raw request body), once its signature verifies.

        ``sig_header`` is the ``Paydesk-Signature`` header, ``secret`` the endpoint's
        ``whsec_…``. Any ``v1`` may match (during a secret roll two are sent). ``t`` may
        be at most ``tolerance`` seconds from now (``None``: not checked). Raises
        :class:`paydesk.SignatureVerificationError` otherwise, and ``ValueError`` when the
        verified payload is not JSON.
        """
        body = payload.encode() if isinstance(payload, str) else bytes(payload)
        WebhookSignature.verify_header(body, sig_header, secret, tolerance)
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise ValueError(f"The webhook payload is not JSON: {e}") from None
        return PaydeskObject(data) if isinstance(data, dict) else data

    @staticmethod
    def generate_header(
        payload: Union[bytes, str], secret: str, timestamp_ms: Optional[int] = None
    ) -> str:
        """A ``Paydesk-Signature`` for ``payload``, as Paydesk would send it (for tests)."""
        body = payload.encode() if isinstance(payload, str) else bytes(payload)
        return _signing.header(secret, body, timestamp_ms)


class WebhookSignature:
    @staticmethod
    def verify_header(
        payload: bytes, sig_header: Optional[str], secret: str, tolerance: Optional[int]
    ) -> bool:
        if not sig_header:
            raise SignatureVerificationError("No Paydesk-Signature header.", sig_header)
        try:
            t, signatures = _signing.parse(sig_header)
        except ValueError as e:
            raise SignatureVerificationError(f"Paydesk-Signature is malformed: {e}.", sig_header) from None
        expected = _signing.compute(secret, t, payload)
        if not any(hmac.compare_digest(expected, s.lower()) for s in signatures):
            raise SignatureVerificationError(
                "No v1 signature matches the payload signed with this secret.", sig_header
            )
        if tolerance is not None and abs(_signing.now_ms() - int(t)) > tolerance * 1000:
            raise SignatureVerificationError(
                f"The signature's t is more than {tolerance} s from now.", sig_header
            )
        return True
