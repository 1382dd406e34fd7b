<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/** HTTP 429 `rate_limited`: the key's per-minute limit is spent; see getRetryAfter(). */
class RateLimitException extends PaydeskException
{
    /** Seconds to wait before trying again (`Retry-After`), when the server said. */
    public function getRetryAfter(): ?float
    {
        $value = $this->getHttpHeaders()['retry-after'] ?? null;
        return $value !== null && is_numeric($value) ? max(0.0, (float) $value) : null;
    }
}
