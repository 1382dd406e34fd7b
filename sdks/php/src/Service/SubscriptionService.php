<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** Subscriptions (`sub_…`). */
final class SubscriptionService extends AbstractService
{
    /**
     * Searches subscriptions (`customer`, `status`), newest first, page by page.
     *
     * `searchSubscriptions`: GET /api/v1/subscriptions/search
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function search(array $params = [], array $opts = []): Collection
    {
        return $this->callList('searchSubscriptions', [], $params, $opts);
    }

    /**
     * Creates a subscription (`customer`, `plan`).
     *
     * `createSubscription`: POST /api/v1/subscriptions
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function create(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('createSubscription', [], $params, $opts);
    }

    /**
     * Updates the subscription named by `id` in the body.
     *
     * `updateSubscriptionByBody`: PATCH /api/v1/subscriptions
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function updateByBody(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('updateSubscriptionByBody', [], $params, $opts);
    }

    /**
     * Retrieves a subscription.
     *
     * `retrieveSubscription`: GET /api/v1/subscriptions/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveSubscription', [$id], $params, $opts);
    }

    /**
     * Updates a subscription (`plan`, `cancel_at_period_end`, …).
     *
     * `updateSubscription`: PATCH /api/v1/subscriptions/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function update(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('updateSubscription', [$id], $params, $opts);
    }

    /**
     * Cancels a subscription now.
     *
     * `cancelSubscription`: POST /api/v1/subscriptions/cancel/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function cancel(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('cancelSubscription', [$id], $params, $opts);
    }

    /**
     * Cancels a subscription at the end of its current period.
     *
     * `cancelSubscriptionAtPeriodEnd`: POST /api/v1/subscriptions/schedule-cancel/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function cancelAtPeriodEnd(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('cancelSubscriptionAtPeriodEnd', [$id], $params, $opts);
    }
}
