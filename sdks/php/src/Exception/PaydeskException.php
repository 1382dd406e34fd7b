<?php

declare(strict_types=1);

namespace Paydesk\Exception;

/**
 * The base of every error the library raises for an API call: the HTTP status, the
 * envelope's error `code`, `message` and `details`, and the `request_id` to quote to
 * support (from the body, else the `Request-Id` header).
 */
class PaydeskException extends \Exception
{
    /**
     * @param array<string, mixed>  $details
     * @param array<string, string> $headers response headers, lower-case names
     */
    public function __construct(
        string $message,
        private readonly ?int $status = null,
        private readonly ?string $errorCode = null,
        private readonly array $details = [],
        private readonly ?string $requestId = null,
        private readonly array $headers = [],
        private readonly ?string $httpBody = null,
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, 0, $previous);
    }

    /**
     * The error for a response that is not a success: the subclass for its status.
     *
     * @param array<string, string> $headers
     */
    public static function fromResponse(int $status, array $headers, string $body): self
    {
        $decoded = json_decode($body, true);
        $error = is_array($decoded) && is_array($decoded['error'] ?? null) ? $decoded['error'] : null;
        $code = is_string($error['code'] ?? null) ? $error['code'] : null;
        $message = is_string($error['message'] ?? null)
            ? $error['message']
            : sprintf('The API answered HTTP %d with a body that is not a Paydesk error envelope.', $status);
        $details = is_array($error['details'] ?? null) ? $error['details'] : [];
        $requestId = is_array($decoded) && is_string($decoded['request_id'] ?? null)
            ? $decoded['request_id']
            : ($headers['request-id'] ?? null);
        $args = [$message, $status, $code, $details, $requestId, $headers, $body];
        return match (true) {
            $status === 401 => new AuthenticationException(...$args),
            $status === 403 => new PermissionException(...$args),
            $status === 404 => new NotFoundException(...$args),
            $status === 409 => new ConflictException(...$args),
            $status === 429 => new RateLimitException(...$args),
            $status >= 400 && $status < 500 => new InvalidRequestException(...$args),
            default => new ApiException(...$args),
        };
    }

    /** The HTTP status, or null when no response arrived. */
    public function getStatus(): ?int
    {
        return $this->status;
    }

    /** The envelope's `error.code` (`invalid_request`, `not_found`, …). */
    public function getErrorCode(): ?string
    {
        return $this->errorCode;
    }

    /** The envelope's `error.details` (`fields`, `required_scope`, `your_ip`, …). */
    public function getDetails(): array
    {
        return $this->details;
    }

    /** The `req_…` id of the failed request. */
    public function getRequestId(): ?string
    {
        return $this->requestId;
    }

    /** @return array<string, string> response headers, lower-case names */
    public function getHttpHeaders(): array
    {
        return $this->headers;
    }

    public function getHttpBody(): ?string
    {
        return $this->httpBody;
    }
}
