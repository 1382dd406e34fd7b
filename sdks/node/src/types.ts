/**
 * The API's objects and the parameters of its operations, as the OpenAPI document
 * (`/api/v1/openapi.json`) describes them. Objects are plain JSON: snake_case fields,
 * money in integer minor units, times as RFC 3339 strings.
 */

export type Metadata = Record<string, string>;
export type Mode = "test" | "live";

/** What every object of §4 carries. */
export interface ApiObject {
  id: string;
  object: string;
  livemode: boolean;
  created_at: string;
}

// ----- customers, plans, payments, refunds, balance -----

export interface Customer extends ApiObject {
  object: "customer";
  email: string | null;
  name: string | null;
  metadata: Metadata;
}
export interface CustomerCreateParams {
  email?: string;
  name?: string;
  metadata?: Metadata;
}
export type CustomerUpdateParams = CustomerCreateParams;

export interface Plan extends ApiObject {
  object: "plan";
  name: string;
  amount: number;
  currency: string;
  interval: "month" | "year";
}
export interface PlanCreateParams {
  name: string;
  amount: number;
  currency: string;
  interval: "month" | "year";
}

export interface Payment extends ApiObject {
  object: "payment";
  amount: number;
  currency: string;
  customer: string | null;
  /** Masked: `************4242`. */
  payment_method: string;
  payment_method_details: { type: "card"; card: { brand: string; last4: string } };
  /** `succeeded` or `failed` (`paid` for succeeded under version 2025-06-01). */
  status: string;
  failure_code: string | null;
  amount_refunded: number;
  refunded: boolean;
  metadata: Metadata;
}
export interface PaymentCreateParams {
  amount: number;
  currency: string;
  customer?: string;
  /** A test card: `4242424242424242` succeeds, `4000000000000002` is declined. */
  payment_method: string;
  metadata?: Metadata;
}

export interface Refund extends ApiObject {
  object: "refund";
  payment: string;
  amount: number;
  currency: string;
  status: string;
}
export interface RefundCreateParams {
  /** Default: all that remains refundable. */
  amount?: number;
}

export interface Balance {
  object: "balance";
  livemode: boolean;
  available: Array<{ amount: number; currency: string }>;
}

// ----- subscriptions, client sessions, events -----

export interface Subscription extends ApiObject {
  object: "subscription";
  customer: string;
  plan: string;
  status: "active" | "canceled";
  current_period_end: string;
  cancel_at_period_end: boolean;
  canceled_at: string | null;
}
export interface SubscriptionCreateParams {
  customer: string;
  plan: string;
}
export interface SubscriptionUpdateParams {
  plan?: string;
  cancel_at_period_end?: boolean;
}
export interface SubscriptionUpdateByBodyParams extends SubscriptionUpdateParams {
  id: string;
}
export interface SubscriptionSearchParams {
  limit?: number;
  starting_after?: string;
  customer?: string;
  status?: "active" | "canceled";
}

export interface ClientSession extends ApiObject {
  object: "client_session";
  amount: number;
  currency: string;
  customer: string | null;
  client_token: string;
  status: string;
  expires_at: string;
}
export interface ClientSessionCreateParams {
  amount: number;
  currency: string;
  customer?: string;
}
export interface ClientSessionUpdateParams {
  amount?: number;
  currency?: string;
  customer?: string;
}

export interface Event<T = Record<string, unknown>> extends ApiObject {
  object: "event";
  /** Such as `payment.succeeded`, `customer.created`, `api_key.rolled`, `ping`. */
  type: string;
  data: { object: T };
}
export interface EventListParams {
  limit?: number;
  starting_after?: string;
  /** A type, or a prefix such as `payment`. */
  type?: string;
}

export interface Whoami {
  object: "whoami";
  key_id: string;
  key_type: "secret" | "publishable";
  mode: Mode;
  livemode: boolean;
  scopes: string[];
  merchant: { id: string; name: string };
}

// ----- API keys (user token) -----

export type PermissionLevel = "none" | "read" | "write";
export type Permissions = "*" | Partial<Record<string, PermissionLevel>>;

