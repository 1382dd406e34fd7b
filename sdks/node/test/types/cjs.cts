// Compiled (not run) by typecheck.test.mjs: the CommonJS declarations through require().
import paydesk = require("paydesk");

export async function usage(apiKey: string): Promise<string> {
  const client = new paydesk.Paydesk(apiKey, { publishableKey: "pk_test_x" });
  const plan: paydesk.Plan = await client.plans.create({ name: "P", amount: 100, currency: "usd", interval: "month" });
  const err: paydesk.PaydeskError = new paydesk.ConflictError({ message: "m" });
  return plan.id + err.message;
}
