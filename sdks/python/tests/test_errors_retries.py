"""Errors by class, retries with one Idempotency-Key, signing, the pair, version pins."""

from __future__ import annotations

import uuid
from typing import List

import pytest

import paydesk
from conftest import Server, free_port, unique_email
from proxy import Proxy


def no_sleep(client: paydesk.Paydesk) -> List[float]:
    """Records the back-off instead of sleeping it."""
    slept: List[float] = []
    client._sleep = slept.append
    return slept


def test_each_kind_of_error_is_its_own_class_with_a_request_id(server: Server, client: paydesk.Paydesk) -> None:
    with pytest.raises(paydesk.NotFoundError) as missing:
        client.customers.retrieve("cus_doesnotexist0000")
    e = missing.value
    assert isinstance(e, paydesk.PaydeskError)
    assert e.status == 404 and e.code == "not_found" and e.message
    assert e.request_id and e.request_id.startswith("req_")

    with pytest.raises(paydesk.InvalidRequestError) as invalid:
        client.customers.create(email=unique_email(), favourite_colour="green")
    assert invalid.value.status == 400 and invalid.value.request_id.startswith("req_")

    with pytest.raises(paydesk.InvalidRequestError) as bad_amount:
        client.payments.create(amount=-5, currency="usd", payment_method="4242424242424242")
    assert bad_amount.value.code == "invalid_request" and "amount" in str(bad_amount.value.details)

    with server.client("sk_test_" + "a" * 38) as unknown, pytest.raises(paydesk.AuthenticationError) as auth:
        unknown.customers.list()
    assert auth.value.status == 401 and auth.value.code == "invalid_api_key"
    assert auth.value.request_id.startswith("req_")

    reader = server.new_key(permissions={"customers": "read"})
    with server.client(reader.secret_key) as limited, pytest.raises(paydesk.PermissionError) as scope:
        limited.customers.create(email=unique_email())
    assert scope.value.status == 403 and scope.value.code == "insufficient_scope"
    assert scope.value.details["required_scope"] == "customers:write"
    # Ours, not the builtin.
    assert not isinstance(scope.value, PermissionError)


def test_rate_limited_calls_raise_with_retry_after(server: Server) -> None:
    key = server.new_key(rate_limit=1)
    with server.client(key.secret_key, max_retries=0) as client:
        client.whoami.retrieve()
        with pytest.raises(paydesk.RateLimitError) as limited:
            client.whoami.retrieve()
    assert limited.value.status == 429 and limited.value.code == "rate_limited"
    assert limited.value.retry_after is not None and limited.value.retry_after > 0


def test_a_server_that_cannot_be_reached_is_a_connection_error_after_the_retries() -> None:
    client = paydesk.Paydesk("sk_test_x", base_url=f"http://127.0.0.1:{free_port()}", max_retries=2)
    slept = no_sleep(client)
    with pytest.raises(paydesk.APIConnectionError) as down:
        client.customers.list()
    assert down.value.status is None
    # 0.5 s × 2ⁿ, less up to a quarter of jitter.
    assert len(slept) == 2
    assert 0.375 <= slept[0] <= 0.5 and 0.75 <= slept[1] <= 1.0


def test_a_5xx_is_retried_and_then_raised_as_an_api_error(server: Server) -> None:
    with Proxy(server.origin, lambda n: "500") as proxy:
        client = server.client(base_url=proxy.url, max_retries=1)
        slept = no_sleep(client)
        with pytest.raises(paydesk.APIError) as failed:
            client.balance.retrieve()
    assert failed.value.status == 500
    assert len(proxy.attempts) == 2 and len(slept) == 1


def test_a_retried_post_reuses_its_idempotency_key(server: Server) -> None:
    email = unique_email("retry")
    # The first attempt answers 503; the second reaches the server.
    with Proxy(server.origin, lambda n: "503" if n == 0 else "forward") as proxy:
        client = server.client(base_url=proxy.url)
        slept = no_sleep(client)
        customer = client.customers.create(email=email)
    keys = [a["idempotency-key"] for a in proxy.attempts]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert uuid.UUID(keys[0]).version == 4
    assert slept == [0.0]  # Retry-After: 0 was honoured
    assert customer.email == email


