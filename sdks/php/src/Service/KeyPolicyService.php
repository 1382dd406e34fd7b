<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\PaydeskObject;

/** The merchant's key policy (SPEC §17); needs an Admin's user token. */
final class KeyPolicyService extends AbstractService
{
    /**
     * Retrieves the merchant's key policy.
     *
     * `retrieveKeyPolicy`: GET /api/v1/key-policy
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveKeyPolicy', [], $params, $opts);
    }

    /**
     * Updates the key policy (`live_max_lifetime_days`, `live_require_allowed_ips`, `live_require_signature`).
     *
     * `updateKeyPolicy`: PATCH /api/v1/key-policy
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function update(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('updateKeyPolicy', [], $params, $opts);
    }
}
