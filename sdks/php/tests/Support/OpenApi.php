<?php

declare(strict_types=1);

namespace Paydesk\Tests\Support;

/** The served `/api/v1/openapi.json`: operationId → [METHOD, path]. */
final class OpenApi
{
    /** @var array<string, array{0: string, 1: string}>|null */
    private static ?array $operations = null;

    /** @return array<string, array{0: string, 1: string}> */
    public static function operations(): array
    {
        if (self::$operations === null) {
            $doc = json_decode(Server::get()->client()->rawRequest('GET', '/openapi.json')->body, true, 512, JSON_THROW_ON_ERROR);
            self::$operations = [];
            foreach ($doc['paths'] as $path => $item) {
                foreach ($item as $method => $op) {
                    if (is_array($op) && isset($op['operationId'])) {
                        self::$operations[$op['operationId']] = [strtoupper($method), $path];
                    }
                }
            }
        }
        return self::$operations;
    }

    public static function serves(string $operationId): bool
    {
        return isset(self::operations()[$operationId]);
    }
}
