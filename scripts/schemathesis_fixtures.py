"""Real objects for the fuzz run to name (scripts/schemathesis.sh).

    python3 schemathesis_fixtures.py BASE_URL OUT_DIR

Reads PAYDESK_API_KEY (the objects of §4) and PAYDESK_USER_TOKEN (keys and webhook
endpoints), makes a few of each through the API, and writes their ids as libFuzzer
dictionaries (`OUT_DIR/NAME.dict`, one `"id"` a line) that schemathesis.toml binds to
`{id}` and to the body fields that name objects, so a generated request names a real
object about half the time instead of almost never.
"""

import json
import os
import sys
import urllib.request


def call(base, method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{base}{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)["data"]


def main(base, out):
    key, token = os.environ["PAYDESK_API_KEY"], os.environ["PAYDESK_USER_TOKEN"]
    api = lambda m, p, b=None: call(base, m, p, key, b)  # noqa: E731
    user = lambda m, p, b=None: call(base, m, p, token, b)  # noqa: E731
    ids = {}
    customers = [api("POST", "/customers", {"email": f"c{i}@fixture.test"})["id"] for i in range(2)]
    plans = [
        api("POST", "/plans", {"name": f"Plan {i}", "amount": 1000, "currency": "usd", "interval": "month"})["id"]
        for i in range(2)
    ]
    # The largest amount, so refunds of generated amounts keep succeeding.
    payments = [
        api("POST", "/payments", {"amount": 10**12, "currency": "usd", "payment_method": "4242424242424242"})["id"]
        for _ in range(2)
    ]
    refunds = [api("POST", f"/payments/refund/{payments[0]}", {"amount": 1})["id"]]
    subscriptions = [
        api("POST", "/subscriptions", {"customer": c, "plan": plans[0]})["id"] for c in customers
    ]
    sessions = [api("POST", "/client-session", {"amount": 500, "currency": "usd"})["id"] for _ in range(2)]
    events = [e["id"] for e in api("GET", "/events?limit=5")["data"]]
    keys = [user("POST", "/api-keys", {"name": f"fixture {i}", "permissions": "*"})["id"] for i in range(4)]
    endpoints = [
        user("POST", "/webhook-endpoints", {"url": f"http://127.0.0.1:9/fixture{i}"})["id"] for i in range(2)
    ]
    deliveries = [user("POST", f"/webhook-endpoints/{endpoints[0]}/test", {})["id"]]
    management = [
        user("POST", "/management-keys", {"name": f"fixture {i}", "scopes": ["api_keys:read"], "expires_in_days": 30})[
            "id"
        ]
        for i in range(2)
    ]
    ids.update(
        customers=customers,
        plans=plans,
        payments=payments,
        refunds=refunds,
        subscriptions=subscriptions,
        client_sessions=sessions,
        events=events,
        api_keys=keys,
        webhook_endpoints=endpoints,
        webhook_deliveries=deliveries,
        management_keys=management,
    )
    os.makedirs(out, exist_ok=True)
    for name, values in ids.items():
        if not values:
            print(f"schemathesis: no {name} fixture", file=sys.stderr)
            return 1
        with open(os.path.join(out, f"{name}.dict"), "w") as f:
            f.writelines(f'"{v}"\n' for v in values)
    print("schemathesis: fixtures: " + ", ".join(f"{len(v)} {k}" for k, v in ids.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
