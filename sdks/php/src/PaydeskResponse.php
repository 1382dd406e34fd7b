<?php

declare(strict_types=1);

namespace Paydesk;

/** An HTTP answer of the API: status, headers (lower-case names) and raw body. */
final class PaydeskResponse
{
    /** @param array<string, string> $headers */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string $body,
    ) {
    }

    public function header(string $name): ?string
    {
        return $this->headers[strtolower($name)] ?? null;
    }

    /** The `Request-Id` header (`req_…`). */
    public function requestId(): ?string
    {
        return $this->header('request-id');
    }
}
