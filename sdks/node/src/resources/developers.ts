/**
 * What a user token works with (SPEC §6, §9, §17): API keys, management keys, the key
 * policy, webhook endpoints and their deliveries, and signing in and out. Make the client
 * with the token as its key: `new Paydesk(token, { baseUrl })`.
 */
import { segment, type RequestOptions } from "../core.js";
import type { ListParams, ListPromise } from "../list.js";
import type {
  ApiKey,
  ApiKeyCreateParams,
  ApiKeyListParams,
  ApiKeyUpdateParams,
  ApiKeyRollParams,
  ApiKeyUsage,
  ApiKeyUsageParams,
  CreatedApiKey,
  CreatedManagementKey,
  CreatedWebhookEndpoint,
  KeyPolicy,
  KeyPolicyUpdateParams,
  LoginParams,
  LoginToken,
  ManagementKey,
  ManagementKeyCreateParams,
  RolledApiKey,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointCreateParams,
  WebhookEndpointRollSecretParams,
  WebhookEndpointUpdateParams,
} from "../types.js";
import { Resource } from "./base.js";

export class ApiKeys extends Resource {
  /** createApiKey: `POST /api-keys`; the answer alone holds `secret_key`. */
  create(params: ApiKeyCreateParams, options?: RequestOptions): Promise<CreatedApiKey> {
    return this.core.request("POST", "/api-keys", { body: params, options });
  }
  /** retrieveApiKey: `GET /api-keys/{id}`. */
  retrieve(id: string, options?: RequestOptions): Promise<ApiKey> {
    return this.core.request("GET", `/api-keys/${segment(id)}`, { options });
  }
  /** updateApiKey: `PATCH /api-keys/{id}`. */
  update(id: string, params: ApiKeyUpdateParams, options?: RequestOptions): Promise<ApiKey> {
    return this.core.request("PATCH", `/api-keys/${segment(id)}`, { body: params, options });
  }
  /** listApiKeys: `GET /api-keys` (filters `mode`, `status`). */
  list(params: ApiKeyListParams = {}, options?: RequestOptions): ListPromise<ApiKey> {
    return this.core.list("/api-keys", params, options);
  }
  /** revokeApiKey: `DELETE /api-keys/{id}` (terminal). */
  del(id: string, options?: RequestOptions): Promise<ApiKey> {
    return this.core.request("DELETE", `/api-keys/${segment(id)}`, { options });
  }
  /** The same as `del`. */
  revoke(id: string, options?: RequestOptions): Promise<ApiKey> {
    return this.del(id, options);
  }
  /** suspendApiKey: `POST /api-keys/{id}/suspend`. */
  suspend(id: string, options?: RequestOptions): Promise<ApiKey> {
    return this.core.request("POST", `/api-keys/${segment(id)}/suspend`, { options });
  }
  /** reactivateApiKey: `POST /api-keys/{id}/reactivate`. */
  reactivate(id: string, options?: RequestOptions): Promise<ApiKey> {
    return this.core.request("POST", `/api-keys/${segment(id)}/reactivate`, { options });
  }
  /** rollApiKey: `POST /api-keys/{id}/roll`; the new secret, the old one kept for the grace. */
  roll(id: string, params: ApiKeyRollParams = {}, options?: RequestOptions): Promise<RolledApiKey> {
    return this.core.request("POST", `/api-keys/${segment(id)}/roll`, { body: params, options });
  }
  /** retrieveApiKeyUsage: `GET /api-keys/{id}/usage?period=24h|30d`. */
  usage(id: string, params: ApiKeyUsageParams = {}, options?: RequestOptions): Promise<ApiKeyUsage> {
    return this.core.request("GET", `/api-keys/${segment(id)}/usage`, { query: { ...params }, options });
  }
}