def test_a_post_whose_answer_was_lost_is_done_once(server: Server, client: paydesk.Paydesk) -> None:
    email = unique_email("lost")
    # The server makes the customer, the answer never arrives, the retry gets the same one.
    with Proxy(server.origin, lambda n: "forward-then-drop" if n == 0 else "forward") as proxy:
        retrying = server.client(base_url=proxy.url)
        no_sleep(retrying)
        customer = retrying.customers.create(email=email)
        assert retrying.last_response is not None
        assert retrying.last_response.headers.get("Idempotent-Replayed") == "true"
    keys = {a["idempotency-key"] for a in proxy.attempts}
    assert len(proxy.attempts) == 2 and len(keys) == 1
    same = [c for c in client.customers.list(limit=20).auto_paging_iter() if c.email == email]
    assert [c.id for c in same] == [customer.id]


def test_a_dropped_connection_is_retried_and_two_calls_have_two_keys(server: Server) -> None:
    with Proxy(server.origin, lambda n: "drop" if n in (0, 2) else "forward") as proxy:
        client = server.client(base_url=proxy.url)
        no_sleep(client)
        client.customers.create(email=unique_email())
        client.customers.create(email=unique_email())
    keys = [a["idempotency-key"] for a in proxy.attempts]
    assert len(keys) == 4
    assert keys[0] == keys[1] and keys[2] == keys[3] and keys[0] != keys[2]


def test_a_chosen_idempotency_key_replays_the_first_answer(client: paydesk.Paydesk) -> None:
    key = str(uuid.uuid4())
    email = unique_email("chosen")
    first = client.customers.create(email=email, idempotency_key=key)
    again = client.customers.create(email=email, idempotency_key=key)
    assert again.id == first.id
    with pytest.raises(paydesk.InvalidRequestError) as reused:
        client.customers.create(email=unique_email(), idempotency_key=key)
    assert reused.value.status == 422 and reused.value.code == "idempotency_key_reused"


def test_signed_requests(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    key = server.new_key(require_signature=True)
    with server.client(key.secret_key) as unsigned, pytest.raises(paydesk.AuthenticationError) as refused:
        unsigned.customers.list()
    assert refused.value.code == "signature_required"
    with server.client(key.secret_key, sign_requests=True) as signed:
        made = signed.customers.create(email=unique_email("signed"), name="Signed")
        assert signed.customers.retrieve(made.id).name == "Signed"
        assert signed.customers.update(made.id, name="Still signed").name == "Still signed"
        assert made.id in [c.id for c in signed.customers.list(limit=3).auto_paging_iter()]
    # Signed with another key's secret: refused.
    real = paydesk._signing.header
    monkeypatch.setattr(paydesk._signing, "header", lambda secret, body: real(server.secret_key, body))
    with Proxy(server.origin, lambda n: "forward") as proxy:
        wrong = server.client(key.secret_key, base_url=proxy.url, sign_requests=True)
        with pytest.raises(paydesk.AuthenticationError) as mismatch:
            wrong.customers.list()
    assert mismatch.value.code == "signature_invalid"
    assert proxy.attempts[0]["paydesk-signature"].startswith("t=")


def test_the_key_pair_headers(server: Server) -> None:
    key = server.new_key()
    with Proxy(server.origin, lambda n: "forward") as proxy:
        pair = paydesk.Paydesk(key.secret_key, base_url=proxy.url, publishable_key=key.publishable_key)
        me = pair.whoami.retrieve()
        assert key.id in str(me.to_dict())
    sent = proxy.attempts[0]
    assert sent["x-api-key"] == key.publishable_key and sent["x-api-secret"] == key.secret_key
    assert "authorization" not in sent
    # A publishable key of another pair is refused.
    with server.client(key.secret_key, publishable_key=server.publishable_key) as mixed:
        with pytest.raises(paydesk.AuthenticationError):
            mixed.whoami.retrieve()


def test_a_version_pin_is_sent_and_answered(server: Server) -> None:
    with server.client(api_version="2025-06-01") as old:
        payment = old.payments.create(amount=900, currency="usd", payment_method="4242424242424242")
        assert payment.status == "paid"
        assert old.last_response is not None
        assert old.last_response.headers["Paydesk-Version"] == "2025-06-01"
        assert old.last_response.headers.get("Paydesk-Version-Deprecated") == "yes"
    with server.client(api_version="1999-01-01") as unknown, pytest.raises(paydesk.InvalidRequestError) as e:
        unknown.balance.retrieve()
    assert e.value.code == "invalid_version"
