<?php

declare(strict_types=1);

namespace Paydesk;

/** @internal */
final class Util
{
    /** A random UUID, version 4 (RFC 9562), from the OS CSPRNG. */
    public static function uuid4(): string
    {
        $b = random_bytes(16);
        $b[6] = chr((ord($b[6]) & 0x0f) | 0x40);
        $b[8] = chr((ord($b[8]) & 0x3f) | 0x80);
        $h = bin2hex($b);
        return sprintf('%s-%s-%s-%s-%s', substr($h, 0, 8), substr($h, 8, 4), substr($h, 12, 4), substr($h, 16, 4), substr($h, 20));
    }

    /**
     * A query string; booleans as `true`/`false`, nulls left out.
     *
     * @param array<string, mixed> $params
     */
    public static function query(array $params): string
    {
        $flat = [];
        foreach ($params as $key => $value) {
            if ($value === null) {
                continue;
            }
            $flat[$key] = is_bool($value) ? ($value ? 'true' : 'false') : $value;
        }
        return http_build_query($flat, '', '&', PHP_QUERY_RFC3986);
    }

    /**
     * A JSON object body (an empty array is `{}`, never `[]`).
     *
     * @param array<string, mixed> $params
     */
    public static function jsonBody(array $params): string
    {
        return json_encode(
            $params === [] ? new \stdClass() : $params,
            JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR,
        );
    }
}
