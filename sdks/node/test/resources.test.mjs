// Objects through the library against a real server: create, retrieve, update, lists
// across pages, refunds, subscriptions, client sessions, events, whoami, version pins.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Paydesk, PermissionError } from "paydesk";

import { recordingFetch, startPaydesk } from "./support/server.mjs";

let pd;
before(async () => {
  pd = await startPaydesk();
});
after(async () => {
  await pd?.stop();
});

describe("customers", () => {
  test("create, retrieve and update answer the envelope's data as plain objects", async () => {
    const made = await pd.client.customers.create({ email: "jenny@example.com", name: "Jenny Rosen" });
    assert.match(made.id, /^cus_/);
    assert.equal(made.object, "customer");
    assert.equal(made.email, "jenny@example.com");
    assert.equal(made.livemode, false);
    assert.equal(Object.getPrototypeOf(made), Object.prototype);
    const got = await pd.client.customers.retrieve(made.id);
    assert.deepEqual(got, made);
    const changed = await pd.client.customers.update(made.id, { name: "Jenny R.", metadata: { plan: "gold" } });
    assert.equal(changed.name, "Jenny R.");
    assert.deepEqual(changed.metadata, { plan: "gold" });
    assert.equal(changed.email, "jenny@example.com");
  });

  test("a list iterates across pages by itself, newest first, each object once", async () => {
    const made = [];
    for (let i = 0; i < 7; i++) made.push((await pd.client.customers.create({ email: `page${i}@example.com` })).id);
    const calls = [];
    const client = new Paydesk(pd.secretKey, { baseUrl: pd.origin, fetch: recordingFetch(calls) });
    const seen = [];
    for await (const c of client.customers.list({ limit: 3 })) seen.push(c.id);
    assert.equal(new Set(seen).size, seen.length, "no object twice");
    const newest = made.slice().reverse();
    assert.deepEqual(seen.slice(0, 7), newest, "newest first");
    assert.ok(calls.length >= 3, `pages of 3: ${calls.length} requests`);
    assert.equal(calls[0].url.searchParams.get("starting_after"), null);
    assert.equal(calls[1].url.searchParams.get("starting_after"), seen[2]);
    assert.ok(calls.every((c) => c.url.searchParams.get("limit") === "3"));
  });

  test("awaiting a list gives its first page; autoPagingToArray stops at its limit", async () => {
    const page = await pd.client.customers.list({ limit: 2 });
    assert.equal(page.object, "list");
    assert.equal(page.data.length, 2);
    assert.equal(page.has_more, true);
    const next = await pd.client.customers.list({ limit: 2, starting_after: page.data[1].id });
    assert.notEqual(next.data[0].id, page.data[1].id);
    const five = await pd.client.customers.list({ limit: 2 }).autoPagingToArray({ limit: 5 });
    assert.equal(five.length, 5);
    assert.deepEqual(five.slice(0, 2), page.data);
  });
});

describe("payments and refunds", () => {
  test("a payment through the simulator, a partial refund, then the rest", async () => {
    const customer = await pd.client.customers.create({ email: "payer@example.com" });
    const pay = await pd.client.payments.create({
      amount: 4200,
      currency: "usd",
      customer: customer.id,
      payment_method: "4242424242424242",
      metadata: { order: "1001" },
    });
    assert.match(pay.id, /^pay_/);
    assert.equal(pay.status, "succeeded");
    assert.equal(pay.payment_method, "************4242");
    assert.equal(pay.payment_method_details.card.last4, "4242");
    const part = await pd.client.payments.refund(pay.id, { amount: 1200 });
    assert.match(part.id, /^re_/);
    assert.equal(part.payment, pay.id);
    assert.equal(part.amount, 1200);
    const rest = await pd.client.payments.refund(pay.id);
    assert.equal(rest.amount, 3000, "without amount: what remains");
    const after = await pd.client.payments.retrieve(pay.id);
    assert.equal(after.amount_refunded, 4200);
    assert.equal(after.refunded, true);
    assert.deepEqual(await pd.client.refunds.retrieve(part.id), part);
    const refunds = [];
    for await (const r of pd.client.refunds.list({ limit: 1 })) refunds.push(r.id);
    assert.deepEqual(refunds.slice(0, 2), [rest.id, part.id]);
    const payments = await pd.client.payments.list({ limit: 100 });
    assert.ok(payments.data.some((p) => p.id === pay.id));
  });

  test("a declined card is a failed payment, not an error", async () => {
    const pay = await pd.client.payments.create({ amount: 500, currency: "usd", payment_method: "4000000000000002" });
    assert.equal(pay.status, "failed");
    assert.equal(pay.failure_code, "card_declined");
  });

  test("the balance is succeeded payments minus refunds", async () => {
    const before = await pd.client.balance.retrieve();
    assert.equal(before.object, "balance");
    const usd = (b) => b.available.find((m) => m.currency === "usd")?.amount ?? 0;
    await pd.client.payments.create({ amount: 1000, currency: "usd", payment_method: "4242424242424242" });
    assert.equal(usd(await pd.client.balance.retrieve()), usd(before) + 1000);
  });

  test("a version pin changes the answer's shape (2025-06-01 says paid)", async () => {
    const old = new Paydesk(pd.secretKey, { baseUrl: pd.origin, apiVersion: "2025-06-01" });
    const pay = await old.payments.create({ amount: 700, currency: "usd", payment_method: "4242424242424242" });
    assert.equal(pay.status, "paid");
    const current = await pd.client.payments.retrieve(pay.id);
    assert.equal(current.status, "succeeded");
    const perCall = await pd.client.payments.retrieve(pay.id, { apiVersion: "2025-06-01" });
    assert.equal(perCall.status, "paid");
  });
});

