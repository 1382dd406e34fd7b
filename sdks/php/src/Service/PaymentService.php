<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** Payments (`pay_…`), and refunding them. */
final class PaymentService extends AbstractService
{
    /**
     * Lists payments, newest first.
     *
     * `listPayments`: GET /api/v1/payments
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function all(array $params = [], array $opts = []): Collection
    {
        return $this->callList('listPayments', [], $params, $opts);
    }

    /**
     * Creates a payment (`amount`, `currency`, `payment_method`, `customer`, `metadata`) through the simulator.
     *
     * `createPayment`: POST /api/v1/payments
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function create(array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('createPayment', [], $params, $opts);
    }

    /**
     * Retrieves a payment.
     *
     * `retrievePayment`: GET /api/v1/payments/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function retrieve(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('retrievePayment', [$id], $params, $opts);
    }

    /**
     * Refunds a payment (`amount`; default: what remains refundable).
     *
     * `refundPayment`: POST /api/v1/payments/refund/{id}
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function refund(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('refundPayment', [$id], $params, $opts);
    }
}
