<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** Refunds (`re_…`). */
final class RefundService extends AbstractService
{
    /**
     * Lists refunds, newest first.
     *
     * `listRefunds`: GET /api/v1/refunds
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function all(array $params = [], array $opts = []): Collection
    {
        return $this->callList('listRefunds', [], $params, $opts);
    }

    /**
     * Retrieves a refund.
     *
     * `retrieveRefund`: GET /api/v1/refunds/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveRefund', [$id], $params, $opts);
    }
}
