"""A resource per section of the API, a method per operation (``OPERATIONS`` maps them).

Parameters are keyword arguments named as in the API reference (``/docs/api``): for GET
and DELETE they go in the query, otherwise in the JSON body. POST and PATCH methods also
take ``idempotency_key=`` to choose the ``Idempotency-Key`` instead of a new UUID.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ._object import ListObject, PaydeskObject

if TYPE_CHECKING:
    from ._client import Paydesk


def _id(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("An object's id is a non-empty string (cus_…, pay_…).")
    return quote(value, safe="")


class Resource:
    def __init__(self, client: "Paydesk") -> None:
        self._client = client

    def _call(self, method: str, path: str, params: Any = None) -> PaydeskObject:
        result: PaydeskObject = self._client.request(method, path, params)
        return result

    def _list(self, path: str, params: Any = None) -> ListObject:
        return self._client.request_list(path, params)


class Customers(Resource):
    def list(self, **params: Any) -> ListObject:
        return self._list("/customers", params)

    def create(self, **params: Any) -> PaydeskObject:
        return self._call("POST", "/customers", params)

    def retrieve(self, id: str) -> PaydeskObject:
        return self._call("GET", f"/customers/{_id(id)}")

    def update(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("PATCH", f"/customers/{_id(id)}", params)


class Plans(Resource):
    def list(self, **params: Any) -> ListObject:
        return self._list("/plans", params)

    def create(self, **params: Any) -> PaydeskObject:
        return self._call("POST", "/plans", params)

    def retrieve(self, id: str) -> PaydeskObject:
        return self._call("GET", f"/plans/{_id(id)}")


class Payments(Resource):
    def list(self, **params: Any) -> ListObject:
        return self._list("/payments", params)

    def create(self, **params: Any) -> PaydeskObject:
        return self._call("POST", "/payments", params)

    def retrieve(self, id: str) -> PaydeskObject:
        return self._call("GET", f"/payments/{_id(id)}")

    def refund(self, id: str, **params: Any) -> PaydeskObject:
        """Refunds the payment ``id``; ``amount`` defaults to what remains. Returns the refund."""
        return self._call("POST", f"/payments/refund/{_id(id)}", params)


class Refunds(Resource):
    def list(self, **params: Any) -> ListObject:
        return self._list("/refunds", params)

    def retrieve(self, id: str) -> PaydeskObject:
        return self._call("GET", f"/refunds/{_id(id)}")


class Balance(Resource):
    def retrieve(self) -> PaydeskObject:
        return self._call("GET", "/balance")


class Subscriptions(Resource):
    def search(self, **params: Any) -> ListObject:
        """Subscriptions filtered by ``customer`` and ``status``, a list like the others."""
        return self._list("/subscriptions/search", params)

    def create(self, **params: Any) -> PaydeskObject:
        return self._call("POST", "/subscriptions", params)

    def retrieve(self, id: str) -> PaydeskObject:
        return self._call("GET", f"/subscriptions/{_id(id)}")

    def update(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("PATCH", f"/subscriptions/{_id(id)}", params)

    def update_by_body(self, **params: Any) -> PaydeskObject:
        """``PATCH /subscriptions`` with the subscription's ``id`` among the params."""
        return self._call("PATCH", "/subscriptions", params)

    def cancel(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("POST", f"/subscriptions/cancel/{_id(id)}", params)

    def cancel_at_period_end(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("POST", f"/subscriptions/schedule-cancel/{_id(id)}", params)


class ClientSessions(Resource):
    def create(self, **params: Any) -> PaydeskObject:
        return self._call("POST", "/client-session", params)

    def update(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("PATCH", f"/client-session/{_id(id)}", params)


class Events(Resource):
    def list(self, **params: Any) -> ListObject:
        return self._list("/events", params)

    def retrieve(self, id: str) -> PaydeskObject:
        return self._call("GET", f"/events/{_id(id)}")


class Whoami(Resource):
    def retrieve(self) -> PaydeskObject:
        """The key making the call: its id, mode, scopes and merchant."""
        return self._call("GET", "/whoami")


class WebhookEndpoints(Resource):
    """With a user token or a management key."""

    def list(self, **params: Any) -> ListObject:
        return self._list("/webhook-endpoints", params)

    def create(self, **params: Any) -> PaydeskObject:
        """The answer alone holds the endpoint's signing ``secret``."""
        return self._call("POST", "/webhook-endpoints", params)

    def retrieve(self, id: str) -> PaydeskObject:
        return self._call("GET", f"/webhook-endpoints/{_id(id)}")

    def update(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("PATCH", f"/webhook-endpoints/{_id(id)}", params)

    def delete(self, id: str) -> PaydeskObject:
        return self._call("DELETE", f"/webhook-endpoints/{_id(id)}")

    def roll_secret(self, id: str, **params: Any) -> PaydeskObject:
        """A new signing ``secret``; the old one also signs for ``grace_period_seconds``."""
        return self._call("POST", f"/webhook-endpoints/{_id(id)}/roll-secret", params)

    def test(self, id: str, **params: Any) -> PaydeskObject:
        """Sends a ``ping`` event to the endpoint; returns the delivery."""
        return self._call("POST", f"/webhook-endpoints/{_id(id)}/test", params)


class WebhookDeliveries(Resource):
    """With a user token or a management key."""

    def list(self, endpoint_id: str, **params: Any) -> ListObject:
        """The deliveries to the endpoint ``endpoint_id``, newest first."""
        return self._list(f"/webhook-endpoints/{_id(endpoint_id)}/deliveries", params)

    def resend(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("POST", f"/webhook-deliveries/{_id(id)}/resend", params)


class ApiKeys(Resource):
    """With a user token (Admin or Developer) or a management key."""

    def list(self, **params: Any) -> ListObject:
        return self._list("/api-keys", params)

    def create(self, **params: Any) -> PaydeskObject:
        """The answer alone holds ``secret_key``."""
        return self._call("POST", "/api-keys", params)

    def retrieve(self, id: str) -> PaydeskObject:
        return self._call("GET", f"/api-keys/{_id(id)}")

    def update(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("PATCH", f"/api-keys/{_id(id)}", params)

    def delete(self, id: str) -> PaydeskObject:
        """Revokes the key (it stays listed, ``revoked``)."""
        return self._call("DELETE", f"/api-keys/{_id(id)}")

    def suspend(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("POST", f"/api-keys/{_id(id)}/suspend", params)

    def reactivate(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("POST", f"/api-keys/{_id(id)}/reactivate", params)

    def roll(self, id: str, **params: Any) -> PaydeskObject:
        """A new pair (with its ``secret_key``); the old one ends after ``grace_period_seconds``."""
        return self._call("POST", f"/api-keys/{_id(id)}/roll", params)

    def usage(self, id: str, **params: Any) -> PaydeskObject:
        """Requests per hour (``period="24h"``) or per day (``"30d"``), by status class."""
        return self._call("GET", f"/api-keys/{_id(id)}/usage", params)


class ManagementKeys(Resource):
    """With an Admin's user token."""

    def list(self, **params: Any) -> ListObject:
        return self._list("/management-keys", params)

    def create(self, **params: Any) -> PaydeskObject:
        """The answer alone holds ``secret``; ``expires_in_days`` (at most 90) is required."""
        return self._call("POST", "/management-keys", params)

    def retrieve(self, id: str) -> PaydeskObject:
        return self._call("GET", f"/management-keys/{_id(id)}")

    def delete(self, id: str) -> PaydeskObject:
        """Revokes the management key."""
        return self._call("DELETE", f"/management-keys/{_id(id)}")

    def suspend(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("POST", f"/management-keys/{_id(id)}/suspend", params)

    def reactivate(self, id: str, **params: Any) -> PaydeskObject:
        return self._call("POST", f"/management-keys/{_id(id)}/reactivate", params)


class KeyPolicy(Resource):
    """The merchant's rules for live keys (Admin's user token)."""

    def retrieve(self) -> PaydeskObject:
        return self._call("GET", "/key-policy")

    def update(self, **params: Any) -> PaydeskObject:
        return self._call("PATCH", "/key-policy", params)
