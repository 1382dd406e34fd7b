<?php

declare(strict_types=1);

namespace Paydesk\Tests\Support;

use Paydesk\PaydeskClient;
use PHPUnit\Framework\TestCase;

/** A test against the suite's running server. */
abstract class ServerTestCase extends TestCase
{
    protected static function server(): Server
    {
        return Server::get();
    }

    protected static function client(array $options = []): PaydeskClient
    {
        return Server::get()->client($options);
    }

    protected static function admin(): PaydeskClient
    {
        return Server::get()->admin();
    }

    /** A name no other test (or run) uses. */
    protected static function unique(string $prefix): string
    {
        return $prefix . '-' . bin2hex(random_bytes(5));
    }
}