export interface ApiKey {
  id: string;
  object: "api_key";
  name: string;
  mode: Mode;
  livemode: boolean;
  status: "active" | "suspended" | "revoked" | "expired";
  publishable_key: string;
  secret_hint: string;
  permissions: Permissions;
  scopes: string[];
  allowed_ips: string[];
  rate_limit: number;
  expires_at: string | null;
  api_version: string | null;
  require_signature: boolean;
  created_at: string;
  created_by: string;
  rolled_to: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  canary: boolean;
  revoked_reason: string | null;
  exposed_url: string | null;
  /** Made before a rule of the key policy it breaks (SPEC §17). */
  outside_policy?: boolean;
}
/** A key as created or rolled: the only answer that holds `secret_key`. */
export interface CreatedApiKey extends ApiKey {
  secret_key: string;
  /** With `webhook_url`: the bound endpoint's signing secret. */
  webhook_secret?: string | null;
}
export interface RolledApiKey extends CreatedApiKey {
  rolled_from: ApiKey;
}
export interface ApiKeyCreateParams {
  name: string;
  mode?: Mode;
  permissions?: Permissions;
  allowed_ips?: string[];
  rate_limit?: number;
  expires_in_days?: number;
  api_version?: string;
  require_signature?: boolean;
  canary?: boolean;
  webhook_url?: string;
  /** SPEC §17, where the server has them. */
  spend_limits?: SpendLimit[];
}
export interface SpendLimit {
  resource: "payments" | "refunds";
  currency: string;
  amount: number;
  period: "hour" | "day";
}
export interface ApiKeyUpdateParams {
  name?: string;
  permissions?: Permissions;
  allowed_ips?: string[];
  rate_limit?: number;
  api_version?: string | null;
  require_signature?: boolean;
  spend_limits?: SpendLimit[];
}
export interface ApiKeyListParams {
  limit?: number;
  starting_after?: string;
  mode?: Mode;
  status?: ApiKey["status"];
}
export interface ApiKeyRollParams {
  /** 0 (default), 3600, 86400 or 604800. */
  grace_period_seconds?: 0 | 3600 | 86400 | 604800;
  /** A new publishable key too (default false). */
  roll_publishable?: boolean;
}
export interface ApiKeyUsageParams {
  period?: "24h" | "30d";
}
export interface UsageCounts {
  "2xx": number;
  "4xx": number;
  "5xx": number;
}
export interface ApiKeyUsage {
  object: "key_usage";
  key_id: string;
  period: "24h" | "30d";
  buckets: Array<UsageCounts & { start: string }>;
  totals: UsageCounts;
}

// ----- management keys and the key policy (SPEC §17) -----

export interface ManagementKey {
  /** `mgk_…`. */
  id: string;
  object: "management_key";
  name: string;
  /** `api_keys:read|write`, `webhook_endpoints:read|write`. */
  scopes: string[];
  /** May also create and roll live keys. */
  live: boolean;
  allowed_ips: string[];
  status: "active" | "suspended" | "revoked" | "expired";
  secret_hint: string;
  expires_at: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  last_used_ip: string | null;
  request_count: number;
}
export interface CreatedManagementKey extends ManagementKey {
  /** `mk_…`, shown this once. */
  secret: string;
}
export interface ManagementKeyCreateParams {
  name: string;
  /** From `api_keys:read|write` and `webhook_endpoints:read|write`. */
  scopes: string[];
  live?: boolean;
  allowed_ips?: string[];
  /** Required, at most 90. */
  expires_in_days: number;
}

export interface KeyPolicy {
  object?: string;
  live_max_lifetime_days: number | null;
  live_require_allowed_ips: boolean;
  live_require_signature: boolean;
}
export type KeyPolicyUpdateParams = Partial<Omit<KeyPolicy, "object">>;

// ----- webhooks (user token) -----

export interface WebhookEndpoint {
  id: string;
  object: "webhook_endpoint";
  url: string;
  description: string;
  enabled_events: string[];
  api_key: string | null;
  api_version: string | null;
  status: "enabled" | "disabled";
  mode: Mode;
  livemode: boolean;
  created_at: string;
  disabled_reason?: string | null;
}
/** An endpoint as created or with a rolled secret: the only answers that hold `secret`. */
export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  /** `whsec_…`: verify deliveries with it (`Webhook.constructEvent`). */
  secret: string;
}
export interface WebhookEndpointCreateParams {
  url: string;
  description?: string;
  enabled_events?: string[];
  mode?: Mode;
  api_key?: string;
}
export interface WebhookEndpointUpdateParams {
  url?: string;
  description?: string;
  enabled_events?: string[];
  status?: "enabled" | "disabled";
}
export interface WebhookEndpointRollSecretParams {
  /** How long the old secret keeps signing too: 0, 3600, 86400 or 604800. */
  grace_period_seconds?: 0 | 3600 | 86400 | 604800;
}

export interface WebhookDeliveryAttempt {
  attempted_at: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}
export interface WebhookDelivery {
  id: string;
  object: "webhook_delivery";
  endpoint: string;
  event: string;
  event_type: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  latency_ms: number | null;
  next_attempt_at: string | null;
  created_at: string;
  attempt_history: WebhookDeliveryAttempt[];
}

// ----- signing in -----

export interface LoginParams {
  email: string;
  password: string;
  /** With two-factor on: the 6-digit code or a recovery code. */
  otp?: string;
}
export interface LoginToken {
  token: string;
  token_type: "Bearer";
  expires_at: string;
}
