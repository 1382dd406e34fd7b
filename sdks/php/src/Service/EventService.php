<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** Events (`evt_…`). */
final class EventService extends AbstractService
{
    /**
     * Lists events, newest first (`type` filters by type or prefix).
     *
     * `listEvents`: GET /api/v1/events
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function all(array $params = [], array $opts = []): Collection
    {
        return $this->callList('listEvents', [], $params, $opts);
    }

    /**
     * Retrieves an event.
     *
     * `retrieveEvent`: GET /api/v1/events/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveEvent', [$id], $params, $opts);
    }
}
