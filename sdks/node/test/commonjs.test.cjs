// The CommonJS build: `require("paydesk")` gives the same surface, and it works against
// the real server.
const assert = require("node:assert/strict");
const { after, before, test } = require("node:test");

const paydesk = require("paydesk");

let pd;
before(async () => {
  const { startPaydesk } = await import("./support/server.mjs");
  pd = await startPaydesk();
});
after(async () => {
  await pd?.stop();
});

test("require() exports the client, the errors and Webhook", () => {
  for (const name of [
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
    "Webhook",
  ]) {
    assert.ok(paydesk[name], name);
  }
  assert.equal(paydesk.default, paydesk.Paydesk);
  assert.ok(new paydesk.NotFoundError({ message: "x" }) instanceof paydesk.PaydeskError);
});

test("a CommonJS client creates, lists and refuses like the ES module one", async () => {
  const client = new paydesk.Paydesk(pd.secretKey, { baseUrl: pd.origin });
  const c = await client.customers.create({ email: "cjs@example.com" });
  const seen = [];
  for await (const x of client.customers.list({ limit: 1 })) seen.push(x.id);
  assert.deepEqual(seen, [c.id]);
  await assert.rejects(client.customers.retrieve("cus_nope0000"), (e) => e instanceof paydesk.NotFoundError && /^req_/.test(e.requestId));
});
