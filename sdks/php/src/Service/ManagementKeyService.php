<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** Management keys (`mk_…`, SPEC §17); needs an Admin's user token. */
final class ManagementKeyService extends AbstractService
{
    /**
     * Lists management keys (never a secret).
     *
     * `listManagementKeys`: GET /api/v1/management-keys
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function all(array $params = [], array $opts = []): Collection
    {
        return $this->callList('listManagementKeys', [], $params, $opts);
    }

    /**
     * Creates a management key (`name`, `scopes`, `live`, `allowed_ips`, `expires_in_days`); the answer alone holds `secret`.
     *
     * `createManagementKey`: POST /api/v1/management-keys
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function create(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('createManagementKey', [], $params, $opts);
    }

    /**
     * Retrieves a management key.
     *
     * `retrieveManagementKey`: GET /api/v1/management-keys/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveManagementKey', [$id], $params, $opts);
    }

    /**
     * Revokes a management key.
     *
     * `revokeManagementKey`: DELETE /api/v1/management-keys/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function revoke(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('revokeManagementKey', [$id], $params, $opts);
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
     * Suspends a management key.
     *
     * `suspendManagementKey`: POST /api/v1/management-keys/{id}/suspend
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function suspend(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('suspendManagementKey', [$id], $params, $opts);
    }

    /**
     * Reactivates a suspended management key.
     *
     * `reactivateManagementKey`: POST /api/v1/management-keys/{id}/reactivate
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function reactivate(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('reactivateManagementKey', [$id], $params, $opts);
    }
}
