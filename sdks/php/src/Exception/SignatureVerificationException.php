<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/**
 * A webhook's `Paydesk-Signature` does not verify: malformed, no `v1` matching the
 * payload and secret, or a timestamp outside the tolerance.
 */
class SignatureVerificationException extends PaydeskException
{
    public function __construct(string $message, private readonly ?string $sigHeader = null)
    {
        parent::__construct($message);
    }

    public function getSigHeader(): ?string
    {
        return $this->sigHeader;
    }
}
