"""Webhooks: endpoints and deliveries through the library, real deliveries verified with
`Webhook.construct_event`, tampered and stale ones refused."""

from __future__ import annotations

import json
import time

import pytest

import paydesk
from conftest import Server
from proxy import Receiver

SECRET = "whsec_" + "k" * 32


def test_a_signed_payload_is_verified_and_a_tampered_one_refused() -> None:
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "customer.created",
                          "data": {"object": {"id": "cus_1", "object": "customer"}}})
    header = paydesk.Webhook.generate_header(payload, SECRET)
    event = paydesk.Webhook.construct_event(payload, header, SECRET)
    assert event.type == "customer.created" and event.data.object.id == "cus_1"
    assert paydesk.Webhook.construct_event(payload.encode(), header, SECRET)["id"] == "evt_1"

    refused = [
        (payload.replace("cus_1", "cus_2"), header, SECRET),  # the body changed
        (payload, header, "whsec_" + "x" * 32),  # another secret
        (payload, None, SECRET),  # no header
        (payload, "v1=abc", SECRET),  # no t
        (payload, "t=12,v1", SECRET),  # malformed
        (payload, header.split(",")[0], SECRET),  # no v1
    ]
    for body, sig, secret in refused:
        with pytest.raises(paydesk.SignatureVerificationError):
            paydesk.Webhook.construct_event(body, sig, secret)

    stale = paydesk.Webhook.generate_header(payload, SECRET, int(time.time() * 1000) - 301_000)
    with pytest.raises(paydesk.SignatureVerificationError) as old:
        paydesk.Webhook.construct_event(payload, stale, SECRET)
    assert isinstance(old.value, paydesk.PaydeskError)
    assert paydesk.Webhook.construct_event(payload, stale, SECRET, tolerance=600).id == "evt_1"
    assert paydesk.Webhook.construct_event(payload, stale, SECRET, tolerance=None).id == "evt_1"

    # During a roll, either v1 may be the one that matches.
    other = paydesk.Webhook.generate_header(payload, "whsec_" + "o" * 32)
    t = header.split(",")[0]
    both = f"{t},v1={other.split('v1=')[1]},v1={header.split('v1=')[1]}"
    assert paydesk.Webhook.construct_event(payload, both, SECRET).id == "evt_1"


def test_real_deliveries_verify_and_every_v1_during_a_roll(server: Server, user: paydesk.Paydesk,
                                                           client: paydesk.Paydesk) -> None:
    with Receiver() as receiver:
        endpoint = user.webhook_endpoints.create(
            url=receiver.url, description="sdk python", enabled_events=["customer.created", "ping"]
        )
        secret = endpoint.secret
        assert secret.startswith("whsec_") and endpoint.id.startswith("we_")
        assert user.webhook_endpoints.retrieve(endpoint.id).url == receiver.url
        assert "secret" not in user.webhook_endpoints.retrieve(endpoint.id)
        assert endpoint.id in [e.id for e in user.webhook_endpoints.list().auto_paging_iter()]
        assert user.webhook_endpoints.update(endpoint.id, description="renamed").description == "renamed"

        made = client.customers.create(email="hook@sdk-python.test")
        headers, body = receiver.next("customer.created")
        event = paydesk.Webhook.construct_event(body, headers["paydesk-signature"], secret)
        assert event.type == "customer.created" and event.data.object.id == made.id
        assert headers["paydesk-event-id"] == event.id
        with pytest.raises(paydesk.SignatureVerificationError):
            paydesk.Webhook.construct_event(body.replace(made.id.encode(), b"cus_forged"),
                                            headers["paydesk-signature"], secret)

        delivery = user.webhook_endpoints.test(endpoint.id)
        headers, body = receiver.next("ping")
        assert paydesk.Webhook.construct_event(body, headers["paydesk-signature"], secret).type == "ping"

        rolled = user.webhook_endpoints.roll_secret(endpoint.id, grace_period_seconds=3600)
        assert rolled.secret != secret
        user.webhook_endpoints.test(endpoint.id)
        headers, body = receiver.next("ping")
        signature = headers["paydesk-signature"]
        assert signature.count("v1=") == 2
        for key in (secret, rolled.secret):
            assert paydesk.Webhook.construct_event(body, signature, key).type == "ping"

        deliveries = user.webhook_deliveries.list(endpoint.id, limit=1)
        assert deliveries.has_more is True
        ids = [d.id for d in deliveries.auto_paging_iter()]
        assert delivery.id in ids and len(ids) == len(set(ids)) >= 3
        resent = user.webhook_deliveries.resend(delivery.id)
        assert resent.id.startswith("whd_")
        headers, body = receiver.next("ping")
        assert paydesk.Webhook.construct_event(body, headers["paydesk-signature"], rolled.secret)

        assert user.webhook_endpoints.delete(endpoint.id)
        with pytest.raises(paydesk.NotFoundError):
            user.webhook_endpoints.retrieve(endpoint.id)