export class ManagementKeys extends Resource {
  /** createManagementKey: `POST /management-keys`; the answer alone holds `secret`. */
  create(params: ManagementKeyCreateParams, options?: RequestOptions): Promise<CreatedManagementKey> {
    return this.core.request("POST", "/management-keys", { body: params, options });
  }
  /** retrieveManagementKey: `GET /management-keys/{id}`. */
  retrieve(id: string, options?: RequestOptions): Promise<ManagementKey> {
    return this.core.request("GET", `/management-keys/${segment(id)}`, { options });
  }
  /** listManagementKeys: `GET /management-keys`. */
  list(params: ListParams = {}, options?: RequestOptions): ListPromise<ManagementKey> {
    return this.core.list("/management-keys", params, options);
  }
  /** revokeManagementKey: `DELETE /management-keys/{id}`. */
  del(id: string, options?: RequestOptions): Promise<ManagementKey> {
    return this.core.request("DELETE", `/management-keys/${segment(id)}`, { options });
  }
  /** The same as `del`. */
  revoke(id: string, options?: RequestOptions): Promise<ManagementKey> {
    return this.del(id, options);
  }
  /** suspendManagementKey: `POST /management-keys/{id}/suspend`. */
  suspend(id: string, options?: RequestOptions): Promise<ManagementKey> {
    return this.core.request("POST", `/management-keys/${segment(id)}/suspend`, { options });
  }
  /** reactivateManagementKey: `POST /management-keys/{id}/reactivate`. */
  reactivate(id: string, options?: RequestOptions): Promise<ManagementKey> {
    return this.core.request("POST", `/management-keys/${segment(id)}/reactivate`, { options });
  }
}

export class KeyPolicyResource extends Resource {
  /** retrieveKeyPolicy: `GET /key-policy`. */
  retrieve(options?: RequestOptions): Promise<KeyPolicy> {
    return this.core.request("GET", "/key-policy", { options });
  }
  /** updateKeyPolicy: `PATCH /key-policy`. */
  update(params: KeyPolicyUpdateParams, options?: RequestOptions): Promise<KeyPolicy> {
    return this.core.request("PATCH", "/key-policy", { body: params, options });
  }
}

export class WebhookEndpoints extends Resource {
  /** createWebhookEndpoint: `POST /webhook-endpoints`; the answer alone holds `secret`. */
  create(params: WebhookEndpointCreateParams, options?: RequestOptions): Promise<CreatedWebhookEndpoint> {
    return this.core.request("POST", "/webhook-endpoints", { body: params, options });
  }
  /** retrieveWebhookEndpoint: `GET /webhook-endpoints/{id}`. */
  retrieve(id: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.core.request("GET", `/webhook-endpoints/${segment(id)}`, { options });
  }
  /** updateWebhookEndpoint: `PATCH /webhook-endpoints/{id}` (also `status` to disable or enable). */
  update(id: string, params: WebhookEndpointUpdateParams, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.core.request("PATCH", `/webhook-endpoints/${segment(id)}`, { body: params, options });
  }
  /** listWebhookEndpoints: `GET /webhook-endpoints`. */
  list(params: ListParams = {}, options?: RequestOptions): ListPromise<WebhookEndpoint> {
    return this.core.list("/webhook-endpoints", params, options);
  }
  /** deleteWebhookEndpoint: `DELETE /webhook-endpoints/{id}`. */
  del(id: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.core.request("DELETE", `/webhook-endpoints/${segment(id)}`, { options });
  }
  /** rollWebhookEndpointSecret: `POST /webhook-endpoints/{id}/roll-secret`; the new `secret`. */
  rollSecret(
    id: string,
    params: WebhookEndpointRollSecretParams = {},
    options?: RequestOptions,
  ): Promise<CreatedWebhookEndpoint> {
    return this.core.request("POST", `/webhook-endpoints/${segment(id)}/roll-secret`, { body: params, options });
  }
  /** testWebhookEndpoint: `POST /webhook-endpoints/{id}/test` sends a `ping` event. */
  test(id: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return this.core.request("POST", `/webhook-endpoints/${segment(id)}/test`, { options });
  }
}

export class WebhookDeliveries extends Resource {
  /** listWebhookDeliveries: `GET /webhook-endpoints/{id}/deliveries`, newest first. */
  list(endpointId: string, params: ListParams = {}, options?: RequestOptions): ListPromise<WebhookDelivery> {
    return this.core.list(`/webhook-endpoints/${segment(endpointId)}/deliveries`, params, options);
  }
  /** resendWebhookDelivery: `POST /webhook-deliveries/{id}/resend`. */
  resend(id: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return this.core.request("POST", `/webhook-deliveries/${segment(id)}/resend`, { options });
  }
}

export class Auth extends Resource {
  /** login: `POST /auth/login` (no key needed) for a user token; `otp` with two-factor on. */
  login(params: LoginParams, options?: RequestOptions): Promise<LoginToken> {
    return this.core.request("POST", "/auth/login", { body: params, options });
  }
  /** logout: `POST /auth/logout` revokes the client's user token. */
  logout(options?: RequestOptions): Promise<{ revoked: boolean }> {
    return this.core.request("POST", "/auth/logout", { options });
  }
}
