<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** API keys (`key_…`); needs a user token or a management key. */
final class ApiKeyService extends AbstractService
{
    /**
     * Lists API keys (never a secret).
     *
     * `listApiKeys`: GET /api/v1/api-keys
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function all(array $params = [], array $opts = []): Collection
    {
        return $this->callList('listApiKeys', [], $params, $opts);
    }

    /**
     * Creates an API key (`name`, `mode`, `permissions`, `allowed_ips`, `rate_limit`, …); the answer alone holds `secret_key`.
     *
     * `createApiKey`: POST /api/v1/api-keys
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function create(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('createApiKey', [], $params, $opts);
    }

    /**
     * Retrieves an API key.
     *
     * `retrieveApiKey`: GET /api/v1/api-keys/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveApiKey', [$id], $params, $opts);
    }

    /**
     * Updates an API key (`name`, `permissions`, `allowed_ips`, `rate_limit`, `api_version`, `require_signature`).
     *
     * `updateApiKey`: PATCH /api/v1/api-keys/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function update(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('updateApiKey', [$id], $params, $opts);
    }

    /**
     * Revokes an API key (terminal).
     *
     * `revokeApiKey`: DELETE /api/v1/api-keys/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function revoke(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('revokeApiKey', [$id], $params, $opts);
    }

    /**
     * The same as revoke(): DELETE is how the other resources spell it (`delete()` on
     * webhook endpoints), and how the reference's examples write it.
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function delete(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->revoke($id, $params, $opts);
    }

    /**
     * Suspends an API key (it can be reactivated).
     *
     * `suspendApiKey`: POST /api/v1/api-keys/{id}/suspend
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function suspend(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('suspendApiKey', [$id], $params, $opts);
    }

    /**
     * Reactivates a suspended API key.
     *
     * `reactivateApiKey`: POST /api/v1/api-keys/{id}/reactivate
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function reactivate(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('reactivateApiKey', [$id], $params, $opts);
    }

    /**
     * Rolls an API key (`grace_period_seconds`, `roll_publishable`): the new pair with its `secret_key`.
     *
     * `rollApiKey`: POST /api/v1/api-keys/{id}/roll
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function roll(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('rollApiKey', [$id], $params, $opts);
    }

    /**
     * Retrieves a key's usage (`period`: `24h` or `30d`).
     *
     * `retrieveApiKeyUsage`: GET /api/v1/api-keys/{id}/usage
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function usage(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveApiKeyUsage', [$id], $params, $opts);
    }
}
