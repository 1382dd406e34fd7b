<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\PaydeskObject;

/** Client sessions (`cs_…`). */
final class ClientSessionService extends AbstractService
{
    /**
     * Creates a client session (`amount`, `currency`, `customer`).
     *
     * `createClientSession`: POST /api/v1/client-session
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function create(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('createClientSession', [], $params, $opts);
    }

    /**
     * Updates a client session.
     *
     * `updateClientSession`: PATCH /api/v1/client-session/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function update(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('updateClientSession', [$id], $params, $opts);
    }
}
