"""``Paydesk-Signature: t=<unix ms>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`` (SPEC §5, §9)."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import List, Optional, Tuple, Union


def now_ms() -> int:
    return int(time.time() * 1000)


def compute(secret: str, timestamp_ms: Union[int, str], body: bytes) -> str:
    """The hex ``v1`` of ``body`` signed at ``timestamp_ms`` with ``secret``."""
    message = str(timestamp_ms).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret: str, body: bytes, timestamp_ms: Optional[int] = None) -> str:
    """A ``Paydesk-Signature`` value for ``body``, signed now unless a time is given."""
    t = now_ms() if timestamp_ms is None else timestamp_ms
    return f"t={t},v1={compute(secret, t, body)}"


def parse(value: str) -> Tuple[str, List[str]]:
    """``t`` as sent and every ``v1``; ``ValueError`` when malformed."""
    t: Optional[str] = None
    v1: List[str] = []
    for part in value.split(","):
        name, sep, item = part.strip().partition("=")
        if not sep:
            raise ValueError("each element must be name=value")
        name, item = name.strip(), item.strip()
        if name == "t":
            if t is not None:
                raise ValueError("t appears more than once")
            if not item.isdigit() or len(item) > 18:
                raise ValueError("t must be a Unix time in milliseconds")
            t = item
        elif name == "v1":
            v1.append(item)
    if t is None:
        raise ValueError("t is missing")
    if not v1:
        raise ValueError("v1 is missing")
    return t, v1
