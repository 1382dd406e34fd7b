<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** Plans (`plan_…`). */
final class PlanService extends AbstractService
{
    /**
     * Lists plans, newest first.
     *
     * `listPlans`: GET /api/v1/plans
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function all(array $params = [], array $opts = []): Collection
    {
        return $this->callList('listPlans', [], $params, $opts);
    }

    /**
     * Creates a plan (`name`, `amount`, `currency`, `interval`).
     *
     * `createPlan`: POST /api/v1/plans
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function create(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('createPlan', [], $params, $opts);
    }

    /**
     * Retrieves a plan.
     *
     * `retrievePlan`: GET /api/v1/plans/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrievePlan', [$id], $params, $opts);
    }
}
