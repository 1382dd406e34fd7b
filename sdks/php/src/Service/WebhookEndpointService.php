<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** Webhook endpoints (`we_…`); needs a user token or a management key. */
final class WebhookEndpointService extends AbstractService
{
    /**
     * Lists webhook endpoints.
     *
     * `listWebhookEndpoints`: GET /api/v1/webhook-endpoints
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function all(array $params = [], array $opts = []): Collection
    {
        return $this->callList('listWebhookEndpoints', [], $params, $opts);
    }

    /**
     * Creates a webhook endpoint (`url`, `description`, `enabled_events`, `mode`, `api_key`); the answer alone holds `secret`.
     *
     * `createWebhookEndpoint`: POST /api/v1/webhook-endpoints
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function create(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('createWebhookEndpoint', [], $params, $opts);
    }

    /**
     * Retrieves a webhook endpoint.
     *
     * `retrieveWebhookEndpoint`: GET /api/v1/webhook-endpoints/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveWebhookEndpoint', [$id], $params, $opts);
    }

    /**
     * Updates, disables or enables a webhook endpoint.
     *
     * `updateWebhookEndpoint`: PATCH /api/v1/webhook-endpoints/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function update(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('updateWebhookEndpoint', [$id], $params, $opts);
    }

    /**
     * Deletes a webhook endpoint.
     *
     * `deleteWebhookEndpoint`: DELETE /api/v1/webhook-endpoints/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function delete(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('deleteWebhookEndpoint', [$id], $params, $opts);
    }

    /**
     * Rolls an endpoint's signing secret (`grace_period_seconds`): the new `secret`.
     *
     * `rollWebhookEndpointSecret`: POST /api/v1/webhook-endpoints/{id}/roll-secret
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function rollSecret(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('rollWebhookEndpointSecret', [$id], $params, $opts);
    }

    /**
     * Sends a `ping` event to an endpoint: the delivery.
     *
     * `testWebhookEndpoint`: POST /api/v1/webhook-endpoints/{id}/test
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function test(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('testWebhookEndpoint', [$id], $params, $opts);
    }
}
