// The client's own checks and what it puts on the wire, without a server (a fetch double).
import assert from "node:assert/strict";
import { test } from "node:test";

import { Paydesk } from "paydesk";

function wire() {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: new URL(url), ...init });
    return new Response(JSON.stringify({ ok: true, data: { object: "list", data: [], has_more: false } }), { status: 200 });
  };
  return { calls, fetch };
}

test("options are checked when the client is made", () => {
  assert.throws(() => new Paydesk("sk_test_x", { baseUrl: "pay.example.com" }), TypeError);
  assert.throws(() => new Paydesk("sk_test_x", { maxRetries: -1 }), TypeError);
  assert.throws(() => new Paydesk("sk_test_x", { timeout: 0 }), TypeError);
  assert.throws(() => new Paydesk(null, { signRequests: true }), TypeError);
  assert.throws(() => new Paydesk(null, { publishableKey: "pk_test_x" }), TypeError);
  assert.equal(new Paydesk("sk_test_x", { baseUrl: "https://pay.example.com/api/v1/" }).baseUrl, "https://pay.example.com");
  assert.equal(new Paydesk("sk_test_x").baseUrl, "http://127.0.0.1:8080");
});

test("headers: Bearer, version pin, Idempotency-Key on POST and PATCH only, per-call overrides", async () => {
  const { calls, fetch } = wire();
  const client = new Paydesk("sk_test_x", { baseUrl: "http://127.0.0.1:9", apiVersion: "2025-06-01", fetch });
  await client.customers.create({ email: "a@example.com" });
  await client.customers.update("cus_1", { name: "A" }, { idempotencyKey: "mine", apiVersion: "2026-05-27" });
  await client.customers.retrieve("cus_1");
  await client.apiKeys.del("key_1");
  const [post, patch, get, del] = calls;
  assert.equal(post.headers.Authorization, "Bearer sk_test_x");
  assert.equal(post.headers["Paydesk-Version"], "2025-06-01");
  assert.equal(post.headers["Content-Type"], "application/json");
  assert.equal(post.body, JSON.stringify({ email: "a@example.com" }));
  assert.match(post.headers["Idempotency-Key"], /^[0-9a-f-]{36}$/);
  assert.equal(patch.headers["Idempotency-Key"], "mine");
  assert.equal(patch.headers["Paydesk-Version"], "2026-05-27");
  assert.equal(get.headers["Idempotency-Key"], undefined);
  assert.equal(get.body, undefined);
  assert.equal(del.method, "DELETE");
  assert.equal(del.headers["Idempotency-Key"], undefined);
  assert.match(post.headers["User-Agent"], /^paydesk-node\/\d+\.\d+\.\d+ node\//);
});

test("ids are one path segment; an empty id is refused before any request", async () => {
  const { calls, fetch } = wire();
  const client = new Paydesk("sk_test_x", { baseUrl: "http://127.0.0.1:9", fetch });
  await client.customers.retrieve("cus_1/../../api-keys");
  assert.equal(calls[0].url.pathname, "/api/v1/customers/cus_1%2F..%2F..%2Fapi-keys");
  assert.throws(() => client.customers.retrieve(""), TypeError);
  assert.equal(calls.length, 1);
});

test("a list starts after `starting_after`, sends its filters, and asks nothing until used", async () => {
  const { calls, fetch } = wire();
  const client = new Paydesk("sk_test_x", { baseUrl: "http://127.0.0.1:9", fetch });
  const list = client.events.list({ limit: 5, type: "payment", starting_after: "evt_9" });
  assert.equal(calls.length, 0);
  for await (const _ of list) assert.fail("empty");
  assert.equal(calls.length, 1);
  assert.deepEqual(Object.fromEntries(calls[0].url.searchParams), { limit: "5", type: "payment", starting_after: "evt_9" });
  await list;
  assert.equal(calls.length, 1, "the first page is asked for once");
});
