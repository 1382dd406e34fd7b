/**
 * The client: `new Paydesk(apiKey, { baseUrl })`, one property per resource. The key is a
 * secret key (`sk_…`), a publishable key (`pk_…`, for plans and whoami only) or a user
 * token from `auth.login` (for API keys, management keys, the key policy and webhooks).
 */
import { Core, type PaydeskOptions, type RequestOptions } from "./core.js";
import {
  ApiKeys,
  Auth,
  KeyPolicyResource,
  ManagementKeys,
  WebhookDeliveries,
  WebhookEndpoints,
} from "./resources/developers.js";
import {
  BalanceResource,
  ClientSessions,
  Customers,
  Events,
  Payments,
  Plans,
  Refunds,
  Subscriptions,
} from "./resources/merchant.js";
import type { Whoami } from "./types.js";

/** `client.whoami()`, or `client.whoami.retrieve()` as the other libraries spell it. */
export interface WhoamiResource {
  (options?: RequestOptions): Promise<Whoami>;
  /** whoami: `GET /whoami`, the key's id, type, mode, scopes and merchant. */
  retrieve(options?: RequestOptions): Promise<Whoami>;
}

export class Paydesk {
  readonly customers: Customers;
  readonly payments: Payments;
  readonly refunds: Refunds;
  readonly plans: Plans;
  readonly subscriptions: Subscriptions;
  readonly clientSessions: ClientSessions;
  readonly balance: BalanceResource;
  readonly events: Events;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly webhookDeliveries: WebhookDeliveries;
  readonly apiKeys: ApiKeys;
  readonly managementKeys: ManagementKeys;
  readonly keyPolicy: KeyPolicyResource;
  readonly auth: Auth;
  /** whoami: `GET /whoami`, the key's id, type, mode, scopes and merchant. */
  readonly whoami: WhoamiResource;
  /** @internal */
  readonly #core: Core;

  /**
   * @param apiKey a secret or publishable key, or a user token; `null` only to call
   *   `auth.login` (without one, key routes answer 401 `missing_authorization`).
   */
  constructor(apiKey: string | null | undefined, options: PaydeskOptions = {}) {
    const core = new Core(apiKey, options);
    this.#core = core;
    this.customers = new Customers(core);
    this.payments = new Payments(core);
    this.refunds = new Refunds(core);
    this.plans = new Plans(core);
    this.subscriptions = new Subscriptions(core);
    this.clientSessions = new ClientSessions(core);
    this.balance = new BalanceResource(core);
    this.events = new Events(core);
    this.webhookEndpoints = new WebhookEndpoints(core);
    this.webhookDeliveries = new WebhookDeliveries(core);
    this.apiKeys = new ApiKeys(core);
    this.managementKeys = new ManagementKeys(core);
    this.keyPolicy = new KeyPolicyResource(core);
    this.auth = new Auth(core);
    const retrieve = (options?: RequestOptions): Promise<Whoami> =>
      core.request("GET", "/whoami", { options });
    this.whoami = Object.assign((options?: RequestOptions) => retrieve(options), { retrieve });
  }

  /** The server's origin this client calls (`…/api/v1` is added to it). */
  get baseUrl(): string {
    return this.#core.baseUrl;
  }
}
