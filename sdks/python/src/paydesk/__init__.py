"""Paydesk's Python library: ``paydesk.Paydesk(api_key)`` and its resources.

    import paydesk
    client = paydesk.Paydesk("sk_test_…", base_url="http://127.0.0.1:8080")
    customer = client.customers.create(email="jenny@example.com", name="Jenny Rosen")
    for c in client.customers.list(limit=10).auto_paging_iter():
        print(c.id, c["email"])
"""

from ._client import Paydesk
from ._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PaydeskError,
    PermissionError,
    RateLimitError,
    SignatureVerificationError,
)
from ._object import ListObject, PaydeskObject
from ._operations import NOT_COVERED, OPERATIONS
from ._version import VERSION
from ._webhook import Webhook, WebhookSignature

__version__ = VERSION

__all__ = [
    "Paydesk",
    "PaydeskError",
    "AuthenticationError",
    "PermissionError",
    "NotFoundError",
    "ConflictError",
    "InvalidRequestError",
    "RateLimitError",
    "APIError",
    "APIConnectionError",
    "SignatureVerificationError",
    "PaydeskObject",
    "ListObject",
    "Webhook",
    "WebhookSignature",
    "OPERATIONS",
    "NOT_COVERED",
    "VERSION",
]
