// The user-token side (API keys, usage, signing in and out) and the ways a key can be
// presented: Bearer, the X-API-Key + X-API-Secret pair, and signed requests.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { AuthenticationError, Paydesk, PermissionError, Webhook } from "paydesk";

import { startProxy } from "./support/proxy.mjs";
import { PASSWORD, recordingFetch, startPaydesk } from "./support/server.mjs";

let pd;
before(async () => {
  pd = await startPaydesk();
});
after(async () => {
  await pd?.stop();
});

describe("API keys with a user token", () => {
  test("create, retrieve, update, list, suspend, reactivate, roll, usage, revoke", async () => {
    const made = await pd.user.apiKeys.create({
      name: "Lifecycle",
      permissions: { customers: "write", payments: "read" },
      allowed_ips: ["127.0.0.1"],
    });
    assert.match(made.id, /^key_/);
    assert.match(made.secret_key, /^sk_test_/);
    assert.match(made.publishable_key, /^pk_test_/);
    const got = await pd.user.apiKeys.retrieve(made.id);
    assert.equal(got.secret_key, undefined, "the secret is shown once");
    assert.equal(got.name, "Lifecycle");
    const edited = await pd.user.apiKeys.update(made.id, { name: "Lifecycle 2", rate_limit: 50 });
    assert.equal(edited.name, "Lifecycle 2");
    assert.equal(edited.rate_limit, 50);
    const ids = [];
    for await (const k of pd.user.apiKeys.list({ limit: 1, mode: "test" })) ids.push(k.id);
    assert.ok(ids.includes(made.id) && ids.includes(pd.key.id));
    assert.equal((await pd.user.apiKeys.suspend(made.id)).status, "suspended");
    const key = new Paydesk(made.secret_key, { baseUrl: pd.origin });
    await assert.rejects(key.whoami(), (e) => e instanceof PermissionError && e.code === "api_key_suspended");
    assert.equal((await pd.user.apiKeys.reactivate(made.id)).status, "active");
    await key.customers.create({ email: "used@example.com" });
    const rolled = await pd.user.apiKeys.roll(made.id, { grace_period_seconds: 3600 });
    assert.notEqual(rolled.secret_key, made.secret_key);
    assert.equal(rolled.rolled_from.id, made.id);
    assert.equal((await new Paydesk(rolled.secret_key, { baseUrl: pd.origin }).whoami()).key_id, rolled.id);
    await key.whoami(); // the old secret, within its grace period
    const usage = await pd.user.apiKeys.usage(made.id, { period: "24h" });
    assert.equal(usage.object, "key_usage");
    assert.equal(usage.buckets.length, 24);
    assert.equal(typeof usage.totals["2xx"], "number"); // counters are flushed in batches
    const revoked = await pd.user.apiKeys.revoke(rolled.id);
    assert.equal(revoked.status, "revoked");
  });

  test("sign out revokes the token; sign in again", async () => {
    const anon = new Paydesk(null, { baseUrl: pd.origin });
    const login = await anon.auth.login({ email: "admin@sdk-node.test", password: PASSWORD });
    assert.equal(login.token_type, "Bearer");
    const user = new Paydesk(login.token, { baseUrl: pd.origin });
    await user.apiKeys.list();
    await user.auth.logout();
    await assert.rejects(user.apiKeys.list(), (e) => e instanceof AuthenticationError && e.code === "invalid_token");
    await assert.rejects(
      anon.auth.login({ email: "admin@sdk-node.test", password: "wrong-password-123" }),
      (e) => e instanceof AuthenticationError && e.code === "invalid_credentials",
    );
  });
});

describe("credentials on a request", () => {
  test("the X-API-Key + X-API-Secret pair, and no Authorization header", async () => {
    const calls = [];
    const pair = new Paydesk(pd.secretKey, { baseUrl: pd.origin, publishableKey: pd.publishableKey, fetch: recordingFetch(calls) });
    const me = await pair.whoami();
    assert.equal(me.key_id, pd.key.id);
    assert.equal(me.key_type, "secret", "the secret decides the access");
    await pair.customers.create({ email: "pair@example.com" });
    for (const c of calls) {
      assert.equal(c.headers["X-API-Key"], pd.publishableKey);
      assert.equal(c.headers["X-API-Secret"], pd.secretKey);
      assert.equal(c.headers.Authorization, undefined);
    }
    const other = await pd.user.apiKeys.create({ name: "other pair", permissions: "*" });
    const mismatched = new Paydesk(pd.secretKey, { baseUrl: pd.origin, publishableKey: other.publishable_key });
    await assert.rejects(mismatched.whoami(), AuthenticationError);
  });

  test("signed requests: a key that requires them works only signed", async () => {
    const made = await pd.user.apiKeys.create({ name: "signed", permissions: "*", require_signature: true });
    const unsigned = new Paydesk(made.secret_key, { baseUrl: pd.origin });
    await assert.rejects(unsigned.whoami(), (e) => e instanceof AuthenticationError && e.code === "signature_required");
    const proxy = await startProxy(pd.origin);
    try {
      const signed = new Paydesk(made.secret_key, { baseUrl: proxy.origin, signRequests: true });
      assert.equal((await signed.whoami()).key_id, made.id);
      const c = await signed.customers.create({ email: "signed@example.com", metadata: { a: "b" } });
      assert.equal((await signed.customers.update(c.id, { name: "Signed" })).name, "Signed");
      assert.equal(proxy.attempts.length, 3);
      for (const a of proxy.attempts) assert.match(a.signature, /^t=\d{13},v1=[0-9a-f]{64}$/);
    } finally {
      await proxy.close();
    }
  });

  test("a request signed with another secret is refused", async () => {
    const made = await pd.user.apiKeys.create({ name: "forged", permissions: "*" });
    const forged = new Paydesk(made.secret_key, {
      baseUrl: pd.origin,
      fetch: (url, init) => {
        const body = init.body ?? "";
        const headers = { ...init.headers, "Paydesk-Signature": Webhook.generateTestHeaderString({ payload: body, secret: pd.secretKey }) };
        return fetch(url, { ...init, headers });
      },
    });
    await assert.rejects(forged.whoami(), (e) => e instanceof AuthenticationError && e.code === "signature_invalid");
  });
});
