<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\PaydeskObject;

/** The balance: succeeded payments minus refunds. */
final class BalanceService extends AbstractService
{
    /**
     * Retrieves the balance: `available` per currency.
     *
     * `retrieveBalance`: GET /api/v1/balance
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveBalance', [], $params, $opts);
    }
}
