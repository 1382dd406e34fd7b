"""The objects of the API through the library, against the real server."""

from __future__ import annotations

import pytest

import paydesk
from conftest import Server, unique_email


def test_a_customer_is_created_retrieved_and_updated(client: paydesk.Paydesk) -> None:
    email = unique_email()
    customer = client.customers.create(email=email, name="Jenny Rosen", metadata={"order": "6735"})
    assert isinstance(customer, paydesk.PaydeskObject)
    assert customer.id.startswith("cus_") and customer["id"] == customer.id
    assert customer.object == "customer" and customer.livemode is False
    assert customer.email == email and customer.metadata.order == "6735"

    again = client.customers.retrieve(customer.id)
    assert again == customer

    updated = client.customers.update(customer.id, name="Jenny R.")
    assert updated.name == "Jenny R." and updated.email == email
    assert client.customers.retrieve(customer.id)["name"] == "Jenny R."
    # A plain dict when wanted.
    assert updated.to_dict()["metadata"] == {"order": "6735"}


def test_a_list_walks_every_page_newest_first(client: paydesk.Paydesk) -> None:
    made = [client.customers.create(email=unique_email("page")).id for _ in range(5)]
    first = client.customers.list(limit=2)
    assert isinstance(first, paydesk.ListObject)
    assert first.object == "list" and len(first.data) == 2 and first.has_more is True
    seen = [c.id for c in client.customers.list(limit=2).auto_paging_iter()]
    assert len(seen) == len(set(seen)), "a page repeated an object"
    # Newest first: the five just made lead, in reverse order of creation.
    assert seen[:5] == list(reversed(made))
    second = first.next_page()
    assert second is not None and second.data[0].id == seen[2]


def test_a_payment_is_made_and_refunded_in_part_then_in_full(client: paydesk.Paydesk) -> None:
    customer = client.customers.create(email=unique_email("pay"))
    payment = client.payments.create(
        amount=4200, currency="usd", customer=customer.id, payment_method="4242424242424242"
    )
    assert payment.id.startswith("pay_") and payment.status == "succeeded"
    assert client.payments.retrieve(payment.id).amount == 4200

    refund = client.payments.refund(payment.id, amount=1250)
    assert refund.id.startswith("re_") and refund.payment == payment.id and refund.amount == 1250
    assert client.refunds.retrieve(refund.id).amount == 1250
    rest = client.payments.refund(payment.id)
    assert rest.amount == 4200 - 1250
    assert client.payments.retrieve(payment.id).amount_refunded == 4200
    refunds = [r.id for r in client.refunds.list(limit=100).auto_paging_iter()]
    assert refund.id in refunds and rest.id in refunds
    assert payment.id in [p.id for p in client.payments.list(limit=5).auto_paging_iter()]

    balance = client.balance.retrieve()
    assert isinstance(balance.available, list)


def test_a_declined_card_is_a_failed_payment_that_cannot_be_refunded(client: paydesk.Paydesk) -> None:
    failed = client.payments.create(amount=500, currency="usd", payment_method="4000000000000002")
    assert failed.status == "failed" and failed.failure_code == "card_declined"
    try:
        client.payments.refund(failed.id)
    except paydesk.ConflictError as e:
        assert e.status == 409 and e.code == "invalid_state"
        assert e.request_id and e.request_id.startswith("req_")
    else:
        raise AssertionError("refunding a failed payment succeeded")


