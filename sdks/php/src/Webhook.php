<?php

declare(strict_types=1);

namespace Paydesk;

use Paydesk\Exception\SignatureVerificationException;

/** Webhook deliveries: verify one and read its event. */
final class Webhook
{
    public const DEFAULT_TOLERANCE = 300;

    /**
     * The event of a delivery whose `Paydesk-Signature` verifies: $payload is the raw
     * request body (as received, before any JSON decoding), $sigHeader its
     * `Paydesk-Signature` header, $secret the endpoint's `whsec_…` secret. Any `v1` of
     * the header may match (during a secret roll there are two).
     *
     * @throws SignatureVerificationException when the signature does not verify
     * @throws \UnexpectedValueException when the verified payload is not a JSON object
     */
    public static function constructEvent(
        string $payload,
        string $sigHeader,
        string $secret,
        int $tolerance = self::DEFAULT_TOLERANCE,
    ): PaydeskObject {
        Signature::verify($payload, $sigHeader, $secret, $tolerance);
        return PaydeskObject::fromJson($payload)
            ?? throw new \UnexpectedValueException('The webhook payload is not a JSON object.');
    }
}
