// Management keys and the key policy (SPEC §17) against the real server — once the served
// document has them (they are being added to the server beside this library; until then
// these tests are skipped, and coverage.test.mjs holds the paths to what was announced).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Paydesk, InvalidRequestError } from "paydesk";

import { startPaydesk } from "./support/server.mjs";

let pd;
let served = new Set();
before(async () => {
  pd = await startPaydesk();
  const doc = await (await fetch(`${pd.origin}/api/v1/openapi.json`)).json();
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) if (op?.operationId) served.add(op.operationId);
  }
});
after(async () => {
  await pd?.stop();
});

const unless = (id) => (t) => {
  if (!served.has(id)) {
    t.skip(`${id} is not served yet`);
    return true;
  }
  return false;
};

test("management keys: create, use as a token, list, suspend, reactivate, revoke", async (t) => {
  if (unless("createManagementKey")(t)) return;
  const made = await pd.user.managementKeys.create({
    name: "Deploy bot",
    scopes: ["api_keys:read", "api_keys:write"],
    expires_in_days: 30,
  });
  assert.match(made.secret, /^mk_/);
  const got = await pd.user.managementKeys.retrieve(made.id);
  assert.equal(got.secret, undefined, "the secret is shown once");
  const bot = new Paydesk(made.secret, { baseUrl: pd.origin });
  const key = await bot.apiKeys.create({ name: "made by the bot", permissions: { customers: "read" } });
  assert.match(key.secret_key, /^sk_test_/);
  const all = await pd.user.managementKeys.list().autoPagingToArray({ limit: 100 });
  assert.ok(all.some((k) => k.id === made.id));
  assert.equal((await pd.user.managementKeys.suspend(made.id)).status, "suspended");
  await assert.rejects(bot.apiKeys.list());
  assert.equal((await pd.user.managementKeys.reactivate(made.id)).status, "active");
  await bot.apiKeys.list();
  assert.equal((await pd.user.managementKeys.del(made.id)).status, "revoked");
  await assert.rejects(bot.apiKeys.list());
  await assert.rejects(
    pd.user.managementKeys.create({ name: "forever", scopes: ["api_keys:read"], expires_in_days: 365 }),
    (e) => e instanceof InvalidRequestError && "expires_in_days" in (e.details.fields ?? {}),
  );
});

test("the key policy: retrieve and update", async (t) => {
  if (unless("updateKeyPolicy")(t)) return;
  const before = await pd.user.keyPolicy.retrieve();
  assert.equal(typeof before.live_require_signature, "boolean");
  const after = await pd.user.keyPolicy.update({ live_require_signature: true, live_max_lifetime_days: 90 });
  assert.equal(after.live_require_signature, true);
  assert.equal(after.live_max_lifetime_days, 90);
  assert.deepEqual(await pd.user.keyPolicy.retrieve(), after);
});
