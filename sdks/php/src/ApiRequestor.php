<?php

declare(strict_types=1);

namespace Paydesk;

use Paydesk\Exception\ApiConnectionException;
use Paydesk\Exception\PaydeskException;
use Paydesk\HttpClient\CurlClient;

/**
 * Sends a call: credentials, version pin, signature, an `Idempotency-Key` made once per
 * POST/PATCH call and kept by its retries, retries with back-off, the envelope opened.
 *
 * @internal
 */
final class ApiRequestor
{
    /** Retry-After beyond this many seconds is not waited for: the error is raised. */
    public const MAX_RETRY_AFTER = 60.0;
    public const INITIAL_RETRY_DELAY = 0.5;

    private const CALL_OPTIONS = ['idempotency_key', 'api_version', 'api_key', 'headers', 'max_retries'];

    private readonly CurlClient $http;

    public function __construct(
        private readonly ?string $apiKey,
        private readonly string $baseUrl,
        private readonly ?string $apiVersion,
        private readonly int $maxRetries,
        float $timeout,
        float $connectTimeout,
        private readonly bool $signRequests,
        private readonly ?string $publishableKey,
    ) {
        $this->http = new CurlClient($timeout, $connectTimeout);
    }

    /**
     * @param array<string, mixed> $params query (GET, DELETE) or JSON body (POST, PATCH)
     * @param array<string, mixed> $opts   idempotency_key, api_version, api_key, headers, max_retries
     * @throws PaydeskException
     */
    public function request(string $method, string $path, array $params = [], array $opts = []): PaydeskResponse
    {
        $unknown = array_diff(array_keys($opts), self::CALL_OPTIONS);
        if ($unknown !== []) {
            throw new \InvalidArgumentException(sprintf(
                'Unknown request option(s) %s; known: %s.',
                implode(', ', $unknown),
                implode(', ', self::CALL_OPTIONS),
            ));
        }
        $method = strtoupper($method);
        $hasBody = in_array($method, ['POST', 'PATCH', 'PUT'], true);
        $url = rtrim($this->baseUrl, '/') . '/api/v1' . $path;
        $body = null;
        if ($hasBody) {
            $body = Util::jsonBody($params);
        } elseif ($params !== []) {
            $url .= (str_contains($url, '?') ? '&' : '?') . Util::query($params);
        }
        $idempotencyKey = $opts['idempotency_key'] ?? ($hasBody ? Util::uuid4() : null);
        $maxRetries = (int) ($opts['max_retries'] ?? $this->maxRetries);

        for ($attempt = 0; ; $attempt++) {
            $headers = $this->headers($opts, $body, $idempotencyKey);
            try {
                $response = $this->http->send($method, $url, $headers, $body);
            } catch (ApiConnectionException $e) {
                if ($attempt < $maxRetries) {
                    self::sleep(self::backoff($attempt));
                    continue;
                }
                throw $e;
            }
            $status = $response->status;
            if ($status >= 200 && $status < 300) {
                return $response;
            }
            if ($attempt < $maxRetries && ($status === 429 || $status >= 500)) {
                $retryAfter = self::retryAfter($response);
                if ($retryAfter === null || $retryAfter <= self::MAX_RETRY_AFTER) {
                    self::sleep(max($retryAfter ?? 0.0, self::backoff($attempt)));
                    continue;
                }
            }
            throw PaydeskException::fromResponse($status, $response->headers, $response->body);
        }
    }

    /**
     * The envelope's `data` as an object.
     *
     * @throws PaydeskException
     */
    public static function decode(PaydeskResponse $response): PaydeskObject
    {
        $decoded = json_decode($response->body, false);
        if (!$decoded instanceof \stdClass || !property_exists($decoded, 'data')) {
            throw new Exception\ApiException(
                sprintf('The API answered HTTP %d with a body that is not a Paydesk envelope.', $response->status),
                $response->status,
                null,
                [],
                $response->requestId(),
                $response->headers,
                $response->body,
            );
        }
        $data = $decoded->data;
        return PaydeskObject::constructFrom(
            $data instanceof \stdClass ? get_object_vars($data) : ['value' => $data],
            $response,
        );
    }

    /** @return list<string> */
    private function headers(array $opts, ?string $body, ?string $idempotencyKey): array
    {
        $apiKey = $opts['api_key'] ?? $this->apiKey;
        $headers = [
            'Accept: application/json',
            'User-Agent: Paydesk/v1 PaydeskPHP/' . PaydeskClient::VERSION . ' PHP/' . PHP_VERSION,
        ];
        if ($apiKey !== null && $this->publishableKey !== null && !isset($opts['api_key'])) {
            $headers[] = 'X-API-Key: ' . $this->publishableKey;
            $headers[] = 'X-API-Secret: ' . $apiKey;
        } elseif ($apiKey !== null) {
            $headers[] = 'Authorization: Bearer ' . $apiKey;
        }
        $version = $opts['api_version'] ?? $this->apiVersion;
        if ($version !== null) {
            $headers[] = 'Paydesk-Version: ' . $version;
        }
        if ($body !== null) {
            $headers[] = 'Content-Type: application/json';
        }
        if ($idempotencyKey !== null) {
            $headers[] = 'Idempotency-Key: ' . $idempotencyKey;
        }
        if ($this->signRequests && $apiKey !== null) {
            // Signed afresh on every attempt, so a retry's timestamp is current.
            $headers[] = Signature::HEADER . ': ' . Signature::header($body ?? '', $apiKey);
        }
        foreach ($opts['headers'] ?? [] as $name => $value) {
            $headers[] = $name . ': ' . $value;
        }
        return $headers;
    }

    /** 0.5 s × 2^n, with ±25 % jitter. */
    public static function backoff(int $attempt): float
    {
        $base = self::INITIAL_RETRY_DELAY * (2 ** $attempt);
        return $base * (0.75 + 0.5 * (mt_rand() / mt_getrandmax()));
    }

    private static function retryAfter(PaydeskResponse $response): ?float
    {
        $value = $response->header('retry-after');
        if ($value === null) {
            return null;
        }
        if (is_numeric($value)) {
            return max(0.0, (float) $value);
        }
        $at = strtotime($value); // the HTTP-date form
        return $at === false ? null : max(0.0, (float) ($at - time()));
    }

    private static function sleep(float $seconds): void
    {
        usleep((int) round($seconds * 1_000_000));
    }
}
