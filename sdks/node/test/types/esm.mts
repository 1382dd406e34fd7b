// Compiled (not run) by typecheck.test.mjs: the ES module declarations, as a user sees them.
import {
  Paydesk,
  NotFoundError,
  PaydeskError,
  RateLimitError,
  Webhook,
  type Customer,
  type Event,
  type ListPage,
} from "paydesk";

export async function usage(apiKey: string): Promise<void> {
  const client = new Paydesk(apiKey, { baseUrl: "http://127.0.0.1:8080", maxRetries: 3, signRequests: true });
  const c: Customer = await client.customers.create({ email: "a@example.com", name: "A" });
  const same: Customer = await client.customers.retrieve(c.id);
  const page: ListPage<Customer> = await client.customers.list({ limit: 10 });
  for await (const x of client.customers.list({ limit: 10 })) {
    const email: string | null = x.email;
    void email;
  }
  const refund = await client.payments.refund("pay_1", { amount: 5 });
  const amount: number = refund.amount;
  const key = await new Paydesk("token").apiKeys.create({ name: "k", permissions: "*" });
  const secret: string = key.secret_key;
  try {
    await client.whoami();
  } catch (e) {
    if (e instanceof RateLimitError) {
      const wait: number | undefined = e.retryAfter;
      void wait;
    }
    if (e instanceof PaydeskError) {
      const id: string | undefined = e.requestId;
      const status: number | undefined = e.status;
      void [id, status];
    }
    if (e instanceof NotFoundError) throw e;
  }
  const event: Event = Webhook.constructEvent("{}", "t=1,v1=00", "whsec_x");
  // @ts-expect-error: the amount is a number of minor units
  await client.payments.create({ amount: "12.50", currency: "usd", payment_method: "4242424242424242" });
  void [same, page, amount, secret, event];
}
