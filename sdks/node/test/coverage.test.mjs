// Holds the library to the served OpenAPI document: every operation of
// /api/v1/openapi.json is a method of the library (or a declared exception), and each
// method sends the operation's HTTP method to the operation's path.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Paydesk } from "paydesk";

import { startPaydesk } from "./support/server.mjs";

/** operationId → [resource, method, HTTP method, path]. */
export const OPERATIONS = {
  whoami: ["whoami", "retrieve", "GET", "/whoami"],
  login: ["auth", "login", "POST", "/auth/login"],
  logout: ["auth", "logout", "POST", "/auth/logout"],
  listCustomers: ["customers", "list", "GET", "/customers"],
  createCustomer: ["customers", "create", "POST", "/customers"],
  retrieveCustomer: ["customers", "retrieve", "GET", "/customers/{id}"],
  updateCustomer: ["customers", "update", "PATCH", "/customers/{id}"],
  listPlans: ["plans", "list", "GET", "/plans"],
  createPlan: ["plans", "create", "POST", "/plans"],
  retrievePlan: ["plans", "retrieve", "GET", "/plans/{id}"],
  listPayments: ["payments", "list", "GET", "/payments"],
  createPayment: ["payments", "create", "POST", "/payments"],
  retrievePayment: ["payments", "retrieve", "GET", "/payments/{id}"],
  refundPayment: ["payments", "refund", "POST", "/payments/refund/{id}"],
  listRefunds: ["refunds", "list", "GET", "/refunds"],
  retrieveRefund: ["refunds", "retrieve", "GET", "/refunds/{id}"],
  retrieveBalance: ["balance", "retrieve", "GET", "/balance"],
  searchSubscriptions: ["subscriptions", "search", "GET", "/subscriptions/search"],
  createSubscription: ["subscriptions", "create", "POST", "/subscriptions"],
  updateSubscriptionByBody: ["subscriptions", "updateByBody", "PATCH", "/subscriptions"],
  retrieveSubscription: ["subscriptions", "retrieve", "GET", "/subscriptions/{id}"],
  updateSubscription: ["subscriptions", "update", "PATCH", "/subscriptions/{id}"],
  cancelSubscription: ["subscriptions", "cancel", "POST", "/subscriptions/cancel/{id}"],
  cancelSubscriptionAtPeriodEnd: ["subscriptions", "cancelAtPeriodEnd", "POST", "/subscriptions/schedule-cancel/{id}"],
  createClientSession: ["clientSessions", "create", "POST", "/client-session"],
  updateClientSession: ["clientSessions", "update", "PATCH", "/client-session/{id}"],
  listEvents: ["events", "list", "GET", "/events"],
  retrieveEvent: ["events", "retrieve", "GET", "/events/{id}"],
  listApiKeys: ["apiKeys", "list", "GET", "/api-keys"],
  createApiKey: ["apiKeys", "create", "POST", "/api-keys"],
  retrieveApiKey: ["apiKeys", "retrieve", "GET", "/api-keys/{id}"],
  updateApiKey: ["apiKeys", "update", "PATCH", "/api-keys/{id}"],
  revokeApiKey: ["apiKeys", "del", "DELETE", "/api-keys/{id}"],
  suspendApiKey: ["apiKeys", "suspend", "POST", "/api-keys/{id}/suspend"],
  reactivateApiKey: ["apiKeys", "reactivate", "POST", "/api-keys/{id}/reactivate"],
  rollApiKey: ["apiKeys", "roll", "POST", "/api-keys/{id}/roll"],
  retrieveApiKeyUsage: ["apiKeys", "usage", "GET", "/api-keys/{id}/usage"],
  listManagementKeys: ["managementKeys", "list", "GET", "/management-keys"],
  createManagementKey: ["managementKeys", "create", "POST", "/management-keys"],
  retrieveManagementKey: ["managementKeys", "retrieve", "GET", "/management-keys/{id}"],
  revokeManagementKey: ["managementKeys", "del", "DELETE", "/management-keys/{id}"],
  suspendManagementKey: ["managementKeys", "suspend", "POST", "/management-keys/{id}/suspend"],
  reactivateManagementKey: ["managementKeys", "reactivate", "POST", "/management-keys/{id}/reactivate"],
  retrieveKeyPolicy: ["keyPolicy", "retrieve", "GET", "/key-policy"],
  updateKeyPolicy: ["keyPolicy", "update", "PATCH", "/key-policy"],
  listWebhookEndpoints: ["webhookEndpoints", "list", "GET", "/webhook-endpoints"],
  createWebhookEndpoint: ["webhookEndpoints", "create", "POST", "/webhook-endpoints"],
  retrieveWebhookEndpoint: ["webhookEndpoints", "retrieve", "GET", "/webhook-endpoints/{id}"],
  updateWebhookEndpoint: ["webhookEndpoints", "update", "PATCH", "/webhook-endpoints/{id}"],
  deleteWebhookEndpoint: ["webhookEndpoints", "del", "DELETE", "/webhook-endpoints/{id}"],
  rollWebhookEndpointSecret: ["webhookEndpoints", "rollSecret", "POST", "/webhook-endpoints/{id}/roll-secret"],
  testWebhookEndpoint: ["webhookEndpoints", "test", "POST", "/webhook-endpoints/{id}/test"],
  listWebhookDeliveries: ["webhookDeliveries", "list", "GET", "/webhook-endpoints/{id}/deliveries"],
  resendWebhookDelivery: ["webhookDeliveries", "resend", "POST", "/webhook-deliveries/{id}/resend"],
};

