<?php

declare(strict_types=1);

namespace Paydesk\HttpClient;

use Paydesk\Exception\ApiConnectionException;
use Paydesk\PaydeskResponse;

/** One HTTP exchange over ext-curl, keeping its connection for the next. No redirects. */
final class CurlClient
{
    private ?\CurlHandle $handle = null;

    public function __construct(
        private readonly float $timeout,
        private readonly float $connectTimeout,
    ) {
    }

    /**
     * @param list<string> $headers `Name: value` lines
     * @throws ApiConnectionException when no HTTP answer arrives
     */
    public function send(string $method, string $url, array $headers, ?string $body): PaydeskResponse
    {
        $this->handle ??= curl_init();
        $ch = $this->handle;
        curl_reset($ch);
        $responseHeaders = [];
        $options = [
            CURLOPT_URL => $url,
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_NOSIGNAL => true,
            CURLOPT_TIMEOUT_MS => (int) round($this->timeout * 1000),
            CURLOPT_CONNECTTIMEOUT_MS => (int) round($this->connectTimeout * 1000),
            // No `Expect: 100-continue` round trip for bodies over 1 KiB.
            CURLOPT_HTTPHEADER => array_merge($headers, ['Expect:']),
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$responseHeaders): int {
                $parts = explode(':', $line, 2);
                if (count($parts) === 2) {
                    $responseHeaders[strtolower(trim($parts[0]))] = trim($parts[1]);
                } elseif (str_starts_with($line, 'HTTP/')) {
                    $responseHeaders = []; // a new response (after a 1xx) starts afresh
                }
                return strlen($line);
            },
        ];
        if ($method === 'HEAD') {
            $options[CURLOPT_NOBODY] = true;
        }
        if ($body !== null) {
            $options[CURLOPT_POSTFIELDS] = $body;
        }
        curl_setopt_array($ch, $options);
        $result = curl_exec($ch);
        if ($result === false) {
            $errno = curl_errno($ch);
            $message = curl_error($ch);
            // A failed handle may hold a broken connection: start the next call afresh.
            curl_close($ch);
            $this->handle = null;
            throw new ApiConnectionException(sprintf(
                'Could not reach Paydesk at %s (curl error %d: %s). Check the base URL and the network; the request may be retried safely with the same idempotency key.',
                $url,
                $errno,
                $message,
            ));
        }
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        return new PaydeskResponse($status, $responseHeaders, (string) $result);
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            curl_close($this->handle);
        }
    }
}
