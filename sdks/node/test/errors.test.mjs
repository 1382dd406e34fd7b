// Each refusal is thrown as its own class, with the server's status, code, details and
// request id; connection failures and timeouts as APIConnectionError.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  Paydesk,
  PaydeskError,
  PermissionError,
  RateLimitError,
} from "paydesk";

import { freePort, recordingFetch, startPaydesk } from "./support/server.mjs";

let pd;
before(async () => {
  pd = await startPaydesk();
});
after(async () => {
  await pd?.stop();
});

/** Rejects with `Kind`, and the error carries what the server said. */
async function refused(promise, Kind, status, code) {
  let error;
  await assert.rejects(promise, (e) => {
    error = e;
    return true;
  });
  assert.ok(error instanceof Kind, `${error?.constructor?.name}: ${error?.message}`);
  assert.ok(error instanceof PaydeskError);
  assert.equal(error.name, Kind.name);
  assert.equal(error.status, status);
  assert.equal(error.code, code);
  if (status !== undefined) {
    assert.match(error.requestId, /^req_/);
    assert.equal(error.requestId, error.headers["request-id"]);
    assert.equal(typeof error.details, "object");
    assert.ok(error.message.length > 0);
  }
  return error;
}

test("404 is NotFoundError with the request id", async () => {
  await refused(pd.client.customers.retrieve("cus_doesnotexist1234"), NotFoundError, 404, "not_found");
});

test("401 is AuthenticationError: an unknown key, a revoked key, a key where a token belongs", async () => {
  const made = await pd.user.apiKeys.create({ name: "to revoke", permissions: "*" });
  const gone = new Paydesk(made.secret_key, { baseUrl: pd.origin });
  await gone.whoami();
  const revoked = await pd.user.apiKeys.del(made.id);
  assert.equal(revoked.status, "revoked");
  await refused(gone.whoami(), AuthenticationError, 401, "invalid_api_key");
  const bogus = new Paydesk(made.secret_key.slice(0, -1) + (made.secret_key.endsWith("A") ? "B" : "A"), { baseUrl: pd.origin });
  await refused(bogus.whoami(), AuthenticationError, 401, "invalid_api_key");
  await refused(pd.client.apiKeys.list(), AuthenticationError, 401, "invalid_token");
  await refused(new Paydesk(null, { baseUrl: pd.origin }).customers.list(), AuthenticationError, 401, "missing_authorization");
});

test("403 is PermissionError with the scope it lacks", async () => {
  const made = await pd.user.apiKeys.create({ name: "read only", permissions: { customers: "read" } });
  const readOnly = new Paydesk(made.secret_key, { baseUrl: pd.origin });
  await readOnly.customers.list();
  const e = await refused(readOnly.customers.create({ email: "no@example.com" }), PermissionError, 403, "insufficient_scope");
  assert.equal(e.details.required_scope, "customers:write");
});

test("400 is InvalidRequestError naming the fields", async () => {
  const e = await refused(
    pd.client.payments.create({ amount: 100, currency: "zzz", payment_method: "4242424242424242" }),
    InvalidRequestError,
    400,
    "invalid_request",
  );
  assert.ok(e.details.fields.currency, JSON.stringify(e.details));
  await refused(pd.client.customers.create({ nickname: "x" }), InvalidRequestError, 400, "invalid_request");
  await refused(pd.client.customers.list({ limit: 101 }), InvalidRequestError, 400, "invalid_request");
});

test("422 is InvalidRequestError: one Idempotency-Key for two different requests", async () => {
  const idempotencyKey = randomUUID();
  const first = await pd.client.customers.create({ email: "once@example.com" }, { idempotencyKey });
  const again = await pd.client.customers.create({ email: "once@example.com" }, { idempotencyKey });
  assert.equal(again.id, first.id, "the same request is answered from the store");
  await refused(
    pd.client.customers.create({ email: "other@example.com" }, { idempotencyKey }),
    InvalidRequestError,
    422,
    "idempotency_key_reused",
  );
});

test("409 is ConflictError: refunding a payment that failed", async () => {
  const failed = await pd.client.payments.create({ amount: 900, currency: "usd", payment_method: "4000000000000002" });
  await refused(pd.client.payments.refund(failed.id), ConflictError, 409, "invalid_state");
});

test("429 is RateLimitError with retryAfter from Retry-After", async () => {
  const made = await pd.user.apiKeys.create({ name: "one a minute", permissions: "*", rate_limit: 1 });
  const slow = new Paydesk(made.secret_key, { baseUrl: pd.origin, maxRetries: 0 });
  await slow.whoami();
  const e = await refused(slow.whoami(), RateLimitError, 429, "rate_limited");
  assert.ok(e.retryAfter > 0 && e.retryAfter <= 60, `retryAfter ${e.retryAfter}`);
  assert.equal(String(e.retryAfter), e.headers["retry-after"]);
});

test("5xx is APIError, and an answer that is not the envelope too", async () => {
  const port = await freePort();
  const bad = createServer((req, res) => {
    res.writeHead(req.url.includes("customers") ? 502 : 200, { "content-type": "text/html", "request-id": "req_proxy" });
    res.end("<html>bad gateway</html>");
  });
  await new Promise((ok) => bad.listen(port, "127.0.0.1", ok));
  try {
    const client = new Paydesk(pd.secretKey, { baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const e = await refused(client.customers.list(), APIError, 502, "invalid_response");
    assert.equal(e.requestId, "req_proxy");
    await refused(client.whoami(), APIError, 200, "invalid_response");
  } finally {
    bad.close();
  }
});

test("no answer is APIConnectionError, after the retries", async () => {
  const port = await freePort();
  const calls = [];
  const client = new Paydesk(pd.secretKey, { baseUrl: `http://127.0.0.1:${port}`, maxRetries: 1, fetch: recordingFetch(calls) });
  const e = await refused(client.customers.create({ email: "void@example.com" }), APIConnectionError, undefined, "connection_error");
  assert.equal(e.requestId, undefined);
  assert.equal(calls.length, 2, "one try and one retry");
  assert.ok(e.message.includes(`127.0.0.1:${port}`));
});

test("a timeout is APIConnectionError", async () => {
  const port = await freePort();
  const held = [];
  const silent = createServer((req) => held.push(req));
  await new Promise((ok) => silent.listen(port, "127.0.0.1", ok));
  try {
    const client = new Paydesk(pd.secretKey, { baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0, timeout: 200 });
    await refused(client.whoami(), APIConnectionError, undefined, "timeout");
  } finally {
    held.forEach((r) => r.socket.destroy());
    silent.close();
  }
});
