<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\PaydeskObject;

/** The key the client holds. */
final class WhoamiService extends AbstractService
{
    /**
     * Which key this is: its id, mode, scopes and merchant.
     *
     * `whoami`: GET /api/v1/whoami
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('whoami', [], $params, $opts);
    }
}
