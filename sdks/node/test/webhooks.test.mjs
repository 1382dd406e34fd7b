// Webhooks end to end: a local receiver gets real deliveries from the server, which
// Webhook.constructEvent verifies with the endpoint's secret (both secrets during a roll);
// tampered, re-timed or foreign-signed payloads are refused. Endpoint and delivery
// management through the library too.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";

import { NotFoundError, SignatureVerificationError, Webhook } from "paydesk";

import { freePort, startPaydesk } from "./support/server.mjs";

let pd;
let receiver;
const received = [];

before(async () => {
  pd = await startPaydesk();
  const port = await freePort();
  receiver = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  });
  await new Promise((ok) => receiver.listen(port, "127.0.0.1", ok));
  receiver.url = `http://127.0.0.1:${port}`;
});
after(async () => {
  receiver?.close();
  await pd?.stop();
});

/** The first delivery to `path` (from the `from`th on) whose event matches, waiting up to 20 s. */
async function delivery(path, match, from = 0) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const hit = received.slice(from).find((r) => r.path === path && match(JSON.parse(r.body.toString("utf8"))));
    if (hit) return hit;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`no delivery to ${path} within 20 s; got ${received.map((r) => r.path).join(", ")}`);
}

function refusedSignature(fn, pattern) {
  assert.throws(fn, (e) => e instanceof SignatureVerificationError && e.code === "signature_invalid" && pattern.test(e.message));
}

describe("deliveries verified by constructEvent", () => {
  let endpoint;
  before(async () => {
    endpoint = await pd.user.webhookEndpoints.create({ url: `${receiver.url}/main`, description: "SDK test" });
  });

  test("a ping and a real event verify with the endpoint's secret", async () => {
    assert.match(endpoint.secret, /^whsec_/);
    const sent = await pd.user.webhookEndpoints.test(endpoint.id);
    assert.match(sent.id, /^whd_/);
    const ping = await delivery("/main", (e) => e.type === "ping");
    const event = Webhook.constructEvent(ping.body, ping.headers["paydesk-signature"], endpoint.secret);
    assert.equal(event.type, "ping");
    assert.equal(event.id, ping.headers["paydesk-event-id"]);

    const customer = await pd.client.customers.create({ email: "hooked@example.com" });
    const created = await delivery("/main", (e) => e.type === "customer.created" && e.data.object.id === customer.id);
    const asText = Webhook.constructEvent(created.body.toString("utf8"), created.headers["paydesk-signature"], endpoint.secret);
    assert.equal(asText.data.object.email, "hooked@example.com");
    assert.deepEqual(await pd.client.events.retrieve(asText.id), asText);
  });

  test("tampered, foreign, stale and malformed signatures are refused", async () => {
    const ping = await delivery("/main", (e) => e.type === "ping");
    const header = ping.headers["paydesk-signature"];
    const tampered = ping.body.toString("utf8").replace('"ping"', '"payment.succeeded"');
    refusedSignature(() => Webhook.constructEvent(tampered, header, endpoint.secret), /no v1 signature matches/);
    const flipped = Buffer.from(ping.body);
    flipped[flipped.length - 2] ^= 1;
    refusedSignature(() => Webhook.constructEvent(flipped, header, endpoint.secret), /no v1/);
    refusedSignature(() => Webhook.constructEvent(ping.body, header, "whsec_notthesecret0000000000000000"), /no v1/);
    const t = Number(/t=(\d+)/.exec(header)[1]);
    refusedSignature(() => Webhook.constructEvent(ping.body, header, endpoint.secret, 300, t + 301_000), /more than 300 s/);
    assert.equal(Webhook.constructEvent(ping.body, header, endpoint.secret, 300, t + 299_000).type, "ping");
    refusedSignature(() => Webhook.constructEvent(ping.body, undefined, endpoint.secret), /no Paydesk-Signature/);
    refusedSignature(() => Webhook.constructEvent(ping.body, "v1=abc", endpoint.secret), /malformed/);
    refusedSignature(() => Webhook.constructEvent(JSON.parse(ping.body), header, endpoint.secret), /raw request body/);
    const replayed = header.replace(/t=\d+/, `t=${t + 1}`);
    refusedSignature(() => Webhook.constructEvent(ping.body, replayed, endpoint.secret, 300, t), /no v1/);
  });

  test("during a secret roll both secrets verify", async () => {
    const rolled = await pd.user.webhookEndpoints.rollSecret(endpoint.id, { grace_period_seconds: 3600 });
    assert.notEqual(rolled.secret, endpoint.secret);
    const before = received.length;
    await pd.user.webhookEndpoints.test(endpoint.id);
    const ping = await delivery("/main", (e) => e.type === "ping", before);
    const header = ping.headers["paydesk-signature"];
    assert.equal(header.match(/v1=/g).length, 2, header);
    assert.equal(Webhook.constructEvent(ping.body, header, rolled.secret).type, "ping");
    assert.equal(Webhook.constructEvent(ping.body, header, endpoint.secret).type, "ping");
    endpoint = { ...endpoint, secret: rolled.secret };
  });
});

test("a header made by generateTestHeaderString verifies; several v1 values, any may match", () => {
  const payload = JSON.stringify({ id: "evt_local", object: "event", type: "ping" });
  const header = Webhook.generateTestHeaderString({ payload, secret: ["whsec_old", "whsec_new"] });
  assert.equal(Webhook.constructEvent(payload, header, "whsec_new").id, "evt_local");
  assert.equal(Webhook.constructEvent(payload, header, "whsec_old").id, "evt_local");
  assert.equal(Webhook.verifyHeader(Buffer.from(payload), [header], "whsec_old"), true);
});

describe("endpoints and deliveries with a user token", () => {
  test("retrieve, update, list, deliveries, resend, delete", async () => {
    const made = await pd.user.webhookEndpoints.create({
      url: `${receiver.url}/managed`,
      enabled_events: ["customer.created"],
    });
    assert.equal((await pd.user.webhookEndpoints.retrieve(made.id)).secret, undefined, "the secret is shown once");
    const changed = await pd.user.webhookEndpoints.update(made.id, { description: "Managed", enabled_events: ["*"] });
    assert.equal(changed.description, "Managed");
    assert.deepEqual(changed.enabled_events, ["*"]);
    const all = await pd.user.webhookEndpoints.list({ limit: 1 }).autoPagingToArray({ limit: 100 });
    assert.ok(all.some((e) => e.id === made.id));
    const sent = await pd.user.webhookEndpoints.test(made.id);
    await delivery("/managed", (e) => e.type === "ping");
    const again = await pd.user.webhookDeliveries.resend(sent.id);
    assert.notEqual(again.id, sent.id);
    assert.equal(again.event, sent.event);
    const logged = [];
    for await (const d of pd.user.webhookDeliveries.list(made.id, { limit: 1 })) logged.push(d.id);
    assert.ok(logged.includes(sent.id) && logged.includes(again.id), logged.join(","));
    const disabled = await pd.user.webhookEndpoints.update(made.id, { status: "disabled" });
    assert.equal(disabled.status, "disabled");
    await pd.user.webhookEndpoints.del(made.id);
    await assert.rejects(pd.user.webhookEndpoints.retrieve(made.id), NotFoundError);
  });
});