/** Operations the library leaves out on purpose, and why. */
const EXCEPTIONS = {
  // Called by GitHub's secret scanning, not by merchants: no credentials, and a JSON
  // array in and out instead of the envelope (SPEC §12).
  reportLeakedKeys: "GitHub's secret-scanning partner endpoint",
  // The document itself (not an envelope); this test reads it with plain fetch.
  retrieveOpenApiDocument: "the OpenAPI document itself",
};

/** Being added to the server in parallel (SPEC §17): in the library before the document. */
const PENDING = new Set([
  "listManagementKeys",
  "createManagementKey",
  "retrieveManagementKey",
  "revokeManagementKey",
  "suspendManagementKey",
  "reactivateManagementKey",
  "retrieveKeyPolicy",
  "updateKeyPolicy",
]);

/** Second names for an operation's method (not operations of their own). */
const ALIASES = new Set(["whoami()", "subscriptions.list", "apiKeys.revoke", "managementKeys.revoke"]);

let pd;
let served;
before(async () => {
  pd = await startPaydesk();
  const res = await fetch(`${pd.origin}/api/v1/openapi.json`);
  assert.equal(res.status, 200);
  const doc = await res.json();
  served = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op && typeof op === "object" && op.operationId) served[op.operationId] = [method.toUpperCase(), path];
    }
  }
});
after(async () => {
  await pd?.stop();
});

test("every served operation is in the library or a declared exception", () => {
  const missing = Object.keys(served).filter((id) => !(id in OPERATIONS) && !(id in EXCEPTIONS));
  assert.deepEqual(missing, [], `operations of openapi.json the library lacks: ${missing.join(", ")}`);
  assert.ok(Object.keys(served).length >= 45, `${Object.keys(served).length} operations served`);
});

test("each operation's method and path are what the document serves", () => {
  for (const [id, [, , method, path]] of Object.entries(OPERATIONS)) {
    if (!(id in served)) {
      assert.ok(PENDING.has(id), `${id} is in the library but no longer served`);
      continue;
    }
    assert.deepEqual(served[id], [method, path], id);
  }
});

test("each method sends its operation's HTTP method to its path", async () => {
  const calls = [];
  const fake = async (url, init) => {
    calls.push({ method: init.method, path: new URL(url).pathname });
    const data = { object: "list", data: [], has_more: false };
    return new Response(JSON.stringify({ ok: true, data }), { status: 200, headers: { "content-type": "application/json" } });
  };
  const client = new Paydesk("sk_test_coverage", { baseUrl: "http://127.0.0.1:9", fetch: fake, maxRetries: 0 });
  for (const [id, [resource, name, method, path]] of Object.entries(OPERATIONS)) {
    const target = client[resource];
    assert.equal(typeof target?.[name], "function", `${id}: ${resource}.${name} is missing`);
    const args = path.includes("{id}") ? ["obj_1"] : [];
    if (id === "updateSubscriptionByBody") args.push({ id: "sub_1" });
    calls.length = 0;
    await target[name](...args);
    assert.equal(calls.length, 1, id);
    assert.deepEqual(calls[0], { method, path: "/api/v1" + path.replace("{id}", "obj_1") }, id);
  }
});

test("the library has no resource method outside the table (aliases declared)", () => {
  const client = new Paydesk("sk_test_coverage", { baseUrl: "http://127.0.0.1:9" });
  const mapped = new Set(Object.values(OPERATIONS).map(([r, m]) => `${r}.${m}`));
  const extra = [];
  for (const [name, resource] of Object.entries(client)) {
    // A resource is a class instance (its prototype's methods), or a callable whose own
    // properties are its methods (whoami).
    const holder = typeof resource === "function" ? resource : Object.getPrototypeOf(resource);
    if (typeof resource === "function" && !ALIASES.has(`${name}()`)) extra.push(`${name}()`);
    for (const m of Object.getOwnPropertyNames(holder)) {
      if (m === "constructor" || typeof holder[m] !== "function") continue;
      if (!mapped.has(`${name}.${m}`) && !ALIASES.has(`${name}.${m}`)) extra.push(`${name}.${m}`);
    }
  }
  assert.deepEqual(extra, []);
  assert.ok(mapped.size >= 50);
});