def test_plans_subscriptions_and_their_cancellation(client: paydesk.Paydesk) -> None:
    customer = client.customers.create(email=unique_email("sub"))
    plan = client.plans.create(name="Gold", amount=1500, currency="usd", interval="month")
    assert client.plans.retrieve(plan.id).name == "Gold"
    assert plan.id in [p.id for p in client.plans.list(limit=100).auto_paging_iter()]
    other = client.plans.create(name="Platinum", amount=3000, currency="usd", interval="year")

    sub = client.subscriptions.create(customer=customer.id, plan=plan.id)
    assert sub.status == "active" and sub.customer == customer.id
    found = client.subscriptions.search(customer=customer.id, status="active")
    assert [s.id for s in found.auto_paging_iter()] == [sub.id]
    assert client.subscriptions.update(sub.id, plan=other.id).plan == other.id
    assert client.subscriptions.update_by_body(id=sub.id, plan=plan.id).plan == plan.id
    assert client.subscriptions.retrieve(sub.id).plan == plan.id
    assert client.subscriptions.cancel_at_period_end(sub.id).cancel_at_period_end is True
    canceled = client.subscriptions.cancel(sub.id)
    assert canceled.status == "canceled"


def test_client_sessions_and_events(client: paydesk.Paydesk) -> None:
    session = client.client_sessions.create(amount=500, currency="usd")
    assert session.id.startswith("cs_") and session.client_token
    assert client.client_sessions.update(session.id, amount=700).amount == 700

    made = client.customers.create(email=unique_email("evt"))
    events = client.events.list(type="customer.created", limit=5)
    latest = events.data[0]
    assert latest.type == "customer.created" and latest.data.object.id == made.id
    assert client.events.retrieve(latest.id).id == latest.id


def test_whoami_names_the_key(server: Server, client: paydesk.Paydesk) -> None:
    me = client.whoami.retrieve()
    assert server.key_id in str(me.to_dict()) and me.mode == "test"


def test_api_keys_with_a_user_token(server: Server, user: paydesk.Paydesk) -> None:
    key = user.api_keys.create(name="sdk lifecycle", permissions={"customers": "read"})
    assert key.secret_key.startswith("sk_test_") and key.permissions.customers == "read"
    assert user.api_keys.retrieve(key.id).name == "sdk lifecycle"
    assert "secret_key" not in user.api_keys.retrieve(key.id)
    assert user.api_keys.update(key.id, name="sdk renamed").name == "sdk renamed"
    assert key.id in [k.id for k in user.api_keys.list(limit=2).auto_paging_iter()]
    assert user.api_keys.suspend(key.id).status == "suspended"
    assert user.api_keys.reactivate(key.id).status == "active"
    usage = user.api_keys.usage(key.id, period="24h")
    assert isinstance(usage, paydesk.PaydeskObject)
    rolled = user.api_keys.roll(key.id, grace_period_seconds=0)
    assert rolled.secret_key.startswith("sk_test_") and rolled.secret_key != key.secret_key
    assert user.api_keys.delete(rolled.id).status == "revoked"
    # A secret key is not a user token.
    with server.client() as keyed:
        try:
            keyed.api_keys.list()
        except paydesk.AuthenticationError as e:
            assert e.code == "invalid_token"
        else:
            raise AssertionError("a secret key listed API keys")


def test_management_keys_and_the_key_policy(server: Server, user: paydesk.Paydesk) -> None:
    from test_coverage import served_operations

    served = served_operations(server)
    if "createManagementKey" not in served or "retrieveKeyPolicy" not in served:
        pytest.skip("this server does not serve management keys and the key policy yet")
    made = user.management_keys.create(
        name="sdk machine", scopes=["api_keys:read", "webhook_endpoints:read"], expires_in_days=30
    )
    assert made.secret.startswith("mk_")
    assert user.management_keys.retrieve(made.id).name == "sdk machine"
    assert made.id in [k.id for k in user.management_keys.list().auto_paging_iter()]
    with server.client(made.secret) as machine:
        assert server.key_id in [k.id for k in machine.api_keys.list(limit=100).auto_paging_iter()]
    assert user.management_keys.suspend(made.id).status == "suspended"
    assert user.management_keys.reactivate(made.id).status == "active"
    assert user.management_keys.delete(made.id).status == "revoked"

    policy = user.key_policy.retrieve()
    assert "live_require_signature" in policy
    assert user.key_policy.update(live_require_signature=True).live_require_signature is True
    assert user.key_policy.update(live_require_signature=False).live_require_signature is False
