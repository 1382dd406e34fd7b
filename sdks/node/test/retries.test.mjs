// Retries reuse the call's one Idempotency-Key, proven through a proxy that fails the
// first attempt: a 503, a 429, a dropped connection, and a connection dropped after the
// server made the object (the retry is then answered from the idempotency store, and only
// one object exists).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { APIError, Paydesk, RateLimitError } from "paydesk";

import { startProxy } from "./support/proxy.mjs";
import { startPaydesk } from "./support/server.mjs";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const unavailable = {
  status: 503,
  headers: { "retry-after": "0", "request-id": "req_proxy503" },
  body: JSON.stringify({
    ok: false,
    error: { code: "database_unavailable", message: "Try again.", details: {} },
    request_id: "req_proxy503",
  }),
};

let pd;
before(async () => {
  pd = await startPaydesk();
});
after(async () => {
  await pd?.stop();
});

async function withProxy(plan, run) {
  const proxy = await startProxy(pd.origin, plan);
  try {
    await run(proxy, new Paydesk(pd.secretKey, { baseUrl: proxy.origin }));
  } finally {
    await proxy.close();
  }
}

async function customersWithEmail(email) {
  const all = await pd.client.customers.list({ limit: 100 }).autoPagingToArray({ limit: 10000 });
  return all.filter((c) => c.email === email);
}

test("a 503 is retried with the same Idempotency-Key (Retry-After honoured)", async () => {
  await withProxy(
    (_, n) => (n === 1 ? unavailable : "forward"),
    async (proxy, client) => {
      const made = await client.customers.create({ email: "retry503@example.com" });
      assert.equal(proxy.attempts.length, 2);
      const [first, second] = proxy.attempts;
      assert.match(first.idempotencyKey, UUID_V4);
      assert.equal(second.idempotencyKey, first.idempotencyKey);
      assert.equal(second.status, 201);
      assert.deepEqual((await customersWithEmail("retry503@example.com")).map((c) => c.id), [made.id]);
    },
  );
});

test("a dropped connection after the server acted: the retry is replayed, one object made", async () => {
  await withProxy(
    (_, n) => (n === 1 ? "forward-then-drop" : "forward"),
    async (proxy, client) => {
      const made = await client.customers.create({ email: "dropped@example.com", name: "Once" });
      assert.equal(proxy.attempts.length, 2);
      const [first, second] = proxy.attempts;
      assert.equal(first.status, 201, "the first attempt reached the server and made the customer");
      assert.equal(second.idempotencyKey, first.idempotencyKey);
      assert.equal(second.replayed, "true", "the retry was answered from the idempotency store");
      const found = await customersWithEmail("dropped@example.com");
      assert.deepEqual(found.map((c) => c.id), [made.id], "exactly one customer");
    },
  );
});

test("a connection dropped before the server saw it is retried too", async () => {
  await withProxy(
    (_, n) => (n === 1 ? "drop" : "forward"),
    async (proxy, client) => {
      const pay = await client.payments.create({ amount: 1234, currency: "usd", payment_method: "4242424242424242" });
      assert.equal(pay.status, "succeeded");
      assert.equal(proxy.attempts.length, 2);
      assert.equal(proxy.attempts[1].idempotencyKey, proxy.attempts[0].idempotencyKey);
    },
  );
});

test("a 429 is retried after its Retry-After", async () => {
  await withProxy(
    (_, n) =>
      n === 1
        ? {
            status: 429,
            headers: { "retry-after": "0" },
            body: JSON.stringify({ ok: false, error: { code: "rate_limited", message: "Slow down.", details: {} }, request_id: "req_x" }),
          }
        : "forward",
    async (proxy, client) => {
      const refund = await client.payments.refund(
        (await pd.client.payments.create({ amount: 800, currency: "usd", payment_method: "4242424242424242" })).id,
        { amount: 300 },
      );
      assert.equal(refund.amount, 300);
      assert.equal(proxy.attempts.length, 2);
      assert.equal(proxy.attempts[1].idempotencyKey, proxy.attempts[0].idempotencyKey);
    },
  );
});

test("at most maxRetries retries, then the last error; each call its own key", async () => {
  await withProxy(
    () => unavailable,
    async (proxy, client) => {
      await assert.rejects(client.customers.create({ email: "never@example.com" }), (e) => {
        return e instanceof APIError && e.status === 503 && e.requestId === "req_proxy503";
      });
      assert.equal(proxy.attempts.length, 3, "1 + maxRetries (2)");
      assert.equal(new Set(proxy.attempts.map((a) => a.idempotencyKey)).size, 1);
      const none = new Paydesk(pd.secretKey, { baseUrl: proxy.origin, maxRetries: 0 });
      await assert.rejects(none.customers.create({ email: "never@example.com" }), APIError);
      assert.equal(proxy.attempts.length, 4);
      assert.notEqual(proxy.attempts[3].idempotencyKey, proxy.attempts[0].idempotencyKey, "a new call, a new key");
    },
  );
});

test("4xx answers are not retried; GETs carry no Idempotency-Key", async () => {
  await withProxy(
    () => "forward",
    async (proxy, client) => {
      await assert.rejects(client.customers.retrieve("cus_missing0000"), (e) => e.status === 404);
      assert.equal(proxy.attempts.length, 1);
      assert.equal(proxy.attempts[0].idempotencyKey, undefined);
    },
  );
});

test("a Retry-After too long to wait for is thrown at once", async () => {
  await withProxy(
    () => ({
      status: 429,
      headers: { "retry-after": "3600" },
      body: JSON.stringify({ ok: false, error: { code: "rate_limited", message: "Later.", details: {} }, request_id: "req_y" }),
    }),
    async (proxy, client) => {
      await assert.rejects(client.whoami(), (e) => e instanceof RateLimitError && e.retryAfter === 3600);
      assert.equal(proxy.attempts.length, 1);
    },
  );
});

test("back-off: 0.5 s × 2^n with jitter, Retry-After instead when sent", async () => {
  const { retryDelay } = await import("../dist/esm/core.js");
  for (let n = 0; n < 4; n++) {
    for (let i = 0; i < 50; i++) {
      const d = retryDelay(n, undefined);
      assert.ok(d >= 500 * 2 ** n * 0.75 && d <= 500 * 2 ** n * 1.25, `attempt ${n}: ${d}`);
    }
  }
  assert.equal(retryDelay(0, 2000), 2000);
  assert.equal(retryDelay(3, 0), 0);
  assert.equal(retryDelay(0, 61_000), undefined);
});
