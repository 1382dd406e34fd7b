<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** Customers (`cus_…`). */
final class CustomerService extends AbstractService
{
    /**
     * Lists customers, newest first (`limit`, `starting_after`, `email`, …).
     *
     * `listCustomers`: GET /api/v1/customers
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function all(array $params = [], array $opts = []): Collection
    {
        return $this->callList('listCustomers', [], $params, $opts);
    }

    /**
     * Creates a customer (`email`, `name`, `metadata`).
     *
     * `createCustomer`: POST /api/v1/customers
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function create(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('createCustomer', [], $params, $opts);
    }

    /**
     * Retrieves a customer.
     *
     * `retrieveCustomer`: GET /api/v1/customers/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrieveCustomer', [$id], $params, $opts);
    }

    /**
     * Updates a customer (`email`, `name`, `metadata`).
     *
     * `updateCustomer`: PATCH /api/v1/customers/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function update(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('updateCustomer', [$id], $params, $opts);
    }
}
