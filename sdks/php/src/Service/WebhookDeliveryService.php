<?php

declare(strict_types=1);

namespace Paydesk\Service;

use Paydesk\Collection;
use Paydesk\PaydeskObject;

/** Webhook deliveries (`whd_…`); needs a user token or a management key. */
final class WebhookDeliveryService extends AbstractService
{
    /**
     * Lists an endpoint's deliveries, newest first.
     *
     * `listWebhookDeliveries`: GET /api/v1/webhook-endpoints/{id}/deliveries
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function all(string $endpointId, array $params = [], array $opts = []): Collection
    {
        return $this->callList('listWebhookDeliveries', [$endpointId], $params, $opts);
    }

    /**
     * Sends a delivery's event again: the new delivery.
     *
     * `resendWebhookDelivery`: POST /api/v1/webhook-deliveries/{id}/resend
     *
     * @param array<string, mixed> $params
     * @param array<string, mixed> $opts idempotency_key, api_version, api_key, headers, max_retries
     * @throws \Paydesk\Exception\PaydeskException
     */
    public function resend(string $id, array $params = [], array $opts = []): PaydeskObject
    {
        return $this->call('resendWebhookDelivery', [$id], $params, $opts);
    }
}