describe("plans and subscriptions", () => {
  test("create, search, update, schedule-cancel and cancel", async () => {
    const plan = await pd.client.plans.create({ name: "Gold", amount: 2000, currency: "usd", interval: "month" });
    const other = await pd.client.plans.create({ name: "Platinum", amount: 9000, currency: "usd", interval: "year" });
    assert.deepEqual(await pd.client.plans.retrieve(plan.id), plan);
    const plans = await pd.client.plans.list().autoPagingToArray({ limit: 100 });
    assert.ok(plans.some((p) => p.id === other.id));
    const customer = await pd.client.customers.create({ email: "subscriber@example.com" });
    const sub = await pd.client.subscriptions.create({ customer: customer.id, plan: plan.id });
    assert.match(sub.id, /^sub_/);
    assert.equal(sub.status, "active");
    assert.deepEqual(await pd.client.subscriptions.retrieve(sub.id), sub);
    const found = [];
    for await (const s of pd.client.subscriptions.search({ customer: customer.id, status: "active" })) found.push(s.id);
    assert.deepEqual(found, [sub.id]);
    const moved = await pd.client.subscriptions.update(sub.id, { plan: other.id });
    assert.equal(moved.plan, other.id);
    const byBody = await pd.client.subscriptions.updateByBody({ id: sub.id, plan: plan.id });
    assert.equal(byBody.plan, plan.id);
    const scheduled = await pd.client.subscriptions.cancelAtPeriodEnd(sub.id);
    assert.equal(scheduled.cancel_at_period_end, true);
    assert.equal(scheduled.status, "active");
    const canceled = await pd.client.subscriptions.cancel(sub.id);
    assert.equal(canceled.status, "canceled");
    const listed = await pd.client.subscriptions.list({ customer: customer.id, status: "canceled" });
    assert.deepEqual(listed.data.map((s) => s.id), [sub.id]);
  });
});

describe("client sessions, events, whoami", () => {
  test("a client session is made and changed", async () => {
    const cs = await pd.client.clientSessions.create({ amount: 1500, currency: "usd" });
    assert.match(cs.id, /^cs_/);
    assert.ok(cs.client_token);
    const changed = await pd.client.clientSessions.update(cs.id, { amount: 2500 });
    assert.equal(changed.amount, 2500);
  });

  test("events list by type and retrieve", async () => {
    const customer = await pd.client.customers.create({ email: "evented@example.com" });
    const events = await pd.client.events.list({ type: "customer.created", limit: 100 }).autoPagingToArray({ limit: 1000 });
    assert.ok(events.every((e) => e.type === "customer.created"));
    const mine = events.find((e) => e.data.object.id === customer.id);
    assert.ok(mine, "the customer's event is listed");
    assert.deepEqual(await pd.client.events.retrieve(mine.id), mine);
  });

  test("whoami names the key and its merchant", async () => {
    const me = await pd.client.whoami();
    assert.equal(me.key_id, pd.key.id);
    assert.equal(me.key_type, "secret");
    assert.equal(me.mode, "test");
    assert.equal(me.merchant.name, "SDK Node");
  });

  test("a publishable key reads plans and whoami, and nothing else", async () => {
    const pk = new Paydesk(pd.publishableKey, { baseUrl: pd.origin });
    assert.equal((await pk.whoami()).key_type, "publishable");
    await pk.plans.list();
    await assert.rejects(pk.customers.list(), (e) => e instanceof PermissionError && e.code === "forbidden");
  });
});

test("whoami.retrieve() is whoami()", async () => {
  assert.deepEqual(await pd.client.whoami.retrieve(), await pd.client.whoami());
});
